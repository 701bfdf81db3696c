"""An editor's corrections: kept as inputs, applied by every later analysis, undoable; CLI and web app."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from click.testing import CliRunner

from newsprism import corrections
from newsprism.cli import main
from newsprism.errors import CorrectionError
from newsprism.pipeline import analyze
from newsprism.records import Correction, corrections_in_force, parse_span
from newsprism.report.build import build_report
from newsprism.store import SQLiteStore
from newsprism.web import make_server

from . import conftest
from .test_web import get


def test_the_store_keeps_corrections_and_undoing_one_keeps_it_listed(store):
    first = store.add_correction(Correction("speaker", "a1:10-40", "Ann Lee", "a1", "s1", "said so", "ed"))
    second = store.add_correction(Correction("date", "a2", "2024-05-16", "a2", "s1"))
    assert (first.id, second.id) == (1, 2) and first.at and first.undone_at is None
    assert [c.id for c in store.corrections(["a2"])] == [2] and store.corrections([]) == []
    undone = store.undo_correction(1)
    assert undone.undone_at is not None and store.correction(1) == undone
    assert [c.id for c in store.corrections()] == [1, 2] and store.undo_correction(9) is None
    force = corrections_in_force(store.corrections())
    assert force.speakers == {} and force.published == {"a2": "2024-05-16"}


def test_the_later_correction_of_one_target_wins_and_spans_must_be_spans():
    force = corrections_in_force(
        [
            Correction("speaker", "a1:10-40", "Ann Lee", "a1"),
            Correction("speaker", "a1:10-40", None, "a1"),
            Correction("contradiction", "a1:0-9|a2:5-30", None, "a1"),
        ]
    )
    assert force.speakers == {("a1", 10, 40): None}
    assert force.not_contradictions == frozenset([frozenset([("a1", 0, 9), ("a2", 5, 30)])])
    with pytest.raises(ValueError, match="not a span"):
        parse_span("a1:40-10")


@pytest.fixture
def split_sample(tmp_path):
    """The sample story's first article analysed alone; the other four wait in `rest`."""
    one, _ = conftest.split_sample(tmp_path)
    db = tmp_path / "n.db"
    analyze([one], db=db, out=None)
    return tmp_path, db


def _quote_at(store, story_id, span):
    return next(
        q for q in corrections.story_quotes(store, story_id) if (q.article_id, q.start, q.end) == span
    )


def test_a_speaker_fix_applies_at_once_survives_the_next_run_and_undoes(split_sample):
    work, db = split_sample
    store = SQLiteStore(db)
    try:
        story = store.story_ids()[0]
        quotes = corrections.story_quotes(store, story)
        number = next(n for n, q in enumerate(quotes, 1) if q.speaker)
        span = (quotes[number - 1].article_id, quotes[number - 1].start, quotes[number - 1].end)
        original = quotes[number - 1].speaker
        stored, stories = corrections.apply(
            store, corrections.speaker_fix(store, story, number, "Dmitry Peskov", "ed")
        )
        assert stories == [story] and stored.target == f"{span[0]}:{span[1]}-{span[2]}"
        assert _quote_at(store, story, span).speaker == "Dmitry Peskov"
        assert _quote_at(store, story, span).attribution == "editor"
    finally:
        store.close()
    analyze([work / "rest"], db=db, out=None)  # four more articles join the story, which is analysed again
    store = SQLiteStore(db)
    try:
        story = store.resolve_story(story)
        assert len(store.get_analysis(story).article_ids) == 5
        assert _quote_at(store, story, span).speaker == "Dmitry Peskov"  # the correction is an input
        corrections.undo(store, stored.id)
        assert _quote_at(store, story, span).speaker == original
        removed, _ = corrections.apply(store, corrections.speaker_fix(store, story, number, None))
        quote = _quote_at(store, story, span)
        assert quote.speaker is None and quote.attribution == "editor" and removed.value is None
    finally:
        store.close()


