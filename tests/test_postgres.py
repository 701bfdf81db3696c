"""What is PostgreSQL's own: the same report as SQLite, runs writing one database at once, clear errors.

The contract every store keeps (round trips, transactions, search) is in tests/test_store.py, which runs on
PostgreSQL too. These tests use the session's real server (tests/pg_server.py, the `postgres_url` fixture).
"""

import json
import os
import secrets
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import numpy as np
import psycopg
import pytest

from newsprism.errors import MissingExtra, StoreError
from newsprism.pipeline import Pipeline, analyze
from newsprism.records import Article, RawDocument, Rejection, StoryState
from newsprism.store import open_store
from newsprism.store.postgres import PostgresStore
from newsprism.store.sqlite import SCHEMA_VERSION


def _url_with_schema(url: str, schema: str) -> str:
    return f"{url}&options=-csearch_path%3D{schema}"


@pytest.fixture
def schema_url(postgres_url):
    """A postgresql:// URL whose search path names a new schema (created on first open, dropped after)."""
    schema = f"t_{secrets.token_hex(6)}"
    yield _url_with_schema(postgres_url, schema)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _comparable(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "generated_at"}


def test_the_sample_story_gives_the_same_report_on_postgresql(analysed_sample, schema_url, tmp_path):
    out = tmp_path / "report"
    analyze([analysed_sample["inputs"]], db=schema_url, out=out)
    on_postgres = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert _comparable(on_postgres) == _comparable(analysed_sample["report"])
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in analysed_sample["out"].iterdir())


def _documents(sample_dir: Path) -> list[RawDocument]:
    from newsprism.ingest import read_inputs

    return [d for d in read_inputs([sample_dir]) if isinstance(d, RawDocument)]


def test_a_run_reads_the_stories_another_run_filed_since(sample_dir, schema_url):
    """Pipeline A files two articles and keeps its clusterer; B (another connection) files two more in the
    same story; A then files the fifth. A must read B's work first, or it would write back its own stale
    copy of the story (two members, not four) and found or grow it wrongly."""
    docs = sorted(_documents(sample_dir), key=lambda d: d.source)
    with closing(open_store(schema_url)) as first, closing(open_store(schema_url)) as second:
        a, b = Pipeline(first), Pipeline(second)
        a.run(docs[:2])
        b.run(docs[2:4])
        a.run(docs[4:])
        stories = first.story_states(include_closed=True)
        members = {s.id: len(first.memberships(s.id)) for s in stories}
        assert first.article_count() == 5
        assert sum(members.values()) == 5
        assert all(s.size == members[s.id] for s in stories)
        assert len(stories) == 1  # one event: the five sample articles are one story, as in one run


def test_two_analyze_processes_at_once_lose_nothing_and_file_each_article_once(
    sample_dir, schema_url, tmp_path
):
    """Two `newsprism analyze` processes over overlapping halves of the sample story, at once. The test holds
    the story stage until both have stored their articles, so that both then queue for it."""
    files = sorted(p for p in sample_dir.iterdir() if p.is_file())
    halves = [tmp_path / "first", tmp_path / "second"]
    for folder, chosen in zip(halves, (files[:3], files[2:]), strict=True):
        folder.mkdir()
        for path in chosen:
            (folder / path.name).write_bytes(path.read_bytes())
    with closing(open_store(schema_url)) as watcher:
        with watcher.story_stage():
            runs = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "newsprism.cli",
                        "analyze",
                        str(folder),
                        "--db",
                        schema_url,
                        "--quiet",
                        "--out",
                        str(tmp_path / f"report-{folder.name}"),
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
                for folder in halves
            ]
            deadline = time.monotonic() + 240
            while len(watcher.unfinished("stories", after="extract")) < 5:  # all stored, none filed
                assert time.monotonic() < deadline, "the two runs did not store their articles"
                assert all(run.poll() is None for run in runs), [run.communicate() for run in runs]
                time.sleep(0.2)
            time.sleep(1)  # the later of the two is past its last batch and waits for the story stage
            assert all(run.poll() is None for run in runs)  # both wait for the story stage
        outcomes = [run.communicate(timeout=240) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outcomes
        assert watcher.article_count() == 5
        assert watcher.unfinished("stories", after="extract") == []
        stories = watcher.story_states(include_closed=True)
        assert len(stories) == 1 and len(watcher.memberships(stories[0].id)) == 5
        assert stories[0].size == 5
        assert watcher.undone("analysis", [stories[0].id]) == []


def test_an_unreachable_server_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match=r"cannot open as a newsprism store .*check the URL"):
        open_store(f"postgresql://nobody@/none?host={tmp_path}&connect_timeout=2")


def test_a_password_never_shows_in_an_error(tmp_path):
    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://user:s3cret@/none?host={tmp_path}&connect_timeout=2")
    assert "s3cret" not in str(caught.value) and "user:***@" in str(caught.value)


