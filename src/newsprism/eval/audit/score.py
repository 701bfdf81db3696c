"""The audit's figures: the report's outputs against the article gold and the blind output labels.

Counts are kept per event and summed per split (open, sealed), so a figure is a ratio of sums over events.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ...extract.canonical import same_first_name
from .labels import BRIEF_PROBLEMS, EventGold
from .outputs import OUTPUT_KINDS, EventOutputs

# The report's entity labels against the gold types (audit/README.md).
TYPE_OF_LABEL = {
    "PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE", "NORP": "GROUP",
    "EVENT": "OTHER", "LAW": "OTHER", "WORK_OF_ART": "OTHER", "PRODUCT": "OTHER", "LANGUAGE": "OTHER",
}  # fmt: skip
OPPOSED = {frozenset(("Democratic", "Republican"))}
MIN_LABELLED = 0.95  # a blind-label figure counts only when this share of its outputs is labelled
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_TITLES = frozenset(
    "mr mrs ms miss dr sen senator rep representative gov governor president vice former secretary speaker "
    "judge justice gen general the attorney leader minority majority house senate chairman chairwoman "
    "spokesman spokeswoman spokesperson press chief adviser aide sens reps".split()
)


@dataclass
class Tally:
    """Numerators and denominators, summed over events."""

    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list] = field(default_factory=lambda: defaultdict(list))

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] += n

    def note(self, key: str, example: Any, limit: int = 12) -> None:
        if len(self.examples[key]) < limit:
            self.examples[key].append(example)

    def merge(self, other: Tally) -> None:
        self.counts.update(other.counts)
        for k, v in other.examples.items():
            self.examples[k].extend(v[: 12 - len(self.examples[k])])


def person_key(name: str | None) -> tuple[str, ...]:
    """A name's words without titles, accents, possessives and punctuation: ("donald", "trump")."""
    if not name:
        return ()
    text = re.sub(r"['’]s\b", "", name)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = [
        w for w in re.findall(r"[a-z0-9]+", text) if w not in _TITLES and w not in _SUFFIXES and len(w) > 1
    ]
    return tuple(words)


def same_person(predicted: str | None, gold: str | None) -> bool:
    """The predicted name names the gold person: the same surname, and the other words of the shorter name
    found in the longer one ("Trump" for "Donald Trump", "Hillary Clinton" for "Hillary Rodham Clinton"), a
    short form of them ("Tim Murray" for "Timothy Murray") or a nickname ("Dick Durbin" for "Richard J. Durbin",
    from the `nicknames` package's table)."""
    p, g = person_key(predicted), person_key(gold)
    if not p or not g or p[-1] != g[-1]:
        return False
    short, long = (p, g) if len(p) <= len(g) else (g, p)
    return all(
        any(w == x or (len(w) >= 3 and x.startswith(w)) or same_first_name(w, x) for x in long[:-1])
        for w in short[:-1]
    )


_DESCRIPTOR_START = frozenset("a an the one another some his her their its this that these those".split())


def names_no_one(speaker: str) -> bool:
    """A speaker given as a description, not a name ("an unidentified young man", "the reporter", "Stone's
    attorney", "former U.S. attorney": a name ends in a word with a capital, "Joseph diGenova" too, a
    description in a common noun)."""
    words = speaker.split()
    return (
        not words
        or words[0].lower() in _DESCRIPTOR_START
        or not any(c.isupper() for c in speaker)
        or words[-1].islower()
    )


def _gold_name(form: str, names: dict, surnames: dict) -> tuple[str, str] | None:
    """The gold (referent, type) a written form names: as listed, without a leading title, or as a surname."""
    key = name_key(form)
    untitled = " ".join(w for w in key.split() if w not in _TITLES) or key
    return names.get(key) or names.get(untitled) or surnames.get(key)


def _reads_as_name(text: str) -> bool:
    words = text.split()
    return (
        bool(words)
        and words[0][:1].isupper()
        and all(
            w[:1].isupper() or w[:1].isdigit() or w.lower() in {"of", "and", "the", "for", "de", "la"}
            for w in words
        )
    )


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def name_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).strip().lower()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"['’]s$", "", text)
    return re.sub(r"[.\s]+", " ", text).strip(" .")


# ------------------------------------------------------------------ per kind


