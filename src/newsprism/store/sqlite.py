"""The default store: one SQLite file holding articles, vectors, stories and analyses.

Writes are idempotent (ids are content hashes, inserts are INSERT OR IGNORE) and each batch is one
transaction, so a crash or a bad input never loses or duplicates what was stored before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

try:
    import fcntl
except ImportError:  # not on Windows: a run there holds no lock
    fcntl = None  # type: ignore[assignment]

from ..errors import StoreBusy, StoreError
from ..records import Article, ArticleExtraction, Rejection, StoryAnalysis, StoryAssignment, StoryState
from ..text.ids import text_key
from . import legacy
from .base import Terms
from .logic import CORRECTIONS_SCHEMA, RUN_LOG_SCHEMA, SharedLogic
from .rows import (
    ARTICLE_COLUMNS,
    HIT_END,
    HIT_START,
    STORY_COLUMNS,
    SearchHit,
    analysis_json,
    article_from,
    article_values,
    entity_names,
    extraction_json,
    now,
    story_values,
    term_blobs,
    vector_blob,
    vectors_blob,
)

SCHEMA_VERSION = 7  # the number of the last migration in _MIGRATIONS
_OPEN_WAIT_S = 10.0  # how long opening waits for another process opening the same file

# The tables as the first store (schema 1) had them; _MIGRATIONS takes a store from there to today's.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    url TEXT,
    title TEXT,
    published TEXT,
    authors TEXT NOT NULL DEFAULT '[]',
    outlet TEXT,
    wire_credit TEXT,
    language TEXT,
    text TEXT NOT NULL,
    removed TEXT NOT NULL DEFAULT '[]',
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected (
    input TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS vectors (
    article_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    data BLOB NOT NULL,
    rows INTEGER NOT NULL,
    PRIMARY KEY (article_id, kind)
);
CREATE TABLE IF NOT EXISTS extractions (article_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    centroid BLOB NOT NULL,
    size INTEGER NOT NULL,
    first_date TEXT,
    last_date TEXT,
    entity_counts TEXT NOT NULL DEFAULT '{}',
    closed INTEGER NOT NULL DEFAULT 0,
    merged_into TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS story_members (
    article_id TEXT PRIMARY KEY,
    story_id TEXT NOT NULL,
    score REAL NOT NULL,
    evidence TEXT NOT NULL,
    joined_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS story_members_story ON story_members(story_id);
CREATE TABLE IF NOT EXISTS story_links (
    story_a TEXT NOT NULL,
    story_b TEXT NOT NULL,
    score REAL NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (story_a, story_b)
);
CREATE TABLE IF NOT EXISTS analyses (story_id TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS site_lines (
    site TEXT NOT NULL,
    line_hash TEXT NOT NULL,
    article_count INTEGER NOT NULL,
    PRIMARY KEY (site, line_hash)
);
"""

