"""Duplicate benchmark: seeded near-copies of dev articles, and distinct reports of one event that must stay apart.

    python -m bench.dedupe_bench --eval-dir ../shared/eval [--limit STORIES] [--json]

Base articles are ECB+ dev documents (shared/eval/clustering/ecbplus-dev.jsonl, read at run time, never stored):
per gold story up to `per_story` documents with >= 6 paragraphs and >= 120 words, skipping any that shares
30 % or more of its word 5-grams with one already taken (a wire copy inside the corpus is not a distinct
article). Each base gets one copy per edit type, all edits seeded by (seed, document id, edit):

- trim: the last 30-45 % of the paragraphs cut, and one paragraph from the middle;
- headline: the first paragraph (ECB+ keeps the page title there) replaced by a headline made of the first
  words of a later sentence;
- boilerplate: 2-3 furniture lines (newsletter, share bar, "Related:", copyright ...) put at the top, the
  bottom and once in the middle;
- paraphrase: in 80 % of the paragraphs every word found in a synonym table (`SYNONYMS`, ~90 common news words)
  is replaced, so that most word 5-grams change while the statements do not;
- reorder: two paragraphs moved to other places (re-edited wire copy often moves paragraphs);
- rewrite: all of the above at once (a wire story as a second outlet runs it).

For each edit type and gold story one `find_duplicates` call sees the story's bases plus their copies of that
type (the story-sized group the pipeline would hand it): a pair (base, its copy) must be grouped; every other
pair (two distinct reports of the same event, or a base and another base's copy) must not. Articles pass
through the product path (`clean.clean_document` as text, `text.split_sentences`, MiniLM sentence vectors);
each distinct sentence is embedded once and reused. The MinHash anchors get the same cleaned texts, word
5-gram shingles, 128 permutations: `MinHashLSH()` at datasketch's default threshold (0.9), and at 0.5; their
candidate pairs are linked without a further check. Groups are connected components for every system.
Precision and recall are over pairs; `distinct_merged` counts pairs of two different same-event base documents
that a system grouped (the error the issue names).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

EDITS = ("trim", "headline", "boilerplate", "paraphrase", "reorder", "rewrite")
SYSTEMS = ("newsprism", "minhash_default", "minhash_0.5")
_WORD = re.compile(r"\w+")

# Substitutes that keep the statement; words chosen for how often they occur in news copy.
SYNONYMS: dict[str, str] = {
    "said": "stated", "says": "states", "told": "informed", "according": "as reported",
    "announced": "revealed", "reported": "stated", "confirmed": "verified", "added": "continued",
    "people": "individuals", "officials": "authorities", "police": "officers", "killed": "left dead",
    "died": "lost their lives", "injured": "hurt", "arrested": "detained", "charged": "indicted",
    "after": "following", "before": "prior to", "during": "in the course of", "about": "around",
    "more": "over", "including": "among them", "also": "additionally", "but": "however",
    "because": "since", "while": "whereas", "near": "close to", "many": "numerous", "several": "a number of",
    "big": "large", "large": "sizeable", "small": "little", "new": "fresh", "first": "initial",
    "last": "previous", "major": "key", "former": "ex-", "early": "initial", "late": "belated",
    "began": "started", "begin": "start", "started": "began", "show": "demonstrate", "shows": "demonstrates",
    "help": "assist", "helped": "assisted", "use": "employ", "used": "employed", "buy": "purchase",
    "bought": "purchased", "deal": "agreement", "company": "firm", "government": "administration",
    "country": "nation", "city": "town", "home": "residence", "house": "residence", "car": "vehicle",
    "film": "movie", "movie": "film", "job": "post", "leader": "head", "chief": "head", "expected": "anticipated",
    "likely": "probably", "quickly": "rapidly", "later": "subsequently", "now": "currently", "soon": "shortly",
    "hit": "struck", "struck": "hit", "strong": "powerful", "area": "region", "team": "squad",
    "won": "secured", "win": "secure", "lost": "was defeated in", "game": "match", "hospital": "medical centre",
    "statement": "release", "spokesman": "spokesperson", "spokeswoman": "spokesperson", "week": "seven days",
    "year": "twelve months", "years": "years' time", "month": "four weeks", "earthquake": "quake",
    "attack": "assault", "shooting": "gun attack", "fire": "blaze", "agreed": "consented", "plans": "intends",
    "wants": "wishes", "tried": "attempted", "went": "headed", "got": "received", "get": "receive",
}  # fmt: skip

BOILERPLATE_TOP = (
    "Advertisement",
    "Share this article: Facebook | Twitter | Email | WhatsApp",
    "Listen to this article",
    "Sign in to read more stories like this one",
)
BOILERPLATE_MIDDLE = (
    "READ MORE: The stories everyone is talking about today",
    "Advertisement - scroll to continue reading",
    "Related: Our full coverage of the story so far",
)
BOILERPLATE_BOTTOM = (
    "Sign up for our daily newsletter to get the top stories in your inbox every morning.",
    "Follow us on Twitter and Facebook for the latest updates.",
    "© 2024 Example Media Group. All rights reserved.",
    "Have a news tip? Email our newsroom or leave a comment below.",
    "Related articles: More from our world desk",
)


# ------------------------------------------------------------------ edits


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _substitute(paragraph: str) -> str:
    def repl(m: re.Match[str]) -> str:
        word = m.group()
        sub = SYNONYMS.get(word.lower())
        if sub is None:
            return word
        return sub[0].upper() + sub[1:] if word[0].isupper() else sub

    return _WORD.sub(repl, paragraph)


def trim(paras: list[str], rng: random.Random) -> list[str]:
    keep = max(3, round(len(paras) * rng.uniform(0.55, 0.7)))
    kept = paras[:keep]
    if len(kept) > 4:
        kept.pop(rng.randrange(2, len(kept) - 1))
    return kept


def headline(paras: list[str], rng: random.Random) -> list[str]:
    source = paras[rng.randrange(1, min(4, len(paras)))]
    words = _WORD.findall(source)[: rng.randint(6, 10)]
    return [" ".join(w.capitalize() if i == 0 else w for i, w in enumerate(words)), *paras[1:]]


def boilerplate(paras: list[str], rng: random.Random) -> list[str]:
    top = rng.sample(BOILERPLATE_TOP, 2)
    bottom = rng.sample(BOILERPLATE_BOTTOM, rng.randint(2, 3))
    middle = list(paras)
    middle.insert(rng.randrange(1, len(middle)), rng.choice(BOILERPLATE_MIDDLE))
    return [*top, *middle, *bottom]


def paraphrase(paras: list[str], rng: random.Random) -> list[str]:
    return [_substitute(p) if rng.random() < 0.8 else p for p in paras]


def reorder(paras: list[str], rng: random.Random) -> list[str]:
    out = list(paras)
    for _ in range(2):
        moved = out.pop(rng.randrange(1, len(out)))
        out.insert(rng.randrange(1, len(out) + 1), moved)
    return out


def rewrite(paras: list[str], rng: random.Random) -> list[str]:
    return boilerplate(reorder(paraphrase(headline(trim(paras, rng), rng), rng), rng), rng)


EDIT_FUNCTIONS = {
    "trim": trim,
    "headline": headline,
    "boilerplate": boilerplate,
    "paraphrase": paraphrase,
    "reorder": reorder,
    "rewrite": rewrite,
}


def make_copy(text: str, edit: str, seed: int, doc_id: str) -> str:
    rng = random.Random(f"{seed}:{doc_id}:{edit}")
    return "\n\n".join(EDIT_FUNCTIONS[edit](_paragraphs(text), rng))


# ------------------------------------------------------------------ data


def _grams(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    return {tuple(words[i : i + 5]) for i in range(max(1, len(words) - 4))}


def select_bases(eval_dir: Path, stories: int | None, per_story: int) -> dict[str, list[dict[str, Any]]]:
    """Up to `per_story` distinct, long enough documents per gold story (first stories by id when limited)."""
    from newsprism.eval.data import read_items

    by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in read_items("clustering", eval_dir / "clustering" / "ecbplus-dev.jsonl"):
        if len(_paragraphs(item["text"])) >= 6 and len(item["text"].split()) >= 120:
            by_story[item["gold_story"]].append(item)
    out: dict[str, list[dict[str, Any]]] = {}
    for story in sorted(by_story)[: stories or None]:
        chosen: list[tuple[dict[str, Any], set[tuple[str, ...]]]] = []
        for item in by_story[story]:
            grams = _grams(item["text"])
            if all(len(grams & g) / min(len(grams), len(g)) < 0.3 for _, g in chosen):
                chosen.append((item, grams))
            if len(chosen) == per_story:
                break
        if len(chosen) >= 2:  # one base alone tests no distinct same-event pair
            out[story] = [c[0] for c in chosen]
    return out


# ------------------------------------------------------------------ systems


def _components(n: int, links: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """All pairs (i < j) that end up in one connected component."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in links:
        parent[find(i)] = find(j)
    return {(i, j) for i, j in itertools.combinations(range(n), 2) if find(i) == find(j)}


