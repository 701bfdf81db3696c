"""Report rendering: schema-valid JSON, escaped HTML, safe links — independent of the models."""

import html
import json
import re
from dataclasses import replace

import jsonschema
import numpy as np
import pytest

from newsprism.records import (
    Article,
    BriefSentence,
    ClaimGroup,
    DuplicateReport,
    Evidence,
    Framing,
    Quote,
    StoryAnalysis,
    StoryAssignment,
    StoryState,
    TimelineEvent,
)
from newsprism.report import views, write_report
from newsprism.report.html import StaticUrls, highlight, page_id, paragraphs, safe_url
from newsprism.store import SQLiteStore, Store

from .builders import stored_story
from .conftest import ROOT

PAYLOAD = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def hostile_store(store: Store | None = None) -> Store:
    """`store` (a new in-memory SQLite store by default) holding one story whose every text is hostile."""
    store = store if store is not None else SQLiteStore(":memory:")
    text = f'Officials met on Monday. {PAYLOAD} "We agree," the minister said.\n\nMore text follows here.'
    article = Article(
        id="a1",
        source="evil.html",
        text=text,
        title=f"Title {PAYLOAD}",
        url="javascript:alert(3)",
        authors=(PAYLOAD,),
    )
    store.add_article(article)
    store.save_story(StoryState("s1", f"Story {PAYLOAD}", np.zeros(4, dtype=np.float32), 1, None, None))
    store.set_membership(StoryAssignment("a1", "s1", 1.0, f"founded {PAYLOAD}"))
    ev = Evidence("a1", 0, 24, text[:24])
    analysis = StoryAnalysis(
        story_id="s1",
        title=f"Story {PAYLOAD}",
        article_ids=("a1",),
        duplicates=DuplicateReport(),
        entities=(),
        quotes=(Quote("a1", "We agree,", 81, 90, PAYLOAD, "the minister", cue="said"),),
        numbers=(),
        claims=(ClaimGroup("c1", f"Claim {PAYLOAD}", ("a1",), "single_source", (ev,)),),
        contradictions=(),
        brief=(BriefSentence(f"Brief {PAYLOAD}", ("a1",), (ev,), "c1"),),
        framing=(Framing("a1", ("c1",), (), (PAYLOAD,), (PAYLOAD,), 0.5, f"Title {PAYLOAD}"),),
        timeline=(
            TimelineEvent("2024-03-04", f"Met {PAYLOAD}", (ev,)),
            TimelineEvent("2024-04-30", f"Last day {PAYLOAD}", (ev,), scheduled=True),
        ),
        membership=(StoryAssignment("a1", "s1", 1.0, "founded"),),
    )
    store.put_analysis(analysis)
    return store


def test_untrusted_text_is_escaped_everywhere(tmp_path):
    files = write_report(hostile_store(), tmp_path)
    pages = [p for p in files if p.suffix == ".html"]
    names = {p.name for p in pages}
    assert names - {"index.html", "rejected.html", "changes.html", "story-s1.html", "article-a1.html"} == {
        StaticUrls().outlet(views.article_label({"id": "a1", "title": f"Title {PAYLOAD}"}))
    }  # the source's page, its file name made safe whatever the name holds
    markdown = (tmp_path / "story-s1.md").read_text()  # the export a reader pastes into a draft
    assert not re.search(r"(?<!\\)[<>]", markdown) and "](javascript:" not in markdown  # every tag escaped
    for page in pages:
        html = page.read_text()
        assert "<script>" not in html
        assert "<img" not in html
        assert "javascript:" not in html
        assert "script-src" not in html and "default-src 'none'" in html


def test_report_json_validates(tmp_path):
    write_report(hostile_store(), tmp_path)
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, json.loads((ROOT / "docs" / "report.schema.json").read_text()))
    assert report["stories"][0]["coverage"]["matrix"] == [[1]]
    assert report["articles"][0]["story_id"] == "s1"


def test_storylines_reach_report_json_and_both_pages_escaped(tmp_path):
    store = hostile_store()
    store.add_article(Article(id="a2", source="b.html", text="Officials met again on Monday.", title="Again"))
    store.save_story(StoryState("s2", "Again", np.zeros(4, dtype=np.float32), 1, "2024-06-03", "2024-06-03"))
    store.set_membership(StoryAssignment("a2", "s2", 1.0, "founded"))
    store.put_analysis(
        replace(store.get_analysis("s1"), story_id="s2", title="Second round", article_ids=("a2",))
    )
    store.link_stories("s2", "s1", 0.71, f"mean score 0.71 {PAYLOAD}")
    files = write_report(store, tmp_path)
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, json.loads((ROOT / "docs" / "report.schema.json").read_text()))
    [line] = report["storylines"]
    assert line["story_ids"] == ["s2", "s1"]  # dated before undated
    assert line["links"] == [  # each link from its earlier event, whatever the ids' order
        {"story_ids": ["s2", "s1"], "score": 0.71, "evidence": f"mean score 0.71 {PAYLOAD}"}
    ]
    story = (tmp_path / "story-s1.html").read_text()
    assert (
        'id="storyline"' in story and 'href="story-s2.html"' in story and "linked: mean score 0.71" in story
    )
    assert "Storylines" in (tmp_path / "index.html").read_text()
    assert f'href="storyline-{page_id(line["id"])}.html"' in story
    page = (tmp_path / f"storyline-{page_id(line['id'])}.html").read_text()
    # the time axis: the dated event at its left end, the undated one at its right
    assert '<circle cx="40.0"' in page and '<circle cx="960"' in page
    assert 'href="story-s1.html"' in page and 'href="story-s2.html"' in page and "mean score 0.71" in page
    for page in files:
        assert page.suffix != ".html" or "<script>" not in page.read_text()


