"""The one-way flow, checked on every import (module-level and inside functions): a module imports only from
its own floor's package or from floors below, and the stages use each other only through a package's public
names, never its internals (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "newsprism"

FLOORS = {
    # the ground: records, settings, errors, and what every stage shares
    "__version__": 0,
    "errors": 0,
    "settings": 0,
    "records": 0,
    "text": 1,
    "models": 1,
    "workers": 1,
    "store": 1,
    # the stages
    "ingest": 2,
    "clean": 2,
    "dedupe": 2,
    "extract": 2,
    "stories": 2,
    "claims": 3,
    "brief": 4,
    # what runs and shows them
    "stages": 5,
    "runlog": 5,
    "report": 5,
    "pipeline": 6,
    "corrections": 6,
    "forget": 6,
    "engines": 6,
    "web": 6,
    "eval": 7,
    "cli": 8,
}
STAGES = {"ingest", "clean", "dedupe", "extract", "stories", "claims", "brief"}


def _imports():
    """(importing module's package, imported dotted path within newsprism, where) for every relative import."""
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        me = rel.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = list(rel.parts[:-1])
            target = base[: len(base) - (node.level - 1)] + [m for m in (node.module or "").split(".") if m]
            where = f"{rel}:{node.lineno}"
            if target:
                yield me, target, where
            else:  # from .. import settings
                for alias in node.names:
                    yield me, [alias.name], where


def test_every_package_has_a_floor():
    packages = {p.name.removesuffix(".py") for p in SRC.iterdir() if not p.name.startswith("_")}
    packages.discard("py.typed")
    assert packages - {"__pycache__"} <= set(FLOORS)


def test_no_import_runs_back_up_a_floor():
    wrong = [
        f"{where}: {me} (floor {FLOORS[me]}) imports {'.'.join(target)} (floor {FLOORS[target[0]]})"
        for me, target, where in _imports()
        if me != target[0] and me in FLOORS and FLOORS[target[0]] > FLOORS[me]
    ]
    assert wrong == []


def test_stages_use_each_other_only_through_their_public_names():
    wrong = [
        f"{where}: {me} imports {'.'.join(target)}"
        for me, target, where in _imports()
        if me in STAGES and target[0] in STAGES and target[0] != me and len(target) > 1
    ]
    assert wrong == []