# Numbered migrations: _MIGRATIONS[n] takes a store from schema n - 1 to n, in one transaction with the new
# schema_version, so an interrupted upgrade leaves the store as it was. Never edit one that has shipped.
_MIGRATIONS: dict[int, tuple[str, str]] = {
    2: (
        "each stage's completion recorded with its output (stage_done)",
        """
        CREATE TABLE stage_done (
            stage TEXT NOT NULL,
            item TEXT NOT NULL,
            done_at TEXT NOT NULL,
            PRIMARY KEY (stage, item)
        );
        INSERT OR IGNORE INTO stage_done(stage, item, done_at)
            SELECT 'extract', article_id, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM extractions;
        INSERT OR IGNORE INTO stage_done(stage, item, done_at)
            SELECT 'stories', article_id, joined_at FROM story_members;
        INSERT OR IGNORE INTO stage_done(stage, item, done_at)
            SELECT 'analysis', story_id, updated_at FROM analyses;
        """,
    ),
    3: (
        "article ids from the raw content: each body's text key, aliases, versions by URL",
        """
        ALTER TABLE articles ADD COLUMN text_key TEXT;
        -- until schema 3 an article's id was the key of its clean text
        UPDATE articles SET text_key = id;
        CREATE INDEX articles_text_key ON articles(text_key);
        CREATE INDEX articles_url ON articles(url);
        CREATE TABLE article_aliases (
            alias TEXT PRIMARY KEY,
            article_id TEXT NOT NULL,
            source TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
        """,
    ),
    4: (
        "the story clusterer's state in tables of its own, not packed rows of `vectors`",
        """
        -- a bag of hashed terms: ids as little-endian int32, weights as float32, both in id order
        CREATE TABLE story_terms (
            story_id TEXT NOT NULL,
            part TEXT NOT NULL,
            ids BLOB NOT NULL,
            weights BLOB NOT NULL,
            PRIMARY KEY (story_id, part)
        );
        CREATE TABLE member_evidence (
            article_id TEXT PRIMARY KEY,
            anchor INTEGER NOT NULL,
            vector BLOB NOT NULL
        );
        CREATE TABLE member_terms (
            article_id TEXT NOT NULL,
            part TEXT NOT NULL,
            ids BLOB NOT NULL,
            weights BLOB NOT NULL,
            PRIMARY KEY (article_id, part)
        );
        CREATE TABLE term_frequencies (bucket INTEGER PRIMARY KEY, documents INTEGER NOT NULL);
        """,
    ),
    5: ("the run log: each run and what it changed (runs, changes)", RUN_LOG_SCHEMA),
    # SQLite reads the search vocabulary from the index itself (fts5vocab, made at open): nothing to store
    6: ("the vocabulary of the articles' text, for typo-tolerant search", "SELECT 1;"),
    7: ("an editor's corrections, applied by every later analysis until undone", CORRECTIONS_SCHEMA),
}
# Python steps of a migration, run after its script in the same transaction.
_MIGRATION_STEPS: dict[int, Callable[[SQLiteStore], None]] = {4: lambda store: store._move_legacy_state()}

