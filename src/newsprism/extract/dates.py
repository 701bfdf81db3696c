"""Date mentions (spaCy DATE entities) resolved against the article's publication date.

Resolution rules, kept simple and explicit:
- full dates ("May 16, 2024", "16 May 2024", "2024-05-16") -> YYYY-MM-DD; "May 16" takes the publication year,
  or the year before when its clause is in the past and the day lies after publication (the year after for a
  future clause and a day before publication);
- "February 2022" -> YYYY-MM; a bare year ("2012", "in 2022") -> YYYY;
- today / earlier today / tonight / this morning -> the publication day; yesterday / tomorrow -> one day off;
- a weekday ("Thursday") -> the latest such day on or before publication, or the first one on or after it when
  the sentence speaks of the future ("will", "planned for", "is expected to", "until", "by"); "next Thursday"
  is never the publication day;
- this/last/next week|month|year -> the month of the week's Monday / YYYY-MM / YYYY shifted by one;
- a bare month ("in November") -> the coming one unless its clause is in the past tense; "that October" -> None;
- an era named by a date ("post-Sept. 11", "pre-2008") -> None;
- anything else (or no publication date for a relative expression) -> resolved None.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from ..records import DateMention
from .spans import parsed_length

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_WEEKDAYS = {
    d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}
_MONTH_RE = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_MDY = re.compile(_MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?(?:,\s*|\s+)(\d{4})\b")
_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r",?\s+(\d{4})\b")
_MD = re.compile(_MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b")
_DM = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r"\b")
_MY = re.compile(_MONTH_RE + r",?\s+(\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")
_RELATIVE = re.compile(r"\b(this|last|next|past|previous|coming)\s+(week|month|year)\b")
_FUTURE_AUX = frozenset({"will", "shall", "'ll", "’ll"})
_FUTURE_VERBS = frozenset({"plan", "schedule", "expect", "set"})
_MODALS = frozenset({"would", "could", "might", "may"})


def _published(published: str | None) -> date | None:
    if not published:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", published)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _safe(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def resolve_date(phrase: str, published: str | None, future: bool = False, past: bool = False) -> str | None:
    """An ISO date (YYYY-MM-DD, YYYY-MM or YYYY) for a date phrase, or None when it cannot be pinned down.
    `future` / `past`: the tense of the clause that holds the phrase."""
    low = phrase.lower().strip()
    if re.match(r"that\s", low):
        return None  # "that October": a month of a year named earlier, not of the publication year
    if re.match(r"(?:post|pre)-", low):
        return None  # "the post-Sept. 11 law": an era named by a date, not something that happened then
    pub = _published(published)
    if m := _ISO.search(low):
        return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _MDY.search(low):
        return _safe(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
    if m := _DMY.search(low):
        return _safe(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
    if m := _MY.search(low):
        return f"{int(m.group(2)):04d}-{_MONTHS[m.group(1)]:02d}"
    if pub and (m := _MD.search(low)):
        return _month_day(pub, _MONTHS[m.group(1)], int(m.group(2)), future, past)
    if pub and (m := _DM.search(low)):
        return _month_day(pub, _MONTHS[m.group(2)], int(m.group(1)), future, past)
    if (m := _YEAR.search(low)) and not re.search(r"\d{4}s\b", low):
        return m.group(1)
    if pub is None:
        return None
    if re.search(r"\b(today|tonight|this (morning|afternoon|evening))\b", low):
        return pub.isoformat()
    if re.search(r"\byesterday\b", low):
        return (pub - timedelta(days=1)).isoformat()
    if re.search(r"\btomorrow\b", low):
        return (pub + timedelta(days=1)).isoformat()
    for name, wd in _WEEKDAYS.items():
        if re.search(rf"\b{name}\b", low):
            if re.search(r"\bnext\b", low):
                delta = (wd - pub.weekday()) % 7 or 7
                return (pub + timedelta(days=delta)).isoformat()
            if future:
                # "will appear on Friday" in Friday's paper is that evening: agency style names the day
                # instead of "today"
                delta = (wd - pub.weekday()) % 7
                return (pub + timedelta(days=delta)).isoformat()
            delta = (pub.weekday() - wd) % 7
            if re.search(r"\blast\b", low) and delta == 0:
                delta = 7
            return (pub - timedelta(days=delta)).isoformat()
    if m := _RELATIVE.search(low):
        shift = {"this": 0, "coming": 1, "next": 1, "last": -1, "past": -1, "previous": -1}[m.group(1)]
        unit = m.group(2)
        if unit == "year":
            return f"{pub.year + shift:04d}"
        if unit == "month":
            month = pub.year * 12 + pub.month - 1 + shift
            return f"{month // 12:04d}-{month % 12 + 1:02d}"
        monday = pub - timedelta(days=pub.weekday()) + timedelta(weeks=shift)
        return monday.strftime("%Y-%m")  # a week, told at the precision the phrase has: its month
    for name, number in _MONTHS.items():
        if re.fullmatch(rf"(in |this |last |next |early |late |mid-?)?{name}\.?", low):
            # a bare month later in the year than the publication is the coming one unless the clause is in
            # the past ("elections in November", "Akin said in November"); an earlier month is this year's
            # unless the clause speaks of the future
            year = pub.year
            if low.startswith("last") or (not low.startswith("next") and past and number > pub.month):
                year -= 1
            if low.startswith("next") or (future and number < pub.month):
                year += 1
            return f"{year:04d}-{number:02d}"
    return None


def _month_day(pub: date, month: int, day: int, future: bool, past: bool) -> str | None:
    """ "Oct. 7" in the publication year, unless the clause's tense puts it a year off: a past event after the
    publication day was last year's ("On Oct. 7, he wrote" in a January paper), a coming one before it is next
    year's ("will meet on Jan. 5" in a December paper)."""
    found = _safe(pub.year, month, day)
    if found is None:
        return None
    when = date.fromisoformat(found)
    if past and when > pub:
        return _safe(pub.year - 1, month, day)
    if future and when < pub:
        return _safe(pub.year + 1, month, day)
    return found


