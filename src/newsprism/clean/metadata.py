"""Page metadata a news site states about itself: JSON-LD, Open Graph / Twitter / Dublin Core meta tags, <h1>.

News pages say their headline, date and authors several times (schema.org JSON-LD for search engines,
og: tags for social cards, the visible <h1>, the <title> with the site name glued on). Each source is wrong
somewhere (og:title written for sharing, <title> suffixed with the site, JSON-LD listing the publisher as
author), so `page_metadata` gathers them all and picks by agreement: a candidate that another source
confirms wins over one that stands alone. Rules are about markup conventions, never about one site.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .mojibake import fix_mojibake

_ARTICLE_TYPES = frozenset(
    "newsarticle article reportagenewsarticle analysisnewsarticle opinionnewsarticle reviewnewsarticle "
    "backgroundnewsarticle blogposting liveblogposting socialmediaposting report scholarlyarticle "
    "techarticle webpage".split()
)
# Separators between a headline and the site/section name in <title> and og:title.
_TITLE_SEP = re.compile(r"\s+[|\-–—·•*»:/]\s+|\s*[|｜：ㅣ]\s*|\s*[-–—]{2}\s*|(?<=\S)-(?=[^\s-]{1,20}ㅣ)")
# a JSON-LD block larger than this is a data dump, not article metadata; live blogs carry ~1 MB of updates
# (json.loads reads 1 MB in ~10 ms, and the authors found there spare trafilatura's slow regex fallback)
_MAX_LD_CHARS = 2_000_000
_URLISH = re.compile(r"^(?:https?:|www\.|/)", re.I)
_BYLINE_PREFIX = re.compile(r"^(?:by|von|par|por|di|door|av|af)\s+", re.I)
# Job titles written after a byline name ("Kim Min-ji 기자", "Jane Doe, Reporter").
_ROLE_SUFFIX = re.compile(r"\s*(?:기자|특파원|記者|reporter|correspondent|staff writer)$", re.I)
_NOT_A_NAME = re.compile(
    r"(?i)^(?:published|updated|minute read|min read|\d+ min(?:ute)?s? read|staff|admin|editor|redaktion"
    r"|journalist|reporter|contributor|author|unknown|null|none)$"
)


@dataclass(frozen=True)
class PageMetadata:
    """What the page's markup says about the article; every field None/() when the page does not say."""

    title: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    site_name: str | None = None
    language: str | None = None
    structured_authors: bool = False  # authors came from JSON-LD (the site's own structured byline)
    wire_credit: str | None = None  # a wire service the metadata credits (syndication, byline, own site)


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = fix_mojibake(html.unescape(value))
    value = re.sub(r"[\s\u200b\u200e\u200f\ufeff]+", " ", value).strip()
    return value or None


def _key(text: str | None) -> str:
    """Comparison key: case, quote style, spacing and trailing punctuation do not make another title."""
    if not text:
        return ""
    text = text.translate(str.maketrans("‘’‚‛“”„‟«»", '\'\'\'\'""""""'))
    return re.sub(r"\W+", " ", text.casefold()).strip()


# ------------------------------------------------------------------ JSON-LD


def _ld_objects(tree: Any) -> Iterator[dict[str, Any]]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        raw = (script.text or "").strip()
        if not raw or len(raw) > _MAX_LD_CHARS:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            try:  # sites often leave raw newlines or a trailing ';' in the block
                data = json.loads(re.sub(r"[\n\r\t]+", " ", raw).rstrip(";"))
            except ValueError:
                continue
        yield from _walk(data, 0)


