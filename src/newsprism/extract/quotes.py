"""Quotes and their speakers: quotation marks + the dependency parse, plus unmarked block statements.

Recipe (rule based, linear in the text):
1. quotation-mark spans (spans.find_mark_spans), marks included as in PolNeAR's gold;
2. per span, a speech cue outside any quote in the same sentence -- after the quote first when the quote ends
   with a comma-like mark ("…," X said), else before it (X said: "…"), else a preceding sentence ending in ":";
   the speaker is the cue's subject (walking up participles: "…, adding that …" takes the head verb's subject);
3. a quote with no cue of its own continues the previous quote in its paragraph, or in the paragraph before
   when it opens its paragraph;
4. a partial quote inside a clause ("calling it 'deeply problematic'") takes the clause's subject;
5. unmarked statements: a paragraph ending with a speech clause and ":" introduces the next paragraph (kind
   "block"); a paragraph followed by "— Name (@handle) date" is a social post by Name (kind "unmarked").
Speakers resolve within the text: surnames to full names, "he"/"she" to the last named person, "the Russian
leader" to the last person affiliated with Russia, "the statement" to its fuller earlier mention.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import settings
from ..records import Quote
from .entities import (
    TITLE_WORDS,
    NameBook,
    affiliation_of,
    clean_name,
    is_country,
    pronoun_gender,
    strip_titles,
    title_case_line,
    title_right_before,
)
from .spans import MarkSpan, find_mark_spans, parsed_length

CUE_LEMMAS = frozenset(
    """say tell add write state ask declare claim assert note insist continue reply respond explain conclude tweet
    recall read admit acknowledge warn argue announce suggest stress emphasize emphasise urge predict promise
    vow answer observe remark testify concede boast post quip joke complain shout chant exclaim whisper affirm
    reiterate confirm deny mention report describe call comment counter retort pledge proclaim assure caution
    contend maintain point lament highlight underline underscore muse scoff tout charge accuse blast slam praise thank agree yell bark scream
    cry interject echo plead demand beg mouth cheer sing chime shoot brag concede quote wonder cite retaliate
    recommend repeat press recount elaborate surmise fume confess remember question riff mock posit opine allege""".split()
)
# Cue verbs with a non-speech sense too ("the turmoil underscores a need for “calm”", "the hall echoed with
# “New York, New York”"): they introduce speech only from someone who can speak (_can_speak). Not "read" or a
# plain "explain": a sign reads, a website explains (PolNeAR counts both); "explain" only after a relative
# pronoun ("a fact, which explains the current “honeymoon”").
_AGENT_CUES = frozenset({"suggest", "highlight", "underline", "underscore", "echo", "point"})
# Verb + particle pairs that introduce speech though the verb alone does not.
_PHRASAL_CUES = {"go": "on", "cut": "in", "fire": "back", "hit": "back", "pipe": "up", "break": "in"}
# Cues strong enough to introduce an unmarked block statement ("…, stating:").
_BLOCK_CUES = frozenset(
    "say state declare write add note stress emphasize emphasise urge announce read conclude tell".split()
)
_PRONOUNS_PERSON = frozenset({"he", "she", "him", "her"})
_PRONOUNS_OTHER = frozenset({"it", "they", "we", "i", "you", "who", "that", "which"})
_ROLE_NOUNS = frozenset(
    """leader president premier minister secretary spokesman spokeswoman spokesperson chancellor senator governor
    candidate nominee chairman chairwoman chief head diplomat envoy ambassador king queen mayor official aide
    assistant adviser advisor counterpart host guest commander general prosecutor judge founder ceo director
    lawmaker congressman congresswoman representative attorney lawyer strategist""".split()
)
# Things said that name, through an owner, who said them.
_SAYING_NOUNS = frozenset(
    "statement comment remark letter post tweet release apology ad video interview memo email message op-ed essay "
    "column speech response reply testimony".split()
)
_NOT_SPEAKERS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
# Passive verbs whose subject is the one heard speaking: "was quoted as saying", "could be heard shouting".
_REPORTED_VERBS = frozenset({"quote", "hear", "see", "record", "film", "catch", "overhear", "cite"})
_WALK_UP = frozenset(
    {"advcl", "xcomp", "conj", "pcomp", "ccomp", "acl", "prep", "parataxis", "dep", "advmod"}
)
_POST = re.compile(r"[ \t]*[—–-]{1,2}[ \t]*(?P<name>[^\n(@]{2,80}?)[ \t]*\(@\w{1,30}\)[^\n]{0,60}")
_MARK_CHARS = "\"'“”‘’«»„"
_CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af]+")


@dataclass
class _Attribution:
    speaker: str | None
    mention: str | None
    start: int | None
    end: int | None
    cue: str | None
    affiliation: str | None
    route: str = "named"  # how the speaker was found (speaker_confidence.json holds each route's precision)


@dataclass(frozen=True)
class _Resolved:
    name: str | None
    affiliation: str | None
    route: str


class _Text:
    """One parsed text and the lookups the rules share."""

    def __init__(self, text: str, doc, marks: list[MarkSpan]) -> None:
        self.text = text
        self.doc = doc
        self.marks = marks
        self.names = NameBook(doc, text[: parsed_length(doc)])
        self.quote_ranges = [(m.start, m.end) for m in marks]
        self._mark_starts = [m.start for m in marks]
        from spacy.attrs import IDX

        self.tok_idx = doc.to_array([IDX]).ravel().tolist() if len(doc) else []  # no Token objects
        self.ent_of: dict[int, object] = {}
        for ent in doc.ents:
            for i in range(ent.start, ent.end):
                self.ent_of[i] = ent
        self.paragraphs = [m.span() for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
        self._para_starts = [p[0] for p in self.paragraphs]
        self._chunks: list | None = None
        self._sentences: list | None = None
        self._sentence_starts: list[int] = []
        self.title_lines: dict[int, bool] = {}  # line start -> whether it is a Title Case headline
        self.one_word_names: dict[tuple[str, str], str] = {}  # (lookup, word) -> answer: each scans the text
        self.chained: dict[int, str | None] = {}  # pronoun start -> the person the discourse chain gives it
        self.speakers: list[tuple[int, str]] = []  # (mention start, name) of named person speakers so far
        self.quote_heads: dict[int, tuple] = {}  # mark start -> (head token, dep) of the quote (_quote_head)

    def sentences(self) -> list:
        if self._sentences is None:
            self._sentences = list(self.doc.sents)
            self._sentence_starts = [sent.start_char for sent in self._sentences]
        return self._sentences

    def sentence_index(self, offset: int) -> int:
        self.sentences()
        return max(0, bisect_right(self._sentence_starts, offset) - 1)

    def noun_chunks(self) -> list:
        if self._chunks is None:  # spaCy recomputes them on every access
            self._chunks = list(self.doc.noun_chunks)
        return self._chunks

    def in_quote(self, offset: int) -> bool:
        k = bisect_right(self._mark_starts, offset) - 1
        return k >= 0 and offset < self.marks[k].end

    def paragraph_of(self, offset: int) -> int:
        return max(0, bisect_right(self._para_starts, offset) - 1)

    def tokens_between(self, start: int, end: int):
        lo, hi = bisect_left(self.tok_idx, start), bisect_left(self.tok_idx, end)
        return self.doc[lo:hi]

    def token_at(self, offset: int):
        i = bisect_right(self.tok_idx, offset) - 1
        return self.doc[max(0, min(i, len(self.doc) - 1))]


# Verbs that pass judgement in someone's own words ("criticized X for its “secrecy”"), not speech cues elsewhere.
_JUDGING = frozenset("criticize criticise condemn denounce blame dismiss brand label".split())


def _subject(verb, limit: int = 4):
    """The speaker token of a cue verb: its nsubj, the agent of a passive, or the subject up the clause chain."""
    v = verb
    participle = verb.tag_ == "VBG" and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in verb.children)
    relayed = _relayed_speaker(verb)
    if relayed is not None:
        return relayed
    if (
        verb.dep_ == "conj"
        and verb.i > 0
        and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in verb.children)
    ):
        named = verb.doc[verb.i - 1]
        if named.pos_ == "PROPN" and named.ent_type_ in {"PERSON", "ORG"}:
            # "… different standards for class certification and Justice Ruth Bader Ginsburg said …": a name
            # right before a verb the parser hung on an earlier clause is its subject
            return named
    for _ in range(limit):
        if participle and v is not verb and v.dep_ == "ccomp" and v.head.lemma_ in CUE_LEMMAS:
            v = v.head  # "X said [China cannot …, calling it …]": the participle is the sayer's
        if v.lemma_ == "accord":  # "according to X"
            # "Clinton criticized the administration for its “secrecy,” according to The Hill": X reports the
            # judgement, whose words are the judge's. Not after a speech verb: in "Stone, according to the
            # indictment, “on multiple occasions” told Credico" the quoted words are the indictment's
            sayer = [
                c
                for c in v.head.children
                if c.dep_ == "nsubj" and (c.pos_ in {"PROPN", "PRON"} or c.ent_type_ in {"PERSON", "ORG"})
            ]
            if v.dep_ != "ROOT" and v.head.lemma_ in _JUDGING and sayer:
                return sayer[0]
            for prep in v.children:
                if prep.lower_ == "to":
                    for obj in prep.children:
                        if obj.dep_ == "pobj":
                            return obj
        # The subject nearest the verb: a fronted label ("His final assessment: “…,” he said") can parse as a
        # second subject further left.
        subjects = [c for c in v.children if c.dep_ in {"nsubj", "csubj"}]
        if subjects:
            child = min(
                subjects,
                key=lambda c: (c.pos_ not in {"PROPN", "PRON"} and not c.ent_type_, abs(c.i - v.i)),
            )
            if child.lower_ in {"who", "that", "which"} and v.dep_ == "relcl":
                return v.head
            return child
        if v is verb:
            named = _name_after_closing_mark(verb)
            if named is not None:
                return named
        if v is verb and v.tag_ in {"VBD", "VBZ", "VBP"}:
            # "…,” said Putin signing the statement: the parser makes the name the subject of the participle
            for child in v.children:
                if child.dep_ in {"ccomp", "advcl", "xcomp"} and child.tag_ == "VBG" and child.i > v.i:
                    for sub in child.children:
                        if (
                            sub.dep_ == "nsubj"
                            and v.i < sub.i <= v.i + 3
                            and sub.i < child.i
                            and sub.pos_ == "PROPN"
                        ):
                            return sub
        if v is not verb and v.lemma_ in _REPORTED_VERBS:
            # "X was quoted as saying", "a reporter can be heard asking": the passive subject is the speaker.
            for child in v.children:
                if child.dep_ == "nsubjpass":
                    return child
        if v is verb or v.lemma_ in CUE_LEMMAS:
            # An agent names the speaker of the cue itself ("was told by X"), not of a verb conjoined to a
            # passive ("said the move was made by X and said, …").
            for child in v.children:
                if child.dep_ == "agent":
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            return obj
        if v.dep_ == "acl" and v.head.i < v.i:
            noun = v.head
            if v.tag_ in {"VBD", "VBN"} and noun.pos_ == "PROPN" and v.i > 0 and v.doc[v.i - 1].text == ",":
                return (
                    noun  # "Mitt Romney, the nominee, tweeted in response: …" parsed as a clause on the name
                )
            if noun.dep_ in {"dobj", "pobj"} and noun.head.pos_ in {"VERB", "ADP"}:
                v = noun.head if noun.dep_ == "dobj" else noun.head.head  # "she released a statement saying"
                continue
        if v.dep_ not in _WALK_UP or v.head is v:
            return None
        v = v.head
    return None


_CLOSING_MARKS = frozenset({"”", '"', "''", "’"})


def _relayed_speaker(verb):
    """The named speaker of a report the cue passes on: in "“…,” aides said Mr. Ryan told his colleagues" the
    words are Ryan's, whom the cue's own subject only relays."""
    if verb.lemma_ not in CUE_LEMMAS:
        return None
    for clause in verb.children:
        # a verb in lower case: "said on MSNBC's “Andrea Mitchell Reports”" names a show, not a report
        if (
            clause.dep_ == "ccomp"
            and clause.i > verb.i
            and clause.lemma_ in CUE_LEMMAS
            and clause.text.islower()
        ):
            for sub in clause.children:
                if sub.dep_ == "nsubj" and (sub.ent_type_ == "PERSON" or sub.pos_ == "PROPN"):
                    return sub
    return None


def _name_after_closing_mark(verb, reach: int = 25):
    """ "“…,” independent Sen. Angus King of Maine, who caucuses with the Democrats, told reporters": a cue with
    no subject of its own whose quote closes just before it; the parser hung the name on the quote's last verb.
    The first person named between the closing mark and the cue speaks."""
    doc = verb.doc
    k = verb.i - 1
    while k >= 0 and verb.i - k <= reach and doc[k].text not in _CLOSING_MARKS:
        if doc[k].pos_ in {"VERB", "AUX"} and doc[k].dep_ not in {"relcl", "acl", "amod"}:
            return None  # another clause lies between: not a bare name and its apposition
        k -= 1
    if k < 0 or verb.i - k > reach or doc[k].text not in _CLOSING_MARKS:
        return None
    # between the mark and the cue, or right after a cue that follows the mark ("…,” said Mr. Gutiérrez")
    window = doc[k + 1 : verb.i] if k + 1 < verb.i else doc[verb.i + 1 : min(len(doc), verb.i + 4)]
    for tok in window:
        if tok.ent_type_ == "PERSON" and tok.ent_iob_ == "B":
            end = tok.i
            while end + 1 < len(doc) and doc[end + 1].ent_iob_ == "I":
                end += 1
            return doc[end]
    return None


def _main_subject(sent):
    """The subject of a sentence's main clause (its root's nsubj), or None."""
    for child in sent.root.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            return child
    return None


def _other_subject(ctx: _Text, mark: MarkSpan, speaker: str | None) -> bool:
    """Whether a quote inside a sentence stands in a sentence about someone else: in "Mr. Bannon appears to be
    the official described in the court document as “the high-ranking …”" the words are not those of the
    speaker quoted before."""
    if ctx.text[max(0, mark.start - 2) : mark.start].strip() in {"", ".", "!", "?"}:
        return False  # a quote opening its sentence continues the speaker
    subject = _main_subject(ctx.token_at(mark.start).sent)
    if subject is None or subject.idx >= mark.start or subject.pos_ != "PROPN":
        return False
    named = _person_named(ctx, subject)
    return named is not None and named != speaker


def _person_named(ctx: _Text, tok) -> str | None:
    """The full name of the person a subject token names: a PERSON entity, or a proper noun the NER missed
    that is a known person's name elsewhere in the text ("Cowan said …" after "William Cowan")."""
    ent = ctx.ent_of.get(tok.i)
    if ent is not None and ent.label_ == "PERSON":
        return ctx.names.full_name(ent.text, ent.start_char)
    named = _apposed_person(ctx, tok)  # "The press secretary, Sarah Sanders, sought …"
    if named is not None:
        return ctx.names.full_name(named.text, named.start_char)
    if tok.pos_ == "PROPN" and (ent is None or ent.label_ in {"ORG", "GPE", "NORP"}):
        text = ent.text if ent is not None else tok.text
        full = ctx.names.full_name(text, tok.idx)
        if full != strip_titles(clean_name(text)) or any(name == full for _, _, name in ctx.names.persons):
            return full
    return None


