"""Claim relations: does claim_b strengthen / weaken claim_a, by the product's `claims.relation`.

Plain run: the shipped relation and settings scored on the file as they are. `cv=k`: k-fold
cross-validation with folds split by topic (GroupKFold), metrics per fold then averaged, and the
baselines fitted on each training part and scored on the same test folds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import metrics
from .data import progress_iter

LABELS = ("strengthens", "weakens")
Predictor = Callable[[Sequence[dict[str, Any]]], dict[str, list[bool]]]  # items -> label -> predictions

_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|deny|denies|denied|refuse[sd]?|reject(?:s|ed)?)\b"
    r"|n't\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def newsprism_predict(items: Sequence[dict[str, Any]], progress: bool = False) -> dict[str, list[bool]]:
    from ..claims import relation

    out: dict[str, list[bool]] = {label: [] for label in LABELS}
    for item in progress_iter(items, progress, "claim pairs"):
        rel = relation(item["claim_a"], item["claim_b"], item.get("title_a"), item.get("title_b"))
        out["strengthens"].append(bool(rel.strengthens))
        out["weakens"].append(bool(rel.weakens))
    return out


def score(
    items: Sequence[dict[str, Any]], predicted: dict[str, list[bool]], prefix: str = ""
) -> dict[str, Any]:
    """Accuracy and positive-class P/R/F1 per label, over the items that have that label."""
    result: dict[str, Any] = {}
    for label in LABELS:
        keep = [k for k, item in enumerate(items) if item.get(label) is not None]
        scores = metrics.binary_scores([items[k][label] for k in keep], [predicted[label][k] for k in keep])
        for name, value in scores.items():
            result[f"{prefix}{label}_{name}"] = value
    return result


# ------------------------------------------------------------------ baselines (fitted on training folds)


def majority(train: Sequence[dict[str, Any]]) -> Predictor:
    """Each label's most frequent training value, for every pair."""
    guess = {}
    for label in LABELS:
        values = [item[label] for item in train if item.get(label) is not None]
        guess[label] = bool(values) and sum(values) * 2 >= len(values)
    return lambda items: {label: [guess[label]] * len(items) for label in LABELS}


def all_positive(train: Sequence[dict[str, Any]]) -> Predictor:
    return lambda items: {label: [True] * len(items) for label in LABELS}


def tfidf_threshold(train: Sequence[dict[str, Any]]) -> Predictor:
    """TF-IDF cosine of the two claims; per label, positive at or above the threshold with the best
    training F1 (vectoriser fitted on the training claims only)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True).fit(
        [item["claim_a"] for item in train] + [item["claim_b"] for item in train]
    )

    def cosines(items: Sequence[dict[str, Any]]) -> np.ndarray:
        a = vectorizer.transform([item["claim_a"] for item in items])
        b = vectorizer.transform([item["claim_b"] for item in items])
        return np.asarray(a.multiply(b).sum(axis=1)).ravel()  # rows are L2-normalised

    train_cos = cosines(train)
    thresholds = {}
    for label in LABELS:
        keep = [k for k, item in enumerate(train) if item.get(label) is not None]
        gold = [train[k][label] for k in keep]
        best, best_f1 = 1.01, -1.0
        for t in np.unique(np.round(train_cos[keep], 3)):
            f = metrics.binary_scores(gold, [train_cos[k] >= t for k in keep])["f1"] or 0.0
            if f > best_f1:
                best, best_f1 = float(t), f
        thresholds[label] = best

    def predict(items: Sequence[dict[str, Any]]) -> dict[str, list[bool]]:
        cos = cosines(items)
        return {label: [bool(c >= thresholds[label]) for c in cos] for label in LABELS}

    return predict


def mismatch(a: str, b: str) -> bool:
    """One claim negates and the other does not, or both state numbers and the numbers differ."""
    if bool(_NEGATION.search(a)) != bool(_NEGATION.search(b)):
        return True
    na, nb = set(_NUMBER.findall(a)), set(_NUMBER.findall(b))
    return bool(na and nb and na.isdisjoint(nb))


def negation_number(train: Sequence[dict[str, Any]]) -> Predictor:
    """Weakens iff `mismatch`; strengthens iff not (nothing fitted)."""

    def predict(items: Sequence[dict[str, Any]]) -> dict[str, list[bool]]:
        weak = [mismatch(item["claim_a"], item["claim_b"]) for item in items]
        return {"weakens": weak, "strengthens": [not w for w in weak]}

    return predict


BASELINES: dict[str, Callable[[Sequence[dict[str, Any]]], Predictor]] = {
    "majority": majority,
    "all_positive": all_positive,
    "tfidf": tfidf_threshold,
    "negation_number": negation_number,
}


def cross_validate(items: Sequence[dict[str, Any]], folds: int, progress: bool = False) -> dict[str, Any]:
    """Per-fold scores averaged: newsprism's shipped relation and each baseline (prefix `<name>_`)."""
    from sklearn.model_selection import GroupKFold

    groups = [item["topic"] for item in items]
    n_groups = len(set(groups))
    if n_groups < folds:
        from ..errors import EvalDataError

        raise EvalDataError(f"--cv {folds} needs at least {folds} topics; the file has {n_groups}")
    import importlib

    # The product's fit hook (claims.fit_relation / pair_matrix / predict_relations), when it has one, is
    # refitted on each training part; without one, the shipped relation predicts once for every fold.
    product = importlib.import_module("newsprism.claims")
    fit_ours = getattr(product, "fit_relation", None)
    x = product.pair_matrix(items) if fit_ours else None
    ours = None if fit_ours else newsprism_predict(items, progress)
    per_fold: list[dict[str, Any]] = []
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(items, groups=groups):
        train = [items[k] for k in train_idx]
        test = [items[k] for k in test_idx]
        if fit_ours:
            model = fit_ours(train, x=x[train_idx])
            rels = product.predict_relations(test, model, x=x[test_idx])
            predicted = {label: [bool(getattr(r, label)) for r in rels] for label in LABELS}
        else:
            predicted = {label: [ours[label][k] for k in test_idx] for label in LABELS}
        fold = score(test, predicted)
        if fit_ours and hasattr(product, "relation_scores"):
            fold.update(_ranking(test, product.relation_scores(model, x[test_idx])))
        for name, fit in BASELINES.items():
            fold.update(score(test, fit(train)(test), prefix=f"{name}_"))
        per_fold.append(fold)
    result = {}
    for key in per_fold[0]:
        values = [f[key] for f in per_fold if f[key] is not None]
        result[key] = metrics.mean(values) if values else None
    result["folds"] = folds
    return result


def _ranking(items: Sequence[dict[str, Any]], scores: dict[str, np.ndarray]) -> dict[str, float | None]:
    """Per label, ROC AUC of the relation's score: how well it ranks pairs, whatever the threshold (F1 at one
    operating point moves with the base rate; the ranking does not)."""
    from sklearn.metrics import roc_auc_score

    out: dict[str, float | None] = {}
    for label in LABELS:
        gold = [bool(item[label]) for item in items]
        out[f"{label}_auc"] = float(roc_auc_score(gold, scores[label])) if 0 < sum(gold) < len(gold) else None
    return out


def evaluate(
    items: list[dict[str, Any]], path: Path, cv: int | None = None, progress: bool = False, **_: Any
) -> dict[str, Any]:
    if cv:
        return cross_validate(items, cv, progress)
    return score(items, newsprism_predict(items, progress))
