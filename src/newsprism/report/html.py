"""Static HTML report: index, one page per story, one per article. No script: citations open with <details>.

Everything from an article is untrusted: Jinja2 autoescaping is on for every template, pages carry a
Content-Security-Policy that forbids scripts, and links to sources use rel="noopener noreferrer".
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..store import SQLiteStore
from .build import build_report

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
)


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("newsprism.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["page_id"] = page_id
    env.globals["CSP"] = Markup(CSP)  # our constant, not article data
    return env


def safe_url(url: str | None) -> str | None:
    """Only http(s) links leave the report; anything else (javascript:, data:) is dropped."""
    if not url:
        return None
    return url if urlsplit(url).scheme in {"http", "https"} else None


def page_id(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", value)[:80]


def highlight(text: str, spans: list[tuple[int, int, str, str]]) -> list[dict[str, str]]:
    """Cut text into plain and highlighted segments (spans: start, end, css class, title); overlaps skipped."""
    segments = []
    cursor = 0
    for start, end, css, title in sorted(spans):
        if start < cursor or end <= start or end > len(text):
            continue
        if start > cursor:
            segments.append({"text": text[cursor:start], "css": "", "title": ""})
        segments.append({"text": text[start:end], "css": css, "title": title})
        cursor = end
    if cursor < len(text):
        segments.append({"text": text[cursor:], "css": "", "title": ""})
    return segments


def paragraphs(segments: list[dict[str, str]]) -> list[list[dict[str, str]]]:
    """Split highlighted segments into paragraphs at blank lines."""
    out: list[list[dict[str, str]]] = [[]]
    for seg in segments:
        parts = re.split(r"\n\s*\n", seg["text"])
        for i, part in enumerate(parts):
            if i:
                out.append([])
            if part:
                out[-1].append({**seg, "text": part})
    return [p for p in out if p]


def write_report(store: SQLiteStore, out: Path) -> list[Path]:
    """Write report.json, index.html, story-*.html and article-*.html into `out`; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    report = build_report(store)
    env = _env()
    articles = {a["id"]: a for a in report["articles"]}
    written = []

    path = out / "report.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    written.append(path)

    path = out / "index.html"
    path.write_text(env.get_template("index.html").render(report=report, articles=articles), encoding="utf-8")
    written.append(path)

    spans_by_article: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
    for story in report["stories"]:
        quotes_by_speaker: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for quote in story["quotes"]:
            quotes_by_speaker[quote["speaker"] or "unattributed"].append(quote)
            spans_by_article[quote["article_id"]].append(
                (quote["start"], quote["end"], "quote", f"quote: {quote['speaker'] or 'unattributed'}")
            )
        for claim in story["claims"]:
            for ev in claim["evidence"]:
                spans_by_article[ev["article_id"]].append(
                    (ev["start"], ev["end"], f"claim {claim['status']}", claim["status"])
                )
        page = env.get_template("story.html").render(
            story=story,
            articles=articles,
            quotes_by_speaker=sorted(quotes_by_speaker.items(), key=lambda kv: -len(kv[1])),
            claims_by_id={c["id"]: c for c in story["claims"]},
        )
        path = out / f"story-{page_id(story['id'])}.html"
        path.write_text(page, encoding="utf-8")
        written.append(path)

    for article in report["articles"]:
        segments = highlight(article["text"], spans_by_article.get(article["id"], []))
        page = env.get_template("article.html").render(article=article, paragraphs=paragraphs(segments))
        path = out / f"article-{page_id(article['id'])}.html"
        path.write_text(page, encoding="utf-8")
        written.append(path)
    return written