def _walk(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data[:50]:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in data:
                yield from _walk(data[key], depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _ld_article(tree: Any) -> dict[str, Any] | None:
    """The page's article object: the first NewsArticle-like one, WebPage only when nothing better is there."""
    best: dict[str, Any] | None = None
    for obj in _ld_objects(tree):
        kinds = _types(obj) & _ARTICLE_TYPES
        if not kinds:
            continue
        if kinds != {"webpage"}:
            return obj
        best = best or obj
    return best


def _ld_names(value: Any) -> list[str]:
    """Author names from a schema.org author value: a string, a Person/Organization, or a list of them."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items[:20]:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = " ".join(n for n in name if isinstance(n, str))
        text = _text(name)
        if text:
            names.append(text)
    return names


# ------------------------------------------------------------------ meta tags


def _meta(tree: Any, *names: str) -> list[str]:
    """Contents of the <meta> tags with one of `names` as property, name or itemprop, in the order of names."""
    index = _meta_index(tree)
    out: list[str] = []
    for name in names:
        for value in index.get(name, ()):
            text = _text(value)
            if text and text not in out:
                out.append(text)
    return out


_INDEXED: list[Any] = [None, {}]  # (tree, its index): a page asks for a dozen names; one pass serves them all


def _meta_index(tree: Any) -> dict[str, list[str]]:
    if _INDEXED[0] is not tree:
        index: dict[str, list[str]] = {}
        for el in tree.iter("meta"):
            content = el.get("content")
            if content is None:
                continue
            for key in {el.get("property"), el.get("name"), el.get("itemprop")} - {None}:
                index.setdefault(key, []).append(content)
        _INDEXED[:] = [tree, index]
    return _INDEXED[1]


def _h1s(tree: Any) -> list[str]:
    out = []
    for el in tree.xpath("//h1")[:4]:
        text = _text(el.text_content())
        if text and 2 <= len(text) <= 400:
            out.append(text)
    return out


# ------------------------------------------------------------------ choosing


def _names_site(segment: str, keys: set[str]) -> bool:
    sk = _key(segment).replace(" ", "")
    return bool(sk) and any(k and (k in sk or sk in k) for k in keys)


def strip_site_suffix(title: str, site_names: list[str]) -> str:
    """Drop a '- Site Name' tail (or 'Site Name: ' head) and the short section label next to it."""
    keys = {_key(s).replace(" ", "") for s in site_names if s and len(_key(s)) >= 3}
    if not keys:
        return title.strip()
    stripped = False
    while True:
        seps = list(_TITLE_SEP.finditer(title))
        if not seps:
            break
        tail = title[seps[-1].end() :]
        if _names_site(tail, keys):
            title, stripped = title[: seps[-1].start()], True
            continue
        break
    if stripped:
        # a section label left in front of the site name ("-Politics| Site"): short, no spaces
        m = re.search(r"(?<=\S)\s*[-–—|:/·]\s*[^\s\-–—|:/·]{1,12}$", title)
        if (
            m
            and len(title[: m.start()].split()) >= 3
            and (m.group()[0].isspace() or not m.group()[-1].isascii())
        ):
            title = title[: m.start()]
    seps = list(_TITLE_SEP.finditer(title))
    if seps and _names_site(title[: seps[0].start()], keys):
        title = title[seps[0].end() :]
    return title.strip()


def choose_title(candidates: dict[str, list[str]], site_names: list[str]) -> str | None:
    """The headline by agreement: when the visible <h1> is confirmed by a meta source, that meta source's
    wording (meta tags keep the editor's typography less mangled by templates); else the JSON-LD headline or
    og:title when another source confirms it; else the first of JSON-LD, og:title, <h1>, twitter:title,
    <title>. Each has the site name taken off first."""
    cleaned = {
        source: [strip_site_suffix(t, site_names) for t in titles if t]
        for source, titles in candidates.items()
    }
    order = ("ld", "og", "h1", "twitter", "title")
    keyed: dict[str, dict[str, str]] = {s: {_key(t): t for t in cleaned.get(s, [])} for s in order}
    for h1 in cleaned.get("h1", []):
        k = _key(h1)
        if not k:
            continue
        for source in ("og", "ld", "twitter", "title"):
            if k in keyed[source]:
                return keyed[source][k]
    for source in ("ld", "og", "twitter"):
        for t in cleaned.get(source, []):
            k = _key(t)
            if k and any(k in keyed[s] for s in order if s != source):
                return t
    for source in order:
        for t in cleaned.get(source, []):
            if t:
                return t
    return None


def choose_authors(ld_authors: list[str], meta_authors: list[str], site_names: list[str]) -> tuple[str, ...]:
    """JSON-LD authors (what the site publishes as the byline), unless they only name the site itself while
    the author meta tags name someone else; then the meta tags."""
    keys = {_key(s).replace(" ", "") for s in site_names if s and len(_key(s)) >= 3}
    ld = _names(ld_authors)
    meta = _names(meta_authors)
    if ld and all(_names_site(n, keys) for n in ld) and meta and not all(_names_site(n, keys) for n in meta):
        return tuple(meta)
    return tuple(ld or meta)


def _names(raws: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for raw in raws:
        for name in _split_names(raw):
            name = _ROLE_SUFFIX.sub("", name).strip(" ,;")
            key = _key(name)
            if (
                not key
                or key in seen
                or _URLISH.match(name)
                or _NOT_A_NAME.match(name)
                or len(name.split()) > 6
                or re.search(r"[():@]", name)
            ):
                continue
            seen.add(key)
            out.append(name)
    return out


def _split_names(raw: str) -> list[str]:
    raw = _BYLINE_PREFIX.sub("", raw.strip())
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    # "Surname, Given" (one comma, one word each side) is one name written backwards
    if len(parts) == 2 and all(len(p.split()) == 1 for p in parts):
        return [f"{parts[1]} {parts[0]}"]
    return [q.strip() for p in parts for q in re.split(r"\s*(?:;|\||&|\band\b|\bund\b)\s*", p) if q.strip()]


def _host_name(url: str | None) -> str | None:
    """'www.tageblatt.lu' -> 'tageblatt': the registrable label, which <title> tails often spell out."""
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    labels = [x for x in host.lower().split(".") if x not in {"www", "m", "amp", "edition", "mobile"}]
    if len(labels) >= 3 and len(labels[-2]) <= 3:  # co.uk, com.au
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else None)


def page_metadata(tree: Any, url: str | None = None) -> PageMetadata:
    """Everything the markup says, chosen by agreement (see the module docstring)."""
    article = _ld_article(tree) or {}
    site_names = _meta(tree, "og:site_name", "application-name", "apple-mobile-web-app-title")
    host = _host_name(url)
    if host:
        site_names.append(host)
    publisher = article.get("publisher")
    if isinstance(publisher, dict) and _text(publisher.get("name")):
        site_names.append(_text(publisher.get("name")))  # type: ignore[arg-type]
    titles = {
        "ld": [t for t in (_text(article.get("headline")), _text(article.get("name"))) if t][:1],
        "og": _meta(tree, "og:title")[:1],
        "h1": _h1s(tree),
        "twitter": _meta(tree, "twitter:title")[:1],
        "title": [t for t in (_text(e.text_content()) for e in tree.xpath("//head/title")[:1]) if t],
    }
    published = _text(article.get("datePublished")) or next(
        iter(
            _meta(
                tree,
                "article:published_time",
                "datePublished",
                "og:article:published_time",
                "published_time",
                "pubdate",
                "publishdate",
                "dc.date.issued",
                "DC.date.issued",
                "sailthru.date",
                "parsely-pub-date",
            )
        ),
        None,
    )
    ld_authors = _ld_names(article.get("author")) if article.get("author") else []
    meta_authors = _meta(
        tree, "author", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator"
    )
    return PageMetadata(
        title=choose_title(titles, site_names),
        published=published,
        authors=choose_authors(ld_authors, meta_authors, site_names),
        site_name=next((n for n in site_names if n != host), None),
        structured_authors=bool(ld_authors),
        language=_page_language(tree, article),
        wire_credit=_wire_credit(tree, article, ld_authors, meta_authors),
    )


# ------------------------------------------------------------------ language and wire credit

_LANG_CODE = re.compile(r"([A-Za-z]{2})(?:[-_][A-Za-z0-9]{1,8}){0,3}")


def language_code(value: Any) -> str | None:
    """'de-DE', 'en_US', 'pt-BR', 'FR' -> ISO 639-1 ('de', 'en', 'pt', 'fr'); None for anything else
    (three-letter codes, 'und', 'x-default', a language name), which leaves the choice to the text detector."""
    if not isinstance(value, str):
        return None
    m = _LANG_CODE.fullmatch(value.split(",")[0].strip()[:40])  # "de-DE, en": the first one
    return m.group(1).lower() if m else None


def _page_language(tree: Any, article: dict[str, Any]) -> str | None:
    """The language the page declares for itself: JSON-LD inLanguage, <html lang>, Content-Language, og:locale.
    The article's own declaration first: <html lang> is a template default on some multilingual sites."""
    declared = article.get("inLanguage")
    if isinstance(declared, dict):
        declared = declared.get("alternateName") or declared.get("name")
    candidates = [declared if isinstance(declared, str) else None]
    candidates.append(tree.xpath("string(/html/@lang | /html/@xml:lang)"))
    candidates += [
        el.get("content")
        for el in tree.iter("meta")
        if (el.get("http-equiv") or "").lower() == "content-language"
    ][:1]
    candidates += _meta(tree, "language", "dc.language", "DC.language", "og:locale")[:1]
    for value in candidates:
        code = language_code(value)
        if code:
            return code
    return None


def wire_in_name(name: str) -> str | None:
    """The wire service a byline or organisation name credits: 'Reuters', 'Reuters Staff', 'AP News',
    'Jane Doe/AFP', 'Staff and agencies', 'By Jane Doe (Reuters)'; None for a person or an ordinary outlet."""
    from .rules import normalise_wire

    for part in re.split(r"\s*(?:[/|,;()]|\bvia\b|\bfor\b)\s*", name.strip()[:200]):
        part = _BYLINE_PREFIX.sub("", part.strip())
        part = re.sub(r"(?i)\s+(?:staff|news|newsroom|news service|wire|desk|reporters?)$", "", part)
        part = re.sub(r"(?i)\.(?:com|org|net|ru|cn)$", "", part)
        wire = normalise_wire(part) if part else None
        if wire:
            return wire
    return None


def _wire_credit(
    tree: Any, article: dict[str, Any], ld_authors: list[str], meta_authors: list[str]
) -> str | None:
    """A wire named by the page's metadata: JSON-LD sourceOrganization/provider (syndication), the author
    names (a wire as byline: 'AFP', 'Reuters Staff'), then the site itself (og:site_name, publisher) when the
    site is the wire's own."""
    sources = [*_ld_names(article.get("sourceOrganization")), *_ld_names(article.get("provider"))]
    sources += ld_authors + [a for a in meta_authors if not _URLISH.match(a)]
    sources += _meta(tree, "original-source", "syndication-source", "og:site_name")[:2]
    sources += _ld_names(article.get("publisher"))
    for name in sources:
        wire = wire_in_name(name)
        if wire:
            return wire
    return None


# ------------------------------------------------------------------ the visible lead

_NOT_LEAD = frozenset("script style noscript template head title a button nav footer label option".split())


def alnum_key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def visible_lead(tree: Any, extracted: str = "") -> str | None:
    """The standfirst: the page's meta description where the page also shows it as a paragraph of its own.

    Single-page extractors often drop the lead set in a teaser/intro block above the body; the description
    tag names it, and finding the same words in a visible element (not a script, link or footer) shows the
    page prints it. None as well when `extracted` (the body found so far) already holds it."""
    have = alnum_key(extracted)
    for desc in _meta(tree, "og:description", "description", "twitter:description")[:3]:
        if len(desc.split()) < 8 or alnum_key(desc)[:80] in have:
            continue
        probe = desc.rstrip(" .…")[:40]  # an XPath variable: quotes in the text cannot break the query
        for node in tree.xpath("//body//text()[contains(., $probe)]", probe=probe)[:3]:
            el = node.getparent()
            if el is None:
                continue
            if getattr(node, "is_tail", False):
                el = el.getparent()
            while el is not None and el.tag in {"b", "strong", "i", "em", "span", "font", "br"}:
                el = el.getparent()
            if el is None or not isinstance(el.tag, str):
                continue
            if any(a.tag in _NOT_LEAD for a in el.iterancestors()) or el.tag in _NOT_LEAD:
                continue
            text = _text(el.text_content())
            if text and len(text) <= 1500 and alnum_key(desc.rstrip(" .…"))[:200] in alnum_key(text):
                return text
    return None
