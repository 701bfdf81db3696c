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
# Quoted speech: a curly quote runs to its closer or, by the news convention for quotes that go on into the
# next paragraph, to the end of its paragraph; straight quotes only when balanced within a paragraph.
# Possessive runs stop at the closer or the line end, so a failed match never backtracks.
_QUOTED = re.compile(r"[“„«][^”“»\n]*+(?:[”»]|$)|\"[^\"\n]*+\"", re.MULTILINE)


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


@dataclass(frozen=True)
class RewriteEvidence:
    """What an alignment says about two articles being one story re-edited; quoted sentences left out."""

    aligned: int  # aligned pairs where neither sentence is quoted speech
    paraphrased: int  # of those, pairs similar enough to stand alone as one statement re-worded
    verbatim: int  # of those, pairs at or above the near-verbatim similarity
    content_a: int  # unquoted content sentences of a
    content_b: int
    order: float  # share of the unquoted aligned pairs in the same relative order

    @property
    def verbatim_share(self) -> float:
        """Near-verbatim pairs over the shorter article's unquoted content: a copy, trimmed or not."""
        shorter = min(self.content_a, self.content_b)
        return self.verbatim / shorter if shorter else 0.0

    @property
    def paraphrased_share(self) -> float:
        """Paraphrased pairs over the longer article's unquoted content: a rewrite retells both articles."""
        longer = max(self.content_a, self.content_b)
        return self.paraphrased / longer if longer else 0.0


def rewrite_evidence(
    alignment: SentenceAlignment,
    unquoted_a: frozenset[int],
    unquoted_b: frozenset[int],
    paraphrase_similarity: float,
    verbatim_similarity: float,
) -> RewriteEvidence:
    """Evidence from `alignment` counting only the pairs and content sentences outside quoted speech
    (`unquoted_*`: content sentence indices of each article that are not mostly quotation)."""
    kept = [p for p in alignment.pairs if p[0] in unquoted_a and p[1] in unquoted_b]
    order = longest_increasing([b for _, b, _ in kept]) / len(kept) if kept else 0.0
    return RewriteEvidence(
        aligned=len(kept),
        paraphrased=sum(1 for p in kept if p[2] >= paraphrase_similarity),
        verbatim=sum(1 for p in kept if p[2] >= verbatim_similarity),
        content_a=len(unquoted_a),
        content_b=len(unquoted_b),
        order=order,
    )


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


def copied_wording(a: str, b: str, run: int) -> bool:
    """Whether two sentences share `run` consecutive words outside quotation marks: copied text. The same fact in
    similar words, or the same quotation of a third party, is what independent reports of one event look like."""
    words_a = _WORD.findall(_QUOTED.sub(" ", a).lower())
    words_b = _WORD.findall(_QUOTED.sub(" ", b).lower())
    if len(words_a) < run or len(words_b) < run:
        return False
    runs = {tuple(words_a[k : k + run]) for k in range(len(words_a) - run + 1)}
    return any(tuple(words_b[k : k + run]) in runs for k in range(len(words_b) - run + 1))


def same_wording(a: str, b: str, min_words: int = 6) -> bool:
    """Whether two sentences are the same words (case and punctuation aside), at least `min_words` of them."""
    words_a, words_b = _WORD.findall(a.lower()), _WORD.findall(b.lower())
    return len(words_a) >= min_words and words_a == words_b


def quoted_mask(text: str, sentences: Sequence[Sentence], min_fraction: float = 0.5) -> np.ndarray:
    """Sentences that are mostly (>= `min_fraction` of their characters) inside quotation marks.

    Two distinct reports of one event quote the same speaker word for word, so quoted sentences are evidence
    of the same source being quoted, not of one article being copied from the other.
    """
    inside = np.zeros(len(text) + 1, dtype=np.int32)  # +1 at a span's start, -1 after its end
    for m in _QUOTED.finditer(text):
        inside[m.start()] += 1
        inside[m.end()] -= 1
    covered = np.cumsum(inside[:-1]) > 0
    prefix = np.concatenate(([0], np.cumsum(covered)))
    out = np.zeros(len(sentences), dtype=bool)
    for k, s in enumerate(sentences):
        start, end = max(0, min(s.start, len(text))), max(0, min(s.end, len(text)))
        if end > start:
            out[k] = (prefix[end] - prefix[start]) >= min_fraction * (end - start)
    return out


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
