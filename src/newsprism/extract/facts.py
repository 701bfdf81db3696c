"""Numbers as facts: spaCy's numeric entities as candidates, a small parser for value, unit and qualifier."""

from __future__ import annotations

import re
from bisect import bisect_right

from ..records import NumericFact
from .dates import _no_date_word

_NUMERIC_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})
_UNITS_WORDS = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
    "half": 0.5,
}
_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "twentieth": 20,
    "hundredth": 100,
    "last": None,
}
_SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "k": 1e3,
    "m": 1e6,
    "b": 1e9,
    "tn": 1e12,
}
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₽": "RUB", "₹": "INR"}
_CURRENCY_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "usd": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rouble": "RUB",
    "roubles": "RUB",
    "ruble": "RUB",
    "rubles": "RUB",
    "yen": "JPY",
    "rupee": "INR",
    "rupees": "INR",
}
_DISTANCE = {
    "km": "km",
    "kilometer": "km",
    "kilometre": "km",
    "kilometers": "km",
    "kilometres": "km",
    "mile": "mi",
    "miles": "mi",
    "meter": "m",
    "metre": "m",
    "meters": "m",
    "metres": "m",
}
_DURATION = {
    "second": "s",
    "seconds": "s",
    "minute": "min",
    "minutes": "min",
    "hour": "h",
    "hours": "h",
    "day": "d",
    "days": "d",
    "week": "wk",
    "weeks": "wk",
    "month": "mo",
    "months": "mo",
    "year": "y",
    "years": "y",
    "decade": "decade",
    "decades": "decade",
    "century": "century",
    "centuries": "century",
}
# Longest first, so "more than" wins over "than"-less prefixes.
_QUALIFIERS = (
    "no more than",
    "no fewer than",
    "no less than",
    "more than",
    "less than",
    "fewer than",
    "as many as",
    "as much as",
    "as few as",
    "at least",
    "at most",
    "up to",
    "nearly",
    "almost",
    "about",
    "around",
    "approximately",
    "roughly",
    "some",
    "over",
    "under",
    "just over",
    "just under",
    "close to",
    "about",
    "an estimated",
    "estimated",
)
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_RANGE = re.compile(r"(\d[\d,.]*)\s*(?:-|–|to|and)\s*(\d[\d,.]*)")
# The low end of a range the NER left outside the entity: "between 5 and [7 million]", "[5 to] [7 million]".
_RANGE_LEAD = re.compile(r"(?:\b(between|from)\s+)?(\d[\d,.]*)\s*(?:-|–|to|and)\s*$", re.IGNORECASE)
# The high end the NER left outside a bare number: "[5]-7 million".
_RANGE_TAIL = re.compile(
    r"\s*(?:-|–|to)\s*\d[\d,.]*(?:\s*(?:million|billion|trillion|thousand|hundred|mln|bn|tn)\b)?",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\d\s*(?:%|per ?cent\b|percent\b|pct\b)", re.IGNORECASE)
MAX_FACT_CHARS = 80  # a numeric entity longer than this is a parse accident


def parse_value(phrase: str) -> float | None:
    """The number in a phrase: digits with separators, number words, scales ("$240 billion", "two and a half")."""
    lowered = phrase.lower().replace("-", " ")
    m = _NUMBER.search(lowered)
    words = re.findall(r"[a-z]+|\d[\d,.]*", lowered)
    if m:
        value = float(m.group().replace(",", ""))
        after = lowered[m.end() :].split()
        if after and after[0] in _SCALES:
            value *= _SCALES[after[0]]
        elif re.match(r"\d(k|m|bn|tn)\b", lowered[m.end() - 1 : m.end() + 3]):
            value *= _SCALES[re.match(r"\d(k|m|bn|tn)", lowered[m.end() - 1 :]).group(1)]
        return value
    if "tens of thousands" in lowered:
        return 1e4
    if "hundreds of thousands" in lowered:
        return 1e5
    if "thousands" in lowered:
        return 1e3
    if "hundreds" in lowered:
        return 1e2
    if "millions" in lowered:
        return 1e6
    total, current, seen = 0.0, 0.0, False
    for w in words:
        if w in _UNITS_WORDS and not (w in {"a", "an"} and seen):
            current += _UNITS_WORDS[w]
            seen = seen or w not in {"a", "an"}
        elif w in _ORDINAL_WORDS and _ORDINAL_WORDS[w] is not None:
            current += _ORDINAL_WORDS[w]
            seen = True
        elif w in _SCALES and w not in {"k", "m", "b"}:
            current = (current or 1) * _SCALES[w]
            if _SCALES[w] >= 1e3:
                total, current = total + current, 0.0
            seen = True
        elif w == "and":
            continue
    value = total + current
    return value if seen else None


def _unit_and_measure(ent, label: str) -> tuple[str | None, str]:
    text = ent.text.lower()
    if label == "PERCENT":
        return "percent", "percent"
    if label == "ORDINAL":
        return None, "ordinal"
    if label == "MONEY":
        for sym, code in _CURRENCY_SYMBOLS.items():
            if sym in ent.text:
                return code, "money"
        for w in re.findall(r"[a-z]+", text):
            if w in _CURRENCY_WORDS:
                return _CURRENCY_WORDS[w], "money"
        return None, "money"
    words = re.findall(r"[a-z]+", text)
    for w in words:
        if w in _DISTANCE:
            return _DISTANCE[w], "distance"
        if w in _DURATION:
            return _DURATION[w], "duration"
    # The noun the number counts: "40 times", "21 security vehicles" (the head outside the entity).
    root = ent.root
    noun = (
        root.head
        if root.dep_ in {"nummod", "quantmod", "compound", "amod"} and root.head.i >= ent.end
        else None
    )
    doc = ent.doc
    if noun is None and ent.end < len(doc) and doc[ent.end].pos_ == "NOUN":
        noun = doc[ent.end]
    if (
        noun is None
        and ent.end + 1 < len(doc)
        and doc[ent.end].lower_ == "of"
        and doc[ent.end + 1].pos_ == "NOUN"
    ):
        noun = doc[ent.end + 1]  # "tens of thousands of troops"
    if noun is not None and noun.pos_ in {"NOUN", "PROPN"}:
        lemma = noun.lower_
        if lemma in _DISTANCE:
            return _DISTANCE[lemma], "distance"
        if lemma in _DURATION:
            return _DURATION[lemma], "duration"
        if lemma in _CURRENCY_WORDS:
            return _CURRENCY_WORDS[lemma], "money"
        return lemma, "count"
    return None, "count" if label == "CARDINAL" else "other"


def _qualifier(text: str, start: int, phrase: str) -> tuple[str | None, int]:
    """A qualifier inside the phrase or just before it, and the phrase start including it."""
    low = phrase.lower()
    for q in _QUALIFIERS:
        if low.startswith(q + " "):
            return q, start
    window = text[max(0, start - 24) : start].lower()
    for q in _QUALIFIERS:
        if window.endswith(q + " "):
            return q, start - len(q) - 1
    if re.match(r"(tens|hundreds|thousands|millions|dozens) of", low):
        return "approx", start
    return None, start


def _sentence_of(spans: list[tuple[int, int]], starts: list[int], offset: int) -> tuple[int, int]:
    k = bisect_right(starts, offset) - 1
    if 0 <= k < len(spans) and spans[k][0] <= offset < spans[k][1]:
        return spans[k]
    return (offset, offset)


def find_numbers(doc, text: str, article_id: str, sentences: list[tuple[int, int]]) -> list[NumericFact]:
    """Numeric facts of one parsed text; `sentences` are the shared splitter's spans (text.sentence_spans)."""
    starts = [s for s, _ in sentences]
    out: list[NumericFact] = []
    for ent in doc.ents:
        label = ent.label_
        phrase = ent.text.split("\n", 1)[0].rstrip()
        if not phrase:
            continue
        if label == "DATE" and _no_date_word(phrase):
            label = "CARDINAL"  # "Between 5 and 7 million" tagged DATE
        elif label in {"DATE", "TIME"}:
            # Durations ("two and a half hours", "six-year term") are numbers; calendar dates are not.
            if not re.search(r"\b(?:second|minute|hour|day|week|month|year|decade)s?\b", phrase.lower()):
                continue
            if re.search(r"\b(?:ago|last|next|this|since|until|on|in)\b|\d{4}", phrase.lower()):
                continue
            label = "QUANTITY"
        elif label not in _NUMERIC_LABELS:
            continue
        if len(phrase) > MAX_FACT_CHARS:
            continue
        extended = False
        if re.fullmatch(r"\d[\d,.]*", phrase) and (
            tail := _RANGE_TAIL.match(text, ent.start_char + len(phrase))
        ):
            phrase, extended = phrase + tail.group(), True
        value = parse_value(phrase)
        if value is None:
            continue
        if label == "CARDINAL" and (
            re.search(r"(?<![\d,.])(1[89]|20)\d\d(?![\d,])", phrase)  # a year the NER did not call a DATE
            or (value < 3 and not any(c.isdigit() for c in phrase))  # "two countries", "one": no fact
        ):
            continue
        unit, measure = _unit_and_measure(ent, label)
        if _PERCENT.search(phrase):
            unit, measure = "percent", "percent"  # "15 per cent" tagged MONEY or CARDINAL by the NER
        start = ent.start_char
        symbol = text[start - 1 : start]
        if symbol in _CURRENCY_SYMBOLS and measure != "percent":
            start -= 1  # "$[55bn]": the symbol the NER left out
            unit, measure = _CURRENCY_SYMBOLS[symbol], "money"
        qualifier, start = _qualifier(text, start, text[start : ent.start_char] + phrase)
        high = None
        rng = _RANGE.search(phrase)
        lead = None if rng else _RANGE_LEAD.search(text, max(0, start - 30), start)
        if rng and label != "ORDINAL":
            try:
                low_v, high_v = float(rng.group(1).replace(",", "")), float(rng.group(2).replace(",", ""))
            except ValueError:
                low_v = high_v = None
            if low_v is not None and high_v is not None and high_v > low_v:
                # The scale written after the high end covers both: "5-7 million".
                scale = (parse_value(phrase[rng.start(2) :]) or high_v) / high_v
                value, high, qualifier = low_v * scale, high_v * scale, qualifier or "range"
        elif lead and label != "ORDINAL" and _NUMBER.match(phrase.lstrip("$€£¥₽₹")):
            try:
                low_v = float(lead.group(2).replace(",", ""))
            except ValueError:
                low_v = None
            first = float(_NUMBER.match(phrase.lstrip("$€£¥₽₹")).group().replace(",", ""))
            if low_v is not None and first and low_v < first:
                scale = value / first
                value, high, qualifier = low_v * scale, value, "range"
                start = lead.start()
        # The unit noun belongs to the phrase as written ("more than 40 times").
        end = ent.start_char + len(phrase)
        k = ent.end
        while k < len(doc) and doc[k].idx < end:
            k += 1  # the first token after a phrase extended past the entity
        nxt = doc[k] if k < len(doc) else None
        if extended and nxt is not None and nxt.pos_ == "NOUN" and measure == "count" and unit is None:
            unit = nxt.lower_
            measure = "distance" if unit in _DISTANCE else "duration" if unit in _DURATION else "count"
            unit = _DISTANCE.get(unit) or _DURATION.get(unit) or unit
        if measure == "count" and unit and nxt is not None and nxt.lower_ == unit:
            end = nxt.idx + len(nxt)
        s_start, s_end = _sentence_of(sentences, starts, ent.start_char)
        out.append(
            NumericFact(
                article_id, text[start:end], value, unit, measure, qualifier, start, end, s_start, s_end, high
            )
        )
    return out