# Full-text search (SQLite FTS5). remove_diacritics lets "Sergey Lavrov" find "Sergéy"; the id columns are
# carried, not indexed. Kept in sync by add_article, save_story and put_analysis.
_SEARCH_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS search_articles USING fts5(
    article_id UNINDEXED, title, text, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS search_stories USING fts5(
    story_id UNINDEXED, title, entities, tokenize = 'unicode61 remove_diacritics 2'
);
"""
SEARCH_VERSION = "2"  # 2: story rows keyed by _search_rowid
_MAX_QUERY_TERMS = 12
_MAX_TERM_CHARS = 40


def _search_rowid(story_id: str) -> int:
    """A stable positive 63-bit rowid for a story's search row (a collision is a 2**-63 event per pair)."""
    return int.from_bytes(hashlib.blake2b(story_id.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def fts_query(text: str) -> str | None:
    """A user's words as a safe FTS5 query: every term quoted (no operators), all required, the last a prefix.

    None when the text holds no word. Quoting means input like `NEAR(` or `"` can never be FTS5 syntax.
    """
    terms = re.findall(r"\w+", text[:1000])[:_MAX_QUERY_TERMS]
    if not terms:
        return None
    quoted = [f'"{t[:_MAX_TERM_CHARS]}"' for t in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def _statements(script: str) -> list[str]:
    """A migration's statements, one by one (executescript would commit on its own, outside our transaction)."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    if current.strip():
        out.append(current.strip())
    return out


class SQLiteStore(SharedLogic):
    """Open (or create) a store. `path` may be ':memory:' for tests and evaluation."""

    def __init__(self, path: str | Path = "newsprism.db"):
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._set_journal_mode("WAL" if self.path != ":memory:" else "MEMORY")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            version = self._schema_version()
            if version is None:  # a new store: the first schema, then every migration
                self._conn.executescript(_SCHEMA)
                self._conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '1')")
                version = 1
            elif version == 1:  # schema 1 grew tables before migrations existed: add any this store lacks
                self._conn.executescript(_SCHEMA)
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(
                f"{self.path}: cannot open as a newsprism store ({exc}); choose another --db file"
            ) from exc
        self._lock = threading.RLock()
        self._depth = 0
        self._migrate(version)
        self._conn.executescript(_SEARCH_SCHEMA)
        # the index's own vocabulary, per connection (temp): typo-tolerant search corrects against it
        self._conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, 'search_articles', 'row')"
        )
        self._backfill_search()

    def close(self) -> None:
        self._conn.close()

    def _set_journal_mode(self, mode: str) -> None:
        """Switching a file to WAL needs it unlocked for a moment, and SQLite answers "database is locked"
        at once, without its busy wait, while another process opening it holds a lock: try for a while."""
        deadline = time.monotonic() + _OPEN_WAIT_S
        while True:
            try:
                self._conn.execute(f"PRAGMA journal_mode={mode}")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _schema_version(self) -> int | None:
        """The store's schema number; None for a new, empty file."""
        tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return None
        if "meta" not in tables:
            raise sqlite3.DatabaseError("a SQLite file without newsprism's meta table")
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 1

    def _migrate(self, version: int) -> None:
        """Upgrade the store in place from `version` to SCHEMA_VERSION, one migration per transaction."""
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer newsprism (store schema {version}; this version reads up to"
                f" {SCHEMA_VERSION}); upgrade newsprism to open it"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            what, script = _MIGRATIONS[number]
            try:
                with self.transaction():
                    if (self._schema_version() or 1) >= number:
                        continue  # another process upgraded it while this one waited for the lock
                    for statement in _statements(script):
                        self._conn.execute(statement)
                    if number in _MIGRATION_STEPS:
                        _MIGRATION_STEPS[number](self)
                    self._conn.execute(
                        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(number),)
                    )
            except sqlite3.DatabaseError as exc:
                raise StoreError(
                    f"{self.path}: cannot upgrade the store from schema {number - 1} to {number} ({what}):"
                    f" {exc}; the store is unchanged"
                ) from exc

    def schema_version(self) -> int:
        with self._lock:
            return self._schema_version() or 1

    def data_version(self) -> tuple[int, int]:
        """Changes when anyone writes the store: data_version for other connections, total_changes for ours."""
        with self._lock:
            return self._conn.execute("PRAGMA data_version").fetchone()[0], self._conn.total_changes

    def snapshot(self) -> SQLiteStore:
        """An in-memory copy of this store (SQLite's online backup): a what-if run that leaves this one as is."""
        copy = SQLiteStore(":memory:")
        with self._lock:
            self._conn.backup(copy._conn)
        return copy

    @contextmanager
    def writer(self) -> Iterator[None]:
        """One run writes a store file at a time: an advisory lock on `<store>.lock` (released by the
        system when the process ends, however it ends), held for the run; an in-memory store has one user."""
        if self.path == ":memory:" or fcntl is None:
            yield
            return
        lock_path = Path(self.path + ".lock")
        with lock_path.open("a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read(200).strip() or "another process"
                raise StoreBusy(
                    f"{self.path}: another newsprism run is writing this store ({holder}); wait for it to"
                    " finish, or use another --db"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}, since {now()}")
            handle.flush()
            try:
                yield
            finally:
                handle.seek(0)
                handle.truncate()
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def story_stage(self) -> Iterator[bool]:
        """One run writes a SQLite store at a time (`writer`), so no other run's stories can appear."""
        yield False

    def _begin(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def _many(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        with self._lock:
            self._conn.executemany(sql, rows)

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._conn.execute(sql, tuple(params))
            cols = [d[0] for d in cur.description or ()]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    # ------------------------------------------------------------ articles

    def add_article(self, article: Article) -> bool:
        """Store an article; False when an article with this id was already stored."""
        added = (
            self._exec(
                f"INSERT OR IGNORE INTO articles({ARTICLE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                article_values(article, text_key(article.text)),
            )
            == 1
        )
        if added:
            self._exec(
                "INSERT INTO search_articles(article_id, title, text) VALUES (?,?,?)",
                (article.id, article.title or "", article.text),
            )
        return added

    def resolve_article(self, article_id: str) -> str | None:
        """The stored article an id names: itself, or the article it is an alias of; None if neither."""
        rows = self._query(
            "SELECT id FROM articles WHERE id = ?"
            " UNION ALL SELECT article_id FROM article_aliases WHERE alias = ? LIMIT 1",
            (article_id, article_id),
        )
        return rows[0]["id"] if rows else None

    def add_alias(self, alias: str, article_id: str, source: str) -> None:
        """Record that the input `source`, whose own id is `alias`, is the stored article `article_id`."""
        self._exec(
            "INSERT OR IGNORE INTO article_aliases(alias, article_id, source, added_at) VALUES (?,?,?,?)",
            (alias, article_id, source, now()),
        )

    def aliases(self, ids: Iterable[str] | None = None) -> dict[str, list[str]]:
        """Stored articles that have aliases (those of `ids`, or all): id -> the aliases, oldest first."""
        if ids is None:
            rows = self._query("SELECT alias, article_id FROM article_aliases ORDER BY added_at, alias")
        else:
            rows = self._query_in(
                "SELECT alias, article_id FROM article_aliases WHERE article_id IN ({marks})"
                " ORDER BY added_at, alias",
                list(ids),
            )
        out: dict[str, list[str]] = {}
        for r in rows:
            out.setdefault(r["article_id"], []).append(r["alias"])
        return out

    def articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        """Articles by id (in the order given), or all of them in the order they were added."""
        if ids is None:
            rows = self._query("SELECT * FROM articles ORDER BY added_at, rowid")
            return [article_from(r) for r in rows]
        wanted = list(ids)
        found = {
            r["id"]: article_from(r)
            for r in self._query_in("SELECT * FROM articles WHERE id IN ({marks})", wanted)
        }
        return [found[i] for i in wanted if i in found]

    # ------------------------------------------------------------ rejections

    def add_rejections(self, rejections: Iterable[Rejection]) -> None:
        at = now()
        with self._lock:
            self._conn.executemany(
                "INSERT INTO rejected(input, reason, at) VALUES (?,?,?)"
                " ON CONFLICT(input) DO UPDATE SET reason = excluded.reason, at = excluded.at",
                ((r.input, r.reason, at) for r in rejections),
            )

    def clear_line_rejections(self, files: Iterable[str]) -> None:
        with self._lock:
            self._conn.executemany(
                "DELETE FROM rejected WHERE substr(input, 1, ?) = ?",
                ((len(prefix), prefix) for prefix in (f"{f}#L" for f in files)),
            )

    # ------------------------------------------------------------ vectors

    def put_vectors(self, article_id: str, kind: str, vectors: np.ndarray) -> None:
        self._exec(
            "INSERT OR REPLACE INTO vectors(article_id, kind, data, rows) VALUES (?,?,?,?)",
            (article_id, kind, *vectors_blob(vectors)),
        )

    # ------------------------------------------------------------ the story clusterer's state

    def _replace_terms(self, table: str, owner_column: str, owner: str, parts: Mapping[str, Terms]) -> None:
        """Every part of one owner's terms in `table` (story_terms or member_terms) replaced by `parts`."""
        self._conn.execute(f"DELETE FROM {table} WHERE {owner_column} = ?", (owner,))
        self._conn.executemany(
            f"INSERT INTO {table}({owner_column}, part, ids, weights) VALUES (?,?,?,?)",
            [(owner, part, *term_blobs(terms)) for part, terms in parts.items()],
        )

    def put_member_evidence(
        self, article_id: str, anchor: int, vector: np.ndarray, parts: Mapping[str, Terms]
    ) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO member_evidence(article_id, anchor, vector) VALUES (?,?,?)",
                (article_id, int(anchor), vector_blob(vector)),
            )
            self._replace_terms("member_terms", "article_id", article_id, parts)

    def put_term_frequencies(self, documents: int, buckets: np.ndarray, counts: np.ndarray) -> None:
        with self._lock:
            self._conn.executemany(
                "INSERT OR REPLACE INTO term_frequencies(bucket, documents) VALUES (?,?)",
                zip(np.asarray(buckets).tolist(), np.asarray(counts).astype(np.int64).tolist(), strict=True),
            )
            self._conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('frequency_documents', ?)",
                (str(int(documents)),),
            )

    def term_frequencies(self) -> tuple[int, np.ndarray, np.ndarray]:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'frequency_documents'").fetchone()
            pairs = self._conn.execute("SELECT bucket, documents FROM term_frequencies").fetchall()
        table = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        return (int(row[0]) if row else 0), table[:, 0], table[:, 1]

    def _move_legacy_state(self) -> None:
        """Migration 4's step: the clusterer's packed rows of `vectors` into its own tables."""
        state = legacy.read_legacy(self._conn)
        for story_id, parts in state.stories.items():
            self.put_story_terms(story_id, parts)
        for article_id, vector in state.vectors.items():
            parts = state.members.get(article_id, {})
            self.put_member_evidence(article_id, state.anchors.get(article_id, 0), vector, parts)
        if state.frequencies is not None:
            buckets = np.flatnonzero(state.frequencies)
            self.put_term_frequencies(state.documents, buckets, state.frequencies[buckets])
        legacy.drop_legacy(self._conn)

    # ------------------------------------------------------------ extractions

    def put_extraction(self, extraction: ArticleExtraction) -> None:
        self._exec(
            "INSERT OR REPLACE INTO extractions(article_id, data) VALUES (?,?)",
            (extraction.article_id, extraction_json(extraction)),
        )

    # ------------------------------------------------------------ stories

    def save_story(self, state: StoryState) -> None:
        self._exec(
            f"INSERT OR REPLACE INTO stories({STORY_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            story_values(state),
        )
        with self._lock:
            # Until the story has an analysis its entities are the clusterer's mention counts.
            if self.get_analysis(state.id) is None:
                self._index_story(state.id, state.title, list(state.entity_counts))

    def set_membership(self, assignment: StoryAssignment) -> None:
        self._exec(
            "INSERT OR REPLACE INTO story_members(article_id, story_id, score, evidence, joined_at) VALUES (?,?,?,?,?)",
            (assignment.article_id, assignment.story_id, assignment.score, assignment.evidence, now()),
        )

    def move_members(self, from_story: str, to_story: str, note: str = "") -> None:
        """Every member of one story into another (a merge), `note` appended to each member's evidence."""
        self._exec(
            "UPDATE story_members SET story_id = ?, evidence = evidence || ? WHERE story_id = ?",
            (to_story, note, from_story),
        )

    def link_stories(self, a: str, b: str, score: float, evidence: str) -> None:
        """Record that two stories are events of one storyline (the newer record of a pair wins)."""
        a, b = sorted((a, b))
        self._exec(
            "INSERT OR REPLACE INTO story_links(story_a, story_b, score, evidence) VALUES (?,?,?,?)",
            (a, b, score, evidence),
        )

    # ------------------------------------------------------------ analyses

    def put_analysis(self, analysis: StoryAnalysis) -> None:
        story_id = analysis.story_id
        with self._lock:
            self._exec(
                "INSERT OR REPLACE INTO analyses(story_id, data, updated_at) VALUES (?,?,?)",
                (story_id, analysis_json(analysis), now()),
            )
            self._index_story(story_id, analysis.title, entity_names(analysis))

    # ------------------------------------------------------------ search

    def _index_story(self, story_id: str, title: str, entities: list[str]) -> None:
        # FTS5 does not index story_id, so a delete by it scans the whole table on every save; a rowid
        # derived from the id keeps re-indexing one story a keyed delete however many stories exist.
        rowid = _search_rowid(story_id)
        with self._lock:
            self._exec("DELETE FROM search_stories WHERE rowid = ?", (rowid,))
            self._exec(
                "INSERT INTO search_stories(rowid, story_id, title, entities) VALUES (?,?,?,?)",
                (rowid, story_id, title, " · ".join(entities)),
            )

    def _backfill_search(self) -> None:
        """Index a store written before search existed (once; later writes keep the index in sync)."""
        done = self._query("SELECT value FROM meta WHERE key = 'search_version'")
        if done and done[0]["value"] == SEARCH_VERSION:
            return
        with self.transaction():
            self._exec("DELETE FROM search_articles")
            self._exec(
                "INSERT INTO search_articles(article_id, title, text)"
                " SELECT id, coalesce(title, ''), text FROM articles"
            )
            self._exec("DELETE FROM search_stories")
            for row in self._query("SELECT id, title, entity_counts FROM stories"):
                analysis = self.get_analysis(row["id"])
                if analysis is not None:
                    self._index_story(row["id"], analysis.title, entity_names(analysis))
                else:
                    self._index_story(row["id"], row["title"], list(json.loads(row["entity_counts"])))
            self._exec(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('search_version', ?)", (SEARCH_VERSION,)
            )

    def _forget_search(self, article_id: str) -> None:
        self._exec("DELETE FROM search_articles WHERE article_id = ?", (article_id,))

    def _forget_story_search(self, story_id: str) -> None:
        self._exec("DELETE FROM search_stories WHERE rowid = ?", (_search_rowid(story_id),))

    def search_terms(self, start: str, min_chars: int, max_chars: int) -> list[tuple[str, int]]:
        rows = self._query(
            "SELECT term, doc FROM temp.search_vocab WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ?",
            (start, start + "\U0010ffff", min_chars, max_chars),
        )
        return [(r["term"], int(r["doc"])) for r in rows]

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Stories (by title and entities) and articles (by title and text) matching every word, best first.

        Hits on stories that were merged away are reported under the story they now live in.
        """
        query = fts_query(text)
        if query is None:
            return []
        limit = max(1, min(int(limit), 200))
        try:
            story_rows = self._query(
                "SELECT story_id, title, snippet(search_stories, -1, ?, ?, '…', 10) AS snip,"
                " bm25(search_stories, 0.0, 5.0, 1.0) AS rank"
                " FROM search_stories WHERE search_stories MATCH ? ORDER BY rank LIMIT ?",
                (HIT_START, HIT_END, query, limit),
            )
            article_rows = self._query(
                "SELECT s.article_id, s.title, snippet(search_articles, -1, ?, ?, '…', 14) AS snip,"
                " bm25(search_articles, 0.0, 5.0, 1.0) AS rank, m.story_id"
                " FROM search_articles s LEFT JOIN story_members m ON m.article_id = s.article_id"
                " WHERE search_articles MATCH ? ORDER BY rank LIMIT ?",
                (HIT_START, HIT_END, query, limit),
            )
        except sqlite3.OperationalError as exc:  # fts_query quotes every term, so this is a bug, not input
            raise StoreError(f"search for {text[:80]!r} failed: {exc}") from exc
        return self._hits(story_rows, article_rows)

    # ------------------------------------------------------------ stage completion

    def mark_done(self, stage: str, items: Iterable[str]) -> None:
        """Record that `stage` finished for `items` (call it in the transaction that writes their output)."""
        at = now()
        with self._lock:
            self._conn.executemany(
                "INSERT OR REPLACE INTO stage_done(stage, item, done_at) VALUES (?,?,?)",
                [(stage, item, at) for item in dict.fromkeys(items)],
            )

    def claim_done(self, stage: str, items: Iterable[str]) -> list[str]:
        at = now()
        won = []
        with self._lock:
            for item in dict.fromkeys(items):
                inserted = self._conn.execute(
                    "INSERT OR IGNORE INTO stage_done(stage, item, done_at) VALUES (?,?,?)", (stage, item, at)
                ).rowcount
                if inserted:
                    won.append(item)
        return won

    def forget_done(self, stage: str, items: Iterable[str]) -> None:
        """`stage` must run again for `items` (their input changed)."""
        with self._lock:
            self._conn.executemany(
                "DELETE FROM stage_done WHERE stage = ? AND item = ?", [(stage, item) for item in set(items)]
            )

    # ------------------------------------------------------------ site boilerplate memory

    def site_line_counts(self, site: str, line_hashes: Iterable[str]) -> dict[str, int]:
        hashes = list(set(line_hashes))
        if not hashes:
            return {}
        rows = self._query_in(
            "SELECT line_hash, article_count FROM site_lines WHERE site = ? AND line_hash IN ({marks})",
            hashes,
            (site,),
        )
        return {r["line_hash"]: r["article_count"] for r in rows}

    def add_site_line_counts(self, site: str, counts: Mapping[str, int]) -> None:
        """Add to the number of articles of `site` that carry each line (`clean.site.SiteMemory.drain`; a
        forgotten article's lines come back negative; no count goes below zero)."""
        for h, n in counts.items():
            if n < 0:
                self._exec(
                    "UPDATE site_lines SET article_count = MAX(0, article_count + ?) WHERE site = ? AND line_hash = ?",
                    (n, site, h),
                )
                continue
            self._exec(
                "INSERT INTO site_lines(site, line_hash, article_count) VALUES (?,?,?)"
                " ON CONFLICT(site, line_hash) DO UPDATE SET article_count = article_count + excluded.article_count",
                (site, h, n),
            )
