"""How strongly one sentence supports another: a calibrated logistic model over cheap pair features.

No licensed entailment model runs offline, so support is MiniLM cosine + name agreement + number agreement +
word overlap, with negation and number clashes as penalties. The weights are a logistic regression fitted on
the MRPC paraphrase pairs (`bench/calibrate_support.py` reads them at run time and prints the constants below).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .features import SentenceFeatures, features, name_overlap, number_relation, word_overlap

FEATURE_NAMES = (
    "cosine",
    "name_jaccard",
    "name_coverage",
    "number_match",
    "number_clash",
    "negation_mismatch",
    "word_overlap",
)

# Fitted by bench/calibrate_support.py on shared/eval/paraphrase/mrpc-train.jsonl (3,675 pairs, 5-fold CV
# accuracy 0.750, F1 0.831 at probability 0.5; cosine alone: 0.730 / 0.821). Names and number matches get
# small negative weights there because MRPC pairs nearly always share them; clashes and negation do the work.
# Rerun the script and paste its output to recalibrate.
_COEF = np.array([5.244, -0.234, -0.167, -0.119, -0.907, -1.223, 2.018])
_INTERCEPT = -4.374


def pair_features(fa: SentenceFeatures, fb: SentenceFeatures, cosine: float) -> np.ndarray:
    """The model's inputs for "b supports a", in FEATURE_NAMES order."""
    coverage = len(fa.names & fb.names) / len(fa.names) if fa.names else 0.0
    match, clash = number_relation(fa, fb)
    return np.array(
        [
            cosine,
            name_overlap(fa, fb),
            coverage,
            match,
            float(clash),
            float((fa.negations % 2) != (fb.negations % 2)),
            word_overlap(fa, fb),
        ],
        dtype=np.float64,
    )


def support_either_way(
    fa: SentenceFeatures, fb: SentenceFeatures, cosine: float, set_aside: Mapping[str, float] | None = None
) -> float:
    """How strongly two sentences support each other, the stronger way round; `set_aside` fixes some of the
    features (by name) to a value, as if that part of the pair did not differ."""
    scores = []
    for x in (pair_features(fa, fb, cosine), pair_features(fb, fa, cosine)):
        for name, value in (set_aside or {}).items():
            x[FEATURE_NAMES.index(name)] = value
        scores.append(score_features(x))
    return max(scores)


def support_but_for_clash(fa: SentenceFeatures, fb: SentenceFeatures, cosine: float) -> float:
    """How strongly two sentences support each other (either way round) once what could clash is set aside, as
    if their figures agreed and neither negated anything: whether they state one fact, on which a clash of
    figures or a denial is a discrepancy."""
    return support_either_way(fa, fb, cosine, _CLASH_SET_ASIDE)


_CLASH_SET_ASIDE = {"number_match": 1.0, "number_clash": 0.0, "negation_mismatch": 0.0}


def support_between(fa: SentenceFeatures, fb: SentenceFeatures, cosine: float) -> float:
    """How strongly statement b supports statement a, from their features (`claims.features`, computed once
    per sentence) and the cosine of their vectors: the support check every stage shares."""
    return score_features(pair_features(fa, fb, cosine))


def score_features(x: np.ndarray) -> float:
    z = float(np.dot(_COEF, x) + _INTERCEPT)
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def support_score(a: str, b: str, vec_a: np.ndarray | None = None, vec_b: np.ndarray | None = None) -> float:
    """Probability-like score in [0, 1] that sentence `b` supports sentence `a`.

    Pass the sentences' L2-normalised MiniLM vectors when you have them; otherwise they are embedded here.
    """
    if vec_a is None or vec_b is None:
        from ..models import embed

        vecs = embed([a, b])
        vec_a = vecs[0] if vec_a is None else vec_a
        vec_b = vecs[1] if vec_b is None else vec_b
    cosine = float(np.dot(vec_a, vec_b))
    return score_features(pair_features(features(a), features(b), cosine))
