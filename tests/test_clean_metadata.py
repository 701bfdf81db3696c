"""Page metadata by agreement between JSON-LD, meta tags and <h1>; mojibake repair; site boilerplate."""

from __future__ import annotations

from newsprism.clean import clean_document, parse_html
from newsprism.clean.metadata import page_metadata, strip_site_suffix
from newsprism.clean.mojibake import fix_mojibake
from newsprism.clean.site import SiteMemory
from newsprism.records import RawDocument

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


def test_site_boilerplate_is_learned_across_articles() -> None:
    memory = SiteMemory()
    promo = "Get the Harbour app for breaking alerts."
    texts = [
        f"Council story number {n} says the ferry budget rises by {n} percent next year after a long debate."
        f"\n\n{promo}\n\nA second paragraph of story {n} with more words about the harbour and its ferries."
        for n in range(5)
    ]
    articles = [clean_document(_doc(n, t), memory) for n, t in enumerate(texts)]
    # the first three articles keep the line (nothing learned yet); from the fourth on it is site furniture
    assert [promo in a.text for a in articles] == [True, True, True, False, False]
    assert any(r.reason.startswith("site boilerplate") for r in articles[3].removed)
    # without site memory nothing is learned or removed
    assert promo in clean_document(_doc(9, texts[4])).text


# ------------------------------------------------------------------ round 3: dates, language, wire, repair

BODY = "<article>" + "<p>The harbour board met on Tuesday and agreed to widen the channel next year.</p>" * 6
BODY += "</article>"


def _clean_page(html: str, **hints: str):
    return clean_document(RawDocument(source="t.html", kind="html", content=html, hints=dict(hints)))


def test_stated_local_time_pins_the_day_against_a_one_day_slip() -> None:
    from newsprism.text.dates import reconcile_dates

    # the site's own offset names its local day; a print-edition date one day later loses
    assert reconcile_dates("2024-04-26", "2024-04-25T19:30:04+02:00") == "2024-04-25T19:30+02:00"
    # UTC mid-day names the same day almost everywhere
    assert reconcile_dates("2020-01-20", "2020-01-19T12:25:36Z") == "2020-01-19T12:25+00:00"
    # UTC near midnight does not pin the day: htmldate's pick stays
    assert reconcile_dates("2019-10-19", "2019-10-18T22:04:00Z") == "2019-10-19"
    # a date-only field stored as local midnight east of UTC is the next day
    assert reconcile_dates("2022-11-06", "2022-11-06T23:00:00.000Z") == "2022-11-07"
    # days apart: a re-publication or another field, not a zone slip; htmldate's pick stays
    assert reconcile_dates("2017-07-12", "2019-06-17T18:28:00+02:00") == "2017-07-12"
    # the same day: the stated time and zone are kept
    assert reconcile_dates("2024-03-05", "2024-03-05T10:00:00+01:00") == "2024-03-05T10:00+01:00"
    assert reconcile_dates(None, "May 16, 2024") == "2024-05-16"


def test_language_declared_by_the_page_or_the_container() -> None:
    from newsprism.clean.metadata import language_code

    assert [language_code(v) for v in ("de-DE", "en_US", "FR", "pt-BR, en", "und", "deu", None)] == [
        "de",
        "en",
        "fr",
        "pt",
        None,
        None,
        None,
    ]
    english_text = page("", BODY)
    assert _clean_page(english_text).language == "en"  # nothing declared: the detector
    # a template's lang="de" on English text: the detector is sure, and wins
    assert _clean_page(english_text.replace("<html>", '<html lang="de">')).language == "en"
    dutch = "<p>De havenraad vergaderde dinsdag en besloot de vaargeul volgend jaar te verbreden.</p>" * 4
    assert _clean_page(page("", dutch).replace("<html>", '<html lang="nl-BE">')).language == "nl"
    og = page('<meta property="og:locale" content="es_ES">', BODY)
    assert page_metadata(parse_html(og)).language == "es"
    equiv = page('<meta http-equiv="Content-Language" content="sv">', BODY)
    assert page_metadata(parse_html(equiv)).language == "sv"
    ld = page(
        '<script type="application/ld+json">{"@type":"NewsArticle","inLanguage":"pt-BR"}</script>', BODY
    )
    assert page_metadata(parse_html(ld.replace("<html>", '<html lang="en">'))).language == "pt"
    # the container's word (a Content-Language header, a feed's <language>) wins over the markup
    assert _clean_page(og, language="it-IT").language == "it"


