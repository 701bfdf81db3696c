"""An article's id is its raw input's: the same input read again is known before it is cleaned and stored
once, whatever the store has learned since; another input with the same body becomes an alias; the articles
read from one URL are its versions."""

from __future__ import annotations

from newsprism.clean import clean_document
from newsprism.clean.site import SiteMemory
from newsprism.pipeline import Pipeline
from newsprism.records import RawDocument
from newsprism.report.build import build_report
from newsprism.store import SQLiteStore
from newsprism.text.ids import content_id

BODY = (
    "The harbour council voted 7-2 on Tuesday to build a flood barrier at the mouth of the river, ending three"
    " years of debate over its cost. Work starts in March and should take two years, the council said."
)
FURNITURE = "The Harbour Gazette, independent local journalism for the bay since 1887"


def _page(n: int, body: str = BODY, url: str | None = None) -> RawDocument:
    # a site's pages share a furniture line that site memory learns to remove after seeing it on several
    text = f"{body}\n\n{FURNITURE}\n\nStory {n} of the week."
    hints = {"outlet": "Harbour Gazette", "url": url or f"https://gazette.example/{n}"}
    return RawDocument(source=f"page-{n}.txt", kind="text", content=text, hints=hints)


def _other(n: int) -> RawDocument:
    body = (
        f"Item {n}: the ferry timetable changes on Monday, with an extra sailing each evening to the islands."
    )
    return _page(100 + n, body=body)


def test_the_same_input_read_after_the_store_learned_more_is_stored_once(tmp_path):
    store = SQLiteStore(tmp_path / "s.db")
    pipeline = Pipeline(store)
    first = pipeline.ingest([_page(1)])
    assert len(first.new_ids) == 1
    # more pages of the site: its furniture line is now learned, so page 1 would clean to another text
    pipeline.ingest([_other(n) for n in range(6)])
    relearned = clean_document(_page(1), SiteMemory(store))
    assert FURNITURE not in relearned.text and FURNITURE in store.articles(first.new_ids)[0].text
    again = pipeline.ingest([_page(1)])
    assert again.new_ids == () and [a.id for a in again.articles] == list(first.new_ids)
    assert store.article_count() == 7


def test_another_input_with_the_same_body_is_an_alias_of_the_stored_article(tmp_path):
    store = SQLiteStore(tmp_path / "s.db")
    pipeline = Pipeline(store)
    a = RawDocument(source="a.txt", kind="text", content=BODY)
    b = RawDocument(source="feed.jsonl#L4", kind="text", content=BODY, hints={"title": "Barrier approved"})
    result = pipeline.ingest([a, b])
    assert len(result.new_ids) == 1 and store.article_count() == 1
    stored = result.new_ids[0]
    assert [x.id for x in result.articles] == [stored, stored]
    assert store.resolve_article(content_id(b)) == stored
    assert store.aliases() == {stored: [content_id(b)]}
    # read in another run, the alias is known before cleaning
    later = pipeline.ingest([b])
    assert later.new_ids == () and [x.id for x in later.articles] == [stored]


def test_the_articles_read_from_one_url_are_its_versions(tmp_path):
    store = SQLiteStore(tmp_path / "s.db")
    pipeline = Pipeline(store)
    url = "https://gazette.example/barrier"
    pipeline.ingest([_page(1, url=url)])
    corrected = BODY.replace("7-2", "6-3")
    pipeline.ingest([_page(1, body=corrected, url=url)])
    assert store.article_count() == 2
    report = build_report(store)
    versions = [a["versions"] for a in report["articles"]]
    ids = [a["id"] for a in report["articles"]]
    assert versions == [ids, ids]


def test_the_article_page_answers_to_an_alias_and_lists_the_versions(tmp_path):
    from newsprism.report import views
    from newsprism.report.html import render

    store = SQLiteStore(tmp_path / "s.db")
    pipeline = Pipeline(store)
    url = "https://gazette.example/barrier"
    first = pipeline.ingest([_page(1, url=url)]).new_ids[0]
    second = pipeline.ingest([_page(1, body=BODY.replace("7-2", "6-3"), url=url)]).new_ids[0]
    copy = RawDocument(source="copy.txt", kind="text", content=store.articles([first])[0].text)
    pipeline.ingest([copy])
    page = views.article_page(store, content_id(copy))
    assert page["article"]["id"] == first
    assert page["article"]["aliases"] == [content_id(copy)]
    assert [(v["id"], v["this"]) for v in page["article"]["versions"]] == [(first, True), (second, False)]
    html = render(page)
    assert "Versions of this page" in html and "(this one)" in html
