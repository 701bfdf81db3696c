"""An editor's corrections: checked, recorded in the store, and applied at once by analysing again the stories
they touch. They are inputs, not an overlay: `Pipeline.material` hands every later analysis the corrections in
force (a later run re-analysing the story applies them again), and undoing one analyses the story again
without it.

Kinds: a quote's speaker named or removed (applied before claims, sides and the brief), an article's date
fixed (its story's span of dates follows, so later joins weigh the corrected date), a pair of sentences
marked as no contradiction (the claims stage does not call it one), a claim group marked as not one claim
(the claims stage groups no two of its sentences again), two stories merged as one event, an article moved
to the story it belongs to, and articles split off a story as another event. Merges, moves and splits go
through the story clusterer, which keeps the stories' state consistent; they stay made in every later run
(a later batch moves only its own articles), and the stories a move or split parted are kept apart. Undoing
one restructures back: a move moves the article back, a split merges the split-off story back into the one
it left, and a merge splits the articles the absorbed story brought back out, under its old id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .errors import CorrectionError
from .records import (
    CORRECTION_KINDS,
    ClaimGroup,
    Contradiction,
    Correction,
    Quote,
    StoryAnalysis,
    corrections_in_force,
    parse_span,
    parse_spans,
    span_key,
    spans_key,
)
from .store import Store

_MAX_NAME_CHARS = 200
_MAX_NOTE_CHARS = 1000


def story_quotes(store: Store, story_id: str) -> list[Quote]:
    """The quotes of a story as its analysis holds them, in order (what `correct speaker STORY N` numbers)."""
    return list(_analysis(store, story_id).quotes)


def story_contradictions(store: Store, story_id: str) -> list[Contradiction]:
    return list(_analysis(store, story_id).contradictions)


def speaker_fix(
    store: Store, story_id: str, number: int, name: str | None, note: str = "", author: str = ""
) -> Correction:
    """The correction naming (or, with `name` None, removing) the speaker of the story's quote `number` (1-based)."""
    quotes = story_quotes(store, story_id)
    if not 1 <= number <= len(quotes):
        raise CorrectionError(f"story {story_id} has {len(quotes)} quotes; there is no quote {number}")
    q = quotes[number - 1]
    name = " ".join((name or "").split())[:_MAX_NAME_CHARS] or None
    target = span_key((q.article_id, q.start, q.end))
    return Correction("speaker", target, name, q.article_id, story_id, note[:_MAX_NOTE_CHARS], author)


def contradiction_fix(
    store: Store, story_id: str, number: int, note: str = "", author: str = ""
) -> Correction:
    """The correction saying the story's contradiction `number` (1-based) is none."""
    found = story_contradictions(store, story_id)
    if not 1 <= number <= len(found):
        raise CorrectionError(
            f"story {story_id} has {len(found)} contradictions; there is no contradiction {number}"
        )
    evidence = found[number - 1].evidence
    target = spans_key((e.article_id, e.start, e.end) for e in evidence)
    return Correction(
        "contradiction", target, None, evidence[0].article_id, story_id, note[:_MAX_NOTE_CHARS], author
    )


def story_claims(store: Store, story_id: str) -> list[ClaimGroup]:
    """The story's claim groups of more than one sentence, in the analysis's order (what
    `correct claim STORY N` numbers): the groups an editor can say are not one claim."""
    return [c for c in _analysis(store, story_id).claims if len(c.evidence) > 1]


def claim_fix(store: Store, story_id: str, which: int | str, note: str = "", author: str = "") -> Correction:
    """The correction saying a claim group's sentences do not state one claim: `which` is its number in
    `story_claims` (1-based) or its id. The claims stage groups no two of them again."""
    found = story_claims(store, story_id)
    if isinstance(which, int):
        if not 1 <= which <= len(found):
            raise CorrectionError(
                f"story {story_id} has {len(found)} claims of more than one sentence; there is no claim {which}"
            )
        group = found[which - 1]
    else:
        group = next((c for c in found if c.id == which), None)
        if group is None:
            raise CorrectionError(f"story {story_id} has no claim {which!r} of more than one sentence")
    evidence = group.evidence
    target = spans_key((e.article_id, e.start, e.end) for e in evidence)
    return Correction("claim", target, None, evidence[0].article_id, story_id, note[:_MAX_NOTE_CHARS], author)


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


def merge_fix(store: Store, story_a: str, story_b: str, note: str = "", author: str = "") -> Correction:
    """The correction saying two stories are one event."""
    a, b = _live(store, story_a), _live(store, story_b)
    if a == b:
        raise CorrectionError(f"{story_a} and {story_b} are already one story ({a})")
    first = store.memberships(a)
    if not first:
        raise CorrectionError(f"story {a} has no articles")
    return Correction("merge", f"{a}|{b}", None, first[0].article_id, a, note[:_MAX_NOTE_CHARS], author)


