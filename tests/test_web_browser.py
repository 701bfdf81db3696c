"""The web app in a real browser: Playwright driving Debian's chromium, headless, on loopback only."""

import shutil
from dataclasses import replace

import numpy as np
import pytest

from newsprism.records import Article, StoryAssignment, StoryState
from newsprism.store import SQLiteStore
from newsprism.web import make_server

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not shutil.os.path.exists(CHROMIUM), reason="needs Debian's chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def serving(store):
    srv = make_server(store, port=0)
    srv.start_background()
    return srv


def stop(srv):
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def sample_server(analysed_sample):
    store = SQLiteStore(analysed_sample["db"])
    srv = serving(store)
    yield srv
    stop(srv)
    store.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


def unlocked_first_story(browser, srv):
    """A 1280 px page that holds the edit token (the /unlock link `serve` prints), on the first story."""
    page = watched_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(f"{srv.url}/unlock?token={srv.edit_token}")
    open_first_story(page)
    return page


def open_first_story(page) -> None:
    """Follow the index's first story and wait for its page: a count() or bounding_box() right after a
    click does not wait, and would read the index."""
    page.locator("ol.stories h2.headline a").first.click()
    page.wait_for_url("**/story/*")


def watched_page(browser, **context):
    """A page that records console errors and refuses any request off loopback."""
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "data:"))
            else route.abort()
        ),
    )
    return page


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["laptop", "phone"]
)
def test_every_page_loads_for_the_sample_story(browser, sample_server, shots, viewport):
    page = watched_page(browser, viewport=viewport)
    base = sample_server.url
    page.goto(base + "/")
    links = page.locator("ol.stories h2.headline a")
    assert links.count() == 1
    links.first.click()
    assert "/story/" in page.url
    for heading in [
        "Brief",
        "Claims",
        "Coverage",
        "Who said what",
        "Timeline",
        "Framing by outlet",
        "Entities",
    ]:
        assert page.locator("h2", has_text=heading).count() == 1, heading
    assert page.locator("table.heatmap td.cell.corroborated").count() > 0
    assert page.locator("svg.axis circle.tick").count() >= 2
    assert page.locator(".framing .frame").count() == 5
    name = "laptop" if viewport["width"] > 600 else "phone"
    page.screenshot(path=str(shots / f"{name}-story.png"), full_page=True)
    page.locator("table.plain a").first.click()
    assert "/article/" in page.url and page.locator("mark.quote").count() > 0
    page.screenshot(path=str(shots / f"{name}-article.png"))
    page.goto(base + "/rejected")
    assert page.locator("h1").inner_text() == "Rejected inputs"
    assert page.errors == []


def test_citation_click_reveals_the_cited_sentences(browser, sample_server, shots):
    page = watched_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(sample_server.url + "/")
    open_first_story(page)
    cite = page.locator("details.cite").first
    popover = cite.locator(".pop q.cited").first
    assert not popover.is_visible()
    label = cite.locator(".pop-head").text_content()
    assert label and label[:20] in cite.locator("summary").text_content()  # the citation names its outlet
    cite.locator("summary").click()
    assert popover.is_visible() and len(popover.inner_text()) > 20
    page.screenshot(path=str(shots / "citation.png"))
    page.mouse.move(5, 5)  # leaving does not close a clicked (pinned) citation
    assert popover.is_visible()
    cite.locator("summary").click()
    assert not popover.is_visible()
    assert page.errors == []


def test_search_from_the_header(browser, sample_server, shots):
    page = watched_page(browser, viewport={"width": 390, "height": 844})
    page.goto(sample_server.url + "/")
    page.fill("form.search input[name=q]", "Xinhua")
    page.press("form.search input[name=q]", "Enter")
    page.wait_for_url("**/search?q=Xinhua")
    assert page.locator(".article-hit").count() >= 1
    assert page.locator(".article-hit mark.hit").first.inner_text() == "Xinhua"
    page.screenshot(path=str(shots / "search.png"))
    page.locator(".article-hit a").first.click()
    assert "/article/" in page.url


