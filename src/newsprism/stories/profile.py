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

    def find(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each of `ids` sits in this profile, and whether it is there (binary search)."""
        pos = np.searchsorted(self.ids, ids)
        if not len(self):
            return pos, np.zeros(len(ids), dtype=bool)
        return pos, self.ids[np.minimum(pos, len(self.ids) - 1)] == ids

    def plus(self, other: Profile, cap: int) -> Profile:
        """The summed profile, keeping the `cap` heaviest terms (bounded memory per story)."""
        if not len(other):
            return self
        if not len(self):
            merged_ids, merged_w = other.ids, other.weights
        else:
            # Both id arrays are sorted and unique: add the shared ids' weights in place, append the others
            # and sort once (np.insert's per-call overhead cost more than the sort of a mostly sorted array).
            pos, hit = self.find(other.ids)
            merged_w = self.weights.astype(np.float32, copy=True)
            merged_w[pos[hit]] += other.weights[hit]  # other's ids are unique: no repeated index
            merged_ids = self.ids
            if not hit.all():
                new = ~hit
                merged_ids = np.concatenate((self.ids, other.ids[new]))
                merged_w = np.concatenate((merged_w, other.weights[new].astype(np.float32)))
                order = np.argsort(merged_ids, kind="stable")
                merged_ids, merged_w = merged_ids[order], merged_w[order]
        if len(merged_ids) > cap:
            keep = np.sort(np.argpartition(-merged_w, cap - 1)[:cap])
            merged_ids, merged_w = merged_ids[keep], merged_w[keep]
        return Profile(merged_ids, merged_w)

    def minus(self, other: Profile) -> Profile:
        """This profile less `other`'s weights (a member leaving its story); terms left without weight drop
        out. Terms the cap already dropped stay dropped, as in `plus`."""
        if not len(other) or not len(self):
            return self
        pos, hit = self.find(other.ids)
        weights = self.weights.astype(np.float32, copy=True)
        weights[pos[hit]] -= other.weights[hit]
        keep = weights > 1e-6
        return Profile(self.ids[keep], weights[keep])


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


def weighted_cosines(a: Weighted, others: list[Weighted], scratch: np.ndarray | None = None) -> np.ndarray:
    """Cosines of one `weighted` profile to many at once, in one vectorised pass over their concatenated ids
    (a call per candidate dominated clustering time).

    `scratch`: a zeroed float array covering the hash space (left zeroed); with it the article's weights are
    scattered into it and each story id is one direct lookup, instead of a binary search into the article.
    """
    out = np.zeros(len(others), dtype=np.float64)
    a_ids, a_vals, a_norm = a
    if not len(a_ids) or a_norm <= 0 or not others:
        return out
    lengths = np.fromiter((len(o[0]) for o in others), dtype=np.int64, count=len(others))
    if not lengths.sum():
        return out
    ids = np.concatenate([o[0] for o in others])
    vals = np.concatenate([o[1] for o in others])
    if scratch is not None:
        scratch[a_ids] = a_vals
        products = scratch[ids] * vals
        scratch[a_ids] = 0.0
        # Per-story sums; reduceat gives an empty segment its next element, so those are zeroed after.
        starts = np.minimum(np.cumsum(lengths) - lengths, len(products) - 1)
        dots = np.add.reduceat(products.astype(np.float64), starts)
        dots[lengths == 0] = 0.0
    else:
        rows = np.repeat(np.arange(len(others)), lengths)
        pos = np.minimum(np.searchsorted(a_ids, ids), len(a_ids) - 1)
        hit = a_ids[pos] == ids
        dots = np.bincount(rows[hit], weights=vals[hit] * a_vals[pos[hit]], minlength=len(others))
    norms = np.fromiter((o[2] for o in others), dtype=np.float64, count=len(others))
    np.divide(dots, a_norm * norms, out=out, where=norms > 0)
    return out


def apart_share(a: Profile, b: Profile, gap: int) -> float:
    """Weighted share of (year in a, year in b) pairs at least `gap` apart; 0 when either is empty.

    Profiles of anchor years (id = year, weight = articles): an article against a story, or two stories.
    """
    if not len(a) or not len(b):
        return 0.0
    if len(a) == 1:  # an article's single anchor year: the common case, kept cheap
        total = float(b.weights.sum())
        return float(b.weights[np.abs(b.ids - a.ids[0]) >= gap].sum()) / total if total > 0 else 0.0
    apart = np.abs(a.ids[:, None] - b.ids[None, :]) >= gap
    weights = np.outer(a.weights, b.weights)
    total = float(weights.sum())
    return float(weights[apart].sum()) / total if total > 0 else 0.0
