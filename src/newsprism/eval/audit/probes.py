"""Seeded probes: an event's articles changed so that the report must say something, made at run time from the
data (never committed). Each probe is one change to one article, run through the pipeline with the event's
other articles, and found when the report shows it:

- number: a figure that another outlet's sentence also gives is changed -> a contradiction on that sentence;
- negation: a statement another outlet also makes is negated -> a contradiction on that sentence;
- quote: a quotation another outlet also carries is given to another named person -> a contradiction;
- omission: a multi-outlet fact's sentences (gold, else a sentence matched across outlets) are removed from one
  article -> that article "leaves out" the fact;
- reuse: three sentences of one outlet are inserted into another's article -> the reuse is reported.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace

from .events import Event, EventArticle, view_sentences
from .labels import EventGold

PROBE_KINDS = ("number", "negation", "quote", "omission", "reuse")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_STOP = frozenset(
    "the a an and or but of to in on for with at by from as that this these those is was are were be been has have "
    "had will would can could should it its he she they them his her their we our you i not no said says say told "
    "who which what when where than then there also about after before over into more most some such".split()
)
_AUX = re.compile(
    r"\b(is|was|are|were|has|have|had|will|would|can|could|should|did|does|do)\b"
    r"(?! (?:not|also|only|already|still|just|since|to|a|an|the|long|yet)\b)(?!n[’']t)(?= [a-z])"
)
_NEGATION = re.compile(r"\b(not|no|never|n[’']t|none|nothing)\b", re.I)
_NUMBER = re.compile(r"(?<![\w.,$-])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w,.]\d)")
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_MONTH_BEFORE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+$")
_LABEL_BEFORE = re.compile(r"(?:\b[A-Z][A-Za-z]*\.?|#)\s*$")  # a capitalised word or "#" just before: a name
_CUE = r"(?:said|says|told|added|wrote|tweeted|declared|argued)"
_NAME = r"(?:(?:Mr\.|Ms\.|Mrs\.|Sen\.|Rep\.|Gov\.|Dr\.|President|Senator)\s)?([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)"
_SPEAKER = re.compile(rf"{_CUE}\s{_NAME}|{_NAME}\s{_CUE}")


@dataclass(frozen=True)
class Probe:
    kind: str
    event: Event  # the event with the changed article
    article: str  # data id of the changed article
    target: tuple[int, int]  # where the change is, as offsets into the changed article's text
    other: str | None = None  # the article the change concerns (the source of reuse, the fact's other outlet)
    other_span: tuple[int, int] | None = None
    note: str = ""


def _content(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP}


def _matched_pairs(event: Event) -> list[tuple[EventArticle, tuple[int, int], EventArticle, tuple[int, int]]]:
    """Sentence pairs of different outlets that share most of their content words (the same statement)."""
    sentences = {a.id: [(s.start, s.end) for s in view_sentences(a.letter, a.text)] for a in event.articles}
    pairs = []
    for x in event.articles:
        for y in event.articles:
            if x.id == y.id or x.outlet == y.outlet:
                continue
            for xs in sentences[x.id]:
                cx = _content(x.text[xs[0] : xs[1]])
                if len(cx) < 5:
                    continue
                for ys in sentences[y.id]:
                    cy = _content(y.text[ys[0] : ys[1]])
                    shared = cx & cy
                    if len(shared) >= 5 and len(shared) >= 0.5 * min(len(cx), len(cy)):
                        pairs.append((x, xs, y, ys))
    return pairs


def _with_text(event: Event, article: EventArticle, text: str) -> Event:
    changed = replace(article, text=text)
    return Event(event.id, tuple(changed if a.id == article.id else a for a in event.articles))


def _fact_pairs(event: Event, gold: EventGold | None):
    """Sentence pairs of different outlets that a reader labelled as stating one fact."""
    if gold is None:
        return []
    pairs = []
    for fact in gold.facts:
        for x_id, x_spans in fact.spans.items():
            for y_id, y_spans in fact.spans.items():
                x, y = event.article(x_id), event.article(y_id)
                if x.outlet == y.outlet:
                    continue
                pairs.extend((x, (a.start, a.end), y, (b.start, b.end)) for a in x_spans for b in y_spans)
    return pairs


def make_probes(event: Event, gold: EventGold | None, seed: int) -> list[Probe]:
    rng = random.Random(f"{seed}:{event.id}")
    labelled, matched = _fact_pairs(event, gold), _matched_pairs(event)
    rng.shuffle(labelled)
    rng.shuffle(matched)
    pairs = labelled + matched
    probes = []
    for maker in (_number, _negation, _quote, _omission, _reuse):
        probe = maker(event, gold, pairs, rng)
        if probe is not None:
            probes.append(probe)
    return probes


def _number(event, gold, pairs, rng) -> Probe | None:
    for x, xs, y, ys in pairs:
        sentence, other = x.text[xs[0] : xs[1]], y.text[ys[0] : ys[1]]
        others = {o.group(1).replace(",", "") for o in _NUMBER.finditer(other)}
        for m in _NUMBER.finditer(sentence):
            digits = m.group(1).replace(",", "")
            before = sentence[: m.start(1)]
            day = _MONTH_BEFORE.search(before)
            if _YEAR.match(digits) or digits not in others or (not day and _LABEL_BEFORE.search(before)):
                continue  # a year, a figure the other sentence does not give, or a name ("Person 2", "No. 1")
            value = int(digits)
            if day:  # a day of the month stays a day: "March 3" -> "March 5"
                if value > 31:
                    continue
                new = value + 2 if value + 2 <= 28 else value - 2
            else:
                new = value + max(2, round(value * 0.4))
            written = f"{new:,}" if "," in m.group(1) else str(new)
            start = xs[0] + m.start(1)
            text = x.text[:start] + written + x.text[start + len(m.group(1)) :]
            end = xs[1] + len(written) - len(m.group(1))
            return Probe(
                "number",
                _with_text(event, x, text),
                x.id,
                (xs[0], end),
                y.id,
                ys,
                f"{m.group(1)} -> {written}",
            )
    return None


def _negation(event, gold, pairs, rng) -> Probe | None:
    for x, xs, y, ys in pairs:
        sentence = x.text[xs[0] : xs[1]]
        if (
            _NEGATION.search(sentence)
            or _NEGATION.search(y.text[ys[0] : ys[1]])
            or "“" in sentence
            or '"' in sentence
        ):
            continue
        m = _AUX.search(sentence, 1)
        if m is None:
            continue
        at = xs[0] + m.end()
        text = x.text[:at] + " not" + x.text[at:]
        return Probe(
            "negation",
            _with_text(event, x, text),
            x.id,
            (xs[0], xs[1] + 4),
            y.id,
            ys,
            f"'{m.group()}' -> '{m.group()} not'",
        )
    return None


def _quote(event, gold, pairs, rng) -> Probe | None:
    if gold is not None:  # people the readers found quoted
        speakers = {
            q.speaker
            for g in gold.articles.values()
            for q in g.quotes
            if q.speaker and re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", q.speaker)
        }
    else:
        speakers = {m.group(1) or m.group(2) for a in event.articles for m in _SPEAKER.finditer(a.text)}
    for x, xs, y, ys in pairs:
        sentence = x.text[xs[0] : xs[1]]
        quoted = re.search(r"[“\"]([^”\"]{20,})[”\"]", sentence)
        if not quoted or len(quoted.group(1).split()) < 5:
            continue
        words = " ".join(quoted.group(1).split()[:5])
        if words not in y.text:
            continue
        m = _SPEAKER.search(sentence)
        if m is None:
            continue
        name = m.group(1) or m.group(2)
        others = sorted(s for s in speakers if s.split()[-1] != name.split()[-1] and len(s.split()) == 2)
        if not others:
            continue
        new = rng.choice(others)
        start = xs[0] + (m.start(1) if m.group(1) else m.start(2))
        text = x.text[:start] + new + x.text[start + len(name) :]
        return Probe(
            "quote",
            _with_text(event, x, text),
            x.id,
            (xs[0], xs[1] + len(new) - len(name)),
            y.id,
            ys,
            f"{name} -> {new}",
        )
    return None


def _omission(event, gold, pairs, rng) -> Probe | None:
    candidates = []
    if gold is not None:
        # a fact the other outlets still corroborate once it is gone from one article: stated by three
        outlets = {a.id: a.outlet for a in event.articles}
        for fact in gold.facts:
            if len({outlets.get(a) for a in fact.spans}) >= 3:
                for article_id in fact.spans:
                    others = [a for a in fact.spans if outlets.get(a) != outlets.get(article_id)]
                    candidates.append(
                        (article_id, fact.spans[article_id], others[0], fact.spans[others[0]][0])
                    )
    if not candidates:
        for x, xs, y, ys in pairs:
            candidates.append(
                (
                    x.id,
                    (type("S", (), {"start": xs[0], "end": xs[1]})(),),
                    y.id,
                    type("S", (), {"start": ys[0], "end": ys[1]})(),
                )
            )
    if not candidates:
        return None
    article_id, spans, other, other_span = rng.choice(candidates)
    article = event.article(article_id)
    text = article.text
    for s in sorted(spans, key=lambda s: -s.start):
        text = text[: s.start] + text[s.end :]
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return Probe(
        "omission",
        _with_text(event, article, text),
        article_id,
        (0, 0),
        other,
        (other_span.start, other_span.end),
        f"{len(spans)} sentence(s) removed",
    )


def _reuse(event, gold, pairs, rng) -> Probe | None:
    outlets = sorted({a.outlet or a.id for a in event.articles})
    if len(outlets) < 2:
        return None
    x = rng.choice(event.articles)
    sources = [a for a in event.articles if (a.outlet or a.id) != (x.outlet or x.id)]
    y = rng.choice(sources)
    ysent = view_sentences(y.letter, y.text)
    if len(ysent) < 6:
        return None
    k = rng.randrange(1, len(ysent) - 3)
    block = " ".join(y.text[s.start : s.end] for s in ysent[k : k + 3])
    breaks = [m.start() for m in re.finditer(r"\n\n", x.text)]
    if not breaks:
        return None
    at = breaks[len(breaks) // 2]
    text = x.text[:at] + "\n\n" + block + x.text[at:]
    return Probe(
        "reuse",
        _with_text(event, x, text),
        x.id,
        (at + 2, at + 2 + len(block)),
        y.id,
        (ysent[k].start, ysent[k + 2].end),
        "3 sentences inserted",
    )
