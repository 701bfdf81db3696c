"""Whose side a quoted voice speaks for: the country or organisation behind each speaker, across a story.

A speaker's side comes, in order, from:
1. the affiliations the quote extractor read beside the speaker's mentions ("State Department spokesperson
   Vedant Patel", "Russia's Foreign Minister Sergey Lavrov"), the most frequent one over the whole story, so
   that a bare "Patel said" in one article still counts for the State Department named in another;
2. a role alias of the canonical entity that names a country ("Russian President" for Vladimir Putin);
3. the speaker's own name when it is a country, a capital or a seat of government speaking ("the Kremlin
   said", "Beijing said"; a joint "China and Russia" is its own side).

Affiliations are mapped to the country they stand for, so "State Department" and "White House" are one side,
United States (`_SEATS`, a table of capitals and government bodies, not of people). An affiliation outside the
table stays as written ("NATO", "Amnesty International"). Speakers with none of these are "unaffiliated".
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from ..records import Entity, Quote
from ..text.names import (
    DEMONYMS,
    ROLE_HEADS,
    TITLE_WORDS,
    clean_name,
    country_name,
    is_country,
    strip_titles,
)

UNAFFILIATED = "unaffiliated"

# Capitals and government bodies that speak for a country in news copy ("the Kremlin said", "Washington
# warned"). Lower-case keys, after clean_name (no leading "the").
_SEATS = {
    "white house": "United States",
    "state department": "United States",
    "department of state": "United States",
    "pentagon": "United States",
    "defense department": "United States",
    "department of defense": "United States",
    "treasury department": "United States",
    "national security council": "United States",
    "washington": "United States",
    "kremlin": "Russia",
    "moscow": "Russia",
    "beijing": "China",
    "zhongnanhai": "China",
    "downing street": "United Kingdom",
    "whitehall": "United Kingdom",
    "london": "United Kingdom",
    "kyiv": "Ukraine",
    "kiev": "Ukraine",
    "elysee": "France",
    "élysée": "France",
    "paris": "France",
    "berlin": "Germany",
    "tokyo": "Japan",
    "tehran": "Iran",
    "ankara": "Turkey",
    "new delhi": "India",
    "pyongyang": "North Korea",
    "seoul": "South Korea",
    "taipei": "Taiwan",
    "minsk": "Belarus",
    "brussels": "European Union",
    "european commission": "European Union",
}
_JOINT = re.compile(r"\s*(?:,|\band\b|&)\s*")
_POSSESSIVE = re.compile(r"^(.+?)['’]s\s+\S")


def side_of(name: str | None) -> str | None:
    """The country a name of a country, demonym, capital or government body stands for, else None."""
    if not name:
        return None
    key = clean_name(name)
    return country_name(key) or (key if is_country(key) else None) or _SEATS.get(key.lower())


def speaker_sides(quotes: Sequence[Quote], entities: Sequence[Entity] = ()) -> dict[str, str]:
    """Side of every quoted speaker of a story (UNAFFILIATED when nothing names one)."""
    read: dict[str, Counter] = defaultdict(Counter)
    for q in quotes:
        if q.speaker and q.affiliation:
            read[q.speaker][side_of(q.affiliation) or clean_name(q.affiliation)] += 1
    aliases = {e.name: e.aliases for e in entities}
    speakers = list(dict.fromkeys(q.speaker for q in quotes if q.speaker))
    sides: dict[str, str] = {}
    for speaker in speakers:
        if read.get(speaker):
            # Most frequent; a tie goes to the side read first.
            sides[speaker] = read[speaker].most_common(1)[0][0]
        else:
            sides[speaker] = _side_in_roles(aliases.get(speaker, ())) or side_of(speaker) or UNAFFILIATED
    # A joint speaker ("Putin and Xi", "China and Russia") speaks for every side its parts do; an
    # affiliation read beside it belongs to one part only ("Putin and Chinese President Xi").
    for speaker in speakers:
        parts = [p for p in _JOINT.split(speaker) if p]
        if len(parts) >= 2:
            found = [_part_side(p, sides, aliases) for p in parts]
            if all(found):
                sides[speaker] = " and ".join(sorted(set(found)))  # type: ignore[arg-type]
    return sides


def _side_in_roles(roles) -> str | None:
    """The country an office names: "Russian President", "Chinese leader", "U.S. Secretary of State". Only
    aliases holding an office word count, and only demonyms and country names in them, so that a surname that
    is also a country ("Jim Jordan": alias "Jordan") gives no side."""
    for role in roles:
        words = [w.strip(",") for w in role.split()]
        if not any(w.lower() in TITLE_WORDS or w.lower() in ROLE_HEADS for w in words):
            continue
        for word in words:
            if side := DEMONYMS.get(word.lower()) or country_name(word):
                return side
    return None


def _part_side(part: str, sides: dict[str, str], aliases: dict[str, tuple[str, ...]]) -> str | None:
    """Side of one name in a joint speaker: a country or seat, a role word ("Chinese President Xi"), or the
    side of the story's speaker or entity it names ("Putin" for Vladimir Putin)."""
    owner = _POSSESSIVE.match(part)  # "Russia's Vladimir Putin"
    own = side_of(part) or _side_in_roles((part,)) or (side_of(owner.group(1)) if owner else None)
    if own:
        return own
    name = strip_titles(clean_name(part))
    for speaker, side in sides.items():
        if side != UNAFFILIATED and (
            name == speaker or name in aliases.get(speaker, ()) or name in speaker.split()
        ):
            return side
    for entity, roles in aliases.items():
        if name == entity or name in roles or name in entity.split():
            return _side_in_roles(roles)
    return None
