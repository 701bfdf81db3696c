"""Claim units: where one sentence states several facts, the spans of its parts.

News sentences often join two facts: "Talks are under way today, while tomorrow Putin will visit Harbin";
"Two officers were arrested, and a third was charged with murder". Aligned as one unit, the second fact
can never meet the article that reports only it. The split reads the sentence's dependency parse and cuts
only where the parts stand on their own:

- an independent clause coordinated with the main one (`conj` of the root verb, after "and", "but", ",",
  ";"), with a subject of its own, or joined to it by a semicolon (the parser reads those as two sentences);
- a "while" / "whereas" clause of the main verb (contrast or simultaneity, a second event, not a cause);
- a coordinated predicate sharing the main clause's subject ("The leaders walked the red carpet and were
  greeted by a guard of honor"): the part keeps its own words, and its claim borrows the subject.

Every part must be a claim on its own: a subject that is not a pronoun (a bare "he" tells nothing once cut
from its sentence), a verb, and at least `_MIN_WORDS` words. Sentences with quotation marks stay whole, so a
quote never loses its speaker, and so do sentences whose main verb reports ("X said A, and B"), where the
second clause may still be what was said.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..records import ClaimUnit

_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
_VERBS = frozenset({"VERB", "AUX"})
_CONTRAST_MARKS = frozenset({"while", "whereas"})
_MIN_WORDS = 5  # words in each part (punctuation aside): shorter pieces are fragments, not claims
_MAX_PARTS = 4
_QUOTE_MARKS = ('"', "“", "”", "«", "»")
# A clause joined to a reporting verb may still be what was reported ("Police claim the shot was fired in
# self-defence, and the death was an accident"): cut loose, it would read as a fact. Such sentences stay whole.
_REPORTING = frozenset(
    "say tell claim believe think argue insist deny allege report state add warn suggest assert contend "
    "maintain note acknowledge admit explain write tweet emphasize emphasise stress hope fear".split()
)
_JOINERS = frozenset({",", ";", "and", "but", "while", "whereas", "yet", "--", "—", "–"})


def claim_units(doc, text: str, sentences: Sequence[tuple[int, int]]) -> list[ClaimUnit]:
    """The parts of every sentence that states several facts; sentences that stay whole are not listed."""
    out: list[ClaimUnit] = []
    for start, end in sentences:
        sentence = text[start:end]
        if any(mark in sentence for mark in _QUOTE_MARKS):
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:  # beyond the parsed text (capped at max_article_chars)
            continue
        out.extend(_split_at_semicolons(span) or _split(span))
    return out


def _heads(span) -> list:
    """The words of a span whose head lies outside it (or is itself): one for a span that is a clause."""
    return [t for t in span if not t.is_punct and (t.head.i == t.i or not span.start <= t.head.i < span.end)]


def _split_at_semicolons(span) -> list[ClaimUnit]:
    """Clauses a semicolon joins ("One bullet entered his shoulder; two others struck his thighs"); each is
    then split like a sentence. All or nothing: if one piece is not a clause with a subject of its own, the
    sentence stays whole (and may still split at "and", "but", "while")."""
    doc = span.doc
    cuts = [t.i for t in span if t.text == ";"]
    if not cuts:
        return []
    units: list[ClaimUnit] = []
    for n, (first, stop) in enumerate(
        zip([span.start, *(c + 1 for c in cuts)], [*cuts, span.end], strict=True)
    ):
        piece = doc[first:stop]
        if _clause_verb(piece) is None:
            return []
        parts = _split(piece)
        if not parts:
            whole = _unit(list(piece), trim_start=n > 0, subject="")
            if whole is None:
                return []
            parts = [whole]
        units.extend(parts)
    return units if 2 <= len(units) <= _MAX_PARTS else []


def _split(span) -> list[ClaimUnit]:
    root = _clause_verb(span)
    if root is None or root.lemma_.lower() in _REPORTING:
        return []
    subject = _named_subject(root)
    heads: list[tuple[object, str]] = []  # (first verb of a part, subject text borrowed by the part)
    for child in root.children:
        if (
            child.i <= root.i
            or child.pos_ not in _VERBS
            or not _joined(child, root)
            or _subordinate(child, root)
        ):
            continue
        own, named = _subject(child), _named_subject(child)
        if child.dep_ == "conj" and own is not None:  # an independent clause (not one about "he")
            if named is not None:
                heads.append((child, ""))
        elif child.dep_ == "conj":  # a second predicate of the main clause's subject
            pair = (
                _finite(child) and _finite(root) and _predicates_pair(root, child) and _complete(root, child)
            )
            shared = _subtree_text(subject, span, before=root.i) if pair else ""
            if shared:
                heads.append((child, shared))
        elif child.dep_ == "advcl" and named is not None:
            if any(m.dep_ == "mark" and m.lower_ in _CONTRAST_MARKS for m in child.children):
                heads.append((child, ""))
    if not heads or len(heads) + 1 > _MAX_PARTS:
        return []
    # Each part runs from its head's leftmost word to the next part's; joiners between them are trimmed.
    cuts = [_part_start(head, root) for head, _ in heads]
    starts = [span.start, *cuts]
    ends = [*cuts, span.end]
    units: list[ClaimUnit] = []
    borrowed = ["", *(s for _, s in heads)]
    for n, (first, stop, subject_text) in enumerate(zip(starts, ends, borrowed, strict=True)):
        unit = _unit(list(span.doc[first:stop]), trim_start=n > 0, subject=subject_text)
        if unit is None:
            return []
        units.append(unit)
    return units


def _unit(tokens: list, trim_start: bool, subject: str) -> ClaimUnit | None:
    """A part's span without the joiners around it, or None when what is left is no claim (too short, no
    verb). A later part loses the joiner that opens it; the first keeps its opening ("But while ...")."""
    while trim_start and tokens and (tokens[0].lower_ in _JOINERS or tokens[0].is_punct):
        tokens.pop(0)
    while tokens and (tokens[-1].lower_ in _JOINERS or tokens[-1].text in (":", "-")):
        tokens.pop()  # a closing bracket or quote stays with what it closes
    words = [t for t in tokens if not t.is_punct]
    if len(words) < _MIN_WORDS or not any(t.pos_ in _VERBS for t in tokens):
        return None
    return ClaimUnit(tokens[0].idx, tokens[-1].idx + len(tokens[-1].text), subject)


def _subject(verb):
    return next((c for c in verb.children if c.dep_ in _SUBJECTS), None)


def _named_subject(verb):
    """The verb's subject when it is not a pronoun: a bare "he" tells nothing once cut from its sentence."""
    subject = _subject(verb)
    return subject if subject is not None and subject.pos_ != "PRON" else None


