"""Records as every store keeps them, and back: the row formats SQLite and PostgreSQL share.

A store's tables hold the same columns whatever the database, so one article, story, extraction or bag of
terms reads back the same from either; only the SQL around these conversions differs.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np

from ..records import (
    Article,
    ArticleExtraction,
    RemovedSpan,
    StoryAnalysis,
    StoryState,
    from_dict,
    source_label,
    to_dict,
)
from .base import Terms

# Search snippets mark matches with these two characters; `segments` splits on them, so no markup from the
# database or the article ever reaches a page.
HIT_START, HIT_END = "\x02", "\x03"


@dataclass(frozen=True)
class SearchHit:
    """One search result. `snippet` is a list of (text, is_match) pieces, never markup."""

    kind: Literal["story", "article"]
    id: str
    title: str
    snippet: tuple[tuple[str, bool], ...]
    story_id: str | None
    rank: float


def segments(snippet: str) -> tuple[tuple[str, bool], ...]:
    """A snippet with HIT_START/HIT_END marks as (text, is_match) pieces."""
    out: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{HIT_START}{HIT_END}]", snippet)):
        if part:
            out.append((part, i % 2 == 1))
    return tuple(out)


def shown(location: str) -> str:
    """A store's location as it may be printed: a URL's password masked."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(location))


def fold(text: str) -> str:
    """Text as search indexes it: lower case, accents dropped ("Sergéy" finds "Sergey")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def term_blobs(terms: Terms) -> tuple[bytes, bytes]:
    """A bag of terms as stored: ids as little-endian int32 (term hashes are below 2**24), weights float32."""
    ids, weights = terms
    return np.asarray(ids, dtype="<i4").tobytes(), np.asarray(weights, dtype="<f4").tobytes()


def terms_from(ids: bytes, weights: bytes) -> Terms:
    return np.frombuffer(ids, dtype="<i4").astype(np.int64), np.frombuffer(weights, dtype="<f4").astype(
        np.float32
    )


def vector_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)


def article_values(article: Article, text_key: str) -> tuple[Any, ...]:
    """An article's column values, in ARTICLE_COLUMNS order."""
    return (
        article.id,
        article.source,
        article.url,
        article.title,
        article.published,
        json.dumps(list(article.authors)),
        article.outlet,
        article.wire_credit,
        article.language,
        article.text,
        json.dumps([asdict(r) for r in article.removed]),
        now(),
        text_key,
    )


ARTICLE_COLUMNS = "id, source, url, title, published, authors, outlet, wire_credit, language, text, removed, added_at, text_key"


def article_from(r: dict[str, Any]) -> Article:
    return Article(
        id=r["id"],
        source=r["source"],
        text=r["text"],
        title=r["title"],
        published=r["published"],
        authors=tuple(json.loads(r["authors"])),
        outlet=r["outlet"],
        wire_credit=r["wire_credit"],
        language=r["language"],
        url=r["url"],
        removed=tuple(RemovedSpan(**x) for x in json.loads(r["removed"])),
    )


def story_values(state: StoryState) -> tuple[Any, ...]:
    """A story's column values, in STORY_COLUMNS order."""
    return (
        state.id,
        state.title,
        np.asarray(state.centroid, dtype=np.float32).tobytes(),
        state.size,
        state.first_date,
        state.last_date,
        json.dumps(state.entity_counts),
        int(state.closed),
        state.merged_into,
        now(),
    )


STORY_COLUMNS = (
    "id, title, centroid, size, first_date, last_date, entity_counts, closed, merged_into, updated_at"
)


def story_from(r: dict[str, Any]) -> StoryState:
    return StoryState(
        id=r["id"],
        title=r["title"],
        centroid=np.frombuffer(r["centroid"], dtype=np.float32).copy(),
        size=r["size"],
        first_date=r["first_date"],
        last_date=r["last_date"],
        entity_counts=json.loads(r["entity_counts"]),
        closed=bool(r["closed"]),
        merged_into=r["merged_into"],
    )


def extraction_json(extraction: ArticleExtraction) -> str:
    return json.dumps(to_dict(extraction))


def extraction_from(data: str) -> ArticleExtraction:
    return from_dict(
        ArticleExtraction, json.loads(data)
    )  # a field added later (claim_units) takes its default


def analysis_json(analysis: StoryAnalysis) -> str:
    return json.dumps(to_dict(analysis), ensure_ascii=False)


def analysis_from(data: str) -> StoryAnalysis:
    """A stored analysis. One stored by an earlier version is in report form (`report.build.analysis_to_dict`):
    its id under "id", and its members without the story's id and `merged_from` (which takes its default)."""
    fields = json.loads(data)
    if "story_id" not in fields:
        fields["story_id"] = fields["id"]
        for member in fields.get("membership") or ():
            member.setdefault("story_id", fields["story_id"])
    return from_dict(StoryAnalysis, fields)


def entity_names(analysis: StoryAnalysis) -> list[str]:
    """The names (and aliases) of a story analysis's entities, for its search row."""
    names: list[str] = []
    for entity in analysis.entities:
        names.append(entity.name)
        names.extend(entity.aliases)
    return [n for n in names if n]


def vectors_blob(vectors: np.ndarray) -> tuple[bytes, int]:
    """An article's vectors as stored: float32 bytes and the number of rows (1 for a single vector)."""
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    return array.tobytes(), int(array.shape[0]) if array.ndim == 2 else 1


def vectors_from(blob: bytes, rows: int, kind: str) -> np.ndarray:
    """Stored vectors back: a matrix for the per-sentence kinds, one vector otherwise."""
    flat = np.frombuffer(blob, dtype=np.float32)
    return flat.reshape(rows, -1) if kind.endswith("sentences") else flat


def label_of(row: Mapping[str, Any]) -> str:
    """The short source name of an article row holding id, outlet, url, title and source."""
    return source_label(row["outlet"], row["url"], row["title"], row["source"], row["id"])
