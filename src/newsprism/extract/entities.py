"""Entity mentions of one article, names resolved within a text, and affiliations (story-wide canonical entities:
canonical.py)."""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from ..records import EntityMention
from ..text.names import (
    ROLE_HEADS,
    TITLE_WORDS,
    clean_name,
    country_name,
    is_country,
    strip_titles,
)

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW"})


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


@functools.cache
def _nicknames():
    from nicknames import NickNamer

    return NickNamer()
