"""Boilerplate learned from the corpus: short paragraphs that recur across many articles of one site.

A single-page extractor cannot tell a site's standing furniture ("Follow us on ...", a promo line, a legal
note) from a short story paragraph; the tenth article from the same site can. Counts live in the store
(`site_lines`: site, hash of the normalised line, number of articles), so the knowledge grows across runs;
without a store nothing is learned or removed.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .. import settings
from ..records import RemovedSpan

if TYPE_CHECKING:
    from ..store.sqlite import SQLiteStore

_MAX_LINE_CHARS = (
    200  # longer paragraphs are story text; repeating one verbatim is a duplicate, not furniture
)


def site_key(url: str | None, outlet: str | None = None) -> str | None:
    """The name a site's boilerplate counts are kept under: the URL's host, lower-cased, without a www./m./
    amp./edition./mobile. prefix (one site, whichever edition served the page); else `outlet`. Also the
    outlet name of last resort for an article nothing else names."""
    if url:
        try:
            host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
        except ValueError:  # a malformed authority ("http://[::1"): no host to key on
            host = ""
        host = re.sub(r"^(?:www\d?|m|amp|edition|mobile)\.", "", host.lower())
        if host:
            return host
    return outlet or None


def line_hash(line: str) -> str:
    norm = re.sub(r"\W+", " ", line.casefold()).strip()
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def remove_site_boilerplate(
    text: str, site: str | None, store: SQLiteStore | None, article_id: str
) -> tuple[str, tuple[RemovedSpan, ...]]:
    """Drop paragraphs seen in at least `site_boilerplate_min_articles` earlier articles of `site`, then count
    this article's short paragraphs (once per article: a re-read article already in the store is not recounted).
    """
    if store is None or not site:
        return text, ()
    paras = text.split("\n\n")
    hashes = [line_hash(p) if len(p) <= _MAX_LINE_CHARS else None for p in paras]
    short = [h for h in hashes if h]
    if not short:
        return text, ()
    seen = store.site_line_counts(site, short)
    if not store.has_article(article_id):
        store.count_site_lines(site, short)
    needed = int(settings.get("site_boilerplate_min_articles"))
    kept: list[str] = []
    removed: list[RemovedSpan] = []
    for para, h in zip(paras, hashes, strict=True):
        if h and seen.get(h, 0) >= needed:
            removed.append(
                RemovedSpan(text=para, reason=f"site boilerplate (in {seen[h]} earlier {site} articles)")
            )
        else:
            kept.append(para)
    return "\n\n".join(kept), tuple(removed)
