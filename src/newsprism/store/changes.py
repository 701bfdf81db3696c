"""Writing what a stage returned: the story clusterer's changes, in one transaction."""

from __future__ import annotations

from ..records import StoryChanges
from .base import Store


def write_story_changes(store: Store, changes: StoryChanges) -> None:
    """Write `changes` in their order (records.StoryChanges), all or nothing."""
    with store.transaction():
        for article_id, anchor, vector, parts in changes.evidence:
            store.put_member_evidence(article_id, anchor, vector, parts)
        for assignment in changes.memberships:
            store.set_membership(assignment)
        for absorbed, survivor, note in changes.moves:
            store.move_members(absorbed, survivor, note)
        for state in changes.states:
            store.save_story(state)
        for story_id, parts in changes.profiles:
            store.put_story_terms(story_id, parts)
        for a, b, score, why in changes.links:
            store.link_stories(a, b, score, why)
        store.mark_done("stories", changes.clustered)
        store.forget_done("analysis", changes.stale)
        if changes.frequencies is not None:
            store.put_term_frequencies(*changes.frequencies)
