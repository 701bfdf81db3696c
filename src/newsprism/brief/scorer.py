"""The learned sentence-relevance model of the brief: a linear model over `summary.FEATURES`, shipped as JSON.

The model is plain numbers (feature names, means, scales, coefficients), read with `json` and checked against
the feature list the code computes, so loading it runs nothing and a stale file fails loudly instead of
scoring the wrong columns. The shipped weights were fitted on neus-train by coordinate ascent on the score
that matters (ROUGE-1 + ROUGE-2 of the whole brief cut to the roundup's length): pointwise fits of each
sentence's own ROUGE (ridge, gradient boosting, listwise softmax) ranked worse on the held-out half, since a
sentence's own overlap ignores what the other picks already cover. Its `about` field says how it was made.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NewsprismError

MODEL_PATH = Path(__file__).with_name("sentence_model.json")


@dataclass(frozen=True)
class SentenceModel:
    """relevance(x) = intercept + sum(coef * (x - mean) / scale), per feature column."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float = 0.0
    about: str = ""

    def score(self, matrix: np.ndarray) -> np.ndarray:
        """One relevance per row of `matrix` (columns in `features` order)."""
        matrix = np.asarray(matrix, dtype=float)
        if matrix.ndim != 2 or matrix.shape[1] != len(self.features):
            raise ValueError(f"expected rows of {len(self.features)} features, got shape {matrix.shape}")
        return self.intercept + ((matrix - self.mean) / self.scale) @ self.coef

    def to_json(self) -> dict[str, Any]:
        return {
            "about": self.about,
            "features": list(self.features),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "intercept": round(float(self.intercept), 6),
        }


def parse(data: Any, expected: Sequence[str]) -> SentenceModel:
    """A model from its JSON form; it must name exactly the `expected` features, in order."""
    try:
        features = tuple(str(f) for f in data["features"])
        arrays = [np.asarray(data[k], dtype=float) for k in ("mean", "scale", "coef")]
        intercept = float(data.get("intercept", 0.0))
    except (KeyError, TypeError, ValueError) as exc:
        raise NewsprismError(
            f"the brief sentence model is malformed ({exc!r}); regenerate it (see brief/scorer.py)"
        ) from exc
    if features != tuple(expected) or any(a.shape != (len(features),) for a in arrays):
        raise NewsprismError(
            "the brief sentence model does not match the features the code computes "
            f"(model: {list(features)}, code: {list(expected)}); regenerate it (see brief/scorer.py)"
        )
    mean, scale, coef = arrays
    if not (np.all(np.isfinite(arrays)) and np.all(scale > 0)):
        raise NewsprismError("the brief sentence model holds non-finite numbers or non-positive scales")
    return SentenceModel(features, mean, scale, coef, intercept, str(data.get("about", "")))


@lru_cache(maxsize=4)
def load(path: str, expected: tuple[str, ...]) -> SentenceModel:
    """The model at `path` (cached per path)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NewsprismError(f"cannot read the brief sentence model {path}: {exc}") from exc
    return parse(data, expected)


def from_weights(weights: dict[str, float], features: Sequence[str], about: str = "") -> SentenceModel:
    """A model scoring sum(weight x feature) on raw (unscaled) features; unnamed features weigh 0."""
    unknown = set(weights) - set(features)
    if unknown:
        raise ValueError(f"weights for unknown features: {sorted(unknown)}")
    n = len(features)
    coef = np.array([float(weights.get(f, 0.0)) for f in features])
    return SentenceModel(tuple(features), np.zeros(n), np.ones(n), coef, 0.0, about)
