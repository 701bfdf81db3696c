"""The one interface every stage's inputs and outputs go through, whatever keeps them.

`SQLiteStore` (the embedded default) and `PostgresStore` implement it, and tests/test_store.py holds
every implementation to the same behaviour. Nothing outside `store/`
reaches behind it: the web server asks `data_version()` where it once read SQLite's pragma itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from ..records import (
        Article,
        ArticleExtraction,
        Change,
        Correction,
        Rejection,
        RunRecord,
        StoryAnalysis,
        StoryAssignment,
        StoryState,
    )
    from .rows import SearchHit


# A bag of hashed terms: sorted unique int64 ids (below 2**24) and a float32 weight each.
Terms = tuple["np.ndarray", "np.ndarray"]
# The parts the store keeps of a story's terms and of a member's evidence, in the story clusterer's order
# (which is also the order of the packed rows migration 4 reads).
STORY_PARTS = ("terms", "entities", "years", "anchors", "weekdays", "people", "marks")
MEMBER_PARTS = ("terms", "entities", "years", "weekdays", "people")


@runtime_checkable
class Store(Protocol):
    """Articles, their vectors and extractions, stories, analyses, rejections and site memory.

    Writes are idempotent where the data allows (an article stored twice is stored once); every write
    inside `transaction()` commits together or not at all, and nested transactions join the outer one."""

    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def writer(self) -> AbstractContextManager[None]:
        """Hold the store for a whole run. A store that one run writes at a time (SQLite) raises
        errors.StoreBusy, naming the holder, while another run holds it; one that several runs may write
        (PostgreSQL) serialises their story stages instead (`story_stage`). Readers (the web app, reports)
        never wait for it."""
        ...

    def story_stage(self) -> AbstractContextManager[bool]:
        """Hold the story stage (filing articles in stories, analysing the stories that changed) for one
        run at a time, waiting while another run holds it. Yields True when another run's story stage
        finished since this store object's last one: what the caller holds of the stories is stale."""
        ...

    def data_version(self) -> Any:
        """A value that changes whenever anyone writes the store (for caches of pages made from it)."""
        ...

    def snapshot(self) -> Store:
        """An independent in-memory copy: a what-if run that leaves this store as it is."""
        ...

    # articles
    def add_article(self, article: Article) -> bool: ...

    def has_article(self, article_id: str) -> bool: ...

    # An article's id hashes its raw input (text.ids.content_id); another input with the same clean body is
    # recorded as an alias of the stored article, and the articles read from one URL are its versions.
    def resolve_article(self, article_id: str) -> str | None: ...

    def article_with_text(self, text: str) -> str | None: ...

    def add_alias(self, alias: str, article_id: str, source: str) -> None: ...

    def aliases(self, ids: Iterable[str] | None = None) -> dict[str, list[str]]: ...

    def versions(self, url: str) -> list[str]: ...

    def articles(self, ids: Iterable[str] | None = None) -> list[Article]: ...

    def source_labels(self, ids: Iterable[str]) -> dict[str, str]:
        """Each stored article's short source name (`records.source_label`), without reading its text."""
        ...

    def article_count(self) -> int: ...

    def article_ids(self) -> list[str]:
        """Every stored article's id, in the order they were added (`articles()`'s order)."""
        ...

    # rejections
    def add_rejections(self, rejections: Iterable[Rejection]) -> None:
        """Record why each input was rejected (an input rejected again gets its new reason)."""
        ...

    def clear_rejections(self, sources: Iterable[str]) -> None:
        """Forget the rejections of inputs that have now been read."""
        ...

    def clear_line_rejections(self, files: Iterable[str]) -> None:
        """Forget the rejections of every line of these JSONL files (`file#L5`, `file#L1-L9`): they are being
        read again, and a range rejected before may now hold lines that are read."""
        ...

    def rejections(self, limit: int | None = None) -> list[Rejection]:
        """Rejections, oldest first; the first `limit` of them when given."""
        ...

    def rejection_count(self) -> int: ...

    # vectors and extractions
    def put_vectors(self, article_id: str, kind: str, vectors: np.ndarray) -> None: ...

    def get_vectors(self, article_id: str, kind: str) -> np.ndarray | None: ...

    def put_extraction(self, extraction: ArticleExtraction) -> None: ...

    # the story clusterer's state: bags of hashed terms by part (stories.clusterer names the parts)
    def put_story_terms(self, story_id: str, parts: Mapping[str, Terms]) -> None:
        """Replace every part of a story's terms."""
        ...

    def story_terms(self, story_ids: Iterable[str]) -> dict[str, dict[str, Terms]]: ...

    def put_member_evidence(
        self, article_id: str, anchor: int, vector: np.ndarray, parts: Mapping[str, Terms]
    ) -> None:
        """What consolidation needs of a member article: the year it reports from, its vector, its terms."""
        ...

    def member_evidence(self, article_id: str) -> tuple[int, np.ndarray, dict[str, Terms]] | None: ...

    def put_term_frequencies(self, documents: int, buckets: np.ndarray, counts: np.ndarray) -> None:
        """Articles counted so far, and the documents of each hashed-term bucket that changed."""
        ...

    def term_frequencies(self) -> tuple[int, np.ndarray, np.ndarray]:
        """Articles counted, and the buckets with their documents (only buckets ever counted)."""
        ...

    def get_extraction(self, article_id: str) -> ArticleExtraction | None: ...

    # stories
    def save_story(self, state: StoryState) -> None: ...

    def story_states(self, include_closed: bool = False) -> list[StoryState]: ...

    def story_state(self, story_id: str) -> StoryState | None: ...

    def resolve_story(self, story_id: str) -> str | None: ...

    def set_membership(self, assignment: StoryAssignment) -> None: ...

    def move_members(self, from_story: str, to_story: str, note: str = "") -> None: ...

    def link_stories(self, a: str, b: str, score: float, evidence: str) -> None: ...

    def story_links(self) -> list[tuple[str, str, float, str]]: ...

    def story_of(self, article_id: str) -> str | None: ...

    def memberships(self, story_id: str) -> list[StoryAssignment]: ...

    def story_ids(self) -> list[str]: ...

    # analyses and search
    def put_analysis(self, analysis: StoryAnalysis) -> None: ...

    def get_analysis(self, story_id: str) -> StoryAnalysis | None: ...

    def drop_analysis(self, story_id: str) -> None: ...

    def search(self, text: str, limit: int = 20) -> list[SearchHit]: ...

    def search_terms(self, start: str, min_chars: int, max_chars: int) -> list[tuple[str, int]]:
        """Words of the articles' search index that begin with `start` and are `min_chars` to `max_chars`
        long, each with the number of articles holding it."""
        ...

    def corrected_query(self, text: str) -> str | None:
        """The query with words the articles never use replaced by the closest ones they do; None if none."""
        ...

    # stage completion: recorded in the transaction that writes the stage's output, so that a run can finish
    # what an interrupted one left undone
    def mark_done(self, stage: str, items: Iterable[str]) -> None: ...

    def forget_done(self, stage: str, items: Iterable[str]) -> None: ...

    def claim_done(self, stage: str, items: Iterable[str]) -> list[str]:
        """Record `stage` as done for those of `items` it was not yet done for, and return them: of two runs
        that claim one item, only the first to commit gets it (do the stage's work for these alone, in the
        same transaction)."""
        ...

    def unfinished(self, stage: str, after: str) -> list[str]: ...

    def undone(self, stage: str, among: Iterable[str]) -> list[str]: ...

    def schema_version(self) -> int: ...

    # the run log: each run, and what it changed (newsprism changes, the changes page and feeds)
    def begin_run(self) -> int:
        """Record that a run starts; its number, one more than the last run's."""
        ...

    def end_run(
        self, run: int, articles_read: int, articles_new: int, rejected: int, stories_analysed: int
    ) -> None: ...

    def add_changes(self, run: int, changes: Iterable[Change]) -> None: ...

    def runs(self, limit: int | None = None) -> list[RunRecord]:
        """Runs, newest first."""
        ...

    def changes(
        self,
        since_run: int | None = None,
        since: str | None = None,
        story_ids: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[Change]:
        """Recorded changes, newest first, after run `since_run`, at or after `since`, in `story_ids`."""
        ...

    # takedown (`newsprism forget`)
    def forget_article(self, article_id: str) -> None:
        """Delete an article and every row made from it (not the shared counts it added to)."""
        ...

    def forget_story(self, story_id: str) -> None:
        """Delete a story left with no article."""
        ...

    # an editor's corrections: inputs every later analysis applies until undone
    def add_correction(self, correction: Correction) -> Correction: ...

    def correction(self, number: int) -> Correction | None: ...

    def corrections(self, article_ids: Iterable[str] | None = None) -> list[Correction]:
        """Oldest first, undone ones too; those touching `article_ids` when given."""
        ...

    def undo_correction(self, number: int) -> Correction | None: ...

    def merged_ids(self, story_id: str) -> list[str]:
        """The story and every story merged into it."""
        ...

    # site memory (clean.site.SiteMemory reads the counts; the pipeline adds to them with each batch)
    def site_line_counts(self, site: str, line_hashes: Iterable[str]) -> Mapping[str, int]: ...

    def add_site_line_counts(self, site: str, counts: Mapping[str, int]) -> None: ...


__all__ = ["Store"]