def move_fix(store: Store, article_id: str, story_id: str, note: str = "", author: str = "") -> Correction:
    """The correction saying an article belongs to another story."""
    if store.resolve_article(article_id) != article_id:
        raise CorrectionError(f"no article {article_id!r} in the store")
    here = store.story_of(article_id)
    here = store.resolve_story(here) if here else None
    if here is None:
        raise CorrectionError(f"article {article_id} is in no story yet")
    there = _live(store, story_id)
    if there == here:
        raise CorrectionError(f"article {article_id} is already in story {there}")
    return Correction("move", article_id, there, article_id, here, note[:_MAX_NOTE_CHARS], author)


def split_fix(
    store: Store, story_id: str, article_ids: Sequence[str], note: str = "", author: str = ""
) -> Correction:
    """The correction saying these articles of a story report another event: they leave it, as one story."""
    story = _live(store, story_id)
    members = [m.article_id for m in store.memberships(story)]
    leaving = list(dict.fromkeys(a.strip() for a in article_ids if a.strip()))
    if not leaving:
        raise CorrectionError(f"name the articles of story {story} to split off")
    strangers = [a for a in leaving if a not in members]
    if strangers:
        raise CorrectionError(f"article {strangers[0]!r} is not in story {story}")
    if len(leaving) >= len(members):
        raise CorrectionError(
            f"that is every article of story {story}; name the articles that report another event"
        )
    return Correction("split", ",".join(leaving), None, leaving[0], story, note[:_MAX_NOTE_CHARS], author)


def apply(
    store: Store, correction: Correction, pipeline_settings: Any = None
) -> tuple[Correction, list[str]]:
    """Check a correction against the store, record it, and analyse again the stories it touches, in one
    run holding the store (`Store.writer`). Returns the stored correction and those stories."""
    _check(store, correction)
    with store.writer():
        if correction.kind in _RESTRUCTURING:
            correction, stories = _restructure(store, correction, pipeline_settings)
            stored = store.add_correction(correction)
            return stored, _analyse(store, stories, pipeline_settings)
        stored = store.add_correction(correction)
        if correction.kind == "date":
            _redate(store, correction.article_id, pipeline_settings)
        return stored, _reanalyse(store, _articles_of(correction), pipeline_settings)


_RESTRUCTURING = ("merge", "move", "split")  # corrections the story clusterer makes
_DONE = {"merge": "merged", "move": "moved", "split": "split off"}


def _why(c: Correction) -> str:
    who = f" ({c.author})" if c.author else ""
    return f"{_DONE[c.kind]} by an editor{who}" + (f": {c.note}" if c.note else "")


def _restructure(store: Store, c: Correction, pipeline_settings: Any) -> tuple[Correction, list[str]]:
    """Merge two stories or move an article through the story clusterer, which keeps every story's state
    consistent; the correction comes back with what it did (the survivor of a merge)."""
    from dataclasses import replace

    from .pipeline import Pipeline

    clusterer = Pipeline(store, settings=pipeline_settings).clusterer
    try:
        if c.kind == "merge":
            a, b = (_live(store, s) for s in c.target.split("|")[:2])
            absorbed, survivor, brought = clusterer.merge_by_editor(a, b, _why(c))
            store.drop_analysis(absorbed)
            return replace(c, target=f"{a}|{b}|{','.join(brought)}", value=survivor), [survivor]
        if c.kind == "split":
            here = _live(store, c.story_id or "")
            made = clusterer.split_by_editor(c.target.split(","), here, _why(c), c.value)
            return replace(c, value=made), [here, made]
        here = _live(store, c.story_id or "")
        there = _live(store, c.value or "")
        clusterer.move_by_editor(c.target, here, there, _why(c))
    except ValueError as exc:
        raise CorrectionError(str(exc)) from None
    if store.resolve_story(here) != here:
        store.drop_analysis(here)  # it lost its only article and lives on in the target
    return c, [s for s in dict.fromkeys([here, there]) if store.resolve_story(s) == s]


def _live(store: Store, story_id: str) -> str:
    live = store.resolve_story(story_id) if story_id else None
    if live is None:
        raise CorrectionError(f"no story {story_id!r} in the store; `newsprism stories` lists them")
    return live


def undo(store: Store, number: int, pipeline_settings: Any = None) -> tuple[Correction, list[str]]:
    """Undo correction `number` and analyse again the stories it touched."""
    with store.writer():
        found = store.correction(number)
        if found is None:
            raise CorrectionError(f"there is no correction {number}; `newsprism corrections` lists them")
        if found.undone_at:
            return found, []
        if found.kind == "merge":
            return _unmerge(store, found, pipeline_settings)
        if found.kind == "split":
            return _unsplit(store, found, pipeline_settings)
        if found.kind == "move":
            return _move_back(store, found, pipeline_settings)
        undone = store.undo_correction(number)
        if found.kind == "date":
            _redate(store, found.article_id, pipeline_settings)
        return undone, _reanalyse(store, _articles_of(found), pipeline_settings)  # type: ignore[return-value]