def test_without_psycopg_the_error_names_the_install_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingExtra, match=r"pip install 'newsprism\[postgres\]'"):
        open_store("postgresql://localhost/newsprism")


def test_a_store_from_a_newer_newsprism_is_refused(schema_url):
    with closing(open_store(schema_url)) as store:
        store._exec("UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreError, match="written by a newer newsprism"):
        open_store(schema_url)


def test_a_schema_holding_other_tables_is_refused(postgres_url):
    with closing(PostgresStore(postgres_url, schema="t_other_app", drop_on_close=True)) as store:
        store._exec("DROP TABLE meta")
        with pytest.raises(StoreError, match="not a newsprism store"):
            PostgresStore(postgres_url, schema="t_other_app")


def test_stores_in_two_schemas_are_apart(postgres_url):
    with (
        closing(PostgresStore(postgres_url, schema=f"t_{secrets.token_hex(6)}", drop_on_close=True)) as one,
        closing(PostgresStore(postgres_url, schema=f"t_{secrets.token_hex(6)}", drop_on_close=True)) as two,
    ):
        one.save_story(StoryState("s1", "One", np.zeros(4, dtype=np.float32), 1, None, None))
        assert [s.id for s in one.story_states()] == ["s1"] and two.story_states() == []
        with one.story_stage():
            with two.story_stage():  # another store's lock: no wait
                pass


def test_the_cli_lists_stories_and_rejects_from_postgresql(analysed_sample, schema_url):
    from click.testing import CliRunner

    from newsprism.cli import main

    analyze([analysed_sample["inputs"]], db=schema_url, out=None)
    listed = CliRunner().invoke(main, ["stories", "--db", schema_url])
    assert listed.exit_code == 0, listed.output
    assert len([line for line in listed.output.splitlines() if line.strip()]) >= 1
    assert CliRunner().invoke(main, ["rejects", "--db", schema_url]).exit_code == 0


def test_eval_keeps_its_working_stores_in_postgresql_and_scores_the_same(postgres_url, tmp_path):
    from click.testing import CliRunner

    from newsprism.cli import main
    from tests.conftest import ROOT

    dev = ROOT.parent / "shared" / "eval" / "clustering" / "ecbplus-dev.jsonl"  # read here, never copied
    data = tmp_path / "c.jsonl"
    data.write_text("".join(dev.read_text(encoding="utf-8").splitlines(keepends=True)[:24]), encoding="utf-8")
    in_memory = CliRunner().invoke(main, ["eval", "clustering", str(data), "--json"])
    on_postgres = CliRunner().invoke(main, ["eval", "clustering", str(data), "--json", "--db", postgres_url])
    assert in_memory.exit_code == 0 and on_postgres.exit_code == 0, on_postgres.output
    timings = ("seconds", "items_per_second")
    scores = [
        {k: v for k, v in json.loads(r.output.strip().splitlines()[-1]).items() if k not in timings}
        for r in (in_memory, on_postgres)
    ]
    assert scores[0] == scores[1] and scores[0]["b3_f1"] is not None
    with psycopg.connect(postgres_url) as conn:  # every scratch store dropped with its schema
        left = conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'scratch%%'").fetchone()[0]
    assert left == 0


def test_a_run_opening_a_store_whose_schema_another_run_is_creating_waits_and_opens_it(
    postgres_url, schema_url
):
    """CREATE SCHEMA IF NOT EXISTS waits for another transaction creating the same schema, then fails with a
    duplicate key when that one commits; the store takes the schema that is now there."""
    from concurrent.futures import ThreadPoolExecutor

    schema = schema_url.rsplit("%3D", 1)[1]
    creating = psycopg.connect(postgres_url)
    creating.execute(f"CREATE SCHEMA {schema}")  # not committed yet
    with ThreadPoolExecutor(1) as pool:
        opening = pool.submit(open_store, schema_url)
        time.sleep(1)  # the opening run now waits on the uncommitted schema
        creating.commit()
        creating.close()
        store = opening.result(timeout=60)
    try:
        assert store.schema_version() == SCHEMA_VERSION and store.article_count() == 0
    finally:
        store.close()


def test_a_store_at_schema_4_gains_the_run_log_search_vocabulary_and_corrections_in_place(schema_url):
    with closing(open_store(schema_url)) as store:
        store.add_rejections([Rejection("x.txt", "empty")])
        store.add_article(Article(id="a1", source="a.txt", text="Peter Strzok testified.", title="Hearing"))
        for table in ("runs", "changes", "search_terms", "corrections"):
            store._exec(f"DROP TABLE {table}")
        store._exec("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    with closing(open_store(schema_url)) as store:
        assert store.schema_version() == SCHEMA_VERSION == 7
        assert store.rejections() == [Rejection("x.txt", "empty")] and store.runs() == []
        assert store.begin_run() == 1
        assert store.search_terms("str", 6, 6) == [("strzok", 1)]  # backfilled from the stored articles
        assert store.corrected_query("Strzock") == "strzok"
        assert store.corrections() == []