def test_a_date_fix_reaches_the_analysis_and_the_story_dates_and_bad_corrections_are_refused(split_sample):
    _, db = split_sample
    store = SQLiteStore(db)
    try:
        article = store.articles()[0]
        story = store.story_of(article.id)
        span = (store.story_state(story).first_date, store.story_state(story).last_date)
        assert "2023-01-02" not in span
        fixed, _ = corrections.apply(store, corrections.date_fix(store, article.id, "2023-01-02"))
        assert corrections_in_force(store.corrections([article.id])).published == {article.id: "2023-01-02"}
        shown = {a["id"]: a["published"] for a in build_report(store)["articles"]}
        assert shown[article.id] == "2023-01-02"  # the report shows the date the editor gave
        assert store.story_state(story).first_date == "2023-01-02"  # later joins weigh the corrected date
        corrections.undo(store, fixed.id)
        assert (store.story_state(story).first_date, store.story_state(story).last_date) == span
        with pytest.raises(CorrectionError, match="not an ISO date"):
            corrections.date_fix(store, article.id, "yesterday")
        with pytest.raises(CorrectionError, match="no article 'nope'"):
            corrections.apply(store, Correction("date", "nope", "2024-01-01", "nope"))
        with pytest.raises(CorrectionError, match="no quote at"):
            corrections.apply(store, Correction("speaker", f"{article.id}:0-3", "X", article.id))
        with pytest.raises(CorrectionError, match="there is no quote 999"):
            corrections.speaker_fix(store, store.story_ids()[0], 999, "X")
        with pytest.raises(CorrectionError, match="no contradiction 1"):
            corrections.contradiction_fix(store, store.story_ids()[0], 1)
    finally:
        store.close()


def test_correct_and_corrections_commands(split_sample):
    _, db = split_sample
    runner = CliRunner()
    store = SQLiteStore(db)
    story = store.story_ids()[0]
    store.close()
    listing = runner.invoke(main, ["correct", "speaker", story, "--db", str(db)])
    assert listing.exit_code == 0 and listing.output.startswith("1\t")
    made = runner.invoke(main, ["correct", "speaker", story, "1", "--name", "Ann Lee", "--db", str(db)])
    assert made.exit_code == 0 and "correction 1 recorded; stories analysed again: " + story in made.output
    both = runner.invoke(main, ["correct", "speaker", story, "1", "--name", "X", "--remove", "--db", str(db)])
    assert both.exit_code == 2 and "--name NAME or --remove" in both.output
    listed = runner.invoke(main, ["corrections", "--db", str(db)])
    assert "\tspeaker\t" in listed.output and "Ann Lee\tin force" in listed.output
    undone = runner.invoke(main, ["corrections", "--undo", "1", "--db", str(db)])
    assert undone.exit_code == 0 and "correction 1 undone" in undone.output
    missing = runner.invoke(main, ["corrections", "--undo", "7", "--db", str(db)])
    assert missing.exit_code == 2 and "there is no correction 7" in missing.output


def _post(srv, path, form, cookie=None, origin="null", content_type="application/x-www-form-urlencoded"):
    headers = {"Content-Type": content_type, "Origin": origin}
    if cookie:
        headers["Cookie"] = cookie
    return get(srv, path, method="POST", headers=headers, body=urllib.parse.urlencode(form).encode())


def test_the_web_app_takes_a_correction_only_with_its_token_from_its_own_pages(split_sample):
    _, db = split_sample
    store = SQLiteStore(db)
    srv = make_server(store, port=0)
    srv.start_background()
    try:
        story = store.story_ids()[0]
        token = srv.edit_token
        assert b'form class="fix"' not in get(srv, f"/story/{story}")[2]  # locked: no forms
        assert get(srv, "/unlock?token=wrong")[0] == 403
        status, headers, _ = get(srv, f"/unlock?token={token}")
        assert (
            status == 303
            and "HttpOnly" in headers["Set-Cookie"]
            and "SameSite=Strict" in headers["Set-Cookie"]
        )
        cookie = headers["Set-Cookie"].split(";")[0]
        assert b'form class="fix"' in get(srv, f"/story/{story}", headers={"Cookie": cookie})[2]
        form = {"token": token, "kind": "speaker", "story": story, "number": "1", "name": "Ann Lee"}
        assert _post(srv, "/correct", form)[0] == 403  # no cookie: another page's forgery
        assert _post(srv, "/correct", {**form, "token": "x"}, cookie)[0] == 403
        assert _post(srv, "/correct", form, cookie, origin="http://evil.example")[0] == 403
        assert _post(srv, "/correct", form, cookie, content_type="text/plain")[0] == 415
        assert _post(srv, "/elsewhere", form, cookie)[0] == 405
        status, _, body = _post(srv, "/correct", {**form, "number": "999"}, cookie)
        assert status == 400 and b"there is no quote 999" in body
        status, _, body = _post(srv, "/correct", {**form, "number": "two"}, cookie)
        assert status == 400 and b"the form&#39;s number &#39;two&#39; is not a number" in body
        status, headers, _ = _post(srv, "/correct", form, cookie)
        assert status == 303 and headers["Location"] == f"/story/{story}"
        assert store.corrections()[0].value == "Ann Lee" and store.corrections()[0].author == "web app"
        status, _, body = get(srv, "/corrections", headers={"Cookie": cookie})
        assert status == 200 and b"Ann Lee" in body and b"Undo" in body
        assert _post(srv, "/undo", {"token": token, "number": "1"}, cookie)[0] == 303
        assert store.correction(1).undone_at is not None
    finally:
        srv.shutdown()
        srv.server_close()
        store.close()