def _discourse_antecedent(ctx: _Text, before: int, pronoun: str, depth: int = 0) -> str | None:
    """The person a "he"/"she" at `before` continues: walking back over earlier sentences, the first main-clause
    subject that is a person of a compatible gender, or a pronoun of the same gender whose own chain is
    followed ("Santorum said he never questioned … said he believes Obama is a Christian. “…,” he said":
    Santorum, not Obama, whom the nearer mention names). A sentence led by no person gives the person speaking in
    it; one led by a speaking proper noun that is no known person ("The White House said …") ends the walk. None
    when no such subject lies within the window. A pronoun after its own sentence's subject, in a clause its main
    verb governs, is that subject ("Moore lashed out at what he called …"), where no other person is named
    between."""
    if before in ctx.chained:
        return ctx.chained[before]
    sentences = ctx.sentences()
    window = settings.current().pronoun_window_chars
    found = None
    k = ctx.sentence_index(before)
    own = _main_subject(sentences[k]) if k < len(sentences) else None
    candidate = None
    if own is not None and own.idx < before and not ctx.in_quote(own.idx) and _under_main_clause(ctx, before):
        candidate = own
    elif own is not None and own.idx == before and k < len(sentences):
        # the pronoun leads the main clause, after a clause of its own sentence that a person leads ("Asa
        # Hutchinson, who led the review, appeared to ease off … -- he said it's “important”")
        earlier = [
            t
            for t in sentences[k]
            if t.idx < before
            and t.dep_ in {"nsubj", "nsubjpass"}
            and t.lower_ not in _PRONOUNS_OTHER
            and not ctx.in_quote(t.idx)
        ]
        candidate = earlier[-1] if earlier else None
    person = _person_named(ctx, candidate) if candidate is not None else None
    if (
        person is not None
        and ctx.names.compatible(person, pronoun)
        and not _another_person_between(ctx, candidate.idx + len(candidate.text), before, person, pronoun)
    ):
        ctx.chained[before] = person
        return person
    for sent in reversed(sentences[:k]):
        if before - sent.end_char > window:
            break
        subject = _main_subject(sent)
        if subject is None or ctx.in_quote(subject.idx):
            continue
        person = _person_named(ctx, subject)
        if person is None and subject.pos_ == "PROPN" and _is_cue(sent.root):
            # "Trump tweeted …" with "Trump" tagged as no person: a speaker the chain cannot check stands
            # between the pronoun and any earlier person
            break
        if person is not None and _object_pronoun_like(sent, pronoun):
            # "Crowley asked her if … She said: …": the "her" a subject's own verb takes is someone else, and the
            # later "she" continues her
            continue
        if person is not None:
            if ctx.names.compatible(person, pronoun):
                # another person named in a sentence in between competes; one in the pronoun's own sentence
                # ("Describing his talks with Xi …, he outlined") does not outrank the last subject
                own = sentences[k].start_char if k < len(sentences) else before
                between = _another_person_between(ctx, sent.end_char, min(own, before), person, pronoun)
                found = None if between else person
                break
            continue
        if (
            subject.lower_ in _PRONOUNS_PERSON
            and pronoun_gender(subject.lower_) == pronoun_gender(pronoun)
            and depth < 12
        ):
            # "Trump tweeted Tuesday he's not sure …" (parsed with "he" as the main subject): the person who
            # reports the clause is its "he"
            found = _reporter_before(ctx, sent, subject.i, pronoun) or _discourse_antecedent(
                ctx, subject.idx, pronoun, depth + 1
            )
            break
        if (
            person is None
            and subject.lower_ not in _PRONOUNS_PERSON
            and sent.end == sentences[k - 1].end
            and ctx.paragraph_of(sent.start_char) == ctx.paragraph_of(before)
        ):
            named = _object_person(ctx, sent)
            if named is not None and ctx.names.compatible(named, pronoun):
                # "That did not satisfy Justice Scalia. “…,” he said": no person leads the sentence, and the one
                # its verb acts on is the one who answers
                found = named
                break
        if subject.lower_ in _PRONOUNS_PERSON or (
            subject.lower_ in _PRONOUNS_OTHER and subject.lower_ not in {"it", "that", "this"}
        ):
            continue
        # "Members … began their calls …, when Senate Majority Leader Mitch McConnell suggested …"; "That's how
        # John Skipper characterized the claims": no person leads the sentence, and the one who speaks in it is
        # the last speaker before the pronoun
        speaking = _reporter_before(ctx, sent, sent.end, pronoun)
        if speaking is None and subject.lower_ in _PRONOUNS_OTHER:
            continue
        if speaking is not None:
            own = sentences[k].start_char if k < len(sentences) else before
            between = _another_person_between(ctx, sent.end_char, min(own, before), speaking, pronoun)
            found = None if between else speaking
            break
    ctx.chained[before] = found
    return found


