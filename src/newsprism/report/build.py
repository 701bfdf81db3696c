"""Turn stored records into the documented report.json structure (docs/report.schema.json)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from .. import __version__
from ..records import Article, StoryAnalysis
from ..store import SQLiteStore

SCHEMA_ID = "https://newsprism.invalid/schema/report/v1"


def article_to_dict(article: Article, story_id: str | None = None) -> dict[str, Any]:
    data = asdict(article)
    data["authors"] = list(article.authors)
    data["story_id"] = story_id
    return data


def analysis_to_dict(analysis: StoryAnalysis) -> dict[str, Any]:
    """A story analysis in report form; also what the store keeps per story."""
    data = asdict(analysis)
    data["id"] = data.pop("story_id")
    data["membership"] = [
        {"article_id": m["article_id"], "score": m["score"], "evidence": m["evidence"]}
        for m in data["membership"]
    ]
    claim_ids = [c.id for c in analysis.claims]
    data["coverage"] = {
        "claim_ids": claim_ids,
        "article_ids": list(analysis.article_ids),
        "matrix": [[int(aid in c.article_ids) for aid in analysis.article_ids] for c in analysis.claims],
    }
    return data


def build_report(store: SQLiteStore) -> dict[str, Any]:
    """The whole store as one JSON-ready document."""
    stories = []
    story_of: dict[str, str] = {}
    for story_id in store.story_ids():
        analysis = store.get_analysis(story_id)
        if analysis is None:
            continue
        stories.append(analysis)
        for aid in analysis["article_ids"]:
            story_of[aid] = story_id
    return {
        "$schema": SCHEMA_ID,
        "generator": f"newsprism {__version__}",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": [article_to_dict(a, story_of.get(a.id)) for a in store.articles()],
        "stories": stories,
        "rejected": [{"input": r.input, "reason": r.reason} for r in store.rejections()],
    }
