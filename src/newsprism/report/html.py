"""HTML rendering shared by the static report and the web app: one Jinja environment, two URL schemes.

Everything from an article is untrusted: autoescaping is on for every template, links to sources keep
only http(s) URLs and carry rel="noopener noreferrer". The static report runs no script (its CSP forbids
it; citations open with <details>); the web app adds one local script file under a strict CSP header.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..store import Store
from . import views
from .build import build_report
from .views import highlight, paragraphs

__all__ = [
    "CSP",
    "StaticUrls",
    "WebUrls",
    "environment",
    "highlight",
    "page_id",
    "paragraphs",
    "render",
    "safe_url",
    "static_asset",
    "write_report",
]

# Static report: styles are inlined (a file:// page has no reliable 'self'), no script at all.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
)

STATIC_FILES = {"newsprism.css": "text/css; charset=utf-8", "newsprism.js": "text/javascript; charset=utf-8"}


def safe_url(url: str | None) -> str | None:
    """Only http(s) links leave the report; anything else (javascript:, data:) is dropped."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme
    except ValueError:  # malformed (e.g. a bad IPv6 literal): not a link we can vouch for
        return None
    return url if scheme in {"http", "https"} else None


def page_id(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", value)[:80]


@cache
def static_asset(name: str) -> bytes:
    """A bundled asset (the stylesheet or the script); KeyError for anything else."""
    if name not in STATIC_FILES:
        raise KeyError(name)
    return files("newsprism.report").joinpath("static", name).read_bytes()


class StaticUrls:
    """Links between the files of the static report (relative, so the folder can move)."""

    scripts = False
    search = None

    def index(self) -> str:
        return "index.html"

    def rejected(self) -> str:
        return "rejected.html"

    def story(self, story_id: str) -> str:
        return f"story-{page_id(story_id)}.html"

    def article(self, article_id: str) -> str:
        return f"article-{page_id(article_id)}.html"

    def storyline(self, storyline_id: str) -> str:
        return f"storyline-{page_id(storyline_id)}.html"

    def static(self, name: str) -> str:
        return name


class WebUrls:
    """Links in the web app; ids are percent-encoded so no id can leave its path segment."""

    scripts = True

    def index(self) -> str:
        return "/"

    def rejected(self) -> str:
        return "/rejected"

    def search(self) -> str:
        return "/search"

    def story(self, story_id: str) -> str:
        return f"/story/{quote(story_id, safe='')}"

    def article(self, article_id: str) -> str:
        return f"/article/{quote(article_id, safe='')}"

    def storyline(self, storyline_id: str) -> str:
        return f"/storyline/{quote(storyline_id, safe='')}"

    def static(self, name: str) -> str:
        return f"/static/{quote(name, safe='')}"


@lru_cache(maxsize=2)
def environment(web: bool = False) -> Environment:
    env = Environment(
        loader=PackageLoader("newsprism.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["page_id"] = page_id
    if web:
        env.globals["urls"] = WebUrls()
        env.globals["CSP"] = None  # the server sends its policy as a header
        env.globals["inline_css"] = None
    else:
        env.globals["urls"] = StaticUrls()
        env.globals["CSP"] = Markup(CSP)  # our constant, not article data
        env.globals["inline_css"] = Markup(static_asset("newsprism.css").decode("utf-8"))  # our file
    return env


def render(page: dict[str, Any], web: bool = False, **extra: Any) -> str:
    """Render a page dict from `views` with the template its `page` key names."""
    return environment(web).get_template(f"{page['page']}.html").render(**page, **extra)


def write_report(store: Store, out: Path) -> list[Path]:
    """Write report.json, index.html, rejected.html, story-*.html, storyline-*.html and article-*.html into
    `out`."""
    out.mkdir(parents=True, exist_ok=True)
    report = build_report(store)
    urls = StaticUrls()
    written = []

    def emit(name: str, text: str) -> None:
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    emit("report.json", json.dumps(report, ensure_ascii=False, indent=2))
    emit("index.html", render(views.index_page(store)))
    emit("rejected.html", render(views.rejected_page(store)))
    articles = {a["id"]: a for a in report["articles"]}
    analyses = {}
    for story in report["stories"]:
        analyses[story["id"]] = story
        emit(urls.story(story["id"]), render(views.story_view(story, articles, report["storylines"])))
    for line in report["storylines"]:
        emit(urls.storyline(line["id"]), render(views.storyline_view(line)))
    for article in report["articles"]:
        sid = article["story_id"]
        emit(urls.article(article["id"]), render(views.article_view(article, analyses.get(sid), sid)))
    return written
