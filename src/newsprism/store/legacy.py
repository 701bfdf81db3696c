"""Migration 4 reads the story clusterer's state out of the packed float32 rows of the `vectors` table, so
that it can move into tables of its own (story_terms, member_evidence, member_terms, term_frequencies).

Until schema 4 a story's profiles were packed into one float32 row (their lengths, then each one's ids and
weights), whose layout had to be guessed from its size because profiles were added over time; earlier stores
kept one row per profile. These readers know every layout that shipped; nothing else reads them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np

from .base import MEMBER_PARTS, STORY_PARTS, Terms

_STORY_PACKED = "story_profile"
_STORY_SINGLE = {"story_terms": "terms", "story_entities": "entities", "story_years": "years",
                 "story_anchors": "anchors"}  # fmt: skip
_MEMBER_PACKED = "cluster_member"
_MEMBER_VECTOR, _MEMBER_ANCHOR = "cluster_vector", "cluster_anchor"
_MEMBER_SINGLE = {"cluster_terms": "terms", "cluster_entities": "entities", "cluster_years": "years"}
_FREQUENCIES_OWNER, _FREQUENCIES_KIND = "__stories__", "term_df"
LEGACY_KINDS = (_STORY_PACKED, *_STORY_SINGLE, _MEMBER_PACKED, _MEMBER_VECTOR, _MEMBER_ANCHOR,
                *_MEMBER_SINGLE, _FREQUENCIES_KIND)  # fmt: skip


def _terms(array: np.ndarray) -> Terms:
    """One profile row: its ids (exact in float32 below 2**24), then as many weights."""
    if array.size < 2 or array.size % 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    half = array.size // 2
    return array[:half].astype(np.int64), np.asarray(array[half:], dtype=np.float32)


def _packed_size(array: np.ndarray, n: int) -> int:
    return -1 if array.size < n else n + 2 * int(array[:n].astype(np.int64).sum())


def unpack(array: np.ndarray, most: int) -> list[Terms]:
    """`most` packed profiles, or fewer from rows written before the last ones were kept (at least three)."""
    count = next((n for n in range(most, 2, -1) if _packed_size(array, n) == array.size), 3)
    lengths = array[:count].astype(np.int64).tolist()
    out, at = [], count
    for length in lengths:
        out.append(_terms(array[at : at + 2 * length]))
        at += 2 * length
    return out


@dataclass
class LegacyState:
    """The clusterer's state as the legacy rows held it."""

    stories: dict[str, dict[str, Terms]] = field(default_factory=dict)  # story -> part -> terms
    members: dict[str, dict[str, Terms]] = field(default_factory=dict)  # article -> part -> terms
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # article -> its member vector
    anchors: dict[str, int] = field(default_factory=dict)  # article -> the year it reports from
    documents: int = 0  # articles counted in the term frequencies
    frequencies: np.ndarray | None = None  # documents per hashed term bucket


def read_legacy(conn: sqlite3.Connection) -> LegacyState:
    """Every legacy row of the `vectors` table, decoded."""
    marks = ",".join("?" * len(LEGACY_KINDS))
    rows = conn.execute(f"SELECT article_id, kind, data FROM vectors WHERE kind IN ({marks})", LEGACY_KINDS)
    state = LegacyState()
    for owner, kind, data in rows.fetchall():
        array = np.frombuffer(data, dtype=np.float32)
        if kind == _STORY_PACKED:
            parts = unpack(array, len(STORY_PARTS))
            state.stories.setdefault(owner, {}).update(zip(STORY_PARTS, parts, strict=False))
        elif kind in _STORY_SINGLE:
            state.stories.setdefault(owner, {}).setdefault(_STORY_SINGLE[kind], _terms(array))
        elif kind == _MEMBER_PACKED:
            state.anchors[owner], dim = int(array[0]), int(array[1])
            state.vectors[owner] = np.array(array[2 : 2 + dim], dtype=np.float32)
            parts = unpack(array[2 + dim :], len(MEMBER_PARTS))
            state.members.setdefault(owner, {}).update(zip(MEMBER_PARTS, parts, strict=False))
        elif kind == _MEMBER_VECTOR:
            state.vectors.setdefault(owner, np.array(array, dtype=np.float32).ravel())
        elif kind == _MEMBER_ANCHOR:
            state.anchors.setdefault(owner, int(array.ravel()[0]) if array.size else 0)
        elif kind in _MEMBER_SINGLE:
            state.members.setdefault(owner, {}).setdefault(_MEMBER_SINGLE[kind], _terms(array))
        elif kind == _FREQUENCIES_KIND and owner == _FREQUENCIES_OWNER and array.size > 1:
            state.documents, state.frequencies = int(array[0]), np.array(array[1:], dtype=np.float32)
    return state


def drop_legacy(conn: sqlite3.Connection) -> None:
    conn.execute(f"DELETE FROM vectors WHERE kind IN ({','.join('?' * len(LEGACY_KINDS))})", LEGACY_KINDS)
