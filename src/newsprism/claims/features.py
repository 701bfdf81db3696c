"""Cheap surface features of a sentence pair: names, numbers, negation, opposite predicates.

Everything here is regex/lexicon work on one sentence at a time (no parser), so the support model can score
thousands of pairs per second. Inputs are capped at `_MAX_CHARS`; every pattern is linear (no nested repeats).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

_MAX_CHARS = 2_000  # a "sentence" longer than this is a splitter failure; its tail adds nothing

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d[\d,.]*")
_RANK = re.compile(r"\.\s?\d")
_CAP = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{2,}|[A-Z]\.(?:[A-Z]\.)+)(?:['’]s)?\b")
# Negation cues; "n't" is matched on the word's end so "didn't", "can't" count.
_NEGATIONS = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot"}
_NEGATION_VERBS = {
    "deny",
    "denies",
    "denied",
    "denying",
    "reject",
    "rejects",
    "rejected",
    "refuse",
    "refused",
}

# Words between a negation and what it denies: auxiliaries and spoken fillers ("has not, like, disappeared").
_AUXILIARIES = frozenset(
    "be been being am is are was were have has had do does did get got like even yet really actually quite".split()
)
_NEGATION_REACH = 5  # words after a negation searched for what it denies
_BESIDE_REACH = 3  # words searched each way for what an opposite predicate is said of
_FUNCTION_WORDS = frozenset(
    """a an the and or but if of to in on at by for from with as is are was were be been being it its this that
    these those he she they we you i his her their our your my me him them us who whom which what when where why
    how there here than then so not no do does did has have had will would can could should may might must also
    just about after before over under into out up down more most less least very said says say""".split()
)

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100,
}  # fmt: skip
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6}
_NUMBER = re.compile(
    r"(?P<qual>more than|over|at least|at most|less than|fewer than|under|nearly|almost|about|around|"
    r"approximately|roughly|some|up to|as many as)?\s*"
    r"(?P<cur>[$€£¥])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
    + r")\b(?:-|\s)?(?P<scale>thousand|million|billion|trillion|bn|m\b)?\s*(?P<pct>%|percent|per cent)?"
    r"(?:-|\s)?(?P<unit>[A-Za-z]+)?",
    re.IGNORECASE,
)
_OF_GAP = 12  # "157 of 338 seats", "3 of the 5 people": at most a determiner between "of" and the whole
_LOWER_BOUND = {"more than", "over", "at least"}
_UPPER_BOUND = {"at most", "less than", "fewer than", "under", "up to", "as many as"}
_APPROX = {"nearly", "almost", "about", "around", "approximately", "roughly", "some"}


@dataclass(frozen=True)
class Quantity:
    value: float
    qualifier: str | None
    unit: str | None  # the counted noun ("people", "times"), "USD", "percent" or "year"
    # Stems of the content words around the number: what it counts and what is done with it ("lost ... seats"
    # is not "picked up ... seats"). A clash needs two figures said of the same thing.
    context: frozenset[str] = field(default=frozenset(), compare=False)
    # Inside quotation marks: a speaker's figure, which the outlets report rather than state.
    quoted: bool = field(default=False, compare=False)
    # A share's whole or a rate's kind, the word after the percent sign ("10% of infections" -> infections,
    # "90% effective" -> effective): two shares of different things are no clash.
    counted: str | None = field(default=None, compare=False)
    # One significant digit before a scale word ("$1 trillion", "2 million"): reporters round such figures,
    # so "$1 trillion" agrees with "$1.2 trillion".
    rounded: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class SentenceFeatures:
    words: frozenset[str]  # lower-cased content words
    names: frozenset[str]  # name keys (see _name_key)
    quantities: tuple[Quantity, ...]
    negations: int
    opposite_keys: frozenset[str]  # lexicon words present, for opposite-predicate checks
    # Stems of the words a negation applies to ("did not visit" -> visit, "denied the report" -> report).
    negated: frozenset[str] = frozenset()
    # Each opposites.txt word present, with the content words beside it (what it is said of).
    opposite_sites: tuple[tuple[str, frozenset[str]], ...] = ()
    tokens: tuple[str, ...] = field(default=(), compare=False)  # lower-cased words in order
    quoted: tuple[bool, ...] = field(default=(), compare=False)  # per token: inside quotation marks


def _stem(word: str) -> str:
    # Crude suffix stripping so "signed"/"sign" and "talks"/"talk" compare equal; enough for overlap features.
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _name_key(token: str) -> str:
    # "Russia"/"Russian", "China"/"Chinese" share a 4-letter prefix; short names ("Xi", "UN") stay whole.
    token = re.sub(r"['’]s$", "", token).replace(".", "").lower()
    return token[:4] if len(token) > 4 else token


def _unit(word: str | None) -> str | None:
    if not word:
        return None
    w = word.lower()
    if w in _FUNCTION_WORDS:
        return None
    return w[:-1] if w.endswith("s") and len(w) > 3 else w


@lru_cache(maxsize=1)
def _opposites() -> dict[str, str]:
    """word -> the key of its opposite pair, from opposites.txt (one `word|opposite` pair a line)."""
    pairs: dict[str, str] = {}
    for line in Path(__file__).with_name("opposites.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "|" not in line:
            continue
        left, right = (side.split(",") for side in line.split("|", 1))
        key = line
        for w in left:
            pairs[w.strip()] = f"{key}:L"
        for w in right:
            pairs[w.strip()] = f"{key}:R"
    return pairs


def quantities(text: str) -> tuple[Quantity, ...]:
    out: list[Quantity] = []
    # Per quantity: where its number starts, where its match ends, and whether it reads "N of".
    spans: list[tuple[int, int, bool]] = []
    matches = list(_NUMBER.finditer(text[:_MAX_CHARS]))
    quoted = _inside_quotes_at(text, [m.start() for m in matches])
    for m, in_quotes in zip(matches, quoted, strict=True):
        raw = m.group("num").lower()
        if raw in _NUMBER_WORDS:
            value = float(_NUMBER_WORDS[raw])
        else:
            try:
                value = float(raw.replace(",", ""))
            except ValueError:
                continue
        scale = (m.group("scale") or "").lower()
        value *= _SCALES.get(scale, 1.0)
        qual = (m.group("qual") or "").lower() or None
        if m.group("cur"):
            unit: str | None = "money"
        elif m.group("pct"):
            unit = "percent"
        elif raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100 and not scale:
            unit = "year"
        elif (
            (month := _month_before(text, m.start("num")))
            and raw.isdigit()
            and 1 <= value <= 31
            and not scale
        ):
            unit, value = "date", float(month * 100 + value)  # "March 5": a day, compared exactly
        else:
            unit = _unit(m.group("unit"))
        out.append(
            Quantity(
                value,
                qual,
                unit,
                _context(text, m.start(), m.end(), unit),
                in_quotes,
                _share_of(text, m) if unit == "percent" else None,
                bool(scale) and len(raw.replace(",", "").strip("0").replace(".", "")) == 1,
            )
        )
        spans.append((m.start("num"), m.end(), (m.group("unit") or "").lower() == "of"))
    # "157 of 338 seats", "3 of the 5 people": a part of a whole counts the whole's unit.
    for k in range(len(out) - 1):
        of_next = spans[k][2] and spans[k + 1][0] - spans[k][1] <= _OF_GAP
        if of_next and out[k].unit is None and out[k + 1].unit not in (None, "year"):
            out[k] = replace(out[k], unit=out[k + 1].unit)
    return tuple(out)


_SHARE_OF = re.compile(r"\s*of\s+(?:the\s+|all\s+|its\s+|their\s+)?([A-Za-z][A-Za-z-]+)")


def _share_of(text: str, m: re.Match) -> str | None:
    """What a percentage is a share of ("10% of infections" -> "infect"), or the word it rates ("90% effective"
    -> "effect"), stemmed; None where neither follows."""
    word = (m.group("unit") or "").lower()
    if word == "of":
        found = _SHARE_OF.match(text, m.start("unit"))
        return _stem(found.group(1).lower()) if found else None
    return _stem(word) if word and _content(word) else None


_MONTH_BEFORE = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_before(text: str, at: int) -> int | None:
    """The month (1-12) named right before a number ("March 5", "Feb. 11"), capitalised as a month is."""
    m = _MONTH_BEFORE.search(text[max(0, at - 12) : at])
    return _MONTHS.index(m.group(1)[:3]) + 1 if m else None


_CONTEXT_CHARS = 60  # each side of a number: about six words, the clause it sits in


def _context(text: str, start: int, end: int, unit: str | None) -> frozenset[str]:
    """Lower-case content words near a number: what it counts and what is done with it. Names are left out:
    the two statements share their subject by construction, and "Democrats … six seats" and "Democrats …
    60 seats" still count different things when one picked seats up and the other lost them."""
    words = _WORD.findall(text[max(0, start - _CONTEXT_CHARS) : start]) + _WORD.findall(
        text[end : end + _CONTEXT_CHARS]
    )
    return frozenset(
        _stem(w)
        for w in words
        if w.islower() and _content(w) and w not in _NUMBER_WORDS and w not in _SCALES and w != unit
    )


