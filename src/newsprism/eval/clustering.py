"""Story clustering: the pipeline's own incremental clusterer fed in arrival order, from a fresh store.

Two protocols. `evaluate` scores the shipped settings on a file (in-sample for a file they were calibrated
on). `held_out` is the one to report: events (ECB+ topics, BASIL events) are split in two halves per file,
every calibrated clustering setting (HELD_OUT_GRID) and the TF-IDF baseline's threshold are fitted on one
half, both files as one stream, and scored on the other half; then the halves swap and the scores average.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import settings
from . import metrics
from .data import progress_iter

SEEDS = (0, 1, 2, 3, 4)  # undated files: mean over these arrival orders
FIT_SEEDS = (0, 1)  # arrival orders a candidate setting is scored on while fitting (fewer: a fit runs many)
# Clustering settings calibrated on ecbplus-dev (see their help in settings.py) and the batch-end date
# window, each with the values a held-out fit tries beside its shipped one; one pass of coordinate search,
# in this order.
HELD_OUT_GRID: dict[str, tuple[Any, ...]] = {
    "story_join_similarity": (1.2, 1.6),
    "story_merge_similarity": (1.2, 1.6),
    "story_consolidate_similarity": (0.6, 1.0),
    "story_fragment_size": (1, 3),
    "story_fragment_similarity": (0.3, 0.5),
    "story_fragment_margin": (0.0, 0.2),
    "story_fragment_min_shared": (0.1, 0.3),
    "story_reassign_margin": (0.05, 0.2),
    "story_consolidate_window_days": (3, 30),
    "story_lead_weight": (0.7, 1.0),
    "story_term_weight": (0.5, 1.5),
    "story_entity_weight": (0.5, 1.5),
    "story_lead_entity_chars": (200, 500),
    "story_lead_entity_bonus": (0, 5),
    "story_year_conflict": (0.5, 1.5),
    "story_anchor_conflict": (0.25, 1.0),
    "story_anchor_gap_years": (1, 3),
    "story_weekday_conflict": (0.0, 0.4),
    "story_people_conflict": (0.4, 1.2),
    "story_people_min_mentions": (1, 3),
}
TFIDF_THRESHOLDS = tuple(round(0.30 + 0.05 * k, 2) for k in range(14))  # cosine distance, 0.30 .. 0.95


def arrival_orders(items: Sequence[dict[str, Any]], seeds: Sequence[int] = SEEDS) -> list[list[int]]:
    """Item index orders to feed the clusterer in.

    With every item dated: one order, by `published` (ties keep file order), the way news arrives.
    Otherwise (ECB+ has no dates) a seeded random order per seed, so the score does not depend on the
    file's sort order, which groups each story together.
    """
    if items and all(item.get("published") for item in items):
        return [sorted(range(len(items)), key=lambda i: items[i]["published"])]
    orders = []
    for seed in seeds:
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


@dataclass
class Ingested:
    """Items ingested once (cleaned, embedded, extracted, titles embedded) into an in-memory store that
    every clustering run starts from a snapshot of; `article_ids[k]` is item k's article (None: rejected)."""

    items: list[dict[str, Any]]
    article_ids: list[str | None]
    store: Any

    def close(self) -> None:
        self.store.close()


def ingest(items: Sequence[dict[str, Any]], progress: bool = False) -> Ingested:
    from ..pipeline import Pipeline
    from ..records import Article
    from ..store import open_scratch_store

    source = Pipeline(open_scratch_store(), progress=progress)
    outcome = [x for _, x in source.ingest(_documents(items)).items]
    if len(outcome) != len(items):
        raise RuntimeError(f"pipeline ingest returned {len(outcome)} outcomes for {len(items)} inputs")
    ids = [x.id if isinstance(x, Article) else None for x in outcome]
    source.title_vectors(source.store.articles([i for i in ids if i]))
    return Ingested(list(items), ids, source.store)


def cluster(
    ingested: Ingested, indices: Sequence[int], seeds: Sequence[int] = SEEDS, progress: bool = False
) -> list[list[Hashable]]:
    """Predicted story of each item in `indices`, one list per arrival order of those items.

    Each order runs the pipeline's incremental clusterer on a fresh snapshot of the ingested store, with the
    settings in force. A rejected item is a singleton cluster.
    """
    from ..pipeline import Pipeline

    subset = [ingested.items[k] for k in indices]
    runs = []
    for order in progress_iter(arrival_orders(subset, seeds), progress, "arrival orders"):
        store = ingested.store.snapshot()
        ids, seen = [], set()
        for position in order:
            article_id = ingested.article_ids[indices[position]]
            if article_id is not None and article_id not in seen:
                seen.add(article_id)
                ids.append(article_id)
        Pipeline(store).cluster(ids)
        labels: list[Hashable] = []
        for k in indices:
            article_id = ingested.article_ids[k]
            story = store.story_of(article_id) if article_id else None
            story = store.resolve_story(story) if story else None
            labels.append(story or f"unclustered:{k}")
        runs.append(labels)
        store.close()
    return runs


