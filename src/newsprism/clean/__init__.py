"""Clean: RawDocument -> Article (boilerplate out, metadata in).

Plain text goes through the rules in `rules.py`; HTML is parsed once (`parse_html`), its own metadata read by
agreement (`metadata.py`: JSON-LD, og:/meta tags, <h1>), the body and date taken by trafilatura, mojibake
repaired, then the same text rules for what trafilatura lets pass (comment prompts, subscribe boxes,
captions, credits). With a store, lines repeated across one site's articles go too (`site.py`). Hints from
the container (JSONL fields, feed entries) win over guesses.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import replace
from typing import Any

from .. import settings
from ..errors import EmptyInput, InputError, MalformedRecord
from ..records import Article, RawDocument, RemovedSpan
from ..text.dates import normalise_date, reconcile_dates
from ..text.ids import content_id
from ..text.outlets import outlet_table
from .metadata import alnum_key, language_code, page_metadata, visible_lead
from .mojibake import fix_mojibake
from .rules import TextCleaning, clean_text, normalise_wire
from .site import SiteMemory, learn_and_remove, site_key

__all__ = ["clean_document", "clean_text", "detect_language", "normalise_wire", "site_key"]


def clean_document(raw: RawDocument, site_memory: SiteMemory | None = None) -> Article:
    """Clean one raw document. Raises an `errors.InputError` subclass when no usable body remains.

    With a `site_memory`, short paragraphs that recur across earlier articles of the same site are removed
    too, and this one's are learned (`site.SiteMemory`); without one (evaluation, library use) nothing is.
    """
    url = _str(raw.hints.get("url"))
    if raw.kind == "html":
        found, page_url = _clean_html(raw)
        url = url or page_url
    elif raw.kind == "text":
        found = _clean_text_input(raw.content)
    else:
        raise MalformedRecord(raw.source, f"unknown document kind {raw.kind!r}; expected 'text' or 'html'")
    minimum = settings.current().min_text_chars
    if len(found.text) < minimum:
        raise EmptyInput(
            raw.source,
            f"only {len(found.text)} characters of article text remain after removing boilerplate "
            f"(min_text_chars={minimum}); the file holds no article body",
        )
    hints = raw.hints
    site = site_key(url, _str(hints.get("outlet")) or found.outlet)
    article_id = content_id(raw)
    text, site_removed = learn_and_remove(found.text, site, site_memory, article_id)
    if len(text) < minimum:  # everything left was the site's furniture
        text, site_removed = found.text, ()
    text, over_budget = _within_article_budget(text)
    return Article(
        id=article_id,
        source=raw.source,
        text=text,
        title=_str(hints.get("title")) or found.title,
        published=normalise_date(hints.get("published")) or found.published,
        authors=_authors(hints.get("authors")) or found.authors,
        outlet=_str(hints.get("outlet")) or found.outlet or outlet_at(url),
        wire_credit=normalise_wire(_str(hints.get("wire_credit")) or "") or found.wire_credit,
        # the container's or the page's own declaration; the detector only where neither says
        language=language_code(hints.get("language")) or choose_language(found.language, text),
        url=url,
        removed=found.removed + site_removed + over_budget,
    )


_PREVIEW_CHARS = 200
# C0 controls but tab, newline, carriage return: never part of a UTF-8 multi-byte sequence, so safe to delete
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
# in a text: deleted, but those that str.splitlines reads as line ends (form feed, ...) become newlines
_CONTROL_CHARS = {c: "\n" if len(f"a{chr(c)}b".splitlines()) == 2 else None for c in _CONTROL_BYTES}


def _clean_text_input(content: str) -> TextCleaning:
    """Clean a plain-text document, reading no more than `max_text_input_chars` of it (cleaning time grows
    with the input; what lies past the cap is noted as removed). C0 control characters but tab and line
    ends are dropped, as from HTML: no record holds a NUL, which PostgreSQL cannot store."""
    cap = settings.current().max_text_input_chars
    found = clean_text(unicodedata.normalize("NFC", content[:cap].translate(_CONTROL_CHARS)))
    if len(content) <= cap:
        return found
    note = RemovedSpan(
        text=content[cap : cap + _PREVIEW_CHARS],
        reason=f"not read: {len(content) - cap:,} characters past max_text_input_chars={cap:,}",
        start=cap,
        end=len(content),
    )
    return replace(found, removed=(*found.removed, note))


def _within_article_budget(text: str) -> tuple[str, tuple[RemovedSpan, ...]]:
    """The article text cut to `max_article_chars`, at the last paragraph or sentence end before the cap,
    and a note of what was cut (its first characters and its length). Every later stage reads the cut text,
    so no stage's time grows past the budget however long the input."""
    cap = settings.current().max_article_chars
    if len(text) <= cap:
        return text, ()
    cut = text.rfind("\n\n", 0, cap)
    if cut < cap // 2:
        cut = max(text.rfind(". ", 0, cap) + 1, text.rfind("\n", 0, cap))
    if cut < cap // 2:
        cut = cap
    kept = text[:cut].rstrip()
    rest = text[cut:].lstrip()
    note = RemovedSpan(
        text=rest[:_PREVIEW_CHARS],
        reason=f"not analysed: {len(rest):,} characters past max_article_chars={cap:,} (the article budget)",
    )
    return kept, (note,)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text (py3langid over the first 1,000 characters: on the 1,247 eval pages it
    gives the same code as 2,000 on all but one, at 0.6 instead of 1.6 ms); None for too little text."""
    found = _detect(text)
    return found[0] if found else None


def choose_language(declared: str | None, text: str) -> str | None:
    """The page's declared language unless the text detector confidently says otherwise (a template's default
    lang="en" on German text; `language_detector_override`). Undeclared, the detector's language only when
    it is as confident as that, else unknown (None): on a short text it guesses ("Angela Merkel, Emmanuel
    Macron, Mario Draghi met in Rome." is Dutch at 0.52), and an article in another language is not
    analysed (`text.languages`)."""
    found = _detect(text)
    confident = found is not None and found[1] >= settings.current().language_detector_override
    if declared and (found is None or found[0] == declared or not confident):
        return declared
    return found[0] if confident else declared


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)


def _detect(text: str) -> tuple[str, float] | None:
    sample = text[:1000]
    if len(sample.strip()) < 20:
        return None
    code, prob = _identifier().classify(sample)
    return str(code), float(prob)


def outlet_at(url: str | None) -> str | None:
    """The outlet of a page that names none: its domain's row of the outlet table, else its site."""
    row = outlet_table().at(url)
    return row.name if row is not None else site_key(url)


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value).translate(_CONTROL_CHARS)).strip()
    return text or None


