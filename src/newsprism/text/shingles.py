"""Word shingles: the normalised words texts are compared by (duplicates, story evidence)."""

from __future__ import annotations

import re

SHINGLE_WORDS = 5  # word 5-grams: long enough that shared phrases mean copying, short enough to survive edits
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Lowercase words only: punctuation, quotes and whitespace differences do not make a different text."""
    return " ".join(_WORD.findall(text.casefold()))


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    words = normalise(text).split()
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}
