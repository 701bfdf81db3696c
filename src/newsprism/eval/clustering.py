"""Story clustering: the pipeline's own incremental clusterer fed in arrival order, from a fresh store."""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

from . import metrics
from .data import progress_iter

SEEDS = (0, 1, 2, 3, 4)  # undated files: mean over these arrival orders


def arrival_orders(items: Sequence[dict[str, Any]]) -> list[list[int]]:
    """Item index orders to feed the clusterer in.

    With every item dated: one order, by `published` (ties keep file order), the way news arrives.
    Otherwise (ECB+ has no dates) a seeded random order per seed in SEEDS, so the score does not
    depend on the file's sort order, which groups each story together.
    """
    if items and all(item.get("published") for item in items):
        return [sorted(range(len(items)), key=lambda i: items[i]["published"])]
    orders = []
    for seed in SEEDS:
        order = list(range(len(items)))
        random.Random(seed).shuffle(order)
        orders.append(order)
    return orders


def score(items: Sequence[dict[str, Any]], predicted: Sequence[Hashable]) -> dict[str, float | None]:
    """Cluster metrics on gold_story, and with prefix `topic_` on gold_topic over items that have one."""
    result: dict[str, float | None] = dict(
        metrics.cluster_metrics([i["gold_story"] for i in items], predicted)
    )
    topical = [k for k, item in enumerate(items) if item.get("gold_topic") is not None]
    topic = (
        metrics.cluster_metrics(
            [items[k]["gold_topic"] for k in topical], [predicted[k] for k in topical], "topic_"
        )
        if topical
        else dict.fromkeys(metrics.cluster_metrics(["a"], ["a"], "topic_"), None)
    )
    result.update(topic)
    return result


def _documents(items: Sequence[dict[str, Any]]) -> list:
    from ..records import RawDocument

    return [
        RawDocument(
            source=item["id"],
            kind="text",
            content=item["text"],
            hints={k: item.get(k) for k in ("id", "title", "published", "outlet", "url") if item.get(k)},
        )
        for item in items
    ]


def predict(items: Sequence[dict[str, Any]], progress: bool = False) -> list[list[Hashable]]:
    """Predicted story per item, one list per arrival order.

    Ingest (cleaning, embedding, extraction) runs once; for each order a fresh in-memory store gets a copy
    of the ingested articles, vectors and extractions through the store's public methods, then the
    pipeline's incremental clusterer runs in that order. A rejected item is a singleton cluster.
    """
    from ..pipeline import SENTENCE_VECTORS, Pipeline
    from ..records import Article
    from ..store import SQLiteStore

    source = Pipeline(SQLiteStore(":memory:"), progress=progress)
    ingested = source.ingest(_documents(items))
    outcome = [x for _, x in ingested.items]
    if len(outcome) != len(items):
        raise RuntimeError(f"pipeline ingest returned {len(outcome)} outcomes for {len(items)} inputs")
    stored = {a.id: a for a in source.store.articles()}
    predictions = []
    for order in progress_iter(arrival_orders(items), progress, "arrival orders"):
        store = SQLiteStore(":memory:")
        with store.transaction():
            for article in stored.values():
                store.add_article(article)
                vectors = source.store.get_vectors(article.id, SENTENCE_VECTORS)
                if vectors is not None:
                    store.put_vectors(article.id, SENTENCE_VECTORS, vectors)
                extraction = source.store.get_extraction(article.id)
                if extraction is not None:
                    store.put_extraction(extraction)
        pipeline = Pipeline(store)
        ids, seen = [], set()
        for k in order:
            x = outcome[k]
            if isinstance(x, Article) and x.id not in seen:
                seen.add(x.id)
                ids.append(x.id)
        pipeline.cluster(ids)
        labels: list[Hashable] = []
        for k, x in enumerate(outcome):
            story = store.story_of(x.id) if isinstance(x, Article) else None
            story = store.resolve_story(story) if story else None
            labels.append(story or f"unclustered:{k}")
        predictions.append(labels)
        store.close()
    source.store.close()
    return predictions


def score_runs(items: Sequence[dict[str, Any]], runs: Sequence[Sequence[Hashable]]) -> dict[str, Any]:
    """Metrics averaged over the runs (arrival orders); `runs` holds their count."""
    per_run = [score(items, labels) for labels in runs]
    result: dict[str, Any] = {}
    for key in per_run[0]:
        values = [r[key] for r in per_run if r[key] is not None]
        result[key] = metrics.mean(values) if values else None
    result["runs"] = len(per_run)
    result["clusters"] = metrics.mean([len(set(labels)) for labels in runs])
    result["gold_stories"] = len({i["gold_story"] for i in items})
    return result


def evaluate(items: list[dict[str, Any]], path: Path, progress: bool = False, **_: Any) -> dict[str, Any]:
    return score_runs(items, predict(items, progress))
