"""A story taken out of newsprism: Markdown to paste into a draft, CSV for a spreadsheet, JSON of the schema.

Every export is made from the report form of the analysis (`report.json`'s story and article dicts), so the
CLI (`newsprism export`), the web app's download buttons and the static report's files say the same thing.
Text from an article is untrusted here too: Markdown escapes what a renderer would read as markup or a
link, and CSV cells that a spreadsheet would run as a formula are prefixed so that they stay text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..errors import UnknownStory
from ..records import ClaimGroup, from_dict
from ..store import Store
from .build import REPORT_SCHEMA_VERSION, SCHEMA_ID, analysis_to_dict, story_articles
from .views import article_label, claims_by_weight, safe_url

Story = Mapping[str, Any]  # a story in report.json form
Articles = Mapping[str, Mapping[str, Any]]  # article id -> article in report.json form

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFormat:
    """One way out: its name at the CLI and in URLs, the file suffix, the media type and the writer."""

    name: str
    suffix: str
    media_type: str
    write: Callable[[Iterable[Story], Articles], str]
    description: str
    label: str


def markdown_text(text: str) -> str:
    """Article text as literal Markdown: no emphasis, link, HTML tag or heading can come from it."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def spreadsheet_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text (a leading ' keeps "=HYPERLINK(...)" from running)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _by_weight(claims: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Claim groups in report form, in the order the story page gives them (`views.claims_by_weight`)."""
    claims = list(claims)
    rank = {c.id: n for n, c in enumerate(claims_by_weight([from_dict(ClaimGroup, c) for c in claims]))}
    return sorted(claims, key=lambda c: rank[c["id"]])


def story_markdown(stories: Iterable[Story], articles: Articles) -> str:
    """Each story as Markdown: the brief with footnoted citations that name outlets and link the sources,
    contested sentences marked, where sources disagree, the claims by status, who was quoted, the sources."""
    return "\n\n---\n\n".join(_one_story_markdown(story, articles) for story in stories) + "\n"


def _one_story_markdown(story: Story, articles: Articles) -> str:
    ids = list(story["article_ids"])
    number = {aid: n for n, aid in enumerate(ids, 1)}
    # footnote labels carry the story id, so that several stories in one document never share a label
    prefix = re.sub(r"[^A-Za-z0-9]", "", story["id"])[-6:] or "s"

    def cite(aid: str) -> str:
        return f"[^{prefix}-{number[aid]}]" if aid in number else ""

    def cites(aids: Iterable[str]) -> str:
        return "".join(cite(aid) for aid in sorted(set(aids), key=lambda aid: number.get(aid, 0)))

    def label(aid: str) -> str:
        return article_label(articles.get(aid) or {"id": aid, "source": aid})

    status_of = {c["id"]: c["status"] for c in story["claims"]}
    outlets = list(dict.fromkeys(label(aid) for aid in ids))
    dates = sorted(d[:10] for aid in ids if (d := (articles.get(aid) or {}).get("published")))
    span = f", {dates[0]}" + (f" to {dates[-1]}" if dates[-1] != dates[0] else "") if dates else ""
    lines = [
        f"# {markdown_text(story.get('neutral_title') or story.get('title') or story['id'])}",
        "",
        f"{len(ids)} article{'s' * (len(ids) != 1)} from {markdown_text(', '.join(outlets))}{span}. "
        f"Story {markdown_text(story['id'])}, exported by newsprism {__version__}; every brief sentence cites "
        "the articles that carry it.",
        "",
        "## Brief",
        "",
    ]
    if story.get("brief_note"):
        lines += [f"_{markdown_text(story['brief_note'])}_", ""]
    for sentence in story["brief"]:
        mark = ""
        if status_of.get(sentence.get("claim_id")) == "contested":
            mark = " **(contested: sources contradict each other on this)**"
        lines.append(f"- {markdown_text(sentence['text'])}{mark} {cites(sentence['citations'])}".rstrip())
    if not story["brief"]:
        lines.append("No brief: no claim is carried by enough sources.")
    if story["contradictions"]:
        lines += ["", "## Where sources disagree", ""]
        for x in story["contradictions"]:
            lines.append(
                f"- {markdown_text(x['explanation'])} {cites(e['article_id'] for e in x['evidence'])}".rstrip()
            )
    if story["claims"]:
        lines += ["", "## Claims", ""]
        for c in _by_weight(story["claims"]):
            lines.append(
                f"- **{c['status'].replace('_', ' ')}**: {markdown_text(c['text'])} {cites(c['article_ids'])}"
            )
    quoted = [q for q in story["quotes"] if q.get("speaker")]
    if quoted:
        lines += ["", "## Who said what", ""]
        for q in quoted:
            who = markdown_text(q["speaker"])
            if q.get("affiliation"):
                who += f" ({markdown_text(q['affiliation'])})"
            lines.append(f"- **{who}**: “{markdown_text(q['text'])}” {cite(q['article_id'])}".rstrip())
    lines += ["", "## Sources", ""]
    for aid in ids:
        article = articles.get(aid) or {}
        parts = [markdown_text(label(aid))]
        if article.get("title"):
            parts.append(f"“{markdown_text(article['title'])}”")
        if article.get("published"):
            parts.append(str(article["published"])[:10])
        if article.get("wire_credit"):
            parts.append(f"credits {markdown_text(article['wire_credit'])}")
        url = safe_url(article.get("url"))
        if url and not re.search(r"[\s<>]", url):
            parts.append(f"<{url}>")
        lines.append(f"{cite(aid)}: " + ", ".join(parts))
    return "\n".join(lines)


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, what spreadsheets expect
    writer.writerow(header)
    writer.writerows([spreadsheet_cell(v) for v in row] for row in rows)
    return out.getvalue()


