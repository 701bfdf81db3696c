"""Turn stored records into the documented report.json structure (docs/report.schema.json)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__, settings
from ..records import Article, StoryAnalysis, corrections_in_force, to_dict
from ..store import Store

SCHEMA_ID = "https://newsprism.invalid/schema/report/v1"
# docs/report.schema.json: its x-changelog says what each version changed
REPORT_SCHEMA_VERSION = 5


def article_to_dict(
    article: Article,
    story_id: str | None = None,
    aliases: Sequence[str] = (),
    versions: Sequence[str] = (),
) -> dict[str, Any]:
    data = to_dict(article)
    data["story_id"] = story_id
    data["aliases"] = list(aliases)
    data["versions"] = list(versions)
    return data


def analysis_to_dict(analysis: StoryAnalysis) -> dict[str, Any]:
    """A story analysis in report form; also what the store keeps per story."""
    data = to_dict(analysis)
    data["id"] = data.pop("story_id")
    data["membership"] = [
        {"article_id": m["article_id"], "score": m["score"], "evidence": m["evidence"]}
        for m in data["membership"]
    ]
    claim_ids = [c.id for c in analysis.claims]
    read = [aid for aid in analysis.article_ids if aid not in analysis.not_analysed]
    data["coverage"] = {
        "claim_ids": claim_ids,
        "article_ids": read,
        "matrix": [[int(aid in c.article_ids) for aid in read] for c in analysis.claims],
    }
    return data


def storylines(store: Store, titles: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Stories linked as events of one storyline (stories.clusterer links them at batch end), grouped by
    connected links: each with its stories in date order, their dates, and every link with why it was made.
    Only stories in `titles` (id -> title; default: every live story) take part."""
    links = store.story_links()
    if titles is None:
        ends = {sid for a, b, _, _ in links for sid in (a, b)}
        titles = {sid: (state.title if (state := store.story_state(sid)) else sid) for sid in ends}
    links = [link for link in links if link[0] in titles and link[1] in titles]
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _, _ in links:
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for story_id in parent:
        groups.setdefault(root(story_id), []).append(story_id)
    out: list[tuple[datetime, dict[str, Any]]] = []  # (latest date, storyline)
    for members in groups.values():
        states = {sid: store.story_state(sid) for sid in members}

        first = {sid: state.first_at if state else None for sid, state in states.items()}
        events = [
            {
                "story_id": sid,
                "title": titles[sid],
                "first_date": states[sid].first_date if states[sid] else None,
                "last_date": states[sid].last_date if states[sid] else None,
                "articles": states[sid].size if states[sid] else 0,
            }
            # by time, not by the date strings: two offsets do not sort as their moments do
            for sid in sorted(members, key=lambda sid: (first[sid] is None, first[sid] or datetime.min, sid))
        ]
        latest = max((s.last_at for s in states.values() if s and s.last_at), default=datetime.min)
        # links in the events' date order, each from its earlier event (not in the order of the stories' ids)
        position = {e["story_id"]: n for n, e in enumerate(events)}
        inside = [
            (sorted((a, b), key=position.__getitem__), score, evidence)
            for a, b, score, evidence in links
            if a in position
        ]
        inside.sort(key=lambda link: [position[sid] for sid in link[0]])
        line = {
            "id": "storyline-" + events[0]["story_id"],
            "title": max(events, key=lambda e: e["articles"])["title"],
            "story_ids": [e["story_id"] for e in events],
            "events": events,
            "links": [
                {"story_ids": pair, "score": score, "evidence": evidence} for pair, score, evidence in inside
            ],
        }
        out.append((latest, line))
    # the storyline most lately active first
    return [line for _, line in sorted(out, key=lambda pair: pair[0], reverse=True)]


def corrected(store: Store, articles: list[Article]) -> list[Article]:
    """Stored articles as the report shows them: with the publication dates an editor fixed."""
    dates = corrections_in_force(
        store.corrections([a.id for a in articles] if len(articles) < 500 else None)
    ).published
    return [replace(a, published=dates[a.id]) if a.id in dates else a for a in articles]


def _articles(store: Store, story_of: dict[str, str]) -> list[dict[str, Any]]:
    """Every article in the order stored, with its story, its aliases, and the versions of its page."""
    return [data for _, data in stored_articles(store, story_of)]


def stored_articles(store: Store, story_of: dict[str, str]) -> Iterator[tuple[Article, dict[str, Any]]]:
    """Every stored article in the order stored, as the report shows it (with the dates an editor fixed) and
    in report form (with its story from `story_of`, its aliases, and the versions of its page), read a few
    hundred at a time."""
    ids = store.article_ids()
    for start in range(0, len(ids), _ARTICLES_READ_AT_ONCE):
        chunk = ids[start : start + _ARTICLES_READ_AT_ONCE]
        aliases = store.aliases(chunk)
        for a in corrected(store, store.articles(chunk)):
            versions = store.versions(a.url) if a.url else []
            yield (
                a,
                article_to_dict(
                    a, story_of.get(a.id), aliases.get(a.id, ()), versions if len(versions) > 1 else ()
                ),
            )


