"""English stop words (`stop_words.txt`: the Glasgow list scikit-learn ships, read without importing it)."""

from __future__ import annotations

from pathlib import Path

_LIST = Path(__file__).with_name("stop_words.txt")

ENGLISH_STOP_WORDS = frozenset(
    word
    for line in _LIST.read_text(encoding="utf-8").splitlines()
    if (word := line.strip()) and not word.startswith("#")
)