def _object_pronoun_like(sent, pronoun: str) -> bool:
    """Whether the sentence's main verb takes a personal pronoun of the pronoun's gender as its object."""
    gender = pronoun_gender(pronoun)
    return gender is not None and any(
        c.dep_ in {"dobj", "dative"} and c.lower_ in {"him", "her"} and pronoun_gender(c.lower_) == gender
        for c in sent.root.children
    )


def _object_person(ctx: _Text, sent) -> str | None:
    """The one person a sentence's main verb acts on ("That did not satisfy Justice Scalia"), when its subject is
    no person and it names nobody else."""
    if _is_cue(sent.root) or any(ctx.in_quote(t.idx) for t in sent):
        return None
    objects = [c for c in sent.root.children if c.dep_ == "dobj" and c.pos_ == "PROPN"]
    if len(objects) != 1:
        return None
    ent = ctx.ent_of.get(objects[0].i)
    if any(e.label_ == "PERSON" and e != ent for e in sent.ents):
        return None
    return _person_named(ctx, objects[0])


def _reporter_before(ctx: _Text, sent, until: int, pronoun: str) -> str | None:
    """The last person of a compatible gender who is the subject of a cue verb in `sent` before token `until`."""
    found = None
    for tok in sent:
        if tok.i >= until:
            break
        if tok.dep_ == "nsubj" and _is_cue(tok.head) and not ctx.in_quote(tok.idx):
            person = _person_named(ctx, tok)
            if person is not None and ctx.names.compatible(person, pronoun):
                found = person
    return found


def _apposed_person(ctx: _Text, tok):
    """The PERSON entity in apposition to a token, outside any quotation, or None."""
    for appos in tok.children:
        named = ctx.ent_of.get(appos.i) if appos.dep_ == "appos" else None
        if named is not None and named.label_ == "PERSON" and not ctx.in_quote(named.start_char):
            return named
    return None


def _under_main_clause(ctx: _Text, at: int) -> bool:
    """Whether the word at `at` sits in a clause its sentence's main verb governs through complements and
    relatives ("Moore lashed out at what he called …"), not in an adverbial clause ("… grabbed the student after
    he asked …"), which brings in its own participants."""
    token = ctx.token_at(at)
    while token.head.i != token.i:
        if token.dep_ == "advcl":
            return False
        token = token.head
    return True


def _another_person_between(ctx: _Text, lo: int, hi: int, person: str, pronoun: str) -> bool:
    """Whether the text names another person the pronoun could mean between the chain's subject and the pronoun
    ("Then there was Sen. Bob Menendez's response. He …" after a sentence about Gillibrand): the chain is then a
    guess, and the plain nearest-person route, with its lower confidence, decides."""
    for start, _end, name in ctx.names.persons:
        if lo <= start < hi and not ctx.in_quote(start):
            other = ctx.names.full_name(name, start)
            if other != person and ctx.names.compatible(other, pronoun):
                return True
    return False


def _mention_span(ctx: _Text, tok):
    """The words that name the speaker: the entity, the named apposition, or the noun phrase (with conjuncts)."""
    doc = ctx.doc
    ent = ctx.ent_of.get(tok.i)
    if ent is None:
        for child in tok.children:
            if child.dep_ == "appos" and ctx.ent_of.get(child.i) is not None:
                app = ctx.ent_of[child.i]
                if app.label_ in {"PERSON", "ORG"}:
                    return app
    if ent is not None and ent.label_ in {"PERSON", "ORG", "GPE", "NORP", "FAC"}:
        span = ent
    elif tok.pos_ == "PROPN":
        left = tok.i
        while left > 0 and doc[left - 1].pos_ == "PROPN" and doc[left - 1].head.i == tok.i:
            left -= 1
        span = doc[left : tok.i + 1]
    else:
        left = tok.i
        for child in tok.lefts:
            if child.dep_ in {"det", "amod", "compound", "poss", "nummod", "nmod", "case"}:
                left = min(left, child.left_edge.i)
        span = doc[left : tok.i + 1]
    conj = [c for c in tok.children if c.dep_ == "conj"]
    if conj:
        last = conj[-1]
        end = ctx.ent_of[last.i].end if last.i in ctx.ent_of else last.i + 1
        span = doc[span.start : max(span.end, end)]
    return span


def _makers(tok) -> list:
    """Who a thing said is from, one per "from"/"by" it takes (None where the preposition has no object): "a
    statement from the committee", "a statement by Francesca Grifo"."""
    return [
        next((c for c in prep.children if c.dep_ == "pobj"), None)
        for prep in tok.children
        if prep.dep_ == "prep" and prep.lower_ in {"from", "by"}
    ]


