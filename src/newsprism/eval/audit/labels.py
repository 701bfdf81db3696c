"""The audit's labels: reading a reader's draft, turning it into span labels, loading them back.

A label file keeps no article text beyond what identifies a span: code-point offsets into the data file's
`text` plus up to six anchor words (the span's first words), so a label survives a change of cleaning and
a small edit of the text, and the repository holds no publisher's prose. Names (speakers, entities) and a
reader's own one-line gist of a fact are labels, not copied text. audit/README.md is the guide.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import EvalDataError
from .events import Event, EventArticle, view_sentences

ENTITY_TYPES = ("PERSON", "ORG", "PLACE", "GROUP", "OTHER")
DATE_ROLES = ("event", "background", "scheduled")
REUSE_HOW = ("wire_credit", "copied")
ANCHOR_WORDS = 6
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    anchor: str

    def to_json(self) -> list:
        return [self.start, self.end, self.anchor]


@dataclass(frozen=True)
class GoldQuote:
    span: Span
    speaker: str | None  # the true speaker's full name; None: no speaker named in the article
    side: str | None = None  # the speaker's party or camp where the article gives one


@dataclass(frozen=True)
class GoldEntity:
    name: str  # as written in the article
    referent: str  # the real-world referent's full name
    type: str  # ENTITY_TYPES


@dataclass(frozen=True)
class GoldDate:
    span: Span
    date: str | None  # YYYY, YYYY-MM or YYYY-MM-DD; None: the text does not allow one
    role: str  # DATE_ROLES


@dataclass(frozen=True)
class GoldReuse:
    spans: tuple[Span, ...]
    source: str  # data id of the article whose own reporting is carried
    how: str  # REUSE_HOW


@dataclass(frozen=True)
class GoldArticle:
    quotes: tuple[GoldQuote, ...] = ()
    entities: tuple[GoldEntity, ...] = ()
    dates: tuple[GoldDate, ...] = ()
    reuse: tuple[GoldReuse, ...] = ()


@dataclass(frozen=True)
class GoldFact:
    id: str
    gist: str
    spans: dict[str, tuple[Span, ...]] = field(hash=False)  # data id -> sentences stating it

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(self.spans)


@dataclass(frozen=True)
class EventGold:
    event: str
    reader: str
    articles: dict[str, GoldArticle] = field(hash=False)  # data id -> gold
    facts: tuple[GoldFact, ...] = ()
    dropped: tuple[str, ...] = ()  # labels whose span no longer resolves in the data, with why


# ------------------------------------------------------------------ spans


def anchor_of(text: str) -> str:
    return " ".join(text.split()[:ANCHOR_WORDS])


def make_span(text: str, start: int, end: int) -> Span:
    return Span(start, end, anchor_of(text[start:end]))


def resolve_span(text: str, raw: list) -> Span | None:
    """A stored span against the current text: as stored when its anchor still opens it, else the anchor's
    occurrence nearest the stored start (same length); None when the anchor is gone."""
    start, end, anchor = int(raw[0]), int(raw[1]), str(raw[2])
    if _opens_with(text[start:end], anchor):
        return Span(start, end, anchor)
    pattern = _loose(anchor)
    best = None
    for match in pattern.finditer(text):
        if best is None or abs(match.start() - start) < abs(best - start):
            best = match.start()
    if best is None:
        return None
    return Span(best, min(len(text), best + (end - start)), anchor)


def _opens_with(text: str, anchor: str) -> bool:
    return " ".join(text.split()[:ANCHOR_WORDS]) == anchor


_QUOTE_CLASS = "[\"“”'‘’`]"


def _loose(snippet: str) -> re.Pattern:
    """A pattern for a snippet as a reader copied it: any quote mark for any other, any run of whitespace
    for a space, and "…" or "..." between words for a gap."""
    pieces = [p for p in re.split(r"\s*(?:…|\.\.\.)\s*", snippet.strip()) if p]
    parts = []
    for piece in pieces:
        out = []
        for ch in piece:
            if ch in "\"“”'‘’`":
                out.append(_QUOTE_CLASS)
            elif ch.isspace():
                out.append(r"\s+")
            elif ch in "-–—":
                out.append("[-–—]")
            else:
                out.append(re.escape(ch))
        parts.append("".join(out).replace(r"\s+\s+", r"\s+"))
    return re.compile(r".*?".join(parts), re.DOTALL)


# ------------------------------------------------------------------ drafts -> labels

COPY_WORDS = 8  # a run of this many words found in an article is a copy, not the reader's own words


def own_words(text: str, sources: list[str]) -> str:
    """A reader's gist or note with every run of COPY_WORDS or more words copied from `sources` cut to its first
    words and "…", so that label files carry the reader's words, not the publisher's."""
    words = text.split()
    if len(words) < COPY_WORDS:
        return text
    norm = [re.sub(r"\W+", "", w.lower()) for w in words]
    grams = set()
    for source in sources:
        src = [re.sub(r"\W+", "", w.lower()) for w in source.split()]
        grams.update(tuple(src[i : i + COPY_WORDS]) for i in range(len(src) - COPY_WORDS + 1))
    copied = [False] * len(words)
    for i in range(len(words) - COPY_WORDS + 1):
        if tuple(norm[i : i + COPY_WORDS]) in grams:
            for k in range(i, i + COPY_WORDS):
                copied[k] = True
    out, run = [], 0
    for word, is_copy in zip(words, copied, strict=True):
        run = run + 1 if is_copy else 0
        if run <= 4:
            out.append(word)
        elif run == 5:
            out.append("…")
    return " ".join(out)


class DraftError(EvalDataError):
    """A reader's draft does not resolve against the data."""


