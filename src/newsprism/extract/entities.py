"""Entity mentions of one article, names resolved within a text, affiliations, and story-wide canonical entities."""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from rapidfuzz.distance import DamerauLevenshtein

from ..records import Entity, EntityMention, Quote, StoryMaterial
from ..text.names import (
    COUNTRY_ALIASES,
    NAME_CONNECTORS,
    ROLE_HEADS,
    TITLE_WORDS,
    clean_name,
    country_name,
    is_country,
    is_name,
    strip_titles,
)

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW"})

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

# Verbs whose subject is a government acting, not a place: "Beijing accused …", "Moscow announced …".
_ACTOR_VERBS = frozenset(
    """say tell state claim accuse announce warn urge deny insist respond reply reject condemn criticize criticise
    demand call vow pledge threaten sanction support back oppose protest sign agree refuse seek want plan propose
    offer promise confirm declare dismiss blame argue assert maintain stress welcome push press ask approve ban
    impose retaliate negotiate insist recognize recognise lodge summon veto""".split()
)
# Nouns a government has: "Beijing's position", "Moscow's support".
_ACTOR_NOUNS = frozenset(
    """position stance support policy policies response view views ties relations relationship demand demands
    claim claims government leadership refusal decision approach backing aid sanctions ally allies partner
    partners diplomacy influence ambitions interests interest push plan plans proposal offer role stand
    reaction statement warning assistance strategy officials envoy ambassador help""".split()
)
# A "leader" of a country is whoever holds one of its top offices.
_TOP_ROLES = frozenset({"president", "premier", "prime", "chancellor", "king", "queen", "leader", "chairman"})
_NOT_CURRENT = frozenset(
    {"former", "late", "then", "ex", "future", "next", "previous", "outgoing", "incoming"}
)
# Verbs a place is the subject of as a place: "Beijing lies …", "Beijing is a city of …".
_PLACE_VERBS = frozenset(
    "be lie sit stand remain become look seem appear experience suffer swelter freeze flood shake".split()
)
_STANCE_ADJECTIVES = frozenset(
    """prepared ready willing unwilling determined eager reluctant keen committed unanimous opposed concerned
    confident adamant firm""".split()
)
# Nouns of dealings between governments: "ties with Beijing", "Moscow's bonds", "talks between …".
_RELATION_NOUNS = frozenset(
    """ties relations relationship bonds bond alliance partnership talks cooperation agreement deal dispute rift
    conflict tensions rivalry friendship negotiations dialogue trade""".split()
)


def gpe_sense(ent) -> str:
    """ "government" when a place name acts, holds a position or is dealt with ("Beijing accused",
    "Beijing's position", "backing Moscow", "ties with Beijing"), else "place" ("in Beijing", "arrived in
    Beijing", "Beijing lies …"): the sense the text makes clear, place by default."""
    root = ent.root
    # A conjunct shares its first conjunct's role: "Moscow and Beijing will deepen …".
    while root.dep_ == "conj" and root.head is not root:
        root = root.head
    head = root.head
    lemma = head.lemma_.lower()
    if root.dep_ == "nsubj":
        if lemma in _PLACE_VERBS:
            # "Beijing is prepared to …", "Moscow and Beijing are unanimous": an attitude is a government's.
            return (
                "government"
                if any(c.lemma_.lower() in _STANCE_ADJECTIVES for c in head.children)
                else "place"
            )
        return "government" if head.pos_ in {"VERB", "AUX"} else "place"
    if root.dep_ in {"nsubjpass", "dobj"}:
        return "government" if lemma in _ACTOR_VERBS else "place"
    if root.dep_ == "poss":
        words = {lemma, head.lower_}
        return "government" if words & _ACTOR_NOUNS or words & _RELATION_NOUNS else "place"
    if root.dep_ == "pobj" and head.lower_ in {"with", "between", "by", "against"}:
        owner = head.head
        if (
            owner.lemma_.lower() in _RELATION_NOUNS
            or owner.lower_ in _RELATION_NOUNS
            or (head.lower_ == "by" and owner.dep_ == "agent")
        ):
            return "government"
    return "place"