def claims_csv(stories: Iterable[Story], articles: Articles) -> str:
    """One row per claim group: its status, why, and the sources that carry it."""

    def rows() -> Iterable[list[Any]]:
        for story in stories:
            for c in story["claims"]:
                labels = [article_label(articles.get(a) or {"id": a, "source": a}) for a in c["article_ids"]]
                urls = [safe_url((articles.get(a) or {}).get("url")) or "" for a in c["article_ids"]]
                yield [
                    story["id"],
                    c["id"],
                    c["status"],
                    c["text"],
                    c["independent_sources"],
                    c.get("reason") or "",
                    "; ".join(dict.fromkeys(labels)),
                    "; ".join(c["article_ids"]),
                    "; ".join(u for u in urls if u),
                ]

    header = ["story_id", "claim_id", "status", "claim", "independent_sources", "reason", "outlets",
              "article_ids", "urls"]  # fmt: skip
    return _csv(header, rows())


def quotes_csv(stories: Iterable[Story], articles: Articles) -> str:
    """One row per quote: the speaker (empty where newsprism withheld an unsure one), what was said, where."""

    def rows() -> Iterable[list[Any]]:
        for story in stories:
            for q in story["quotes"]:
                article = articles.get(q["article_id"]) or {"id": q["article_id"], "source": q["article_id"]}
                yield [
                    story["id"],
                    q.get("speaker") or "",
                    q.get("affiliation") or "",
                    q["text"],
                    q.get("cue") or "",
                    q.get("confidence") if q.get("speaker") else "",
                    article_label(article),
                    q["article_id"],
                    safe_url(article.get("url")) or "",
                ]

    header = ["story_id", "speaker", "affiliation", "quote", "cue", "speaker_confidence", "outlet",
              "article_id", "url"]  # fmt: skip
    return _csv(header, rows())


def story_json(stories: Iterable[Story], articles: Articles) -> str:
    """The stories and their articles as a report.json of the schema (docs/report.schema.json)."""
    stories = list(stories)
    wanted = [aid for story in stories for aid in story["article_ids"]]
    document = {
        "$schema": SCHEMA_ID,
        "generator": f"newsprism {__version__}",
        "schema_version": REPORT_SCHEMA_VERSION,
        "articles": [dict(articles[aid]) for aid in dict.fromkeys(wanted) if aid in articles],
        "stories": stories,
        "storylines": [],
        "rejected": [],
        "rejected_count": 0,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


FORMATS = {
    f.name: f
    for f in (
        ExportFormat("markdown", "md", "text/markdown; charset=utf-8", story_markdown,
                     "brief with footnoted citations, disagreements, claims, quotes, sources", "Markdown"),
        ExportFormat("claims-csv", "claims.csv", "text/csv; charset=utf-8", claims_csv,
                     "one row per claim group: status, reason, outlets, links", "Claims CSV"),
        ExportFormat("quotes-csv", "quotes.csv", "text/csv; charset=utf-8", quotes_csv,
                     "one row per quote: speaker, affiliation, quote, outlet, link", "Quotes CSV"),
        ExportFormat("json", "json", "application/json; charset=utf-8", story_json,
                     "the stories and their articles as a report.json of the schema", "JSON"),
    )
}  # fmt: skip


# What the static report writes beside each story page (its JSON is report.json itself).
STATIC_FORMATS = ("markdown", "claims-csv", "quotes-csv")


def export_name(story_id: str, format_name: str) -> str:
    """The file name of a story's export (also its name in the static report's folder)."""
    return f"story-{re.sub(r'[^A-Za-z0-9_-]', '_', story_id)[:80]}.{FORMATS[format_name].suffix}"


def by_suffix(suffix: str) -> ExportFormat | None:
    return next((f for f in FORMATS.values() if f.suffix == suffix), None)


def export_stories(store: Store, story_ids: Iterable[str] | None, format_name: str) -> str:
    """Stories of the store in one of `FORMATS` (all analysed stories when `story_ids` is None). An id of
    a story merged into another exports the story it lives in now; an unknown id raises UnknownStory."""
    fmt = FORMATS[format_name]
    if story_ids is None:
        wanted = store.story_ids()
    else:
        wanted = []
        for story_id in story_ids:
            live = store.resolve_story(story_id)
            if live is None or store.get_analysis(live) is None:
                raise UnknownStory(story_id)
            wanted.append(live)
    stories = [
        analysis_to_dict(a) for sid in dict.fromkeys(wanted) if (a := store.get_analysis(sid)) is not None
    ]
    return fmt.write(stories, story_articles(store, stories))
