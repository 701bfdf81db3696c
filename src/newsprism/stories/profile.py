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
    if not len(a) or not len(b):
        return 0.0, np.zeros(0, dtype=np.int64)
    shared, ia, ib = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
    if not len(shared):
        return 0.0, shared
    va = a.weights * df.idf(a.ids)
    vb = b.weights * df.idf(b.ids)
    contrib = va[ia] * vb[ib]
    norm = float(np.linalg.norm(va) * np.linalg.norm(vb))
    order = np.argsort(-contrib)
    return (float(contrib.sum()) / norm if norm > 0 else 0.0), shared[order]
