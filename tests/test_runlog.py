"""The run log: what each `analyze` run changed, with why; `newsprism changes`, the changes page, the feeds."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from click.testing import CliRunner

from newsprism import runlog
from newsprism.cli import main
from newsprism.pipeline import analyze
from newsprism.records import Change, ClaimGroup, Evidence, StoryAssignment, StoryState
from newsprism.report import views
from newsprism.store import SQLiteStore
from newsprism.web import make_server

from .conftest import split_sample
from .test_web import get

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_store_keeps_runs_and_their_changes_in_order(store):
    assert store.runs() == [] and store.changes() == []
    first = store.begin_run()
    store.add_changes(
        first, [Change("story_new", "s1", "new story “A”"), Change("story_new", "s2", "new story “B”")]
    )
    store.end_run(first, articles_read=3, articles_new=2, rejected=1, stories_analysed=2)
    second = store.begin_run()
    store.add_changes(
        second,
        [
            Change(
                "claim_status",
                "s1",
                "claim now corroborated",
                "2 sources",
                "c1",
                "single_source",
                "corroborated",
            )
        ],
    )
    store.add_changes(second, [Change("article_joined", "s2", "“x” joined “B”", "score 1.9", subject="a9")])
    assert (first, second) == (1, 2)
    runs = store.runs()
    assert [(r.id, r.articles_read, r.changes) for r in runs] == [(2, 0, 2), (1, 3, 2)]
    assert runs[0].finished_at is None and runs[1].finished_at is not None  # run 2 never said it ended
    assert [(c.run, c.seq, c.kind) for c in store.changes()] == [
        (2, 2, "article_joined"), (2, 1, "claim_status"), (1, 2, "story_new"), (1, 1, "story_new"),
    ]  # fmt: skip
    claim = store.changes(since_run=1, story_ids=["s1"])
    assert [(c.subject, c.before, c.after) for c in claim] == [("c1", "single_source", "corroborated")]
    assert store.changes(since="2999-01-01") == [] and len(store.changes(since="2000-01-01", limit=3)) == 3
    assert store.changes(story_ids=[]) == []
    # a story's changes include those of the stories merged into it
    zero = np.zeros(4, dtype=np.float32)
    store.save_story(StoryState("s1", "A", zero, 2, None, None))
    store.save_story(StoryState("s2", "B", zero, 1, None, None, closed=True, merged_into="s1"))
    assert sorted(store.merged_ids("s1")) == ["s1", "s2"] and store.merged_ids("s2") == ["s2"]


def _assignment(article, story, evidence="score 1.9"):
    return StoryAssignment(article, story, 1.0, evidence)


def test_filing_says_which_stories_are_new_and_which_articles_joined_with_why():
    live = {"s1": "s1", "s2": "s2", "gone": "s1"}.get
    titles = {"s1": "Old story", "s2": "New story"}.get
    changes = runlog.filing_changes(
        [
            _assignment("a1", "s2"),
            _assignment("a2", "s2"),
            _assignment("a3", "gone", "score 2.1 with story s1"),
        ],
        existed={"s1"},
        live=live,
        story_title=titles,
        article_title={"a1": "First", "a2": "Second", "a3": "Third report"},
        label={"a1": "Daily", "a2": "Weekly", "a3": "Third report"},
    )
    assert [(c.kind, c.story_id, c.subject) for c in changes] == [
        ("story_new", "s2", None),
        ("article_joined", "s1", "a3"),
    ]
    assert changes[0].text == "new story “New story”: 2 articles (Daily, Weekly)"
    # the source is labelled by its title here: it is named once
    assert (changes[1].text, changes[1].why) == (
        "“Third report” joined “Old story”",
        "score 2.1 with story s1",
    )


def test_a_merge_of_an_earlier_story_is_recorded_with_why_and_one_founded_this_run_is_not():
    moves = [
        ("s_old", "s_big", "merged at batch end: mean score 0.71"),
        ("s_new", "s_big", "merged as a fragment"),
    ]
    titles = {"s_old": "Shutdown day 3", "s_big": "Shutdown"}.get
    changes = runlog.merge_changes(moves, {"s_old", "s_big"}, lambda s: "s_big", titles)
    assert [(c.kind, c.story_id, c.subject) for c in changes] == [("story_merged", "s_big", "s_old")]
    assert changes[0].text == "story “Shutdown day 3” (s_old) merged into “Shutdown”"
    assert changes[0].why == "merged at batch end: mean score 0.71"


def _claim(cid, status, *spans, reason=""):
    evidence = tuple(Evidence(a, s, e, "") for a, s, e in spans)
    return ClaimGroup(cid, f"claim {cid}", tuple(dict.fromkeys(a for a, _, _ in spans)), status, evidence,
                      reason=reason)  # fmt: skip


def test_a_claim_whose_group_gained_a_source_is_matched_by_its_sentences_not_its_id():
    before = [
        _claim("c1", "single_source", ("a1", 0, 40)),
        _claim("c2", "corroborated", ("a1", 50, 90), ("a2", 0, 30)),
    ]
    after = [
        _claim("c9", "corroborated", ("a1", 0, 40), ("a3", 5, 60), reason="2 independent sources"),  # c1 + a new source
        _claim("c2", "corroborated", ("a1", 50, 90), ("a2", 0, 30)),  # unchanged
        _claim("c7", "single_source", ("a3", 100, 140)),  # new: no status moved
    ]  # fmt: skip
    changes = runlog.claim_changes("s1", before, after)
    assert [(c.subject, c.before, c.after) for c in changes] == [("c9", "single_source", "corroborated")]
    assert changes[0].text == "claim now corroborated, was single source: “claim c9”"
    assert changes[0].why == "2 independent sources"
    assert runlog.claim_changes("s1", None, after) == []  # a new story's claims moved from nothing


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The sample story read in two runs: one article, then the other four."""
    work = tmp_path_factory.mktemp("runs")
    one, rest = split_sample(work)
    db = work / "n.db"
    first = analyze([one], db=db, out=work / "report")
    second = analyze([rest], db=db, out=work / "report")
    again = analyze([rest], db=db, out=None)
    return {"db": db, "results": (first, second, again), "out": work / "report"}


