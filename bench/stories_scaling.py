"""`make bench` section wrapping bench/scaling_stories.py: the story clusterer alone on a stream grown to 100k articles.

The ECB+ dev articles are ingested once (cleaning, embedding, extraction: the clustering eval's ingest path)
into a temporary store; `bench.scaling_stories` then streams perturbed copies of them with shifted dates
through `StoryClusterer` in a fresh process and prints one JSON line per chunk. Flat seconds per article and
flat RSS across chunks is what the issue asks; the first chunk includes warm-up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FULL_N = 100_000
CHUNK = 5_000


def ingest(eval_dir: Path, db: Path, name: str = "ecbplus-dev.jsonl") -> int:
    """Ingest a clustering dev file (cleaning, embedding, extraction) into a SQLite store at `db`."""
    from newsprism.eval.clustering import _documents
    from newsprism.eval.data import read_items
    from newsprism.pipeline import Pipeline
    from newsprism.store import SQLiteStore

    items = read_items("clustering", eval_dir / "clustering" / name, None)
    store = SQLiteStore(str(db))
    try:
        return len(Pipeline(store).ingest(_documents(items)).articles)
    finally:
        store.close()


def run(eval_dir: Path, limit: int | None) -> dict[str, Any]:
    n = FULL_N if limit is None else max(1_000, limit * 100)
    chunk = CHUNK if limit is None else max(250, n // 4)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ecb.db"
        base = ingest(eval_dir, db)
        cmd = [
            sys.executable,
            "-m",
            "bench.scaling_stories",
            "--store",
            str(db),
            "--n",
            str(n),
            "--chunk",
            str(chunk),
        ]
        # one BLAS thread: the clusterer's small matrix-vector products only lose to thread hand-offs
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=6 * 3600)
    if done.returncode != 0:
        return {"n": n, "base": base, "error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {"n": n, "chunk": chunk, "base": base, "rows": rows}


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "## Stories at scale: the clusterer on a 100k-article stream",
        "",
        f"{result['base']} ECB+ dev articles ingested once; `python -m bench.scaling_stories --n {result['n']}` "
        "streams perturbed copies of them with shifted dates (bench/scaling_stories.py says how) through "
        "`StoryClusterer` with embeddings precomputed; one row per chunk, cumulative. Issue goal: >= 500 "
        "articles/s for the clustering stage, time per article and memory flat as the stream grows.",
        "",
    ]
    if "error" in result:
        return "\n".join(lines + [f"error: {' '.join(result['error'])}"])
    rows = result["rows"]
    lines += records_table(rows)
    return "\n".join(lines)


def records_table(rows: list[dict[str, Any]], rule: str = "---:") -> list[str]:
    """Markdown table lines of rows that share their keys (the first row's, in order): a column per key."""
    keys = list(rows[0]) if rows else []
    return [
        "| " + " | ".join(keys) + " |",
        "|" + f"{rule}|" * len(keys),
        *("| " + " | ".join(str(r.get(k, "")) for k in keys) + " |" for r in rows),
    ]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    print(markdown(run(args.eval_dir, args.limit)))
