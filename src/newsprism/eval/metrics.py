"""Metric functions shared by the task scorers and the bench anchors.

Pure functions over plain values, so that newsprism and every anchor are scored by the same code.
Library metrics (scikit-learn, rouge-score, scipy's assignment solver) are used where they exist.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

_WORD = re.compile(r"\w+")


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean, None for no values (a metric with nothing to average is unknown, not 0)."""
    return float(sum(values) / len(values)) if values else None


def f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float | None, float | None, float | None]:
    """Precision, recall, F1 from counts.

    Recall and F1 are None when there is no gold; precision is None only when there is neither gold nor
    prediction (no prediction against existing gold scores precision 0, sklearn's zero_division=0).
    """
    if n_gold == 0:
        return (tp / n_pred if n_pred else None), None, None
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold
    return p, r, f1(p, r)


# ------------------------------------------------------------------ text tokens (extraction)


def word_tokens(text: str | None) -> list[str]:
    """Lowercase word tokens after NFKC normalisation (the ScrapingHub benchmark's bag-of-words view)."""
    if not text:
        return []
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def token_pr(pred: str | None, gold: str | None) -> tuple[float, float]:
    """Per-page precision and recall of the predicted word bag against the gold word bag.

    An empty prediction scores precision 0 (extracting nothing is not precise, it is a failure).
    """
    p_bag, g_bag = Counter(word_tokens(pred)), Counter(word_tokens(gold))
    overlap = sum((p_bag & g_bag).values())
    n_pred, n_gold = sum(p_bag.values()), sum(g_bag.values())
    precision = overlap / n_pred if n_pred else 0.0
    recall = overlap / n_gold if n_gold else (1.0 if not n_pred else 0.0)
    return precision, recall


def squash(text: str | None) -> str:
    """Whitespace-normalised text (NFC, runs of whitespace to one space, trimmed)."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def words(text: str) -> list[str]:
    return text.split()


def cut_words(text: str, n: int) -> str:
    """The first n whitespace-separated words of text (summaries are scored at the reference's length)."""
    return " ".join(text.split()[:n])


# ------------------------------------------------------------------ clustering


def b_cubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 over items (Bagga & Baldwin 1998), averaged per item."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred must label the same items")
    if not gold:
        return 0.0, 0.0, 0.0
    pair_counts = Counter(zip(gold, pred, strict=True))
    gold_sizes, pred_sizes = Counter(gold), Counter(pred)
    p = sum(pair_counts[(g, c)] / pred_sizes[c] for g, c in zip(gold, pred, strict=True)) / len(gold)
    r = sum(pair_counts[(g, c)] / gold_sizes[g] for g, c in zip(gold, pred, strict=True)) / len(gold)
    return p, r, f1(p, r) or 0.0


def pair_scores(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """Pairwise precision, recall, F1: every pair of items is same-cluster or not (sklearn's pair counts)."""
    from sklearn.metrics.cluster import pair_confusion_matrix

    if len(gold) < 2:
        return 0.0, 0.0, 0.0
    (_, fp), (fn, tp) = pair_confusion_matrix(_codes(gold), _codes(pred))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return float(p), float(r), float(f1(p, r) or 0.0)


def cluster_metrics(gold: Sequence[Hashable], pred: Sequence[Hashable], prefix: str = "") -> dict[str, float]:
    """B-cubed, ARI, NMI and pairwise scores of a predicted clustering, keys prefixed (`topic_b3_f1`)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    g, c = _codes(gold), _codes(pred)
    b3_p, b3_r, b3_f = b_cubed(g, c)
    pair_p, pair_r, pair_f = pair_scores(g, c)
    return {
        f"{prefix}b3_p": b3_p,
        f"{prefix}b3_r": b3_r,
        f"{prefix}b3_f1": b3_f,
        f"{prefix}ari": float(adjusted_rand_score(g, c)),
        f"{prefix}nmi": float(normalized_mutual_info_score(g, c)),
        f"{prefix}pair_p": pair_p,
        f"{prefix}pair_r": pair_r,
        f"{prefix}pair_f1": pair_f,
    }


def _codes(labels: Sequence[Hashable]) -> list[int]:
    index: dict[Hashable, int] = {}
    return [index.setdefault(x, len(index)) for x in labels]


# ------------------------------------------------------------------ spans (quotes)

_QUOTE_MARKS = "\"'“”‘’«»„‚‹›`"


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match_spans(
    pred: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]], min_gold_share: float = 0.5
) -> list[tuple[int, int]]:
    """One-to-one matching of predicted to gold spans: (pred index, gold index) pairs.

    A pair is eligible when the spans overlap by at least `min_gold_share` of the gold span; among
    eligible pairs the assignment maximising the number of matches (then total overlap) is taken.
    """
    if not pred or not gold:
        return []
    from scipy.optimize import linear_sum_assignment

    weight = np.zeros((len(pred), len(gold)))
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            ov = overlap(p, g)
            g_len = max(1, g[1] - g[0])
            if ov > 0 and ov >= min_gold_share * g_len:
                # 1 per match dominates; the overlap share breaks ties between matchings of equal size
                weight[i, j] = 1.0 + ov / (g_len + (p[1] - p[0]))
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if weight[i, j] > 0]


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without surrounding whitespace and quote marks (the exact rule ignores those)."""
    while start < end and (text[start].isspace() or text[start] in _QUOTE_MARKS):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _QUOTE_MARKS or text[end - 1] in ",."):
        end -= 1
    return start, end


_TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "sen", "senator", "rep", "gov", "governor", "president",
    "gen", "general", "secretary", "minister", "former", "the", "vice", "sir", "lord", "judge", "mayor",
}  # fmt: skip


def name_tokens(name: str | None) -> list[str]:
    """A person's name as comparable tokens: accents folded, lowercase, titles and initials dropped."""
    if not name:
        return []
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    folded = re.sub(r"['’]s\b", "", folded)
    return [t for t in _WORD.findall(folded) if t not in _TITLES and len(t) > 1]


def same_person(a: str | None, b: str | None) -> bool:
    """Two name strings refer to the same person: equal after normalisation, or one is a part of the
    other ending on the same surname ("Trump" / "Donald J. Trump")."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return short[-1] == long[-1] and set(short) <= set(long)


# ------------------------------------------------------------------ binary labels (claims)


def binary_scores(gold: Sequence[int], pred: Sequence[int | bool]) -> dict[str, float | None]:
    """Accuracy and positive-class precision, recall, F1 (None for no items)."""
    if not gold:
        return {"acc": None, "p": None, "r": None, "f1": None}
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    n_pred = sum(1 for p in pred if p)
    n_gold = sum(1 for g in gold if g)
    correct = sum(1 for g, p in zip(gold, pred, strict=True) if bool(g) == bool(p))
    p, r, f = prf(tp, n_pred, n_gold)
    if n_gold == 0:
        # no positive gold: recall and F1 are undefined, precision is 0 or undefined
        return {"acc": correct / len(gold), "p": p, "r": None, "f1": None}
    return {"acc": correct / len(gold), "p": p, "r": r, "f1": f}
