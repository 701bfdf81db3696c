"""Sparse weighted bags of hashed terms (a story's terms, its entities) and their IDF-weighted cosine."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .frequencies import DocumentFrequencies


@dataclass(frozen=True)
class Profile:
    """Sorted unique hashed term ids with a weight each (summed sublinear term frequencies)."""

    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def plus(self, other: Profile, cap: int) -> Profile:
        """The summed profile, keeping the `cap` heaviest terms (bounded memory per story)."""
        if not len(other):
            return self
        if not len(self):
            merged_ids, merged_w = other.ids, other.weights
        else:
            both = np.concatenate([self.ids, other.ids])
            merged_ids, inverse = np.unique(both, return_inverse=True)
            merged_w = np.bincount(
                inverse, weights=np.concatenate([self.weights, other.weights]), minlength=len(merged_ids)
            ).astype(np.float32)
        if len(merged_ids) > cap:
            keep = np.sort(np.argpartition(-merged_w, cap - 1)[:cap])
            merged_ids, merged_w = merged_ids[keep], merged_w[keep]
        return Profile(merged_ids, merged_w)

    def to_array(self) -> np.ndarray:
        # Hash ids < 2**24 are exact in float32, so one float32 array holds both rows.
        return np.concatenate([self.ids.astype(np.float32), self.weights])

    @classmethod
    def from_array(cls, array: np.ndarray | None) -> Profile:
        if array is None or array.size < 2 or array.size % 2:
            return cls()
        half = array.size // 2
        return cls(array[:half].astype(np.int64), np.asarray(array[half:], dtype=np.float32))


def tfidf_cosine(a: Profile, b: Profile, df: DocumentFrequencies) -> tuple[float, np.ndarray]:
    """Cosine of the two profiles weighted by the stream's IDF, and the shared ids, heaviest first."""
    return weighted_cosine(weighted(a, df), weighted(b, df))


Weighted = tuple[np.ndarray, np.ndarray, float]  # ids, IDF-weighted weights, their norm


def weighted(profile: Profile, df: DocumentFrequencies) -> Weighted:
    """(ids, IDF-weighted weights, their norm): computed once per article, reused for every candidate story."""
    if not len(profile):
        return profile.ids, profile.weights, 0.0
    values = profile.weights * df.idf(profile.ids)
    return profile.ids, values, float(np.linalg.norm(values))


def weighted_cosine(a: Weighted, b: Weighted) -> tuple[float, np.ndarray]:
    """Cosine of two `weighted` profiles and the shared ids, heaviest first."""
    (a_ids, va, a_norm), (b_ids, vb, b_norm) = a, b
    if not len(a_ids) or not len(b_ids) or a_norm <= 0 or b_norm <= 0:
        return 0.0, np.zeros(0, dtype=np.int64)
    # Both id arrays are sorted and unique: a binary search per id of the shorter finds the shared ones.
    if len(a_ids) > len(b_ids):
        (a_ids, va), (b_ids, vb) = (b_ids, vb), (a_ids, va)
    pos = np.minimum(np.searchsorted(b_ids, a_ids), len(b_ids) - 1)
    hit = b_ids[pos] == a_ids
    if not hit.any():
        return 0.0, np.zeros(0, dtype=np.int64)
    contrib = va[hit] * vb[pos[hit]]
    order = np.argsort(-contrib)
    return float(contrib.sum()) / (a_norm * b_norm), a_ids[hit][order]


def apart_share(a: Profile, b: Profile, gap: int) -> float:
    """Weighted share of (year in a, year in b) pairs at least `gap` apart; 0 when either is empty.

    Profiles of anchor years (id = year, weight = articles): an article against a story, or two stories.
    """
    if not len(a) or not len(b):
        return 0.0
    apart = np.abs(a.ids[:, None] - b.ids[None, :]) >= gap
    weights = np.outer(a.weights, b.weights)
    total = float(weights.sum())
    return float(weights[apart].sum()) / total if total > 0 else 0.0
