"""One outlet across stories, and the index filtered by outlet, dates, claim status and speaker."""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsprism.report import views
from newsprism.report.views import StoryFilter, outlet_view
from newsprism.store import SQLiteStore
from newsprism.web import make_server

from .builders import analysis as _analysis
from .builders import claim as _claim
from .builders import framing as _framing
from .builders import quote as _quote
from .builders import stored_story
from .test_web import get

LABELS = {"f1": "Fox", "f2": "Fox", "n1": "NYT", "h1": "HuffPost", "n2": "NYT"}
STORIES = [
    (
        _analysis(
            "s1",
            ["f1", "f2", "n1", "h1"],
            claims=[
                _claim("c1", "single_source", "f1", "f2"),  # Fox alone (two of its articles)
                _claim("c2", "corroborated", "n1", "h1"),  # left out by both Fox articles
                _claim("c3", "corroborated", "f1", "n1", "h1"),
                _claim("c4", "single_source", "n1"),
            ],
            quotes=[
                _quote("f1", "Ann Lee", "UN"),
                _quote("f2", "Ann Lee", "UN"),
                _quote("f2", None),  # withheld: nobody is credited with it
                _quote("n1", "Bo Ray"),
            ],
            framing=[
                _framing("f1", omitted=("c2",)),
                _framing("f2", omitted=("c2", "c3")),  # c3: f1 carries it, so Fox did not leave it out
                _framing("n1"),
                _framing("h1"),
            ],
        ),
        "2024-05-01",
        "2024-05-03",
    ),
    (_analysis("s2", ["n2"], claims=[_claim("c9", "single_source", "n2")]), "2024-06-01", "2024-06-01"),
]


def test_an_outlet_page_says_what_it_alone_reported_left_out_and_whom_it_quoted():
    page = outlet_view("Fox", STORIES, LABELS)
    assert page["articles"] == 2 and [s["id"] for s in page["stories"]] == ["s1"]
    assert page["stories"][0]["others"] == ["HuffPost", "NYT"]
    assert [c["claim_id"] for c in page["alone"]] == ["c1"]
    assert [c["claim_id"] for c in page["left_out"]] == ["c2"]
    assert [(q["speaker"], q["quotes"]) for q in page["quoted"]] == [("Ann Lee", 2)]
    nyt = outlet_view("NYT", STORIES, LABELS)
    assert [s["id"] for s in nyt["stories"]] == ["s1", "s2"] and [c["claim_id"] for c in nyt["alone"]] == [
        "c4",
        "c9",
    ]
    with pytest.raises(views.NotFound):
        outlet_view("Nobody", STORIES, LABELS)


def test_a_filter_admits_what_overlaps_its_dates_and_matches_the_rest():
    may = dict(
        first="2024-05-01T09:00:00", last="2024-05-03", statuses={"corroborated"}, speakers={"Ann Lee"}
    )

    def admits(f: StoryFilter, **facts) -> bool:
        facts = {**may, **facts}
        return f.admits({"Fox", "NYT"}, facts["first"], facts["last"], facts["statuses"], facts["speakers"])

    assert (
        admits(StoryFilter()) and admits(StoryFilter(outlet="Fox")) and not admits(StoryFilter(outlet="BBC"))
    )
    assert admits(StoryFilter(since="2024-05-03")) and not admits(StoryFilter(since="2024-05-04"))
    assert admits(StoryFilter(until="2024-05-01")) and not admits(StoryFilter(until="2024-04-30"))
    assert not admits(StoryFilter(since="2024-01-01"), first=None, last=None)  # undated: outside any range
    assert admits(StoryFilter(status="corroborated")) and not admits(StoryFilter(status="contested"))
    assert admits(StoryFilter(speaker="ann")) and not admits(StoryFilter(speaker="bo ray"))


def test_a_filter_from_the_query_string_drops_what_cannot_be_a_value():
    f = StoryFilter.from_query(
        {
            "outlet": ["  Fox   News "],
            "from": ["2024-05-01"],
            "to": ["May"],
            "status": ["bogus"],
            "speaker": [""],
        }
    )
    assert f == StoryFilter(outlet="Fox News", since="2024-05-01") and f.active()
    assert not StoryFilter.from_query({}).active()


def test_the_web_app_filters_the_index_and_serves_outlet_pages(analysed_sample):
    store = SQLiteStore(analysed_sample["db"])
    srv = make_server(store, port=0)
    srv.start_background()
    try:
        index = views.index_page(store)
        outlet = index["choices"]["outlets"][0]
        assert index["choices"]["statuses"][0] == "corroborated" and index["choices"]["speakers"]
        status, _, body = get(srv, "/?outlet=" + outlet.replace(" ", "+"))
        assert status == 200 and b'class="card story"' in body and b"1 of 1 stories match" in body
        status, _, body = get(srv, "/index.json?status=contested&from=1999-01-01&to=1999-12-31")
        assert status == 200 and b'"stories": []' in body and b'"filtered": true' in body
        status, _, body = get(srv, "/outlet/" + outlet.replace(" ", "%20"))
        assert status == 200 and b"Only here" in body and b"Whom it quoted" in body
        assert get(srv, "/outlet/nobody")[0] == 404
    finally:
        srv.shutdown()
        srv.server_close()
        store.close()
    pages = {p.name for p in analysed_sample["out"].glob("outlet-*.html")}
    assert len(pages) == len({views.article_label(a) for a in analysed_sample["report"]["articles"]})


def test_the_glance_counts_per_source_what_it_carries_alone_leaves_out_and_quotes():
    story = STORIES[0][0]
    analysis = replace(
        story,
        framing=tuple(
            replace(f, covered=("c1", "c3") if f.article_id == "f1" else ()) for f in story.framing
        ),
    )
    glance = views._glance(
        analysis, ["f1", "f2", "n1", "h1"], LABELS.get, {c.id: c.status for c in analysis.claims}
    )
    fox = next(r for r in glance["sources"] if r["label"] == "Fox")
    assert fox == {"label": "Fox", "articles": 2, "carried": 2, "alone": 1, "left_out": 1, "quotes": 2}
    assert glance["corroborated"] == 2 and glance["contradictions"] == 0


def test_a_citation_names_the_wire_service_its_article_credits(analysed_sample):
    from newsprism.report.html import render

    analysis, articles = stored_story(analysed_sample["db"])
    credited = {aid for aid, a in articles.items() if a.wire_credit}
    assert credited  # the sample holds a Reuters rewrite
    page = views.story_view(analysis, articles)
    wires = {c["wire"] for s in page["brief"] for c in s["citations"] if c["article_id"] in credited}
    assert wires == {articles[a].wire_credit for a in credited if any(
        c["article_id"] == a for s in page["brief"] for c in s["citations"])}  # fmt: skip
    assert f"credits {next(iter(wires))}" in render(page)
