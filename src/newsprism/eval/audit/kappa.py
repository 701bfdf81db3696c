"""How alike two readers label: Cohen's kappa per kind over what both labelled (audit/README.md)."""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import combinations
from typing import Any

from .events import Event, view_sentences
from .labels import EventGold, GoldArticle
from .score import name_key, person_key

NONE = "<none>"
# Kinds with no negative class (a span marked or not): chance-corrected kappa does not apply.
_SPAN_ONLY = frozenset({"quote_span", "reuse_pair"})


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    from sklearn.metrics import cohen_kappa_score

    if not a or len(set(a) | set(b)) < 2:
        return None
    value = float(cohen_kappa_score(a, b))
    return None if math.isnan(value) else round(value, 4)


def _span_pairs(first, second, key) -> tuple[list[str], list[str]]:
    """Labels of two readers' spans, paired by overlap; a span only one reader marked pairs with NONE."""
    a_labels, b_labels, used = [], [], set()
    for x in first:
        match = next((j for j, y in enumerate(second) if j not in used and x[0] < y[1] and y[0] < x[1]), None)
        a_labels.append(key(x[2]))
        if match is None:
            b_labels.append(NONE)
        else:
            used.add(match)
            b_labels.append(key(second[match][2]))
    for j, y in enumerate(second):
        if j not in used:
            a_labels.append(NONE)
            b_labels.append(key(y[2]))
    return a_labels, b_labels


def gold_agreement(a: EventGold, b: EventGold, event: Event) -> dict[str, tuple[list[str], list[str]]]:
    pairs: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))

    def extend(kind, la, lb):
        pairs[kind][0].extend(la)
        pairs[kind][1].extend(lb)

    for article in event.articles:
        ga, gb = a.articles.get(article.id), b.articles.get(article.id)
        if ga is None or gb is None:
            continue
        qa = [(q.span.start, q.span.end, q) for q in ga.quotes]
        qb = [(q.span.start, q.span.end, q) for q in gb.quotes]
        extend("quote_span", *_span_pairs(qa, qb, lambda q: "quote"))
        la, lb = _span_pairs(qa, qb, lambda q: " ".join(person_key(q.speaker)[-1:]) or "unnamed")
        both = [(x, y) for x, y in zip(la, lb, strict=True) if NONE not in (x, y)]
        extend("quote_speaker", [x for x, _ in both], [y for _, y in both])
        da = [(d.span.start, d.span.end, d) for d in ga.dates]
        db = [(d.span.start, d.span.end, d) for d in gb.dates]
        extend("date_role", *_span_pairs(da, db, lambda d: d.role))
        la, lb = _span_pairs(da, db, lambda d: d.date or "unknown")
        both = [(x, y) for x, y in zip(la, lb, strict=True) if NONE not in (x, y)]
        extend("date_value", [x for x, _ in both], [y for _, y in both])
        ea = {name_key(e.name): e.type for e in ga.entities}
        eb = {name_key(e.name): e.type for e in gb.entities}
        names = sorted(set(ea) | set(eb))
        extend("entity_type", [ea.get(n, NONE) for n in names], [eb.get(n, NONE) for n in names])
        sentences = view_sentences(article.letter, article.text)

        ma, mb = (
            _multi_outlet_sentences(a, event, article.id, sentences),
            _multi_outlet_sentences(b, event, article.id, sentences),
        )
        extend(
            "fact_sentence",
            ["multi" if i in ma else "no" for i in range(len(sentences))],
            ["multi" if i in mb else "no" for i in range(len(sentences))],
        )
    for x, y in combinations(event.articles, 2):
        ra = any(r.source in (x.id, y.id) for k in (x.id, y.id) for r in a.articles.get(k, _EMPTY).reuse)
        rb = any(r.source in (x.id, y.id) for k in (x.id, y.id) for r in b.articles.get(k, _EMPTY).reuse)
        extend("reuse_pair", ["yes" if ra else "no"], ["yes" if rb else "no"])
    return pairs


def _multi_outlet_sentences(gold: EventGold, event: Event, article_id: str, sentences) -> set[int]:
    """Indexes of the article's view sentences that a reader put in a fact of two or more outlets."""
    outlets = {x.id: x.outlet for x in event.articles}
    marked = set()
    for fact in gold.facts:
        if len({outlets.get(k) for k in fact.spans}) < 2:
            continue
        for s in fact.spans.get(article_id, ()):
            marked |= {i for i, v in enumerate(sentences) if v.start < s.end and s.start < v.end}
    return marked


_EMPTY = GoldArticle()


def agreement(
    gold_by_reader: dict[str, dict[str, EventGold]],
    output_labels: dict[str, dict[str, dict]],
    events: dict[str, Event],
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    readers = sorted(gold_by_reader)
    for r1, r2 in combinations(readers, 2):
        shared = sorted(set(gold_by_reader[r1]) & set(gold_by_reader[r2]))
        if not shared:
            continue
        pooled: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        for event_id in shared:
            for kind, (la, lb) in gold_agreement(
                gold_by_reader[r1][event_id], gold_by_reader[r2][event_id], events[event_id]
            ).items():
                pooled[kind][0].extend(la)
                pooled[kind][1].extend(lb)
        result[f"{r1}-{r2}"] = {"events": len(shared)}
        for kind, (la, lb) in sorted(pooled.items()):
            row = {
                "n": len(la),
                "kappa": None if kind in _SPAN_ONLY else cohen_kappa(la, lb),
                "agree": round(sum(x == y for x, y in zip(la, lb, strict=True)) / len(la), 4) if la else None,
            }
            if kind in _SPAN_ONLY:  # no negatives to chance-correct: positive agreement (F1 between readers)
                both = sum(x == y != NONE and x != "no" for x, y in zip(la, lb, strict=True))
                marked = sum(x not in (NONE, "no") for x in la) + sum(y not in (NONE, "no") for y in lb)
                row["positive_agreement"] = round(2 * both / marked, 4) if marked else None
            result[f"{r1}-{r2}"][kind] = row
    out_readers = sorted(output_labels)
    for r1, r2 in combinations(out_readers, 2):
        shared = set(output_labels[r1]) & set(output_labels[r2])
        by_kind: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        for key in shared:
            kind = output_labels[r1][key].get("kind", "output")
            by_kind[kind][0].append(output_labels[r1][key]["label"])
            by_kind[kind][1].append(output_labels[r2][key]["label"])
        if shared:
            result[f"outputs {r1}-{r2}"] = {
                kind: {
                    "n": len(la),
                    "kappa": cohen_kappa(la, lb),
                    "agree": round(sum(x == y for x, y in zip(la, lb, strict=True)) / len(la), 4),
                }
                for kind, (la, lb) in sorted(by_kind.items())
            }
    return result