def minhash_pairs(texts: list[str], threshold: float | None) -> set[tuple[int, int]]:
    from datasketch import MinHash, MinHashLSH

    from newsprism.dedupe.fingerprints import shingles

    lsh = MinHashLSH() if threshold is None else MinHashLSH(threshold=threshold)
    hashes = []
    for i, text in enumerate(texts):
        m = MinHash()  # datasketch defaults: 128 permutations
        m.update_batch(list(shingles(text)))
        hashes.append(m)
        lsh.insert(i, m)
    links = {(min(i, j), max(i, j)) for i, m in enumerate(hashes) for j in lsh.query(m) if j != i}
    return _components(len(texts), links)


def newsprism_pairs(material: Any) -> tuple[set[tuple[int, int]], float]:
    from newsprism.dedupe import find_duplicates

    index = {a.id: i for i, a in enumerate(material.articles)}
    start = time.perf_counter()
    report = find_duplicates(material)
    seconds = time.perf_counter() - start
    links = {
        (min(index[a], index[b]), max(index[a], index[b]))
        for g in report.groups
        for a, b in itertools.combinations(g.article_ids, 2)
    }
    return links, seconds


# ------------------------------------------------------------------ run


def run(eval_dir: Path, limit: int | None = None, per_story: int = 3, seed: int = 13) -> dict[str, Any]:
    """Precision/recall per edit type for newsprism and the MinHash anchors; `limit` = gold stories used."""
    from newsprism.clean import clean_document
    from newsprism.models import embed
    from newsprism.records import RawDocument, StoryMaterial
    from newsprism.text import split_sentences

    started = time.perf_counter()
    bases = select_bases(eval_dir, limit, per_story)

    def article(doc_id: str, text: str) -> Any:
        cleaned = clean_document(RawDocument(doc_id, "text", text, {}))
        return dataclasses.replace(cleaned, id=doc_id)  # ids unique even if an edit left the text as it was

    # (story, edit) -> articles: the story's bases, then one copy of each
    groups: dict[tuple[str, str], list[Any]] = {}
    for story, items in bases.items():
        base_articles = [article(it["id"], it["text"]) for it in items]
        for edit in EDITS:
            copies = [
                article(f"{it['id']}#{edit}", make_copy(it["text"], edit, seed, it["id"])) for it in items
            ]
            groups[(story, edit)] = base_articles + copies
    sentences = {a.id: tuple(split_sentences(a.id, a.text)) for arts in groups.values() for a in arts}
    unique = sorted({s.text for ss in sentences.values() for s in ss})
    embed_start = time.perf_counter()
    vectors_by_text = dict(zip(unique, embed(unique), strict=True)) if unique else {}
    embed_seconds = time.perf_counter() - embed_start

    counts: dict[str, dict[str, dict[str, int]]] = {
        s: {e: {"tp": 0, "fp": 0, "fn": 0} for e in EDITS} for s in SYSTEMS
    }
    distinct = {s: 0 for s in SYSTEMS}
    distinct_ids: set[tuple[str, str]] = set()  # newsprism's merged same-event base pairs, to inspect by hand
    distinct_total = 0
    dedupe_seconds = 0.0
    dedupe_articles = 0
    for (_story, edit), arts in groups.items():
        k = len(arts) // 2
        gold = {(i, i + k) for i in range(k)}
        base_pairs = set(itertools.combinations(range(k), 2))
        distinct_total += len(base_pairs)
        material = StoryMaterial(
            "bench",
            tuple(arts),
            {a.id: sentences[a.id] for a in arts},
            {
                a.id: np.array([vectors_by_text[s.text] for s in sentences[a.id]], dtype=np.float32).reshape(
                    len(sentences[a.id]), -1
                )
                for a in arts
            },
            {},
        )
        links, seconds = newsprism_pairs(material)
        dedupe_seconds += seconds
        dedupe_articles += len(arts)
        predicted = {
            "newsprism": _components(len(arts), links),
            "minhash_default": minhash_pairs([a.text for a in arts], None),
            "minhash_0.5": minhash_pairs([a.text for a in arts], 0.5),
        }
        for system, pairs in predicted.items():
            c = counts[system][edit]
            c["tp"] += len(pairs & gold)
            c["fp"] += len(pairs - gold)
            c["fn"] += len(gold - pairs)
            distinct[system] += len(pairs & base_pairs)
            if system == "newsprism":
                distinct_ids |= {(arts[i].id, arts[j].id) for i, j in pairs & base_pairs}

    table: dict[str, dict[str, dict[str, float | None]]] = {}
    for system in SYSTEMS:
        table[system] = {}
        for edit in EDITS:
            c = counts[system][edit]
            predicted_n = c["tp"] + c["fp"]
            table[system][edit] = {
                "precision": round(c["tp"] / predicted_n, 3) if predicted_n else None,
                "recall": round(c["tp"] / (c["tp"] + c["fn"]), 3) if c["tp"] + c["fn"] else None,
            }
    # distinct same-event pairs: each base pair is counted once per edit run; report the per-pair rate
    return {
        "stories": len(bases),
        "base_articles": sum(len(v) for v in bases.values()),
        "copies_per_edit": sum(len(v) for v in bases.values()),
        "edits": list(EDITS),
        "seed": seed,
        "table": table,
        "distinct_pairs": distinct_total,
        "distinct_merged": distinct,
        "distinct_merged_newsprism_ids": sorted(distinct_ids),
        "sentences_embedded": len(unique),
        "embed_seconds": round(embed_seconds, 1),
        "dedupe_articles_per_s": round(dedupe_articles / dedupe_seconds, 1) if dedupe_seconds else None,
        "seconds": round(time.perf_counter() - started, 1),
        "minhash_default_threshold": 0.9,
    }


