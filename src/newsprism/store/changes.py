"""Writing what a stage returned: the story clusterer's changes, in one transaction."""

from __future__ import annotations

from ..records import StoryChanges
from .base import Store


def write_story_changes(store: Store, changes: StoryChanges) -> None:
    """Write `changes` in their order (records.StoryChanges), all or nothing."""
    with store.transaction():
        for owner, kind, array in changes.evidence:
            store.put_vectors(owner, kind, array)
        for assignment in changes.memberships:
            store.set_membership(assignment)
        for absorbed, survivor, note in changes.moves:
            store.move_members(absorbed, survivor, note)
        for state in changes.states:
            store.save_story(state)
        for owner, kind, array in changes.profiles:
            store.put_vectors(owner, kind, array)
        for a, b, score, why in changes.links:
            store.link_stories(a, b, score, why)
        store.mark_done("stories", changes.clustered)
        store.forget_done("analysis", changes.stale)
        for owner, kind, array in changes.frequencies:
            store.put_vectors(owner, kind, array)