def score_quotes(out: EventOutputs, gold: EventGold, t: Tally) -> None:
    sides: dict[tuple, str] = {}
    for g in gold.articles.values():
        for q in g.quotes:
            if q.speaker and q.side:
                sides[person_key(q.speaker)] = q.side
    for article_id, g in gold.articles.items():
        predicted = [q for q in out.quotes if q["article"] == article_id]
        pairs = []
        for i, q in enumerate(predicted):
            for j, gq in enumerate(g.quotes):
                ov = _overlap(q["start"], q["end"], gq.span.start, gq.span.end)
                if ov * 2 >= gq.span.end - gq.span.start:
                    pairs.append((ov, i, j))
        used_p, used_g, match = set(), set(), {}
        for _ov, i, j in sorted(pairs, reverse=True):
            if i not in used_p and j not in used_g:
                used_p.add(i)
                used_g.add(j)
                match[j] = i
        t.add("quote_predicted", len(predicted))
        t.add("quote_gold", len(g.quotes))
        t.add("quote_matched", len(match))
        for j, gq in enumerate(g.quotes):
            q = predicted[match[j]] if j in match else None
            if gq.speaker:
                t.add("speaker_gold_named")
            if q is None or not q["speaker"]:
                if q is not None and gq.speaker:
                    t.add("speaker_silent_on_named")
                continue
            if names_no_one(q["speaker"]):
                # "the indictment", "an aide": a description puts no words in a named person's mouth; counted
                # apart, and not as recalled
                t.add("speaker_described")
                continue
            t.add("speaker_attributed")
            if gq.speaker and same_person(q["speaker"], gq.speaker):
                t.add("speaker_right")
                t.add("speaker_recalled")
                continue
            t.add("speaker_wrong")
            t.note(
                "speaker_wrong",
                {
                    "article": article_id,
                    "start": gq.span.start,
                    "anchor": gq.span.anchor,
                    "predicted": q["speaker"],
                    "gold": gq.speaker,
                },
            )
            pred_side = next((s for k, s in sides.items() if same_person(q["speaker"], " ".join(k))), None)
            gold_side = gq.side or sides.get(person_key(gq.speaker))
            if pred_side and gold_side and frozenset((pred_side, gold_side)) in OPPOSED:
                t.add("speaker_opposing_side")


def score_entities(out: EventOutputs, gold: EventGold, texts: str, t: Tally) -> None:
    """`texts`: the event's labelled articles (titles and bodies) as one string; a form of a story entity that
    none of them writes came from another event's article of the same story and is not judged here."""
    names: dict[str, tuple[str, str]] = {}
    types_of_name: dict[str, set[str]] = defaultdict(set)
    referent_articles: dict[str, set[str]] = defaultdict(set)
    referent_type: dict[str, Counter] = defaultdict(Counter)
    for article_id, g in gold.articles.items():
        for e in g.entities:
            names.setdefault(name_key(e.name), (e.referent, e.type))
            types_of_name[name_key(e.name)].add(e.type)
            referent_articles[e.referent].add(article_id)
            referent_type[e.referent][e.type] += 1
    for referent, kinds in referent_type.items():
        # the referent's own full name names it too ("United States" where the text wrote "U.S.")
        names.setdefault(name_key(referent), (referent, kinds.most_common(1)[0][0]))
    if not names:
        return
    # a surname the reader did not list on its own names the one gold person whose full name ends with it
    by_surname: dict[str, set] = defaultdict(set)
    for key, (referent, kind) in names.items():
        if kind == "PERSON" and len(key.split()) > 1:
            by_surname[key.split()[-1]].add((referent, kind))
    surnames = {k: next(iter(v)) for k, v in by_surname.items() if len(v) == 1}
    by_story: dict[str, list[dict]] = defaultdict(list)
    for entity in out.entities:
        by_story[entity["story"]].append(entity)
    found: dict[str, list[tuple[str, set]]] = defaultdict(list)  # referent -> (story, articles) per entity
    for story, entities in by_story.items():
        labels_of_name: dict[str, set] = defaultdict(set)
        for entity in entities:
            # forms written in this event's articles; descriptions ("the Brazilian leader") are no names
            forms = [f for f in (entity["name"], *entity["aliases"]) if f in texts and _reads_as_name(f)]
            if not forms:
                continue
            for form in forms:
                labels_of_name[name_key(form)].add(entity["label"])
            t.add("entity_predicted")
            hits = [_gold_name(f, names, surnames) for f in forms]
            referents = {h[0] for h in hits if h}
            if any(h is None for h in hits):
                t.add("entity_junk")
                t.note("entity_junk", next(f for f, h in zip(forms, hits, strict=True) if h is None))
                continue
            if len(referents) > 1:
                t.add("entity_conflated")
                t.note("entity_conflated", forms)
                continue
            referent = referents.pop()
            gold_types = types_of_name.get(name_key(forms[0])) or {hits[0][1]}
            if TYPE_OF_LABEL.get(entity["label"]) not in gold_types:
                t.add("entity_mislabelled")
                t.note(
                    "entity_mislabelled",
                    f"{forms[0]}: {entity['label']} (gold {'/'.join(sorted(gold_types))})",
                )
                continue
            t.add("entity_right")
            found[referent].append((story, set(entity["articles"])))
        t.add("entity_names_two_types", sum(1 for labels in labels_of_name.values() if len(labels) > 1))
    for referent, articles in referent_articles.items():
        gold_type = referent_type[referent].most_common(1)[0][0]
        if gold_type not in ("PERSON", "ORG") or len(articles) < 2:
            continue
        t.add("entity_multi_article_gold")
        stories = Counter(story for story, _ in found.get(referent, []))
        one = [
            arts
            for story, arts in found.get(referent, [])
            if stories[story] == 1 and len(arts & articles) >= 2
        ]
        if one:
            t.add("entity_multi_article_one")
        elif stories and max(stories.values()) > 1:
            t.add("entity_split")
            t.note("entity_split", referent)


