"""Boilerplate learned from the corpus: short paragraphs that recur across many articles of one site.

A single-page extractor cannot tell a site's standing furniture ("Follow us on ...", a promo line, a legal
note) from a short story paragraph; the tenth article from the same site can. Counts live in the store
(`site_lines`: site, hash of the normalised line, number of articles), so the knowledge grows across runs;
cleaning reads them through a `SiteMemory` and never writes the store; without one nothing is learned or
removed.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import NamedTuple, Protocol
from urllib.parse import urlsplit

from .. import settings
from ..records import RemovedSpan
from ..text.ids import text_key


class SiteCounts(Protocol):
    """The read side of the store that site memory needs."""

    def site_line_counts(self, site: str, line_hashes: Iterable[str]) -> Mapping[str, int]: ...

    def has_article(self, article_id: str) -> bool: ...


_MAX_LINE_CHARS = (
    200  # longer paragraphs are story text; repeating one verbatim is a duplicate, not furniture
)
SITE_BOILERPLATE = "site boilerplate"  # how a removed span's reason begins


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


def site_lines(text: str) -> tuple[str, ...]:
    """The hashes of a text's short paragraphs, the lines a site's furniture is counted by (each once)."""
    return tuple(dict.fromkeys(line_hash(p) for p in text.split("\n\n") if len(p) <= _MAX_LINE_CHARS))


def lines_counted(text: str, removed: Iterable[RemovedSpan]) -> set[str]:
    """The lines cleaning counted for an article (`site_lines` of its text before the site step): those of
    the text it kept and of the site boilerplate it removed (what a takedown gives back)."""
    return set(site_lines(text)) | {
        line_hash(r.text) for r in removed if r.reason.startswith(SITE_BOILERPLATE)
    }


def remove_site_boilerplate(
    text: str, site: str | None, counts: Mapping[str, int]
) -> tuple[str, tuple[RemovedSpan, ...]]:
    """Drop the paragraphs seen in at least `site_boilerplate_min_articles` earlier articles of `site`;
    `counts` holds that number for the text's short lines (`site_lines`), absent where it is none."""
    if not site or not counts:
        return text, ()
    needed = settings.current().site_boilerplate_min_articles
    kept: list[str] = []
    removed: list[RemovedSpan] = []
    for para in text.split("\n\n"):
        seen = counts.get(line_hash(para), 0) if len(para) <= _MAX_LINE_CHARS else 0
        if seen >= needed:
            removed.append(
                RemovedSpan(text=para, reason=f"{SITE_BOILERPLATE} (in {seen} earlier {site} articles)")
            )
        else:
            kept.append(para)
    return "\n\n".join(kept), tuple(removed)


def learn_and_remove(
    text: str, site: str | None, memory: SiteMemory | None, article_id: str
) -> tuple[str, tuple[RemovedSpan, ...]]:
    """The site step of cleaning: remove what earlier articles of `site` repeat, then tell `memory` this
    article's lines, under its id and its text keys before the step and after it."""
    if memory is None or not site:
        return text, ()
    hashes = site_lines(text)
    if not hashes:
        return text, ()
    kept, removed = remove_site_boilerplate(text, site, memory.counts(site, hashes))
    memory.learn(article_id, (text_key(text), text_key(kept)), site, hashes)
    return kept, removed


class SiteLines(NamedTuple):
    """One article's contribution to its site's line counts (`SiteMemory.drain`)."""

    article_id: str
    site: str
    hashes: frozenset[str]


SITE_LINES_STAGE = "site_lines"  # the stage ledger's record that an article's lines were counted


def counts_by_site(taught: Iterable[SiteLines]) -> list[tuple[str, dict[str, int]]]:
    """Articles' contributions summed per site, as the store adds them."""
    summed: dict[str, Counter[str]] = {}
    for item in taught:
        summed.setdefault(item.site, Counter()).update(item.hashes)
    return [(site, dict(counter)) for site, counter in summed.items()]


class SiteMemory:
    """What earlier articles taught about each site's furniture: the counts a store holds (`SiteCounts`),
    plus those of the articles cleaned since and not yet written.

    Cleaning reads it and tells it each article's lines (`learn`, once per article: a re-read article is not
    recounted); the pipeline writes what it learned (`drain`, per article) in the transaction that stores
    those articles, so an interrupted batch counts nothing, and two copies of one page in a batch count once.
    Each article's lines are counted at most once in the store (`SITE_LINES_STAGE`): two runs storing one
    page at the same moment both learn it, and the second to commit counts nothing."""

    def __init__(self, stored: SiteCounts | None = None):
        self._stored = stored
        self._pending: dict[str, Counter[str]] = {}
        self._taught: list[SiteLines] = []
        self._learned: set[str] = set()

    def counts(self, site: str, hashes: Iterable[str]) -> dict[str, int]:
        hashes = list(hashes)
        out = dict(self._stored.site_line_counts(site, hashes)) if self._stored is not None else {}
        pending = self._pending.get(site)
        if pending:
            for h in hashes:
                if pending[h]:
                    out[h] = out.get(h, 0) + pending[h]
        return out

    def learn(
        self, article_id: str, text_keys: Iterable[str], site: str | None, hashes: Iterable[str]
    ) -> None:
        """Count an article's lines for its site, unless the article, by its id or its text keys (before and
        after its site furniture went), was counted in this run or is stored."""
        keys = {article_id, *text_keys}
        if not site or keys & self._learned:
            return
        if self._stored is not None and any(self._stored.has_article(k) for k in keys):
            return
        self._learned |= keys
        lines = frozenset(hashes)
        self._pending.setdefault(site, Counter()).update(lines)
        self._taught.append(SiteLines(article_id, site, lines))

    def drain(self) -> list[SiteLines]:
        """What each article taught since the last drain, to be added to the stored counts."""
        out = [item for item in self._taught if item.hashes]
        self._taught.clear()
        self._pending.clear()
        return out