def _resolve(ctx: _Text, tok, span, before: int) -> _Resolved:
    """The speaker a subject token and its mention span name, and by which route."""
    lower = tok.lower_
    names = ctx.names
    if lower in _PRONOUNS_PERSON:
        chained = _discourse_antecedent(ctx, before, lower)
        if chained is not None:
            return _Resolved(chained, names.affiliation.get(chained), "pronoun_chain")
        window = settings.current().pronoun_window_chars
        last = names.last_person(before, ctx.quote_ranges, window, pronoun=lower)
        # A named speaker the NER did not tag as a person ("… ,” Bozell points out. “…?” he asks) is a
        # later antecedent than the last tagged name.
        k = bisect_left(ctx.speakers, (before, "")) - 1
        if (
            k >= 0
            and before - ctx.speakers[k][0] <= window
            and (last is None or ctx.speakers[k][0] > last[0])
            and names.compatible(ctx.speakers[k][1], lower)
        ):
            name = ctx.speakers[k][1]
            return _Resolved(name, names.affiliation.get(name), "pronoun_speaker")
        if last is None:
            return _Resolved(None, None, "pronoun")
        return _Resolved(last[2], names.affiliation.get(last[2]), "pronoun_nearest")
    if lower in _PRONOUNS_OTHER:
        return _Resolved(None, None, "pronoun")
    if tok.lemma_ in _SAYING_NOUNS:
        # "her comments", "a statement from the committee", "Mr. Braley's apology": whoever made it speaks
        owner = next((c for c in tok.children if c.dep_ == "poss"), None)
        if owner is None and (makers := _makers(tok)):
            owner = makers[-1]
        if owner is not None and owner.i != tok.i:
            owner_span = _mention_span(ctx, owner)
            owned = _resolve(ctx, owner, owner_span, owner_span.start_char)
            return _Resolved(owned.name, owned.affiliation, f"owner:{owned.route}")
    named = _apposed_person(ctx, tok)
    if named is not None:
        # "Another leading Dem, Sen. Kirsten Gillibrand, said": the apposition names the speaker
        full = names.full_name(named.text, named.start_char)
        return _Resolved(full, affiliation_of(named) or names.affiliation.get(full), "apposition")
    ent = ctx.ent_of.get(span[-1].i)
    if ent is not None and ent.label_ in _NOT_SPEAKERS:
        # "October praising …": a date, an amount, an ordinal speaks for no one
        return _Resolved(None, None, "not_a_speaker")
    if ent is not None and (ent.start, ent.end) != (span.start, span.end):
        ent = None
    if ent is not None and ent.label_ == "PERSON":
        full = names.full_name(ent.text, ent.start_char)
        return _Resolved(full, affiliation_of(ent) or names.affiliation.get(full), _named_route(ctx, full))
    if ent is not None:
        name = clean_name(ent.text)
        given = [t for t in tok.lefts if t.dep_ == "compound" and t.pos_ == "PROPN" and t.i == ent.start - 1]
        if len(ent) == 1 and given and ctx.ent_of.get(given[0].i) is None and given[0].is_title:
            # "Reince Priebus" where the tagger took only "Priebus" for an organisation
            name = f"{given[0].text} {name}"
        full = names.full_name(name, ent.start_char) if len(name.split()) == 1 else name
        full = _filled_out(ctx, full) if full == strip_titles(name) else full
        if full != strip_titles(name):
            # "Christie said" tagged an organisation where the text names "Chris Christie"
            return _Resolved(full, names.affiliation.get(full), "named")
        return _Resolved(name, None, _named_route(ctx, name))
    if tok.pos_ == "PROPN":
        full = _filled_out(ctx, names.full_name(span.text, span.start_char))
        return _Resolved(full, affiliation_of(span) or names.affiliation.get(full), _named_route(ctx, full))
    if span.text[:1].islower() or span[0].dep_ in {"det", "poss"} or tok.lemma_ in _ROLE_NOUNS:
        named = _name_closing_title(ctx, tok)
        if named is not None:
            # "former U.S. attorney for the District of Columbia Joseph diGenova blasted …": a long title, then
            # the name
            full = names.full_name(named.text, named.start_char)
            return _Resolved(full, names.affiliation.get(full), "named")
        if tok.lemma_ in _ROLE_NOUNS and span[0].lower_ not in {"a", "an", "one", "some", "another"}:
            # "the governor": the last person the text gives that role ("Gov. Deval Patrick"); a role the text
            # gives no one stays a description rather than a guess, unless it names a country's office
            # ("the Russian leader": the last person affiliated with Russia).
            want = affiliation_of(span)
            # "Stone's attorney": the owner's last word ("Roger Stone's" -> "stone"), or the pronoun ("his")
            owner = next((c for c in tok.children if c.dep_ == "poss"), None)
            owner_ent = ctx.ent_of.get(owner.i) if owner is not None else None
            if owner_ent is not None and owner_ent.label_ == "PERSON":
                owner = owner_ent[-1]
            titled = names.with_role(
                tok.lemma_, before, affiliation=want, owner=None if owner is None else owner.lower_
            )
            if titled is not None:
                return _Resolved(titled, names.affiliation.get(titled) or want, "role_titled")
            if want is None or not is_country(want):
                # "the Republican senator" is any of the party's senators; "the Russian leader" is one person
                return _Resolved(_described(ctx, tok, span, span.text), want, "description")
            for start, _end, name in reversed(names.persons):
                if start >= before or ctx.in_quote(start):
                    continue
                full = names.full_name(name, start)
                if names.affiliation.get(full) == want:
                    return _Resolved(full, want, "role_affiliation")
            return _Resolved(_described(ctx, tok, span, span.text), want, "description")
        # "the statement": its fuller earlier mention ("The joint statement"), else the words themselves; where
        # that mention is an organisation's name ("the Democratic committee" after "the Democratic National
        # Committee"), the organisation.
        best, named = span.text, None
        words = {t.lower_ for t in span if t.dep_ not in {"det", "poss"}}
        for chunk in ctx.noun_chunks():
            if chunk.start_char >= span.start_char:
                break
            if (
                chunk.root.lemma_.lower() == tok.lemma_.lower()
                and len(chunk) > len(best.split())
                and words <= {t.lower_ for t in chunk}
                and not ctx.in_quote(chunk.start_char)
            ):
                best = chunk.text
                ent = ctx.ent_of.get(chunk.root.i)
                named = clean_name(ent.text) if ent is not None and ent.label_ == "ORG" else None
        if named is not None:
            return _Resolved(named, affiliation_of(span), "description")
        return _Resolved(_described(ctx, tok, span, best), affiliation_of(span), "description")
    text = clean_name(span.text)
    if text and tok.pos_ not in {"PROPN", "X"} and not any(t.pos_ == "PROPN" for t in span):
        # "Many used the same language": a capital from the sentence start on a word that names no one
        return _Resolved(text[0].lower() + text[1:], affiliation_of(span), "description")
    return _Resolved(text or None, affiliation_of(span), _named_route(ctx, text) if text else "none")


def _in_title_line(ctx: _Text, offset: int) -> bool:
    """Whether the line holding `offset` is a Title Case headline, judged on its words outside quotation marks
    ("“Greatest Witch Hunt in the History of our Country!” he wrote" is a sentence)."""
    lo = ctx.text.rfind("\n", 0, offset) + 1
    if lo not in ctx.title_lines:
        hi = ctx.text.find("\n", offset)
        hi = len(ctx.text) if hi < 0 else hi
        outside, at = [], lo
        for start, end in ctx.quote_ranges:
            if end <= lo or start >= hi:
                continue
            outside.append(ctx.text[at : max(at, start)])
            at = max(at, end)
        outside.append(ctx.text[at:hi])
        # every word capitalised, the verb too: "House Speaker Nancy Pelosi, D-Calif., tweeted, “…”" is a sentence
        ctx.title_lines[lo] = title_case_line(" ".join(outside).strip(), share=1.0)
    return ctx.title_lines[lo]


_GIVEN_AND_NAME = r"(?<![\w.])([A-Z][a-z]{2,})\s+"