def markdown(result: dict[str, Any]) -> str:
    r = result
    method = (__doc__ or "").split("\n\n", 2)[2].strip()
    lines = [
        "## Duplicates: seeded near-copies and distinct same-event reports",
        "",
        method,
        "",
        f"{r['stories']} gold stories, {r['base_articles']} base articles, {r['copies_per_edit']} copies per edit"
        f" type (seed {r['seed']}); {r['sentences_embedded']} distinct sentences embedded in"
        f" {r['embed_seconds']} s; find_duplicates alone {r['dedupe_articles_per_s']} articles/s; whole run"
        f" {r['seconds']} s.",
        "",
        "| edit | newsprism P | newsprism R | MinHash 0.9 (default) P | R | MinHash 0.5 P | R |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def fmt(v: float | None) -> str:
        return "–" if v is None else f"{v:.3f}"

    for edit in r["edits"]:
        cells = []
        for system in SYSTEMS:
            row = r["table"][system][edit]
            cells += [fmt(row["precision"]), fmt(row["recall"])]
        lines.append(f"| {edit} | " + " | ".join(cells) + " |")
    merged = r["distinct_merged"]
    lines += [
        "",
        f"Distinct same-event base pairs grouped (over {r['distinct_pairs']} pair checks, one per edit run):"
        f" newsprism {merged['newsprism']}, MinHash 0.9 {merged['minhash_default']},"
        f" MinHash 0.5 {merged['minhash_0.5']}.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--eval-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval"
    )
    parser.add_argument("--limit", type=int, default=None, help="gold stories (default all)")
    parser.add_argument("--per-story", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.eval_dir, args.limit, args.per_story, args.seed)
    if args.json:
        print(json.dumps(result, indent=2))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
