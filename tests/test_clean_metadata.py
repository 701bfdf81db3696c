"""Page metadata by agreement between JSON-LD, meta tags and <h1>; mojibake repair; site boilerplate."""

from __future__ import annotations

from newsprism.clean import clean_document, parse_html
from newsprism.clean.metadata import page_metadata, strip_site_suffix
from newsprism.clean.mojibake import fix_mojibake
from newsprism.records import RawDocument
from newsprism.store import SQLiteStore

LD = """<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
{"@type":"WebSite","name":"Coastal Times"},
{"@type":"NewsArticle","headline":"Storm closes the coast road","datePublished":"2024-03-05T23:30:00+02:00",
 "author":[{"@type":"Person","name":"Ana Ruiz"},{"@type":"Person","name":"Lee Park"}],
 "publisher":{"@type":"Organization","name":"Coastal Times"}}]}</script>"""


def page(head: str, body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_headline_confirmed_by_h1_without_the_site_suffix() -> None:
    html = page(
        '<title>Storm closes the coast road | Coastal Times</title><meta property="og:title" '
        'content="Storm closes the coast road - Coastal Times">' + LD,
        "<h1>Storm closes the coast road</h1>",
    )
    meta = page_metadata(parse_html(html), "https://www.coastaltimes.example/a")
    assert meta.title == "Storm closes the coast road"
    assert meta.authors == ("Ana Ruiz", "Lee Park")
    assert meta.published == "2024-03-05T23:30:00+02:00" and meta.site_name == "Coastal Times"


def test_site_suffix_named_by_the_host_and_section_labels() -> None:
    assert strip_site_suffix("Tram line opens - Harbourpost.com", ["harbourpost"]) == "Tram line opens"
    assert (
        strip_site_suffix("Tram line opens | News | Harbour Post", ["Harbour Post"])
        == "Tram line opens"  # the section label beside the site name goes too
    )
    # a hyphenated word at the end is not a site name
    assert strip_site_suffix("Prices rise by 11 million US-Dollar", ["harbourpost"]) == (
        "Prices rise by 11 million US-Dollar"
    )


def test_publisher_as_author_gives_way_to_the_byline_meta_tag() -> None:
    ld = LD.replace(
        '[{"@type":"Person","name":"Ana Ruiz"},{"@type":"Person","name":"Lee Park"}]', '"Coastal Times"'
    )
    html = page(
        '<meta name="author" content="By Ana Ruiz">'
        + ld
        + '<meta property="og:site_name" content="Coastal Times">'
    )
    assert page_metadata(parse_html(html)).authors == ("Ana Ruiz",)


def test_backwards_names_urls_and_labels_are_not_authors() -> None:
    html = page(
        '<script type="application/ld+json">{"@type":"Article","headline":"x",'
        '"author":[{"name":"Ruiz, Ana"},{"name":"https://example.org/staff"},{"name":"Published"}]}</script>'
    )
    assert page_metadata(parse_html(html)).authors == ("Ana Ruiz",)


def test_mojibake_repaired_once_or_twice_and_clean_text_untouched() -> None:
    assert fix_mojibake("fÃ¼r die StraÃŸe") == "für die Straße"
    assert fix_mojibake("fÃƒÂ¼r") == "für"
    assert fix_mojibake("naïve café — “quoted”") == "naïve café — “quoted”"


def test_xml_declaration_does_not_make_lxml_re_decode_the_page() -> None:
    html = '<?xml version="1.0" encoding="iso-8859-1"?>' + page(
        '<meta charset="iso-8859-1"><title>Grüße aus Köln</title>', "<h1>Grüße aus Köln</h1>"
    )
    assert page_metadata(parse_html(html)).title == "Grüße aus Köln"


def _doc(n: int, body: str) -> RawDocument:
    return RawDocument(f"a{n}.txt", "text", body, {"url": f"https://harbour.example/story-{n}"})


def test_site_boilerplate_is_learned_across_articles_in_the_store() -> None:
    store = SQLiteStore(":memory:")
    promo = "Get the Harbour app for breaking alerts."
    texts = [
        f"Council story number {n} says the ferry budget rises by {n} percent next year after a long debate."
        f"\n\n{promo}\n\nA second paragraph of story {n} with more words about the harbour and its ferries."
        for n in range(5)
    ]
    articles = [clean_document(_doc(n, t), store=store) for n, t in enumerate(texts)]
    for a in articles:
        store.add_article(a)
    # the first three articles keep the line (nothing learned yet); from the fourth on it is site furniture
    assert [promo in a.text for a in articles] == [True, True, True, False, False]
    assert any(r.reason.startswith("site boilerplate") for r in articles[3].removed)
    # without a store nothing is learned or removed
    assert promo in clean_document(_doc(9, texts[4])).text
