"""Story-level canonicalisation: one entity per real-world referent across a story's articles (type decided
over all mentions, surnames and titles folded into the full name, junk rejected), roles resolved to the person
who holds them, and each quote's speaker shown under that entity's name where the articles agree."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from rapidfuzz.distance import DamerauLevenshtein

from ..records import EDITOR, Entity, Quote, StoryMaterial
from ..text.names import (
    COUNTRY_ALIASES,
    NAME_CONNECTORS,
    ROLE_HEADS,
    TITLE_WORDS,
    clean_name,
    country_name,
    is_name,
    strip_titles,
)
from .entities import _nicknames, title_right_before

# The head noun of a multi-word name says what it names, whatever one mention was tagged: "the First Amendment"
# is a law, "George Washington Bridge" a structure, "Capitol Hill" a place, "Women's March" an event.
HEAD_LABELS = {
    **dict.fromkeys(
        "act acts amendment amendments code constitution treaty program programme".split(), "LAW"
    ),
    **dict.fromkeys("bridge building airport stadium tower memorial highway".split(), "FAC"),
    **dict.fromkeys(
        "hill hills river mountain mountains valley island islands lake bay coast".split(), "LOC"
    ),
    **dict.fromkeys("conference summit march olympics festival convention".split(), "EVENT"),
}

# A "leader" of a country is whoever holds one of its top offices.
_TOP_ROLES = frozenset({"president", "premier", "prime", "chancellor", "king", "queen", "leader", "chairman"})


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "entity"


def _key(text: str, label: str) -> str:
    name = clean_name(text).replace("’", "'")  # "People’s" and "People's" are one spelling
    words = name.split()
    while len(words) > 1 and words[-1][:1].islower():
        words.pop()  # "Christie today": the parser ran a name into the next word
    name = " ".join(words)
    if label in {"GPE", "LOC", "NORP", "ORG"} and label != "NORP":
        country = COUNTRY_ALIASES.get(name.lower())
        if country:
            return country
    if label == "PERSON":
        name = strip_titles(name)
    elif "." in name and _acronym(name):
        return _acronym(name)  # "F.B.I." and "FBI": one name written two ways
    return name


def _country_of(word: str) -> str | None:
    """ "Chinese" / "China's" / "China" -> "China"; another capitalised word ("Argentine") stands for itself,
    so that a title and a descriptor written with the same word still match; None for a lowercase word."""
    word = re.sub(r"(?:'s|’s)$", "", word.strip(",;:"))
    if not word[:1].isupper():
        return None
    return country_name(word) or word


def title_before(text: str, start: int) -> tuple[str, tuple[str, ...]] | None:
    """(country, title words) written right before a name: "Chinese President Xi" -> ("China", ("president",)),
    "Russia's Foreign Minister Sergey Lavrov" -> ("Russia", ("foreign", "minister"))."""
    line_start = text.rfind("\n", max(0, start - 80), start) + 1
    words = text[max(line_start, start - 80) : start].split()
    titles: list[str] = []
    while words and words[-1].lower().strip(",") in TITLE_WORDS | ROLE_HEADS:
        titles.insert(0, words.pop().lower().strip(","))
    if not titles or not words:
        return None
    country = _country_of(words[-1])
    return (country, tuple(titles)) if country else None


def parse_role(text: str) -> tuple[str, tuple[str, ...]] | None:
    """(country, role words) of a descriptor: "the Chinese leader" -> ("China", ("leader",))."""
    words = clean_name(text).split()
    if len(words) < 2:
        return None
    country = _country_of(words[0])
    roles = tuple(w.lower() for w in words[1:])
    return (country, roles) if country and roles[-1] in ROLE_HEADS else None


def _role_matches(role: tuple[str, ...], title: tuple[str, ...]) -> bool:
    if role[-1] == "leader":
        return any(t in _TOP_ROLES for t in title)  # a country's leader holds one of its top offices
    return role[-1] == title[-1] and set(role) <= set(title)


def _resolve_roles(
    material: StoryMaterial, persons: dict[str, Counter[str]], target: dict[str, str]
) -> dict[tuple[str, tuple[str, ...]], str]:
    """Descriptor (country, role) -> the one canonical person the story names with that country and office."""
    titles: dict[str, set[tuple[str, tuple[str, ...]]]] = defaultdict(set)
    wanted: set[tuple[str, tuple[str, ...]]] = set()
    for article in material.articles:
        extraction = material.extractions.get(article.id)
        if extraction is None:
            continue
        for m in extraction.mentions:
            if m.label == "PERSON":
                found = title_before(article.text, m.start)
                key = _key(m.text, m.label)
                if found and key:
                    titles[target.get(key, key)].add(found)
            elif m.label == "ROLE" and (role := parse_role(m.text)):
                wanted.add(role)
    out = {}
    count = {name: sum(c.values()) for name, c in persons.items()}
    for country, role in wanted:
        fits = [
            name
            for name, held in titles.items()
            if any(c == country and _role_matches(role, t) for c, t in held)
        ]
        fits.sort(key=lambda n: -count.get(n, 0))
        if fits and (len(fits) == 1 or count.get(fits[0], 0) > count.get(fits[1], 0)):
            out[(country, role)] = fits[0]
    return out


_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def same_first_name(a: str, b: str) -> bool:
    """ "Dick" and "Richard", "Joe" and "Joseph": one given name, or one the nickname of the other (the
    `nicknames` package's curated table). Two nicknames of one name are not matched ("Tina", "Chris")."""
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    if a == b:
        return True
    if len(a) < 2 or len(b) < 2:
        return False
    table = _nicknames()
    return b in table.canonicals_of(a) or a in table.canonicals_of(b)


def _person_parts(name: str) -> tuple[str, tuple[str, ...], str, str] | None:
    """(given name, middle initials, surname, suffix) of a full name; None for a single word."""
    words = name.replace(",", " ").split()
    suffix = " ".join(w.lower().rstrip(".") for w in words if w.lower().rstrip(".") in _NAME_SUFFIXES)
    words = [w for w in words if w.lower().rstrip(".") not in _NAME_SUFFIXES]
    if len(words) < 2:
        return None
    return words[0], tuple(w[0].lower() for w in words[1:-1]), words[-1].lower(), suffix


def same_person(a: str, b: str) -> bool:
    """Whether two full names name one person: same surname, same given name up to a nickname, and middle
    names that agree where both are written ("Joseph R. Biden Jr." / "Joe Biden", "Hillary Rodham Clinton" /
    "Hillary Clinton"; not "George W. Bush" / "George H. W. Bush"). See also `father_and_son`."""
    pa, pb = _person_parts(a), _person_parts(b)
    if pa is None or pb is None or pa[2] != pb[2]:
        return False
    if pa[1] and pb[1] and pa[1] != pb[1]:
        return False
    return same_first_name(pa[0], pb[0])


def father_and_son(a: str, b: str) -> bool:
    """ "Donald Trump Jr." beside "Donald Trump": one given name, a suffix on one only. Read as two people only
    where one text writes both (another outlet's style may add the suffix: "Roger J. Stone Jr." / "Roger
    Stone")."""
    pa, pb = _person_parts(a), _person_parts(b)
    return bool(pa and pb) and pa[3] != pb[3] and pa[0].lower() == pb[0].lower() and pa[2] == pb[2]


def _person_groups(forms: list[str], articles: dict[str, Counter[str]]) -> list[list[str]]:
    """Full-name forms grouped by `same_person`; a form that fits two groups stays on its own rather than
    joining two people ("George Bush" beside "George W. Bush" and "George H. W. Bush"), and so does a form
    that one article writes beside a father's or son's name (`father_and_son`). `articles`: form -> article ->
    mentions."""

    def together(a: str, b: str) -> bool:
        if father_and_son(a, b) and articles.get(a, Counter()).keys() & articles.get(b, Counter()).keys():
            return False
        return same_person(a, b)

    groups: list[list[str]] = []
    for form in forms:
        fits = [g for g in groups if all(together(form, member) for member in g)]
        if len(fits) == 1:
            fits[0].append(form)
        else:
            groups.append([form])
    return groups


def _without_suffix(name: str) -> str:
    words = name.replace(",", " ").split()
    while len(words) > 2 and words[-1].lower().rstrip(".") in _NAME_SUFFIXES:
        words.pop()
    return " ".join(words)


def _country_first(name: str) -> str:
    """An organisation's name with a leading country written one way: "U.S. Senate" -> "United States Senate"."""
    words = name.split()
    for n in (2, 1):
        country = COUNTRY_ALIASES.get(" ".join(words[:n]).lower()) if len(words) > n else None
        if country:
            return " ".join([country, *words[n:]])
    return name


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w and w.lower() not in NAME_CONNECTORS]
    return "".join(w[0] for w in words).upper() if len(words) > 1 else ""


