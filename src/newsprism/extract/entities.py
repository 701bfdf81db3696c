"""Entity mentions of one article, names resolved within a text, affiliations, and story-wide canonical entities."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from ..records import Entity, EntityMention, Quote, StoryMaterial

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"})

# Titles spaCy sometimes leaves inside a PERSON span ("President Xi"); they are not part of the name.
_TITLES = frozenset(
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
_COUNTRY_ALIASES = {
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
}


def clean_name(text: str) -> str:
    """A mention's text without a leading article, possessive, titles or line breaks."""
    name = re.sub(r"\s+", " ", text).strip(" \"'“”‘’,.;:")
    name = re.sub(r"(?:'s|’s|'|’)$", "", name)
    name = re.sub(r"^(?:the|The)\s+", "", name)
    return name


def strip_titles(name: str) -> str:
    words = name.split()
    while len(words) > 1 and words[0].lower() in _TITLES:
        words = words[1:]
    return " ".join(words)


def country_name(text: str) -> str | None:
    """The canonical country for a GPE spelling or demonym ("U.S." / "American" -> "United States")."""
    key = clean_name(text).lower()
    return _COUNTRY_ALIASES.get(key) or DEMONYMS.get(key)


def entity_mentions(doc, article_id: str) -> list[EntityMention]:
    out = []
    for ent in doc.ents:
        text = ent.text.rstrip()
        if ent.label_ in ENTITY_LABELS and text:
            out.append(
                EntityMention(article_id, ent.start_char, ent.start_char + len(text), text, ent.label_)
            )
    return out


class NameBook:
    """Person names of one text: resolves a short mention ("Patel", "Xi") to its full form ("Vedant Patel")."""

    def __init__(self, doc, text: str | None = None) -> None:
        self.persons: list[tuple[int, int, str]] = []  # (start, end, cleaned name) in text order
        self._forms: Counter[str] = Counter()
        self.subjects: set[int] = set()  # starts of person mentions that are clause subjects
        self.affiliation: dict[str, str] = {}
        headline: dict[int, bool] = {}
        text = doc.text if text is None else text  # the caller's copy saves joining every token again
        for ent in doc.ents:
            if ent.label_ != "PERSON" or _in_headline(ent, text, headline):
                continue
            name = strip_titles(clean_name(ent.text))
            if not name or not any(c.isalpha() for c in name):
                continue
            self.persons.append((ent.start_char, ent.end_char, name))
            self._forms[name] += 1
            if ent.root.dep_ in {"nsubj", "nsubjpass"} or ent.root.head.dep_ in {"nsubj", "nsubjpass"}:
                self.subjects.add(ent.start_char)
        for start, end, name in self.persons:
            full = self.full_name(name, start)
            if full not in self.affiliation:
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is not None:
                    aff = affiliation_of(span)
                    if aff:
                        self.affiliation[full] = aff

    def full_name(self, name: str, before: int | None = None) -> str:
        """The longest name in the text that contains `name` as its leading or trailing words."""
        words = strip_titles(clean_name(name)).split()
        if not words:
            return name
        best, best_key = " ".join(words), (0, False, 0, 0)
        n = len(words)
        for start, _end, form in self.persons:
            fw = form.split()
            if len(fw) <= n or not (fw[-n:] == words or fw[:n] == words):
                continue
            # Prefer forms seen before the mention (the reader met them first), a surname match, frequent, long.
            key = (
                1 if before is None or start <= before else 0,
                fw[-n:] == words,
                self._forms[form],
                len(fw),
            )
            if key > best_key:
                best, best_key = form, key
        return best

    def last_person(
        self, before: int, exclude: Iterable[tuple[int, int]] = (), window: int = 600
    ) -> tuple[int, int, str] | None:
        """The person a "he"/"she" at `before` most likely means: the last subject nearby, else the last named."""
        spans = list(exclude)
        candidates = [
            (start, end, name)
            for start, end, name in reversed(self.persons)
            if end <= before and not any(s <= start < e for s, e in spans)
        ]
        for start, end, name in candidates:
            if before - start > window:
                break
            if start in self.subjects:
                return start, end, self.full_name(name, start)
        if candidates:
            start, end, name = candidates[0]
            return start, end, self.full_name(name, start)
        return None


_LONG_WORD = re.compile(r"[^\W\d_]{4,}")


def _in_headline(span, text: str | None = None, cache: dict[int, bool] | None = None) -> bool:
    """Whether a span sits in a Title Case line (a headline), where spaCy often fuses a name with a verb.

    Works on the line's characters, not its tokens: this runs for every person mention, and token walks over
    long paragraphs were most of extraction's own time.
    """
    if text is None:
        text = span.doc.text  # joins every token: callers with many spans pass it in
    lo = text.rfind("\n", 0, span.start_char) + 1
    if cache is not None and lo in cache:
        return cache[lo]
    hi = text.find("\n", span.end_char)
    line = text[lo : hi if hi >= 0 else len(text)].rstrip()
    words = _LONG_WORD.findall(line)
    result = (
        len(words) >= 3
        and line[-1:] not in {".", "!", "?"}
        and sum(w[0].isupper() for w in words) >= 0.8 * len(words)
    )
    if cache is not None:
        cache[lo] = result
    return result