def _authors(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = re.split(r"\s*(?:;|,|\band\b|&)\s*", value)
    if not isinstance(value, list | tuple):
        return ()
    return tuple(a for a in (_str(v) for v in value) if a)


# ------------------------------------------------------------------ HTML


def parse_html(content: str) -> Any:
    """An lxml tree of the page, parsed from UTF-8 bytes so that an `<?xml encoding=...>` or `<meta charset>`
    declaration cannot make lxml re-decode text that is already decoded (the source of most mojibake)."""
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, default_doctype=False)
    # a stray \x07 in the text makes trafilatura give up on the whole tree; its own loader strips these too
    data = content.encode("utf-8", "surrogatepass").translate(None, _CONTROL_BYTES)
    try:
        return lxml.html.fromstring(data, parser=parser)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return None


def _trafilatura_metadata(
    tree: Any, url: str | None, want_author: bool = True
) -> tuple[str | None, str | None, str | None]:
    """(date, author, url) exactly as `bare_extraction(with_metadata=True)` finds them (trafilatura 2.3's
    `extract_metadata`, same order and date parameters), without the categories, tags, licence and site
    name it also computes: those took about a third of its metadata time and newsprism reads none of them.
    `want_author=False` skips the visible-byline search (~20 ms on a page without author markup) and the
    JSON-LD pass (~9 ms a page on fundus) when the caller already holds structured authors."""
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_url
    from trafilatura.settings import DEFAULT_CONFIG, set_date_params

    found = examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None
    if want_author:
        # its JSON-LD pass yields only the author among what newsprism reads (not the URL or the date), and
        # costs ~9 ms a page (a regex minifier over every block, a regex fallback on broken JSON)
        try:
            found = extract_meta_json(tree, found)
        except Exception:  # noqa: BLE001 - trafilatura's own guard: bugs in its JSON-LD reader
            pass
    if not found.author and want_author:
        found.author = extract_author(tree)
    if not found.url:
        found.url = extract_url(tree, url)
    params = set_date_params(DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH"))
    date = find_date(tree, **{**params, "url": found.url})
    return date, found.author, found.url


def _trafilatura_body(tree: Any, url: str | None) -> Any:
    """trafilatura's body in fast mode, and its full cascade (readability and justext comparison) only where
    the fast body looks incomplete: shorter than `trafilatura_fallback_min_chars`, or than
    `trafilatura_fallback_share` of the page's paragraph text. The comparison costs ~17 ms a page and
    changes the body on about 4% of pages, nearly all of them ones where the fast body came out short."""
    import trafilatura

    options = {
        "url": url,
        "with_metadata": False,
        "include_comments": False,
        "include_tables": True,
        "include_images": False,
    }
    doc = trafilatura.bare_extraction(tree, fast=True, **options)  # extracts from a copy of the tree
    found = len(doc.text or "") if doc is not None else 0
    if (
        found < settings.current().trafilatura_fallback_min_chars
        or found < settings.current().trafilatura_fallback_share * _paragraph_chars(tree)
    ):
        doc = trafilatura.bare_extraction(tree, fast=False, **options)
    return doc


# Elements trafilatura deletes before it extracts (its tree cleaning, readability's and justext's sanitising):
# dropping them once from our tree spares its XPath pruning and its tree copies walking them again.
_NO_BODY_TAGS = ("style", "svg", "iframe", "link")


def prune_for_body(tree: Any) -> None:
    """Remove, in place, what no body extractor reads: scripts other than JSON-LD (trafilatura's baseline
    rescue reads `articleBody` there), styles, SVG drawings, iframes and <link>. Tails stay
    (they are the text after the element). Call it after the metadata readers, which look at scripts."""
    from lxml import etree

    for script in list(tree.iter("script")):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            script.tag = "newsprism-drop"  # marked, then stripped with the rest in one C-level pass
    etree.strip_elements(tree, "newsprism-drop", *_NO_BODY_TAGS, with_tail=False)


def _paragraph_chars(tree: Any) -> int:
    """Characters of text (whitespace squeezed) in the page's <p> elements: what a complete body extraction
    should mostly cover on an article page."""
    return sum(len(" ".join(p.text_content().split())) for p in tree.iter("p"))


def _clean_html(raw: RawDocument) -> tuple[TextCleaning, str | None]:
    """The page's own metadata (JSON-LD, meta tags, <h1>) for title and structured authors, trafilatura for the
    body, the date (htmldate inside) and visible bylines, then the text rules on the body."""
    url = _str(raw.hints.get("url"))
    tree = parse_html(raw.content)
    if tree is None or len(tree) == 0:
        raise EmptyInput(raw.source, "the HTML has no elements; is it an HTML page?")
    meta = page_metadata(tree, url)
    try:
        # structured authors outrank trafilatura's visible byline (below), which is then not searched for
        traf_date, traf_author, traf_url = _trafilatura_metadata(
            tree, url, want_author=not (meta.structured_authors and meta.authors)
        )
        prune_for_body(tree)
        # the body run gets the URL the metadata run found, as with_metadata=True would hand it on
        doc = _trafilatura_body(tree, url or traf_url)
    except Exception as exc:  # trafilatura raises many kinds on broken markup; all mean "no body"
        raise InputError(
            raw.source, f"HTML could not be parsed ({type(exc).__name__}); check the file"
        ) from exc
    if doc is None:
        raise EmptyInput(raw.source, "no article body found in the HTML page; is it an article page?")
    body = fix_mojibake(doc.text or "")
    # trafilatura's byline heuristics see visible bylines that no markup states
    visible_authors = tuple(a.strip() for a in re.split(r";", traf_author or "") if a.strip())
    title = meta.title
    if title and body.lstrip().startswith(title):
        body = body.lstrip()[len(title) :]  # trafilatura may repeat the <h1> headline as the first body line
    found = clean_text(body, offsets=False, find_title=False)
    text = found.text
    lead = visible_lead(tree, text)  # trafilatura extracts from a copy: the tree is still whole
    if lead and alnum_key(lead)[:80] not in alnum_key(text) and alnum_key(lead) != alnum_key(title or ""):
        text = f"{lead}\n\n{text}"  # the standfirst trafilatura left out (metadata.visible_lead)
    cleaning = TextCleaning(
        text=text,
        removed=found.removed,
        title=title or found.title,
        # htmldate's pick (extensive search) unless the page's own timestamp pins another day (dates.py)
        published=reconcile_dates(traf_date, meta.published) or found.published,
        authors=(meta.authors if meta.structured_authors else ())
        or visible_authors
        or meta.authors
        or found.authors,
        # the text's own dateline or credit line first: it names this story's source, metadata the site's habit
        wire_credit=found.wire_credit or meta.wire_credit,
        outlet=meta.site_name or found.outlet or outlet_at(url),
        language=meta.language,
    )
    return cleaning, url
