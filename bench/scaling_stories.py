"""Scaling run of the story clusterer alone (embeddings precomputed): time per article and RSS as the stream grows.

The stream is made from an already ingested store (e.g. `newsprism analyze` or the clustering eval's ingest
written to a file): copy k of base article i keeps its text with every number shifted by k, its sentence
vectors get Gaussian noise (sigma 0.01 per dimension, then re-normalised) and its date is
2024-01-01 + (i mod 7) + 10*k days, so copies of one base story land beyond the story window and found new
stories while old ones go idle and close. Entity counts come from the stored extraction; title vectors are embedded once per base article.

    python -m bench.scaling_stories --store /tmp/ecb.db --n 100000 --chunk 5000
prints one JSON line per chunk {"articles", "seconds_per_article", "articles_per_second", "cpu_ms_per_article",
"consolidate_seconds", "consolidated_merges", "rss_mb", "open_stories"}. Only the clusterer is timed (each
`add`, with no transaction around it, as Pipeline.cluster calls it, and the chunk-end `consolidate`): making the perturbed
copies is the bench's own work. Set OPENBLAS_NUM_THREADS=1 (bench/stories_scaling.py does): small
matrix-vector products only lose to BLAS thread hand-offs.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from newsprism.pipeline import SENTENCE_VECTORS, Pipeline, entity_counts, lead_people
from newsprism.store import SQLiteStore
from newsprism.stories import StoryClusterer

_NUMBER = re.compile(r"\d{1,15}")
_BASE_DAY = dt.date(2024, 1, 1)


def rss_mb() -> float:
    """Current resident set size (not the peak), so a flat line means flat memory."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * 4096 / 1e6


def stream(source: SQLiteStore, n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    articles = source.articles()
    titles = Pipeline(source).title_vectors(articles)  # embedded once (kept in the source store)
    extractions = {a.id: source.get_extraction(a.id) for a in articles}
    base = [
        (
            a,
            source.get_vectors(a.id, SENTENCE_VECTORS),
            entity_counts(extractions[a.id]),
            lead_people(extractions[a.id]),
        )
        for a in articles
    ]
    base = [b for b in base if b[1] is not None and len(b[1])]
    if not base:
        raise SystemExit("the store holds no articles with sentence vectors: ingest some first")
    for j in range(n):
        k, i = divmod(j, len(base))
        article, vectors, counts, people = base[i]
        noisy = vectors + rng.normal(0, 0.01, vectors.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        day = _BASE_DAY + dt.timedelta(days=i % 7 + 10 * k)
        text = _NUMBER.sub(lambda m, k=k: str(int(m.group()) + k), article.text) if k else article.text
        copy = dataclasses.replace(article, id=f"{article.id[:12]}-{k}", text=text, published=day.isoformat())
        yield copy, noisy, counts, people, titles.get(article.id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="an ingested newsprism store (SQLite file)")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=5_000)
    args = parser.parse_args()
    source = SQLiteStore(args.store)
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "stories.db")
        clusterer = StoryClusterer(store)
        done, wall, cpu = 0, 0.0, 0.0
        for article, vectors, counts, people, title in stream(source, args.n):
            w0, c0 = time.perf_counter(), time.process_time()
            # writes at its own checkpoints
            clusterer.add(article, vectors, counts, title_vector=title, lead_people=people)
            wall += time.perf_counter() - w0
            cpu += time.process_time() - c0
            done += 1
            if done % args.chunk == 0 or done == args.n:
                # A chunk is a batch: its end runs the consolidation pass, as Pipeline.cluster does.
                w0, c0 = time.perf_counter(), time.process_time()
                with store.transaction():
                    merged = len(clusterer.consolidate())
                    clusterer.flush()
                consolidate_s = time.perf_counter() - w0
                wall += consolidate_s
                cpu += time.process_time() - c0
                size = args.chunk if done % args.chunk == 0 else done % args.chunk
                print(
                    json.dumps(
                        {
                            "articles": done,
                            "seconds_per_article": round(wall / size, 6),
                            "articles_per_second": round(size / wall, 1),
                            "cpu_ms_per_article": round(1000 * cpu / size, 3),
                            "consolidate_seconds": round(consolidate_s, 2),
                            "consolidated_merges": merged,
                            "rss_mb": round(rss_mb(), 1),
                            "open_stories": len(clusterer.open_stories()),
                        }
                    ),
                    flush=True,
                )
                wall, cpu = 0.0, 0.0
        store.close()
    source.close()


if __name__ == "__main__":
    main()
