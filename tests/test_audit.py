"""The real-story audit (newsprism.eval.audit): readers' tools, span labels, scoring, and the whole command on two
invented three-outlet events (tests/fixtures/audit/events.jsonl)."""

import json
import random
from pathlib import Path

import pytest

from newsprism.eval.audit.events import draw_events, read_events, render_event, view_sentences
from newsprism.eval.audit.kappa import agreement
from newsprism.eval.audit.labels import DraftError, build_labels, build_output_labels, load_gold, resolve_span
from newsprism.eval.audit.outputs import OffsetMap
from newsprism.eval.audit.score import same_person

DATA = Path(__file__).parent / "fixtures" / "audit" / "events.jsonl"

DRAFT_A = {
    "event": "ev-bridge",
    "reader": "a",
    "articles": {
        "A": {
            "quotes": [
                {
                    "s": "A.2",
                    "text": "“We cannot wait another winter,”",
                    "speaker": "Ana Lopez",
                    "side": None,
                },
                {
                    "s": "A.4",
                    "text": "“This is money … do not have,”",
                    "speaker": "Tom Reed",
                    "side": "Republican",
                },
            ],
            "entities": [
                {"name": "Ana Lopez", "referent": "Ana Lopez", "type": "PERSON"},
                {"name": "Ms. Lopez", "referent": "Ana Lopez", "type": "PERSON"},
                {"name": "Tom Reed", "referent": "Tom Reed", "type": "PERSON"},
                {"name": "Riverton", "referent": "Riverton", "type": "PLACE"},
                {"name": "RIVERTON", "referent": "Riverton", "type": "PLACE"},
                {"name": "Harbor Bridge", "referent": "Harbor Bridge", "type": "PLACE"},
                {"name": "Priya Shah", "referent": "Priya Shah", "type": "PERSON"},
            ],
            "dates": [
                {"s": "A.1", "text": "on Tuesday", "date": "2031-03-04", "role": "event"},
                {"s": "A.5", "text": "in 2029", "date": "2029", "role": "background"},
                {"s": "A.6", "text": "in May", "date": "2031-05", "role": "scheduled"},
            ],
            "reuse": [],
        },
        "B": {
            "quotes": [
                {
                    "s": "B.3",
                    "text": '"We cannot wait another winter,"',
                    "speaker": "Ana Lopez",
                    "side": "Democratic",
                }
            ],
            "entities": [
                {"name": "Ana Lopez", "referent": "Ana Lopez", "type": "PERSON"},
                {"name": "Tom Reed", "referent": "Tom Reed", "type": "PERSON"},
            ],
            "dates": [{"s": "B.1", "text": "on Tuesday", "date": "2031-03-04", "role": "event"}],
            "reuse": [],
        },
    },
    "facts": [
        {"gist": "Council voted 7-2 to spend $40m on the bridge", "s": ["A.1", "B.1", "C.1", "C.2"]},
        {"gist": "Lopez: cannot wait another winter", "s": ["A.2", "B.3", "C.3"]},
        {"gist": "Shop sales fell a third (only B)", "s": ["B.6"]},
    ],
}


@pytest.fixture(scope="module")
def events():
    return read_events(DATA)


def test_view_sentences_keep_abbreviations_whole():
    text = "Mr. Reed met Sen. Ames in the U.S. capital on Jan. 3. They spoke.\n\nA new paragraph."
    sentences = [text[s.start : s.end] for s in view_sentences("A", text)]
    assert sentences == [
        "Mr. Reed met Sen. Ames in the U.S. capital on Jan. 3.",
        "They spoke.",
        "A new paragraph.",
    ]


def test_draw_is_seeded_and_seals_a_subset():
    ids = [f"e{k}" for k in range(50)]
    first, second = (
        draw_events(ids, seed=5, n=25, sealed=10),
        draw_events(list(reversed(ids)), seed=5, n=25, sealed=10),
    )
    assert first == second
    open_ids, sealed = first
    assert len(open_ids) == 15 and len(sealed) == 10 and not set(open_ids) & set(sealed)