def test_script_payloads_in_an_article_never_run(browser, tmp_path):
    payload = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><svg onload="window.__pwned = 3">'
    store = SQLiteStore(tmp_path / "x.db")
    article = Article(
        id="evil",
        source="evil.html",
        text=f"Officials met on Monday. {payload}\n\nSecond paragraph {payload}.",
        title=f"Breaking {payload}",
        url="javascript:window.__pwned = 4",
    )
    store.add_article(article)
    store.save_story(StoryState("s", f"Story {payload}", np.zeros(4, dtype=np.float32), 1, None, None))
    store.set_membership(StoryAssignment("evil", "s", 1.0, payload))
    from .test_report import hostile_store

    srv = serving(store)
    dialogs = []
    try:
        page = watched_page(browser)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in ["/", "/article/evil", "/search?q=breaking", "/search?q=" + "%3Cscript%3Ewindow"]:
            page.goto(srv.url + path)
            assert page.evaluate("window.__pwned") is None, path
        page.goto(srv.url + "/article/evil")
        assert "<script>" in page.locator("h1").inner_text()  # shown as text, not run
        assert page.locator("a[href^='javascript:']").count() == 0
    finally:
        stop(srv)
        store.close()
    # The report tests' store carries alert() payloads in every field of a full analysis.
    hostile = hostile_store()
    srv = serving(hostile)
    try:
        for path in ["/", "/story/s1", "/article/a1"]:
            page.goto(srv.url + path)
            page.locator("details.cite summary").first.click() if path == "/story/s1" else None
            assert page.evaluate("window.__pwned") is None
    finally:
        stop(srv)
    assert dialogs == []


def test_a_storyline_page_draws_its_time_axis_under_the_apps_csp(browser, shots):
    from .test_report import hostile_store

    store = hostile_store()
    store.put_analysis(replace(store.get_analysis("s1"), story_id="s2", title="Second round", article_ids=()))
    store.save_story(
        StoryState("s2", "Second round", np.zeros(4, dtype=np.float32), 1, "2024-06-03", "2024-06-03")
    )
    store.link_stories("s2", "s1", 0.71, "mean score 0.71 <script>window.__pwned = 5</script>")
    srv = serving(store)
    try:
        page = watched_page(browser)
        page.goto(srv.url + "/")
        page.locator("section.storylines h3 a").first.click()
        assert "/storyline/" in page.url
        assert page.locator("figure.timeaxis svg circle").count() == 2
        assert page.locator("figure.timeaxis svg circle").first.is_visible()
        assert page.evaluate("window.__pwned") is None
        page.screenshot(path=str(shots / "storyline.png"), full_page=True)
        assert page.errors == []  # a CSP violation (an inline style, a script) shows up here
    finally:
        stop(srv)
        store.close()


