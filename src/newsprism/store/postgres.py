"""The PostgreSQL store: the same tables, records and behaviour as the SQLite one, on a server that several
runs (and machines) share.

Open it with a URL (`newsprism analyze ... --db postgresql://user@host/dbname`); the tables live in the
URL's schema (`?options=-csearch_path%3Dnews` picks one; `public` otherwise). It needs psycopg 3
(`pip install 'newsprism[postgres]'`).

Several runs may write one database at once. Three rules keep that safe:
- every write transaction first takes a transaction-scoped advisory lock of the store, so two batches
  never interleave (no deadlock between batches that touch the same rows in another order); a batch's
  write is milliseconds beside the seconds of cleaning, embedding and parsing that precede it, which run in
  parallel;
- the story stage (filing articles in stories and analysing the stories that changed) runs under a
  session-scoped advisory lock, one run at a time, and a run that finds another run's story stage has
  finished since its own reads the stories afresh: two runs never found one event twice;
- an article is filed once: the story stage files only articles that no run has filed yet
  (`undone("stories", ...)`), and picks up articles other runs stored but have not filed.
A run that dies releases both locks with its connection.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..errors import MissingExtra, StoreError
from ..records import Article, ArticleExtraction, Rejection, StoryAnalysis, StoryAssignment, StoryState
from ..text.ids import text_key
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
    fold,
    now,
    shown,
    story_values,
    term_blobs,
    vector_blob,
    vectors_blob,
)
from .sqlite import SCHEMA_VERSION

log = logging.getLogger(__name__)

# Words of the articles' search documents with the articles holding each (SQLite's fts5vocab gives the same).
_SEARCH_TERMS = """
CREATE TABLE search_terms (term TEXT PRIMARY KEY, documents INTEGER NOT NULL);
"""

# The tables at schema SCHEMA_VERSION. A PostgreSQL store starts there (it did not exist before schema 4);
# _MIGRATIONS takes one from there, as sqlite._MIGRATIONS does, and each migration is written for both.
# `seq` keeps the order rows were written (SQLite's rowid, which INSERT OR REPLACE renews: a replaced row
# takes a new `seq`), so that both stores hand records back in the same order. Text columns that order
# results are compared byte by byte (COLLATE "C"), as SQLite does, whatever the database's locale.
_SCHEMA = (
    """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE SEQUENCE row_order;
