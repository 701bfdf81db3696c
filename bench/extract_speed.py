"""Extraction speed: `extract.extract_articles` in articles/s, split into spaCy's parse and our rules.

    python -m bench.extract_speed --eval-dir ../shared/eval [--limit N]

Input: the first `limit` (default 200) ECB+ dev documents (shared/eval/clustering/ecbplus-dev.jsonl, read at
run time, never stored), cleaned as plain text with `clean.clean_document` before any clock starts. Timed, on
the same articles and after one warm-up call that loads the spaCy pipeline: (1) `extract_articles(articles)`
end to end as the pipeline calls it (spaCy with the configured process count, then entities, quotes, numbers
and dates); (2) spaCy alone, `nlp().pipe` over the same texts in one process; (3) the rules alone,
`extract_article` over those ready parses. Each is the best of `repeats` passes, because the machine is shared;
(2) and (3) are also given per CPU-second of the process (what an idle core would do), with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

GOAL_ARTICLES_PER_SECOND = 15.0


def load_articles(eval_dir: Path, limit: int | None) -> list[Any]:
    """Clean `Article`s of the first `limit` ECB+ dev documents (cleaning is not timed)."""
    from newsprism.clean import clean_document
    from newsprism.errors import InputError
    from newsprism.eval.data import read_items
    from newsprism.records import RawDocument

    out = []
    for item in read_items("clustering", eval_dir / "clustering" / "ecbplus-dev.jsonl", limit):
        hints = {"published": item["published"]} if item.get("published") else {}
        try:
            out.append(clean_document(RawDocument(item["id"], "text", item["text"], hints)))
        except InputError:
            continue
    return out


def _best(fn, repeats: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of the fastest of `repeats` calls."""
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def measure(eval_dir: Path, limit: int | None = 200, repeats: int = 2) -> dict[str, Any]:
    from newsprism import settings
    from newsprism.extract import extract_article, extract_articles
    from newsprism.models import nlp

    articles = load_articles(eval_dir, limit or 200)
    if not articles:
        raise SystemExit(f"no articles read from {eval_dir}")
    cap = settings.get("max_article_chars")
    texts = [a.text[:cap] for a in articles]
    extract_articles(articles[:2])  # model loading is not throughput
    end_to_end, _ = _best(lambda: extract_articles(articles), repeats)
    batch = settings.get("spacy_batch_size")
    spacy_wall, spacy_cpu = _best(lambda: list(nlp().pipe(texts, batch_size=batch)), repeats)
    docs = list(nlp().pipe(texts, batch_size=batch))
    rules_wall, rules_cpu = _best(
        lambda: [extract_article(a, d) for a, d in zip(articles, docs, strict=True)], repeats
    )
    n = len(articles)
    return {
        "articles": n,
        "chars": sum(len(t) for t in texts),
        "processes": settings.get("spacy_processes"),
        "extract_articles_per_s": round(n / end_to_end, 1),
        "spacy_one_process_articles_per_s": round(n / spacy_wall, 1),
        "rules_articles_per_s": round(n / rules_wall, 1),
        # CPU time is what an idle core would take: the shared machine's load skews wall time.
        "one_process_articles_per_cpu_s": round(n / (spacy_cpu + rules_cpu), 1),
        "spacy_articles_per_cpu_s": round(n / spacy_cpu, 1),
        "rules_articles_per_cpu_s": round(n / rules_cpu, 1),
        "rules_share_of_cpu": round(rules_cpu / (rules_cpu + spacy_cpu), 3),
        "goal_articles_per_s": GOAL_ARTICLES_PER_SECOND,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "repeats": repeats,
        "seconds": {
            "extract_articles": end_to_end,
            "spacy_one_process": [spacy_wall, spacy_cpu],
            "rules": [rules_wall, rules_cpu],
        },
    }


def run(eval_dir: Path, limit: int | None = None) -> dict[str, Any]:
    """bench/run.py's optional-section interface."""
    return measure(eval_dir, limit)


def markdown(result: dict[str, Any]) -> str:
    r = result
    met = "met" if r["extract_articles_per_s"] >= r["goal_articles_per_s"] else "NOT met"
    return "\n".join(
        [
            "## Extraction speed",
            "",
            (__doc__ or "").split("\n\n", 2)[2].replace("\n", " ").strip(),
            "",
            "| what | articles/s (wall) | articles per CPU-second |",
            "|---|---:|---:|",
            f"| **extract_articles** ({r['processes']} spaCy processes) | **{r['extract_articles_per_s']}** | |",
            f"| extract, one process | | {r['one_process_articles_per_cpu_s']} |",
            f"| spaCy parse alone, one process | {r['spacy_one_process_articles_per_s']} |"
            f" {r['spacy_articles_per_cpu_s']} |",
            f"| our rules alone (entities, quotes, numbers, dates) | {r['rules_articles_per_s']} |"
            f" {r['rules_articles_per_cpu_s']} |",
            "",
            f"{r['articles']} ECB+ dev articles ({r['chars']} characters); rules take"
            f" {100 * r['rules_share_of_cpu']:.0f}% of one-process CPU time. Goal >="
            f" {r['goal_articles_per_s']:.0f} articles/s: {met} (load average {r['load_average_1m']} on"
            f" {r['cpus']} CPUs).",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--eval-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval"
    )
    parser.add_argument("--limit", type=int, default=200, help="ECB+ dev articles (default 200)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.eval_dir, args.limit, args.repeats)
    print(markdown(result) if args.markdown else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
