"""Reading the evaluation JSONL files, with errors that name the file, the line and the key."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from ..errors import EvalDataError

T = TypeVar("T")

# Types per key for each task's format (../shared/eval/README.md). `None` in a tuple allows null.
_STR, _OPT_STR, _OPT_INT = (str,), (str, type(None)), (int, type(None))
SCHEMAS: dict[str, dict[str, tuple[type, ...]]] = {
    "extraction": {"id": _STR, "url": _OPT_STR, "html_file": _STR, "gold": (dict,)},
    "clustering": {
        "id": _STR,
        "title": _OPT_STR,
        "text": _STR,
        "published": _OPT_STR,
        "outlet": _OPT_STR,
        "url": _OPT_STR,
        "gold_story": _STR,
        "gold_topic": _OPT_STR,
    },
    "quotes": {"id": _STR, "text": _STR, "quotes": (list,)},
    "summaries": {"id": _STR, "articles": (list,), "reference": _STR, "reference_title": _OPT_STR},
    "claims": {
        "id": _STR,
        "topic": _STR,
        "claim_a": _STR,
        "claim_b": _STR,
        "title_a": _OPT_STR,
        "title_b": _OPT_STR,
        "strengthens": _OPT_INT,
        "weakens": _OPT_INT,
    },
}
# Nested records: key -> (schema of each element)
NESTED: dict[str, dict[str, dict[str, tuple[type, ...]]]] = {
    "extraction": {
        "gold": {"body": _OPT_STR, "title": _OPT_STR, "authors": (list, type(None)), "date": _OPT_STR}
    },
    "quotes": {
        "quotes": {
            "quote": _STR,
            "start": (int,),
            "end": (int,),
            "speaker": _OPT_STR,
            "speaker_start": _OPT_INT,
            "speaker_end": _OPT_INT,
        }
    },
    "summaries": {"articles": {"title": _OPT_STR, "text": _STR, "outlet": _OPT_STR}},
}


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_items(task: str, path: str | Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The records of an eval file for `task`, validated against its documented format.

    `limit` keeps the first N records (files are sorted by id, so a slice is deterministic).
    """
    path = Path(path)
    if task not in SCHEMAS:
        raise EvalDataError(f"unknown eval task {task!r}; choose one of {', '.join(SCHEMAS)}")
    if not path.is_file():
        raise EvalDataError(f"{path}: no such file (eval data is read from settings eval_dir, see docs)")
    items: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if limit is not None and len(items) >= limit:
                break
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalDataError(f"{path}:{line_no}: not valid JSON ({exc.msg})") from None
            if not isinstance(item, dict):
                raise EvalDataError(f"{path}:{line_no}: expected a JSON object, got {type(item).__name__}")
            _check(item, SCHEMAS[task], f"{path}:{line_no}", task)
            for key, schema in NESTED.get(task, {}).items():
                value = item[key]
                for k, element in enumerate(value if isinstance(value, list) else [value]):
                    if not isinstance(element, dict):
                        raise EvalDataError(f"{path}:{line_no}: {key}[{k}] is not an object ({task} format)")
                    _check(element, schema, f"{path}:{line_no}: {key}[{k}]", task)
            item["_line"] = line_no
            items.append(item)
    if not items:
        raise EvalDataError(f"{path}: no records (expected one JSON object per line in the {task} format)")
    return items


def _check(item: Mapping[str, Any], schema: Mapping[str, tuple[type, ...]], where: str, task: str) -> None:
    for key, types in schema.items():
        if key not in item:
            raise EvalDataError(f"{where}: missing key {key!r} (not in the {task} format)")
        value = item[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            names = "/".join("null" if t is type(None) else t.__name__ for t in types)
            raise EvalDataError(f"{where}: key {key!r} should be {names}, got {type(value).__name__}")


def progress_iter(items: Iterable[T], on: bool, label: str) -> Iterable[T]:
    """Items wrapped in a tqdm bar on stderr when `on` (stdout stays clean for --json)."""
    if not on:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=label, unit="item", file=sys.stderr, leave=False)