def _clause_verb(span):
    """The verb a span hangs from, when the span is one clause with a named subject; else None."""
    heads = _heads(span)
    if len(heads) != 1 or heads[0].pos_ not in _VERBS or _named_subject(heads[0]) is None:
        return None
    return heads[0]


def _finite(verb) -> bool:
    # A finite verb (or one with a finite auxiliary) heads a predicate that states something on its own;
    # "..., triggering a war" or "to help Ukraine" does not.
    if verb.morph.get("VerbForm") == ["Fin"]:
        return True
    return any(c.dep_ in ("aux", "auxpass") and c.morph.get("VerbForm") == ["Fin"] for c in verb.children)


def _predicates_pair(root, verb) -> bool:
    """Whether two coordinated predicates read as two statements about one subject. Without an auxiliary
    of its own the second verb leans on the first one's ("was rushed ... and shared"), and two bare verbs
    of different tenses ("her stay comes after she rear-ended ..., and then lied") are usually a misparse."""
    if _has_aux(verb):
        return True
    return not _has_aux(root) and root.morph.get("Tense") == verb.morph.get("Tense")


def _complete(root, second) -> bool:
    """Whether the first predicate says something before the second begins: a verb alone before "and"
    ("officers shot and killed a teenager", "arrived and saw") shares what follows, and cut there it says
    nothing."""
    cut = _part_start(second, root)
    return any(root.i < c.i < cut and c.dep_ not in ("cc", "punct", "conj") for c in root.children)


def _has_aux(verb) -> bool:
    return any(c.dep_ in ("aux", "auxpass") for c in verb.children)


def _joined(head, root) -> bool:
    """Whether a joiner ("and", ",", ";", "while", ...) opens the part: without one the parser has
    probably misread a run-on sentence, and a cut there would leave fragments."""
    first = _part_start(head, root)
    doc = head.doc
    return first > 0 and (doc[first - 1].lower_ in _JOINERS or doc[first].lower_ in _CONTRAST_MARKS)


def _subordinate(head, root) -> bool:
    """Whether the part would open on a relative or subordinate word ("..., when youths attacked",
    "..., in which leadership is ..."): such a clause qualifies the one before it, it is not a fact apart."""
    doc = head.doc
    first = _part_start(head, root)
    while first < head.i and (doc[first].lower_ in _JOINERS or doc[first].is_punct):
        first += 1
    return any(
        t.tag_ in ("WDT", "WP", "WP$", "WRB") or t.dep_ == "mark"
        for t in doc[first : min(first + 2, head.i + 1)]
        if t.lower_ not in _CONTRAST_MARKS
    )


def _part_start(head, root) -> int:
    """The token index where a coordinated part begins: its leftmost word, never inside the main clause's
    own subtree before it (a conjunct's subtree can reach back over the joiner)."""
    first = head.left_edge.i
    return max(first, root.i + 1)


def _subtree_text(token, span, before: int) -> str:
    """The words of a subject, or "" when the parse lets it reach outside its sentence or past its verb."""
    tokens = list(token.subtree)
    if tokens[0].i < span.start or tokens[-1].i >= min(span.end, before):
        return ""
    while tokens and tokens[-1].is_punct:  # "The driver, who fled," -> "The driver, who fled"
        tokens.pop()
    # the span's own text: doc.text would join every token of the article, once per sentence
    return token.doc[tokens[0].i : tokens[-1].i + 1].text if tokens else ""
