"""Repair UTF-8 text that was decoded as Latin-1/Windows-1252 ("fÃ¼r" -> "für"), once or twice over.

Pages that declare one charset and send another, or CMSes that double-encode, leave these sequences in
headlines and bodies. The repair is applied only when the text holds the tell-tale pairs (a lead byte
Ã/Â/â/Ð/Ñ/... followed by a continuation character) and only kept when the round trip decodes cleanly,
so correct text is never touched.
"""

from __future__ import annotations

import re

# A UTF-8 lead byte read as cp1252/latin-1, then a continuation byte read the same way.
_TELL = re.compile(
    r"[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def _round_trip(text: str) -> str | None:
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return None


def fix_mojibake(text: str, rounds: int = 2) -> str:
    """The text with up to `rounds` layers of UTF-8-read-as-cp1252 undone; unchanged when it is not mojibake."""
    for _ in range(rounds):
        if not _TELL.search(text):
            return text
        fixed = _round_trip(text)
        if fixed is None or fixed == text:
            return text
        text = fixed
    return text