def _sentence_index(article: EventArticle) -> dict[str, tuple[int, int]]:
    return {s.key: (s.start, s.end) for s in view_sentences(article.letter, article.text)}


def _find(article: EventArticle, sentences: dict, key: str, snippet: str, where: str) -> Span:
    """The span of `snippet` starting in sentence `key` (or, failing that, anywhere in the article)."""
    if key not in sentences:
        raise DraftError(f"{where}: no sentence {key} in article {article.letter}")
    start, end = sentences[key]
    pattern = _loose(snippet)
    text = article.text
    match = pattern.search(text, start)
    if match is None or match.start() > end:
        match = pattern.search(text)
        if match is None:
            raise DraftError(f"{where}: {snippet[:60]!r} is not in article {article.letter}")
    return make_span(text, match.start(), match.end())


def build_labels(draft: dict[str, Any], event: Event) -> dict[str, Any]:
    """A reader's draft (sentence keys and copied snippets, see audit/README.md) as a label file (spans)."""
    reader = str(draft.get("reader") or "")
    if not reader:
        raise DraftError("draft has no 'reader'")
    by_letter = {a.letter: a for a in event.articles}
    indexes = {a.letter: _sentence_index(a) for a in event.articles}
    out_articles: dict[str, Any] = {}
    for letter, body in (draft.get("articles") or {}).items():
        if letter not in by_letter:
            raise DraftError(f"draft names article {letter!r}; event {event.id} has {sorted(by_letter)}")
        article, sentences = by_letter[letter], indexes[letter]
        quotes, dates, reuse = [], [], []
        for k, q in enumerate(body.get("quotes") or []):
            span = _find(article, sentences, q["s"], q["text"], f"{letter} quotes[{k}]")
            quotes.append({"span": span.to_json(), "speaker": q.get("speaker"), "side": q.get("side")})
        for k, d in enumerate(body.get("dates") or []):
            where = f"{letter} dates[{k}]"
            if d.get("role") not in DATE_ROLES:
                raise DraftError(f"{where}: role must be one of {DATE_ROLES}, got {d.get('role')!r}")
            if d.get("date") is not None and not _DATE.fullmatch(str(d["date"])):
                raise DraftError(f"{where}: date must be YYYY, YYYY-MM or YYYY-MM-DD, got {d['date']!r}")
            span = _find(article, sentences, d["s"], d["text"], where)
            dates.append({"span": span.to_json(), "date": d.get("date"), "role": d["role"]})
        for k, r in enumerate(body.get("reuse") or []):
            where = f"{letter} reuse[{k}]"
            if r.get("source") not in by_letter or r.get("how") not in REUSE_HOW:
                raise DraftError(f"{where}: needs source (an article letter) and how in {REUSE_HOW}")
            spans = [_sentence_span(article, sentences, key, where) for key in r.get("s") or []]
            reuse.append(
                {"spans": [s.to_json() for s in spans], "source": by_letter[r["source"]].id, "how": r["how"]}
            )
        entities = []
        for k, e in enumerate(body.get("entities") or []):
            if e.get("type") not in ENTITY_TYPES:
                raise DraftError(f"{letter} entities[{k}]: type must be one of {ENTITY_TYPES}")
            if not e.get("name") or not e.get("referent"):
                raise DraftError(f"{letter} entities[{k}]: needs name and referent")
            if e["name"] not in article.text and e["name"] not in (article.title or ""):
                raise DraftError(f"{letter} entities[{k}]: {e['name']!r} is not written in article {letter}")
            entities.append({"name": e["name"], "referent": e["referent"], "type": e["type"]})
        out_articles[article.id] = {"quotes": quotes, "entities": entities, "dates": dates, "reuse": reuse}
    facts = []
    for k, f in enumerate(draft.get("facts") or []):
        where = f"facts[{k}]"
        spans: dict[str, list] = {}
        for key in f.get("s") or []:
            letter = key.split(".")[0]
            if letter not in by_letter:
                raise DraftError(f"{where}: no article {letter!r}")
            span = _sentence_span(by_letter[letter], indexes[letter], key, where)
            spans.setdefault(by_letter[letter].id, []).append(span.to_json())
        if not spans or not f.get("gist"):
            raise DraftError(f"{where}: needs a gist and at least one sentence")
        gist = own_words(f["gist"], [a.text for a in event.articles])
        facts.append({"id": f"F{k + 1}", "gist": gist, "spans": spans})
    return {"event": event.id, "reader": reader, "articles": out_articles, "facts": facts}