def _filled_out(ctx: _Text, name: str) -> str:
    """A one-word name filled out by the one given name the text writes before it outside any organisation or
    place ("Minor" -> "Demetrios Minor" where the tagger read "Demetrios Minor" as no person); else `name`."""
    if len(name.split()) != 1 or not name[:1].isupper():
        return name
    if ("filled", name) not in ctx.one_word_names:
        ctx.one_word_names[("filled", name)] = _fill_out(ctx, name)
    return ctx.one_word_names[("filled", name)]


def _fill_out(ctx: _Text, name: str) -> str:
    found = set()
    for m in re.finditer(_GIVEN_AND_NAME + re.escape(name) + r"(?!\w)", ctx.text):
        given = m.group(1)
        tok = ctx.token_at(m.start(1))
        before = re.search(r"([A-Z][a-z]+)[ \t]+$", ctx.text[max(0, m.start(1) - 30) : m.start(1)])
        if (
            given.lower() in TITLE_WORDS
            or (before is not None and before.group(1).lower() not in TITLE_WORDS)  # "New York Times"
            or tok.is_sent_start
            or tok.ent_type_ in {"ORG", "GPE", "LOC", "FAC", "NORP", "DATE", "EVENT"}
            or ctx.in_quote(m.start())
        ):
            continue
        found.add(given)
    return f"{found.pop()} {name}" if len(found) == 1 else name


def _named_route(ctx: _Text, name: str) -> str:
    """ "named" for a full name or a titled one ("Mr. Trump"); "named_single" for one word the text never fills
    out nor titles ("said Cowen" where the text writes "William Cowan", "The Hill" cut to "Hill"): a typo, a
    clipped name or a word taken for one, whose own precision decides whether it is shown."""
    if len(name.split()) > 1:
        return "named"
    if ("route", name) not in ctx.one_word_names:
        titled = any(
            title_right_before(ctx.text, found.start())
            for found in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", ctx.text)
        )
        ctx.one_word_names[("route", name)] = "named" if titled else "named_single"
    return ctx.one_word_names[("route", name)]


def _name_closing_title(ctx: _Text, tok):
    """The PERSON entity that ends a role noun's phrase straight after another proper noun, with no preposition
    or comma before it ("attorney for the District of Columbia Joseph diGenova"), else None; "a lawyer for
    Roger Stone" names the lawyer's client, not the lawyer."""
    if tok.lemma_ not in _ROLE_NOUNS:
        return None
    ent = ctx.ent_of.get(tok.right_edge.i)
    if ent is None or ent.label_ != "PERSON" or ent.end - 1 != tok.right_edge.i or ent.start <= tok.i + 1:
        return None
    before = ctx.doc[ent.start - 1]
    if before.pos_ != "PROPN" or before.lower_.rstrip(".") in TITLE_WORDS or before.ent_type_ == "PERSON":
        return None
    if any(t.text == "," for t in ctx.doc[tok.i : ent.start]) or ctx.in_quote(ent.start_char):
        return None
    return ent


def _described(ctx: _Text, tok, span, words: str) -> str:
    """A speaker given as a description, in lower case where only the sentence start capitalised it, with the
    organisation it belongs to ("officials with the Democratic National Committee")."""
    words = re.sub(r"\s+", " ", words).strip()
    if words[:4].lower() == "the ":
        words = "the " + words[4:]
    elif span[0].is_sent_start and span[0].pos_ != "PROPN":
        words = words[:1].lower() + words[1:]
    return words + _whose(ctx, tok)


def _whose(ctx: _Text, tok) -> str:
    """ " with the Democratic National Committee" for "officials with the Democratic National Committee": the
    organisation a described speaker belongs to, so the description says whose officials spoke."""
    for prep in tok.children:
        if prep.dep_ != "prep" or prep.lower_ not in {"with", "at", "for", "from", "of"}:
            continue
        obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        ent = ctx.ent_of.get(obj.i) if obj is not None else None
        if ent is not None and ent.label_ in {"ORG", "GPE", "NORP"} and not ctx.in_quote(ent.start_char):
            det = "the " if "the" in {ent[0].lower_, ctx.doc[ent.start - 1].lower_} else ""
            return f" {prep.lower_} {det}{clean_name(ent.text)}"
    return ""


def _can_speak(ctx: _Text, tok) -> bool:
    """A person, an institution, a pronoun for one, or a role ("the spokesman")."""
    ent = ctx.ent_of.get(tok.i)
    if ent is not None:
        return ent.label_ in {"PERSON", "ORG", "GPE", "NORP"}
    return tok.pos_ == "PROPN" or tok.lower_ in _PRONOUNS_PERSON or tok.lemma_ in _ROLE_NOUNS


def _attribution_from_cue(
    ctx: _Text, cue, lo: int | None = None, agent_only: bool = False
) -> _Attribution | None:
    """The speaker of a cue verb; the subject must lie in the cue's paragraph (or after `lo`)."""
    subj = (
        cue if cue.pos_ == "PROPN" or (cue.ent_type_ and cue.pos_ not in {"VERB", "AUX"}) else _subject(cue)
    )
    if subj is None or ctx.in_quote(subj.idx):
        return None
    if cue.lemma_ == "explain" and any(c.dep_ == "relcl" for c in subj.children):
        agent_only = True  # "a fact, which explains the current “honeymoon”" (see _AGENT_CUES)
    if lo is None:
        lo = ctx.paragraphs[ctx.paragraph_of(cue.idx)][0]
    hi = ctx.paragraphs[ctx.paragraph_of(cue.idx)][1]
    if not lo <= subj.idx < hi or (agent_only and not _can_speak(ctx, subj)):
        return None
    span = _mention_span(ctx, subj)
    if ctx.in_quote(span.start_char):
        return None
    resolved = _resolve(ctx, subj, span, span.start_char)
    if _in_title_line(ctx, span.start_char):
        # a Title Case headline ("Liberals Fume At 'Worst Negotiator' Schumer") parses as no sentence does
        resolved = _Resolved(None, None, "headline")
    speaker, aff = resolved.name, resolved.affiliation
    ent = ctx.ent_of.get(subj.i)
    if (
        speaker
        and subj.pos_ == "PROPN"
        and (ent is None or ent.label_ == "PERSON")
        and (ent is not None or len(speaker.split()) > 1 or ctx.names.knows(speaker))
    ):
        # a later "he" may mean this speaker; a lone untagged word ("the Code … says") is no person
        if not ctx.speakers or ctx.speakers[-1][0] < span.start_char:
            ctx.speakers.append((span.start_char, speaker))
    cue_text = ":" if subj is cue else cue.text
    if cue.lemma_ == "accord":
        cue_text = "according to"
    return _Attribution(speaker, span.text, span.start_char, span.end_char, cue_text, aff, resolved.route)


def _is_cue(tok) -> bool:
    if tok.lemma_ == "accord":
        return tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to"
    if tok.lemma_ == "put":  # "as X put it"
        return tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "it"
    if tok.lemma_ in _PHRASAL_CUES and tok.pos_ == "VERB":  # "Trump went on", "her husband cut in"
        return any(c.dep_ == "prt" and c.lower_ == _PHRASAL_CUES[tok.lemma_] for c in tok.children)
    return tok.lemma_.lower() in CUE_LEMMAS and tok.pos_ in {"VERB", "AUX"}


def _inner(text: str, mark: MarkSpan) -> str:
    """The words between the marks (a mark may be two characters: `''`)."""
    return text[mark.start : mark.end].strip().strip(_MARK_CHARS).strip()


def _sentence_bounds(ctx: _Text, offset: int) -> tuple[int, int]:
    sent = ctx.token_at(offset).sent
    return sent.start_char, sent.end_char