def predict(items: Sequence[dict[str, Any]], progress: bool = False) -> list[list[Hashable]]:
    """Predicted story per item, one list per arrival order (ingest runs once)."""
    ingested = ingest(items, progress)
    try:
        return cluster(ingested, range(len(items)), progress=progress)
    finally:
        ingested.close()


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


def evaluate(
    items: list[dict[str, Any]], path: Path, progress: bool = False, cv: int | None = None, **_: Any
) -> dict[str, Any]:
    return evaluate_files({path.stem: items}, cv=cv, progress=progress)


def evaluate_files(
    files: Mapping[str, Sequence[dict[str, Any]]], cv: int | None = None, progress: bool = False
) -> dict[str, Any]:
    """The files as one stream: the shipped settings' scores on it (and on each file's share, keys
    `{file} | {metric}`), or with `cv` the held-out protocol's (see held_out)."""
    if cv is not None:
        return flat_held_out(held_out(files, folds=cv, progress=progress))
    items = stream(files)
    runs = predict(items, progress)
    result = score_runs(items, runs)
    if len(files) > 1:
        for name, scores in _per_file(items, runs).items():
            result.update({f"{name} | {k}": scores[k] for k in ("b3_p", "b3_r", "b3_f1", "clusters")})
    return result


# ------------------------------------------------------------------ held-out protocol


