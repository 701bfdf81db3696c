"""Names and the words around them, shared by the stages: titles, demonyms and country names, and how a
mention's text becomes a name (extract reads mentions with them; claims and brief compare speakers and
affiliations with them)."""

from __future__ import annotations

import re

# Titles spaCy sometimes leaves inside a PERSON span ("President Xi"); they are not part of the name.
TITLE_WORDS = frozenset(
    """president premier minister secretary chancellor senator sen. rep. representative gov. governor mayor
    king queen prince princess pope general gen. col. lt. sgt. capt. admiral mr. mrs. ms. mr mrs ms dr. dr prof.
    professor judge justice leader spokesperson spokesman spokeswoman ambassador envoy chairman chairwoman
    deputy vice prime foreign state defense defence chief sir lord lady dame rev. reverend sheikh former""".split()
)

# Demonyms -> country: the NORP modifiers of titles ("Chinese President Xi Jinping") name an affiliation.
DEMONYMS = {
    "american": "United States",
    "u.s.": "United States",
    "us": "United States",
    "russian": "Russia",
    "chinese": "China",
    "british": "United Kingdom",
    "english": "England",
    "french": "France",
    "german": "Germany",
    "italian": "Italy",
    "spanish": "Spain",
    "japanese": "Japan",
    "korean": "Korea",
    "north korean": "North Korea",
    "south korean": "South Korea",
    "indian": "India",
    "pakistani": "Pakistan",
    "iranian": "Iran",
    "iraqi": "Iraq",
    "israeli": "Israel",
    "palestinian": "Palestine",
    "syrian": "Syria",
    "turkish": "Turkey",
    "ukrainian": "Ukraine",
    "polish": "Poland",
    "canadian": "Canada",
    "mexican": "Mexico",
    "brazilian": "Brazil",
    "australian": "Australia",
    "saudi": "Saudi Arabia",
    "egyptian": "Egypt",
    "afghan": "Afghanistan",
    "taiwanese": "Taiwan",
    "belarusian": "Belarus",
    "dutch": "Netherlands",
    "swedish": "Sweden",
    "finnish": "Finland",
    "norwegian": "Norway",
    "danish": "Denmark",
    "greek": "Greece",
    "hungarian": "Hungary",
    "vietnamese": "Vietnam",
    "european": "European Union",
    "cuban": "Cuba",
    "venezuelan": "Venezuela",
    "nigerian": "Nigeria",
    "south african": "South Africa",
    "irish": "Ireland",
    "scottish": "Scotland",
    "lebanese": "Lebanon",
    "qatari": "Qatar",
    "emirati": "United Arab Emirates",
}

# Spellings of one country that are the same name, not just related ones ("Washington" stays separate).
COUNTRY_ALIASES = {
    "us": "United States",
    "u.s.": "United States",
    "u.s": "United States",
    "usa": "United States",
    "u.s.a.": "United States",
    "united states": "United States",
    "united states of america": "United States",
    "america": "United States",
    "uk": "United Kingdom",
    "u.k.": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "united kingdom": "United Kingdom",
    "prc": "China",
    "people's republic of china": "China",
    "russian federation": "Russia",
    "the russian federation": "Russia",
    "ussr": "Soviet Union",
    "soviet union": "Soviet Union",
}


def clean_name(text: str) -> str:
    """A mention's text without a leading article, possessive, brackets, titles or line breaks."""
    name = re.sub(r"\s+", " ", text.replace("[", "").replace("]", "")).strip(" \"'“”‘’,.;:")
    name = re.sub(r"(?:'s|’s|'|’)$", "", name)
    name = re.sub(r"^(?:the|The|a|A|an|An)\s+", "", name)
    return name


def is_name(text: str) -> bool:
    """Whether a cleaned mention reads as a proper name: it starts with a capital or a digit, and its lowercase
    words are only the connecting ones ("Department of State", "Chick-fil-A")."""
    words = text.split()
    if not words or not (words[0][:1].isupper() or words[0][:1].isdigit()):
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in NAME_CONNECTORS for w in words)


NAME_CONNECTORS = frozenset("of and the for de la del da di van von du le al bin on in at to y".split())


def strip_titles(name: str) -> str:
    words = name.split()
    while len(words) > 1 and words[0].lower() in TITLE_WORDS:
        words = words[1:]
    return " ".join(words)


def country_name(text: str) -> str | None:
    """The canonical country for a GPE spelling or demonym ("U.S." / "American" -> "United States")."""
    key = clean_name(text).lower()
    return COUNTRY_ALIASES.get(key) or DEMONYMS.get(key)


# Role nouns that, with a country ("the Chinese leader", "Russia's foreign minister"), describe one person.
ROLE_HEADS = frozenset(
    """leader president premier minister secretary chancellor spokesman spokeswoman spokesperson king queen
    emperor ruler monarch ambassador envoy""".split()
)


def _territories() -> frozenset[str]:
    """Country names in English from Babel's CLDR data (installed with trafilatura, via courlan)."""
    try:
        from babel import Locale

        names = Locale("en").territories
    except Exception:  # noqa: BLE001 - without Babel the demonym table alone names countries
        return frozenset()
    return frozenset(name for code, name in names.items() if len(code) == 2 and code.isalpha())


_COUNTRIES = frozenset(DEMONYMS.values()) | frozenset(COUNTRY_ALIASES.values()) | _territories()


def is_country(name: str) -> bool:
    return clean_name(name) in _COUNTRIES or country_name(name) is not None