_ARTICLES_READ_AT_ONCE = 256  # under `corrected`'s 500, which reads every correction past that


def story_articles(store: Store, stories: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The articles of some stories (report form), each with its story, aliases and the versions of its page."""
    story_of = {aid: s["id"] for s in stories for aid in s["article_ids"]}
    articles = corrected(store, store.articles(list(story_of)))
    aliases = store.aliases(list(story_of))
    return {
        a.id: article_to_dict(
            a,
            story_of.get(a.id),
            aliases.get(a.id, ()),
            versions if a.url and len(versions := store.versions(a.url)) > 1 else (),
        )
        for a in articles
    }


def stored_analyses(store: Store) -> list[StoryAnalysis]:
    """The analyses of the live stories, newest activity first (the report's order)."""
    return [a for story_id in store.story_ids() if (a := store.get_analysis(story_id)) is not None]


def build_report(store: Store, analyses: Sequence[StoryAnalysis] | None = None) -> dict[str, Any]:
    """The whole store as one JSON-ready document; `analyses`: `stored_analyses(store)`, when the caller
    has read them already. `ReportJson` writes the same document without holding it."""
    if analyses is None:
        analyses = stored_analyses(store)
    stories = [analysis_to_dict(analysis) for analysis in analyses]
    story_of = {aid: analysis.story_id for analysis in analyses for aid in analysis.article_ids}
    return {
        **_head(),
        "articles": _articles(store, story_of),
        "stories": stories,
        **_tail(store, storylines(store, {s["id"]: s.get("title") or s["id"] for s in stories})),
    }


def _head() -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "generator": f"newsprism {__version__}",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "schema_version": REPORT_SCHEMA_VERSION,
    }


def _tail(store: Store, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {"storylines": lines, "rejected": rejected_list(store), "rejected_count": store.rejection_count()}


def linked_titles(store: Store) -> dict[str, str]:
    """The titles `storylines` needs: of each analysed live story that a storyline link names."""
    ends = {sid for a, b, _, _ in store.story_links() for sid in (a, b)}
    live = ends & set(store.story_ids())
    return {sid: analysis.title or sid for sid in live if (analysis := store.get_analysis(sid)) is not None}


class ReportJson:
    """report.json written a story and an article at a time, laid out as `json.dumps(build_report(store),
    indent=2)` would lay it out, so that a report of any size is never whole in memory. The two lists are
    written to temporary files beside it and joined by `finish`; report.json appears whole or
    not at all (`os.replace`)."""

    _LISTS = ("articles", "stories")

    def __init__(self, path: Path):
        self.path = path
        self.head = _head()
        self._parts = {name: path.with_name(f".{path.name}.{name}") for name in self._LISTS}
        self._files = {name: open(part, "w", encoding="utf-8") for name, part in self._parts.items()}  # noqa: SIM115
        self._counts = dict.fromkeys(self._LISTS, 0)

    def add_story(self, story: dict[str, Any]) -> None:
        self._add("stories", story)

    def add_article(self, article: dict[str, Any]) -> None:
        self._add("articles", article)

    def _add(self, name: str, value: dict[str, Any]) -> None:
        if self._counts[name]:
            self._files[name].write(",\n")
        self._files[name].write(_laid_out(value, 2))
        self._counts[name] += 1

    def finish(self, store: Store, lines: list[dict[str, Any]]) -> None:
        """Join the parts into report.json, with the storylines and rejections after the stories."""
        for handle in self._files.values():
            handle.close()
        whole = self.path.with_name(f".{self.path.name}.whole")
        try:
            with open(whole, "w", encoding="utf-8") as out:
                out.write("{")
                first = True
                for key, value in [
                    *self.head.items(),
                    *dict.fromkeys(self._LISTS).items(),
                    *_tail(store, lines).items(),
                ]:
                    out.write(("\n" if first else ",\n") + f"  {json.dumps(key)}: ")
                    first = False
                    if key not in self._parts:
                        out.write(_laid_out(value, 1).lstrip())
                    elif not self._counts[key]:
                        out.write("[]")
                    else:
                        out.write("[\n")
                        with open(self._parts[key], encoding="utf-8") as part:
                            shutil.copyfileobj(part, out)
                        out.write("\n  ]")
                out.write("\n}")
            os.replace(whole, self.path)
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the temporary parts (after `finish`, or when the report was not finished)."""
        for handle in self._files.values():
            handle.close()
        for part in [*self._parts.values(), self.path.with_name(f".{self.path.name}.whole")]:
            part.unlink(missing_ok=True)


def _laid_out(value: Any, depth: int) -> str:
    """`value` as json.dumps(indent=2) writes it `depth` levels into a document."""
    pad = "  " * depth
    return pad + json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + pad)


def rejected_list(store: Store) -> list[dict[str, str]]:
    """The first `report_max_rejected` rejections, oldest first (`newsprism rejects` lists them all)."""
    limit = settings.current().report_max_rejected
    return [{"input": r.input, "reason": r.reason} for r in store.rejections(limit=limit)]
