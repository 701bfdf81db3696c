"""Clean: boilerplate out with reasons, story text kept, metadata recovered."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsprism.clean import clean_document, parse_html, prune_for_body, site_key
from newsprism.errors import EmptyInput
from newsprism.ingest import read_inputs
from newsprism.records import Article, RawDocument
from newsprism.text.ids import content_id, text_key

ROOT = Path(__file__).parent.parent
SEED = ROOT / "examples" / "seed-story"
FIX = Path(__file__).parent / "fixtures"


def _clean_file(path: Path) -> tuple[RawDocument, Article]:
    (raw,) = [d for d in read_inputs([path]) if isinstance(d, RawDocument)]
    return raw, clean_document(raw)


def _seed(prefix: str) -> tuple[RawDocument, Article]:
    (path,) = sorted(SEED.glob(f"{prefix}_*.txt"))
    return _clean_file(path)


def _reasons(article: Article) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for span in article.removed:
        out.setdefault(span.reason, []).append(span.text)
    return out


# Distinctive story sentences (fragments) that must survive cleaning, per sample.
KEEP = {
    "000": [
        "Russian President Vladimir Putin met with Chinese President Xi Jinping in Beijing earlier today",
        "Moscow and Beijing will further deepen trust and cooperation in the military field",
        "In a joint statement released by the Kremlin, the two countries stated their partnership",
        "Parties note that modern Russian-Chinese relations represent a more advanced form",
        "The Russian side positively assesses the objective and unbiased China’s position",
        "criticized the United States for allegedly maintaining Cold War era foreign policy practices",
        "Parties oppose US hegemonic attempts to change the balance of power in Northeast Asia",
        "The parties express their intention to increase partnership in the Afghan direction",
        "Parties emphasize that the United States and NATO responsible for the 20-year occupation",
    ],
    "001": [
        "China’s Xi Jinping and Russia’s Vladimir Putin have pledged a “new era” of partnership",
        "Xi greeted Putin on a red carpet outside the Great Hall of the People",
        "By picking China for his first foreign trip since being sworn in",
        "State Department deputy spokesperson Vedant Patel told a daily news briefing",
        "Describing his initial talks with Xi as “warm and comradely”",
    ],
    "002": [
        "Russian President Vladimir Putin arrived in Beijing on May 16, 2024, for a two-day-long state visit.",
        "This is Putin’s first visit since taking office as the president of Russia",
        "Putin and Xi will participate in a grand evening event commemorating 75 years",
        "Speaking on the matter, Russia’s Foreign Minister Sergey Lavrov claimed",
        "where alliances and rivalries shape the trajectory of global power dynamics.",
    ],
    "003": [
        "Xi: Relations between China and Russia have withstood “storms and changes”",
        "Russian President Vladimir Putin is currently on a two-day state visit",
        "Chinese-Russian trade last year reached a record $240 billion",
        "Earlier, his assistant for international relations, Yuri Ushakov, said it was a detailed document",
    ],
    "004": [
        "China's Xi Jinping and Russia's Vladimir Putin on Thursday promised a “new era”",
        "Xi welcomed Putin in a ceremony at the Great Hall of the People in Beijing",
        "calling Chinese aid to Russia “problematic “.",
    ],
}


@pytest.mark.parametrize("prefix", sorted(KEEP))
def test_seed_story_sentences_survive(prefix: str) -> None:
    _raw, article = _seed(prefix)
    for fragment in KEEP[prefix]:
        assert fragment in article.text, fragment
    assert "\n\n\n" not in article.text and "](" not in article.text
    assert article.language == "en"


@pytest.mark.parametrize("prefix", sorted(KEEP))
def test_removed_offsets_point_into_the_raw_text(prefix: str) -> None:
    raw, article = _seed(prefix)
    for span in article.removed:
        if span.reason == "embedded media link":
            continue  # recorded against its whole line
        assert span.start is not None and span.end is not None
        assert raw.content[span.start : span.end].strip() == span.text


def test_sample_000_subscribe_block_bylines_and_caption() -> None:
    _raw, a = _seed("000")
    removed = _reasons(a)
    assert a.title == "Putin and Xi Announce Strengthening of Russia-China Partnership"
    assert a.authors == ("D. Michael DeRidder",) and a.published == "2024-05-16"
    assert len(removed["byline"]) + len(removed["repeated byline"]) == 2
    assert removed["photo credit"] == ["AP Images"] and removed["caption"] == [
        "Vladimir Putin and Xi Jinping"
    ]
    assert "Subscribe to the New American" in removed["subscribe block"]
    assert "- Cancel anytime." in removed["subscribe block"]
    assert "Subscribe" not in a.text and "Written by" not in a.text and "AP Images" not in a.text
    assert a.outlet == "The New American"


def test_sample_001_metadata_lines_and_dateline() -> None:
    _raw, a = _seed("001")
    assert a.title == "Xi, Putin Pledge a New Era, Condemn U.S."
    assert a.published == "2024-05-17T21:28" and a.wire_credit == "Dispatches"
    assert set(_reasons(a)["metadata line"]) == {"News ID: 127411", "Publish Date : 17 May 2024 - 21:28"}
    assert not a.text.startswith("BEIJING") and "News ID" not in a.text


def test_sample_002_glued_prefix_and_comment_prompt() -> None:
    _raw, a = _seed("002")
    assert a.title == "Russian President Putin visits China to meet Xi Jinping, bolster strategic partnership"
    assert a.published == "2024-05-16"
    assert a.text.startswith("Russian President Vladimir Putin arrived in Beijing")
    assert "Leave a comment" in _reasons(a)["comment prompt"] and "Leave a comment" not in a.text
    assert "No Comments" not in a.text


def test_sample_003_search_query_and_reply_form() -> None:
    _raw, a = _seed("003")
    assert a.title == "Xi and Putin Discuss Military Alliances in Indo-Pacific Region"
    removed = _reasons(a)
    assert removed["navigation/search query"] == ["putin china"]
    assert "Leave a Reply" in removed["comment prompt"]
    assert "Leave a Reply" not in a.text and "Required fields" not in a.text and "putin china" not in a.text


def test_sample_004_date_line_credit_and_inline_teaser() -> None:
    _raw, a = _seed("004")
    assert a.published == "2024-05-20" and a.wire_credit == "Reuters"
    assert a.title is None  # no headline in the file; we do not invent one
    assert "This might interest you" not in a.text and "Source" not in a.text
    assert a.text.endswith("calling Chinese aid to Russia “problematic “.")
    assert "date 2024-05-20" in _reasons(a)["metadata line"]


def test_wire_story_dateline_and_credits() -> None:
    _raw, a = _clean_file(FIX / "clean" / "wire_ap.txt")
    assert a.wire_credit == "AP"
    assert a.title == "Harbor city council approves new flood barrier after long debate"
    assert a.text.startswith("The city council of Port Elsby voted 7-2")
    assert "contributed to this report" not in a.text and "All rights reserved" not in a.text
    assert "Construction is expected to begin next spring" in a.text


def test_blog_post_share_bar_newsletter_caption_teaser() -> None:
    _raw, a = _clean_file(FIX / "clean" / "blog_post.txt")
    removed = _reasons(a)
    assert a.title == "Why our tomato harvest doubled this summer"
    assert a.authors == ("Priya Natarajan",) and a.published == "2023-08-12"
    assert removed["navigation/search query"] == ["Home > Gardening > Vegetables"]
    assert len(removed["share bar"]) == 2 and removed["caption"] == ["A basket of ripe tomatoes"]
    assert "Get our gardening newsletter" in removed["subscribe block"]
    assert removed["related-article teaser"] == ["Related: Five herbs that grow well in shade"]
    paragraphs = a.text.split("\n\n")
    assert len(paragraphs) == 4 and paragraphs[-1].startswith("We will keep both habits")


def test_html_page_drops_nav_footer_and_comments() -> None:
    _raw, a = _clean_file(FIX / "ingest" / "page.html")
    assert a.title == "Rail strike ends after overnight talks"
    # the page's article:published_time keeps its time zone
    assert a.published == "2024-03-05T08:15+00:00"
    assert a.authors == ("Marta Kowalczyk",) and a.outlet == "Northern Ledger"
    assert a.text.startswith("A three-day rail strike")
    assert "Passenger groups welcomed the end of the dispute" in a.text
    for junk in ("Finally! I missed", "Subscribe", "Privacy policy", "Weather", "All rights reserved"):
        assert junk not in a.text
    assert all(span.start is None for span in a.removed)


def test_latin1_text_cleans() -> None:
    _raw, a = _clean_file(FIX / "ingest" / "latin1.txt")
    assert a.title == "Tourist tax divides the old town" and "Renée Dubois" in a.text


def test_jsonl_hints_take_precedence() -> None:
    docs = [d for d in read_inputs([FIX / "ingest" / "articles.jsonl"]) if isinstance(d, RawDocument)]
    a = clean_document(docs[0])
    assert a.title == "Bridge reopens after repairs" and a.published == "2024-05-02"
    assert a.authors == ("Sam Ortiz",) and a.outlet == "Example News"
    assert a.url == "https://www.example-news.org/2024/05/bridge"


def test_same_content_same_id_and_empty_is_rejected() -> None:
    body = "A council vote on Tuesday approved the new harbour flood barrier after three years of debate."
    a = clean_document(RawDocument(source="a.txt", kind="text", content=body))
    b = clean_document(RawDocument(source="b.txt", kind="text", content=f"\n\n  {body}  \n"))
    assert a.id == b.id == content_id(RawDocument("any", "text", body)) and len(a.id) == 16
    assert text_key(a.text) == text_key(body)
    # the id is the input's: another container's metadata makes another input, whatever its body
    c = clean_document(RawDocument(source="c.txt", kind="text", content=body, hints={"title": "Barrier"}))
    assert c.id != a.id and c.text == a.text
    with pytest.raises(EmptyInput, match="min_text_chars"):
        clean_document(
            RawDocument(source="c.txt", kind="text", content="Leave a comment\n\nShare this: Facebook")
        )


def test_outlet_from_url_when_nothing_else_names_it() -> None:
    body = "A council vote on Tuesday approved the new harbour flood barrier after three years of debate."
    raw = RawDocument(
        source="x", kind="text", content=body, hints={"url": "https://www.harbour-news.co.uk/a/1"}
    )
    assert clean_document(raw).outlet == "harbour-news.co.uk"


def test_hostile_input_is_cleaned_quickly() -> None:
    # Long runs that could make a careless pattern backtrack: capitals, brackets, dashes, dates.
    nasty = "\n".join(
        [
            "By " + "Ab " * 5000,
            "(" * 5000 + "x",
            "A" * 50_000 + " (AP) " + "-" * 5000,
            "May 1, 2024 " * 2000,
            "Read more: " + "word " * 20000,
            "[" * 3000 + "](" * 3000,
        ]
    )
    start = time.perf_counter()
    clean_document(
        RawDocument(
            source="nasty", kind="text", content=nasty + "\n\nA real sentence of the story ends here."
        )
    )
    assert time.perf_counter() - start < 5


def _page_with_paragraphs(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>T</title></head><body><article>{body}</article></body></html>"


@pytest.mark.parametrize(("paragraphs", "full_runs"), [(30, False), (2, True)])
def test_trafilatura_full_cascade_only_for_short_bodies(
    monkeypatch: pytest.MonkeyPatch, paragraphs: int, full_runs: bool
) -> None:
    """Fast mode alone for a complete body; readability/justext comparison as well for a short one."""
    import trafilatura

    calls: list[bool] = []
    real = trafilatura.bare_extraction

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(bool(kwargs.get("fast")))
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    sentence = "The council voted on Tuesday to extend the harbour wall by another forty metres of stone."
    html = _page_with_paragraphs([f"{sentence} Item {i}." for i in range(paragraphs)])
    article = clean_document(RawDocument(source="p.html", kind="html", content=html, hints={}))
    assert "harbour wall" in article.text
    assert calls[0] is True  # always fast first
    assert (False in calls) is full_runs


@pytest.mark.parametrize(
    ("url", "outlet", "key"),
    [
        ("https://www.Harbour-News.co.uk/a/1", None, "harbour-news.co.uk"),
        ("https://m.example.org/x", "Example", "example.org"),
        ("amp.example.org/x", None, "example.org"),
        (None, "Coastal Times", "Coastal Times"),
        ("http://[::1", "Coastal Times", "Coastal Times"),  # malformed authority: the outlet
        (None, None, None),
    ],
)
def test_site_key_is_the_host_without_edition_prefixes_else_the_outlet(url, outlet, key) -> None:
    assert site_key(url, outlet) == key


def test_prune_for_body_keeps_tails_and_json_ld() -> None:
    tree = parse_html(
        '<html><head><script type="application/ld+json">{"articleBody": "x"}</script>'
        "<script>var a = 1;</script><style>p {color: red}</style></head><body>"
        '<p>Before <svg><path d="M0"/></svg>after the icon.<script>track()</script> End.</p>'
        '<iframe src="ad.html">frame</iframe><noscript><p>Kept for the extractors.</p></noscript></body></html>'
    )
    prune_for_body(tree)
    assert [s.get("type") for s in tree.iter("script")] == ["application/ld+json"]
    assert not list(tree.iter("style", "svg", "iframe"))
    assert tree.find(".//p").text_content() == "Before after the icon. End."
    assert tree.find(".//noscript") is not None  # trafilatura reads <noscript> text on some sites