def _grouped_together(store, story, spans):
    """Whether any claim group of the story holds two of these spans."""
    for group in store.get_analysis(story).claims:
        held = {(e.article_id, e.start, e.end) for e in group.evidence}
        if len(held & spans) > 1:
            return True
    return False


def test_a_claim_group_marked_not_one_claim_falls_apart_and_undoes(sample_db):
    db = sample_db
    store = SQLiteStore(db)
    try:
        (story,) = store.story_ids()
        listed = corrections.story_claims(store, story)
        assert listed and all(len(c.evidence) > 1 for c in listed)
        group = listed[0]
        spans = {(e.article_id, e.start, e.end) for e in group.evidence}
        with pytest.raises(CorrectionError, match="there is no claim 999"):
            corrections.claim_fix(store, story, 999)
        made, stories = corrections.apply(store, corrections.claim_fix(store, story, group.id, "two facts"))
        assert stories == [story] and not _grouped_together(store, story, spans)
        assert all(c.id != group.id for c in store.get_analysis(story).claims)
        corrections.undo(store, made.id)
        assert _grouped_together(store, story, spans)
    finally:
        store.close()
    runner = CliRunner()
    listing = runner.invoke(main, ["correct", "claim", story, "--db", str(db)])
    assert listing.exit_code == 0 and listing.output.startswith("1\t")
    marked = runner.invoke(main, ["correct", "claim", story, "1", "--db", str(db)])
    assert marked.exit_code == 0 and "correction 2 recorded" in marked.output
    assert "\tclaim\t" in runner.invoke(main, ["corrections", "--db", str(db)]).output


def test_the_web_app_marks_a_claim_group_as_not_one_claim(sample_db):
    db = sample_db
    store = SQLiteStore(db)
    srv = make_server(store, port=0)
    srv.start_background()
    try:
        cookie = get(srv, f"/unlock?token={srv.edit_token}")[1]["Set-Cookie"].split(";")[0]
        (story,) = store.story_ids()
        group = corrections.story_claims(store, story)[0]
        page = get(srv, f"/story/{story}", headers={"Cookie": cookie})[2]
        assert f'name="claim" value="{group.id}"'.encode() in page
        form = {"token": srv.edit_token, "kind": "claim", "story": story, "claim": group.id}
        status, headers, _ = _post(srv, "/correct", form, cookie)
        assert status == 303 and headers["Location"] == f"/story/{story}"
        spans = {(e.article_id, e.start, e.end) for e in group.evidence}
        assert not _grouped_together(store, story, spans)
        assert b"not one claim" in get(srv, "/corrections", headers={"Cookie": cookie})[2]
    finally:
        srv.shutdown()
        srv.server_close()
        store.close()


BRIDGE = (
    "The Harlow Street bridge in Vantor collapsed on Tuesday evening, killing three people and injuring twelve, city"
    " officials said. Mayor Ilse Marten said rescue teams searched the river overnight. Engineers had warned in"
    " March that the bridge needed urgent repairs, according to a city report."
)
BRIDGE_AGAIN = (
    "Three people died when the Harlow Street bridge in Vantor collapsed on Tuesday evening, and twelve were hurt,"
    " according to city officials. Mayor Ilse Marten said divers searched the river through the night. A city"
    " report in March had warned that the bridge needed urgent repairs."
)
VOTE = (
    "Voters in the island state of Corvala elected Petra Danes as president on Sunday, the electoral commission"
    " said. Danes won 54 percent of the vote against the incumbent, Marco Ruiz. Turnout was 71 percent, the"
    " commission added."
)


