"""HTML extraction: body tokens, gold snippets and metadata of `clean.clean_document` on real pages."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import settings
from ..errors import EvalDataError, InputError
from . import metrics
from .data import progress_iter

# A page's declared charset: <meta charset=x> or http-equiv content="...; charset=x", in its head.
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_HEAD_BYTES = 8192


@dataclass(frozen=True)
class Extracted:
    """What an extractor made of one page (newsprism's Article or an anchor's output)."""

    text: str = ""
    title: str | None = None
    date: str | None = None  # ISO date or datetime; the date part is compared
    authors: tuple[str, ...] = ()


Extractor = Callable[[str, str | None, str], Extracted]  # (html, url, source) -> Extracted


def read_page(item: dict[str, Any], base: Path) -> str:
    """The page's HTML decoded by its own charset (meta / http-equiv), else UTF-8 with replacement."""
    path = base / item["html_file"]
    cap = settings.current().max_decompressed_bytes
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read(cap + 1)
    except (OSError, EOFError) as exc:
        raise EvalDataError(f"{path}: cannot read the gzipped page of {item['id']} ({exc})") from None
    raw = raw[:cap]
    return decode_html(raw)


def decode_html(raw: bytes) -> str:
    import codecs

    found = _CHARSET.search(raw[:_HEAD_BYTES])
    encoding = "utf-8"
    if found:
        try:
            encoding = codecs.lookup(found.group(1).decode("ascii")).name
        except LookupError:
            encoding = "utf-8"
    return raw.decode(encoding, errors="replace")


def newsprism_extractor() -> Extractor:
    from ..clean import clean_document
    from ..records import RawDocument

    def extract(html: str, url: str | None, source: str) -> Extracted:
        hints = {"url": url} if url else {}
        try:
            article = clean_document(RawDocument(source=source, kind="html", content=html, hints=hints))
        except InputError:
            return Extracted()  # a rejected page is an empty extraction
        return Extracted(article.text, article.title, article.published, tuple(article.authors))

    return extract


def predict(
    items: list[dict[str, Any]], base: Path, extractor: Extractor, progress: bool = False
) -> list[Extracted]:
    out = []
    for item in progress_iter(items, progress, "extraction"):
        html = read_page(item, base)
        out.append(extractor(html, item.get("url"), str(base / item["html_file"])))
    return out


def score(items: list[dict[str, Any]], outputs: list[Extracted]) -> dict[str, float | None]:
    """ScrapingHub-style body P/R/F1 (per-page bags, averaged, F1 of the averages), snippet rates over
    all snippets of pages that have them, and metadata accuracy over pages with that gold field."""
    precisions, recalls = [], []
    include_hits = include_total = exclude_hits = exclude_total = 0
    title_ok, date_ok, author_ok = [], [], []
    for item, out in zip(items, outputs, strict=True):
        gold = item["gold"]
        if gold.get("body") is not None:
            p, r = metrics.token_pr(out.text, gold["body"])
            precisions.append(p)
            recalls.append(r)
        text = metrics.squash(out.text)
        for snippet in gold.get("must_include") or []:
            include_total += 1
            include_hits += metrics.squash(snippet) in text
        for snippet in gold.get("must_exclude") or []:
            exclude_total += 1
            exclude_hits += metrics.squash(snippet) not in text
        if gold.get("title") is not None:
            title_ok.append(metrics.squash(out.title) == metrics.squash(gold["title"]))
        if gold.get("date") is not None:
            date_ok.append((out.date or "")[:10] == gold["date"])
        if gold.get("authors") is not None:
            gold_set = {metrics.squash(a) for a in gold["authors"] if metrics.squash(a)}
            author_ok.append({metrics.squash(a) for a in out.authors if metrics.squash(a)} == gold_set)
    body_p, body_r = metrics.mean(precisions), metrics.mean(recalls)
    return {
        "body_p": body_p,
        "body_r": body_r,
        "body_f1": metrics.f1(body_p, body_r),
        "include_rate": include_hits / include_total if include_total else None,
        "exclude_rate": exclude_hits / exclude_total if exclude_total else None,
        "title_acc": metrics.mean(title_ok),
        "date_acc": metrics.mean(date_ok),
        "author_acc": metrics.mean(author_ok),
    }


def evaluate(items: list[dict[str, Any]], path: Path, progress: bool = False, **_: Any) -> dict[str, Any]:
    return score(items, predict(items, path.parent, newsprism_extractor(), progress))
