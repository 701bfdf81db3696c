"""HTML rendering shared by the static report and the web app: one Jinja environment, two URL schemes.

Everything from an article is untrusted: autoescaping is on for every template, links to sources keep
only http(s) URLs and carry rel="noopener noreferrer". The static report runs no script (its CSP forbids
it; citations open with <details>); the web app adds one local script file under a strict CSP header.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..records import Article, StoryAnalysis, StoryState, from_dict
from ..store import Store
from . import views
from .build import (
    ReportJson,
    analysis_to_dict,
    corrected,
    linked_titles,
    stored_articles,
    story_articles,
    storylines,
)
from .export import FORMATS, STATIC_FORMATS, export_name
from .views import highlight, paragraphs, safe_url

__all__ = [
    "CSP",
    "StaticUrls",
    "WebUrls",
    "environment",
    "highlight",
    "page_id",
    "paragraphs",
    "render",
    "render_feed",
    "safe_url",
    "static_asset",
    "write_report",
]

# Static report: styles are inlined (a file:// page has no reliable 'self'), no script at all.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
)

STATIC_FILES = {"newsprism.css": "text/css; charset=utf-8", "newsprism.js": "text/javascript; charset=utf-8"}


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
    feed = None  # a feed needs a server to ask

    def index(self) -> str:
        return "index.html"

    def changes(self, story_id: str | None = None) -> str:
        return "changes.html"

    def rejected(self) -> str:
        return "rejected.html"

    def story(self, story_id: str) -> str:
        return f"story-{page_id(story_id)}.html"

    def article(self, article_id: str) -> str:
        return f"article-{page_id(article_id)}.html"

    def storyline(self, storyline_id: str) -> str:
        return f"storyline-{page_id(storyline_id)}.html"

    def export(self, story_id: str, format_name: str) -> str | None:
        return export_name(story_id, format_name) if format_name in STATIC_FORMATS else None

    def outlet(self, name: str) -> str:
        # names differ in more than page_id keeps (case, accents, punctuation): a digest keeps them apart
        digest = hashlib.blake2b(name.encode("utf-8"), digest_size=4).hexdigest()
        return f"outlet-{page_id(name)[:40]}-{digest}.html"

    def static(self, name: str) -> str:
        return name


class WebUrls:
    """Links in the web app; ids are percent-encoded so no id can leave its path segment."""

    scripts = True

    def index(self) -> str:
        return "/"

    def changes(self, story_id: str | None = None) -> str:
        return "/changes" + (f"?story={quote(story_id, safe='')}" if story_id else "")

    def feed(self, story_id: str | None = None) -> str:
        return "/changes.atom" + (f"?story={quote(story_id, safe='')}" if story_id else "")

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

    def export(self, story_id: str, format_name: str) -> str:
        return f"/story/{quote(story_id, safe='')}/export.{FORMATS[format_name].suffix}"

    def outlet(self, name: str) -> str:
        return f"/outlet/{quote(name, safe='')}"

    def static(self, name: str) -> str:
        return f"/static/{quote(name, safe='')}"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """Text an XML 1.0 document may hold (a feed reader rejects the whole feed over one control character)."""
    return _NOT_XML.sub("", str(value))


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
    env.globals["export_formats"] = list(FORMATS.values())
    env.filters["xml"] = xml_text
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


def render_feed(page: dict[str, Any], base_url: str, feed_id: str) -> str:
    """The changes page (`views.changes_page`) as an Atom feed; links are absolute under `base_url`."""
    urls = WebUrls()
    story = page.get("story")
    entries = [c for run in page["runs"] for c in run["changes"]]
    updated = max((c["at"] for c in entries), default=None) or max(
        (r["started_at"] for r in page["runs"]), default="1970-01-01T00:00:00+00:00"
    )
    return (
        environment(web=True)
        .get_template("changes.atom")
        .render(
            **page,
            feed_id=feed_id + (f":story:{story['id']}" if story else ""),
            updated=updated,
            base_url=base_url,
            self_url=base_url + urls.feed(story["id"] if story else None),
            page_url=base_url + urls.changes(story["id"] if story else None),
        )
    )


def _span(state: StoryState | None) -> tuple[str | None, str | None]:
    return (state.first_date, state.last_date) if state else (None, None)


def write_report(store: Store, out: Path) -> list[Path]:
    """Write report.json, index.html, rejected.html, changes.html, outlet-*.html, story-*.html with each
    story's exports (story-*.md, story-*.claims.csv, story-*.quotes.csv), storyline-*.html and article-*.html
    into `out`.

    One story at a time: its analysis and articles are read, its pages and its part of report.json written,
    and nothing of it is kept but what the outlet pages gather, so memory does not grow with the store."""
    out.mkdir(parents=True, exist_ok=True)
    urls = StaticUrls()
    written = []

    def emit(name: str, text: str) -> None:
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    def emit_article(
        article: Article, data: dict[str, Any], analysis: StoryAnalysis | None, near: dict[str, Article]
    ) -> None:
        versions = data["versions"]
        at = versions.index(article.id) if article.id in versions else 0
        previous = None
        if at:
            previous = near.get(versions[at - 1]) or next(
                iter(corrected(store, store.articles([versions[at - 1]]))), None
            )
        page = views.article_view(
            article, analysis, data["story_id"], previous, aliases=data["aliases"], versions=versions
        )
        emit(urls.article(article.id), render(page))

    lines = storylines(store, linked_titles(store))
    report = ReportJson(out / "report.json")
    try:
        outlets = views.OutletPages()
        story_of: dict[str, str] = {}
        for story_id in store.story_ids():
            analysis = store.get_analysis(story_id)
            if analysis is None:
                continue
            story = analysis_to_dict(analysis)
            report.add_story(story)
            # The pages are drawn from records, as the web app's are; the exports from report.json's form.
            article_dicts = story_articles(store, [story])
            articles = {aid: from_dict(Article, data) for aid, data in article_dicts.items()}
            emit(urls.story(story_id), render(views.story_view(analysis, articles, lines)))
            for name in STATIC_FORMATS:
                emit(export_name(story_id, name), FORMATS[name].write([story], article_dicts))
            labels = {aid: views.label_of(a) for aid, a in articles.items()}
            outlets.add(analysis, *_span(store.story_state(story_id)), labels)
            for aid, article in articles.items():
                story_of[aid] = story_id
                emit_article(article, article_dicts[aid], analysis, articles)
        for article, data in stored_articles(store, story_of):
            report.add_article(data)
            if article.id not in story_of:  # in no analysed story: its page has no story
                emit_article(article, data, None, {})
        report.finish(store, lines)
    except BaseException:
        report.discard()
        raise
    written.append(out / "report.json")
    emit("index.html", render(views.index_page(store)))
    emit("rejected.html", render(views.rejected_page(store)))
    emit("changes.html", render(views.changes_page(store)))
    for line in lines:
        emit(urls.storyline(line["id"]), render(views.storyline_view(line)))
    for name in outlets.names():
        emit(urls.outlet(name), render(outlets.page(name)))
    return written