# The brief and the claims stage score the same sentences against each other many times over (a story of 40
# articles asks for one sentence's features thousands of times): the records are frozen, so they are cached.
@lru_cache(maxsize=16_384)
def features(text: str) -> SentenceFeatures:
    text = text[:_MAX_CHARS]
    found = list(_WORD.finditer(text))
    tokens = [m.group().lower() for m in found]
    # "No. 1 Creighton", "No. 9 Drake": a rank, not a negation
    tokens = [
        "number" if t == "no" and _RANK.match(text, m.end()) else t
        for t, m in zip(tokens, found, strict=True)
    ]
    negations = sum(1 for t in tokens if t in _NEGATIONS or t.endswith(("n't", "n’t")))
    negations += sum(1 for t in tokens if t in _NEGATION_VERBS)
    names = set()
    for m in _CAP.finditer(text):
        tok = m.group()
        # A capitalised function word is just a sentence start ("The", "But").
        if tok.lower() in _FUNCTION_WORDS:
            continue
        names.add(_name_key(tok))
    opp = _opposites()
    return SentenceFeatures(
        words=frozenset(_stem(t) for t in tokens if t not in _FUNCTION_WORDS and len(t) > 2),
        names=frozenset(names),
        quantities=quantities(text),
        negations=negations,
        opposite_keys=frozenset(opp[t] for t in tokens if t in opp),
        negated=_negated(tokens),
        opposite_sites=tuple((opp[t], _beside(tokens, i)) for i, t in enumerate(tokens) if t in opp),
        tokens=tuple(tokens),
        quoted=tuple(_inside_quotes_at(text, [m.start() for m in found])),
    )


