"""One-to-one sentence alignment of two articles from their per-sentence MiniLM vectors."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..records import Sentence

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SentenceAlignment:
    """Aligned sentence index pairs (a, b, cosine), ordered by a; shares count content sentences only."""

    pairs: tuple[tuple[int, int, float], ...]
    content_a: int  # sentences of a long enough to align
    content_b: int

    @property
    def share(self) -> float:
        """Aligned share of the shorter article's content sentences."""
        shorter = min(self.content_a, self.content_b)
        return len(self.pairs) / shorter if shorter else 0.0

    @property
    def order(self) -> float:
        """Share of aligned pairs that keep their relative order (longest increasing subsequence)."""
        if not self.pairs:
            return 0.0
        return longest_increasing([b for _, b, _ in self.pairs]) / len(self.pairs)

    def strong(self, similarity: float) -> tuple[tuple[int, int, float], ...]:
        return tuple(p for p in self.pairs if p[2] >= similarity)


def longest_increasing(values: Sequence[int]) -> int:
    """Length of the longest strictly increasing subsequence (patience sorting, O(n log n))."""
    tails: list[int] = []
    for v in values:
        i = bisect.bisect_left(tails, v)
        if i == len(tails):
            tails.append(v)
        else:
            tails[i] = v
    return len(tails)


def content_mask(sentences: Sequence[Sentence], min_words: int) -> np.ndarray:
    """Sentences with enough words to carry a statement; datelines, 'Leave a comment' and the like do not."""
    return np.array([len(_WORD.findall(s.text)) >= min_words for s in sentences], dtype=bool)


def align_sentences(
    sentences_a: Sequence[Sentence],
    vectors_a: np.ndarray,
    sentences_b: Sequence[Sentence],
    vectors_b: np.ndarray,
    similarity: float,
    min_words: int,
) -> SentenceAlignment:
    """Best one-to-one alignment (Hungarian) among sentence pairs with cosine >= `similarity`.

    Pairs below the threshold get weight 0 before the assignment, so a weak pair can never displace a
    strong one to raise the total.
    """
    idx_a = np.flatnonzero(content_mask(sentences_a, min_words)[: len(vectors_a)])
    idx_b = np.flatnonzero(content_mask(sentences_b, min_words)[: len(vectors_b)])
    va = np.asarray(vectors_a, dtype=np.float32)[idx_a]
    vb = np.asarray(vectors_b, dtype=np.float32)[idx_b]
    return align_content(idx_a, va, idx_b, vb, similarity)


def content_similarities(vectors_a: np.ndarray, vectors_b: np.ndarray) -> np.ndarray:
    """Cosine matrix of two articles' content-sentence vectors (rows a, columns b)."""
    if not len(vectors_a) or not len(vectors_b):
        return np.zeros((len(vectors_a), len(vectors_b)), dtype=np.float32)
    return vectors_a @ vectors_b.T


def match_bound(sims: np.ndarray, similarity: float) -> int:
    """Upper bound on the pairs a one-to-one alignment at `similarity` can have: no more than the rows, nor
    the columns, that have any partner that similar. Costs one comparison, saves the assignment."""
    if not sims.size:
        return 0
    hits = sims >= similarity
    return int(min(hits.any(axis=1).sum(), hits.any(axis=0).sum()))


def align_content(
    idx_a: np.ndarray,
    vectors_a: np.ndarray,
    idx_b: np.ndarray,
    vectors_b: np.ndarray,
    similarity: float,
    sims: np.ndarray | None = None,
) -> SentenceAlignment:
    """`align_sentences` on content sentences already picked: indices into each article and their vectors."""
    if not len(idx_a) or not len(idx_b):
        return SentenceAlignment((), len(idx_a), len(idx_b))
    if sims is None:
        sims = content_similarities(vectors_a, vectors_b)
    weights = np.where(sims >= similarity, sims, 0.0)
    if not weights.any():
        return SentenceAlignment((), len(idx_a), len(idx_b))
    rows, cols = linear_sum_assignment(weights, maximize=True)
    pairs = sorted(
        (int(idx_a[r]), int(idx_b[c]), float(sims[r, c]))
        for r, c in zip(rows, cols, strict=True)
        if weights[r, c] > 0
    )
    return SentenceAlignment(tuple(pairs), len(idx_a), len(idx_b))
