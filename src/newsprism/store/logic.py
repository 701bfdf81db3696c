"""What both stores do alike above their SQL: nested transactions, following merges, storyline links between
live stories, and search hits reported under the story they live in now.

`SQLiteStore` and `PostgresStore` inherit it; each supplies its connection's begin, commit and rollback, its
`_query`, and `story_state`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ..records import Change, Correction, RunRecord, StoryState
from .rows import SearchHit, fold, now, segments

# An editor's corrections (migration 7 in both stores): inputs the story stages apply until undone.
CORRECTIONS_SCHEMA = """
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    value TEXT,
    article_id TEXT NOT NULL,
    story_id TEXT,
    note TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    undone_at TEXT
);
CREATE INDEX corrections_article ON corrections(article_id);
"""

_CORRECTABLE_CHARS = 4  # shorter words are left as typed: too many neighbours at one edit

# The run log's tables (migration 5 in both stores). Its queries are the same SQL in both but for the
# parameter mark, so they live here once.
RUN_LOG_SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    articles_read INTEGER NOT NULL DEFAULT 0,
    articles_new INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    stories_analysed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE changes (
    run_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    story_id TEXT NOT NULL,
    subject TEXT,
    text TEXT NOT NULL,
    why TEXT NOT NULL DEFAULT '',
    from_status TEXT,
    to_status TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE INDEX changes_story ON changes(story_id);
CREATE INDEX changes_at ON changes(at);
"""