def _inside_quotes_at(text: str, starts: list[int]) -> list[bool]:
    """For each position (ascending), whether it lies inside quotation marks (an open curly pair, or an odd
    count of straight ones before it)."""
    out, k, curly, straight = [], 0, 0, 0
    for start in starts:
        for ch in text[k:start]:
            if ch == "“":
                curly += 1
            elif ch == "”":
                curly = max(0, curly - 1)
            elif ch == '"':
                straight ^= 1
        k = start
        out.append(curly > 0 or straight == 1)
    return out


def _content(word: str) -> bool:
    return word not in _FUNCTION_WORDS and word not in _AUXILIARIES and len(word) > 2


def _beside(tokens: list[str], i: int) -> frozenset[str]:
    """The nearest content word before and after position i, within _BESIDE_REACH words each way."""
    before = next((w for w in reversed(tokens[max(0, i - _BESIDE_REACH) : i]) if _content(w)), None)
    after = next((w for w in tokens[i + 1 : i + 1 + _BESIDE_REACH] if _content(w)), None)
    return frozenset(_stem(w) for w in (before, after) if w)


def _negated(tokens: list[str]) -> frozenset[str]:
    """The first content word after each negation, within _NEGATION_REACH words (auxiliaries, fillers,
    function words and -ly adverbs skipped): what is denied, approximately, without a parse."""
    out = set()
    for i, t in enumerate(tokens):
        if not (t in _NEGATIONS or t in _NEGATION_VERBS or t.endswith(("n't", "n’t"))):
            continue
        for w in tokens[i + 1 : i + 1 + _NEGATION_REACH]:
            if w in _NEGATIONS or w.endswith(("n't", "n’t")):
                break  # "we will not, we will not stand by": the next negation takes over
            if not _content(w) or w.endswith("ly"):
                continue
            out.add(_stem(w))
            break
    return frozenset(out)


