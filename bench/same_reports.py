"""Reports before and after a change that must not change them (the architecture issue's check).

`python -m bench.same_reports write DIR` analyses each input from a fresh store and writes its report, made
comparable: `generated_at` dropped, article ids (and the story ids and file names made from them) replaced by
the article's input name, so that a change to how ids are made compares one to one. `compare OLD NEW` names
every input, file and JSON path that differs. Inputs are read at run time from ../shared and never copied.

    python -m bench.same_reports write build/reports-before      # on the commit before the change
    python -m bench.same_reports write build/reports-after       # on the change
    python -m bench.same_reports compare build/reports-before build/reports-after
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

INPUTS = {
    "seed-story": "samples/seed-story",
    "basil-dev": "eval/clustering/basil-dev.jsonl",
    "ecbplus-dev": "eval/clustering/ecbplus-dev.jsonl",
}
# when it was made, and the fields the architecture issue adds (report-level, story-level)
IGNORED = ("generated_at", "schema_version")
IGNORED_IN_STORIES = ("incomplete",)
IGNORED_IN_ARTICLES = ("aliases", "versions")


def _without_ignored(report: dict) -> dict:
    out = {k: v for k, v in report.items() if k not in IGNORED}
    out["stories"] = [{k: v for k, v in s.items() if k not in IGNORED_IN_STORIES} for s in report["stories"]]
    out["articles"] = [
        {k: v for k, v in a.items() if k not in IGNORED_IN_ARTICLES} for a in report["articles"]
    ]
    return out


def write(
    folder: Path, shared: Path, names: list[str], postgres: str | None = None, engine: str = "local"
) -> None:
    """Analyse each input into a fresh store (a SQLite file; with `postgres`, a new schema of that
    database, dropped afterwards), with the work on `engine` ("local" or "ray"), and write its comparable
    report."""
    from newsprism.pipeline import analyze

    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report"
            with _fresh_store(postgres, Path(tmp)) as db:
                analyze([shared / INPUTS[name]], db=db, out=out, engine=_engine(engine))
            report = json.loads((out / "report.json").read_text(encoding="utf-8"))
            rename = _renamer(report)
            pages = {rename(p.name): rename(p.read_text(encoding="utf-8")) for p in out.glob("*.html")}
        report = _without_ignored(report)
        comparable = json.loads(rename(json.dumps(report, ensure_ascii=False)))
        (folder / f"{name}.json").write_text(
            json.dumps({"report": comparable, "pages": pages}, ensure_ascii=False, indent=1, sort_keys=True),
            encoding="utf-8",
        )
        print(
            f"{name}: {len(report['articles'])} articles, {len(report['stories'])} stories, "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )


def _engine(name: str):
    if name == "local":
        return None
    from newsprism.engines.ray_engine import RayEngine

    return RayEngine()


@contextmanager
def _fresh_store(postgres: str | None, folder: Path) -> Iterator[str]:
    if postgres is None:
        yield str(folder / "store.db")
        return
    from newsprism.store.postgres import PostgresStore

    schema = f"same_reports_{secrets.token_hex(4)}"
    yield f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"
    PostgresStore(postgres, schema=schema, drop_on_close=True).close()


def _renamer(report: dict) -> Callable[[str], str]:
    """A function that names each article by its input instead of its id (ART0000 ... in source order), in any
    text: story ids and page names carry an id's first 12 or 16 characters. Built once per report."""
    table: dict[str, str] = {}
    for k, article in enumerate(sorted(report["articles"], key=lambda a: (a["source"], a["id"]))):
        name = f"ART{k:04d}"
        table[article["id"]] = name
        table.setdefault(article["id"][:16], name)
        table.setdefault(article["id"][:12], name)
    if not table:
        return lambda text: text
    pattern = re.compile(
        "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    )  # longest first
    return lambda text: pattern.sub(lambda m: table[m.group()], text)


def _derived_ids_named(written: dict) -> dict:
    """Ids derived from article ids, named by what they hold: a story by its first member (which member founded
    it, or survived a merge of two equal stories, can follow the ids' order), a claim group by its evidence
    (its id hashes its sentences' article ids)."""
    table: dict[str, str] = {}
    for story in written["report"]["stories"]:
        table[story["id"]] = "s" + min(story["article_ids"])
        for claim in story["claims"]:
            spans = sorted((e["article_id"], e["start"], e["end"]) for e in claim["evidence"])
            table[claim["id"]] = "claim(" + ";".join(f"{a}:{x}-{y}" for a, x, y in spans) + ")"
    if not table:
        return written
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))

    def rename(text: str) -> str:
        return pattern.sub(lambda m: table[m.group()], text)

    return {
        "report": _id_sorted_lists_as_sets(
            json.loads(rename(json.dumps(written["report"], ensure_ascii=False)))
        ),
        "pages": {rename(name): rename(text) for name, text in written["pages"].items()},
    }


# Lists the code sorts by id: with other ids they hold the same items in another order.
ID_SORTED_LISTS = ("mentions_per_article", "related", "claim_ids")


def _id_sorted_lists_as_sets(value):
    if isinstance(value, dict):
        return {
            k: sorted(v, key=json.dumps)
            if k in ID_SORTED_LISTS and isinstance(v, list)
            else _id_sorted_lists_as_sets(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_id_sorted_lists_as_sets(v) for v in value]
    return value


def compare(old: Path, new: Path) -> int:
    differences = 0
    for path in sorted(old.glob("*.json")):
        other = new / path.name
        if not other.exists():
            print(f"{path.stem}: missing in {new}")
            differences += 1
            continue
        a, b = (_derived_ids_named(json.loads(p.read_text(encoding="utf-8"))) for p in (path, other))
        found = list(_diff(_without_ignored(a["report"]), _without_ignored(b["report"]), "report"))
        for page in sorted(set(a["pages"]) | set(b["pages"])):
            if a["pages"].get(page) != b["pages"].get(page):
                found.append(f"page {page} differs")
        for line in found[:40]:
            print(f"{path.stem}: {line}")
        if len(found) > 40:
            print(f"{path.stem}: ... {len(found) - 40} more")
        print(f"{path.stem}: {'identical' if not found else f'{len(found)} differences'}")
        differences += len(found)
    return 1 if differences else 0


def _diff(a, b, where: str):
    if type(a) is not type(b):
        yield f"{where}: {a!r:.80} -> {b!r:.80}"
    elif isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in b:
                yield f"{where}.{key}: removed"
            elif key not in a:
                yield f"{where}.{key}: added"
            else:
                yield from _diff(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        if len(a) != len(b):
            yield f"{where}: {len(a)} items -> {len(b)}"
        for k, (x, y) in enumerate(zip(a, b, strict=False)):
            yield from _diff(x, y, f"{where}[{k}]")
    elif a != b:
        yield f"{where}: {a!r:.80} -> {b!r:.80}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.same_reports", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="analyse each input and write its comparable report to DIR")
    w.add_argument("folder", type=Path)
    w.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    w.add_argument("--only", nargs="*", choices=sorted(INPUTS), default=list(INPUTS))
    w.add_argument("--postgres", metavar="URL", help="analyse into new schemas of this PostgreSQL database")
    w.add_argument("--engine", choices=["local", "ray"], default="local", help="where the work runs")
    c = sub.add_parser("compare", help="name every difference between two written folders")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    if args.command == "write":
        write(args.folder, args.shared, args.only, args.postgres, args.engine)
        return 0
    return compare(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