class SharedLogic:
    _lock: threading.RLock
    _depth: int
    _mark = "?"  # the driver's parameter mark (psycopg's is %s)
    _no_limit: Any = -1  # what LIMIT takes for "no limit" (PostgreSQL: NULL)
    _bytewise = ""  # compares text byte by byte, as SQLite does (PostgreSQL: COLLATE "C")

    def _exec(self, sql: str, params: Iterable[Any] = ()) -> int:
        raise NotImplementedError

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

    # ------------------------------------------------------------ the run log

    def begin_run(self) -> int:
        """Record that a run starts; its number (1, 2, ...: one more than the last run's)."""
        p = self._mark
        with self.transaction():  # the write lock: two runs starting at once get two numbers
            self._exec(
                f"INSERT INTO runs(id, started_at) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM runs), {p})",
                (now(),),
            )
            return int(self._query("SELECT max(id) AS id FROM runs")[0]["id"])

    def end_run(
        self, run: int, articles_read: int, articles_new: int, rejected: int, stories_analysed: int
    ) -> None:
        p = self._mark
        self._exec(
            f"UPDATE runs SET finished_at = {p}, articles_read = {p}, articles_new = {p}, rejected = {p},"
            f" stories_analysed = {p} WHERE id = {p}",
            (now(), articles_read, articles_new, rejected, stories_analysed, run),
        )

    def add_changes(self, run: int, changes: Iterable[Change]) -> None:
        """Append to a run's changes, in order."""
        p = self._mark
        at = now()
        changes = list(changes)
        if not changes:
            return
        with self.transaction():
            rows = self._query(f"SELECT coalesce(max(seq), 0) AS n FROM changes WHERE run_id = {p}", (run,))
            last = int(rows[0]["n"])
            for seq, c in enumerate(changes, last + 1):
                self._exec(
                    "INSERT INTO changes(run_id, seq, kind, story_id, subject, text, why, from_status, to_status,"
                    f" at) VALUES ({', '.join([p] * 10)})",
                    (run, seq, c.kind, c.story_id, c.subject, c.text, c.why, c.before, c.after, at),
                )

    def runs(self, limit: int | None = None) -> list[RunRecord]:
        """Runs, newest first, each with the number of changes it recorded."""
        rows = self._query(
            "SELECT r.*, (SELECT count(*) FROM changes c WHERE c.run_id = r.id) AS changes FROM runs r"
            f" ORDER BY r.id DESC LIMIT {self._mark}",
            (self._no_limit if limit is None else limit,),
        )
        return [
            RunRecord(
                int(r["id"]), r["started_at"], r["finished_at"], int(r["articles_read"]),
                int(r["articles_new"]), int(r["rejected"]), int(r["stories_analysed"]), int(r["changes"]),
            )
            for r in rows
        ]  # fmt: skip

    def changes(
        self,
        since_run: int | None = None,
        since: str | None = None,
        story_ids: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[Change]:
        """Recorded changes, newest first: those of runs after `since_run`, recorded at or after `since` (an
        ISO date or time), in the stories `story_ids`; the first `limit`."""
        p = self._mark
        where, params = [], []
        if since_run is not None:
            where.append(f"run_id > {p}")
            params.append(since_run)
        if since is not None:
            where.append(f"at{self._bytewise} >= {p}")
            params.append(since)
        if story_ids is not None:
            wanted = list(dict.fromkeys(story_ids))
            if not wanted:
                return []
            where.append(f"story_id IN ({', '.join([p] * len(wanted))})")
            params += wanted
        sql = "SELECT * FROM changes" + (" WHERE " + " AND ".join(where) if where else "")
        sql += f" ORDER BY run_id DESC, seq DESC LIMIT {p}"
        params.append(self._no_limit if limit is None else limit)
        return [
            Change(
                r["kind"], r["story_id"], r["text"], r["why"], r["subject"], r["from_status"], r["to_status"],
                int(r["run_id"]), r["at"], int(r["seq"]),
            )
            for r in self._query(sql, params)
        ]  # fmt: skip

    def merged_ids(self, story_id: str) -> list[str]:
        """The story and every story merged into it, directly or through others (their changes are its own)."""
        p = self._mark
        found, frontier = [story_id], [story_id]
        while frontier:
            rows = self._query(
                f"SELECT id FROM stories WHERE merged_into IN ({', '.join([p] * len(frontier))})", frontier
            )
            frontier = [r["id"] for r in rows if r["id"] not in found]
            found += frontier
        return found

    # ------------------------------------------------------------ typo-tolerant search

    def search_terms(self, start: str, min_chars: int, max_chars: int) -> list[tuple[str, int]]:
        raise NotImplementedError

    def corrected_query(self, text: str) -> str | None:
        """`text` with each word the articles never use replaced by the closest word they do use (one edit
        for words of up to five characters, two beyond; the same first letter; ties to the commoner word),
        or None when no word needed or found a correction. "Strzock" becomes "strzok"."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        words = re.findall(r"[^\W_]+", fold(text[:1000]))[:12]
        changed = False
        out = []
        for word in words:
            if len(word) < _CORRECTABLE_CHARS or word.isdigit():
                out.append(word)
                continue
            edits = 1 if len(word) <= 5 else 2
            known = dict(self.search_terms(word[0], len(word) - edits, len(word) + edits))
            if word in known or not known:
                out.append(word)
                continue
            found = process.extract(
                word, list(known), scorer=DamerauLevenshtein.distance, score_cutoff=edits, limit=20
            )
            if not found:
                out.append(word)
                continue
            best = min(found, key=lambda hit: (hit[1], -known[hit[0]], hit[0]))[0]
            out.append(best)
            changed = True
        return " ".join(out) if changed else None

    # ------------------------------------------------------------ an editor's corrections

    def add_correction(self, correction: Correction) -> Correction:
        """Record a correction; it comes back with its number and time."""
        p = self._mark
        at = now()
        with self.transaction():
            self._exec(
                "INSERT INTO corrections(id, kind, target, value, article_id, story_id, note, author, at)"
                f" VALUES ((SELECT coalesce(max(id), 0) + 1 FROM corrections), {', '.join([p] * 8)})",
                (
                    correction.kind, correction.target, correction.value, correction.article_id,
                    correction.story_id, correction.note, correction.author, at,
                ),
            )  # fmt: skip
            number = int(self._query("SELECT max(id) AS id FROM corrections")[0]["id"])
        return self.correction(number)  # type: ignore[return-value]

    def correction(self, number: int) -> Correction | None:
        rows = self._query(f"SELECT * FROM corrections WHERE id = {self._mark}", (number,))
        return _correction_from(rows[0]) if rows else None

    def corrections(self, article_ids: Iterable[str] | None = None) -> list[Correction]:
        """Corrections oldest first, undone ones too; only those touching `article_ids` when given."""
        if article_ids is None:
            rows = self._query("SELECT * FROM corrections ORDER BY id")
        else:
            wanted = list(dict.fromkeys(article_ids))
            if not wanted:
                return []
            rows = self._query(
                f"SELECT * FROM corrections WHERE article_id IN ({', '.join([self._mark] * len(wanted))})"
                " ORDER BY id",
                wanted,
            )
        return [_correction_from(r) for r in rows]

    def undo_correction(self, number: int) -> Correction | None:
        """Undo a correction (it stays listed, with when it was undone); None when there is no such one."""
        self._exec(
            f"UPDATE corrections SET undone_at = {self._mark} WHERE id = {self._mark} AND undone_at IS NULL",
            (now(), number),
        )
        return self.correction(number)

    # ------------------------------------------------------------ takedown

    def _forget_search(self, article_id: str) -> None:
        raise NotImplementedError

    def forget_article(self, article_id: str) -> None:
        """Delete an article and every row made from it: its text and search entry, aliases, vectors,
        extraction, story membership and evidence, stage records, corrections and run-log entries about it.
        (What it taught shared counts, site lines and term frequencies, the caller subtracts: it knows them.)"""
        p = self._mark
        with self.transaction():
            self._forget_search(article_id)
            self._delete_rows(
                article_id,
                f"DELETE FROM article_aliases WHERE article_id = {p} OR alias = {p}",
                f"DELETE FROM vectors WHERE article_id = {p}",
                f"DELETE FROM extractions WHERE article_id = {p}",
                f"DELETE FROM member_evidence WHERE article_id = {p}",
                f"DELETE FROM member_terms WHERE article_id = {p}",
                f"DELETE FROM story_members WHERE article_id = {p}",
                f"DELETE FROM stage_done WHERE item = {p} AND stage IN ('extract', 'stories', 'site_lines')",
                f"DELETE FROM corrections WHERE article_id = {p} OR target = {p}",
                f"DELETE FROM changes WHERE subject = {p}",
                f"DELETE FROM articles WHERE id = {p}",
            )

    def forget_story(self, story_id: str) -> None:
        """Delete a story left with no article: its state, terms, links, analysis and search entry."""
        p = self._mark
        with self.transaction():
            self._forget_story_search(story_id)
            self._delete_rows(
                story_id,
                f"DELETE FROM story_terms WHERE story_id = {p}",
                f"DELETE FROM story_links WHERE story_a = {p} OR story_b = {p}",
                f"DELETE FROM analyses WHERE story_id = {p}",
                f"DELETE FROM stage_done WHERE item = {p} AND stage = 'analysis'",
                f"DELETE FROM stories WHERE id = {p}",
            )

    def _delete_rows(self, key: str, *statements: str) -> None:
        """Run each DELETE with `key` for every placeholder it holds."""
        for sql in statements:
            self._exec(sql, (key,) * sql.count(self._mark))

    def _forget_story_search(self, story_id: str) -> None:
        raise NotImplementedError


def _correction_from(r: dict[str, Any]) -> Correction:
    return Correction(
        r["kind"], r["target"], r["value"], r["article_id"], r["story_id"], r["note"], r["author"],
        int(r["id"]), r["at"], r["undone_at"],
    )  # fmt: skip