def negation_flip(a: SentenceFeatures, b: SentenceFeatures) -> bool:
    """Whether one statement denies what the other, free of any negation, asserts: a word both use is
    negated in the one ("did not visit the hospital" vs "visited the hospital"). Unlike comparing counts of
    negations, this ignores a negation of something only one of them mentions ("meant to fire a Taser, not a
    handgun"), an idiom ("make no mistake"), repeats, and two denials worded differently ("did not find
    evidence" vs "found no evidence")."""
    return bool((b.negations == 0 and a.negated & b.words) or (a.negations == 0 and b.negated & a.words))


def denial_stands(a: SentenceFeatures, b: SentenceFeatures) -> bool:
    """Whether the negation of the statement that has them denies what the two share, as the outlet's own
    statement: some negation of it sits outside quotation marks (a speaker's "not" is what was said, and two
    outlets quoting two lines of one speech do not contradict each other) and inside the shared wording, not in
    a clause only it has ("… the best deal possible, and if we don't get it, there should be no deal")."""
    negating, other = (a, b) if a.negations else (b, a)
    cues = [i for i, t in enumerate(negating.tokens) if _is_negation(t) and not negating.quoted[i]]
    if not cues:
        return False
    matcher = SequenceMatcher(None, negating.tokens, other.tokens, autojunk=False)
    added = [
        (i1, i2)
        for tag, i1, i2, _j1, _j2 in matcher.get_opcodes()
        if tag != "equal" and i2 - i1 >= _ADDED_CLAUSE_WORDS
    ]
    return any(not any(i1 <= i < i2 for i1, i2 in added) for i in cues)


# A negation put into shared wording adds a word or two ("did not"); a clause adds more.
_ADDED_CLAUSE_WORDS = 5


def _is_negation(token: str) -> bool:
    return token in _NEGATIONS or token in _NEGATION_VERBS or token.endswith(("n't", "n’t"))


def values_agree(a: Quantity, b: Quantity) -> bool:
    """Whether two quantities can describe the same fact ("more than 40" agrees with 42, "about 100" with 95).
    Days of the month agree only when equal."""
    if a.unit == "date" or b.unit == "date":
        return a.unit == b.unit and a.value == b.value
    lo_a, hi_a = _interval(a)
    lo_b, hi_b = _interval(b)
    return lo_a <= hi_b and lo_b <= hi_a


def _interval(q: Quantity) -> tuple[float, float]:
    v = q.value
    if q.qualifier in _LOWER_BOUND:
        return v, float("inf")
    if q.qualifier in _UPPER_BOUND:
        return 0.0, v
    # Reporters round: "about 100" covers 90-110; an exact figure still allows 2% rounding ("$240bn" ~ 238.5);
    # "$1 trillion" stands for anything that rounds to it (0.5-1.5 trillion).
    if q.rounded:
        half = 10 ** math.floor(math.log10(v)) / 2 if v > 0 else 0.0
        return v - half, v + half
    slack = 0.1 if q.qualifier in _APPROX else 0.02
    return v * (1 - slack), v * (1 + slack)


def number_relation(a: SentenceFeatures, b: SentenceFeatures) -> tuple[float, bool]:
    """(share of a's comparable quantities that b matches, whether the two give clashing values of one unit).

    Quantities are comparable when they count the same unit; years only match years. A unit clashes only when
    each statement gives a value of it that the other does not match: "won 157 of 338 seats" and "are
    projected to win 157 seats" agree (the 338 is another quantity, the total), while "won 157 of 338 seats"
    and "took 120 seats of the 338" clash on the seats won.
    """
    comparable = 0
    matched = 0
    for qa in a.quantities:
        same_unit = [qb for qb in b.quantities if qb.unit == qa.unit and qa.unit is not None]
        if not same_unit:
            continue
        comparable += 1
        if any(values_agree(qa, qb) for qb in same_unit):
            matched += 1
    return (matched / comparable if comparable else 0.0), bool(clashing_figures(a, b))


