"""SQLite and PostgreSQL side by side as the store grows: the write of an ingested batch, and the story
clusterer's lookup and checkpoints, per article, with memory.

The articles are perturbed copies of an ingested store's (bench.scaling_stories.stream: numbers shifted, sentence
vectors with noise, dates spread so that old stories close). Each store takes the same stream in the same
order:
- ingest: per batch of `--batch` articles, one transaction writing each article, its sentence vectors, its
  extraction and its stage mark, as Pipeline._store_batch does (cleaning, embedding and parsing are not
  timed: they do not depend on the store);
- stories: each article through `StoryClusterer.add` (lookup among open stories, scoring, checkpoint writes),
  and the batch-end consolidation, as Pipeline.cluster does.

    python -m bench.store_scaling --source /tmp/basil.db --n 10000 --chunk 2000 [--postgres URL]

Without --postgres a private server is started (tests/pg_server.py). Prints one JSON line per store and chunk.
"""

from __future__ import annotations

import argparse
import json
import secrets
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.scaling_stories import rss_mb, stream
from newsprism.pipeline import SENTENCE_VECTORS
from newsprism.store import SQLiteStore
from newsprism.stories import StoryClusterer


def run(store, source: SQLiteStore, n: int, chunk: int, batch: int, label: str) -> None:
    clusterer = StoryClusterer(store)
    # copies are named by their base article's first 12 characters (bench.scaling_stories.stream)
    extractions = {a.id[:12]: source.get_extraction(a.id) for a in source.articles()}
    pending = []
    ingest_s = stories_s = 0.0
    done = 0
    for article, vectors, counts, people, title in stream(source, n):
        pending.append((article, vectors))
        t0 = time.perf_counter()
        clusterer.add(article, vectors, counts, title_vector=title, lead_people=people)
        stories_s += time.perf_counter() - t0
        if len(pending) == batch:
            ingest_s += _write_batch(store, extractions, pending)
            pending = []
        done += 1
        if done % chunk == 0 or done == n:
            if pending:
                ingest_s += _write_batch(store, extractions, pending)
                pending = []
            t0 = time.perf_counter()
            with store.transaction():
                clusterer.consolidate()
                clusterer.flush()
            stories_s += time.perf_counter() - t0
            size = chunk if done % chunk == 0 else done % chunk
            print(
                json.dumps(
                    {
                        "store": label,
                        "articles": done,
                        "ingest_write_ms_per_article": round(1000 * ingest_s / size, 3),
                        "stories_ms_per_article": round(1000 * stories_s / size, 3),
                        "open_stories": len(clusterer.open_stories()),
                        "rss_mb": round(rss_mb(), 1),
                    }
                ),
                flush=True,
            )
            ingest_s = stories_s = 0.0


def _write_batch(store, extractions: dict, pending) -> float:
    """Write one batch as the pipeline does; its seconds. A copy's extraction is its base article's."""
    t0 = time.perf_counter()
    with store.transaction():
        for article, vectors in pending:
            store.add_article(article)
            store.put_vectors(article.id, SENTENCE_VECTORS, vectors)
            extraction = extractions.get(article.id.rsplit("-", 1)[0])
            if extraction is not None:
                store.put_extraction(replace(extraction, article_id=article.id))
        store.mark_done("extract", [a.id for a, _ in pending])
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="an ingested newsprism store (SQLite file)")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database (default: a private server)")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    source = SQLiteStore(args.source)
    server = None
    if args.postgres is None and args.only != "sqlite":
        from tests import pg_server

        server = pg_server.start()
    try:
        if args.only != "postgres":
            with tempfile.TemporaryDirectory() as tmp:
                store = SQLiteStore(Path(tmp) / "bench.db")
                run(store, source, args.n, args.chunk, args.batch, "sqlite")
                store.close()
        if args.only != "sqlite":
            from newsprism.store.postgres import PostgresStore

            url = args.postgres or server.url
            store = PostgresStore(url, schema=f"bench_{secrets.token_hex(4)}", drop_on_close=True)
            run(store, source, args.n, args.chunk, args.batch, "postgres")
            store.close()
    finally:
        source.close()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
