"""Loaded-language detection: the VADER lexicon plus a short list of evaluative words (loaded_terms.txt).

VADER: C.J. Hutto and E. Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social
Media Text", ICWSM 2014 (package vaderSentiment, MIT). Words inside quotation marks are the speaker's, not the
outlet's, so they are left out before scoring.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# VADER valences run -4..4; 2.5 keeps strongly evaluative words ("murderer", "brutal") and drops mild ones.
_LEXICON_MIN_VALENCE = 2.5
# |compound| at or above this marks a sentence as opinionated rather than neutral (VADER's own cut is 0.05
# for any polarity; 0.5 keeps plain reports of bad news, which score around 0.3-0.5, out).
LOADED_COMPOUND = 0.5
_QUOTED = re.compile(r"[\"“”][^\"“”\n]{0,2000}[\"“”]|‘[^‘’\n]{0,2000}’")
_WORD = re.compile(r"[a-z][a-z'\-]*")


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _extra_terms() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    lines = Path(__file__).with_name("loaded_terms.txt").read_text(encoding="utf-8").splitlines()
    terms = [t.strip().lower() for t in lines if t.strip() and not t.startswith("#")]
    never = frozenset(t[1:] for t in terms if t.startswith("!"))
    terms = [t for t in terms if not t.startswith("!")]
    return frozenset(t for t in terms if " " not in t), tuple(t for t in terms if " " in t), never


def unquoted(text: str) -> str:
    """The text with quoted passages removed (they are attributed speech, not the outlet's words)."""
    return _QUOTED.sub(" ", text)


def loaded_terms(text: str) -> list[str]:
    """Loaded words the outlet itself uses (outside quotes), in order of appearance."""
    body = unquoted(text).lower()
    lexicon = _analyzer().lexicon
    words, phrases, never = _extra_terms()
    found = [
        w
        for w in _WORD.findall(body)
        if w in words or (w not in never and abs(lexicon.get(w, 0.0)) >= _LEXICON_MIN_VALENCE)
    ]
    found.extend(p for p in phrases if re.search(rf"\b{re.escape(p)}\b", body))
    return found


def compound(text: str) -> float:
    """VADER compound score of the unquoted text, in [-1, 1]."""
    return float(_analyzer().polarity_scores(unquoted(text)[:5000])["compound"])


def is_loaded(text: str) -> bool:
    return abs(compound(text)) >= LOADED_COMPOUND or bool(loaded_terms(text))
