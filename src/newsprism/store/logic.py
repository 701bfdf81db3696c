"""What both stores do alike above their SQL: nested transactions, following merges, storyline links between
live stories, and search hits reported under the story they live in now.

`SQLiteStore` and `PostgresStore` inherit it; each supplies its connection's begin, commit and rollback, its
`_query`, and `story_state`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ..records import StoryState
from .rows import SearchHit, segments


class SharedLogic:
    _lock: threading.RLock
    _depth: int

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def story_state(self, story_id: str) -> StoryState | None:
        raise NotImplementedError

    def _begin(self) -> None:
        raise NotImplementedError

    def _end(self, commit: bool) -> None:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all (nested calls join the outer one)."""
        with self._lock:
            if self._depth == 0:
                self._begin()
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._end(commit=False)
                raise
            self._depth -= 1
            if self._depth == 0:
                self._end(commit=True)

    def resolve_story(self, story_id: str) -> str | None:
        """Follow merges: the id a story now lives under (None if unknown)."""
        seen = set()
        current = story_id
        while current not in seen:
            seen.add(current)
            state = self.story_state(current)
            if state is None:
                return None
            if not state.merged_into:
                return current
            current = state.merged_into
        return current

    def story_links(self) -> list[tuple[str, str, float, str]]:
        """Storyline links between live stories (a link to a story merged away follows it to the survivor;
        a link inside one story, after a merge, is gone), each pair once with its best score."""
        best: dict[tuple[str, str], tuple[float, str]] = {}
        for r in self._query("SELECT story_a, story_b, score, evidence FROM story_links"):
            a, b = self.resolve_story(r["story_a"]), self.resolve_story(r["story_b"])
            if a is None or b is None or a == b:
                continue
            pair = (min(a, b), max(a, b))
            if pair not in best or r["score"] > best[pair][0]:
                best[pair] = (r["score"], r["evidence"])
        return [(a, b, score, evidence) for (a, b), (score, evidence) in sorted(best.items())]

    def _hits(self, story_rows: list[dict[str, Any]], article_rows: list[dict[str, Any]]) -> list[SearchHit]:
        """Search hits from rows of (story_id, title, snip, rank) and (article_id, title, snip, rank,
        story_id), lower rank first: a story merged away is reported once, under the story it lives in."""
        hits: list[SearchHit] = []
        seen: set[str] = set()
        for r in story_rows:
            live = self.resolve_story(r["story_id"])
            if live is None or live in seen:
                continue
            seen.add(live)
            title = r["title"] if live == r["story_id"] else (self.story_state(live).title or r["title"])
            hits.append(SearchHit("story", live, title, segments(r["snip"]), live, float(r["rank"])))
        for r in article_rows:
            story = self.resolve_story(r["story_id"]) if r["story_id"] else None
            hits.append(
                SearchHit(
                    "article", r["article_id"], r["title"] or "", segments(r["snip"]), story, float(r["rank"])
                )
            )
        return hits
