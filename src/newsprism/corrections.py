"""An editor's corrections: checked, recorded in the store, and applied at once by analysing again the stories
they touch. They are inputs, not an overlay: `Pipeline.material` hands every later analysis the corrections in
force (a later run re-analysing the story applies them again), and undoing one analyses the story again
without it.

Kinds: a quote's speaker named or removed (applied before claims, sides and the brief), an article's date
fixed, and a pair of sentences marked as no contradiction (the claims stage does not call it one).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .errors import CorrectionError
from .records import Correction, parse_span, span_key
from .store import Store

_MAX_NAME_CHARS = 200
_MAX_NOTE_CHARS = 1000


def story_quotes(store: Store, story_id: str) -> list[dict[str, Any]]:
    """The quotes of a story as its analysis holds them, in order (what `correct speaker STORY N` numbers)."""
    return list(_analysis(store, story_id)["quotes"])


def story_contradictions(store: Store, story_id: str) -> list[dict[str, Any]]:
    return list(_analysis(store, story_id)["contradictions"])


def speaker_fix(
    store: Store, story_id: str, number: int, name: str | None, note: str = "", author: str = ""
) -> Correction:
    """The correction naming (or, with `name` None, removing) the speaker of the story's quote `number` (1-based)."""
    quotes = story_quotes(store, story_id)
    if not 1 <= number <= len(quotes):
        raise CorrectionError(f"story {story_id} has {len(quotes)} quotes; there is no quote {number}")
    q = quotes[number - 1]
    name = " ".join((name or "").split())[:_MAX_NAME_CHARS] or None
    target = span_key((q["article_id"], q["start"], q["end"]))
    return Correction("speaker", target, name, q["article_id"], story_id, note[:_MAX_NOTE_CHARS], author)


def contradiction_fix(
    store: Store, story_id: str, number: int, note: str = "", author: str = ""
) -> Correction:
    """The correction saying the story's contradiction `number` (1-based) is none."""
    found = story_contradictions(store, story_id)
    if not 1 <= number <= len(found):
        raise CorrectionError(
            f"story {story_id} has {len(found)} contradictions; there is no contradiction {number}"
        )
    evidence = found[number - 1]["evidence"]
    target = "|".join(span_key((e["article_id"], e["start"], e["end"])) for e in evidence)
    return Correction(
        "contradiction", target, None, evidence[0]["article_id"], story_id, note[:_MAX_NOTE_CHARS], author
    )


def date_fix(store: Store, article_id: str, value: str, note: str = "", author: str = "") -> Correction:
    """The correction giving an article the publication date `value` (an ISO date or date and time)."""
    value = value.strip()
    try:
        (date.fromisoformat if len(value) == 10 else datetime.fromisoformat)(value)
    except ValueError:
        raise CorrectionError(f"{value!r} is not an ISO date (2024-05-16) or date and time") from None
    return Correction(
        "date", article_id, value, article_id, store.story_of(article_id), note[:_MAX_NOTE_CHARS], author
    )


def apply(
    store: Store, correction: Correction, pipeline_settings: Any = None
) -> tuple[Correction, list[str]]:
    """Check a correction against the store, record it, and analyse again the stories it touches, in one
    run holding the store (`Store.writer`). Returns the stored correction and those stories."""
    _check(store, correction)
    with store.writer():
        stored = store.add_correction(correction)
        return stored, _reanalyse(store, _articles_of(correction), pipeline_settings)


def undo(store: Store, number: int, pipeline_settings: Any = None) -> tuple[Correction, list[str]]:
    """Undo correction `number` and analyse again the stories it touched."""
    with store.writer():
        found = store.correction(number)
        if found is None:
            raise CorrectionError(f"there is no correction {number}; `newsprism corrections` lists them")
        if found.undone_at:
            return found, []
        undone = store.undo_correction(number)
        return undone, _reanalyse(store, _articles_of(found), pipeline_settings)  # type: ignore[return-value]


def _analysis(store: Store, story_id: str) -> dict[str, Any]:
    live = store.resolve_story(story_id)
    analysis = store.get_analysis(live) if live else None
    if analysis is None:
        raise CorrectionError(f"no story {story_id!r} in the store; `newsprism stories` lists them")
    return analysis


def _articles_of(correction: Correction) -> list[str]:
    if correction.kind == "date":
        return [correction.target]
    return list(dict.fromkeys(parse_span(part)[0] for part in correction.target.split("|")))


def _check(store: Store, c: Correction) -> None:
    if c.kind not in ("speaker", "date", "contradiction"):
        raise CorrectionError(f"unknown correction kind {c.kind!r}")
    try:
        articles = _articles_of(c)
    except ValueError as exc:
        raise CorrectionError(str(exc)) from None
    for article_id in articles:
        if store.resolve_article(article_id) != article_id:
            raise CorrectionError(f"no article {article_id!r} in the store")
    if c.kind == "speaker":
        span = parse_span(c.target)
        extraction = store.get_extraction(span[0])
        if extraction is None or not any((q.article_id, q.start, q.end) == span for q in extraction.quotes):
            raise CorrectionError(f"no quote at {c.target} in the store")
    if c.kind == "contradiction" and len(c.target.split("|")) != 2:
        raise CorrectionError(
            f"{c.target!r}: a contradiction is two spans, ARTICLE:START-END|ARTICLE:START-END"
        )


def _reanalyse(store: Store, article_ids: Sequence[str], pipeline_settings: Any) -> list[str]:
    from .pipeline import Pipeline

    stories = list(
        dict.fromkeys(
            s for aid in article_ids if (s := store.story_of(aid)) and (s := store.resolve_story(s))
        )
    )
    with store.transaction():
        store.forget_done("analysis", stories)
    analysed, failed = Pipeline(store, settings=pipeline_settings).analyse_stories(stories)
    if failed:
        raise CorrectionError("; ".join(f"{f.input}: {f.reason}" for f in failed))
    return analysed
