"""Stores written by earlier versions open and upgrade in place; a run finishes what an earlier one left undone.

tests/fixtures/store-schema1-seed-story.db.gz is the sample story as commit 6484a08 stored it (schema 1, no
migrations yet): `newsprism analyze examples/seed-story --db ...` on that commit, then VACUUM and gzip.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from newsprism.errors import StoreError
from newsprism.pipeline import Pipeline, analyze
from newsprism.records import ArticleExtraction
from newsprism.report.build import build_report
from newsprism.store import SQLiteStore, open_store
from newsprism.store import sqlite as sqlite_module

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "seed-story"


@pytest.fixture
def old_store(tmp_path) -> Path:
    path = tmp_path / "old.db"
    with gzip.open(FIXTURES / "store-schema1-seed-story.db.gz") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def _comparable(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in ("generated_at", "schema_version")}


def test_a_store_written_before_migrations_upgrades_and_keeps_its_report(old_store):
    raw = sqlite3.connect(old_store)
    assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
    raw.close()
    store = SQLiteStore(old_store)
    assert store.schema_version() == sqlite_module.SCHEMA_VERSION
    # what the old store had finished is recorded as finished: nothing is redone
    ids = [a.id for a in store.articles()]
    assert len(ids) == 5 and store.unfinished("stories", after="extract") == []
    assert store.undone("analysis", store.story_ids()) == []
    before = build_report(store)
    result = Pipeline(store).run([])
    assert result.story_ids == () and result.assignments == ()
    assert _comparable(build_report(store)) == _comparable(before)
    store.close()


def _without_aliases(report: dict) -> dict:
    return {**report, "articles": [{**a, "aliases": []} for a in report["articles"]]}


def test_reading_the_same_files_into_an_upgraded_store_changes_nothing(old_store, tmp_path):
    store = SQLiteStore(old_store)
    before = _comparable(build_report(store))
    old_ids = [a["id"] for a in before["articles"]]
    store.close()
    result = analyze([SAMPLE], db=old_store, out=None)
    assert result.ingest.new_ids == ()
    # each file is its stored article, under the old id (ids used to hash the clean text)
    assert sorted(a.id for a in result.ingest.articles) == sorted(old_ids)
    store = SQLiteStore(old_store)
    after = _comparable(build_report(store))
    assert _without_aliases(after) == before
    # the files' own ids (raw content hashes) are recorded as aliases of the old ones, and resolve to them
    aliases = {a["id"]: a["aliases"] for a in after["articles"]}
    assert all(len(found) == 1 for found in aliases.values())
    assert all(store.resolve_article(found[0]) == old for old, found in aliases.items())
    store.close()
    # read a third time, every file is known by its own id before it is cleaned: nothing at all changes
    again = analyze([SAMPLE], db=old_store, out=None)
    assert again.ingest.new_ids == () and sorted(a.id for a in again.ingest.articles) == sorted(old_ids)
    store = SQLiteStore(old_store)
    assert _comparable(build_report(store)) == after
    store.close()


def test_a_store_from_a_newer_version_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "new.db"
    SQLiteStore(path).close()
    _sql(path, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer newsprism.*schema 99"):
        SQLiteStore(path)


def test_a_failed_migration_leaves_the_store_as_it_was(old_store, monkeypatch):
    broken = {
        **sqlite_module._MIGRATIONS,
        2: (
            "a step that fails halfway",
            "CREATE TABLE stage_done (x TEXT);\nINSERT INTO no_such_table VALUES (1);",
        ),
    }
    monkeypatch.setattr(sqlite_module, "_MIGRATIONS", broken)
    with pytest.raises(StoreError, match="from schema 1 to 2 .a step that fails halfway.*unchanged"):
        SQLiteStore(old_store)
    raw = sqlite3.connect(old_store)
    assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
    assert not raw.execute("SELECT name FROM sqlite_master WHERE name = 'stage_done'").fetchall()
    raw.close()


def test_a_sqlite_file_that_is_not_a_store_is_refused(tmp_path):
    path = tmp_path / "other.db"
    _sql(path, "CREATE TABLE notes (x TEXT)")
    with pytest.raises(StoreError, match="other.db"):
        SQLiteStore(path)


def _sql(path: Path, statement: str) -> None:
    """Change a store file behind the store's back, as another program or version would."""
    raw = sqlite3.connect(path)
    raw.execute(statement)
    raw.commit()
    raw.close()


def _docs(n: int = 3):
    from newsprism.ingest import read_inputs

    return list(read_inputs([SAMPLE]))[:n]


