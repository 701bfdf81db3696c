"""Batch-end consolidation: merge stories whose members agree on average (average-linkage over articles).

Online clustering depends on arrival order: two early articles of one event can found two stories before the
article that links them arrives, and by then each story's profile has drifted apart. At the end of a batch the
stream's IDF is settled and every article is known, so the stories touched in the batch are compared with their
nearest open stories the way batch agglomerative clustering would: the score of two stories is the mean of the
article-to-article scores between their members (average linkage: one off-topic member cannot glue two stories,
as it can with centroids), and the best pair is merged while that mean passes `story_consolidate_similarity`.

An article-to-article score adds the same three signals as the article-to-story score (vector cosine, IDF
rare-term cosine, IDF entity cosine, minus the year conflict), so the two thresholds speak one language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .frequencies import HASH_BITS, DocumentFrequencies
from .profile import Profile


@dataclass(frozen=True)
class MemberEvidence:
    """What consolidation needs of one member article (persisted per article, so a restart has it)."""

    article_id: str
    vector: np.ndarray = field(compare=False)  # unit title+lead vector
    terms: Profile = field(compare=False)
    entities: Profile = field(compare=False)
    years: Profile = field(compare=False)  # year ids, weight 1
    anchor: int = 0  # the year the article reports from (evidence.anchor_year), 0 when unknown


def _tfidf_rows(profiles: Sequence[Profile], df: DocumentFrequencies) -> sparse.csr_matrix:
    """Row-normalised IDF-weighted profiles, one row per article (dot product = tfidf_cosine)."""
    indptr = [0]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    for profile in profiles:
        weights = profile.weights * df.idf(profile.ids) if len(profile) else profile.weights
        norm = float(np.linalg.norm(weights)) if len(profile) else 0.0
        indices.append(profile.ids)
        data.append(weights / norm if norm > 0 else weights)
        indptr.append(indptr[-1] + len(profile))
    return sparse.csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0, dtype=np.float32),
            np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
            np.asarray(indptr),
        ),
        shape=(len(profiles), 1 << HASH_BITS),
    )


def pair_scores(
    members: Sequence[MemberEvidence],
    df: DocumentFrequencies,
    term_weight: float,
    entity_weight: float,
    year_conflict: float,
    anchor_conflict: float = 0.0,
    anchor_gap: int = 2,
) -> np.ndarray:
    """Article-to-article score matrix (n x n) over the members."""
    vectors = np.stack([m.vector for m in members]).astype(np.float32)
    scores = vectors @ vectors.T
    terms = _tfidf_rows([m.terms for m in members], df)
    entities = _tfidf_rows([m.entities for m in members], df)
    scores += term_weight * (terms @ terms.T).toarray().astype(np.float32)
    scores += entity_weight * (entities @ entities.T).toarray().astype(np.float32)
    years = sparse.csr_matrix(
        (
            np.ones(sum(len(m.years) for m in members), dtype=np.float32),
            np.concatenate([m.years.ids for m in members]).astype(np.int64),
            np.cumsum([0] + [len(m.years) for m in members]),
        ),
        shape=(len(members), 10_000),
    )
    named = np.array([len(m.years) > 0 for m in members])
    agree = (years @ years.T).toarray() > 0
    # Both name years and none agree: the same kind of event at another time.
    scores -= year_conflict * (np.outer(named, named) & ~agree).astype(np.float32)
    anchors = np.array([m.anchor for m in members], dtype=np.int64)
    known = anchors > 0
    apart = np.abs(anchors[:, None] - anchors[None, :]) >= anchor_gap
    # Both report from a known year and the years are far apart: a look-alike event, another time.
    scores -= anchor_conflict * (np.outer(known, known) & apart).astype(np.float32)
    return scores


def average_linkage_merges(
    scores: np.ndarray,
    groups: Sequence[Sequence[int]],
    threshold: float,
    may_merge: Callable[[int, int], bool],
    active: Sequence[bool],
) -> list[tuple[int, int]]:
    """Greedy average-linkage merging of `groups` (member row indices into `scores`).

    Returns merges as (kept, absorbed) group indices in the order made; a merged group is known by the kept
    index afterwards. Only pairs with at least one `active` group (touched in the batch) and `may_merge` are
    considered; the best pair is merged while its mean member score reaches `threshold`.
    """
    k = len(groups)
    if k < 2:
        return []
    membership = np.zeros((scores.shape[0], k), dtype=np.float32)
    for g, rows in enumerate(groups):
        membership[list(rows), g] = 1.0
    sums = membership.T @ scores @ membership  # summed member scores between groups (Lance-Williams form)
    sizes = membership.sum(axis=0).astype(np.float64)
    window = np.zeros((k, k), dtype=bool)
    for a in range(k):
        for b in range(a + 1, k):
            window[a, b] = window[b, a] = may_merge(a, b)
    act = np.asarray(active, dtype=bool).copy()
    alive = np.ones(k, dtype=bool)
    merges: list[tuple[int, int]] = []
    while True:
        allowed = window & (act[:, None] | act[None, :]) & np.outer(alive, alive)
        mean = np.where(allowed, sums / np.maximum(np.outer(sizes, sizes), 1.0), -np.inf)
        a, b = divmod(int(np.argmax(mean)), k)
        if not np.isfinite(mean[a, b]) or mean[a, b] < threshold:
            return merges
        keep, gone = (a, b) if sizes[a] >= sizes[b] else (b, a)
        merges.append((keep, gone))
        sums[keep, :] += sums[gone, :]
        sums[:, keep] += sums[:, gone]
        sizes[keep] += sizes[gone]
        alive[gone] = False
        act[keep] |= act[gone]
        # The merged story spans both date ranges: it may merge where either part could.
        window[keep, :] |= window[gone, :]
        window[:, keep] |= window[:, gone]
        window[keep, keep] = False