def _headline_lines(text: str) -> list[tuple[int, int]]:
    """Title Case or all-caps lines with no closing punctuation: headlines, subheads, photo captions."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group().rstrip()
        words = _LONG_WORD.findall(line)
        if (
            len(words) >= 3
            and line[-1:] not in {".", "!", "?", ":", '"', "”"}
            and sum(w[0].isupper() for w in words) >= 0.8 * len(words)
        ):
            out.append((m.start(), m.start() + len(line)))
    return out


def role_mentions(doc, article_id: str) -> list[EntityMention]:
    """Role descriptors of one person: "the Chinese leader", "China's president", "the Russian foreign minister".

    Label "ROLE": the story-level canonicalisation resolves each to the named person whose title in the text
    matches (same country, same office); unresolved ones name no entity.
    """
    from spacy.attrs import LOWER

    if not len(doc):
        return []
    heads = {doc.vocab.strings.add(w) for w in ROLE_HEADS}
    out = []
    # Only tokens whose lowercase form is a role noun are looked at (no Token objects for the rest).
    for i in [k for k, w in enumerate(doc.to_array([LOWER]).ravel().tolist()) if w in heads]:
        tok = doc[i]
        if (
            tok.lemma_.lower() not in ROLE_HEADS
            or tok.tag_ not in {"NN", "NNP"}
            or tok.ent_type_ == "PERSON"
            or tok.dep_ == "compound"  # "President Xi": a title before a name, the name is the mention
            or any(t.ent_type_ == "PERSON" for t in doc[tok.i + 1 : tok.i + 5])  # "Secretary of State X"
        ):
            continue
        lefts = list(tok.lefts)
        if any(t.lower_ in _NOT_CURRENT for t in lefts):
            continue
        country = None
        for t in lefts:
            if t.dep_ in {"amod", "compound", "poss", "nmod"} and t.ent_type_ in {"NORP", "GPE"}:
                country = t
        if country is None:
            continue
        start = min(t.left_edge.i for t in lefts if t.dep_ in {"det", "amod", "compound", "poss", "nmod"})
        span = doc[start : tok.i + 1]
        if any(t.ent_type_ == "PERSON" for t in span):
            continue
        out.append(EntityMention(article_id, span.start_char, span.end_char, span.text, "ROLE"))
    return out


_DATELINE = re.compile(r"[A-Z][A-Z .'-]{2,40}(?:, [A-Z][A-Za-z.]{1,15})?\s*(?:—|–|-{1,2}|―)\s")


def entity_mentions(doc, article_id: str, text: str | None = None) -> list[EntityMention]:
    """Named-entity mentions of one parsed text, with two corrections of spaCy's labels:

    - a city-like place used as a government ("Beijing accused …", "Beijing's position") is labelled "ORG"
      (its government sense; records have no sense field), while "in Beijing" stays "GPE";
    - a mention in a headline-like line (Title Case or capitals, where spaCy fuses words into names) is kept
      only when its words also occur in the body text;
    and role descriptors ("the Chinese leader") as "ROLE" mentions (see `role_mentions`).
    """
    text = doc.text if text is None else text
    heads = _headline_lines(text)
    body = None
    out = []
    for ent in doc.ents:
        mention = ent.text.rstrip()
        label = ent.label_
        if label not in ENTITY_LABELS or not mention or not any(c.isupper() for c in mention):
            continue  # "democratic": names are capitalised
        start = ent.start_char
        if start and text[start - 1] in "#@":
            continue  # "#TrumpShutdown", "@SenSchumer": a hashtag or a handle, not a name as written
        if label == "ORG" and len(ent) == 1 and _in_title(doc, ent.start):
            continue  # "Secretary of [State]": part of a title, not an organisation
        if heads and any(lo <= start < hi for lo, hi in heads):
            if body is None:
                body = "\n".join(text[a:b] for a, b in _complement(heads, len(text)))
            name = clean_name(mention)
            if not name or not re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", body):
                continue
        if label == "GPE" and not is_country(mention) and gpe_sense(ent) == "government":
            label = "ORG"
        titled = _titled_person(ent) if label in {"ORG", "GPE", "NORP"} else None
        if titled is not None:
            # "Spokesperson Marie Harf" tagged an organisation: a title and a person's name
            start, mention, label = titled.start_char, titled.text, "PERSON"
        given = doc[ent.start - 1] if ent.start else None
        if (
            label == "ORG"
            and len(ent) == 1
            and given is not None
            and given.dep_ == "compound"
            and given.head.i == ent.start
            and given.pos_ == "PROPN"
            and given.is_title
            and not given.ent_type_
            and given.lower_ not in TITLE_WORDS
        ):
            # "Reince Priebus" where the tagger took only "Priebus", for an organisation: a given name and a
            # surname
            start, mention, label = given.idx, text[given.idx : ent.end_char], "PERSON"
        if _DATELINE.match(text, start) and (start == 0 or text[start - 1] == "\n"):
            label = "GPE"  # "HOUSTON — The decision …": a dateline names the place the story was filed from
        out.append(EntityMention(article_id, start, start + len(mention), mention, label))
    out.extend(role_mentions(doc, article_id))
    out.sort(key=lambda m: m.start)
    return out


def _titled_person(ent):
    """The name after the leading title words of an entity span, when it is a given name and a surname
    ("Spokesperson Marie Harf" -> "Marie Harf"), else None."""
    k = 0
    while k < len(ent) and (ent[k].lower_ in TITLE_WORDS or ent[k].lower_ in ROLE_HEADS):
        k += 1
    rest = ent[k:]
    if k == 0 or not 2 <= len(rest) <= 3 or not all(t.pos_ == "PROPN" and t.is_title for t in rest):
        return None
    table = _nicknames()
    given = rest[0].lower_
    return rest if table.nicknames_of(given) or table.canonicals_of(given) else None


def _in_title(doc, i: int) -> bool:
    """Whether token i ends a title "<Secretary|Minister|…> of X" (the X is no entity of its own)."""
    return i >= 2 and doc[i - 1].lower_ == "of" and doc[i - 2].lower_ in TITLE_WORDS | ROLE_HEADS


def _complement(spans: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    out, at = [], 0
    for lo, hi in spans:
        out.append((at, lo))
        at = hi
    out.append((at, n))
    return out


# Role words as written before names or in apposition, and the roles each implies ("the lawmaker" may be a
# senator or a representative; "Sen." is a senator).
_ROLE_IMPLIES = {
    "sen.": {"senator", "lawmaker"}, "senator": {"senator", "lawmaker"}, "rep.": {"representative", "lawmaker"},
    "representative": {"representative", "lawmaker"}, "congressman": {"representative", "lawmaker"},
    "congresswoman": {"representative", "lawmaker"}, "lawmaker": {"lawmaker"},
    "gov.": {"governor"}, "governor": {"governor"}, "president": {"president"}, "mayor": {"mayor"},
    "secretary": {"secretary"}, "spokesman": {"spokesperson"}, "spokeswoman": {"spokesperson"},
    "spokesperson": {"spokesperson"}, "attorney": {"lawyer"}, "lawyer": {"lawyer"}, "counsel": {"lawyer"},
    "nominee": {"nominee", "candidate"}, "candidate": {"candidate"}, "leader": {"leader"},
    "chairman": {"chair"}, "chairwoman": {"chair"}, "chair": {"chair"}, "judge": {"judge"},
    "justice": {"justice", "judge"}, "ambassador": {"ambassador"}, "prosecutor": {"prosecutor"},
    "host": {"host"}, "director": {"director"}, "adviser": {"adviser"}, "advisor": {"adviser"},
    "aide": {"aide"}, "strategist": {"strategist"}, "minister": {"minister"}, "premier": {"premier"},
}  # fmt: skip


def _title_of(doc, k: int) -> bool:
    """Whether token k is the "of" inside a title ("Secretary of State Hillary Clinton"), not "the lawyer of"."""
    return doc[k].lower_ == "of" and k > 0 and doc[k - 1].lower_ in TITLE_WORDS


def pronoun_gender(word: str) -> str | None:
    """ "m" for he/him/his/himself, "f" for she/her/hers/herself, else None."""
    return _PRONOUN_GENDER.get(word.lower())


def _role_words(word: str) -> set[str]:
    return _ROLE_IMPLIES.get(word.lower().strip(), set())


_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.?\s", re.IGNORECASE)
_HONORIFIC_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f"}
_PRONOUN_GENDER = {
    "he": "m",
    "him": "m",
    "his": "m",
    "himself": "m",
    "she": "f",
    "her": "f",
    "hers": "f",
    "herself": "f",
}


# A US party tag right after a name: "Sen. Mitt Romney, R-Utah,", "(D-N.Y.)", "Lamar Alexander, Republican of
# Tennessee": what "the Republican senator" can mean.
_PARTY_AFTER = re.compile(
    r",?\s*\(?(?:([RDI])-[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?\)?(?=[\s,.;)])"
    r"|(Republican|Democrat|Independent)\s+(?:of|from)\s+[A-Z])"
)
_PARTIES = {"R": "Republican", "D": "Democratic", "I": "Independent"}


class NameBook:
    """Person names of one text: resolves a short mention ("Patel", "Xi") to its full form ("Vedant Patel")."""

    def __init__(self, doc, text: str | None = None) -> None:
        self.persons: list[tuple[int, int, str]] = []  # (start, end, cleaned name) in text order
        self._forms: Counter[str] = Counter()
        self._first: dict[str, int] = {}  # where each form is first named
        # "m"/"f" of a mention's honorific ("Mr. Trump"), by the mention's start
        self._honorific_at: dict[int, str] = {}
        self._own_gender: dict[str, str] = {}  # of full forms, from their own mentions (set after the scan)
        self.subjects: set[int] = set()  # starts of person mentions that are clause subjects
        self.affiliation: dict[str, str] = {}
        headline: dict[int, bool] = {}
        text = doc.text if text is None else text  # the caller's copy saves joining every token again
        for ent in doc.ents:
            if ent.label_ != "PERSON" or in_headline(ent, text, headline):
                continue
            name = strip_titles(clean_name(ent.text))
            if not name or not any(c.isalpha() for c in name):
                continue
            self.persons.append((ent.start_char, ent.end_char, name))
            self._forms[name] += 1
            self._first.setdefault(name, ent.start_char)
            honorific = _HONORIFIC.search(text, max(0, ent.start_char - 6), ent.start_char + 5)
            if honorific and honorific.end() >= ent.start_char and honorific.start() <= ent.start_char + 1:
                self._honorific_at[ent.start_char] = _HONORIFIC_GENDER[honorific.group(1).lower()]
            if ent.root.dep_ in {"nsubj", "nsubjpass"} or ent.root.head.dep_ in {"nsubj", "nsubjpass"}:
                self.subjects.add(ent.start_char)
        self._own_gender = {
            form: g
            for form, g in self._genders(doc, text, full_forms_only=True).items()
            if len(form.split()) > 1
        }
        self.gender = self._genders(doc, text)
        self.owned_roles: dict[str, set[tuple[str, str]]] = defaultdict(set)  # (role, owner's last word)
        self.roles = self._roles(doc)
        self.party: dict[str, str] = {}  # from the party tag after a mention ("Mitt Romney, R-Utah")
        for start, end, name in self.persons:
            full = self.full_name(name, start)
            tag = _PARTY_AFTER.match(text, end)
            if tag and full not in self.party:
                self.party[full] = _PARTIES[(tag.group(1) or tag.group(2))[0]]
            if full not in self.affiliation:
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is not None:
                    aff = affiliation_of(span)
                    if aff:
                        self.affiliation[full] = aff

    def _clashes(self, form: str, honorific: str, first_short: int | None) -> bool:
        """Whether a mention with this honorific ("Mr. Trump") cannot be the full form ("Melania Trump"): the
        form's own mentions give another gender, or give none while the bare name was in use before the form
        was introduced ("President Trump … Melania Trump … Mr. Trump")."""
        own = self._own_gender.get(form)
        if own is not None:
            return own != honorific
        return first_short is not None and first_short < self._first.get(form, first_short)

    def _genders(self, doc, text: str, full_forms_only: bool = False) -> dict[str, str]:
        """ "m" or "f" per full name, from this text's own evidence: an honorific before a mention ("Ms. Rice"),
        else the personal pronoun that follows the person as a subject before any other person is named
        ("Rice demurred when asked whether she ..."). No name list: a text says whom its "she" can mean."""
        votes: dict[str, Counter[str]] = {}
        starts = [start for start, _end, _name in self.persons]
        for k, (start, end, name) in enumerate(self.persons):
            if full_forms_only and len(name.split()) < 2:
                continue  # a surname's honorific may be another bearer's ("Mr. Trump" beside Melania Trump)
            full = name if full_forms_only else self.full_name(name, start)
            honorific = self._honorific_at.get(start)
            if honorific is not None:
                votes.setdefault(full, Counter())[honorific] += 2
                continue
            if start not in self.subjects:
                continue
            stop = starts[k + 1] if k + 1 < len(starts) else len(text)
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            sentence_end = span.sent.end_char
            limit = min(stop, sentence_end + 200)
            for token in doc[span.end :]:
                if token.idx >= limit:
                    break
                pronoun = pronoun_gender(token.lower_)
                if pronoun and token.dep_ in {"nsubj", "nsubjpass"}:
                    # a subject "she"; a possessive is often someone else's ("Sanders backed her comments")
                    votes.setdefault(full, Counter())[pronoun] += 1
                    break
        genders = {}
        for full, counter in votes.items():
            (top, n), *rest = counter.most_common(2) + [("", 0)]
            if n > rest[0][1]:
                genders[full] = top
        return genders

    def _roles(self, doc) -> dict[str, set[str]]:
        """The roles the text gives each person: title words before the name ("Gov. Deval Patrick", "Senate
        Majority Leader Mitch McConnell") and a role noun in apposition ("Aitan Goelman, Strzok's lawyer")."""
        roles: dict[str, set[str]] = defaultdict(set)
        for start, end, name in self.persons:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            full = self.full_name(name, start)
            for token in span:  # titles inside the entity ("President Trump")
                roles[full].update(_role_words(token.lower_))
            k = span.start - 1
            while (
                k >= 0
                and k >= span.start - 5
                and (doc[k].pos_ in {"PROPN", "NOUN", "ADJ", "PUNCT"} or _title_of(doc, k))
            ):
                if doc[k].text in {",", "(", ")"}:
                    break
                roles[full].update(_role_words(doc[k].lower_))
                owner = next((c for c in doc[k].children if c.dep_ == "poss"), None)
                if owner is not None:  # "Stone's attorney Grant Smith"
                    self.owned_roles[full].update((w, owner.lower_) for w in _role_words(doc[k].lower_))
                k -= 1
            root = span.root
            for other in [*root.children, root.head]:
                if (other.dep_ == "appos" and other.head.i == root.i) or (
                    root.dep_ == "appos" and other is root.head
                ):
                    roles[full].update(_role_words(other.lemma_.lower()))
                    owner = next((c for c in other.children if c.dep_ == "poss"), None)
                    if owner is not None:  # "Aitan Goelman, Strzok's attorney"
                        self.owned_roles[full].update(
                            (w, owner.lower_) for w in _role_words(other.lemma_.lower())
                        )
        return dict(roles)

    def with_role(
        self, role: str, before: int, affiliation: str | None = None, owner: str | None = None
    ) -> str | None:
        """The last person named before `before` whom the text gives `role` (or one it implies), of the given
        affiliation when the role names one ("the Russian leader" is not "Chinese leader Xi Jinping"; "the
        Republican senator" is one the text tags "R-Utah" or "Republican of Utah"). A role someone holds for
        another ("Stone's attorney", "his lawyer": pass the owner's word) is only a person the text gives that
        role for that owner (any owner, for a pronoun), never a prosecutor or judge."""
        wanted = _role_words(role)
        if not wanted:
            return None
        for start, _end, name in reversed(self.persons):
            if start >= before:
                continue
            full = self.full_name(name, start)
            if owner is not None:
                owned = self.owned_roles.get(full, set())
                if pronoun_gender(owner) or owner in {"their", "its"}:
                    fits = any(w in wanted for w, _ in owned)
                else:
                    fits = any(w in wanted and o == owner.lower() for w, o in owned)
            else:
                fits = bool(wanted & self.roles.get(full, set()))
            if fits and affiliation in (None, self.affiliation.get(full), self.party.get(full)):
                return full
        return None

    def compatible(self, name: str, pronoun: str) -> bool:
        """Whether "he"/"she" can mean the person (unknown gender: yes)."""
        want = pronoun_gender(pronoun)
        have = self.gender.get(name)
        return want is None or have is None or want == have

    def knows(self, name: str) -> bool:
        """Whether the text names this person: a form the NER tagged as a person, or part of one."""
        return strip_titles(clean_name(name)) in self._forms or self.full_name(name) != strip_titles(
            clean_name(name)
        )

    def full_name(self, name: str, before: int | None = None) -> str:
        """The longest name in the text that contains `name` as its leading or trailing words."""
        words = strip_titles(clean_name(name)).split()
        if not words:
            return name
        best, best_key = " ".join(words), (0, False, 0, 0)
        n = len(words)
        honorific = self._honorific_at.get(before) if before is not None else None
        first_short = self._first.get(best)  # where the name as written was first used alone
        for start, _end, form in self.persons:
            fw = form.split()
            if len(fw) <= n or not (fw[-n:] == words or fw[:n] == words):
                continue
            if honorific and self._clashes(form, honorific, first_short):
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
        self, before: int, exclude: Iterable[tuple[int, int]] = (), window: int = 600, pronoun: str = ""
    ) -> tuple[int, int, str] | None:
        """The person a "he"/"she" at `before` most likely means: the last subject nearby, else the last named;
        never one whose gender (see _genders) the pronoun rules out."""
        spans = list(exclude)
        candidates = [
            (start, end, name)
            for start, end, name in reversed(self.persons)
            if end <= before
            and not any(s <= start < e for s, e in spans)
            and self.compatible(self.full_name(name, start), pronoun)
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


def title_right_before(text: str, start: int) -> bool:
    words = text[max(0, start - 24) : start].split()
    return bool(words) and words[-1].lower().strip(",") in TITLE_WORDS


def title_case_line(line: str, share: float = 0.8) -> bool:
    """Whether a line reads as a headline: three or more long words, at least `share` of them capitalised, no
    closing full stop."""
    line = line.rstrip()
    words = _LONG_WORD.findall(line)
    return (
        len(words) >= 3
        and line[-1:] not in {".", "!", "?"}
        and sum(w[0].isupper() for w in words) >= share * len(words)
    )


def in_headline(span, text: str | None = None, cache: dict[int, bool] | None = None) -> bool:
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
    result = title_case_line(text[lo : hi if hi >= 0 else len(text)])
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


@functools.cache
def _nicknames():
    from nicknames import NickNamer

    return NickNamer()


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

    bar = float(settings.get("speaker_min_confidence"))

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
