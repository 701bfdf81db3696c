"""The local engine and the Ray engine side by side: `newsprism analyze` end to end over the same HTML pages,
each run into a fresh SQLite store, one after the other on this machine.

The pages are the fundus evaluation pages (../shared/eval/extraction, read at run time, written to a temporary
folder and deleted after), repeated to `--pages` with every digit run in copy k raised by k, so that each
copy is a new article (its own id and body) rather than an alias of the first.

    python -m bench.engines --pages 1000 [--out build/engines.json]

Prints one JSON line per run: engine, workers, seconds, articles/s, articles, stories.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_DIGITS = re.compile(r"\d+")


def write_pages(eval_dir: Path, count: int, folder: Path) -> int:
    from newsprism.eval.data import read_items
    from newsprism.eval.extraction import read_page

    path = eval_dir / "extraction" / "fundus.jsonl"
    pages = [read_page(item, path.parent) for item in read_items("extraction", path, None)]
    for n in range(count):
        k, i = divmod(n, len(pages))
        html = _DIGITS.sub(lambda m, k=k: str(int(m.group()) + k), pages[i]) if k else pages[i]
        (folder / f"page-{n:05d}.html").write_text(html, encoding="utf-8")
    return count


def run(folder: Path, engine: str, workers: int | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "newsprism.cli", "analyze", str(folder), "--db", f"{tmp}/n.db"]
        command += ["--out", f"{tmp}/report", "--quiet", "--engine", engine]
        if workers:
            command += ["--workers", str(workers)]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
        report = json.loads(Path(tmp, "report", "report.json").read_text(encoding="utf-8"))
    articles = len(report["articles"])
    return {
        "engine": engine,
        "workers": workers,
        "seconds": round(seconds, 1),
        "articles": articles,
        "articles_per_second": round(articles / seconds, 2),
        "stories": len(report["stories"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--eval-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval"
    )
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_pages(args.eval_dir, args.pages, folder)
        for engine, workers in (("local", None), ("ray", 1), ("ray", 2)):
            results.append(run(folder, engine, workers))
            print(json.dumps(results[-1]), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
