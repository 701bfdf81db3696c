"""The story's timeline: dated events from the extracted date mentions, publication dates as a fallback."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import replace

import numpy as np

from .. import settings
from ..claims import display_text, is_trivia
from ..records import Evidence, Sentence, StoryMaterial, TimelineEvent

_ISO = re.compile(r"^\d{4}(-\d{2}){0,2}")


def build_timeline(material: StoryMaterial) -> tuple[TimelineEvent, ...]:
    """One event per (date, distinct statement), ordered by date; each with the sentences that date it. A date
    after its article's publication day is a plan ("his last day would be Feb. 28"): it is marked scheduled,
    apart from the dates things happened."""
    dated: list[tuple[str, str, Sentence, np.ndarray | None]] = []
    planned: set[tuple[str, str, int]] = set()  # (date, article, sentence start) of dates after publication
    for article in material.articles:
        sentences = material.sentences.get(article.id, ())
        vectors = material.vectors.get(article.id)
        by_start = {s.start: i for i, s in enumerate(sentences)}
        seen: set[tuple[str, int]] = set()
        extraction = material.extractions.get(article.id)
        published = _day(article.published) if article.published and _ISO.match(article.published) else None
        for mention in extraction.dates if extraction else ():
            match = _ISO.match(mention.resolved or "")
            idx = by_start.get(mention.sentence_start)
            if not match or idx is None or (match.group(), idx) in seen:
                continue
            date = match.group()
            seen.add((date, idx))
            dated.append((date, article.id, sentences[idx], _row(vectors, idx)))
            if published is not None and _first_day(date) > published:
                planned.add((date, article.id, sentences[idx].start))
        if not seen and published is not None:
            # No dated statement: the article's lead sentence stands for what it reported that day.
            lead = next((i for i, s in enumerate(sentences) if not is_trivia(s)), None)
            if lead is not None:
                dated.append((article.published[:10], article.id, sentences[lead], _row(vectors, lead)))
    first = min(
        (a.published[:10] for a in material.articles if a.published and _ISO.match(a.published)), default=None
    )
    events = _mark_background(_cluster(_embedded(dated)), first)
    return tuple(
        replace(e, scheduled=True)
        if all((e.date, ev.article_id, ev.start) in planned for ev in e.evidence)
        else e
        for e in events
    )


def _day(published: str) -> dt.date:
    """The last day a publication date given to the day, month or year can be (callers check it is ISO): a date
    counts as still ahead only after it."""
    match = _ISO.match(published)
    return _last_day(match.group() if match else published[:4])


def _first_day(value: str) -> dt.date:
    """The first day an ISO date, month or year covers."""
    parts = [int(p) for p in value.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _mark_background(events: list[TimelineEvent], first_report: str | None) -> list[TimelineEvent]:
    """Flag events that ended more than settings timeline_background_days before the story's first report."""
    if first_report is None:
        return events
    days = settings.current().timeline_background_days
    cutoff = _first_day(_ISO.match(first_report).group()) - dt.timedelta(days=days)  # "2024-04" is a date too
    return [replace(e, background=True) if _last_day(e.date) < cutoff else e for e in events]


def _last_day(value: str) -> dt.date:
    """The last day an ISO date, month or year covers."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        year, month = parts
        return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(parts[0], 12, 31)


def _row(vectors, idx: int) -> np.ndarray | None:
    return None if vectors is None or idx >= len(vectors) else np.asarray(vectors[idx])


def _embedded(
    dated: list[tuple[str, str, Sentence, np.ndarray | None]],
) -> list[tuple[str, str, Sentence, np.ndarray | None]]:
    """`dated` with a vector for each sentence that has a row of zeros (a story of one article embeds only
    its lead and a sample of its body: StoryMaterial) and shares its date with another: one day's statements
    are merged by meaning, and a date stated once has nothing to merge with."""
    per_date = Counter(date for date, *_ in dated)
    missing = [
        k
        for k, (date, *_, vector) in enumerate(dated)
        if vector is not None and not vector.any() and per_date[date] > 1
    ]
    if not missing:
        return dated
    from ..models import embed

    out = list(dated)
    for k, vector in zip(missing, embed([dated[k][2].text for k in missing]), strict=True):
        out[k] = (*dated[k][:3], vector)
    return out


def _cluster(dated: list[tuple[str, str, Sentence, np.ndarray | None]]) -> list[TimelineEvent]:
    threshold = settings.current().claim_align_similarity
    clusters: dict[str, list[list[tuple[str, Sentence, np.ndarray | None]]]] = {}
    for date, aid, sentence, vector in dated:
        bucket = clusters.setdefault(date, [])
        for cluster in bucket:
            rep = cluster[0][2]
            if rep is not None and vector is not None and float(np.dot(rep, vector)) >= threshold:
                cluster.append((aid, sentence, vector))
                break
        else:
            bucket.append([(aid, sentence, vector)])
    events = []
    for date in sorted(clusters):
        # Better-attested events first within a day.
        for cluster in sorted(clusters[date], key=lambda c: -len({aid for aid, _, _ in c})):
            events.append(
                TimelineEvent(
                    date=date,
                    text=display_text(cluster[0][1].text),
                    evidence=tuple(Evidence(aid, s.start, s.end, s.text) for aid, s, _ in cluster),
                )
            )
    return events