def _cue_near(ctx: _Text, k: int) -> list:
    """Candidate cue verbs for mark span k, best first."""
    mark = ctx.marks[k]
    prev_end = ctx.marks[k - 1].end if k > 0 else 0
    next_start = ctx.marks[k + 1].start if k + 1 < len(ctx.marks) else len(ctx.text)
    s_start, _ = _sentence_bounds(ctx, mark.start)
    _, s_end = _sentence_bounds(ctx, max(mark.start, mark.end - 1))
    para = ctx.paragraphs[ctx.paragraph_of(mark.start)]
    after = [t for t in ctx.tokens_between(mark.end, min(next_start, s_end, para[1])) if _is_cue(t)]
    tail = ctx.text[max(mark.start, mark.end - 3) : mark.end]
    if not after and s_end <= mark.end + 1 and any(c in tail for c in ",?!—–"):
        # spaCy may end the sentence at the closing mark: "…?” Sanders replied. Look a few words on -- but
        # not after a quote closed by a full stop, where the next sentence ("Greene added that …") says more.
        nxt = ctx.tokens_between(mark.end, min(next_start, para[1]))[:6]
        after = [t for t in nxt if _is_cue(t)]
    if not after and tail.rstrip("\"'”’ ").endswith("."):
        # '"… from Speaker Boehner." Durbin said.': a short sentence of a name and a cue after a quote closed
        # by a full stop attributes it (a longer one, "Greene added that …", says more)
        nxt = ctx.tokens_between(mark.end, min(next_start, para[1]))[:7]
        end = next((i for i, t in enumerate(nxt) if t.text in {".", "!", "?"}), None)
        if end is not None and 2 <= end <= 5 and nxt[0].pos_ == "PROPN":
            after = [t for t in nxt[:end] if _is_cue(t)]
    before = [t for t in ctx.tokens_between(max(prev_end, s_start, para[0]), mark.start) if _is_cue(t)]
    head, dep = _quote_head(ctx, mark)
    if _names_addressee(head, dep):
        before = [t for t in before if t.i != head.i]
        after = [t for t in after if t.i != head.i]
    elif (
        head is not None
        and dep in {"dobj", "ccomp", "xcomp"}
        and _is_cue(head)
        and s_start <= head.idx < s_end
        and not ctx.in_quote(head.idx)
    ):
        # "When Beck asked …, someone shouted “President Obama,” though Beck said …": the verb whose object the
        # quote is says it, whatever other cues the sentence holds, and across an earlier quote of the sentence
        # ("told Credico (“Person 2”) that he should “do a ‘Frank Pentangeli’”")
        return [head] + [t for t in before[::-1] + after if t.i != head.i]
    inner = ctx.text[max(mark.start, mark.end - 3) : mark.end]
    comma_end = any(c in inner for c in ",?!—–-") or not mark.closed
    if after and before and _governs(ctx, before[-1], mark) and not _governs(ctx, after[0], mark):
        # "Akin said … from a “legitimate rape,” comments condemned by Mr. Romney, who called …": the verb whose
        # clause holds the quote says it, not a later one the comma happens to precede
        return before[::-1] + after
    if after and not comma_end:
        # "calls for Schumer to “stand strong” Sunday night, when McConnell suggested …": a quote that no comma
        # hands to a later cue is that cue's only when the cue's clause holds it or follows at once
        after = [
            t
            for t in after
            if t.lemma_ == "accord" or _governs(ctx, t, mark) or len(ctx.tokens_between(mark.end, t.idx)) <= 3
        ]
    if after and (comma_end or not before):
        return after + before[::-1]
    return before[::-1] + after


def _quote_head(ctx: _Text, mark: MarkSpan):
    """The one word outside the quote that its words hang from, and how, when there is exactly one (asked for
    by the cue search, the title check and the clause fallback: worked out once per quote)."""
    if mark.start not in ctx.quote_heads:
        span = ctx.doc.char_span(mark.start, mark.end, alignment_mode="expand")
        outside = (
            {
                (t.head.i, t.dep_)
                for t in span
                if not (t.is_punct or t.is_space) and not span.start <= t.head.i < span.end
            }
            if span is not None
            else set()
        )
        if len(outside) == 1:
            i, dep = outside.pop()
            ctx.quote_heads[mark.start] = (ctx.doc[i], dep)
        else:
            ctx.quote_heads[mark.start] = (None, None)
    return ctx.quote_heads[mark.start]


def _names_addressee(head, dep) -> bool:
    """Whether the quote is whom a verb of telling addresses: "Stone told “senior Trump campaign officials” about
    …" holds whom he told, in a document's words, not what he said."""
    return head is not None and head.lemma_ == "tell" and dep in {"dobj", "dative"}


_TITLE_SMALL_WORDS = frozenset({"a", "an", "the", "of", "and", "on", "in", "for", "to", "with", "at"})
# Words that announce the marks hold a name or a word being talked about, not words someone said.
_MENTIONED = re.compile(
    r"(?:\bthe\s+(?:[a-z]+\s+){0,2}(?:words?|terms?|phrases?|motto|slogan|label|nickname|alias|hashtag|headline|title|name|definition\s+of)"
    r"|\bnicknamed|\b(?:referred\s+to|known)\s+as(?:\s+an?)?"
    r"|\b(?:video|film|book|show|song|program|programme|segment|movie|documentary|series|album|play|column|"
    r"essay|article|report)\s+(?:called|titled|entitled|named))\s*,?\s*$",
    re.IGNORECASE,
)


_USED_WORD = re.compile(
    r"(?P<verb>\b(?:us(?:e|ed|es|ing)|repeat(?:ed|s|ing)?|utter(?:ed|s|ing)?|invok(?:ed|es|ing|e))\s+)"
    r"the\s+(?:[a-z]+\s+){0,2}(?:words?|terms?|phrases?)\s*,?\s*$",
    re.IGNORECASE,
)
_NOT_BEFORE = re.compile(
    r"(?:\bnot|n[’']t|\bnever|\bno longer|\bfail\w*|\brefus\w*|\bavoid\w*)\s+(?:\w+\s+){0,2}$"
)


def _mentioned(text: str, start: int) -> bool:
    """Whether the words before `start` announce a mentioned word or a name. A word its subject used ("when he
    used the word “theology”") is that speaker's; one not used ("his failure to use the word “God”") is not."""
    lead = text[max(0, start - 60) : start]
    if not _MENTIONED.search(lead[-40:]):
        return False
    used = _USED_WORD.search(lead)
    return used is None or _NOT_BEFORE.search(lead[: used.start("verb")]) is not None


def _names_a_work(ctx: _Text, mark: MarkSpan, previous: MarkSpan | None = None) -> bool:
    """Marks around a name or a mentioned word, not speech: a title after a possessive or a preposition (ABC's
    “This Week”, said on “Fox News Sunday”), one that a noun or verb takes as a name (“Glee” actress, “Atlas
    Shrugged” triggered his interest), a word announced as such (the word “God”, referred to as a “score”,
    a video called “…”), and one coordinated with such a mention (the word “God” and “Creator”)."""
    text = ctx.text
    lead = text[max(0, mark.start - 40) : mark.start]
    if _mentioned(text, mark.start):
        return True
    if previous is not None and re.fullmatch(r"\s*(?:and|or|,)\s*", text[previous.end : mark.start]):
        if _mentioned(text, previous.start):
            return True
    words = _inner(text, mark).rstrip(".,!?").split()
    if not 1 <= len(words) <= 6 or not all(w[:1].isupper() or w in _TITLE_SMALL_WORDS for w in words):
        return False
    if re.search(r"\w(?:['’]s?)\s*$", text[max(0, mark.start - 20) : mark.start]):
        return True
    if lead.rstrip()[-1:] in {"", ".", "!", "?", ":", '"', "”"} or "\n" in lead[-3:]:
        return False  # opens its sentence: “Thank You,” he said
    head, dep = _quote_head(ctx, mark)
    if head is None or _is_cue(head) or head.lemma_ in _LABEL_CUES or re.search(r"\bas\s*$", lead):
        return False  # a cue's words or label: "called him “Crooked Hillary”"
    # a name a noun takes (“Glee” actress, his show, “Huckabee,”), the subject of a clause, or where something
    # was said (on “State of the Union”); not a phrase the speaker used (as “Policeman of the Middle East”)
    return dep in {"compound", "nmod", "amod", "appos", "poss", "nsubj", "nsubjpass"} or (
        dep == "pobj" and head.lower_ == "on"
    )


def _governs(ctx: _Text, cue, mark: MarkSpan) -> bool:
    """Whether the quote's words lie in the cue verb's clause (the cue is an ancestor of the quote's head)."""
    span = ctx.doc.char_span(mark.start, mark.end, alignment_mode="expand")
    return span is not None and (span.root is cue or cue in span.root.ancestors)