def test_articles_stored_by_a_run_that_stopped_before_clustering_are_clustered_next_time(monkeypatch):
    store = open_store(":memory:")
    Pipeline(store).ingest(_docs())  # the run stopped here
    assert len(store.unfinished("stories", after="extract")) == 3 and store.story_ids() == []
    result = Pipeline(store).run([])
    assert len(result.assignments) == 3 and store.unfinished("stories", after="extract") == []
    assert result.story_ids and store.undone("analysis", store.story_ids()) == []
    assert all(store.get_analysis(s) for s in store.story_ids())


def test_a_story_whose_analysis_fails_is_reported_and_retried(monkeypatch):
    store = open_store(":memory:")
    from newsprism import pipeline

    real = pipeline.analysis_of

    def failing(job, generator=None):
        raise ValueError("a bug in one stage")

    monkeypatch.setattr(pipeline, "analysis_of", failing)
    result = Pipeline(store).run(_docs())
    assert result.partial_failure and result.story_ids == ()
    story = store.story_ids()[0]
    assert (
        result.failed[0].input == f"story {story}"
        and "ValueError: a bug in one stage" in result.failed[0].reason
    )
    assert [r.input for r in store.rejections()] == [f"story {story}"]
    assert store.get_analysis(story) is None and store.undone("analysis", [story]) == [story]

    monkeypatch.setattr(pipeline, "analysis_of", real)
    again = Pipeline(store).run([])  # nothing new: the undone analysis is finished
    assert again.story_ids == (story,) and not again.partial_failure
    assert store.rejections() == [] and store.get_analysis(story) is not None


def test_stage_completion_is_written_with_the_output(monkeypatch):
    store = open_store(":memory:")

    def no_extraction(articles):
        raise RuntimeError("parser crashed")

    monkeypatch.setattr("newsprism.extract.extract_articles", no_extraction)
    with pytest.raises(RuntimeError):
        Pipeline(store).ingest(_docs(2))
    assert store.article_count() == 0 and store.unfinished("stories", after="extract") == []
    monkeypatch.setattr(
        "newsprism.extract.extract_articles", lambda arts: [ArticleExtraction(a.id) for a in arts]
    )
    Pipeline(store).ingest(_docs(2))
    assert len(store.unfinished("stories", after="extract")) == 2


def test_report_json_names_its_schema_version(tmp_path):
    analyze([SAMPLE], db=tmp_path / "s.db", out=tmp_path / "out")
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "report.schema.json").read_text())
    assert report["schema_version"] == max(int(v) for v in schema["x-changelog"])


def _break_the_timeline(monkeypatch, message: str) -> None:
    from newsprism import stages

    def broken_timeline(material):
        raise ValueError(message)

    broken = tuple(
        dataclasses.replace(s, run=broken_timeline) if s.name == "timeline" else s
        for s in stages.STORY_STAGES
    )
    monkeypatch.setattr(stages, "STORY_STAGES", broken)


def test_a_failing_stage_leaves_the_rest_of_the_story_and_is_retried(monkeypatch):
    _break_the_timeline(monkeypatch, "a date the parser cannot take")
    store = open_store(":memory:")
    result = Pipeline(store).run(_docs())
    story = result.story_ids[0]
    analysis = store.get_analysis(story)
    assert analysis.timeline == () and analysis.claims and analysis.brief
    assert analysis.incomplete == ("timeline: failed (ValueError: a date the parser cannot take)",)
    assert result.partial_failure and [r.input for r in store.rejections()] == [f"story {story}"]
    assert store.undone("analysis", [story]) == [story]

    monkeypatch.undo()
    again = Pipeline(store).run([])
    assert again.story_ids == (story,) and store.rejections() == []
    assert store.get_analysis(story).timeline and store.get_analysis(story).incomplete == ()


def test_stages_that_read_a_failed_output_are_skipped():
    from newsprism import stages

    def fails(material):
        raise RuntimeError("boom")

    chain = (
        stages.StoryStage("first", fails, ("material",), ("a",), (0,)),
        stages.StoryStage("second", lambda a: a + 1, ("a",), ("b",), (-1,)),
        stages.StoryStage("third", lambda material: 3, ("material",), ("c",), (0,)),
    )
    values, incomplete = stages.run_stages({"material": None}, chain)
    assert (values["a"], values["b"], values["c"]) == (0, -1, 3)
    assert incomplete == ("first: failed (RuntimeError: boom)", "second: skipped, it needs a")


def test_the_story_page_says_which_parts_are_missing(monkeypatch, tmp_path):
    from newsprism.report import write_report

    _break_the_timeline(monkeypatch, "a <date> the parser cannot take")
    store = open_store(":memory:")
    Pipeline(store).run(_docs())
    write_report(store, tmp_path)
    page = next(tmp_path.glob("story-*.html")).read_text(encoding="utf-8")
    assert "Parts of this story are missing: timeline: failed (ValueError: a &lt;date&gt; the parser" in page