def test_each_run_records_what_it_changed(two_runs):
    first, second, again = two_runs["results"]
    assert (first.run, second.run, again.run) == (1, 2, 3)
    assert first.changed == (("story_new", 1),)
    changed = dict(second.changed)
    assert changed["article_joined"] == 4 and changed.get("story_new", 0) == 0
    assert changed["claim_status"] >= 1  # claims the first article carried alone now have a second source
    assert again.changed == ()  # the same input again changes nothing
    store = SQLiteStore(two_runs["db"])
    try:
        joined = store.changes(since_run=1, story_ids=store.story_ids())
        assert all(c.run == 2 for c in joined)
        moved = [c for c in joined if c.kind == "claim_status"]
        assert all(
            c.before == "single_source" and c.after in {"corroborated", "contested", "unconfirmed"}
            for c in moved
        )
        assert all("joined" in c.text and "score" in c.why for c in joined if c.kind == "article_joined")
        runs = store.runs()
        assert [r.id for r in runs] == [3, 2, 1] and runs[0].articles_read == 4 and runs[0].articles_new == 0
    finally:
        store.close()


def test_changes_command_lists_a_range_and_refuses_a_bad_bound(two_runs):
    runner = CliRunner()
    db = str(two_runs["db"])
    last = runner.invoke(main, ["changes", "--db", db])
    assert last.exit_code == 0 and last.output.startswith("run 3 ·") and "0 changes" in last.output
    every = runner.invoke(main, ["changes", "--db", db, "--since", "0"])
    lines = every.output.splitlines()
    assert lines[0].startswith("run 1 ·") and "story_new" in lines[1]
    assert any(line.startswith("run 2 ·") for line in lines) and "article_joined" in every.output
    bad = runner.invoke(main, ["changes", "--db", db, "--since", "last week"])
    assert bad.exit_code == 2 and "neither a run number nor an ISO date" in bad.output
    missing = runner.invoke(main, ["changes", "--db", db, "--story", "nope"])
    assert missing.exit_code == 2 and "no story 'nope'" in missing.output


def test_changes_page_and_atom_feeds_of_the_store_and_of_a_story(two_runs):
    store = SQLiteStore(two_runs["db"])
    srv = make_server(store, port=0)
    srv.start_background()
    try:
        status, _, body = get(srv, "/changes")
        assert status == 200 and b"Run 2" in body and b"article joined" in body
        page = views.changes_page(store, since="1")
        assert [r["id"] for r in page["runs"]] == [3, 2]
        assert [c["seq"] for c in page["runs"][1]["changes"]] == sorted(
            c["seq"] for c in page["runs"][1]["changes"]
        )
        story_id = store.story_ids()[0]
        for path in ["/changes.atom", f"/changes.atom?story={story_id}"]:
            status, headers, body = get(srv, path)
            assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
            feed = ET.fromstring(body)  # well-formed XML
            entries = feed.findall(f"{ATOM}entry")
            assert len(entries) == len(store.changes()) and len(
                {e.findtext(f"{ATOM}id") for e in entries}
            ) == len(entries)
            link = entries[0].find(f"{ATOM}link").get("href")
            assert link == f"{srv.url}/story/{story_id}"
        assert get(srv, "/changes.atom?story=nope")[0] == 404
        assert get(srv, "/changes?story=nope")[0] == 404
        status, _, body = get(srv, "/changes?since=whenever")
        assert status == 200 and b"neither a run number nor an ISO date" in body
    finally:
        srv.shutdown()
        srv.server_close()
        store.close()
    assert "Run 2" in (two_runs["out"] / "changes.html").read_text(encoding="utf-8")  # the static report too


def test_feed_text_drops_characters_xml_cannot_hold():
    from newsprism.report.html import xml_text

    assert xml_text("a\x00b\x0bc\ufffe\ud800d\te") == "abcd\te"


def test_analyze_ends_by_counting_what_its_run_changed(tmp_path, sample_dir):
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(sorted(sample_dir.iterdir())[0], one)
    result = CliRunner().invoke(
        main, ["analyze", str(one), "--db", str(tmp_path / "n.db"), "--out", str(tmp_path / "r")]
    )
    assert result.exit_code == 0, result.output
    assert "run 1: 1 new story (newsprism changes --db" in result.output