def _colon_intro(ctx: _Text, k: int):
    """A cue in the text just before the quote when that text ends with ':' (the previous sentence or paragraph)."""
    mark = ctx.marks[k]
    head = ctx.text[max(0, mark.start - 400) : mark.start].rstrip()
    if not head.endswith(":"):
        return None
    colon = mark.start - (len(ctx.text[: mark.start]) - len(ctx.text[: mark.start].rstrip())) - 1
    s_start, _ = _sentence_bounds(ctx, max(0, colon - 1))
    lo = max(s_start, ctx.marks[k - 1].end if k > 0 else 0)
    tokens = ctx.tokens_between(lo, colon)
    cues = [t for t in tokens if _is_cue(t)]
    if cues:
        return cues[-1]
    for tok in tokens:
        # "Below is a statement by Francesca Grifo, director of UCS's Scientific Integrity Program:": the one who
        # made the statement, not the last name before the colon
        makers = _makers(tok) if tok.lemma_ in _SAYING_NOUNS else []
        maker = next((m for m in makers if m is not None and m.ent_type_ in {"PERSON", "ORG"}), None)
        if maker is not None:
            return maker
    # "… doesn't surprise pollster Daron Shaw:", "Polls agree - Carl Bialik:": a name right before the colon;
    # not one inside a clause of its own ("advice for the guards who will handle Nichols:")
    if (
        tokens
        and tokens[-1].ent_type_ in {"PERSON", "ORG"}
        and not ctx.in_quote(tokens[-1].idx)
        and not any(a.dep_ in {"relcl", "acl", "advcl"} for a in tokens[-1].ancestors)
    ):
        return tokens[-1]
    # "She addressed the supporters again:" -- a colon after a clause introduces what its subject said.
    roots = [t for t in tokens if t.dep_ == "ROOT" and t.pos_ in {"VERB", "AUX"}]
    if roots:
        return roots[-1]
    # A headline "Gillibrand: 'I Think She Will.'": a bare name before the colon is the speaker.
    names = [t for t in tokens if t.ent_type_ in {"PERSON", "ORG"} or t.pos_ == "PROPN"]
    if names and len(tokens) <= 6:
        return names[-1]
    return None


_LEAD_IN = re.compile(r"\s*([^:\n]{1,40}):\s")


def _name_lead_in(ctx: _Text, mark: MarkSpan):
    """A headline's speaker: "Xi: Relations have withstood “storms and changes” ..." -- a bare name of at most
    three words and a colon opening the quote's sentence. Not a dateline ("BEIJING:") or a place."""
    s_start, _ = _sentence_bounds(ctx, mark.start)
    s_start = max(s_start, ctx.paragraphs[ctx.paragraph_of(mark.start)][0])  # spaCy may run over a break
    found = _LEAD_IN.match(ctx.text, s_start, mark.start)
    if found is None or found.group(1).isupper():
        return None
    tokens = ctx.tokens_between(s_start, found.end(1))
    if not 1 <= len(tokens) <= 3 or any(
        t.pos_ != "PROPN" or t.ent_type_ in {"GPE", "LOC", "NORP"} for t in tokens
    ):
        return None
    return tokens[-1]


def _partial_head(ctx: _Text, mark: MarkSpan):
    """For a quote inside a clause, the nearest verb outside the quote that governs it."""
    span = ctx.doc.char_span(mark.start, mark.end, alignment_mode="expand")
    if span is None:
        return None
    for tok in span:
        head = tok.head
        if head.i < span.start or head.i >= span.end:
            steps = 0
            while head.pos_ not in {"VERB", "AUX"} and head.head is not head and steps < 6:
                head = head.head
                steps += 1
            if head.pos_ in {"VERB", "AUX"} and not ctx.in_quote(head.idx):
                return head
            return None
    return None


# Verbs that put a name or label in marks rather than introduce speech.
_LABEL_CUES = frozenset({"call", "describe", "dub", "label", "brand", "term", "name", "title"})
_CONTENT_OPENERS = frozenset(
    {"that", ":", ",", "—", "–", "-", "saying", "stating", "adding", "writing", "as"}
)


def _kind(ctx: _Text, mark: MarkSpan, cue, inherited: bool, speaker_at: int | None = None) -> str:
    """ "direct" when the marks hold the whole of what was said, "partial" for a fragment inside a paraphrase.

    PolNeAR lists an attribution as a direct quote only when its content starts with the mark, so a quote that
    follows its cue counts as direct only right after the cue, a "that", a colon or a comma.
    """
    text = ctx.text
    inner = _inner(text, mark)
    after = text[mark.end : mark.end + 2]
    if (
        inner[:1].islower()
        and len(inner.split()) < 4
        and not any(c in text[mark.end - 3 : mark.end] for c in ",?!")
    ):
        return "partial"  # a label or fragment: dubbed him "the little senator"
    before = text[max(0, mark.start - 40) : mark.start].rstrip()
    if not before or before[-1] in '.!?"”’»':
        return "direct"  # opens a sentence
    if before[-1].isalnum():
        # Mid-clause ("said that “…”", "a “good man,” Graham said"): direct only right after a speech verb
        # ("Trump says “…”"), and never after a labelling one ("which he called “a cartel”").
        prev = ctx.token_at(len(before) - 1 + max(0, mark.start - 40))
        if _is_cue(prev) and prev.lemma_.lower() not in _LABEL_CUES and not ctx.in_quote(prev.idx):
            return "direct"
        return "partial"
    if "," in after[:1] and cue is not None and cue.idx > mark.end:
        return "direct"
    if cue is None or inherited:
        return "direct" if before[-1] in ":,—–" else "partial"
    if cue.idx >= mark.end:
        return "direct"  # "…," X said
    if before[-1] == "," and inner[:1].islower() and speaker_at is not None and speaker_at < mark.start:
        # "An economic downturn, he said, “could be …”": the said thing began before the parenthetical cue.
        s_start, _ = _sentence_bounds(ctx, mark.start)
        lead = text[s_start:speaker_at].rstrip()
        if lead.endswith(",") and s_start < speaker_at and not ctx.in_quote(len(lead) - 1 + s_start):
            return "partial"
    prev = ctx.token_at(len(before) - 1 + max(0, mark.start - 40))
    if prev.i == cue.i or prev.lower_ in _CONTENT_OPENERS or prev.text in _CONTENT_OPENERS:
        return "direct"
    if prev.dep_ in {"dobj", "dative", "pobj"} and prev.head.i == cue.i and before[-1] in ":,":
        return "direct"  # "Xi told Putin, “…”"
    return "partial"


def _names_a_thing(ctx: _Text, mark: MarkSpan, para: int) -> bool:
    """A quoted term or a subhead, not more speech: “Containment” has been policy…; a paragraph of a few words,
    or one that is a quotation ending without a full stop."""
    p_start, p_end = ctx.paragraphs[para]
    after = ctx.text[mark.end : min(p_end, mark.end + 40)]
    if re.match(r"\s*(?:is|are|was|were|has|have|had)\b", after):
        return True
    whole = ctx.text[p_start:p_end].strip()
    if whole != ctx.text[mark.start : mark.end].strip():
        return False
    # a heading in marks: short, or ending without a full stop ("‘WE HAD PLANS AFTER RETIREMENT’")
    return len(whole.split()) <= settings.current().quote_subhead_max_words or _inner(
        ctx.text, mark
    ).rstrip()[-1:] not in {".", "!", "?", ",", "…", ":", ";"}