CREATE TABLE articles (
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
    added_at TEXT NOT NULL,
    text_key TEXT,
    seq BIGINT NOT NULL DEFAULT nextval('row_order'),
    document TSVECTOR
);
CREATE INDEX articles_text_key ON articles(text_key);
CREATE INDEX articles_url ON articles(url);
CREATE INDEX articles_order ON articles(added_at COLLATE "C", seq);
CREATE INDEX articles_search ON articles USING GIN (document);
CREATE TABLE article_aliases (
    alias TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    source TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX article_aliases_article ON article_aliases(article_id);
CREATE TABLE rejected (input TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE vectors (
    article_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    data BYTEA NOT NULL,
    rows INTEGER NOT NULL,
    PRIMARY KEY (article_id, kind)
);
CREATE TABLE extractions (article_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    centroid BYTEA NOT NULL,
    size INTEGER NOT NULL,
    first_date TEXT,
    last_date TEXT,
    entity_counts TEXT NOT NULL DEFAULT '{}',
    closed INTEGER NOT NULL DEFAULT 0,
    merged_into TEXT,
    updated_at TEXT NOT NULL,
    seq BIGINT NOT NULL DEFAULT nextval('row_order')
);
CREATE INDEX stories_live ON stories(seq) WHERE merged_into IS NULL;
CREATE TABLE story_members (
    article_id TEXT PRIMARY KEY,
    story_id TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    evidence TEXT NOT NULL,
    joined_at TEXT NOT NULL
);
CREATE INDEX story_members_story ON story_members(story_id);
CREATE TABLE story_links (
    story_a TEXT NOT NULL,
    story_b TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (story_a, story_b)
);
CREATE TABLE analyses (story_id TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE story_search (story_id TEXT PRIMARY KEY, title TEXT NOT NULL, entities TEXT NOT NULL,
    document TSVECTOR NOT NULL);
CREATE INDEX story_search_document ON story_search USING GIN (document);
CREATE TABLE site_lines (
    site TEXT NOT NULL,
    line_hash TEXT NOT NULL,
    article_count INTEGER NOT NULL,
    PRIMARY KEY (site, line_hash)
);
CREATE TABLE stage_done (
    stage TEXT NOT NULL,
    item TEXT NOT NULL,
    done_at TEXT NOT NULL,
    seq BIGINT NOT NULL DEFAULT nextval('row_order'),
    PRIMARY KEY (stage, item)
);
CREATE INDEX stage_done_order ON stage_done(stage, done_at COLLATE "C", seq);
CREATE TABLE story_terms (
    story_id TEXT NOT NULL,
    part TEXT NOT NULL,
    ids BYTEA NOT NULL,
    weights BYTEA NOT NULL,
    PRIMARY KEY (story_id, part)
);
CREATE TABLE member_evidence (article_id TEXT PRIMARY KEY, anchor INTEGER NOT NULL, vector BYTEA NOT NULL);
CREATE TABLE member_terms (
    article_id TEXT NOT NULL,
    part TEXT NOT NULL,
    ids BYTEA NOT NULL,
    weights BYTEA NOT NULL,
    PRIMARY KEY (article_id, part)
);
CREATE TABLE term_frequencies (bucket INTEGER PRIMARY KEY, documents BIGINT NOT NULL);
"""
    + RUN_LOG_SCHEMA
    + _SEARCH_TERMS
    + CORRECTIONS_SCHEMA
)
_TABLES = (
    "meta",
    "articles",
    "article_aliases",
    "rejected",
    "vectors",
    "extractions",
    "stories",
    "story_members",
    "story_links",
    "analyses",
    "story_search",
    "site_lines",
    "stage_done",
    "story_terms",
    "member_evidence",
    "member_terms",
    "term_frequencies",
    "runs",
    "changes",
    "search_terms",
    "corrections",
)
# Numbered migrations after SCHEMA_VERSION 4, each (what it does, its SQL), run like sqlite._MIGRATIONS.
_MIGRATIONS: dict[int, tuple[str, str]] = {
    5: ("the run log: each run and what it changed (runs, changes)", RUN_LOG_SCHEMA),
    6: (
        "the vocabulary of the articles' text, for typo-tolerant search (search_terms)",
        _SEARCH_TERMS
        + "INSERT INTO search_terms(term, documents) SELECT word, ndoc FROM ts_stat('SELECT document FROM articles');",
    ),
    7: ("an editor's corrections, applied by every later analysis until undone", CORRECTIONS_SCHEMA),
}

# The advisory locks of a store: (class, the schema's hash). hashtext keeps stores in two schemas of one
# database apart.
_WRITE_LOCK, _STORY_STAGE_LOCK = 7_302_001, 7_302_002

# Search: words are folded (accents dropped, as SQLite's remove_diacritics does) before PostgreSQL's
# 'simple' configuration indexes them; a title weighs five times the text, as in the SQLite store.
_RANK_WEIGHTS = "{0.2, 0.2, 0.2, 1.0}"  # D (text, entities), C, B, A (title)
_MAX_QUERY_TERMS = 12
_MAX_TERM_CHARS = 40
_HEADLINE = f"StartSel={HIT_START}, StopSel={HIT_END}, MaxFragments=1, MinWords=5, ShortWord=0, MaxWords="


def tsquery(text: str) -> str | None:
    """A user's words as a safe to_tsquery argument: letters and digits only (never an operator), every
    word required, the last a prefix; None when the text holds no word."""
    terms = re.findall(r"[^\W_]+", fold(text[:1000]))[:_MAX_QUERY_TERMS]
    if not terms:
        return None
    terms = [t[:_MAX_TERM_CHARS] for t in terms]
    return " & ".join([*terms[:-1], terms[-1] + ":*"])


def _one_line(exc: BaseException) -> str:
    """A server's message (libpq's run over several lines) as one line of an error."""
    return " ".join(str(exc).split())


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise MissingExtra("a postgresql:// store", "newsprism[postgres]") from exc
    return psycopg


class PostgresStore(SharedLogic):
    """A store in a PostgreSQL database at `location` (a postgresql:// URL or libpq connection string).

    `schema`: keep the tables in this schema (created if missing) instead of the URL's; `drop_on_close`
    drops that schema when the store closes (tests, snapshots)."""

    _mark = "%s"
    _no_limit = None
    _bytewise = ' COLLATE "C"'
    _arrival = "seq"

    def __init__(self, location: str, schema: str | None = None, drop_on_close: bool = False):
        psycopg = _psycopg()
        from psycopg.rows import dict_row

        self.location = location
        self._psycopg = psycopg
        self._lock = threading.RLock()
        self._depth = 0
        self._drop_on_close = drop_on_close
        self._story_runs_seen: int | None = None
        try:
            self._conn = psycopg.connect(location, autocommit=True, row_factory=dict_row)
            if schema is not None:
                if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
                    raise StoreError(f"{schema!r}: a schema name is lower-case letters, digits and _")
                self._create_schema(schema)
            self.schema = self._conn.execute("SELECT current_schema() AS s").fetchone()["s"]
            if self.schema is None:  # the URL's search_path names a schema that does not exist yet
                self.schema = self._create_first_schema()
            self._key = self._conn.execute("SELECT hashtext(%s) AS k", (self.schema,)).fetchone()["k"]
            self._create_or_migrate()
        except psycopg.Error as exc:
            raise StoreError(
                f"{shown(location)}: cannot open as a newsprism store ({_one_line(exc)}); check the URL, the server"
                " and the user's rights"
            ) from exc

    def _create_first_schema(self) -> str:
        path = self._conn.execute("SHOW search_path").fetchone()["search_path"]
        first = path.split(",")[0].strip().strip('"')
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", first):
            raise StoreError(
                f"{shown(self.location)}: the search path ({path}) names no schema newsprism can create;"
                " name one of lower-case letters, digits and _"
            )
        self._create_schema(first)
        return first

    def _create_schema(self, name: str) -> None:
        """Create the schema `name` (a checked identifier) if missing and work in it. IF NOT EXISTS is not
        enough when two runs open a new store at once: the slower one's insert collides, and the schema is
        there, which is all it wanted."""
        errors = self._psycopg.errors
        try:
            self._conn.execute(f"CREATE SCHEMA IF NOT EXISTS {name}")
        except (errors.UniqueViolation, errors.DuplicateSchema):
            pass
        self._conn.execute(f"SET search_path TO {name}")

    def _quoted_schema(self) -> str:
        """The schema's name as SQL (a search path the user chose may name one that needs quoting)."""
        from psycopg import sql

        return sql.Identifier(self.schema).as_string(self._conn)

    def close(self) -> None:
        if self._conn.closed:
            return
        if self._drop_on_close:
            self._conn.execute(f"DROP SCHEMA IF EXISTS {self._quoted_schema()} CASCADE")
        self._conn.close()

    # ------------------------------------------------------------ schema

    def _create_or_migrate(self) -> None:
        with self.transaction():  # the write lock: two processes opening a new store create it once
            version = self._schema_version()
            if version is None:
                self._conn.execute(_SCHEMA)
                self._conn.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', %s)", (str(SCHEMA_VERSION),)
                )
                return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{shown(self.location)}: written by a newer newsprism (store schema {version}; this"
                f" version reads up to {SCHEMA_VERSION}); upgrade newsprism to open it"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            what, script = _MIGRATIONS[number]
            try:
                with self.transaction():
                    if (self._schema_version() or 0) >= number:
                        continue  # another process upgraded it while this one waited for the lock
                    self._conn.execute(script)
                    self._conn.execute(
                        "UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(number),)
                    )
            except self._psycopg.Error as exc:
                raise StoreError(
                    f"{shown(self.location)}: cannot upgrade the store from schema {number - 1} to"
                    f" {number} ({what}): {_one_line(exc)}; the store is unchanged"
                ) from exc

    def _schema_version(self) -> int | None:
        found = self._conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'meta'",
            (self.schema,),
        ).fetchone()
        if found is None:
            others = self._conn.execute(
                "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = %s", (self.schema,)
            ).fetchone()["n"]
            if others and self.schema != "public":
                raise StoreError(
                    f"{shown(self.location)}: schema {self.schema} holds tables that are not a newsprism"
                    " store; choose another schema"
                )
            return None
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row["value"]) if row else None

    def schema_version(self) -> int:
        with self._lock:
            return self._schema_version() or SCHEMA_VERSION

    def data_version(self) -> str:
        """Changes whenever a transaction that wrote anything commits, on any connection: the server's
        snapshot (running and finished transaction ids). Writes elsewhere on the server change it too,
        which costs a page cache a needless refresh, never a stale page."""
        with self._lock:
            return self._conn.execute("SELECT pg_current_snapshot()::text AS v").fetchone()["v"]

    def snapshot(self) -> PostgresStore:
        """A copy in a new schema of the same database, dropped when the copy closes."""
        copy = PostgresStore(
            self.location, schema=f"newsprism_snapshot_{secrets.token_hex(6)}", drop_on_close=True
        )
        with self._lock, copy.transaction():
            for table in _TABLES:
                columns = ", ".join(
                    r["column_name"]
                    for r in copy._conn.execute(
                        "SELECT column_name FROM information_schema.columns"
                        " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                        (copy.schema, table),
                    )
                )
                copy._conn.execute(f"DELETE FROM {table}")
                copy._conn.execute(
                    f"INSERT INTO {table}({columns}) SELECT {columns} FROM {self._quoted_schema()}.{table}"
                )
            last = self._conn.execute("SELECT last_value FROM row_order").fetchone()["last_value"]
            copy._conn.execute("SELECT setval('row_order', %s)", (last,))
        return copy

    # ------------------------------------------------------------ runs and transactions

    @contextmanager
    def writer(self) -> Iterator[None]:
        """Several runs may write a PostgreSQL store at once (see the module's notes): nothing to hold."""
        yield

    @contextmanager
    def story_stage(self) -> Iterator[bool]:
        """Hold the store's story stage, waiting while another run holds it; yields True when another run's
        story stage finished since this store's last (what the caller knows of the stories is stale).

        The lock is held by a connection of its own, so that it outlives the transactions of the stage and
        goes with the process if it dies."""
        psycopg = self._psycopg
        holder = psycopg.connect(self.location, autocommit=True)
        try:
            if not holder.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (_STORY_STAGE_LOCK, self._key)
            ).fetchone()[0]:
                log.info("waiting for another run's story stage to finish")
                holder.execute("SELECT pg_advisory_lock(%s, %s)", (_STORY_STAGE_LOCK, self._key))
            runs = self._story_runs()
            stale = self._story_runs_seen is not None and runs != self._story_runs_seen
            finished = False
            try:
                yield stale
                finished = True
            finally:
                with self.transaction():
                    self._exec(
                        "INSERT INTO meta(key, value) VALUES ('story_stage_runs', %s)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (str(runs + 1),),
                    )
                # after a failure what this process holds in memory may differ from the store: read afresh
                self._story_runs_seen = runs + 1 if finished else None
        finally:
            holder.close()

    def _story_runs(self) -> int:
        rows = self._query("SELECT value FROM meta WHERE key = 'story_stage_runs'")
        return int(rows[0]["value"]) if rows else 0

    def _begin(self) -> None:
        """A transaction holds the store's write lock from its first statement to its end (see above)."""
        self._conn.execute("BEGIN")
        try:
            self._conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_WRITE_LOCK, self._key))
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def _many(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        rows = list(rows)
        if rows:
            with self._lock:
                self._conn.cursor().executemany(sql, rows)

    # ------------------------------------------------------------ articles

    def add_article(self, article: Article) -> bool:
        """Store an article; False when an article with this id was already stored."""
        with self.transaction():
            added = (
                self._exec(
                    f"INSERT INTO articles({ARTICLE_COLUMNS}, document) VALUES"
                    " (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"
                    " setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'D'))"
                    " ON CONFLICT (id) DO NOTHING",
                    (
                        *article_values(article, text_key(article.text)),
                        fold(article.title or ""),
                        fold(article.text),
                    ),
                )
                == 1
            )
            if added:  # its words join the vocabulary that typo-tolerant search corrects against
                self._exec(
                    "INSERT INTO search_terms(term, documents) SELECT word, 1"
                    " FROM ts_stat(format('SELECT document FROM articles WHERE id = %%L', %s::text))"
                    " ON CONFLICT (term) DO UPDATE SET documents = search_terms.documents + 1",
                    (article.id,),
                )
        return added

    def resolve_article(self, article_id: str) -> str | None:
        rows = self._query(
            "SELECT id FROM articles WHERE id = %s"
            " UNION ALL (SELECT article_id FROM article_aliases WHERE alias = %s) LIMIT 1",
            (article_id, article_id),
        )
        return rows[0]["id"] if rows else None

    def add_alias(self, alias: str, article_id: str, source: str) -> None:
        self._exec(
            "INSERT INTO article_aliases(alias, article_id, source, added_at) VALUES (%s,%s,%s,%s)"
            " ON CONFLICT (alias) DO NOTHING",
            (alias, article_id, source, now()),
        )

    def aliases(self, ids: Iterable[str] | None = None) -> dict[str, list[str]]:
        order = ' ORDER BY added_at COLLATE "C", alias COLLATE "C"'
        if ids is None:
            rows = self._query("SELECT alias, article_id FROM article_aliases" + order)
        else:
            rows = self._query(
                "SELECT alias, article_id FROM article_aliases WHERE article_id = ANY(%s)" + order,
                (list(ids),),
            )
        out: dict[str, list[str]] = {}
        for r in rows:
            out.setdefault(r["article_id"], []).append(r["alias"])
        return out

    def articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        columns = ARTICLE_COLUMNS
        if ids is None:
            rows = self._query(f'SELECT {columns} FROM articles ORDER BY added_at COLLATE "C", seq')
            return [article_from(r) for r in rows]
        wanted = list(ids)
        found = {
            r["id"]: article_from(r)
            for r in self._query(f"SELECT {columns} FROM articles WHERE id = ANY(%s)", (wanted,))
        }
        return [found[i] for i in wanted if i in found]

    # ------------------------------------------------------------ rejections

    def add_rejections(self, rejections: Iterable[Rejection]) -> None:
        at = now()
        self._many(
            "INSERT INTO rejected(input, reason, at) VALUES (%s,%s,%s)"
            " ON CONFLICT (input) DO UPDATE SET reason = excluded.reason, at = excluded.at",
            ((r.input, r.reason, at) for r in rejections),
        )

    def clear_line_rejections(self, files: Iterable[str]) -> None:
        self._many(
            "DELETE FROM rejected WHERE left(input, %s) = %s",
            ((len(prefix), prefix) for prefix in (f"{f}#L" for f in files)),
        )

    # ------------------------------------------------------------ vectors and extractions

    def put_vectors(self, article_id: str, kind: str, vectors: np.ndarray) -> None:
        self._exec(
            "INSERT INTO vectors(article_id, kind, data, rows) VALUES (%s,%s,%s,%s)"
            " ON CONFLICT (article_id, kind) DO UPDATE SET data = excluded.data, rows = excluded.rows",
            (article_id, kind, *vectors_blob(vectors)),
        )

    def put_extraction(self, extraction: ArticleExtraction) -> None:
        self._exec(
            "INSERT INTO extractions(article_id, data) VALUES (%s,%s)"
            " ON CONFLICT (article_id) DO UPDATE SET data = excluded.data",
            (extraction.article_id, extraction_json(extraction)),
        )

    # ------------------------------------------------------------ the story clusterer's state

    def _replace_terms(self, table: str, owner_column: str, owner: str, parts: Mapping[str, Terms]) -> None:
        with self.transaction():
            self._exec(f"DELETE FROM {table} WHERE {owner_column} = %s", (owner,))
            self._many(
                f"INSERT INTO {table}({owner_column}, part, ids, weights) VALUES (%s,%s,%s,%s)",
                [(owner, part, *term_blobs(terms)) for part, terms in parts.items()],
            )

    def put_member_evidence(
        self, article_id: str, anchor: int, vector: np.ndarray, parts: Mapping[str, Terms]
    ) -> None:
        with self.transaction():
            self._exec(
                "INSERT INTO member_evidence(article_id, anchor, vector) VALUES (%s,%s,%s)"
                " ON CONFLICT (article_id) DO UPDATE SET anchor = excluded.anchor, vector = excluded.vector",
                (article_id, int(anchor), vector_blob(vector)),
            )
            self._replace_terms("member_terms", "article_id", article_id, parts)

    def put_term_frequencies(self, documents: int, buckets: np.ndarray, counts: np.ndarray) -> None:
        with self.transaction():
            self._many(
                "INSERT INTO term_frequencies(bucket, documents) VALUES (%s,%s)"
                " ON CONFLICT (bucket) DO UPDATE SET documents = excluded.documents",
                zip(np.asarray(buckets).tolist(), np.asarray(counts).astype(np.int64).tolist(), strict=True),
            )
            self._exec(
                "INSERT INTO meta(key, value) VALUES ('frequency_documents', %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(int(documents)),),
            )

    def term_frequencies(self) -> tuple[int, np.ndarray, np.ndarray]:
        with self._lock:
            row = self._query("SELECT value FROM meta WHERE key = 'frequency_documents'")
            pairs = self._conn.execute("SELECT bucket, documents FROM term_frequencies").fetchall()
        table = np.array([(p["bucket"], p["documents"]) for p in pairs], dtype=np.int64).reshape(-1, 2)
        return (int(row[0]["value"]) if row else 0), table[:, 0], table[:, 1]

    # ------------------------------------------------------------ stories

    def save_story(self, state: StoryState) -> None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in STORY_COLUMNS.split(", ")[1:])
        with self.transaction():
            self._exec(
                f"INSERT INTO stories({STORY_COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                f" ON CONFLICT (id) DO UPDATE SET {updates}, seq = nextval('row_order')",
                story_values(state),
            )
            # Until the story has an analysis its entities are the clusterer's mention counts.
            if self.get_analysis(state.id) is None:
                self._index_story(state.id, state.title, list(state.entity_counts))

    def set_membership(self, assignment: StoryAssignment) -> None:
        self._exec(
            "INSERT INTO story_members(article_id, story_id, score, evidence, joined_at) VALUES (%s,%s,%s,%s,%s)"
            " ON CONFLICT (article_id) DO UPDATE SET story_id = excluded.story_id, score = excluded.score,"
            " evidence = excluded.evidence, joined_at = excluded.joined_at",
            (assignment.article_id, assignment.story_id, assignment.score, assignment.evidence, now()),
        )

    def move_members(self, from_story: str, to_story: str, note: str = "") -> None:
        self._exec(
            "UPDATE story_members SET story_id = %s, evidence = evidence || %s WHERE story_id = %s",
            (to_story, note, from_story),
        )

    def link_stories(self, a: str, b: str, score: float, evidence: str) -> None:
        a, b = sorted((a, b))
        self._exec(
            "INSERT INTO story_links(story_a, story_b, score, evidence) VALUES (%s,%s,%s,%s)"
            " ON CONFLICT (story_a, story_b) DO UPDATE SET score = excluded.score, evidence = excluded.evidence",
            (a, b, score, evidence),
        )

    # ------------------------------------------------------------ analyses

    def put_analysis(self, analysis: StoryAnalysis) -> None:
        story_id = analysis.story_id
        with self.transaction():
            self._exec(
                "INSERT INTO analyses(story_id, data, updated_at) VALUES (%s,%s,%s)"
                " ON CONFLICT (story_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                (story_id, analysis_json(analysis), now()),
            )
            self._index_story(story_id, analysis.title, entity_names(analysis))

    # ------------------------------------------------------------ search

    def _index_story(self, story_id: str, title: str, entities: list[str]) -> None:
        joined = " · ".join(entities)
        self._exec(
            "INSERT INTO story_search(story_id, title, entities, document) VALUES (%s,%s,%s,"
            " setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'D'))"
            " ON CONFLICT (story_id) DO UPDATE SET title = excluded.title, entities = excluded.entities,"
            " document = excluded.document",
            (story_id, title, joined, fold(title), fold(joined)),
        )

    def _forget_search(self, article_id: str) -> None:
        self._exec(
            "UPDATE search_terms SET documents = documents - 1 FROM"
            " ts_stat(format('SELECT document FROM articles WHERE id = %%L', %s::text)) gone"
            " WHERE search_terms.term = gone.word",
            (article_id,),
        )
        self._exec("DELETE FROM search_terms WHERE documents <= 0")

    def _forget_story_search(self, story_id: str) -> None:
        self._exec("DELETE FROM story_search WHERE story_id = %s", (story_id,))

    def search_terms(self, start: str, min_chars: int, max_chars: int) -> list[tuple[str, int]]:
        rows = self._query(
            'SELECT term, documents FROM search_terms WHERE term COLLATE "C" >= %s AND term COLLATE "C" < %s'
            " AND length(term) BETWEEN %s AND %s",
            (start, start + "\U0010ffff", min_chars, max_chars),
        )
        return [(r["term"], int(r["documents"])) for r in rows]

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Stories (by title and entities) and articles (by title and text) matching every word, best first
        (PostgreSQL full-text search). Hits on stories merged away are reported under their survivor."""
        query = tsquery(text)
        if query is None:
            return []
        limit = max(1, min(int(limit), 200))
        try:
            story_rows = self._query(
                "SELECT story_id, title, ts_headline('simple', title || ' · ' || entities, q, %s) AS snip, rank"
                " FROM (SELECT s.*, q, -ts_rank(%s, document, q) AS rank FROM story_search s,"
                "       to_tsquery('simple', %s) q WHERE document @@ q ORDER BY rank LIMIT %s) best"
                " ORDER BY rank",
                (_HEADLINE + "10", _RANK_WEIGHTS, query, limit),
            )
            article_rows = self._query(
                "SELECT id AS article_id, title, ts_headline('simple', text, q, %s) AS snip, rank, m.story_id"
                " FROM (SELECT a.id, a.title, a.text, q, -ts_rank(%s, document, q) AS rank FROM articles a,"
                "       to_tsquery('simple', %s) q WHERE document @@ q ORDER BY rank LIMIT %s) best"
                " LEFT JOIN story_members m ON m.article_id = best.id ORDER BY rank",
                (_HEADLINE + "14", _RANK_WEIGHTS, query, limit),
            )
        except self._psycopg.Error as exc:  # tsquery admits only letters and digits, so this is a bug
            raise StoreError(f"search for {text[:80]!r} failed: {_one_line(exc)}") from exc
        return self._hits(story_rows, article_rows)

    # ------------------------------------------------------------ stage completion

    def mark_done(self, stage: str, items: Iterable[str]) -> None:
        at = now()
        self._many(
            "INSERT INTO stage_done(stage, item, done_at) VALUES (%s,%s,%s) ON CONFLICT (stage, item)"
            " DO UPDATE SET done_at = excluded.done_at, seq = nextval('row_order')",
            [(stage, item, at) for item in dict.fromkeys(items)],
        )

    def claim_done(self, stage: str, items: Iterable[str]) -> list[str]:
        wanted = list(dict.fromkeys(items))
        if not wanted:
            return []
        rows = self._query(
            "INSERT INTO stage_done(stage, item, done_at) SELECT %s, item, %s FROM unnest(%s::text[]) AS item"
            " ON CONFLICT (stage, item) DO NOTHING RETURNING item",
            (stage, now(), wanted),
        )
        won = {r["item"] for r in rows}
        return [item for item in wanted if item in won]

    def forget_done(self, stage: str, items: Iterable[str]) -> None:
        self._exec("DELETE FROM stage_done WHERE stage = %s AND item = ANY(%s)", (stage, list(set(items))))

    # ------------------------------------------------------------ site boilerplate memory

    def site_line_counts(self, site: str, line_hashes: Iterable[str]) -> dict[str, int]:
        hashes = list(set(line_hashes))
        if not hashes:
            return {}
        rows = self._query(
            "SELECT line_hash, article_count FROM site_lines WHERE site = %s AND line_hash = ANY(%s)",
            (site, hashes),
        )
        return {r["line_hash"]: r["article_count"] for r in rows}

    def add_site_line_counts(self, site: str, counts: Mapping[str, int]) -> None:
        # a forgotten article's lines come back negative; no count goes below zero
        self._many(
            "UPDATE site_lines SET article_count = GREATEST(0, article_count + %s) WHERE site = %s AND line_hash = %s",
            [(n, site, h) for h, n in sorted(counts.items()) if n < 0],
        )
        self._many(
            "INSERT INTO site_lines(site, line_hash, article_count) VALUES (%s,%s,%s) ON CONFLICT (site, line_hash)"
            " DO UPDATE SET article_count = site_lines.article_count + excluded.article_count",
            [(site, h, n) for h, n in sorted(counts.items()) if n >= 0],
        )