def _compatible(entry: str, gold: str | None) -> bool:
    return bool(gold) and (entry.startswith(gold) or gold.startswith(entry))


def score_timeline(out: EventOutputs, gold: EventGold, t: Tally) -> None:
    for entry in out.timeline:
        s = entry["span"]
        g = gold.articles.get(s.article)
        if g is None:
            continue
        inside = [d for d in g.dates if _overlap(s.start, s.end, d.span.start, d.span.end)]
        if not inside:
            t.add("timeline_undated")  # a lead dated by publication: no date statement to check
            continue
        t.add("timeline_judged")
        right = [d for d in inside if _compatible(entry["date"], d.date)]
        if right:
            t.add("timeline_right")
            if all(d.role == "background" for d in right):
                t.add("timeline_background")
        else:
            t.add("timeline_wrong")
            t.note(
                "timeline_wrong",
                {
                    "article": s.article,
                    "date": entry["date"],
                    "gold": [(d.span.anchor, d.date) for d in inside],
                },
            )
    for article_id, g in gold.articles.items():
        for d in g.dates:
            if d.role != "event" or not d.date or len(d.date) != 10:
                continue
            t.add("timeline_event_gold")
            if any(
                e["span"].article == article_id
                and e["date"] == d.date
                and _overlap(e["span"].start, e["span"].end, d.span.start, d.span.end)
                for e in out.timeline
            ):
                t.add("timeline_event_found")


def score_facts(
    out: EventOutputs, gold: EventGold, outlet_of: dict[str, str | None], wrong_keys: set[str], t: Tally
) -> None:
    for fact in gold.facts:
        outlets = {outlet_of.get(a) for a in fact.spans}
        if len(outlets) < 2:
            continue
        t.add("fact_multi_outlet")
        best = None
        for g in out.groups:
            hit = {
                outlet_of.get(s.article)
                for s in g["spans"]
                if any(_overlap(s.start, s.end, f.start, f.end) for f in fact.spans.get(s.article, ()))
            }
            if len(hit) >= 2:
                # in a correct corroborated group: one a blind reader judged to mix statements does not count
                if g["status"] in ("corroborated", "contested") and g.get("key") not in wrong_keys:
                    best = "corroborated"
                    break
                if g["status"] in ("single_source", "unconfirmed"):
                    best = best or g["status"]
        if best == "corroborated":
            t.add("fact_in_corroborated")
        elif best == "unconfirmed":
            t.add("fact_unconfirmed")
        elif best == "single_source":
            t.add("fact_downgraded")
            t.note("fact_downgraded", fact.gist)
        else:
            t.add("fact_not_grouped")