def _clause_verb(ent):
    """The verb of the clause holding a date phrase (up to eight heads up)."""
    return _clause_verb_of(ent.root)


def _clause_verb_of(token):
    # up through nested phrases ("took responsibility for the attack in an Oct. 15 interview" -> took), but not
    # out of an appositive: "Ernst, a candidate in the primary on June 3, announced" says nothing of June 3's tense
    verb = token
    for _ in range(8):
        if (
            verb.pos_ in {"VERB", "AUX"}
            or verb.head.i == verb.i
            or (verb.dep_ == "appos" and verb is not token)
        ):
            break
        verb = verb.head
    return verb


def _is_past(ent) -> bool:
    """Whether the clause holding a date is in the past tense ("said in November", "had voted")."""
    verb = _clause_verb(ent)
    for _ in range(3):
        if verb.tag_ == "VBD":
            return True
        if verb.tag_ == "VBN" and any(
            c.lower_ in {"has", "have", "had", "was", "were"} for c in verb.children
        ):
            return True
        if verb.tag_ not in {"VBN", "VBG"} or any(c.dep_ in {"aux", "auxpass"} for c in verb.children):
            return False
        if verb.head.i == verb.i or verb.head.pos_ not in {"VERB", "AUX"}:
            # "a case brought by Mueller in November": a participle on a noun takes its clause's tense
            verb = _clause_verb_of(verb.head)
        else:
            verb = verb.head  # "Beginning in August, officials held talks": the participle's main verb
    return False


def _is_future(ent) -> bool:
    """Whether the clause holding a date speaks of the future: "will visit on Friday", "a vote planned for
    Friday", "is expected to announce Thursday" (an infinitive under a verb of planning or expecting),
    "until Friday", "by Friday"."""
    doc = ent.doc
    if ent.start > 0 and doc[ent.start - 1].lower_ in {"until", "till", "by"}:
        return True
    before = doc[max(0, ent.start - 8) : ent.start].text_with_ws[-16:]  # not doc.text: it joins every token
    if re.search(r"\bas (?:early|soon) as\s*$", before, re.I):
        return True  # "could be on the floor as early as Thursday"
    verb = _clause_verb(ent)
    token = ent.root
    for _ in range(6):
        if token.i == verb.i or token.head.i == token.i:
            break
        token = token.head
        if token.pos_ == "NOUN" and token.lemma_ in {"plan", "schedule"}:
            return True  # "plans for a kiss-in at the restaurants on Friday"
        if token.lower_ == "advance" and token.head.lower_ == "in" or token.lower_ == "ahead":
            return True  # "a letter sent in advance of his appearance on Thursday", "ahead of Friday's vote"
    for _ in range(3):
        if _future_clause(verb):
            return True
        perfect = verb.tag_ == "VBN" and any(c.lower_ in {"has", "have", "had"} for c in verb.children)
        if (
            verb.tag_ == "VBD"
            or perfect
            or verb.dep_ not in {"advcl", "xcomp", "conj"}
            or verb.head.i == verb.i
        ):
            return False
        verb = verb.head  # "expected to begin on Wednesday, followed by the House on Thursday"
    return False


def _future_clause(verb) -> bool:
    """A clause in the future: "will visit", "could be", "is heading to … for a speech" (a progressive), "is
    expected to announce" (an infinitive under a verb of planning or expecting)."""
    aux = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]
    if any(c.lower_ in _FUTURE_AUX for c in verb.children) or verb.lemma_ in _FUTURE_VERBS:
        return True
    if any(c.lower_ in _MODALS for c in aux) and not any(c.lower_ in {"have", "'ve"} for c in aux):
        return True  # "could be on the floor", not "may have met"
    if verb.tag_ == "VBG" and any(c.lower_ in {"is", "are", "am", "'s", "'re", "’s", "’re"} for c in aux):
        return True  # "is heading to Georgetown for a speech Thursday"
    return (
        verb.tag_ == "VB"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        and verb.head.lemma_ in _FUTURE_VERBS
    )


