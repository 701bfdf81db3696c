"""Quotation-mark spans in plain text: a linear scan, paragraph by paragraph, no backtracking regexes.

A span includes its marks (PolNeAR's gold spans do). A double quote left open at the end of a paragraph
runs on into the next paragraph when that one starts with an opening mark (the newspaper convention for
multi-paragraph quotes); otherwise it stops at the paragraph end. Two apostrophes `''` count as one double
mark: ASCII exports of print archives (the NYT's among them) write every double quote that way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import settings

_DOUBLE_OPEN = {"“": '”"“', '"': '"”“', "«": "»", "„": '“”"'}
_SINGLE_OPEN = {"‘": "’'", "'": "'’"}
_OPENERS = set(_DOUBLE_OPEN) | set(_SINGLE_OPEN)
# Characters after which a single quote may open a quotation (not an apostrophe inside a word).
_BEFORE_SINGLE_OPEN = set(' \t([{—–-/“"«:')
_AFTER_SINGLE_CLOSE = set(' \t.,;:!?)]}—–-”"»…')
_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class MarkSpan:
    start: int  # offset of the opening mark
    end: int  # offset just after the closing mark (or the paragraph end when left open)
    closed: bool
    single: bool  # delimited by single quotes


def parsed_length(doc) -> int:
    """Characters of text a spaCy doc covers (the text may be longer than what was parsed); O(1), unlike
    `len(doc.text)`, which joins every token."""
    if len(doc) == 0:
        return 0
    last = doc[-1]
    return last.idx + len(last.text_with_ws)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PARAGRAPH.finditer(text) if m.group().strip()]


def _close_twin(text: str, i: int, end: int) -> int:
    """Offset of the `''` closing a `''` opened at i, or -1 (a `"` also closes: mixed typing happens)."""
    j = i + 2
    while j < end:
        c = text[j]
        if c == "'" and j + 1 < end and text[j + 1] == "'":
            # "'Primates of Park Avenue,' ''": a nested single quote closing right before the twin
            return j
        if c == '"':
            return j
        j += 1
    return -1


def _twin_at(text: str, i: int, end: int) -> bool:
    return i + 1 < end and text[i] == "'" and text[i + 1] == "'"


def _close_double(text: str, i: int, end: int, closers: str) -> int:
    """Offset of the closing mark for an opening double mark at i, or -1."""
    opener = text[i]
    j = i + 1
    while j < end:
        c = text[j]
        if c in closers:
            # A “ followed by another “ before any ” is a typo'd closer only when it ends a clause.
            if c == "“" and opener == "“" and not (j + 1 >= end or text[j + 1] in " ,.;:!?"):
                j += 1
                continue
            if c == '"' and opener == '"' and j + 1 < end and text[j + 1].isalnum() and text[j - 1] == " ":
                # `" word` with a space before and a letter after is an opening mark: the previous one never closed.
                return -1
            return j
        j += 1
    return -1


def _single_opens(text: str, i: int, p_start: int, p_end: int) -> bool:
    before = text[i - 1] if i > p_start else " "
    after = text[i + 1] if i + 1 < p_end else " "
    return before in _BEFORE_SINGLE_OPEN and not after.isspace() and after not in "'’"


def _close_single(text: str, i: int, end: int) -> int:
    j = i + 1
    while j < end and j - i < 400:  # single quotes delimit short quotes and headlines
        c = text[j]
        if c in "’'" and not text[j - 1].isspace():
            after = text[j + 1] if j + 1 < end else " "
            if after in _AFTER_SINGLE_CLOSE:
                # "leaders' meeting": a plural possessive is followed by a lowercase word, not closing
                if (
                    text[j - 1] == "s"
                    and after == " "
                    and j + 2 < end
                    and text[j + 2].islower()
                    and j - i < 3
                ):
                    j += 1
                    continue
                return j
        j += 1
    return -1


def find_mark_spans(text: str) -> list[MarkSpan]:
    """Top-level quotation spans (marks included), in text order."""
    max_chars = settings.current().quote_max_chars
    paras = _paragraphs(text)
    spans: list[MarkSpan] = []
    k = 0
    resume = -1  # offset inside paragraph k where scanning resumes after a multi-paragraph quote
    while k < len(paras):
        p_start, p_end = paras[k]
        i = max(p_start, resume)
        resume = -1
        next_k = k + 1
        while i < p_end:
            c = text[i]
            if c == "'" and _twin_at(text, i, p_end):
                j = _close_twin(text, i, p_end)
                if j >= 0 and j - i <= max_chars:
                    close_end = j + (2 if _twin_at(text, j, p_end) else 1)
                    if j > i + 2:
                        spans.append(MarkSpan(i, close_end, True, False))
                    i = close_end
                    continue
                # Left open: multi-paragraph quote or a stray pair; it stops at the paragraph end.
                if p_end - i > 2:
                    start, q, stop = i, k, p_end
                    while q + 1 < len(paras) and _twin_at(text, paras[q + 1][0], paras[q + 1][1]):
                        if stop - start >= max_chars:
                            break
                        q += 1
                        ns, ne = paras[q]
                        j = _close_twin(text, ns, ne)
                        if j >= 0:
                            close_end = j + (2 if _twin_at(text, j, ne) else 1)
                            spans.append(MarkSpan(start, close_end, True, False))
                            next_k, resume = q, close_end
                            break
                        stop = ne
                    else:
                        spans.append(MarkSpan(start, stop, False, False))
                        next_k = q + 1
                break
            if c in _DOUBLE_OPEN:
                j = _close_double(text, i, p_end, _DOUBLE_OPEN[c])
                if j >= 0 and j + 1 - i <= max_chars:
                    if j > i + 1:
                        spans.append(MarkSpan(i, j + 1, True, False))
                    i = j + 1
                    continue
                # Left open: follow into the next paragraphs that start with an opening mark.
                start, q, stop = i, k, p_end
                while q + 1 < len(paras) and text[paras[q + 1][0]] in _OPENERS and stop - start < max_chars:
                    q += 1
                    ns, ne = paras[q]
                    j = _close_double(text, ns, ne, _DOUBLE_OPEN.get(text[ns], '”"'))
                    if j >= 0:
                        spans.append(MarkSpan(start, j + 1, True, False))
                        next_k, resume = q, j + 1
                        break
                    stop = ne
                else:
                    if stop - start > 1:
                        spans.append(MarkSpan(start, stop, False, False))
                    next_k = q + 1
                break
            if c in _SINGLE_OPEN and _single_opens(text, i, p_start, p_end):
                j = _close_single(text, i, p_end)
                if j > i + 1:
                    spans.append(MarkSpan(i, j + 1, True, True))
                    i = j + 1
                    continue
            i += 1
        k = next_k
    return spans