def clashing_figures(a: SentenceFeatures, b: SentenceFeatures) -> list[tuple[Quantity, Quantity]]:
    """Pairs of figures, one from each statement, that give different values of the same thing: the same unit,
    neither matched by any figure of the other statement, said of the same thing (a content word around both,
    "lost 60 seats" and "picked up six seats" are two quantities), not shares of different wholes ("10% of
    infections", "90% effective"), neither a speaker's quoted figure, and not a total beside its parts."""

    def unmatched(q: Quantity, other: SentenceFeatures) -> bool:
        return (
            q.unit not in (None, "year")
            and not q.quoted
            and not any(values_agree(q, o) for o in other.quantities if o.unit == q.unit)
            and not _bare_match(q, other)
        )

    pairs = [
        (qa, qb)
        for qa in a.quantities
        if unmatched(qa, b)
        for qb in b.quantities
        if qb.unit == qa.unit
        and unmatched(qb, a)
        and qa.context & qb.context
        and (qa.counted is None or qb.counted is None or qa.counted == qb.counted)
    ]
    return [(qa, qb) for qa, qb in pairs if not _adds_up(a, b, qa.unit) and not _adds_up(b, a, qa.unit)]


def _bare_match(q: Quantity, other: SentenceFeatures) -> bool:
    """Whether the other statement gives q's value as a bare number, its unit left to the context ("shot
    three people, killing two" holds the two of "two people died")."""
    return any(
        o.unit is None and values_agree(q, Quantity(o.value, o.qualifier, q.unit)) for o in other.quantities
    )


def _adds_up(a: SentenceFeatures, b: SentenceFeatures, unit: str) -> bool:
    """Whether one of a's values of `unit` is the sum of b's ("4 million doses" = "2.5 million doses to
    Mexico and 1.5 million to Canada"): a total and its parts, not rival figures. A bare number counts as a
    part, since a list often names its unit once."""
    parts = [q.value for q in b.quantities if q.unit in (unit, None)]
    if len(parts) < 2:
        return False
    total = Quantity(sum(parts), None, unit)
    return any(values_agree(q, total) for q in a.quantities if q.unit == unit)


def opposite_predicates(a: SentenceFeatures, b: SentenceFeatures) -> str | None:
    """A pair from opposites.txt with one side in a and the other in b (and neither side in both)."""
    for key in a.opposite_keys:
        pair, side = key.rsplit(":", 1)
        other = f"{pair}:{'R' if side == 'L' else 'L'}"
        if other in b.opposite_keys and key not in b.opposite_keys and other not in a.opposite_keys:
            return pair
    return None


def opposed_on_one_thing(a: SentenceFeatures, b: SentenceFeatures) -> str | None:
    """opposite_predicates, when the two opposite words are also said of the same thing: a content word
    beside one is beside the other ("unemployment rose" / "unemployment fell", "supported the bill" /
    "opposed the bill"), not a "ban" in one statement and a law "which allows" something in the other."""
    pair = opposite_predicates(a, b)
    if pair is None:
        return None
    for key_a, beside_a in a.opposite_sites:
        for key_b, beside_b in b.opposite_sites:
            same_pair = key_a.rsplit(":", 1)[0] == pair == key_b.rsplit(":", 1)[0]
            if same_pair and key_a != key_b and beside_a & beside_b:
                return pair
    return None


def name_overlap(a: SentenceFeatures, b: SentenceFeatures) -> float:
    """Jaccard of the two sentences' names (0 when either has none)."""
    if not a.names or not b.names:
        return 0.0
    return len(a.names & b.names) / len(a.names | b.names)


def word_overlap(a: SentenceFeatures, b: SentenceFeatures) -> float:
    if not a.words or not b.words:
        return 0.0
    return len(a.words & b.words) / min(len(a.words), len(b.words))
