"""Contradiction checks between two statements about the same thing.

Two sentences can only contradict when they talk about the same matter (close in meaning, shared names);
then a clash of numbers on the same quantity, a negation on otherwise aligned wording, or an opposite
predicate (opposites.txt) makes them contradict. Quote attribution clashes are checked in groups.py,
where the extracted quotes are.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Literal

from .features import (
    SentenceFeatures,
    clashing_figures,
    denial_stands,
    negation_flip,
    number_relation,
    opposed_on_one_thing,
    word_overlap,
)

# Negation flips only count on nearly the same wording; paraphrases ("did little to" vs "did not") differ more.
_NEGATION_MIN_OVERLAP = 0.6
_OPPOSITE_MIN_OVERLAP = 0.4


@dataclass(frozen=True)
class Clash:
    kind: Literal["number", "negation", "opposite"]
    explanation: str


def same_matter(fa: SentenceFeatures, fb: SentenceFeatures, cosine: float, min_cosine: float) -> bool:
    """Whether two sentences are about the same matter: close vectors and, where both name someone, a shared name."""
    if cosine < min_cosine:
        return False
    return not (fa.names and fb.names and not (fa.names & fb.names))


def find_clash(fa: SentenceFeatures, fb: SentenceFeatures) -> Clash | None:
    """The first contradiction between two sentences already known to be about the same matter."""
    _, number_clash = number_relation(fa, fb)
    if number_clash:
        return Clash("number", _number_explanation(fa, fb))
    overlap = word_overlap(fa, fb)
    if negation_flip(fa, fb) and overlap >= _NEGATION_MIN_OVERLAP and denial_stands(fa, fb):
        return Clash("negation", "one statement negates what the other asserts in nearly the same words")
    pair = opposed_on_one_thing(fa, fb)
    if pair and overlap >= _OPPOSITE_MIN_OVERLAP:
        left, right = (side.split(",")[0] for side in pair.split("|"))
        return Clash("opposite", f"opposite predicates on the same matter ({left} vs {right})")
    return None


def _number_explanation(fa: SentenceFeatures, fb: SentenceFeatures) -> str:
    # Name the two figures that clash ("157 vs 120 seats"), not an agreeing total beside them.
    pairs = clashing_figures(fa, fb)
    if not pairs:
        return "different figures for the same quantity"
    qa, qb = pairs[0]
    what = "dates for the same event" if qa.unit == "date" else "figures for the same quantity"
    return f"different {what}: {_amount(qa)} vs {_amount(qb)}"


# Units are kept singular ("seat"); a count reads with its plural. "people" is plural already.
_NO_PLURAL = frozenset({"people", "money", "percent"})


def _amount(q) -> str:
    if q.unit == "date":
        month, day = divmod(int(q.value), 100)
        return f"{calendar.month_name[month]} {day}"
    if q.unit == "percent":
        return f"{_fmt(q.value)}%"
    if q.unit == "money":
        return _fmt(q.value)
    plural = "s" if q.value != 1 and q.unit not in _NO_PLURAL and not q.unit.endswith("s") else ""
    return f"{_fmt(q.value)} {q.unit}{plural}"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")