def _sentence_span(article: EventArticle, sentences: dict, key: str, where: str) -> Span:
    if key not in sentences:
        raise DraftError(f"{where}: no sentence {key} in article {article.letter}")
    start, end = sentences[key]
    return make_span(article.text, start, end)


def dump_labels(labels: dict[str, Any]) -> str:
    """A label file as JSON with one label a line: each innermost list or object (a span, an entity, a verdict)
    on one line. JSON strings hold no raw newline, so only layout whitespace is folded."""
    text = json.dumps(labels, indent=1, ensure_ascii=False)
    innermost = re.compile(r"[\[{][^\[\]{}]*[\]}]")
    text = innermost.sub(lambda m: re.sub(r"\n\s*", " ", m.group(0)), text)
    return text + "\n"


# ------------------------------------------------------------------ loading


def load_gold(path: str | Path, event: Event) -> EventGold:
    """A label file resolved against the event's current text; labels that no longer resolve are dropped
    and listed in `dropped`."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EvalDataError(f"{path}: cannot read labels ({exc})") from None
    texts = {a.id: a.text for a in event.articles}
    dropped: list[str] = []

    def span(article_id: str, value: list, what: str) -> Span | None:
        resolved = resolve_span(texts[article_id], value)
        if resolved is None:
            dropped.append(f"{what} in {article_id}: anchor {value[2]!r} not found")
        return resolved

    articles: dict[str, GoldArticle] = {}
    for article_id, body in raw.get("articles", {}).items():
        if article_id not in texts:
            dropped.append(f"article {article_id} is not in the data")
            continue
        quotes = []
        for q in body.get("quotes", []):
            s = span(article_id, q["span"], "quote")
            if s:
                quotes.append(GoldQuote(s, q.get("speaker"), q.get("side")))
        dates = []
        for d in body.get("dates", []):
            s = span(article_id, d["span"], "date")
            if s:
                dates.append(GoldDate(s, d.get("date"), d["role"]))
        reuse = []
        for r in body.get("reuse", []):
            spans = tuple(x for x in (span(article_id, v, "reuse") for v in r["spans"]) if x)
            reuse.append(GoldReuse(spans, r["source"], r["how"]))
        entities = tuple(GoldEntity(e["name"], e["referent"], e["type"]) for e in body.get("entities", []))
        articles[article_id] = GoldArticle(tuple(quotes), entities, tuple(dates), tuple(reuse))
    facts = []
    for f in raw.get("facts", []):
        spans: dict[str, tuple[Span, ...]] = {}
        for article_id, values in f["spans"].items():
            if article_id in texts:
                resolved = tuple(x for x in (span(article_id, v, "fact") for v in values) if x)
                if resolved:
                    spans[article_id] = resolved
        if spans:
            facts.append(GoldFact(f["id"], f["gist"], spans))
    return EventGold(
        raw.get("event", event.id), raw.get("reader", ""), articles, tuple(facts), tuple(dropped)
    )


OUTPUT_LABELS = ("correct", "wrong", "unclear")
BRIEF_PROBLEMS = (
    "unattributed_quote",
    "dangling_reference",
    "loaded",
    "repeated",
    "unsupported",
    "wrong_date",
)


def build_output_labels(export: dict[str, Any], draft: dict[str, Any]) -> dict[str, Any]:
    """A reader's verdicts on exported outputs, checked: every key is one of the export's, every label known.
    Only keys, verdicts and the reader's short notes are kept."""
    reader = str(draft.get("reader") or "")
    if not reader:
        raise DraftError("draft has no 'reader'")
    kinds = {item["key"]: item["kind"] for item in export["items"]}
    shown = [json.dumps(item.get("shown", {}), ensure_ascii=False) for item in export["items"]]
    out = {}
    for key, value in (draft.get("labels") or {}).items():
        if key not in kinds:
            raise DraftError(f"key {key!r} is not an output of event {export['event']}")
        if value.get("label") not in OUTPUT_LABELS:
            raise DraftError(f"{key}: label must be one of {OUTPUT_LABELS}, got {value.get('label')!r}")
        problems = list(value.get("problems") or [])
        bad = [p for p in problems if p not in BRIEF_PROBLEMS]
        if bad:
            raise DraftError(f"{key}: unknown problems {bad}; choose from {BRIEF_PROBLEMS}")
        out[key] = {
            "kind": kinds[key],
            "label": value["label"],
            "problems": problems,
            "note": own_words(str(value.get("note") or ""), shown)[:200],
        }
    return {"event": export["event"], "reader": reader, "labels": out}