def test_two_processes_opening_an_old_store_at_once_both_get_the_upgraded_store(old_store):
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        versions = pool.map(_open_and_report_version, [str(old_store)] * 2)
    assert versions == [sqlite_module.SCHEMA_VERSION] * 2


def _open_and_report_version(path: str) -> int:
    store = SQLiteStore(path)
    try:
        return store.schema_version()
    finally:
        store.close()


def _packed(*profiles: tuple[list[int], list[float]]) -> np.ndarray:
    """Profiles as rows were packed before schema 4: their lengths, then each one's ids and weights."""
    head = [float(len(ids)) for ids, _ in profiles]
    body = [float(x) for ids, weights in profiles for x in (*ids, *weights)]
    return np.array(head + body, dtype=np.float32)


def test_schema_4_moves_every_packed_layout_that_shipped_into_tables(tmp_path):
    """A story's profiles were packed into one row of 4, 5, 6 or 7 profiles (the layout guessed from the row's
    size), or kept one row per profile before that; a member's evidence likewise. Each reads back the same."""
    store = SQLiteStore(tmp_path / "n.db")
    terms, day, people = ([5, 9], [1.0, 2.0]), ([3], [1.0]), ([11, 12], [0.5, 0.5])
    vector = np.array([0.6, 0.8], dtype=np.float32)
    rows = {
        ("s4", "story_profile"): _packed(terms, ([], []), ([], []), ([], [])),
        ("s7", "story_profile"): _packed(
            terms, ([], []), ([], []), ([2019], [1.0]), day, people, ([7], [3.0])
        ),
        ("s1", "story_terms"): _packed(terms)[1:],  # one profile per row: ids, then weights
        ("m4", "cluster_member"): np.concatenate(
            [np.array([2013, 2], dtype=np.float32), vector, _packed(terms, ([], []), ([], []), day)]
        ),
        ("m1", "cluster_vector"): vector,
        ("m1", "cluster_terms"): _packed(terms)[1:],
        ("m1", "cluster_anchor"): np.array([2009], dtype=np.float32),
        ("__stories__", "term_df"): np.array([4, 0, 2, 0, 1], dtype=np.float32),
    }
    with store.transaction():
        for (owner, kind), array in rows.items():
            store.put_vectors(owner, kind, array)
        store._move_legacy_state()
    stored = store.story_terms(["s4", "s7", "s1"])
    assert stored["s4"]["terms"][0].tolist() == [5, 9] and set(stored["s4"]) == {
        "terms",
        "entities",
        "years",
        "anchors",
    }
    assert stored["s7"]["people"][0].tolist() == [11, 12] and stored["s7"]["marks"][1].tolist() == [3.0]
    assert stored["s7"]["anchors"][0].tolist() == [2019] and stored["s1"]["terms"][1].tolist() == [1.0, 2.0]
    anchor, got, parts = store.member_evidence("m4")
    assert (
        anchor == 2013 and got.tolist() == pytest.approx([0.6, 0.8]) and parts["weekdays"][0].tolist() == [3]
    )
    anchor, got, parts = store.member_evidence("m1")
    assert anchor == 2009 and parts["terms"][0].tolist() == [5, 9] and set(parts) == {"terms"}
    documents, buckets, counts = store.term_frequencies()
    assert documents == 4 and buckets.tolist() == [1, 3] and counts.tolist() == [2, 1]
    assert all(store.get_vectors(owner, kind) is None for owner, kind in rows)


def test_the_clusterer_continues_from_the_upgraded_store(old_store, tmp_path):
    """The schema-1 fixture holds packed profiles, member evidence and the 4 MB frequencies row: after the
    upgrade the clusterer loads the same state from the new tables."""
    from newsprism.stories import StoryClusterer

    raw = sqlite3.connect(old_store)
    (documents_before,) = raw.execute("SELECT length(data) FROM vectors WHERE kind = 'term_df'").fetchone()
    raw.close()
    store = SQLiteStore(old_store)
    clusterer = StoryClusterer(store, write=lambda changes: None)
    assert documents_before == 4 * ((1 << 20) + 1)
    assert clusterer.frequencies.documents == 5 and int(clusterer.frequencies.df.sum()) > 100
    assert clusterer.open_stories() and all(
        len(clusterer._profiles_of[s.id].terms) for s in clusterer.open_stories()
    )
    member = clusterer._member(store.articles()[0].id)
    assert member is not None and member.vector.shape == (384,) and len(member.terms) > 10
