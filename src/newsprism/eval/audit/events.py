"""Events of a three-outlet file (the clustering format with outlets: basil-dev) and the reader's view of them.

A reader labels the articles through a numbered sentence view (`A.12` = article A, sentence 12), so a label
names a sentence rather than copying its text. The view's sentence splitter is a plain rule of its own, not
newsprism's: the gold must not depend on the code it measures.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ...errors import EvalDataError
from ..data import read_items

# Seeded draws: the seed and the draw live in audit/events.json so anyone can redraw them.
DEFAULT_SEED = 20261206
DEFAULT_EVENTS = 25
DEFAULT_SEALED = 10


@dataclass(frozen=True)
class EventArticle:
    letter: str  # "A", "B", ... in id order within the event
    id: str  # the data file's id
    title: str | None
    text: str
    published: str | None
    outlet: str | None
    url: str | None
    line: int  # line of the data file (1-based)


@dataclass(frozen=True)
class Event:
    id: str  # gold_story
    articles: tuple[EventArticle, ...]

    def article(self, letter_or_id: str) -> EventArticle:
        for article in self.articles:
            if letter_or_id in (article.letter, article.id):
                return article
        raise KeyError(letter_or_id)


@dataclass(frozen=True)
class ViewSentence:
    key: str  # "A.12"
    start: int
    end: int


def read_events(path: str | Path) -> dict[str, Event]:
    """Every event of a clustering-format file, keyed by gold_story, articles lettered in id order."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for item in read_items("clustering", path):
        grouped[item["gold_story"]].append(item)
    events = {}
    for event_id, items in grouped.items():
        items.sort(key=lambda x: x["id"])
        if len(items) > 26:
            raise EvalDataError(f"{path}: event {event_id} has {len(items)} articles; the audit letters 26")
        articles = tuple(
            EventArticle(
                letter=chr(ord("A") + k),
                id=x["id"],
                title=x["title"],
                text=x["text"],
                published=x["published"],
                outlet=x["outlet"],
                url=x["url"],
                line=x["_line"],
            )
            for k, x in enumerate(items)
        )
        events[event_id] = Event(event_id, articles)
    return events


def draw_events(
    event_ids: list[str], seed: int = DEFAULT_SEED, n: int = DEFAULT_EVENTS, sealed: int = DEFAULT_SEALED
) -> tuple[list[str], list[str]]:
    """(open, sealed) event ids: n drawn from the sorted ids by `seed`, `sealed` of them drawn again by seed."""
    pool = sorted(event_ids)
    if n > len(pool):
        raise EvalDataError(f"cannot draw {n} events from {len(pool)}")
    drawn = random.Random(seed).sample(pool, n)
    sealed_ids = set(random.Random(seed + 1).sample(sorted(drawn), sealed))
    return sorted(x for x in drawn if x not in sealed_ids), sorted(sealed_ids)


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")
# A period after these ends no sentence ("Mr. Romney", "Rep. Sanchez", "Jan. 3", "U.S. officials").
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr rep reps sen sens gov lt col gen sgt capt cmdr adm st jr sr mt ft no vs v pres gen maj "
    "jan feb mar apr aug sept sep oct nov dec inc corp co ltd dept sec atty prof rev".split()
)


def _ends_sentence(text: str, period: int) -> bool:
    """Whether the punctuation at `period` ends a sentence (not an abbreviation or an initial)."""
    if text[period] != ".":
        return True
    word = re.search(r"([\w.]+)$", text[:period])
    if word is None:
        return True
    token = word.group(1).lower()
    if token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token) or re.fullmatch(r"([a-z]\.)+[a-z]", token):
        return False
    return True


def view_sentences(letter: str, text: str) -> list[ViewSentence]:
    """The reader's sentences of one article: paragraphs split at sentence-final punctuation."""
    out: list[ViewSentence] = []
    for para in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text):
        cursor = para.start()
        for cut in _SENTENCE_END.finditer(para.group()):
            end = para.start() + cut.start()
            period = end - 1
            while period > para.start() and text[period] in "\"”’')]":
                period -= 1
            if not _ends_sentence(text, period):
                continue
            # keep closing quotes/brackets with the sentence they close
            while end < para.end() and text[end] in "\"”’')]":
                end += 1
            if end - cursor > 1:
                out.append(ViewSentence(f"{letter}.{len(out) + 1}", cursor, end))
                cursor = para.start() + cut.end()
        if para.end() > cursor:
            out.append(ViewSentence(f"{letter}.{len(out) + 1}", cursor, para.end()))
    return out


def render_event(event: Event) -> str:
    """The numbered text a reader labels from (never written into the repository)."""
    lines = [f"EVENT {event.id}", ""]
    for article in event.articles:
        lines.append(f"=== ARTICLE {article.letter}: {article.outlet} · {article.published} · {article.id}")
        lines.append(f"TITLE: {article.title}")
        lines.append("")
        previous_end = 0
        for sentence in view_sentences(article.letter, article.text):
            if "\n\n" in article.text[previous_end : sentence.start]:
                lines.append("")
            lines.append(f"[{sentence.key}] {article.text[sentence.start : sentence.end]}")
            previous_end = sentence.end
        lines.append("")
    return "\n".join(lines)
