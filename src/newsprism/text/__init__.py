"""Text shared by every stage: sentence splitting (the eval baselines get the same sentences) and datelines."""

from __future__ import annotations

import re

from ..records import Sentence

WEEKDAYS = frozenset(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))

# A dateline opening a story's first sentence: "WASHINGTON ― ", "LIVINGSTON, N.J. — ", "HARTFORD, Conn. -- ",
# "BEIJING, May 16 (Reuters) — ". Not part of what the sentence says.
DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{1,30}(?:,\s*[A-Z][A-Za-z.]{1,14}(?:\s[A-Z][A-Za-z.]{1,14})?)??"
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s\d{1,2})?\s*(?:\([^()\n]{1,40}\))?\s*[-–—―]{1,2}\s+"
)

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "gen",
    "col",
    "lt",
    "sgt",
    "capt",
    "gov",
    "sen",
    "rep",
    "pres",
    "no",
    "vs",
    "etc",
    "inc",
    "ltd",
    "co",
    "corp",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "u.n",
    "e.g",
    "i.e",
    "a.m",
    "p.m",
    "approx",
}
# A candidate starts only where a run of end marks starts: tried inside a run, it would rescan the run's
# tail and fail the same way (quadratic on a line of 600,000 full stops).
_CANDIDATE = re.compile(r"(?<![.!?…])[.!?…]+[\"'”’»)\]]*(?=\s)")
_LAST_WORD = re.compile(r"([\w.]+)\.$")
_OPENER = re.compile(r"\s+[\"'“‘«(\[]*[A-Z0-9\u00C0-\u024F\u0400-\u04FF\u4e00-\u9fff]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences: lines first (a line break always ends a sentence), then sentence ends."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        p_start, p_end = para.span()
        start = p_start
        for match in _CANDIDATE.finditer(text, p_start, p_end):
            end = match.end()
            if not _OPENER.match(text, end, p_end):
                continue
            # The word before the period, read from a short window: no abbreviation or initial is longer.
            word = _LAST_WORD.search(text, max(start, match.start() - 30), match.start() + 1)
            if match.group().startswith(".") and word and word.group(1).lower() in _ABBREVIATIONS:
                continue
            if match.group().startswith(".") and word and re.fullmatch(r"[A-Z]", word.group(1)):
                continue  # an initial: "Antony J. Blinken"
            spans.append(_strip(text, start, end))
            start = end
        if start < p_end:
            spans.append(_strip(text, start, p_end))
    return [s for s in spans if s[1] > s[0]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(article_id: str, text: str) -> list[Sentence]:
    return [
        Sentence(article_id=article_id, index=i, start=s, end=e, text=text[s:e])
        for i, (s, e) in enumerate(sentence_spans(text))
    ]


def normalise_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
