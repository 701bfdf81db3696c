"""RSS and Atom feeds -> one RawDocument per entry (feedparser does the parsing, in every dialect).

An entry's body is its full content (`content:encoded`, Atom `<content>`) when the feed carries one, else
its summary; the HTML fragment is turned into paragraphs here, because trafilatura is built for whole pages
and drops short fragments. Link, title, dates, authors and the feed's own title travel as hints.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ..errors import MalformedRecord
from ..records import RawDocument, Rejection
from .decode import decode

# Elements that end a paragraph when a fragment becomes text.
_BLOCKS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr section article figure figcaption hr".split()
)
_DROP = frozenset("script style noscript iframe form button svg".split())
_FEED_HEAD = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.I)


def looks_like_feed(data: bytes) -> bool:
    """True when the first kilobytes hold an <rss>, <feed> or <rdf:RDF> root (RSS 2.0, Atom, RSS 1.0)."""
    return bool(_FEED_HEAD.search(data[:4096]))


def fragment_text(fragment: str) -> str:
    """An HTML fragment as plain text, one paragraph per block element, scripts and styles dropped."""
    import lxml.html
    from lxml import etree

    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]{0,500}>", " ", fragment).strip()
    parts: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP:
            if el.tail:
                parts.append(el.tail)
            return
        block = tag in _BLOCKS
        if block:
            parts.append("\n\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
        if block:
            parts.append("\n\n")
        if el.tail:
            parts.append(el.tail)

    walk(root)
    text = "".join(parts)
    text = re.sub(r"[ \t\r\f\v\u00a0]+", " ", text)
    return re.sub(r"\s*\n\s*\n\s*", "\n\n", text).strip()


def feed_date(value: str | None) -> str | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom) date as ISO 8601, keeping the time zone the feed gave."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        parsed: datetime = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            from ..text.dates import normalise_date

            return normalise_date(value)
    return parsed.isoformat()


def read_feed(data: bytes, source: str) -> Iterator[RawDocument | Rejection]:
    """One RawDocument per feed entry; an entry without any text becomes a Rejection naming `source#entry-N`."""
    import feedparser

    text = decode(data, source, html=True)
    parsed = feedparser.parse(text)
    if not parsed.entries and parsed.get("bozo"):
        raise MalformedRecord(
            source,
            f"not a readable RSS/Atom feed ({type(parsed.get('bozo_exception')).__name__}); check the file",
        )
    if not parsed.entries:
        raise MalformedRecord(source, _why_no_entries(data))
    outlet = (parsed.feed.get("title") or "").strip() or None
    language = parsed.feed.get("language") or None  # RSS <language> / Atom xml:lang
    for n, entry in enumerate(parsed.entries, start=1):
        where = f"{source}#entry-{n}"
        doc = entry_document(entry, where, outlet, language)
        if doc is None:
            yield Rejection(
                input=where, reason="feed entry has no content or summary text; nothing to analyse"
            )
        else:
            yield doc


def _why_no_entries(data: bytes) -> str:
    if looks_like_feed(data):
        return "a feed with no entries; nothing to analyse"
    if re.search(rb"<(?:html|body|p|div)\b", data[:65536], re.I):
        return "an HTML page, not a feed; save it as .html to read it as an article"
    return "not an RSS/Atom feed (no <rss>, <feed> or <rdf:RDF> root); check the file"


def entry_document(
    entry: Any, where: str, outlet: str | None, language: str | None = None
) -> RawDocument | None:
    """A feed entry as a text RawDocument with its metadata as hints, or None when it has no text.
    `language` is the feed's; an entry's own xml:lang on its content or summary wins over it."""
    bodies = [c.get("value", "") for c in entry.get("content") or [] if c.get("value")]
    own = [c.get("language") for c in entry.get("content") or [] if c.get("language")]
    own.append((entry.get("summary_detail") or {}).get("language"))
    body = max(bodies, key=len) if bodies else entry.get("summary") or ""
    text = fragment_text(body)
    if not text:
        return None
    hints: dict[str, Any] = {}
    if entry.get("link"):
        hints["url"] = entry["link"]
    if entry.get("id"):
        hints["id"] = entry["id"]
    if entry.get("title"):
        hints["title"] = fragment_text(entry["title"])
    published = feed_date(entry.get("published") or entry.get("updated"))
    if published:
        hints["published"] = published
    authors = [a.get("name", "").strip() for a in entry.get("authors") or [] if a.get("name", "").strip()]
    if not authors and entry.get("author"):
        authors = [entry["author"].strip()]
    if authors:
        hints["authors"] = authors
    if outlet:
        hints["outlet"] = outlet
    if next((x for x in own if x), None) or language:
        hints["language"] = next((x for x in own if x), None) or language
    return RawDocument(source=where, kind="text", content=text, hints=hints)