def test_report_json_is_written_a_story_at_a_time_as_the_whole_document(tmp_path, monkeypatch):
    from newsprism.report import build_report
    from newsprism.report import html as report_html

    store = hostile_store()
    # a second version of the first page (same URL), an alias, and an article in no analysed story
    store.add_article(
        Article(
            id="a3", source="again.html", text="Officials met on Monday, again.", url="javascript:alert(3)"
        )
    )
    store.add_alias("old-id", "a1", "first.html")
    store.add_article(Article(id="a4", source="lone.html", text="A report no story holds."))
    store.set_membership(StoryAssignment("a3", "s1", 0.9, "joined"))
    store.put_analysis(replace(store.get_analysis("s1"), article_ids=("a1", "a3")))
    files = write_report(store, tmp_path / "out")
    written = json.loads((tmp_path / "out" / "report.json").read_text())
    whole = build_report(store)
    assert {**written, "generated_at": None} == {**whole, "generated_at": None}
    expected = json.dumps({**whole, "generated_at": written["generated_at"]}, ensure_ascii=False, indent=2)
    assert (tmp_path / "out" / "report.json").read_text() == expected  # laid out as one dump would be
    assert [a["id"] for a in written["articles"]] == ["a1", "a3", "a4"]
    assert written["articles"][1]["versions"] == ["a1", "a3"] and written["articles"][0]["aliases"] == [
        "old-id"
    ]
    assert (tmp_path / "out" / "article-a4.html").exists() and (tmp_path / "out" / "article-a3.html") in files
    assert "Officials met on Monday" in (tmp_path / "out" / "article-a3.html").read_text()  # what changed
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no parts left behind

    # A report that fails half-way leaves the last whole report.json and no parts.
    before = (tmp_path / "out" / "report.json").read_text()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_html.views, "story_view", broken)
    with pytest.raises(RuntimeError):
        write_report(store, tmp_path / "out")
    assert (tmp_path / "out" / "report.json").read_text() == before
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_a_storyline_axis_is_scaled_to_its_dates():
    from newsprism.report.views import storyline_view

    def event(sid, day):
        return {"story_id": sid, "title": sid, "first_date": day, "last_date": day, "articles": 1}

    line = {
        "id": "storyline-a",
        "title": "a",
        "story_ids": ["a", "b", "c"],
        "events": [event("a", "2019-01-01"), event("b", "2019-01-04"), event("c", "2019-01-11")],
        "links": [],
    }
    view = storyline_view(line)
    assert [e["x"] for e in view["events"]] == [40.0, 316.0, 960.0]
    assert (view["axis"]["from"], view["axis"]["to"]) == ("2019-01-01", "2019-01-11")


def test_only_http_links_survive():
    assert safe_url("https://example.org/a") == "https://example.org/a"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url(None) is None


def test_highlight_cuts_paragraphs_and_skips_overlaps():
    text = "One two.\n\nThree four five."
    segs = highlight(text, [(0, 3, "quote", "q"), (1, 5, "claim", "c"), (10, 15, "claim", "c")])
    assert "".join(s["text"] for s in segs) == text
    paras = paragraphs(segs)
    assert [[s["text"] for s in p] for p in paras] == [["One", " two."], ["Three", " four five."]]


def test_a_scheduled_date_is_listed_apart_from_the_timeline(tmp_path):
    write_report(hostile_store(), tmp_path)
    html = (tmp_path / "story-s1.html").read_text()
    events, scheduled = html.split("Scheduled: 1 date still ahead when reported", 1)
    assert "2024-03-04" in events and "2024-04-30" not in events
    assert "2024-04-30" in scheduled


def test_the_brief_names_its_sources_and_marks_a_contested_sentence(analysed_sample):
    """A reader sees which outlet each citation is and that sources contradict a sentence, where they read it."""
    from newsprism.report import views
    from newsprism.report.html import render

    story, articles = stored_story(analysed_sample["db"])
    first = story.brief[0]
    claim = next(c for c in story.claims if c.id == first.claim_id)
    page = render(views.story_view(story, articles))
    brief_html = page.split('id="brief"')[1].split("</section>")[0]
    label = views.story_view(story, articles)["brief"][0]["citations"][0]["label"]
    assert '<span class="num">' in brief_html and html.escape(label[:20]) in brief_html
    assert "badge contested" not in brief_html or claim.status == "contested"

    claims = tuple(replace(c, status="contested") if c.id == claim.id else c for c in story.claims)
    page = render(views.story_view(replace(story, claims=claims), articles))
    brief_html = page.split('id="brief"')[1].split("</section>")[0]
    assert f'class="badge contested" href="#claim-{claim.id}"' in brief_html