def affiliation_of(span) -> str | None:
    """The organisation or country named in the words before a mention, within its noun phrase.

    "State Department deputy spokesperson Vedant Patel" -> "State Department"; "Russia's Foreign Minister
    Sergey Lavrov" -> "Russia"; "Chinese President Xi Jinping" / "the Chinese leader" -> "China".
    """
    doc = span.doc
    i = span.start - 1
    steps = 0
    found = None
    while i >= 0 and steps < 8:
        tok = doc[i]
        if (
            tok.dep_ in {"det", "cc"}
            or tok.is_punct
            and tok.text not in {"'", "’"}
            or tok.pos_ in {"VERB", "AUX", "ADP", "CCONJ"}
            or tok.ent_type_ == "PERSON"
        ):
            break
        if tok.ent_type_ in {"ORG", "GPE", "NORP"}:
            j = i
            while j > 0 and doc[j].ent_iob_ == "I":
                j -= 1
            ent_text = doc[j : i + 1].text
            found = country_name(ent_text) or clean_name(ent_text)
            break
        i -= 1
        steps += 1
    if found is None:
        # "the Russian leader": the modifier sits inside the mention itself.
        for tok in span:
            if tok.ent_type_ in {"NORP", "GPE"} and tok.dep_ in {"amod", "compound", "poss"}:
                return country_name(tok.text) or clean_name(tok.text)
    return found


# ---------------------------------------------------------------- story-level canonical entities


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "entity"


def _key(text: str, label: str) -> str:
    name = clean_name(text)
    if label in {"GPE", "LOC", "NORP", "ORG"} and label != "NORP":
        country = _COUNTRY_ALIASES.get(name.lower())
        if country:
            return country
    if label == "PERSON":
        name = strip_titles(name)
    return name


def canonical_entities(material: StoryMaterial) -> tuple[tuple[Entity, ...], dict[str, str]]:
    """Entities merged across a story's articles, and a map alias -> canonical person name."""
    per_label: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    aliases: dict[tuple[str, str], set[str]] = defaultdict(set)
    for article in material.articles:
        extraction = material.extractions.get(article.id)
        if extraction is None:
            continue
        for m in extraction.mentions:
            key = _key(m.text, m.label)
            if not key:
                continue
            per_label[m.label][key][article.id] += 1
            aliases[(m.label, key)].add(clean_name(m.text))

    # Persons: a short form joins the longest full form it begins or ends ("Xi" -> "Xi Jinping").
    persons = per_label.get("PERSON", {})
    target: dict[str, str] = {}
    names = sorted(persons, key=lambda n: (-len(n.split()), -sum(persons[n].values())))
    for name in names:
        words = name.split()
        best = None
        for full in names:
            fw = full.split()
            if len(fw) > len(words) and (fw[: len(words)] == words or fw[-len(words) :] == words):
                if best is None or sum(persons[full].values()) > sum(persons[best].values()):
                    best = full
        target[name] = target.get(best, best) if best else name

    entities: list[Entity] = []
    alias_map: dict[str, str] = {}
    for label, groups in per_label.items():
        merged: dict[str, Counter[str]] = defaultdict(Counter)
        merged_aliases: dict[str, set[str]] = defaultdict(set)
        for key, counts in groups.items():
            canon = target.get(key, key) if label == "PERSON" else key
            merged[canon].update(counts)
            merged_aliases[canon] |= aliases[(label, key)] | {key}
        for canon, counts in merged.items():
            alias_list = tuple(sorted(a for a in merged_aliases[canon] if a != canon))
            entities.append(
                Entity(
                    id=_slug(canon) if label == "PERSON" else f"{_slug(canon)}-{label.lower()}",
                    name=canon,
                    label=label,
                    aliases=alias_list,
                    mentions_per_article=tuple(sorted(counts.items())),
                )
            )
            if label in {"PERSON", "ORG", "GPE", "NORP"}:
                for alias in (*alias_list, canon):
                    alias_map.setdefault(alias.lower(), canon)
    entities.sort(key=lambda e: (-sum(c for _, c in e.mentions_per_article), e.name))
    return tuple(entities), alias_map


def canonicalize(material: StoryMaterial) -> tuple[tuple[Entity, ...], tuple[Quote, ...]]:
    """Story-wide entities, and every quote of the story with its speaker replaced by the canonical name."""
    from dataclasses import replace

    entities, alias_map = canonical_entities(material)
    quotes: list[Quote] = []
    for article in material.articles:
        extraction = material.extractions.get(article.id)
        if extraction is None:
            continue
        for q in extraction.quotes:
            speaker = q.speaker
            if speaker:
                key = strip_titles(clean_name(speaker)).lower()
                speaker = alias_map.get(key) or alias_map.get(clean_name(speaker).lower()) or speaker
            quotes.append(replace(q, speaker=speaker))
    return entities, tuple(quotes)
