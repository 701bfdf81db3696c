"""What a run changed, in words: the entries of the run log (`newsprism changes`, the changes page, feeds).

Pure functions over what the pipeline already has at hand (the story stage's assignments and merges, a
story's analysis before and after); the pipeline writes what they return (`Store.add_changes`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from .records import Change, ClaimGroup, StoryAssignment

_MAX_TEXT = 2000  # characters of one entry: an evidence line can run long


def _quoted(title: str | None, fallback: str) -> str:
    title = " ".join((title or "").split())
    return f"“{title}”" if title else fallback


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def filing_changes(
    assignments: Sequence[StoryAssignment],
    existed: set[str],
    live: Callable[[str], str | None],
    story_title: Callable[[str], str | None],
    article_title: Mapping[str, str | None],
    label: Mapping[str, str],
) -> list[Change]:
    """A story_new entry per story this run founded (its articles and outlets), and an article_joined entry,
    with why, per article filed in a story that existed before the run. `assignments` are the final ones
    (after batch-end moves); `existed`: live story ids before the run; `live` follows merges."""
    founded: dict[str, list[str]] = {}
    joined: list[Change] = []
    for a in assignments:
        story = live(a.story_id)
        if story is None:
            continue
        if story not in existed:
            founded.setdefault(story, []).append(a.article_id)
            continue
        title = article_title.get(a.article_id)
        name = label.get(a.article_id, a.article_id)
        # a source without an outlet or a link is labelled by its title: say it once
        source = "" if title and title.startswith(name.rstrip("…")) else f" ({name})"
        joined.append(
            Change(
                "article_joined",
                story,
                _clip(f"{_quoted(title, a.article_id)}{source} joined {_quoted(story_title(story), story)}"),
                _clip(a.evidence),
                subject=a.article_id,
            )
        )
    new = []
    for story, ids in founded.items():
        outlets = ", ".join(dict.fromkeys(label.get(i, i) for i in ids))
        n = len(ids)
        new.append(
            Change(
                "story_new",
                story,
                _clip(
                    f"new story {_quoted(story_title(story), story)}: {n} article{'s' * (n != 1)} ({outlets})"
                ),
            )
        )
    return new + joined


def merge_changes(
    moves: Iterable[tuple[str, str, str]],
    existed: set[str],
    live: Callable[[str], str | None],
    story_title: Callable[[str], str | None],
) -> list[Change]:
    """A story_merged entry, with why, per story that existed before the run and was folded into another.
    `moves`: (absorbed, survivor, why) as the story stage made them; a story both founded and merged away in
    this run is no change a reader saw."""
    out = []
    for absorbed, survivor, why in moves:
        if absorbed not in existed:
            continue
        story = live(survivor) or survivor
        out.append(
            Change(
                "story_merged",
                story,
                _clip(
                    f"story {_quoted(story_title(absorbed), absorbed)} ({absorbed}) merged into"
                    f" {_quoted(story_title(story), story)}"
                ),
                _clip(why),
                subject=absorbed,
            )
        )
    return out


def _spans(claim: ClaimGroup) -> set[tuple[str, int, int]]:
    return {(e.article_id, e.start, e.end) for e in claim.evidence}


def claim_changes(
    story_id: str, before: Sequence[ClaimGroup] | None, after: Sequence[ClaimGroup]
) -> list[Change]:
    """A claim_status entry per claim group whose status moved (single source to corroborated, corroborated
    to contested, ...), with the new reason. A group's id hashes its members, so it changes when an article
    joins; a group after is matched to the group before that shares most of its evidence sentences."""
    if before is None:
        return []
    by_span: dict[tuple[str, int, int], list[ClaimGroup]] = {}
    for claim in before:
        for span in _spans(claim):
            by_span.setdefault(span, []).append(claim)
    out = []
    for claim in after:
        shared: dict[str, int] = {}
        earlier: dict[str, ClaimGroup] = {}
        for span in _spans(claim):
            for old in by_span.get(span, ()):
                shared[old.id] = shared.get(old.id, 0) + 1
                earlier[old.id] = old
        if not shared:
            continue  # a new claim group, not a status that moved
        old = earlier[max(shared, key=lambda i: (shared[i], i))]
        if old.status == claim.status:
            continue
        was, now = old.status, claim.status
        out.append(
            Change(
                "claim_status",
                story_id,
                _clip(
                    f"claim now {now.replace('_', ' ')}, was {was.replace('_', ' ')}:"
                    f" “{' '.join(claim.text.split())}”"
                ),
                _clip(claim.reason or ""),
                subject=claim.id,
                before=was,
                after=now,
            )
        )
    return out