def test_a_story_downloads_as_markdown_and_the_changes_page_says_what_the_run_did(
    browser, sample_server, shots
):
    page = watched_page(browser, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(sample_server.url + "/")
    open_first_story(page)
    with page.expect_download() as caught:
        page.locator("p.exports a", has_text="Markdown").click()
    download = caught.value
    assert download.suggested_filename.startswith("story-") and download.suggested_filename.endswith(".md")
    text = open(download.path(), encoding="utf-8").read()
    assert text.startswith("# ") and "## Brief" in text and "[^" in text
    page.locator("nav.top a", has_text="Changes").click()
    assert page.locator("h1").inner_text() == "What changed"
    assert page.locator("li.change.story_new").count() == 1  # the sample's one run founded its one story
    page.screenshot(path=str(shots / "changes.png"), full_page=True)
    assert page.errors == []


def test_filtering_by_outlet_and_following_it_to_its_page(browser, sample_server, shots):
    page = watched_page(browser, viewport={"width": 390, "height": 844})
    page.goto(sample_server.url + "/")
    select = page.locator("form.filters select[name=outlet]")
    outlet = select.locator("option").nth(1).get_attribute("value")
    select.select_option(outlet)
    page.locator("form.filters button").click()
    page.wait_for_url("**/?outlet=*")
    assert page.locator("ol.stories li.story").count() == 1
    page.screenshot(path=str(shots / "filtered.png"), full_page=True)
    page.locator("ol.stories p.outlets a", has_text=outlet).first.click()
    assert "/outlet/" in page.url and page.locator("h1").inner_text() == outlet
    assert page.locator("#stories tbody tr").count() == 1
    page.locator("form.search input[name=q]").fill("")  # the header still works on the outlet page
    page.goto(sample_server.url + "/?status=contested&from=1999-01-01&to=1999-01-02")
    assert page.locator("ol.stories li.empty").inner_text() == "No story matches these filters."
    assert page.errors == []


def test_a_speaker_corrected_in_the_browser_survives_the_next_analyze(browser, tmp_path, shots):
    from newsprism.pipeline import analyze

    from .conftest import split_sample

    one, rest = split_sample(tmp_path)
    db = tmp_path / "n.db"
    analyze([one], db=db, out=None)
    store = SQLiteStore(db)
    srv = serving(store)
    try:
        page = unlocked_first_story(browser, srv)
        story_url = page.url
        quote = page.locator("#quotes blockquote.quote").first
        quote.locator("details.fix summary").click()
        quote.locator("input[name=name]").fill("Dmitry Peskov")
        quote.locator("button", has_text="Fix speaker").click()
        page.wait_for_url(story_url)
        card = page.locator("#quotes .card.speaker", has=page.locator("h3", has_text="Dmitry Peskov"))
        assert card.locator(".edited").inner_text() == "speaker named by an editor"
        page.screenshot(path=str(shots / "corrected.png"))
        assert page.errors == []
    finally:
        stop(srv)
        store.close()
    analyze([rest], db=db, out=None)  # four more articles: the story is analysed again
    store = SQLiteStore(db)
    srv = serving(store)
    try:
        page = watched_page(browser, viewport={"width": 1280, "height": 900})
        page.goto(srv.url + "/")
        open_first_story(page)
        assert page.locator(".meta", has_text="5 articles").count() >= 1
        card = page.locator("#quotes .card.speaker", has=page.locator("h3", has_text="Dmitry Peskov"))
        assert card.locator(".edited").count() == 1 and page.locator("form.fix").count() == 0  # locked here
        page.goto(srv.url + "/corrections")
        assert page.locator("tbody tr").count() == 1 and "in force" in page.locator("tbody tr").inner_text()
    finally:
        stop(srv)
        store.close()


def test_articles_split_off_in_the_browser_make_a_story_and_undoing_brings_them_back(
    browser, sample_db, shots
):
    store = SQLiteStore(sample_db)
    srv = serving(store)
    try:
        page = unlocked_first_story(browser, srv)
        ticks = page.locator("#sources input[name=article]")
        assert ticks.count() == 5
        ticks.nth(3).check()
        ticks.nth(4).check()
        page.locator("#split-form input[name=note]").fill("a later event")
        page.locator("#split-form button").click()
        page.wait_for_url("**/story/*")
        assert page.locator("#sources tbody tr").count() == 2  # the new story's page
        assert "split off by an editor" in page.locator("#sources").inner_text()
        page.screenshot(path=str(shots / "split.png"))
        page.goto(srv.url + "/")
        assert page.locator("ol.stories li.story").count() == 2
        page.goto(srv.url + "/corrections")
        assert "report another event" in page.locator("tbody tr").inner_text()
        page.locator("tbody tr form.fix button", has_text="Undo").click()
        page.wait_for_url("**/corrections")
        assert "undone" in page.locator("tbody tr").inner_text()
        page.goto(srv.url + "/")
        assert page.locator("ol.stories li.story").count() == 1
        assert page.errors == []
    finally:
        stop(srv)
        store.close()


def test_the_verdict_is_read_at_1280_without_scrolling(browser, sample_server, shots):
    page = watched_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(sample_server.url + "/")
    open_first_story(page)
    brief = page.locator("#brief").bounding_box()
    glance = page.locator("aside.glance").bounding_box()
    assert glance["x"] >= brief["x"] + brief["width"]  # beside the brief, not under it
    assert glance["y"] + glance["height"] <= 900 and brief["y"] < 450  # both start above the fold
    assert page.locator(".glance-table tbody tr").count() == 5  # one row per source
    assert page.locator("#brief .cite .num").first.is_visible()  # citations name their sources by number
    page.screenshot(path=str(shots / "glance.png"))
    # claims one source carries alone wait one click away, by source
    alone = page.locator("details#claims-alone")
    first_alone = alone.locator("details.claim").first
    assert alone.count() == 1 and not first_alone.is_visible()
    alone.locator("summary").first.click()
    assert first_alone.is_visible() and alone.locator("h3.alone-source").count() >= 1
    assert page.errors == []