def score_reuse(out: EventOutputs, gold: EventGold, t: Tally) -> None:
    pairs = {frozenset((a, r.source)) for a, g in gold.articles.items() for r in g.reuse}
    t.add("reuse_predicted", len(out.reuse_pairs))
    t.add("reuse_gold", len(pairs))
    t.add("reuse_right", len(out.reuse_pairs & pairs))


def score_labels(out: EventOutputs, labels: dict[str, dict], t: Tally) -> set[str]:
    """Blind output labels: counts per kind; returns the keys labelled wrong."""
    wrong = set()
    for item in out.items:
        # A contested group is labelled with the corroborated question (one fact, two outlets) and counted apart.
        kind = "contested" if item.shown.get("verdict") == "contested" else item.kind
        t.add(f"{kind}_outputs")
        label = labels.get(item.key)
        if label is None:
            continue
        t.add(f"{kind}_labelled")
        t.add(f"{kind}_{label['label']}")
        if label["label"] == "wrong":
            wrong.add(item.key)
            t.note(f"{kind}_wrong", label.get("note", ""))
        for problem in label.get("problems", ()):
            t.add(f"brief_problem_{problem}")
    return wrong


# ------------------------------------------------------------------ figures


def _ratio(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def figures(t: Tally) -> dict[str, Any]:
    """Headline figures of a summed tally."""
    c = t.counts
    f: dict[str, Any] = {
        "quote_p": _ratio(c["quote_matched"], c["quote_predicted"]),
        "quote_r": _ratio(c["quote_matched"], c["quote_gold"]),
        "speaker_precision": _ratio(c["speaker_right"], c["speaker_attributed"]),
        "speaker_described_share": _ratio(
            c["speaker_described"], c["speaker_attributed"] + c["speaker_described"]
        ),
        "speaker_recall": _ratio(c["speaker_recalled"], c["speaker_gold_named"]),
        "speaker_opposing_side": c["speaker_opposing_side"],
        "entity_precision": _ratio(c["entity_right"], c["entity_predicted"]),
        "entity_junk_share": _ratio(c["entity_junk"], c["entity_predicted"]),
        "entity_names_two_types": c["entity_names_two_types"],
        "entity_multi_article_one": _ratio(c["entity_multi_article_one"], c["entity_multi_article_gold"]),
        "timeline_date_precision": _ratio(c["timeline_right"], c["timeline_judged"]),
        "timeline_background_share": _ratio(c["timeline_background"], c["timeline_right"]),
        "timeline_event_recall": _ratio(c["timeline_event_found"], c["timeline_event_gold"]),
        "fact_in_corroborated": _ratio(c["fact_in_corroborated"], c["fact_multi_outlet"]),
        "fact_downgraded": _ratio(c["fact_downgraded"], c["fact_multi_outlet"]),
        "fact_unconfirmed": _ratio(c["fact_unconfirmed"], c["fact_multi_outlet"]),
        "reuse_precision": _ratio(c["reuse_right"], c["reuse_predicted"]),
        "reuse_recall": _ratio(c["reuse_right"], c["reuse_gold"]),
    }
    for kind in (*OUTPUT_KINDS, "contested"):
        total, labelled = c[f"{kind}_outputs"], c[f"{kind}_labelled"]
        share = _ratio(labelled, total)
        judged = c[f"{kind}_correct"] + c[f"{kind}_wrong"]
        precision = _ratio(c[f"{kind}_correct"], judged)
        name = "reuse_verdict" if kind == "reuse" else kind  # reuse_precision is the figure against the gold
        f[f"{name}_outputs"] = total
        f[f"{name}_labelled_share"] = share
        f[f"{name}_precision"] = precision if share is not None and share >= MIN_LABELLED else None
        f[f"{name}_unclear"] = c[f"{kind}_unclear"]
    brief = c["brief_outputs"]
    for problem in BRIEF_PROBLEMS:
        f[f"brief_{problem}"] = c[f"brief_problem_{problem}"]
    f["brief_sentences"] = brief
    return f


COUNT_KEYS = (
    "quote_gold",
    "quote_predicted",
    "speaker_attributed",
    "speaker_gold_named",
    "entity_predicted",
    "entity_multi_article_gold",
    "timeline_judged",
    "timeline_undated",
    "timeline_event_gold",
    "fact_multi_outlet",
    "reuse_gold",
    "reuse_predicted",
)