def test_wire_credit_from_page_metadata() -> None:
    from newsprism.clean.metadata import wire_in_name

    assert [wire_in_name(n) for n in ("Reuters Staff", "AP News", "Jane Doe/AFP", "Staff and agencies")] == [
        "Reuters",
        "AP",
        "AFP",
        "agencies",
    ]
    assert wire_in_name("Jane Doe") is None and wire_in_name("Fox News") is None
    syndicated = page(
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Channel to widen",'
        '"author":{"@type":"Person","name":"Ana Ruiz"},'
        '"sourceOrganization":{"@type":"Organization","name":"Agence France-Presse"}}</script>',
        BODY,
    )
    assert _clean_page(syndicated).wire_credit == "AFP"
    by_wire = page('<meta name="author" content="Reuters">', BODY)
    assert _clean_page(by_wire).wire_credit == "Reuters"
    own_site = page('<meta property="og:site_name" content="AP News">', BODY)
    assert _clean_page(own_site).wire_credit == "AP"
    plain = page(
        '<meta name="author" content="Ana Ruiz"><meta property="og:site_name" content="Coast">', BODY
    )
    assert _clean_page(plain).wire_credit is None
    # a dateline in the text names this story's source and wins over the metadata
    dated = by_wire.replace("<p>The harbour", "<p>LONDON (AP) - The harbour", 1)
    assert _clean_page(dated).wire_credit == "AP"


def test_control_characters_do_not_cost_the_body() -> None:
    # libxml2 keeps a stray BEL in the text, and trafilatura then gave up on the whole tree
    html = "<!DOCTYPE html>\n" + page("<title>Channel</title>", BODY.replace("next year", "next\x07 year"))
    article = _clean_page(html)
    assert "agreed to widen the channel next year" in article.text


def test_newsletter_label_in_a_menu_does_not_take_the_story_with_it() -> None:
    from newsprism.clean import clean_text

    menu = [f"Section {i}" for i in range(60)]
    story = [
        f"The harbour board met on Tuesday and agreed to widen channel {n} by ten metres." for n in range(3)
    ]
    # the label sits past the middle of the text by characters, but no running text comes before it
    text = "\n\n".join([*menu, "Newsletter", *menu[:20], *story])
    cleaned = clean_text(text).text
    assert cleaned.count("by ten metres") == 3
    assert "Newsletter" not in cleaned


def test_container_language_and_wire_hints_reach_the_article(tmp_path) -> None:
    from newsprism.ingest import read_inputs

    feed = tmp_path / "feed.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Hafenblatt</title><language>de-de</language>'
        "<item><title>Kanal wird breiter</title><link>https://hafen.example/a</link><description>"
        "The harbour board met on Tuesday and agreed to widen the channel next year, officials said."
        "</description></item></channel></rss>",
        encoding="utf-8",
    )
    lines = tmp_path / "a.jsonl"
    lines.write_text(
        '{"text": "The harbour board met on Tuesday and agreed to widen the channel next year.", '
        '"language": "fr-FR", "wire_credit": "Agence France-Presse"}\n',
        encoding="utf-8",
    )
    docs = list(read_inputs([feed, lines]))
    assert [d.hints.get("language") for d in docs] == ["de-de", "fr-FR"]
    articles = [clean_document(d) for d in docs]
    assert [a.language for a in articles] == ["de", "fr"]
    assert articles[1].wire_credit == "AFP"


def test_visible_standfirst_is_kept_as_the_lead() -> None:
    from newsprism.clean.metadata import visible_lead

    lead = "The harbour board agreed on Tuesday to widen the channel, ending a three-year dispute."
    head = f'<meta property="og:description" content="{lead}">'
    shown = page(head, f'<div class="intro"><strong>{lead}</strong></div>{BODY}')
    assert visible_lead(parse_html(shown)) == lead
    # only in the metadata, or only inside a script or a link: not page text
    assert visible_lead(parse_html(page(head, BODY))) is None
    linked = page(head, f'<a href="/other">{lead}</a>{BODY}')
    assert visible_lead(parse_html(linked)) is None
    article = _clean_page(shown)
    assert article.text.startswith(lead) and article.text.count("three-year dispute") == 1


def test_a_live_blog_json_ld_of_a_megabyte_is_still_read() -> None:
    updates = ",".join(
        f'{{"@type":"BlogPosting","headline":"Update {k}","articleBody":"{"word " * 60}"}}'
        for k in range(2500)
    )
    ld = (
        '{"@context":"https://schema.org","@type":"LiveBlogPosting","headline":"Storm live",'
        f'"author":[{{"@type":"Person","name":"Ann Lee"}}],"liveBlogUpdate":[{updates}]}}'
    )
    assert len(ld) > 500_000
    meta = page_metadata(parse_html(page(f'<script type="application/ld+json">{ld}</script>')))
    assert meta.authors == ("Ann Lee",) and meta.structured_authors