def _marked_quotes(ctx: _Text, article_id: str) -> list[Quote]:
    out: list[Quote] = []
    prev: tuple[int, _Attribution, str] | None = None  # (paragraph, attribution, kind) of the last quote
    limit = parsed_length(ctx.doc)
    for k, mark in enumerate(ctx.marks):
        if mark.end > limit:
            break
        inner = _inner(ctx.text, mark)
        if not inner:
            continue
        para = ctx.paragraph_of(mark.start)
        attr = None
        inherited = False
        cue = None
        for candidate in _cue_near(ctx, k):
            found = _attribution_from_cue(ctx, candidate, agent_only=candidate.lemma_ in _AGENT_CUES)
            if found is not None and (attr is None or attr.speaker is None):
                attr, cue = found, candidate
            if attr is not None and attr.speaker is not None:
                break
        route_prefix = ""
        if attr is None:
            cue = _colon_intro(ctx, k)
            if cue is not None:
                attr = _attribution_from_cue(ctx, cue)
                route_prefix = "colon:"
        if attr is None and prev is not None and not _names_a_thing(ctx, mark, para):
            # a paragraph the quote opens, or one a short question leads into, as an interview list runs:
            # "Governor Christie? “Strong,” he said. / Retired Lt. Gen. Mike Flynn? “A patriot.”"
            lead = ctx.text[ctx.paragraphs[para][0] : mark.start]
            starts_para = not lead.strip() or (lead.rstrip().endswith("?") and len(lead.split()) <= 8)
            if (prev[0] == para or (starts_para and prev[0] == para - 1)) and not _other_subject(
                ctx, mark, prev[1].speaker
            ):
                attr, inherited = prev[1], True
                route_prefix = "continued:"
        if attr is None:
            cue = _name_lead_in(ctx, mark)
            if cue is not None:
                attr = _attribution_from_cue(ctx, cue)
                route_prefix = "lead_in:"
                if attr is not None and ":" in (attr.mention or ""):
                    attr = None  # the name's span ran past its colon ("De Blasio: Trust Bratton")
        if attr is None and not _names_addressee(*_quote_head(ctx, mark)):
            head = _partial_head(ctx, mark)
            while head is not None and head.dep_ in {"ccomp", "xcomp"} and _is_cue(head.head):
                # "the indictment alleges he spoke “to senior officials”": the words are the reporter's
                head = head.head
            if head is not None:
                attr = _attribution_from_cue(ctx, head, agent_only=True)
                cue = head
                route_prefix = "clause:"
        if attr is None or attr.start is None:
            continue
        kind = _kind(ctx, mark, cue if attr is not None else None, inherited, attr.start)
        if inherited and prev is not None and prev[2] == "partial":
            kind = "partial"  # the rest of a paraphrase ("X is “…,” she said. “…”") belongs to it
        prev = (ctx.paragraph_of(mark.end - 1), attr, kind)
        # a few quoted words inside the writer's sentence are attributed less surely than a full quotation
        route = ("partial:" if kind == "partial" else "") + route_prefix + attr.route
        if _names_a_work(ctx, mark, ctx.marks[k - 1] if k else None):
            continue  # a show's title is no speech, though the quotes after it may continue its sentence's speaker
        out.append(
            Quote(
                article_id=article_id,
                text=ctx.text[mark.start : mark.end],
                start=mark.start,
                end=mark.end,
                speaker=attr.speaker,
                speaker_mention=attr.mention,
                speaker_start=attr.start,
                speaker_end=attr.end,
                cue=attr.cue,
                kind=kind,  # type: ignore[arg-type]
                affiliation=attr.affiliation,
                attribution=route if attr.speaker else None,
                confidence=speaker_confidence(route) if attr.speaker else None,
            )
        )
    return out


def _block_quotes(ctx: _Text, article_id: str) -> list[Quote]:
    """Unmarked statements: "…, stating:" + the next paragraph; social posts signed "— Name (@handle)"."""
    out: list[Quote] = []
    limit = parsed_length(ctx.doc)
    paras = ctx.paragraphs
    last_block: _Attribution | None = None
    for p, (start, end) in enumerate(paras[:-1]):
        if end > limit:
            break
        line = ctx.text[start:end].rstrip()
        if not line.endswith(":") or ctx.in_quote(end - 1):
            continue
        n_start, n_end = paras[p + 1]
        body = ctx.text[n_start:n_end].strip()
        if (
            body[:1] in "\"“«'‘"
            or len(body.split()) < settings.current().block_quote_min_words
            or body.endswith(":")
            or n_end > limit
        ):
            continue
        colon = start + len(line) - 1
        s_start, _ = _sentence_bounds(ctx, max(start, colon - 1))
        # A sentence cut by a removed byline starts in lower case: read its subject from the paragraph before.
        lo = max(s_start, start)
        if ctx.text[start:end].lstrip()[:1].islower() and p > 0:
            lo = _sentence_bounds(ctx, paras[p - 1][1] - 1)[0]
        cues = [
            t
            for t in ctx.tokens_between(lo, colon)
            if t.lemma_.lower() in _BLOCK_CUES and t.pos_ in {"VERB", "AUX"}
        ]
        attr = None
        for cue in reversed(cues):
            attr = _attribution_from_cue(ctx, cue, lo=lo)
            if attr is not None:
                break
            if any(c.dep_ == "nsubjpass" for c in cue.children) and last_block is not None:
                # "X were urged to …:" with no agent: the statement quoted just before goes on.
                attr = _Attribution(
                    last_block.speaker,
                    last_block.mention,
                    last_block.start,
                    last_block.end,
                    cue.text,
                    last_block.affiliation,
                )
                break
        if attr is None and cues:
            # A parse that ran a headline into the sentence loses the subject: take the named entity that
            # opens the introducing sentence ("Russian President Vladimir Putin met …, stating:").
            first = ctx.tokens_between(lo, colon)[:8]
            for tok in first:
                ent = ctx.ent_of.get(tok.i)
                if ent is not None and ent.label_ in {"PERSON", "ORG", "GPE"}:
                    resolved = _resolve(ctx, ent.root, ent, ent.start_char)
                    attr = _Attribution(
                        resolved.name,
                        ent.text,
                        ent.start_char,
                        ent.end_char,
                        cues[-1].text,
                        resolved.affiliation,
                        "lead_entity:" + resolved.route,
                    )
                    break
        if attr is None:
            continue
        last_block = attr
        out.append(
            Quote(
                article_id,
                ctx.text[n_start:n_end].strip(),
                n_start,
                n_start + len(body),
                attr.speaker,
                attr.mention,
                attr.start,
                attr.end,
                attr.cue,
                "block",
                attr.affiliation,
                attribution="block:" + attr.route if attr.speaker else None,
                confidence=speaker_confidence("block:" + attr.route) if attr.speaker else None,
            )
        )
    for p in range(1, len(paras)):
        start, end = paras[p]
        if end > limit:
            break
        m = _POST.fullmatch(ctx.text, start, end)
        if not m:
            continue
        q_start, q_end = paras[p - 1]
        body = ctx.text[q_start:q_end]
        if ctx.in_quote(q_start) or len(body.split()) < 4:
            continue
        raw_name = m.group("name").strip()
        latin = _CJK.sub("", raw_name).strip()
        name = re.sub(r"\s+", " ", latin or raw_name)
        n_start = m.start("name")
        person = ctx.names.full_name(name)
        out.append(
            Quote(
                article_id,
                body,
                q_start,
                q_end,
                person,
                raw_name,
                n_start,
                n_start + len(raw_name),
                "posted",
                "unmarked",
                ctx.names.affiliation.get(person),
                attribution="signed_post",
                confidence=speaker_confidence("signed_post"),
            )
        )
    return out


_CONFIDENCE_FILE = Path(__file__).with_name("speaker_confidence.json")


@lru_cache(maxsize=1)
def _confidence_table() -> dict[str, float]:
    if not _CONFIDENCE_FILE.is_file():
        return {}
    data = json.loads(_CONFIDENCE_FILE.read_text(encoding="utf-8"))
    return {route: row["precision"] for route, row in data["routes"].items()}


def speaker_confidence(route: str) -> float | None:
    """The precision a speaker found by `route` had on the audit's open events, or for a description on the
    speaker checks outside the audit (bench/calibrate_speakers.py):
    the route itself, else the route without its outer step ("continued:pronoun_chain" -> "pronoun_chain")."""
    table = _confidence_table()
    while route:
        if route in table:
            return table[route]
        route = route.partition(":")[2]
    return table.get("*")


def find_quotes(text: str, doc=None, article_id: str = "") -> list[Quote]:
    """Quotes of one text with speakers resolved within it; offsets into `text`."""
    if doc is None:
        from ..models import parse

        doc = next(parse([text]))
    marks = find_mark_spans(text)
    ctx = _Text(text, doc, marks)
    blocks = _block_quotes(ctx, article_id)
    marked = [
        q for q in _marked_quotes(ctx, article_id) if not any(b.start <= q.start < b.end for b in blocks)
    ]
    quotes = marked + blocks
    quotes.sort(key=lambda q: q.start)
    return quotes
