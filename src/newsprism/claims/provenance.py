"""Which of a story's outlets an article credits as the source of what it reports.

Two outlets stating one fact corroborate each other only when each reports it itself. An article that
passes on another outlet's reporting says so in its own words: "Ginsburg told The New York Times",
"in an interview with the Times", "the paper reports", "as The New York Times first reported". Such a
sentence, and a quotation the credited outlet's interview produced, are that outlet's reporting, not a second
source of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..text import WEEKDAYS

# An outlet's name is a credit only where it is the source of what the sentence reports: the subject of a
# reporting verb ("the Times reported", "Haberman in the New York Times today explains") or whom someone told
# ("told The New York Times", "according to", "in an interview with"). "Disputed a New York Times report" or
# "a Fox News host" only name it.
_SOURCE_AFTER = re.compile(
    r"^(?:[\s,]+\w+){0,2}?[\s,]+(?:first\s+)?(?:reported|reports|revealed|wrote|writes|explained|explains"
    r"|obtained|published|said|says|learned|confirmed)\b",
    re.IGNORECASE,
)
_SOURCE_BEFORE = re.compile(
    r"\b(?:told|tells|telling|according\s+to|interview\s+with|interviewed\s+by|quoted\s+by|obtained\s+by"
    r"|reported\s+by|published\s+by|excerpts?\s+(?:from|of))\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# The words that hand an interview's quotations to the outlet that held it.
_INTERVIEW_BEFORE = re.compile(
    r"\b(?:told|tells|telling|interview\s+with|interviewed\s+by|(?:comments?|remarks?|spoke|speaking)\s+to)"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_INTERVIEW_AFTER = re.compile(r"^\s+interview\b", re.IGNORECASE)
# "the paper reports": the outlet the article credits by name elsewhere.
_THE_PAPER = re.compile(r"\bthe\s+(?:paper|newspaper)\b", re.IGNORECASE)
_NAME_WORD = re.compile(r"\b[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?\b")


@dataclass(frozen=True)
class Credits:
    """One article's credits to the story's other outlets (outlet names as the story's articles give them)."""

    named: frozenset[str] = frozenset()  # outlets a sentence of it credits by name
    # (outlet, lower-cased name word) for each name in a sentence saying someone told the outlet, or gave it
    # an interview: whose quotations are the outlet's reporting ("Ginsburg told The New York Times")
    interviewees: frozenset[tuple[str, str]] = frozenset()
    # (outlet, sentence, name words of the crediting sentence) for each sentence of a quotation that opens right
    # after a sentence crediting the outlet's interview ("… with comments to The New York Times published
    # Saturday. “I can't imagine …”")
    passed: frozenset[tuple[str, str, frozenset[str]]] = frozenset()

    @property
    def outlets(self) -> frozenset[str]:
        """Every outlet the article credits somewhere: the only ones a sentence of it can pass on."""
        return (
            self.named
            | {outlet for outlet, _ in self.interviewees}
            | {outlet for outlet, _, _ in self.passed}
        )

    def source_of(self, sentence: str, outlet: str, speakers: Iterable[str] = ()) -> bool:
        """Whether `sentence` of the article passes on `outlet`'s reporting: the sentence credits it (by name,
        or as "the paper" when the article credits it and no other outlet by name), or it quotes someone
        (`speakers`: of the quotations the sentence is part of) whom the article says told that outlet."""
        if credits_outlet(sentence, outlet):
            return True
        if self.named == {outlet} and _THE_PAPER.search(sentence):
            return True
        words = {word.lower() for s in speakers for word in s.split()}
        if any((outlet, word) in self.interviewees for word in words):
            return True
        # the quotation right after the credit, unless its speaker is someone the crediting sentence does not name
        return any(
            o == outlet and said == sentence and (not words or not names or words & names)
            for o, said, names in self.passed
        )


def article_credits(sentences: Iterable[str], outlet: str | None, story_outlets: Iterable[str]) -> Credits:
    """The credits an article (its sentences, its own outlet) gives the story's other outlets."""
    others = {o for o in story_outlets if o and o != outlet}
    named: set[str] = set()
    interviewees: set[tuple[str, str]] = set()
    passed: set[tuple[str, str, frozenset[str]]] = set()
    interview: set[str] = set()  # outlets whose interview the last sentence credited
    quoting: set[str] = set()  # outlets whose interview the open quotation carries
    named_by: frozenset[str] = frozenset()  # name words of the sentence that credited it
    for sentence in sentences:
        text = sentence.strip()
        if interview and text[:1] in _OPENING_MARKS:
            quoting = set(interview)
        if quoting:
            passed.update((credited, sentence, named_by) for credited in quoting)
            if any(mark in text[1:] for mark in _CLOSING_MARKS):
                quoting = set()
        interview = set()
        for other in others:
            for before, after in _mentions(sentence, other):
                if _SOURCE_BEFORE.search(before) or _SOURCE_AFTER.match(after):
                    named.add(other)
                if _INTERVIEW_BEFORE.search(before) or _INTERVIEW_AFTER.match(after):
                    interview.add(other)
                    outlet_words = {w.lower() for w in other.split()}
                    words = {w.lower() for w in _NAME_WORD.findall(sentence)} - outlet_words
                    interviewees.update((other, w) for w in words)
                    named_by = frozenset(words - _CALENDAR_WORDS - _OPENING_WORDS)
    return Credits(frozenset(named), frozenset(interviewees), frozenset(passed))


_OPENING_MARKS = frozenset('“"«')
_OPENING_WORDS = frozenset(
    "the a an and but in on at as after before when while it its he she his her they this that".split()
)  # capitalised only where they open the sentence
_CALENDAR_WORDS = WEEKDAYS | frozenset(
    "january february march april may june july august september october november december".split()
)
_CLOSING_MARKS = ("”", '"', "»")


def credits_outlet(sentence: str, outlet: str) -> bool:
    """Whether the sentence credits the outlet as the source of what it reports."""
    return any(
        _SOURCE_BEFORE.search(before) or _SOURCE_AFTER.match(after)
        for before, after in _mentions(sentence, outlet)
    )


def _mentions(sentence: str, outlet: str) -> list[tuple[str, str]]:
    """(the 40 characters before, the 40 after) each place the sentence names the outlet."""
    return [
        (sentence[max(0, m.start() - 40) : m.start()], sentence[m.end() : m.end() + 40])
        for pattern in _patterns(outlet)
        for m in pattern.finditer(sentence)
    ]


def story_credits(
    sentences: Mapping[str, Iterable[str]], outlets: Mapping[str, str | None]
) -> dict[str, Credits]:
    """article id -> its credits, for a story's articles (sentences and outlet per article id)."""
    present = {o for o in outlets.values() if o}
    return {aid: article_credits(sentences.get(aid, ()), outlets.get(aid), present) for aid in outlets}


@lru_cache(maxsize=256)
def _patterns(outlet: str) -> tuple[re.Pattern[str], ...]:
    """How an article names an outlet: in full, without a leading "The", and for names of three or more words
    by the last word after "the" ("The New York Times" -> "the Times"). Two-word names get no short form:
    "the Post" names the Washington Post as often as any other Post."""
    name = re.sub(r"^the\s+", "", outlet.strip(), flags=re.IGNORECASE)
    words = name.split()
    if not words:
        return ()
    found = [re.compile(r"\b" + r"\s+".join(map(re.escape, words)) + r"\b", re.IGNORECASE)]
    if len(words) >= 3 and words[-1][:1].isupper():
        found.append(re.compile(r"\b[Tt]he\s+" + re.escape(words[-1]) + r"\b"))
    return tuple(found)
