"""What both stores do alike above their SQL: nested transactions, the reads whose SQL differs only in the
driver's parameter mark and collation, following merges, storyline links between live stories, and search
hits reported under the story they live in now.

`SQLiteStore` and `PostgresStore` inherit it; each supplies its connection (`_conn`), how a transaction begins,
its `_query` and its writes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..records import (
    ArticleExtraction,
    Change,
    Correction,
    Rejection,
    RunRecord,
    StoryAnalysis,
    StoryAssignment,
    StoryState,
)
from ..text.ids import text_key
from .rows import (
    SearchHit,
    analysis_from,
    extraction_from,
    fold,
    label_of,
    now,
    segments,
    story_from,
    terms_from,
    vector_from,
    vectors_from,
)

if TYPE_CHECKING:
    import numpy as np

    from .base import Terms

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

    _arrival = "rowid"  # the column that numbers rows in the order they were added (PostgreSQL: seq)
    _conn: Any

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _begin(self) -> None:
        raise NotImplementedError

    def _replace_terms(self, table: str, owner_column: str, owner: str, parts: Mapping[str, Terms]) -> None:
        raise NotImplementedError

    def forget_done(self, stage: str, keys: Iterable[str]) -> None:
        raise NotImplementedError

    def _many(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def _exec(self, sql: str, params: Iterable[Any] = ()) -> int:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).rowcount

    def _end(self, commit: bool) -> None:
        self._conn.execute("COMMIT" if commit else "ROLLBACK")

    def _query_in(self, sql: str, values: list[str], leading: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """`sql` with `{marks}` for an IN list, run over `values` in chunks (SQLite caps bound parameters);
        `leading`: the parameters bound before the list."""
        rows: list[dict[str, Any]] = []
        for chunk in range(0, len(values), 500):
            part = values[chunk : chunk + 500]
            rows += self._query(sql.format(marks=",".join([self._mark] * len(part))), [*leading, *part])
        return rows

    # ------------------------------------------------------------ reads alike in both stores

    def has_article(self, article_id: str) -> bool:
        return bool(self._query(f"SELECT 1 FROM articles WHERE id = {self._mark}", (article_id,)))

    def article_with_text(self, text: str) -> str | None:
        """The stored article with this clean body (text.ids.text_key), the first stored if several."""
        rows = self._query(
            f"SELECT id FROM articles WHERE text_key = {self._mark}"
            f" ORDER BY added_at{self._bytewise}, {self._arrival} LIMIT 1",
            (text_key(text),),
        )
        return rows[0]["id"] if rows else None

    def article_count(self) -> int:
        return self._query("SELECT count(*) AS n FROM articles")[0]["n"]

    def article_ids(self) -> list[str]:
        """Every stored article's id, in the order they were added (`articles()`'s order)."""
        rows = self._query(f"SELECT id FROM articles ORDER BY added_at{self._bytewise}, {self._arrival}")
        return [r["id"] for r in rows]

    def source_labels(self, ids: Iterable[str]) -> dict[str, str]:
        query = "SELECT id, outlet, url, title, source FROM articles WHERE id IN ({marks})"
        return {r["id"]: label_of(r) for r in self._query_in(query, list(ids))}

    def rejection_count(self) -> int:
        return self._query("SELECT count(*) AS n FROM rejected")[0]["n"]

    def get_vectors(self, article_id: str, kind: str) -> np.ndarray | None:
        p = self._mark
        rows = self._query(
            f"SELECT data, rows FROM vectors WHERE article_id = {p} AND kind = {p}", (article_id, kind)
        )
        return vectors_from(rows[0]["data"], rows[0]["rows"], kind) if rows else None

    def get_extraction(self, article_id: str) -> ArticleExtraction | None:
        rows = self._query(f"SELECT data FROM extractions WHERE article_id = {self._mark}", (article_id,))
        return extraction_from(rows[0]["data"]) if rows else None

    def story_state(self, story_id: str) -> StoryState | None:
        rows = self._query(f"SELECT * FROM stories WHERE id = {self._mark}", (story_id,))
        return story_from(rows[0]) if rows else None

    def story_of(self, article_id: str) -> str | None:
        rows = self._query(
            f"SELECT story_id FROM story_members WHERE article_id = {self._mark}", (article_id,)
        )
        return rows[0]["story_id"] if rows else None

    def memberships(self, story_id: str) -> list[StoryAssignment]:
        b = self._bytewise
        rows = self._query(
            "SELECT m.* FROM story_members m JOIN articles a ON a.id = m.article_id"
            f" WHERE m.story_id = {self._mark}"
            f" ORDER BY coalesce(a.published, ''){b}, a.added_at{b}, a.{self._arrival}",
            (story_id,),
        )
        return [StoryAssignment(r["article_id"], r["story_id"], r["score"], r["evidence"]) for r in rows]

    def story_ids(self) -> list[str]:
        """Live story ids, newest activity first."""
        rows = self._query(
            "SELECT id FROM stories WHERE merged_into IS NULL"
            f" ORDER BY coalesce(last_date, ''){self._bytewise} DESC, {self._arrival} DESC"
        )
        return [r["id"] for r in rows]

    def story_terms(self, story_ids: Iterable[str]) -> dict[str, dict[str, Terms]]:
        out: dict[str, dict[str, Terms]] = {}
        for r in self._query_in("SELECT * FROM story_terms WHERE story_id IN ({marks})", list(story_ids)):
            out.setdefault(r["story_id"], {})[r["part"]] = terms_from(r["ids"], r["weights"])
        return out

    def put_story_terms(self, story_id: str, parts: Mapping[str, Terms]) -> None:
        with self._lock:
            self._replace_terms("story_terms", "story_id", story_id, parts)

    def member_evidence(self, article_id: str) -> tuple[int, np.ndarray, dict[str, Terms]] | None:
        p = self._mark
        rows = self._query(
            f"SELECT anchor, vector FROM member_evidence WHERE article_id = {p}", (article_id,)
        )
        if not rows:
            return None
        parts = {
            r["part"]: terms_from(r["ids"], r["weights"])
            for r in self._query(f"SELECT * FROM member_terms WHERE article_id = {p}", (article_id,))
        }
        return int(rows[0]["anchor"]), vector_from(rows[0]["vector"]), parts

    def versions(self, url: str) -> list[str]:
        """Ids of the articles read from one URL, oldest first: the versions of one page."""
        rows = self._query(
            f"SELECT id FROM articles WHERE url = {self._mark} ORDER BY added_at{self._bytewise}, {self._arrival}",
            (url,),
        )
        return [r["id"] for r in rows]

    def rejections(self, limit: int | None = None) -> list[Rejection]:
        b = self._bytewise
        rows = self._query(
            f"SELECT input, reason FROM rejected ORDER BY at{b}, input{b} LIMIT {self._mark}",
            (self._no_limit if limit is None else limit,),
        )
        return [Rejection(r["input"], r["reason"]) for r in rows]

    def clear_rejections(self, sources: Iterable[str]) -> None:
        self._many(f"DELETE FROM rejected WHERE input = {self._mark}", ((s,) for s in sources))

    def story_states(self, include_closed: bool = False) -> list[StoryState]:
        """Live stories (not merged away), oldest first; closed ones only when asked."""
        sql = "SELECT * FROM stories WHERE merged_into IS NULL"
        if not include_closed:
            sql += " AND closed = 0"
        return [story_from(r) for r in self._query(f"{sql} ORDER BY {self._arrival}")]

    def unfinished(self, stage: str, after: str) -> list[str]:
        """Items done at stage `after` and not (yet) at `stage`, in the order `after` finished them."""
        p = self._mark
        rows = self._query(
            f"SELECT a.item FROM stage_done a LEFT JOIN stage_done b ON b.stage = {p} AND b.item = a.item"
            f" WHERE a.stage = {p} AND b.item IS NULL ORDER BY a.done_at{self._bytewise}, a.{self._arrival}",
            (stage, after),
        )
        return [r["item"] for r in rows]

    def undone(self, stage: str, among: Iterable[str]) -> list[str]:
        """Those of `among` that `stage` has not finished, in the order given."""
        wanted = list(dict.fromkeys(among))
        rows = self._query_in(
            f"SELECT item FROM stage_done WHERE stage = {self._mark} AND item IN ({{marks}})",
            wanted,
            (stage,),
        )
        done = {r["item"] for r in rows}
        return [item for item in wanted if item not in done]

    def get_analysis(self, story_id: str) -> StoryAnalysis | None:
        rows = self._query(f"SELECT data FROM analyses WHERE story_id = {self._mark}", (story_id,))
        return analysis_from(rows[0]["data"]) if rows else None

    def drop_analysis(self, story_id: str) -> None:
        with self.transaction():
            self._exec(f"DELETE FROM analyses WHERE story_id = {self._mark}", (story_id,))
            self.forget_done("analysis", [story_id])

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