def stream(files: Mapping[str, Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The files' items as one stream: each tagged with `_file`, gold labels made unique per file."""
    out = []
    for name, items in files.items():
        for item in items:
            tagged = {**item, "_file": name, "gold_story": f"{name}:{item['gold_story']}"}
            if item.get("gold_topic") is not None:
                tagged["gold_topic"] = f"{name}:{item['gold_topic']}"
            out.append(tagged)
    return out


def event_folds(items: Sequence[dict[str, Any]], folds: int = 2, seed: int = 0) -> list[list[int]]:
    """Item indices per fold. The unit held out is a whole topic where the file has topics (an ECB+ topic
    pairs two look-alike events, which must not straddle train and test), else a whole event (gold_story);
    each file's units are dealt round the folds in a seeded random order, so every fold holds part of
    every file."""
    units: dict[str, dict[Hashable, list[int]]] = {}
    for k, item in enumerate(items):
        unit = item.get("gold_topic") if item.get("gold_topic") is not None else item["gold_story"]
        units.setdefault(item.get("_file", ""), {}).setdefault(unit, []).append(k)
    out: list[list[int]] = [[] for _ in range(folds)]
    for name in sorted(units):
        keys = sorted(units[name], key=str)
        random.Random(f"{seed}:{name}").shuffle(keys)
        for position, key in enumerate(keys):
            out[position % folds].extend(units[name][key])
    return [sorted(fold) for fold in out]


def _per_file(
    items: Sequence[dict[str, Any]], runs: Sequence[Sequence[Hashable]]
) -> dict[str, dict[str, Any]]:
    """Scores of each file's share of a clustered stream."""
    out = {}
    for name in dict.fromkeys(i.get("_file", "") for i in items):
        keep = [k for k, i in enumerate(items) if i.get("_file", "") == name]
        out[name] = score_runs([items[k] for k in keep], [[run[k] for k in keep] for run in runs])
    return out


def _objective(items: Sequence[dict[str, Any]], runs: Sequence[Sequence[Hashable]]) -> float:
    """Mean over files of their B-cubed F1 within the stream: a small file counts as much as a large one."""
    return float(metrics.mean([s["b3_f1"] for s in _per_file(items, runs).values()]))


def fit_settings(
    ingested: Ingested,
    train: Sequence[int],
    grid: Mapping[str, Sequence[Any]] = HELD_OUT_GRID,
    seeds: Sequence[int] = FIT_SEEDS,
    log: Callable[[str], None] = lambda _: None,
) -> tuple[dict[str, Any], float]:
    """Setting overrides that maximise the objective on the train items (one coordinate-search pass from
    the shipped values), and that objective."""
    items = [ingested.items[k] for k in train]

    def objective(overrides: Mapping[str, Any]) -> float:
        with settings.override(overrides):
            return _objective(items, cluster(ingested, train, seeds))

    chosen: dict[str, Any] = {}
    best = objective(chosen)
    for name, values in grid.items():
        pick = None
        for value in values:
            trial = objective({**chosen, name: value})
            log(f"fit {name}={value}: {trial:.4f} (best {best:.4f})")
            if trial > best + 1e-9:
                best, pick = trial, value
        if pick is not None:
            chosen[name] = pick
    return chosen, best


def tfidf_vectors(items: Sequence[dict[str, Any]]) -> Any:
    """The anchor's vectors: TF-IDF of title + text, IDF from these items."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [((item.get("title") or "") + "\n" + item["text"]) for item in items]
    return TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts).toarray()


def tfidf_clusters(vectors: Any, threshold: float) -> list[Hashable]:
    """The anchor: average-linkage agglomerative clustering of tfidf_vectors on cosine distance, cut at
    `threshold`."""
    from sklearn.cluster import AgglomerativeClustering

    if len(vectors) < 2:
        return list(range(len(vectors)))
    return list(
        AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold
        ).fit_predict(vectors)
    )


def fit_tfidf(items: Sequence[dict[str, Any]]) -> tuple[float, float]:
    """The anchor's threshold with the best objective on these items, and that objective (vectors once)."""
    vectors = tfidf_vectors(items)
    scored = {t: _objective(items, [tfidf_clusters(vectors, t)]) for t in TFIDF_THRESHOLDS}
    best = max(TFIDF_THRESHOLDS, key=lambda t: (scored[t], -t))
    return best, scored[best]


def held_out(
    files: Mapping[str, Sequence[dict[str, Any]]],
    folds: int = 2,
    seed: int = 0,
    grid: Mapping[str, Sequence[Any]] = HELD_OUT_GRID,
    progress: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Held-out scores of newsprism (settings fitted per fold), the shipped settings and the TF-IDF anchor
    (threshold fitted per fold) on each file alone and, with several files, on all of them as one stream.

    Returns {"scenarios": {scenario: {system: metrics averaged over folds}}, "fits": [per fold: the
    overrides chosen, the anchor's threshold, train objectives], "folds", "seed", "n"}.
    """
    items = stream(files)
    fold_items = event_folds(items, folds, seed)
    ingested = ingest(items, progress)
    names = list(files)
    scenarios: dict[str, dict[str, list[dict[str, Any]]]] = {}
    fits = []
    try:
        for k, test in enumerate(fold_items):
            train = sorted(set(range(len(items))) - set(test))
            log(f"fold {k + 1}/{folds}: fit on {len(train)} items, test on {len(test)}")
            chosen, objective = fit_settings(ingested, train, grid, log=log)
            threshold, tfidf_objective = fit_tfidf([items[j] for j in train])
            fits.append(
                {"fold": k, "settings": chosen, "train_objective": objective,
                 "tfidf_threshold": threshold, "tfidf_train_objective": tfidf_objective}
            )  # fmt: skip
            parts = {name: [j for j in test if items[j]["_file"] == name] for name in names}
            if len(names) > 1:
                parts["stream"] = list(test)
            for scenario, indices in parts.items():
                subset = [items[j] for j in indices]
                rows = scenarios.setdefault(scenario, {})
                with settings.override(chosen):
                    fitted = score_runs(subset, cluster(ingested, indices))
                shipped = fitted if not chosen else score_runs(subset, cluster(ingested, indices))
                rows.setdefault("newsprism", []).append(fitted)
                rows.setdefault("newsprism shipped settings", []).append(shipped)
                rows.setdefault("tfidf+agglomerative", []).append(
                    score_runs(subset, [tfidf_clusters(tfidf_vectors(subset), threshold)])
                )
                log(
                    f"fold {k + 1} {scenario}: newsprism {fitted['b3_f1']:.4f}, shipped {shipped['b3_f1']:.4f}"
                )
    finally:
        ingested.close()
    averaged = {
        scenario: {system: _mean_scores(per_fold) for system, per_fold in rows.items()}
        for scenario, rows in scenarios.items()
    }
    return {"scenarios": averaged, "fits": fits, "folds": folds, "seed": seed, "n": len(items)}


def _mean_scores(per_fold: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in per_fold[0]:
        values = [s[key] for s in per_fold if isinstance(s.get(key), int | float)]
        out[key] = metrics.mean(values) if values else None
    return out


def flat_held_out(result: Mapping[str, Any]) -> dict[str, Any]:
    """One flat row for `newsprism eval`: newsprism's held-out metrics on the last scenario (the stream, or
    the one file), then `{scenario} {system} {metric}` for the rest and the settings each fold chose."""
    scenarios = result["scenarios"]
    headline = list(scenarios)[-1]
    out: dict[str, Any] = dict(scenarios[headline]["newsprism"])
    for scenario, rows in scenarios.items():
        for system, scores in rows.items():
            for key in ("b3_p", "b3_r", "b3_f1", "clusters"):
                out[f"{scenario} | {system} | {key}"] = scores.get(key)
    for fit in result["fits"]:
        chosen = ", ".join(f"{k}={v}" for k, v in fit["settings"].items()) or "shipped"
        out[f"fold {fit['fold']} settings"] = chosen
        out[f"fold {fit['fold']} tfidf threshold"] = fit["tfidf_threshold"]
    out["protocol"] = f"{result['folds']}-fold held-out events, seed {result['seed']}"
    return out
