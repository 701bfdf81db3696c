"""Clean: RawDocument -> Article (boilerplate out, metadata in).

Plain text goes through the rules in `rules.py`; HTML is parsed once (`parse_html`), its own metadata read by
agreement (`metadata.py`: JSON-LD, og:/meta tags, <h1>), the body and date taken by trafilatura, mojibake
repaired, then the same text rules for what trafilatura lets pass (comment prompts, subscribe boxes,
captions, credits). With a store, lines repeated across one site's articles go too (`site.py`). Hints from
the container (JSONL fields, feed entries) win over guesses.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import settings
from ..errors import EmptyInput, InputError, MalformedRecord
from ..records import Article, RawDocument
from .dates import normalise_date
from .metadata import page_metadata
from .mojibake import fix_mojibake
from .rules import TextCleaning, clean_text, normalise_wire
from .site import remove_site_boilerplate

if TYPE_CHECKING:
    from ..store.sqlite import SQLiteStore

__all__ = ["clean_document", "article_id", "clean_text", "detect_language", "normalise_wire"]


def article_id(text: str) -> str:
    """Content hash of the clean text: the same body from two files gets one id."""
    norm = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def clean_document(raw: RawDocument, store: SQLiteStore | None = None) -> Article:
    """Clean one raw document. Raises an `errors.InputError` subclass when no usable body remains.

    With a `store`, short paragraphs that recur across earlier articles of the same site are removed too
    (`site.remove_site_boilerplate`); without one (evaluation, library use) nothing is learned.
    """
    url = _str(raw.hints.get("url"))
    if raw.kind == "html":
        found, page_url = _clean_html(raw)
        url = url or page_url
    elif raw.kind == "text":
        found = clean_text(unicodedata.normalize("NFC", raw.content))
    else:
        raise MalformedRecord(raw.source, f"unknown document kind {raw.kind!r}; expected 'text' or 'html'")
    minimum = settings.get("min_text_chars")
    if len(found.text) < minimum:
        raise EmptyInput(
            raw.source,
            f"only {len(found.text)} characters of article text remain after removing boilerplate "
            f"(min_text_chars={minimum}); the file holds no article body",
        )
    hints = raw.hints
    site = _outlet_from_url(url) or _str(hints.get("outlet")) or found.outlet
    text, site_removed = remove_site_boilerplate(found.text, site, store, article_id(found.text))
    if len(text) < minimum:  # everything left was the site's furniture
        text, site_removed = found.text, ()
    return Article(
        id=article_id(text),
        source=raw.source,
        text=text,
        title=_str(hints.get("title")) or found.title,
        published=normalise_date(hints.get("published")) or found.published,
        authors=_authors(hints.get("authors")) or found.authors,
        outlet=_str(hints.get("outlet")) or found.outlet or _outlet_from_url(url),
        wire_credit=found.wire_credit,
        language=detect_language(text),
        url=url,
        removed=found.removed + site_removed,
    )


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text (py3langid over the first 2,000 characters; its feature extraction is pure
    Python and cost 16 ms a page at 5,000); None for too little text."""
    sample = text[:2000]
    if len(sample.strip()) < 20:
        return None
    import py3langid

    code, _score = py3langid.classify(sample)
    return code


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def _authors(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = re.split(r"\s*(?:;|,|\band\b|&)\s*", value)
    if not isinstance(value, list | tuple):
        return ()
    return tuple(a for a in (_str(v) for v in value) if a)


def _outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    host = re.sub(r"^(?:www\d?|m|amp|edition|mobile)\.", "", host.lower())
    return host or None


# ------------------------------------------------------------------ HTML


def _same_day_with_time(day: str | None, stated: str | None) -> str | None:
    """The chosen day, written with the page's own time and zone when the page states that same day."""
    if day and stated and stated[:10] == day[:10]:
        return stated
    return day or stated


def parse_html(content: str) -> Any:
    """An lxml tree of the page, parsed from UTF-8 bytes so that an `<?xml encoding=...>` or `<meta charset>`
    declaration cannot make lxml re-decode text that is already decoded (the source of most mojibake)."""
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, default_doctype=False)
    try:
        return lxml.html.fromstring(content.encode("utf-8", "surrogatepass"), parser=parser)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return None


def _trafilatura_metadata(tree: Any, url: str | None) -> tuple[str | None, str | None, str | None]:
    """(date, author, url) exactly as `bare_extraction(with_metadata=True)` finds them (trafilatura 2.3's
    `extract_metadata`, same order and date parameters), without the categories, tags, licence and site
    name it also computes: those took about a third of its metadata time and newsprism reads none of them."""
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_url
    from trafilatura.settings import DEFAULT_CONFIG, set_date_params

    found = examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None
    try:
        found = extract_meta_json(tree, found)
    except Exception:  # noqa: BLE001 - trafilatura's own guard: bugs in its JSON-LD reader
        pass
    if not found.author:
        found.author = extract_author(tree)
    if not found.url:
        found.url = extract_url(tree, url)
    params = set_date_params(DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH"))
    date = find_date(tree, **{**params, "url": found.url})
    return date, found.author, found.url


def _clean_html(raw: RawDocument) -> tuple[TextCleaning, str | None]:
    """The page's own metadata (JSON-LD, meta tags, <h1>) for title and structured authors, trafilatura for the
    body, the date (htmldate inside) and visible bylines, then the text rules on the body."""
    import trafilatura

    url = _str(raw.hints.get("url"))
    tree = parse_html(raw.content)
    if tree is None or len(tree) == 0:
        raise EmptyInput(raw.source, "the HTML has no elements; is it an HTML page?")
    meta = page_metadata(tree, url)
    try:
        traf_date, traf_author, traf_url = _trafilatura_metadata(tree, url)
        # the body run gets the URL the metadata run found, as with_metadata=True would hand it on
        doc = trafilatura.bare_extraction(
            tree,
            url=url or traf_url,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            include_images=False,
        )
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
    cleaning = TextCleaning(
        text=found.text,
        removed=found.removed,
        title=title or found.title,
        # trafilatura's date (htmldate, extensive search) first: on trafilatura-eval it beats the page's own
        # date fields 0.90 to 0.81; those fill in where it finds none
        published=_same_day_with_time(normalise_date(traf_date), normalise_date(meta.published))
        or found.published,
        authors=(meta.authors if meta.structured_authors else ())
        or visible_authors
        or meta.authors
        or found.authors,
        wire_credit=found.wire_credit,
        outlet=meta.site_name or found.outlet or _outlet_from_url(url),
    )
    return cleaning, url