def test_render_numbers_every_sentence(events):
    view = render_event(events["ev-bridge"])
    assert "[A.1] RIVERTON" in view and "=== ARTICLE C: Metro Wire" in view


def test_build_keeps_spans_and_anchors_not_text(events, tmp_path):
    labels = build_labels(DRAFT_A, events["ev-bridge"])
    article = events["ev-bridge"].article("A")
    quote = labels["articles"][article.id]["quotes"][1]
    start, end, anchor = quote["span"]
    assert article.text[start:end] == "“This is money we do not have,”"
    assert len(anchor.split()) <= 6 and article.text[start:end].startswith(anchor)
    assert labels["facts"][0]["spans"].keys() == {a.id for a in events["ev-bridge"].articles}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(labels))
    gold = load_gold(path, events["ev-bridge"])
    assert [q.speaker for q in gold.articles[article.id].quotes] == ["Ana Lopez", "Tom Reed"]
    assert not gold.dropped


def test_build_names_the_failing_label(events):
    draft = json.loads(json.dumps(DRAFT_A))
    draft["articles"]["A"]["quotes"][0]["text"] = "words nobody wrote"
    with pytest.raises(DraftError, match="A quotes\\[0\\].*not in article A"):
        build_labels(draft, events["ev-bridge"])
    draft = json.loads(json.dumps(DRAFT_A))
    draft["articles"]["A"]["dates"][0]["role"] = "someday"
    with pytest.raises(DraftError, match="role must be one of"):
        build_labels(draft, events["ev-bridge"])


def test_span_follows_its_anchor_when_the_text_moves():
    text = "Intro. He said “we will win this” today."
    span = resolve_span("NEW LINE\n\n" + text, [15, 33, "“we will win this”"])
    assert span is not None and ("NEW LINE\n\n" + text)[span.start : span.end] == "“we will win this”"
    assert resolve_span("Nothing left here.", [15, 33, "“we will win this”"]) is None


def test_offset_map_skips_a_removed_title_line():
    data = "Headline Here\n\nFirst sentence. Second one."
    clean = "First sentence. Second one."
    m = OffsetMap(clean, data)
    assert data[m(16) : m(27)] == "Second one."


def test_same_person_reads_titles_and_surnames():
    assert same_person("Trump", "Donald J. Trump")
    assert same_person("Robert Mueller", "Robert S. Mueller III")
    assert same_person("Hillary Rodham Clinton", "Hillary Clinton")
    assert same_person("Tim Murray", "Timothy Murray")
    assert same_person("the Washington Post’s editorial board", "The Washington Post editorial board")
    assert not same_person("Donald Trump", "Melania Trump")
    assert not same_person("Mitt Romney", "Todd Akin")
    assert not same_person(None, "Todd Akin")


def test_readers_who_agree_have_kappa_one(events, tmp_path):
    labels = build_labels(DRAFT_A, events["ev-bridge"])
    path = tmp_path / "a.json"
    path.write_text(json.dumps(labels))
    gold = load_gold(path, events["ev-bridge"])
    result = agreement({"a": {"ev-bridge": gold}, "b": {"ev-bridge": gold}}, {}, events)["a-b"]
    assert result["quote_speaker"]["kappa"] == 1.0
    assert result["quote_span"]["positive_agreement"] == 1.0


def test_output_labels_refuse_unknown_keys():
    export = {"event": "e", "items": [{"key": "k1", "kind": "brief"}]}
    ok = build_output_labels(
        export, {"reader": "a", "labels": {"k1": {"label": "wrong", "problems": ["loaded"]}}}
    )
    assert ok["labels"]["k1"]["kind"] == "brief"
    with pytest.raises(DraftError, match="not an output"):
        build_output_labels(export, {"reader": "a", "labels": {"zz": {"label": "correct"}}})
    with pytest.raises(DraftError, match="unknown problems"):
        build_output_labels(
            export, {"reader": "a", "labels": {"k1": {"label": "wrong", "problems": ["ugly"]}}}
        )


