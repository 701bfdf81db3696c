"""`make bench` section: the stores and the engines side by side, and a cost model for a day of world news.

- The stores: basil-dev is ingested once into a SQLite store; `bench.store_scaling` then writes the same stream
  of perturbed copies (100,000 articles; 2,000 with --limit) through SQLite and through PostgreSQL (a private
  server, tests/pg_server.py), one after the other: per article, the write of an ingested batch and the story
  clusterer's lookup and checkpoints, with resident memory.
- The engines: `bench.engines` runs `newsprism analyze` over the same 1,000 HTML pages (40 with --limit) with
  the local engine, then Ray with 1 and with 2 workers of each kind.
- The cost model is computed from those figures, on paper.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.stories_scaling import ingest, records_table

ROOT = Path(__file__).resolve().parent.parent
ARTICLES_A_DAY = 500_000


def _json_lines(command: list[str], timeout: int) -> list[dict[str, Any]] | str:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["failed"])[-1]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def run(eval_dir: Path, limit: int | None) -> dict[str, Any]:
    n, chunk = (100_000, 10_000) if limit is None else (2_000, 500)
    pages = 1_000 if limit is None else 40
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "basil.db"
        base = ingest(eval_dir, db, "basil-dev.jsonl")
        stores = _json_lines(
            [
                sys.executable,
                "-m",
                "bench.store_scaling",
                "--source",
                str(db),
                "--n",
                str(n),
                "--chunk",
                str(chunk),
            ],
            timeout=6 * 3600,
        )
    engines = _json_lines(
        [sys.executable, "-m", "bench.engines", "--eval-dir", str(eval_dir), "--pages", str(pages)],
        timeout=6 * 3600,
    )
    return {
        "base": base,
        "n": n,
        "pages": pages,
        "stores": stores,
        "engines": engines,
        "cpus": os.cpu_count(),
    }


def cost_model(result: dict[str, Any]) -> list[str]:
    """Workers and hours for ARTICLES_A_DAY, from the measured figures."""
    stores, engines = result["stores"], result["engines"]
    if isinstance(stores, str) or isinstance(engines, str) or not stores or not engines:
        return ["(no cost model: a measurement failed)"]
    local = next(r for r in engines if r["engine"] == "local")
    cpu_s = result["cpus"] * local["seconds"] / local["articles"]  # both cores busy: an upper bound
    last = {r["store"]: r for r in stores if r["articles"] == max(x["articles"] for x in stores)}
    postgres = last.get("postgres")
    if postgres is None:
        return ["(no cost model: the PostgreSQL run failed)"]
    day = ARTICLES_A_DAY
    core_hours = day * cpu_s / 3600
    story_hours = day * postgres["stories_ms_per_article"] / 1000 / 3600
    write_hours = day * postgres["ingest_write_ms_per_article"] / 1000 / 3600
    ceiling = 86_400 / (postgres["stories_ms_per_article"] / 1000)
    return [
        f"For {day:,} articles a day, from the figures above (this machine's cores; a server core is faster):",
        "",
        f"- **Models and cleaning** (parallel): the local engine used at most {cpu_s:.2f} CPU-seconds an article"
        f" ({result['cpus']} cores × {local['seconds']} s / {local['articles']} articles), so a day needs about"
        f" {core_hours:,.0f} core-hours: {core_hours / 24:,.0f} worker cores running all day, or"
        f" {core_hours / 8:,.0f} for an 8-hour window.",
        f"- **The story stage** (one process at a time, ordered): {postgres['stories_ms_per_article']} ms an"
        f" article on PostgreSQL at {postgres['articles']:,} articles, {story_hours:.1f} hours a day; it"
        f" saturates at about {ceiling:,.0f} articles a day. The story analyses (claims, brief) run in parallel"
        " on the analyser actors and are part of the model cost above.",
        f"- **The database** (batch writes serialised by the store's write lock): "
        f"{postgres['ingest_write_ms_per_article']} ms an article, {write_hours:.1f} hours a day.",
        "",
        "So the first bottleneck is the models: the serial parts use "
        f"{(story_hours + write_hours) / 24:.0%} of a day's clock, and only past about {ceiling:,.0f} articles a"
        " day would the ordered story stage need splitting (by language or region, each its own store).",
    ]


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "## Scale: stores and engines",
        "",
        f"Stores: {result['base']} basil-dev articles ingested once; `python -m bench.store_scaling --n {result['n']}`"
        " writes the same stream of perturbed copies (numbers shifted, vectors with noise, dates spread so old"
        " stories close) through SQLite, then through PostgreSQL (a private server on a Unix socket, fsync off):"
        " per article, the write of an ingested batch of 64 in one transaction, and the story clusterer (lookup"
        " among open stories, checkpoints); one row per chunk, not cumulative.",
        "",
    ]
    stores = result["stores"]
    if isinstance(stores, str):
        lines.append(f"error: {stores}")
    elif stores:
        lines += records_table(stores, rule="---")
    lines += [
        "",
        f"Engines: `newsprism analyze` end to end (clean, embed, parse, stories, analyses, report) over the same"
        f" {result['pages']} HTML pages (fundus pages repeated with their numbers shifted), each run into a fresh"
        " SQLite store, one after the other. Ray runs in local mode on this machine; workers = actors of each"
        " kind (cleaners, analysers).",
        "",
    ]
    engines = result["engines"]
    if isinstance(engines, str):
        lines.append(f"error: {engines}")
    elif engines:
        local = next((r for r in engines if r["engine"] == "local"), None)
        lines += [
            "| engine | workers | seconds | articles | articles/s | stories | overhead ms/article vs local |"
        ]
        lines += ["|---|---:|---:|---:|---:|---:|---:|"]
        for r in engines:
            overhead = (
                f"{1000 * (r['seconds'] - local['seconds']) / r['articles']:.0f}"
                if local and r is not local
                else ""
            )
            lines.append(
                f"| {r['engine']} | {r['workers'] or ''} | {r['seconds']} | {r['articles']} |"
                f" {r['articles_per_second']} | {r['stories']} | {overhead} |"
            )
    lines += ["", "### Cost model", "", *cost_model(result)]
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    print(markdown(run(args.eval_dir, args.limit)))
