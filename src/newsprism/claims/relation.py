"""Relation between two claims from different articles on one story: does b strengthen or weaken a?

Two small logistic regressions, one per label, over dense pair features that do not depend on the topic:
MiniLM similarities of the claims and of their articles' titles, the support model's score, number /
negation / opposite-predicate clashes (contradict.py), and cue lexicons for contrast ("however", "but"),
dispute ("denied", "argued", "critics") and attribution, plus story-level columns shared by every pair of
one story. Each label reads only its own columns (LABEL_FEATURES); with all 37, both models fitted
topic-specific noise (ClaimDiff labels vary far more between stories than within one).

- strengthens: the pair's cosine and the story's mean pair cosine. Strengthening is the annotators' default
  for on-topic pairs (69% of claimdiff-train); the pairs that are not are mostly off-matter ones, and they
  pile up in stories whose compared claims drift apart, so the story's mean cosine sets how close a pair
  must be. A hard clash (below) still vetoes it.
- weakens: how contested the story is (cue rates over all its claims, the titles' tone gap, dispute words
  in titles and topic, number of pairs), the pair's own contrast / dispute / attribution / negation cues,
  and its relatedness. Weakening in news is mostly a rival side speaking ("his lawyers argued ..."), not a
  flat logical contradiction, and it clusters in contested stories (half the stories have none). A hard
  clash (numbers, negation, opposite predicates on one matter) weakens whatever the model says.

The story columns are transductive but label-free: they use only the story's own text. Per label, the
regularisation and the decision threshold (the F1-best one, not 0.5) come from topic-split inner CV on the
training pairs. Under `newsprism eval claims claimdiff-train.jsonl --cv 5`: strengthens F1 0.821 -> 0.829,
weakens F1 0.222 -> 0.268 against the old single-rule / all-column model (best baselines 0.815 / 0.197).

The shipped coefficients (relation_model.json) are `fit_relation` on all of claimdiff-train, written by
`python bench/calibrate_support.py --relation`; the eval's cross-validation calls `fit_relation` on each
training part instead, so its scores never see the test fold.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .contradict import find_clash, same_matter
from .features import features, name_overlap, number_relation, opposite_predicates, word_overlap
from .support import pair_features, score_features

_MODEL_FILE = Path(__file__).with_name("relation_model.json")
_WEAKEN_MIN_COSINE = 0.45  # below this two claims are not about one matter, so a clash means nothing
_MAX_CHARS = 2_000

# Cue lexicons (hand-written; the words are general English discourse markers, not topic words).
_CONTRAST = re.compile(
    r"\b(?:however|but|although|though|despite|yet|instead|nevertheless|nonetheless|whereas|still|"
    r"even as|even though|rather|meanwhile|on the other hand|in contrast)\b",
    re.IGNORECASE,
)
_DISPUTE = re.compile(
    r"\b(?:den(?:y|ies|ied|ying)|disput\w*|reject\w*|refut\w*|argu\w*|insist\w*|counter\w*|contend\w*|"
    r"critic\w*|slam\w*|blast\w*|accus\w*|dismiss\w*|false(?:ly)?|misleading|baseless|no evidence|"
    r"opponents?|defen[cs]e|lawyers?|attorneys?|push(?:ed)? back|objected|oppos\w*|challeng\w*|"
    r"claim(?:s|ed)?|alleg\w*|skeptic\w*|sceptic\w*|doubt\w*|questioned|condemn\w*|denounc\w*)\b",
    re.IGNORECASE,
)
_SAID = re.compile(r"\b(?:said|says|told|according to|stated|added|wrote|tweeted)\b", re.IGNORECASE)
_QUOTE = re.compile(r"[\"“”]")
_NEGATION = re.compile(r"\b(?:not|no|never|none|nothing|neither|nor|without|cannot)\b|n[’']t\b", re.I)

FEATURE_NAMES = (
    "cosine",
    "title_cosine",
    "b_to_title_a",
    "a_to_title_b",
    "b_to_title_b",
    "has_titles",
    "support",
    "word_overlap",
    "name_jaccard",
    "number_match",
    "number_clash",
    "negation_mismatch",
    "opposite",
    "clash",
    "contrast_b",
    "contrast_a",
    "dispute_b",
    "dispute_a",
    "dispute_title_b",
    "said_b",
    "quote_b",
    "quote_a",
    "negation_b",
    "log_words_a",
    "log_words_b",
    # Story-level context, shared by every pair of one story (see _story_block): how contested the story reads.
    "story_dispute",
    "story_contrast",
    "story_quote",
    "story_negation",
    "story_abs_sentiment",
    "story_cosine",
    "titles_sentiment_gap",
    "titles_dispute",
    "titles_contrast",
    "topic_dispute",
    "story_pair_cosine",
    "story_pairs",
)
_PAIR_FEATURES = FEATURE_NAMES.index("story_dispute")
# Inverse regularisation strengths tried by inner topic-split CV in fit_relation (the best out-of-fold F1 wins).
_C_GRID = (0.01, 0.03, 0.1, 0.3)
LABELS = ("strengthens", "weakens")
# The columns each label's regression sees (the others get coefficient 0). Chosen under topic-split CV on
# claimdiff-train (see the module docstring): with every column, both models overfit topic-specific noise.
LABEL_FEATURES = {
    # Relatedness of the pair and of its story: strengthening is the annotators' default for on-topic pairs,
    # and stories whose pairs are all close in meaning are the ones where nearly every pair strengthens.
    "strengthens": ("cosine", "story_pair_cosine"),
    # How contested the story is, discourse cues of a rival side speaking, and the pair's relatedness.
    "weakens": (
        *FEATURE_NAMES[_PAIR_FEATURES : FEATURE_NAMES.index("story_pair_cosine")],
        "story_pairs",
        "name_jaccard",
        "negation_mismatch",
        "contrast_a",
        "contrast_b",
        "dispute_a",
        "dispute_b",
        "said_b",
        "quote_a",
        "dispute_title_b",
        "cosine",
        "support",
        "word_overlap",
    ),
}


@dataclass(frozen=True)
class ClaimRelation:
    strengthens: bool
    weakens: bool
    support: float  # support_score(claim_a, claim_b)
    reason: str


@dataclass(frozen=True)
class RelationModel:
    """Per label: standardised-feature logistic coefficients and the decision threshold on its probability."""

    feature_names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: Mapping[str, tuple[float, ...]]
    intercept: Mapping[str, float]
    threshold: Mapping[str, float]
    trained_on: str = ""

    def probability(self, label: str, x: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(x) - np.array(self.mean)) / np.array(self.scale)
        logit = z @ np.array(self.coef[label]) + self.intercept[label]
        return 1.0 / (1.0 + np.exp(-np.clip(logit, -50.0, 50.0)))

    def to_json(self) -> str:
        return json.dumps(
            {
                "trained_on": self.trained_on,
                "feature_names": list(self.feature_names),
                "mean": [round(v, 6) for v in self.mean],
                "scale": [round(v, 6) for v in self.scale],
                "coef": {k: [round(v, 6) for v in c] for k, c in self.coef.items()},
                "intercept": {k: round(v, 6) for k, v in self.intercept.items()},
                "threshold": {k: round(v, 4) for k, v in self.threshold.items()},
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> RelationModel:
        raw = json.loads(text)
        return cls(
            feature_names=tuple(raw["feature_names"]),
            mean=tuple(raw["mean"]),
            scale=tuple(raw["scale"]),
            coef={k: tuple(v) for k, v in raw["coef"].items()},
            intercept=dict(raw["intercept"]),
            threshold=dict(raw["threshold"]),
            trained_on=raw.get("trained_on", ""),
        )


@lru_cache(maxsize=1)
def shipped_model() -> RelationModel:
    model = RelationModel.from_json(_MODEL_FILE.read_text(encoding="utf-8"))
    if model.feature_names != FEATURE_NAMES:
        raise RuntimeError(
            f"{_MODEL_FILE.name} was fitted on other features; rerun `python bench/calibrate_support.py --relation`"
        )
    return model


def _get(pair: Any, key: str) -> Any:
    return pair.get(key) if isinstance(pair, Mapping) else getattr(pair, key, None)


def pair_matrix(pairs: Sequence[Any]) -> np.ndarray:
    """FEATURE_NAMES rows for pairs (mappings or objects with claim_a, claim_b, title_a, title_b), embedded in one batch."""
    from ..models import embed

    if not pairs:
        return np.zeros((0, len(FEATURE_NAMES)))
    texts: dict[str, int] = {}
    for pair in pairs:
        for key in ("claim_a", "claim_b", "title_a", "title_b"):
            value = _get(pair, key)
            if value:
                texts.setdefault(value[:_MAX_CHARS], len(texts))
    vectors = embed(list(texts))
    rows = []
    for pair in pairs:
        a, b = _get(pair, "claim_a")[:_MAX_CHARS], _get(pair, "claim_b")[:_MAX_CHARS]
        ta, tb = (_get(pair, k) for k in ("title_a", "title_b"))
        rows.append(_row(a, b, ta, tb, lambda t: vectors[texts[t[:_MAX_CHARS]]]))
    pair_rows = np.stack(rows)
    story = _story_block(pairs, lambda t: vectors[texts[t[:_MAX_CHARS]]], pair_rows[:, 0])
    return np.hstack([pair_rows, story])


def _story_key(pair: Any, k: int) -> Any:
    # Pairs of one story share its topic; without one, the two articles' titles; else the pair stands alone.
    topic = _get(pair, "topic")
    if topic:
        return ("topic", topic)
    ta, tb = _get(pair, "title_a"), _get(pair, "title_b")
    return ("titles", frozenset((ta, tb))) if ta and tb else ("pair", k)


def _story_block(pairs: Sequence[Any], vec, cosines: np.ndarray) -> np.ndarray:
    """Story-level columns: cue rates over the story's distinct claims, their mean cosine, the titles' tone,
    the mean cosine of the story's pairs and log(number of pairs).

    Transductive but label-free: weakening pairs cluster in contested stories (a rival side answering), and
    how contested a story is shows in all its claims and in how differently its outlets headline it; the
    pairs' mean cosine says how tightly the compared claims keep to one matter (strengthening stories).
    """
    stories: dict[Any, list[int]] = {}
    for k, pair in enumerate(pairs):
        stories.setdefault(_story_key(pair, k), []).append(k)
    out = np.zeros((len(pairs), len(FEATURE_NAMES) - _PAIR_FEATURES))
    for members in stories.values():
        claims = sorted({_get(pairs[k], key)[:_MAX_CHARS] for k in members for key in ("claim_a", "claim_b")})
        cues = np.array([_cues(c) for c in claims])
        vectors = np.stack([vec(c) for c in claims])
        n = len(claims)
        mean_cosine = float(((vectors @ vectors.T).sum() - n) / (n * (n - 1))) if n > 1 else 1.0
        first = pairs[members[0]]
        ta, tb = _get(first, "title_a"), _get(first, "title_b")
        titles = [t for t in (ta, tb) if t]
        gap = abs(_sentiment(ta) - _sentiment(tb)) if ta and tb else 0.0
        topic = _get(first, "topic") or ""
        out[members] = [
            *cues.mean(axis=0),
            mean_cosine,
            gap,
            sum(min(len(_DISPUTE.findall(t)), 3) for t in titles),
            sum(bool(_CONTRAST.search(t)) for t in titles),
            min(len(_DISPUTE.findall(topic)), 3),
            float(cosines[members].mean()),
            math.log(len(members)),
        ]
    return out


def _cues(text: str) -> tuple[float, ...]:
    return (
        min(len(_DISPUTE.findall(text)), 3),
        float(bool(_CONTRAST.search(text))),
        float(bool(_QUOTE.search(text))),
        float(bool(_NEGATION.search(text))),
        abs(_sentiment(text)),
    )


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=4096)
def _sentiment(text: str | None) -> float:
    """VADER compound polarity (Hutto & Gilbert 2014), -1..1; 0 for no text."""
    return float(_vader().polarity_scores(text[:_MAX_CHARS])["compound"]) if text else 0.0


def _row(a: str, b: str, ta: str | None, tb: str | None, vec) -> np.ndarray:
    va, vb = vec(a), vec(b)
    cosine = float(np.dot(va, vb))
    fa, fb = features(a), features(b)

    def sim(x: np.ndarray, title: str | None) -> float:
        return float(np.dot(x, vec(title))) if title else 0.0

    has_titles = bool(ta and tb)
    match, number_clash = number_relation(fa, fb)
    clash = find_clash(fa, fb) if same_matter(fa, fb, cosine, _WEAKEN_MIN_COSINE) else None
    return np.array(
        [
            cosine,
            float(np.dot(vec(ta), vec(tb))) if has_titles else 0.0,
            sim(vb, ta),
            sim(va, tb),
            sim(vb, tb),
            float(has_titles),
            score_features(pair_features(fa, fb, cosine)),
            word_overlap(fa, fb),
            name_overlap(fa, fb),
            match,
            float(number_clash),
            float((fa.negations % 2) != (fb.negations % 2)),
            float(opposite_predicates(fa, fb) is not None),
            float(clash is not None),
            float(bool(_CONTRAST.search(b))),
            float(bool(_CONTRAST.search(a))),
            min(len(_DISPUTE.findall(b)), 3),
            min(len(_DISPUTE.findall(a)), 3),
            float(bool(tb and _DISPUTE.search(tb))),
            float(bool(_SAID.search(b))),
            float(bool(_QUOTE.search(b))),
            float(bool(_QUOTE.search(a))),
            float(bool(_NEGATION.search(b))),
            math.log1p(len(a.split())),
            math.log1p(len(b.split())),
        ],
        dtype=np.float64,
    )


def fit_relation(
    pairs: Sequence[Mapping[str, Any]], x: np.ndarray | None = None, trained_on: str = ""
) -> RelationModel:
    """Fit both labels on labelled pairs (ClaimDiff schema: claim_a, claim_b, title_a, title_b, topic,
    strengthens, weakens); `x` = pair_matrix(pairs) when already computed.

    Class-balanced logistic regression over the label's LABEL_FEATURES columns; per label, the regularisation
    C (from _C_GRID) and the decision threshold are the pair with the best F1 on out-of-fold probabilities
    (folds split by topic when pairs carry one), so neither is tuned on fitted data.
    """
    from sklearn.model_selection import GroupKFold, KFold

    x = pair_matrix(pairs) if x is None else x
    mean = x.mean(axis=0)
    scale = np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
    z = (x - mean) / scale
    topics = [_get(p, "topic") or str(k) for k, p in enumerate(pairs)]
    coef, intercept, threshold = {}, {}, {}
    for label in LABELS:
        cols = [FEATURE_NAMES.index(name) for name in LABEL_FEATURES[label]]
        keep = np.array([_get(p, label) is not None for p in pairs])
        y = np.array([int(_get(p, label) or 0) for p in pairs])[keep]
        zk = z[keep][:, cols]
        groups = [t for t, k in zip(topics, keep, strict=True) if k]
        if len(set(y)) < 2:  # one class only: a constant model
            coef[label], intercept[label] = (0.0,) * len(FEATURE_NAMES), 10.0 if y.any() else -10.0
            threshold[label] = 0.5
            continue
        n_groups = len(set(groups))
        splitter = GroupKFold(n_splits=min(5, n_groups)) if n_groups >= 3 else KFold(n_splits=min(3, len(y)))
        splits = list(splitter.split(zk, y, groups))
        best_f1, best_c = -1.0, _C_GRID[0]
        for c in _C_GRID:
            oof = np.zeros(len(y))
            for tr, te in splits:
                if len(set(y[tr])) < 2:
                    oof[te] = y[tr].mean()
                    continue
                oof[te] = _logistic(c).fit(zk[tr], y[tr]).predict_proba(zk[te])[:, 1]
            t = _best_threshold(y, oof)
            f1 = _f1(y, oof >= t)
            if f1 > best_f1:
                best_f1, best_c, threshold[label] = f1, c, t
        model = _logistic(best_c).fit(zk, y)
        full = np.zeros(len(FEATURE_NAMES))
        full[cols] = model.coef_[0]
        coef[label] = tuple(float(c) for c in full)
        intercept[label] = float(model.intercept_[0])
    return RelationModel(
        FEATURE_NAMES,
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        coef,
        intercept,
        threshold,
        trained_on,
    )


def _logistic(c: float):
    from sklearn.linear_model import LogisticRegression

    # Class-balanced: weakening is ~1 pair in 10, and F1 on it is what counts.
    return LogisticRegression(C=c, class_weight="balanced", max_iter=2000)


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float(np.sum(pred & (y == 1)))
    return 2 * tp / (pred.sum() + y.sum()) if pred.sum() + y.sum() else 0.0


def _best_threshold(y: np.ndarray, prob: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for t in np.unique(np.round(prob, 3)):
        f1 = _f1(y, prob >= t)
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return best


def predict_relations(
    pairs: Sequence[Any], model: RelationModel | None = None, x: np.ndarray | None = None
) -> list[ClaimRelation]:
    """relation() for many pairs at once (one embedding batch); `model` defaults to the shipped one."""
    model = model or shipped_model()
    x = pair_matrix(pairs) if x is None else x
    if not len(x):
        return []
    strong = model.probability("strengthens", x)
    weak = model.probability("weakens", x)
    support_col, clash_col = FEATURE_NAMES.index("support"), FEATURE_NAMES.index("clash")
    out = []
    for k in range(len(x)):
        # A hard clash (numbers, negation, opposite predicates on one matter) weakens whatever the model says.
        weakens = bool(weak[k] >= model.threshold["weakens"] or x[k, clash_col])
        strengthens = bool(strong[k] >= model.threshold["strengthens"] and not x[k, clash_col])
        if weakens:
            clash = _clash(pairs[k]) if x[k, clash_col] else None
            why = clash.explanation if clash else "contrasting or disputing wording"
            reason = f"weakens ({why}; p={weak[k]:.2f})"
        elif strengthens:
            reason = f"strengthens (same matter, no contrast; p={strong[k]:.2f})"
        else:
            reason = f"unrelated or neutral (p strengthens={strong[k]:.2f}, weakens={weak[k]:.2f})"
        out.append(ClaimRelation(strengthens, weakens, float(x[k, support_col]), reason))
    return out


def relation_scores(model: RelationModel, x: np.ndarray) -> dict[str, np.ndarray]:
    """Per label, the score predict_relations thresholds: the model's probability, with a hard clash
    counting as certain weakening and as no strengthening."""
    clash = x[:, FEATURE_NAMES.index("clash")] > 0
    return {
        "strengthens": np.where(clash, 0.0, model.probability("strengthens", x)),
        "weakens": np.where(clash, 1.0, model.probability("weakens", x)),
    }


def _clash(pair: Any):
    a, b = _get(pair, "claim_a")[:_MAX_CHARS], _get(pair, "claim_b")[:_MAX_CHARS]
    return find_clash(features(a), features(b))


def relation(
    claim_a: str,
    claim_b: str,
    title_a: str | None = None,
    title_b: str | None = None,
    model: RelationModel | None = None,
) -> ClaimRelation:
    """Whether claim_b strengthens and/or weakens claim_a (titles, when given, add topic context)."""
    pair = {"claim_a": claim_a, "claim_b": claim_b, "title_a": title_a, "title_b": title_b}
    return predict_relations([pair], model)[0]