def _move_back(store: Store, found: Correction, pipeline_settings: Any) -> tuple[Correction, list[str]]:
    back = store.resolve_story(found.story_id or "")
    here = store.story_of(found.target)
    here = store.resolve_story(here) if here else None
    if back is None or here is None or back == here:
        raise CorrectionError(
            f"correction {found.id}: the story {found.story_id} it moved the article from is no longer apart"
        )
    undoing = Correction("move", found.target, back, found.target, here, f"undoing correction {found.id}")
    _, stories = _restructure(store, undoing, pipeline_settings)
    undone = store.undo_correction(found.id)  # type: ignore[arg-type]
    return undone, _analyse(store, stories, pipeline_settings)  # type: ignore[return-value]


def _unmerge(store: Store, found: Correction, pipeline_settings: Any) -> tuple[Correction, list[str]]:
    """Undo a merge: the articles the absorbed story brought that are still in the merged one leave it again,
    as a story under the absorbed one's id."""
    parts = found.target.split("|")
    if len(parts) < 3 or not found.value:
        raise CorrectionError(
            f"correction {found.id} was made before newsprism recorded which articles a merge brought, so it"
            " cannot be undone; split them off with `newsprism correct split STORY ARTICLE...`"
        )
    a, b, brought = parts[0], parts[1], [x for x in parts[2].split(",") if x]
    absorbed = b if found.value == a else a
    merged = store.resolve_story(found.value)
    still = {m.article_id for m in store.memberships(merged)} if merged else set()
    leaving = [article_id for article_id in brought if article_id in still]
    if merged is None or not leaving:
        raise CorrectionError(
            f"correction {found.id}: none of the articles it merged into {found.value} are still there"
        )
    undoing = Correction(
        "split", ",".join(leaving), absorbed, leaving[0], merged, f"undoing correction {found.id}"
    )
    _, stories = _restructure(store, undoing, pipeline_settings)
    undone = store.undo_correction(found.id)  # type: ignore[arg-type]
    return undone, _analyse(store, stories, pipeline_settings)  # type: ignore[return-value]


def _unsplit(store: Store, found: Correction, pipeline_settings: Any) -> tuple[Correction, list[str]]:
    """Undo a split: the story it made goes back into the one it left (with any article that joined it
    since), under the left one's id."""
    left = store.resolve_story(found.story_id or "")
    made = store.resolve_story(found.value or "")
    if left is None or made is None or left == made:
        raise CorrectionError(
            f"correction {found.id}: the story {found.value} it split off is no longer apart from {found.story_id}"
        )
    from .pipeline import Pipeline

    clusterer = Pipeline(store, settings=pipeline_settings).clusterer
    try:
        absorbed, survivor, _ = clusterer.merge_by_editor(
            left, made, f"merged back by an editor: undoing correction {found.id}", keep=left
        )
    except ValueError as exc:
        raise CorrectionError(str(exc)) from None
    store.drop_analysis(absorbed)
    undone = store.undo_correction(found.id)  # type: ignore[arg-type]
    return undone, _analyse(store, [survivor], pipeline_settings)  # type: ignore[return-value]


def _redate(store: Store, article_id: str, pipeline_settings: Any) -> None:
    """The article's story takes its span of dates afresh, with the date fixes in force."""
    from .pipeline import Pipeline

    story = store.story_of(article_id)
    story = store.resolve_story(story) if story else None
    if story is None:
        return
    published = corrections_in_force(store.corrections()).published
    Pipeline(store, settings=pipeline_settings).clusterer.redate_by_editor(story, published)


def _analysis(store: Store, story_id: str) -> StoryAnalysis:
    live = store.resolve_story(story_id)
    analysis = store.get_analysis(live) if live else None
    if analysis is None:
        raise CorrectionError(f"no story {story_id!r} in the store; `newsprism stories` lists them")
    return analysis


def _articles_of(correction: Correction) -> list[str]:
    if correction.kind in ("date", "move", "merge"):
        return [correction.article_id]
    if correction.kind == "split":
        return correction.target.split(",")
    return list(dict.fromkeys(article_id for article_id, _, _ in parse_spans(correction.target)))


def _check(store: Store, c: Correction) -> None:
    if c.kind not in CORRECTION_KINDS:
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
    if c.kind == "claim" and len(c.target.split("|")) < 2:
        raise CorrectionError(f"{c.target!r}: a claim group is two spans or more, joined by |")


def _reanalyse(store: Store, article_ids: Sequence[str], pipeline_settings: Any) -> list[str]:
    stories = list(
        dict.fromkeys(
            s for aid in article_ids if (s := store.story_of(aid)) and (s := store.resolve_story(s))
        )
    )
    return _analyse(store, stories, pipeline_settings)


def _analyse(store: Store, stories: list[str], pipeline_settings: Any) -> list[str]:
    from .pipeline import Pipeline

    analysed, failed = Pipeline(store, settings=pipeline_settings).analyse_again(stories)
    if failed:
        raise CorrectionError("; ".join(f"{f.input}: {f.reason}" for f in failed))
    return analysed