def test_audit_command_scores_open_and_sealed_side_by_side(events, tmp_path):
    from click.testing import CliRunner

    from newsprism.cli import main

    labels = tmp_path / "labels"
    for reader in ("a", "b"):
        folder = labels / "gold" / reader
        folder.mkdir(parents=True)
        draft = json.loads(json.dumps(DRAFT_A))
        draft["reader"] = reader
        if reader == "b":
            draft["articles"]["A"]["quotes"][1]["speaker"] = "Ana Lopez"  # a disagreement
        (folder / "ev-bridge.json").write_text(json.dumps(build_labels(draft, events["ev-bridge"])))
    (labels / "events.json").write_text(json.dumps({"open": ["ev-bridge"], "sealed": ["ev-school"]}))
    export = tmp_path / "export"
    result = CliRunner().invoke(
        main, ["eval", "audit", str(DATA), "--labels", str(labels), "--export-outputs", str(export), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert set(report["runs"]) == {"joint", "per_event"}
    assert set(report["runs"]["joint"]) == {"open", "sealed"}
    opened = report["runs"]["joint"]["open"]
    assert opened["counts"]["quote_gold"] == 3
    assert 0.0 <= opened["speaker_precision"] <= 1.0
    assert "examples" not in report["runs"]["joint"]["sealed"]  # nothing of a sealed event is printed
    assert report["probes"]["open"]["reuse"]["made"] == 1
    assert report["agreement"]["a-b"]["quote_speaker"]["kappa"] < 1.0
    exported = json.loads((export / "ev-bridge.json").read_text())
    assert exported["items"] and all({"key", "kind", "shown"} <= set(i) for i in exported["items"])
    assert not any("confidence" in json.dumps(i) or "explanation" in json.dumps(i) for i in exported["items"])
    table = CliRunner().invoke(main, ["eval", "audit", str(DATA), "--labels", str(labels), "--no-probes"])
    assert "joint/open" in table.output and "joint/sealed" in table.output


def test_audit_needs_labels():
    from click.testing import CliRunner

    from newsprism.cli import main

    result = CliRunner().invoke(main, ["eval", "audit", str(DATA)])
    assert result.exit_code != 0 and "--labels" in result.output
    result = CliRunner().invoke(main, ["eval", "audit", str(DATA), "--labels", "no/such/folder"])
    assert result.exit_code != 0 and "no/such/folder: no such label folder" in result.output


def test_a_description_is_no_name():
    from newsprism.eval.audit.score import names_no_one

    assert names_no_one("an unidentified young man") and names_no_one("the reporter")
    assert not names_no_one("Mitt Romney") and not names_no_one("Democratic National Committee")
    assert names_no_one("Stone’s attorney") and names_no_one("former U.S. attorney")
    assert not names_no_one("Joseph diGenova") and not names_no_one("Guccifer 2.0")


def test_storing_new_output_labels_keeps_the_earlier_ones(tmp_path):
    from newsprism.eval.audit.__main__ import main as tool

    export = tmp_path / "e.json"
    export.write_text(json.dumps({"event": "e", "items": [{"key": "new", "kind": "brief", "shown": {}}]}))
    out = tmp_path / "labels.json"
    out.write_text(
        json.dumps({"event": "e", "reader": "a", "labels": {"old": {"kind": "brief", "label": "wrong"}}})
    )
    draft = tmp_path / "d.json"
    draft.write_text(json.dumps({"event": "e", "reader": "a", "labels": {"new": {"label": "correct"}}}))
    assert tool(["outputs", str(export), str(draft), "--out", str(out)]) == 0
    assert set(json.loads(out.read_text())["labels"]) == {"old", "new"}


def test_a_fact_counts_only_in_a_corroborated_group_not_labelled_wrong():
    from newsprism.eval.audit.labels import EventGold, GoldFact, Span
    from newsprism.eval.audit.outputs import EventOutputs, EvidenceSpan
    from newsprism.eval.audit.score import Tally, score_facts

    fact = GoldFact("F1", "the vote", {"x": (Span(0, 10, "a"),), "y": (Span(0, 10, "b"),)})
    gold = EventGold("e", "a", {}, (fact,))
    group = {
        "status": "corroborated",
        "spans": (EvidenceSpan("x", 0, 9), EvidenceSpan("y", 2, 8)),
        "key": "k",
    }
    out = EventOutputs("e", groups=[group])
    outlets = {"x": "Fox News", "y": "HuffPost"}
    right, wrong = Tally(), Tally()
    score_facts(out, gold, outlets, set(), right)
    score_facts(out, gold, outlets, {"k"}, wrong)
    assert right.counts["fact_in_corroborated"] == 1
    assert wrong.counts["fact_in_corroborated"] == 0 and wrong.counts["fact_downgraded"] == 0


def test_a_storyline_link_is_one_output_shown_blind_and_kept_with_a_sealed_event(events):
    from newsprism.eval.audit.outputs import read_outputs

    def story(sid, event_id):
        return {
            "id": sid,
            "title": sid,
            "article_ids": [a.id for a in events[event_id].articles],
            **{
                k: []
                for k in ("claims", "timeline", "contradictions", "framing", "brief", "quotes", "entities")
            },
            "duplicates": {"groups": [], "partial_reuse": []},
        }

    report = {
        "articles": [{"id": a.id, "text": a.text} for e in events.values() for a in e.articles],
        "stories": [story("s1", "ev-bridge"), story("s2", "ev-school")],
        "storylines": [
            {
                "id": "storyline-s1",
                "story_ids": ["s1", "s2"],
                "links": [{"story_ids": ["s2", "s1"], "score": 0.7, "evidence": "mean score 0.7"}],
            }
        ],
    }
    ids = {a.id: a.id for e in events.values() for a in e.articles}
    (item,) = [i for i in read_outputs(report, events, ids)["ev-bridge"].items if i.kind == "storyline"]
    assert [s["title"] for s in item.shown["stories"]] == ["s1", "s2"]
    assert "0.7" not in json.dumps(item.shown)  # the link's score and evidence stay hidden
    sealed = read_outputs(report, events, ids, frozenset({"ev-school"}))
    assert not [i for i in sealed["ev-bridge"].items if i.kind == "storyline"]
    assert [i.key for i in sealed["ev-school"].items if i.kind == "storyline"] == [item.key]


def test_a_number_probe_changes_a_figure_both_sentences_give_and_keeps_dates_real():
    from newsprism.eval.audit.events import Event, EventArticle
    from newsprism.eval.audit.probes import _matched_pairs, _number

    def event(first: str, second: str) -> Event:
        return Event(
            "e",
            (
                EventArticle("A", "a", None, first, "2024-06-01", "Outlet One", None, 1),
                EventArticle("B", "b", None, second, "2024-06-01", "Outlet Two", None, 2),
            ),
        )

    def probe(first: str, second: str):
        ev = event(first, second)
        return _number(ev, None, _matched_pairs(ev), random.Random(0))

    # "2" is not the other sentence's figure when it only sits inside "2008"
    assert (
        probe(
            "The senator told voters at the March 2 event in Norfolk that he served in Vietnam during the war.",
            "The senator told voters at the 2008 event in Norfolk that he served in Vietnam during the war.",
        )
        is None
    )
    # a name with a number is no figure
    assert (
        probe(
            "The indictment says Person 2 told the campaign about the stolen emails before their release.",
            "The indictment says Person 2 told the campaign about the stolen emails before the release.",
        )
        is None
    )
    # a day of the month becomes another real day of that month
    late = probe(
        "The special general election will be held on June 27 across the state, officials said today.",
        "The special general election will be held on June 27 across the state, the officials said.",
    )
    assert late is not None and late.note == "27 -> 25"
    counted = probe(
        "The task force released a report of 225 pages on school safety on Tuesday in Washington.",
        "The task force released a report of 225 pages on school safety Tuesday in Washington.",
    )
    assert counted is not None and counted.note == "225 -> 315"