_DEICTIC = re.compile(
    r"\b(?:(?:earlier|later) )?(?:today|tonight|yesterday|tomorrow)\b"
    r"|\b(?:(?:on|last|next|this) )?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
    re.IGNORECASE,
)
# Relative to the moment of speaking: inside a quotation, that moment is not the publication date.
_SPEECH_RELATIVE = re.compile(
    r"(?:(?:earlier|later)\s+)?(?:today|tonight|yesterday|tomorrow)\b|(?:this|last|next)\s+(?:week|weekend|month|year)\b",
    re.IGNORECASE,
)
_COUNTED = re.compile(
    r"\d|\b(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|few|many|half)\b", re.I
)
_UNIT = re.compile(
    r"\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies))\b", re.I
)
_ANCHOR = re.compile(r"\b(?:last|this|next|ago|since|until|early|late|earlier|later|of)\b", re.I)


def _is_duration(phrase: str) -> bool:
    """ "two-day", "the past 75 years": a length of time, not a point in it."""
    return bool(
        _UNIT.search(phrase) and _COUNTED.search(phrase) and not _ANCHOR.search(phrase)
    ) and not _YEAR.search(phrase)


_FILLER = re.compile(
    r"\b(?:between|from|to|and|about|around|some|the|of|by|until|till|on|in"
    r"|hundred|thousand|million|billion|trillion)\b",
    re.I,
)


def _no_date_word(phrase: str) -> bool:
    """ "between 5" (the low end of "between 5 and 7 million"): a small number the NER called a date."""
    rest = _FILLER.sub(" ", phrase)
    return not re.search(r"[^\W\d_]", rest) and not re.search(r"\d{4}|\d[/.-]\d", rest)


def find_dates(
    doc,
    text: str,
    article_id: str,
    published: str | None,
    sentences: list[tuple[int, int]],
    quoted: Sequence[tuple[int, int]] = (),
) -> list[DateMention]:
    """Date mentions: spaCy DATE entities plus deictic words spaCy misses ("earlier today"), resolved.

    Pure durations ("two-day", "75 years") are left to the numbers; they name no point in time. `quoted`: the
    quotations' spans, inside which a "today" counts from when the words were said (see _speech_time).
    """
    starts = [s for s, _ in sentences]
    found: list[tuple[int, int, bool, bool]] = []
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        phrase = ent.text.split("\n", 1)[0].rstrip()
        if not phrase or len(phrase) > 60 or _is_duration(phrase) or _no_date_word(phrase):
            continue
        start = ent.start_char
        if re.search(r"\b(?:fiscal(?: year)?|fy)\s*$", text[max(0, start - 12) : start], re.I) or re.match(
            r"(?:fiscal|fy)\b", phrase, re.I
        ):
            continue  # "the fiscal 2013 budget request": a budget's label, not when anything happened
        before = text[max(0, start - 8) : start].lower()
        for word in ("earlier ", "later "):
            if before.endswith(word):
                start -= len(word)
        found.append((start, ent.start_char + len(phrase), _is_future(ent), _is_past(ent)))
    covered = [(s, e) for s, e, _, _ in found]
    for m in _DEICTIC.finditer(text, 0, parsed_length(doc)):
        if not any(s < m.end() and m.start() < e for s, e in covered):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            tense = (_is_future(span), _is_past(span)) if span is not None else (False, False)
            found.append((m.start(), m.end(), *tense))
    out: list[DateMention] = []
    for start, end, future, past in sorted(found):
        k = bisect_right(starts, start) - 1
        s_start, s_end = sentences[k] if 0 <= k < len(sentences) else (start, end)
        phrase = text[start:end]
        if text[max(0, start - 5) : start].lower() == "that ":
            phrase = (
                "that " + phrase
            )  # "that October" refers back to a year named earlier (resolve_date: None)
        out.append(
            DateMention(
                article_id,
                text[start:end],
                start,
                end,
                resolve_date(phrase, published, future, past),
                s_start,
                s_end,
            )
        )
    return _speech_time(out, quoted)


def _speech_time(mentions: list[DateMention], quoted: Sequence[tuple[int, int]]) -> list[DateMention]:
    """A "today" or "this week" inside a quotation counts from when the words were said. Where the sentence
    dates the saying outside the quotation ("“Today's cave …,” said the group … on Monday"), the quoted one is
    left unresolved and the sentence's own date stands; elsewhere the words are taken as said on the day of
    publication."""

    def inside(m: DateMention) -> bool:
        return any(a <= m.start < b for a, b in quoted)

    dated_outside = {m.sentence_start for m in mentions if m.resolved and not inside(m)}
    return [
        replace(m, resolved=None)
        if m.resolved and m.sentence_start in dated_outside and _SPEECH_RELATIVE.match(m.text) and inside(m)
        else m
        for m in mentions
    ]