@pytest.fixture
def two_events(tmp_path):
    """A bridge collapse told by two outlets, and an election told by one: two stories."""
    rows = [
        {"title": "Harlow Street bridge collapses in Vantor", "text": BRIDGE, "published": "2024-05-07", "outlet": "Vantor Daily"},
        {"title": "Three dead as Vantor bridge falls", "text": BRIDGE_AGAIN, "published": "2024-05-07", "outlet": "River Post"},
        {"title": "Petra Danes wins Corvala presidency", "text": VOTE, "published": "2024-06-02", "outlet": "Island News"},
    ]  # fmt: skip
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "events.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
    )
    db = tmp_path / "n.db"
    analyze([tmp_path / "in"], db=db, out=None)
    store = SQLiteStore(db)
    by_size = sorted(store.story_ids(), key=lambda s: -len(store.memberships(s)))
    yield store, by_size[0], by_size[1], tmp_path
    store.close()


def _members(store):
    return {sid: sorted(m.article_id for m in store.memberships(sid)) for sid in store.story_ids()}


def test_moving_an_article_changes_both_stories_holds_in_the_next_run_and_undoes(two_events):
    store, bridge, vote, work = two_events
    moving = store.memberships(bridge)[1].article_id
    moved, stories = corrections.apply(store, corrections.move_fix(store, moving, vote, "wrong event", "ed"))
    assert set(stories) == {bridge, vote} and moved.story_id == bridge and moved.value == vote
    assert moving in _members(store)[vote] and len(_members(store)[bridge]) == 1
    assert store.get_analysis(vote).article_ids.count(moving) == 1  # both stories analysed again
    assert (
        "moved by an editor (ed): wrong event"
        in store.memberships(vote)[0].evidence + store.memberships(vote)[1].evidence
    )
    store.close()
    (work / "more").mkdir()
    row = {
        "title": "Corvala results confirmed",
        "text": VOTE.replace("on Sunday", "on Monday"),
        "published": "2024-06-03",
    }
    (work / "more" / "more.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    analyze([work / "more"], db=work / "n.db", out=None)
    store = SQLiteStore(work / "n.db")
    try:
        assert moving in _members(store)[store.resolve_story(vote)]  # a later run leaves the editor's move
        corrections.undo(store, moved.id)
        assert moving in _members(store)[store.resolve_story(bridge)]
    finally:
        store.close()


def test_merging_two_stories_makes_one_and_undoing_it_parts_them_under_their_old_ids(two_events):
    store, bridge, vote, _ = two_events
    before = _members(store)
    with pytest.raises(CorrectionError, match="already one story"):
        corrections.merge_fix(store, bridge, bridge)
    merged, stories = corrections.apply(store, corrections.merge_fix(store, bridge, vote, author="ed"))
    assert stories == [bridge] and merged.value == bridge and store.resolve_story(vote) == bridge
    assert merged.target == f"{bridge}|{vote}|{before[vote][0]}"  # what the absorbed story brought
    assert len(store.get_analysis(bridge).article_ids) == 3 and store.get_analysis(vote) is None
    assert any("merged by an editor (ed)" in m.evidence for m in store.memberships(bridge))
    undone, stories = corrections.undo(store, merged.id)
    assert undone.undone_at and set(stories) == {bridge, vote}
    assert store.resolve_story(vote) == vote and _members(store) == before  # the old link works again
    assert len(store.get_analysis(vote).article_ids) == 1
    assert len(store.get_analysis(bridge).article_ids) == 2


def test_splitting_articles_off_a_story_holds_in_the_next_run_and_undoing_merges_them_back(two_events):
    store, bridge, vote, work = two_events
    first, second = (m.article_id for m in store.memberships(bridge))
    with pytest.raises(CorrectionError, match="every article of story"):
        corrections.split_fix(store, bridge, [first, second])
    with pytest.raises(CorrectionError, match="is not in story"):
        corrections.split_fix(store, bridge, [store.memberships(vote)[0].article_id])
    split, stories = corrections.apply(
        store, corrections.split_fix(store, bridge, [second], "a different collapse", "ed")
    )
    made = split.value
    assert stories == [bridge, made] and split.story_id == bridge and made not in (bridge, vote)
    assert _members(store)[bridge] == [first] and _members(store)[made] == [second]
    assert store.get_analysis(made).article_ids == (second,)
    assert "split off by an editor (ed): a different collapse" in store.memberships(made)[0].evidence
    store.close()
    # a third report of the collapse arrives: the two parts of the split stay apart
    (work / "more").mkdir()
    row = {
        "title": "Vantor mourns bridge victims",
        "text": BRIDGE + " " + BRIDGE_AGAIN,
        "published": "2024-05-08",
    }
    (work / "more" / "more.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    analyze([work / "more"], db=work / "n.db", out=None)
    store = SQLiteStore(work / "n.db")
    try:
        assert store.resolve_story(made) == made and store.resolve_story(bridge) == bridge
        undone, stories = corrections.undo(store, split.id)
        assert undone.undone_at and stories == [bridge] and store.resolve_story(made) == bridge
        assert {first, second} <= set(_members(store)[bridge])
    finally:
        store.close()


def test_correct_split_and_its_undo_at_the_command_line(two_events):
    store, bridge, _, work = two_events
    db = work / "n.db"
    members = [m.article_id for m in store.memberships(bridge)]
    runner = CliRunner()
    split = runner.invoke(main, ["correct", "split", bridge, members[1], "--db", str(db)])
    assert split.exit_code == 0 and "correction 1 recorded; stories analysed again: " + bridge in split.output
    assert "\tsplit\t" in runner.invoke(main, ["corrections", "--db", str(db)]).output
    assert store.story_of(members[1]) != bridge
    everything = runner.invoke(main, ["correct", "split", bridge, members[0], "--db", str(db)])
    assert everything.exit_code == 2 and "every article of story" in everything.output
    assert runner.invoke(main, ["corrections", "--undo", "1", "--db", str(db)]).exit_code == 0
    assert sorted(m.article_id for m in store.memberships(bridge)) == sorted(members)


def test_the_web_app_moves_an_article_and_merges_stories_from_their_pages(two_events):
    store, bridge, vote, _ = two_events
    srv = make_server(store, port=0)
    srv.start_background()
    try:
        cookie = get(srv, f"/unlock?token={srv.edit_token}")[1]["Set-Cookie"].split(";")[0]
        moving = store.memberships(bridge)[1].article_id
        page = get(srv, f"/article/{moving}", headers={"Cookie": cookie})[2]
        assert b'name="kind" value="move"' in page and b'name="kind" value="date"' in page
        form = {"token": srv.edit_token, "kind": "move", "story": bridge, "article": moving, "to": vote}
        status, headers, _ = _post(srv, "/correct", form, cookie)
        assert status == 303 and headers["Location"] == f"/article/{moving}"
        assert store.story_of(moving) == vote
        status, _, body = _post(srv, "/correct", {**form, "to": "s-nope"}, cookie)
        assert status == 400 and b"no story &#39;s-nope&#39;" in body  # escaped in the page
        form = {"token": srv.edit_token, "kind": "merge", "story": vote, "other": bridge}
        status, headers, _ = _post(srv, "/correct", form, cookie)
        assert status == 303 and headers["Location"] in {f"/story/{vote}", f"/story/{bridge}"}
        assert len(store.story_ids()) == 1
        listing = get(srv, "/corrections", headers={"Cookie": cookie})[2]
        assert b"are one event" in listing and b"belongs to story" in listing
        (story,) = store.story_ids()
        page = get(srv, f"/story/{story}", headers={"Cookie": cookie})[2]
        assert b'name="kind" value="split"' in page and page.count(b'form="split-form"') == 3
        leaving = [m.article_id for m in store.memberships(story)][1:]
        form = [("token", srv.edit_token), ("kind", "split"), ("story", story)] + [
            ("article", a) for a in leaving
        ]
        status, headers, _ = _post(srv, "/correct", form, cookie)
        assert status == 303 and len(store.story_ids()) == 2
        made = headers["Location"].rsplit("/", 1)[1]
        assert sorted(m.article_id for m in store.memberships(made)) == sorted(leaving)
    finally:
        srv.shutdown()
        srv.server_close()
