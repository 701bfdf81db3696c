"""Where the brief's ROUGE is lost: the system against oracles over the same candidate sentences.

Usage: python bench/brief_lab.py PATH.jsonl [--every N] [--start K] [--cache FILE]

Runs the pipeline on each story once (the slow part, a minute per hundred stories; `--cache` keeps the
captured material in a local pickle, never inside the repository, since it holds the publishers' text) and
then replays `write_brief`'s selection offline, so selection ideas are scored in seconds. Prints, as ROUGE-1/2
of the brief cut to the reference's length (the eval's metric):

- system: the shipped brief;
- oracle first: the best candidate forced to the top, the rest picked by the system (how much rides on the
  opening sentence, which the length cut makes dominant);
- greedy oracle: sentences added one by one by ROUGE gain against the reference (the extractive ceiling of
  these candidates);
- the rank the system gives the oracle's first sentence.

Tune on neus-train only (`--every`/`--start` pick disjoint parts), then check neus-val once.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path

import numpy as np


def capture(items: list[dict]) -> list[tuple[str, str, tuple | None]]:
    """(story id, reference, (material, claims) given to write_brief) per story."""
    import newsprism.brief as brief
    from newsprism.eval import summaries

    seen: list[tuple] = []
    original = brief.write_brief

    def spy(material, claims, max_sentences=None):
        seen.append((material, claims))
        return original(material, claims, max_sentences)

    brief.write_brief = spy
    try:
        out = []
        for item in items:
            seen.clear()
            summaries.newsprism_summary(item)
            out.append((item["id"], item["reference"], seen[0] if seen else None))
        return out
    finally:
        brief.write_brief = original


def _rouge(text: str, reference: str) -> float:
    from newsprism.eval.summaries import rouge

    scores = rouge(text, reference)
    return scores["rouge1"] + scores["rouge2"]


def analyse(rows: list[tuple[str, str, tuple | None]]) -> dict[str, object]:
    from newsprism.brief import summary
    from newsprism.claims.groups import display_text
    from newsprism.eval.summaries import rouge

    system, first, greedy, ranks = [], [], [], []
    for _, reference, captured in rows:
        if captured is None:
            empty = rouge("", reference)
            for bucket in (system, first, greedy):
                bucket.append(empty)
            continue
        material, claims = captured
        candidates = summary._candidates(material, claims)
        brief = summary.write_brief(material, claims)
        system.append(rouge(" ".join(s.text for s in brief), reference))
        if not candidates:
            first.append(system[-1])
            greedy.append(system[-1])
            continue
        relevance = summary._relevance(material, candidates)
        texts = [summary.compact(display_text(c.sentence.text)) for c in candidates]
        stated = [k for k in range(len(candidates)) if relevance[k] > -np.inf]
        # Oracle first: each stated candidate forced to the top, the system picks the rest.
        best_k, best_value, best_scores = None, -1.0, system[-1]
        for k in stated:
            forced = relevance.copy()
            forced[k] = np.inf
            scores = _replay(material, claims, candidates, forced, reference)
            if scores["rouge1"] + scores["rouge2"] > best_value:
                best_k, best_value, best_scores = k, scores["rouge1"] + scores["rouge2"], scores
        first.append(best_scores)
        order = sorted(stated, key=lambda k: -relevance[k])
        ranks.append(order.index(best_k) if best_k is not None else 0)
        # Greedy oracle over the same candidates.
        chosen: list[int] = []
        value = 0.0
        while True:
            gains = [
                (_rouge(" ".join(texts[j] for j in [*chosen, k]), reference), k)
                for k in stated
                if k not in chosen
            ]
            if not gains or max(gains)[0] <= value:
                break
            value, k = max(gains)
            chosen.append(k)
        greedy.append(rouge(" ".join(texts[j] for j in chosen), reference))

    def mean(bucket: list[dict], key: str) -> float:
        return round(float(np.mean([s[key] for s in bucket])), 4)

    return {
        "stories": len(rows),
        **{
            f"{name}_{key}": mean(bucket, key)
            for name, bucket in (("system", system), ("oracle_first", first), ("greedy_oracle", greedy))
            for key in ("rouge1", "rouge2")
        },
        "oracle_first_rank": np.bincount(np.minimum(ranks, 9), minlength=10).tolist(),
    }


def _replay(material, claims, candidates, relevance, reference) -> dict[str, float]:
    """write_brief's picking and ordering with the given relevance (the oracle's forced first pick)."""
    from newsprism.brief import summary
    from newsprism.eval.summaries import rouge

    original = summary._relevance
    summary._relevance = lambda *_: relevance.copy()
    try:
        brief = summary.write_brief(material, claims)
    finally:
        summary._relevance = original
    return rouge(" ".join(s.text for s in brief), reference)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--cache", type=Path, help="pickle of the captured material (outside the repository)")
    args = parser.parse_args(argv)
    if args.cache and args.cache.exists():
        rows = pickle.loads(args.cache.read_bytes())
    else:
        lines = args.path.read_text(encoding="utf-8").splitlines()
        items = [json.loads(line) for line in lines if line.strip()][args.start :: args.every]
        rows = capture(items)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(rows))
    json.dump(analyse(rows), sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