def _acronym(name: str) -> str:
    """ "WWE" / "F.B.I." -> "WWE" / "FBI"; "" for a name that is not written as an acronym."""
    letters = name.replace(".", "")
    return letters if 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper() else ""


def _common_noun(name: str, texts: str) -> bool:
    """Whether the story writes this capitalised name more often in lower case than as written: "Shutdown"
    from a headline beside "the shutdown", "Border Security" in a quoted tweet beside "border security" in the
    text, are words, not names."""
    lower = len(re.findall(r"(?<![\w-])" + re.escape(name.lower()) + r"(?![\w-])", texts))
    if not lower:
        return False
    return lower > len(re.findall(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", texts))


def _longer_org_name(short: str, long: str, places: Iterable[str] = ()) -> bool:
    """ "Supreme Court" / "Supreme Court of the United States", "Senate" / "United States Senate", "Times" /
    "New York Times" (a place the story names before it); not "House" / "White House"."""
    if long.startswith(short + " of "):
        return True
    head = long[: -len(short)].strip() if long.endswith(" " + short) else None
    return bool(head) and (country_name(head) is not None or head in places)


# The word a newspaper's name is shortened to once the article has named it ("the Times", "the Post").
_PAPER_WORDS = frozenset(
    "Times Post Journal Herald Tribune Globe Chronicle Gazette Inquirer Telegraph Guardian Examiner Star Sun "
    "Observer Mirror Register Courant Bee Dispatch".split()
)


def _web_name(name: str) -> str | None:
    """ "MoveOn.org" -> "moveon", "biggovernment.com" -> "biggovernment": a site's name under its domain."""
    m = re.fullmatch(r"(?:www\.)?([\w-]+)\.(?:org|com|net)", name, re.IGNORECASE)
    return m.group(1).lower() if m else None


def canonical_entities(material: StoryMaterial) -> tuple[tuple[Entity, ...], dict[str, str]]:
    """Entities merged across a story's articles, and a map alias -> canonical person name.

    Role descriptors ("the Chinese leader") count as mentions of the person the story names with that
    title ("Chinese President Xi Jinping"); descriptors that fit no named person, or several, are left out.
    """
    votes: dict[str, Counter[str]] = defaultdict(Counter)  # key -> label -> mentions
    counts: dict[str, Counter[str]] = defaultdict(Counter)  # key -> article -> mentions
    key_aliases: dict[str, set[str]] = defaultdict(set)
    titled: set[str] = set()  # person keys written with a title at least once ("Mr. Levin", "Sen. Levin")
    roles: list[tuple[str, str, str]] = []  # (article id, descriptor text, key) of ROLE mentions
    texts: list[str] = []
    for article in material.articles:
        extraction = material.extractions.get(article.id)
        if extraction is None:
            continue
        texts.append(f"{article.title or ''}\n{article.text}")
        for m in extraction.mentions:
            if m.label == "ROLE":
                roles.append((article.id, clean_name(m.text), m.text))
                continue
            key = _key(m.text, m.label)
            if not key or not is_name(key):
                continue  # "lawmakers", "Democratic leader": words, not a name
            votes[key][m.label] += 1
            counts[key][article.id] += 1
            key_aliases[key].add(clean_name(m.text))
            if m.label == "PERSON" and (
                strip_titles(clean_name(m.text)) != clean_name(m.text)
                or title_right_before(article.text, m.start)
            ):
                titled.add(key)
    story_text = "\n".join(texts)

    # One type per name across the story, decided by all its mentions; a name that ends a person's full name
    # is that person ("Pelosi" tagged ORG once beside "Nancy Pelosi"), unless it is only ever a place
    # ("Washington" beside "George Washington").
    person_keys = {k for k, v in votes.items() if v["PERSON"]}
    full_names = [_without_suffix(k).lower().split() for k in person_keys if len(k.split()) > 1]
    label_of: dict[str, str] = {}
    for key, v in votes.items():
        words = key.lower().split()
        top = max(v, key=lambda label: (v[label], label == "PERSON", label == "ORG"))
        ends_a_person = any(f[-len(words) :] == words and f != words for f in full_names)
        if ends_a_person and (v["PERSON"] or top not in {"GPE", "LOC", "FAC"}):
            label_of[key] = "PERSON"
            continue
        head = HEAD_LABELS.get(words[-1]) if len(words) > 1 and key.split()[-1][:1].isupper() else None
        if head and top != "PERSON":
            label_of[key] = head
            continue
        if top == "ORG" and (v["GPE"] or v["LOC"]) and not _acronym(key):
            top = (
                "GPE" if v["GPE"] >= v["LOC"] else "LOC"
            )  # "Tehran said": a place acting through its government
        if _common_noun(key, story_text):
            continue  # "Shutdown", "Border Security": capitals on words the story writes in lower case
        if (
            top == "PERSON"
            and len(words) == 1
            and key not in titled
            and not any(f[0] == words[0] for f in full_names)
        ):
            continue  # news names a person in full or with a title: a lone "Twitter" or "Levin" is no one known
        label_of[key] = top
    per_label: dict[str, dict[str, Counter[str]]] = defaultdict(dict)
    aliases: dict[tuple[str, str], set[str]] = {}
    for key, label in label_of.items():
        per_label[label][key] = counts[key]
        aliases[(label, key)] = key_aliases[key]

    def fold(label: str, form: str, into: str) -> None:
        """One referent: `form`'s mentions and spellings join `into`'s."""
        group = per_label[label]
        group[into].update(group.pop(form))
        aliases[(label, into)] = (
            aliases.get((label, into), set()) | aliases.pop((label, form), set()) | {form}
        )

    # One organisation under a short and a long name: "Supreme Court" and "Supreme Court of the United States",
    # "Senate" and "United States Senate" (an "of" phrase or a place before it; not "Senate Judiciary
    # Committee", another body), "WWE" and "World Wrestling Entertainment" (its initials, when only one fits).
    orgs = per_label.get("ORG", {})
    places = {k for k, v in votes.items() if v["GPE"] or v["LOC"]}
    for short in sorted(orgs, key=len):
        for long in sorted(orgs, key=len, reverse=True):
            if long != short and short in orgs and long in orgs and _longer_org_name(short, long, places):
                fold("ORG", short, long)
                break
    for short in [k for k in orgs if k in _PAPER_WORDS]:
        # "the Times" and "The New York Times": the one paper of the story whose name ends in that word
        papers = [k for k in orgs if k.endswith(" " + short)]
        if len(papers) == 1:
            fold("ORG", short, papers[0])
    for site, web in [(k, w) for k in orgs if (w := _web_name(k))]:
        # "MoveOn.org" and "MoveOn": one organisation under its site's name
        plain = [k for k in orgs if k != site and k.replace(" ", "").lower() == web]
        if site in orgs and len(plain) == 1:
            fold("ORG", site, plain[0])
    for short in sorted(orgs, key=len):
        # "Judiciary Committee" and "Senate Judiciary Committee": the long name is the short one under a body the
        # story names on its own, and no other body has a committee of that name here
        longs = [
            k
            for k in orgs
            if k.endswith(" " + short) and len(short.split()) > 1 and k[: -len(short) - 1] in votes
        ]
        if short in orgs and len(longs) == 1:
            fold("ORG", short, longs[0])
    by_country_name: dict[str, list[str]] = defaultdict(list)  # "U.S. Senate" and "United States Senate"
    for name in orgs:
        by_country_name[_country_first(name)].append(name)
    for forms in by_country_name.values():
        keep = max(forms, key=lambda n: (sum(orgs[n].values()), len(n)))
        for form in forms:
            if form != keep:
                fold("ORG", form, keep)
    for name in [k for k in orgs if k.endswith("s") and k[:-1] in orgs]:
        if name in orgs and name[:-1] in orgs:
            fold("ORG", name, name[:-1])  # "Marine Corps Reserves" / "Marine Corps Reserve"
    for short in [k for k in orgs if _acronym(k)]:
        longs = [k for k in orgs if k != short and _initials(k) == _acronym(short)]
        if len(longs) == 1:
            fold("ORG", short, longs[0])

    # Persons: one person under forms that differ by middle names, a suffix or a nickname ("Joseph R. Biden Jr."
    # / "Joe Biden"), then a short form joins the longest full form it begins or ends ("Xi" -> "Xi Jinping").
    persons = per_label.get("PERSON", {})
    by_mentions = sorted(persons, key=lambda n: (-sum(persons[n].values()), -len(n)))
    for forms in _person_groups([n for n in by_mentions if len(n.split()) > 1], persons):
        keep = forms[0]
        for form in forms[1:]:
            fold("PERSON", form, keep)
    target: dict[str, str] = {}
    names = sorted(persons, key=lambda n: (-len(n.split()), -sum(persons[n].values())))
    # a person's full forms, folded ones included: "Dick" begins "Dick Blumenthal", folded into "Richard Blumenthal"
    forms_of = {
        full: [
            _without_suffix(strip_titles(f)).split()
            for f in {full} | aliases.get(("PERSON", full), set())
            if len(strip_titles(f).split()) > 1
        ]
        for full in names
    }
    for name in names:
        words = name.split()
        best = None
        for full in names:
            if full == name:
                continue
            if any(
                len(fw) > len(words) and (fw[: len(words)] == words or fw[-len(words) :] == words)
                for fw in forms_of[full]
            ):
                if best is None or sum(persons[full].values()) > sum(persons[best].values()):
                    best = full
        target[name] = target.get(best, best) if best else name

    if roles and persons:
        resolved = _resolve_roles(material, persons, target)
        for article_id, descriptor, raw in roles:
            role = parse_role(raw)
            person = resolved.get(role) if role else None
            if person is not None:
                persons[person][article_id] += 1
                aliases[("PERSON", person)].add(descriptor)

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


def canonicalize(
    material: StoryMaterial,
) -> tuple[tuple[Entity, ...], tuple[Quote, ...], tuple[Quote, ...]]:
    """Story-wide entities; every quote of the story as shown (speaker replaced by the canonical name, withheld
    where the attribution's confidence is under settings speaker_min_confidence, and one quotation in several
    articles given one speaker, `_agree_across_articles`); and the same quotes before that agreement, each with
    its own article's canonical attribution: where two articles give one quotation to two people, the shown
    quotes withhold both, while this view keeps the disagreement a contradiction check needs."""
    from dataclasses import replace

    from .. import settings

    bar = settings.current().speaker_min_confidence

    from .quotes import speaker_confidence

    entities, alias_map = canonical_entities(material)
    by_surname: dict[str, set[str]] = defaultdict(set)
    for e in entities:
        if e.label == "PERSON" and len(e.name.split()) > 1:
            by_surname[_without_suffix(e.name).split()[-1].lower()].add(e.name)
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
            fills = (
                _surname_fills(by_surname, _surname(speaker))
                if q.attribution and q.attribution.endswith("named_single")
                else set()
            )
            if len(fills) == 1:
                # a lone "Harf" one article never fills out is "Marie Harf" where the story names one such person
                speaker = next(iter(fills))
                route = q.attribution.removesuffix("_single")
                q = replace(q, attribution=route, confidence=speaker_confidence(route))
            if q.confidence is not None and q.confidence < bar:
                # silence over a guess: the quote stays, shown as unattributed with its cue and the words
                # that would have named the speaker, so a reader can decide
                quotes.append(replace(q, speaker=None, affiliation=None))
                continue
            quotes.append(replace(q, speaker=speaker))
    return entities, tuple(_agree_across_articles(quotes, bar)), tuple(quotes)


_QUOTE_WORD = re.compile(r"[a-z0-9']+")


def _quote_words(text: str) -> tuple[str, ...]:
    return tuple(_QUOTE_WORD.findall(text.lower().replace("’", "'")))


def _same_quotation(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One quotation carried by two articles: the shorter's words (five or more) run inside the longer's."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 5:
        return False
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))


def _surname_fills(by_surname: dict[str, set[str]], word: str) -> set[str]:
    """The full names a lone surname can mean: those that end with it, else, for a word of five or more
    letters, those whose surname is one typing slip away ("Cowen" for "William Cowan")."""
    if not word or word in by_surname:
        return by_surname.get(word, set())
    if len(word) < 5:
        return set()
    near = [s for s in by_surname if len(s) >= 5 and DamerauLevenshtein.distance(word, s) == 1]
    return set().union(*(by_surname[s] for s in near)) if near else set()


def _surname(name: str | None) -> str:
    words = strip_titles(clean_name(name or "")).lower().split()
    return words[-1] if words else ""


# Steps of a route that infer the speaker rather than read a name beside the quote.
_INFERRED_STEPS = frozenset(
    (
        "continued",
        "pronoun_chain",
        "pronoun_nearest",
        "owner",
        "role_titled",
        "role_affiliation",
        "named_single",
    )
)


def _inferences(route: str | None) -> int:
    return sum(step in _INFERRED_STEPS for step in (route or "").split(":"))


def _agree_across_articles(quotes: list[Quote], bar: float) -> list[Quote]:
    """One quotation in several articles has one speaker. Where one article names a speaker with confidence and
    another leaves it unattributed or describes it ("a spokesman"), the name is carried over; where two name
    different people, one is wrong: a name the quote's own sentence gives beats one reached by inference (an
    earlier quote's speaker, a "he" read back, a possessive, a role), and names reached in as many steps are
    all withheld. A route's calibrated precision says nothing about which of two is wrong: another outlet's
    "he said" read back to a teammate outranked a named "Quinn said"."""
    from dataclasses import replace

    words = [_quote_words(q.text) for q in quotes]
    named = [
        i
        for i, q in enumerate(quotes)
        if q.speaker
        and (q.confidence is None or q.confidence >= bar)
        and q.speaker[:1].isupper()
        and q.speaker.split()[0].lower() not in {"a", "an", "the", "one"}
    ]
    # A quotation inside another starts with five words the other holds: index every five words once, so a
    # story of many quotes is not compared pair by pair.
    at: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for j, w in enumerate(words):
        for k in range(len(w) - 4):
            at[w[k : k + 5]].add(j)
    same: dict[int, set[int]] = defaultdict(set)
    for i, w in enumerate(words):
        for j in at.get(w[:5], ()) if len(w) >= 5 else ():
            if j != i and _same_quotation(w, words[j]):
                same[i].add(j)
                same[j].add(i)
    named_set = set(named)
    out = list(quotes)
    for i, q in enumerate(quotes):
        if q.attribution == EDITOR:
            continue  # an editor's word on this quote stands (and, named, it outranks every inference)
        others = sorted(j for j in same[i] if j in named_set and quotes[j].article_id != q.article_id)
        if not others:
            continue
        speakers = {quotes[j].speaker for j in others}
        if i not in named:
            if len(speakers) == 1:
                j = others[0]
                out[i] = replace(
                    q,
                    speaker=quotes[j].speaker,
                    affiliation=quotes[j].affiliation,
                    attribution=f"story:{quotes[j].attribution}",
                    confidence=quotes[j].confidence,
                )
            continue
        rivals = [j for j in others if _surname(quotes[j].speaker) != _surname(q.speaker)]
        if any(_inferences(quotes[j].attribution) <= _inferences(q.attribution) for j in rivals):
            out[i] = replace(q, speaker=None, affiliation=None)
    return out
