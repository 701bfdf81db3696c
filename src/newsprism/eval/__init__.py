"""Scorers for each task over the ../shared/eval JSONL formats (`newsprism eval TASK FILE`).

Each task module reads nothing but the given file, runs the product's own code path from a fresh
in-memory store, and scores it with functions in `metrics` that the bench anchors share.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import EvalDataError
from .data import read_items, sha256

TASKS = ("extraction", "clustering", "quotes", "summaries", "claims")

# Headline metrics per task, in table order (every run returns at least these keys).
KEYS: dict[str, tuple[str, ...]] = {
    "extraction": (
        "body_p", "body_r", "body_f1", "include_rate", "exclude_rate", "title_acc", "date_acc", "author_acc",
    ),
    "clustering": ("b3_p", "b3_r", "b3_f1", "ari", "nmi", "pair_f1", "topic_b3_f1", "topic_ari", "topic_nmi"),
    "quotes": ("quote_p", "quote_r", "quote_f1", "quote_exact_f1", "speaker_acc", "quote_speaker_f1"),
    "summaries": ("rouge1", "rouge2", "rougeL", "cited_share", "citation_precision"),
    "claims": (
        "strengthens_p", "strengthens_r", "strengthens_f1", "strengthens_acc",
        "weakens_p", "weakens_r", "weakens_f1", "weakens_acc",
    ),
}  # fmt: skip


def run_eval(
    task: str,
    path: str | Path | Sequence[str | Path],
    cv: int | None = None,
    limit: int | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Score newsprism on one eval file: flat metric keys plus n, seconds, items_per_second, task, file, sha256.

    A metric with no gold in the file is None. `limit` scores only the first N records of each file; `cv`
    (claims) runs k-fold cross-validation split by topic, with the baselines on the same folds; `cv`
    (clustering) runs the held-out protocol of eval.clustering.held_out, events split into k folds. Clustering
    takes several files, scored as one stream (unrelated stories arriving together).
    """
    if task not in TASKS:
        raise EvalDataError(f"unknown eval task {task!r}; choose one of {', '.join(TASKS)}")
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    if not paths:
        raise EvalDataError(f"eval {task} needs a file")
    if len(paths) > 1 and task != "clustering":
        raise EvalDataError(f"only clustering scores several files as one stream; {task} takes one file")
    if cv is not None and task not in ("claims", "clustering"):
        raise EvalDataError(f"--cv applies to the claims and clustering tasks, not {task}")
    if cv is not None and cv < 2:
        raise EvalDataError(f"--cv needs at least 2 folds, got {cv}")
    files = {_name(p, paths): read_items(task, p, limit) for p in paths}
    module = importlib.import_module(f"{__name__}.{task}")
    started = time.perf_counter()
    if len(paths) == 1:
        scores = module.evaluate(next(iter(files.values())), paths[0], cv=cv, progress=progress)
    else:
        scores = module.evaluate_files(files, cv=cv, progress=progress)
    seconds = time.perf_counter() - started
    n = sum(len(items) for items in files.values())
    result: dict[str, Any] = {
        "task": task,
        "file": ", ".join(str(p) for p in paths),
        "sha256": ", ".join(sha256(p) for p in paths),
        "n": n,
    }
    if limit is not None:
        result["limit"] = limit
    if cv is not None:
        result["cv"] = cv
    result.update({k: _clean(v) for k, v in scores.items()})
    result["seconds"] = round(seconds, 3)
    result["items_per_second"] = round(n / seconds, 3) if seconds > 0 else None
    return result


def _name(path: Path, paths: Sequence[Path]) -> str:
    """A file's name in a stream: its stem, or its path where two files share a stem."""
    return path.stem if sum(p.stem == path.stem for p in paths) == 1 else str(path)


def _clean(value: Any) -> Any:
    """JSON-safe numbers: numpy scalars to Python, NaN to None."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def format_table(result: dict[str, Any]) -> str:
    """A two-column table of a run_eval result: headline metrics first, then the rest."""
    task = result.get("task", "")
    headline = [k for k in KEYS.get(task, ()) if k in result]
    meta = ("task", "file", "sha256", "n", "limit", "cv", "seconds", "items_per_second")
    rest = [k for k in result if k not in headline and k not in meta]
    rows = [(k, result[k]) for k in headline + rest] + [(k, result[k]) for k in meta if k in result]
    width = max(len(k) for k, _ in rows)
    lines = [f"newsprism eval {task}: {result.get('file', '')}", "-" * (width + 14)]
    for key, value in rows:
        lines.append(f"{key:<{width}}  {format_value(value)}")
    return "\n".join(lines)


def format_value(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1000 else f"{value:.1f}"
    return str(value)


__all__ = ["KEYS", "TASKS", "format_table", "format_value", "run_eval"]
