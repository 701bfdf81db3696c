"""Scaling benchmark: wall time, articles/s and peak RSS of `newsprism.pipeline.analyze` on N HTML files.

The corpus is made from dev articles (clustering and quotes files) as perturbed copies with shifted dates:
copy k of base article i drops one paragraph (when it has more than three), adds k to every number in the
text and swaps two neighbouring words in one sentence, all seeded by (i, k); its date is the base date
(2024-01-01 plus i mod 60 days) shifted by 10*k days, beyond the story window, so copies found later
stories instead of piling into one. Each article is wrapped in a small HTML page with a nav bar and a
footer, because the product goal (>= 20 articles/s) is stated for HTML input.

Run a size in a child process so that peak RSS is that size's own:
    python -m bench.scaling --n 1000 --eval-dir ../shared/eval
prints one JSON line {"n", "seconds", "articles_per_second", "peak_rss_mb", "stories", "rejected"}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

GOAL_ARTICLES_PER_SECOND = 20.0
_NUMBER = re.compile(r"\d+")


def base_articles(eval_dir: Path) -> list[tuple[str | None, str]]:
    """(title, text) of the dev articles the corpus is made from, read at run time."""
    out: list[tuple[str | None, str]] = []
    for rel in ("clustering/ecbplus-dev.jsonl", "quotes/polnear-dev.jsonl"):
        path = eval_dir / rel
        if not path.is_file():
            continue
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                item = json.loads(line)
                if len(item["text"].split()) >= 40:
                    out.append((item.get("title"), item["text"]))
    if not out:
        raise SystemExit(f"no dev articles under {eval_dir} to build the scaling corpus from")
    return out


def perturb(text: str, k: int, rng: random.Random) -> str:
    if k == 0:
        return text
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    if len(paragraphs) > 3:
        paragraphs.pop(rng.randrange(1, len(paragraphs)))
    paragraphs = [_NUMBER.sub(lambda m: str(int(m.group()) + k), p) for p in paragraphs]
    target = rng.randrange(len(paragraphs))
    words = paragraphs[target].split(" ")
    if len(words) > 3:
        j = rng.randrange(len(words) - 1)
        words[j], words[j + 1] = words[j + 1], words[j]
        paragraphs[target] = " ".join(words)
    return "\n\n".join(paragraphs)


def page(title: str, text: str, date: str) -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | Example News</title>"
        f'<meta property="article:published_time" content="{date}T09:00:00Z"></head><body>'
        '<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>'
        f'<article><h1>{html.escape(title)}</h1><time datetime="{date}">{date}</time>\n{body}</article>'
        "<footer>© Example News. All rights reserved. Share this article.</footer></body></html>"
    )


def make_corpus(n: int, eval_dir: Path, out_dir: Path) -> list[Path]:
    bases = base_articles(eval_dir)
    start = dt.date(2024, 1, 1)
    paths = []
    for idx in range(n):
        i, k = idx % len(bases), idx // len(bases)
        rng = random.Random(i * 1_000_003 + k)
        title, text = bases[i]
        text = perturb(text, k, rng)
        title = title or " ".join(text.split()[:10])
        date = (start + dt.timedelta(days=i % 60 + 10 * k)).isoformat()
        path = out_dir / f"a{idx:06d}.html"
        path.write_text(page(title, text, date), encoding="utf-8")
        paths.append(path)
    return paths


def run_size(n: int, eval_dir: Path) -> dict:
    from newsprism.pipeline import analyze

    with tempfile.TemporaryDirectory(prefix="newsprism-scale-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        make_corpus(n, eval_dir, corpus)
        started = time.perf_counter()
        # as `newsprism analyze` runs: the articles are counted, not kept
        result = analyze([corpus], db=Path(tmp) / "bench.db", out=Path(tmp) / "report", keep_articles=False)
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {
        "n": n,
        "seconds": round(seconds, 2),
        "articles_per_second": round(n / seconds, 2) if seconds else None,
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "stories": len(result.story_ids),
        "rejected": result.ingest.rejected_count,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--eval-dir", type=Path, default=Path("../shared/eval"))
    args = parser.parse_args(argv)
    print(json.dumps(run_size(args.n, args.eval_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
