"""The embedding cascade against the full computation: every `newsprism eval` figure that reads the pipeline's
sentence vectors, with `embedding_cascade` off (every sentence embedded at ingest) and on, in one run.

What the cascade changes: an article's vector for the story join is made from its lead and
`story_body_sample_sentences` of its body, not every sentence; a story of one article keeps only those rows, so
its brief draws on them. A story of two or more articles gets every row before its analysis. So the figures:

- clustering: each dev file alone and both as one stream (5 arrival orders), and the held-out protocol
  (`--cv 2`, the figure issue 24 reports; `--no-heldout` skips it, 2 x ~6 minutes);
- story briefs: `newsprism eval summaries` on neus-val (three articles a story);
- briefs of one-article stories: each basil-dev article analysed alone (full articles; neus-val's are a few
  sentences each, all embedded either way). No gold exists for them, so the cascade's brief is set against the
  full computation's: ROUGE of one against the other, the full brief's sentences kept;
- the audit (`newsprism eval audit` on basil-dev with audit/labels).

extraction, quotes and claims read no pipeline vectors (claims embeds its pairs itself): the cascade cannot
move them.

    python -m bench.cascade [--limit N] [--no-heldout]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from newsprism import settings
from newsprism.eval import format_value, metrics, run_eval
from newsprism.eval.data import read_items

ROOT = Path(__file__).resolve().parents[1]
MODES = {"full": {"embedding_cascade": False}, "cascade": {"embedding_cascade": True}}
CLUSTERING_KEYS = ("b3_p", "b3_r", "b3_f1")
SUMMARY_KEYS = ("rouge1", "rouge2", "rougeL", "citation_precision", "brief_sentences")
AUDIT_KEYS = (
    "speaker_precision",
    "speaker_recall",
    "timeline_date_precision",
    "timeline_event_recall",
    "fact_in_corroborated",
    "fact_downgraded",
    "contradiction_precision",
    "contradiction_outputs",
    "corroborated_precision",
    "single_source_precision",
    "omission_precision",
    "omission_outputs",
    "brief_precision",
    "storyline_precision",
)


def one_article_briefs(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Each article analysed as a story of its own: its brief, and how many of its sentences hold a vector."""
    from newsprism.eval.summaries import documents
    from newsprism.pipeline import SENTENCE_VECTORS, Pipeline
    from newsprism.store import open_scratch_store

    briefs: list[list[str]] = []
    embedded = sentences = 0
    for item in items:
        for k, doc in enumerate(documents(item)):
            store = open_scratch_store()
            try:
                analysis = Pipeline(store).analyze_as_story([doc], story_id=f"{item['id']}#{k}")
                briefs.append([s.text for s in analysis.brief])
                for article_id in analysis.article_ids:
                    vectors = store.get_vectors(article_id, SENTENCE_VECTORS)
                    if vectors is not None:
                        embedded += int(vectors.any(axis=1).sum())
                        sentences += len(vectors)
            except Exception as exc:  # noqa: BLE001 - an article the pipeline rejects has an empty brief
                print(f"[bench] cascade: {item['id']}#{k}: {exc}", file=sys.stderr)
                briefs.append([])
            finally:
                store.close()
    return {"briefs": briefs, "sentences": sentences, "embedded": embedded}


def brief_agreement(full: dict[str, Any], cascade: dict[str, Any]) -> dict[str, Any]:
    """How far the cascade's one-article briefs are from the full computation's: ROUGE of each against the
    other's, the share of the full brief's sentences it keeps, and its length."""
    from newsprism.eval.summaries import rouge

    scores: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeL": []}
    kept = total = 0
    for old, new in zip(full["briefs"], cascade["briefs"], strict=True):
        if not old:
            continue
        for key, value in rouge(" ".join(new), " ".join(old)).items():
            scores[key].append(value)
        kept += len(set(old) & set(new))
        total += len(old)
    return {
        "articles": len(full["briefs"]),
        **{f"{key} against full": metrics.mean(values) for key, values in scores.items()},
        "full brief sentences kept": kept / total if total else None,
        "brief sentences full": metrics.mean([len(b) for b in full["briefs"]]),
        "brief sentences cascade": metrics.mean([len(b) for b in cascade["briefs"]]),
        "sentences embedded full": full["embedded"] / full["sentences"] if full["sentences"] else None,
        "sentences embedded cascade": cascade["embedded"] / cascade["sentences"]
        if cascade["sentences"]
        else None,
    }


def _clustering(eval_dir: Path, limit: int | None, heldout: bool) -> dict[str, Any]:
    files = [eval_dir / "clustering" / name for name in ("ecbplus-dev.jsonl", "basil-dev.jsonl")]
    out: dict[str, Any] = {}
    for path in files:
        result = run_eval("clustering", path, limit=limit)
        out[path.stem] = {key: result.get(key) for key in CLUSTERING_KEYS}
    result = run_eval("clustering", files, limit=limit)
    out["stream"] = {key: result.get(key) for key in CLUSTERING_KEYS}
    if heldout:
        result = run_eval("clustering", files, cv=2, limit=limit)
        for scenario in ("ecbplus-dev", "basil-dev", "stream"):
            out[f"held-out {scenario}"] = {
                key: result.get(f"{scenario} | newsprism | {key}") for key in CLUSTERING_KEYS
            }
    return out


def _audit(eval_dir: Path) -> dict[str, Any]:
    from newsprism.eval.audit import evaluate_audit

    result = evaluate_audit(
        eval_dir / "clustering" / "basil-dev.jsonl", ROOT / "audit" / "labels", probes=False
    )
    return {
        f"{run}/{split}": {key: figures.get(key) for key in AUDIT_KEYS}
        for run, splits in result["runs"].items()
        for split, figures in splits.items()
    }


def run(eval_dir: Path, limit: int | None = None, heldout: bool = True) -> dict[str, Any]:
    basil = _events(read_items("clustering", eval_dir / "clustering" / "basil-dev.jsonl", limit))
    result: dict[str, Any] = {"modes": {}, "limit": limit, "heldout": heldout}
    alone = {}
    for mode, overrides in MODES.items():
        started = time.perf_counter()
        with settings.override(overrides):
            print(f"[bench] cascade: {mode}", file=sys.stderr)
            summaries = run_eval("summaries", eval_dir / "summaries" / "neus-val.jsonl", limit=limit)
            result["modes"][mode] = {
                "clustering": _clustering(eval_dir, limit, heldout),
                "summaries": {key: summaries.get(key) for key in SUMMARY_KEYS},
                "audit": _audit(eval_dir) if limit is None else {},
            }
            alone[mode] = one_article_briefs(basil)
        result["modes"][mode]["seconds"] = round(time.perf_counter() - started, 1)
    result["one-article briefs"] = brief_agreement(alone["full"], alone["cascade"])
    return result


def _events(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """basil-dev's articles in the shape `summaries.documents` reads: one item per article."""
    return [{"id": item["id"], "articles": [item]} for item in items]


def markdown(result: dict[str, Any]) -> str:
    full, cascade = result["modes"]["full"], result["modes"]["cascade"]
    lines = [
        "## the embedding cascade against the full computation",
        "",
        "Every figure that reads the pipeline's sentence vectors, with `embedding_cascade` off (every sentence"
        " embedded at ingest) and on, in one run (bench/cascade.py says what each row is). Goal (issue 28):"
        " each within 0.005 of the full computation.",
        "",
        "| section | row | figure | full | cascade | difference |",
        "|---|---|---|---:|---:|---:|",
    ]
    for section in ("clustering", "summaries", "audit"):
        rows = full[section]
        nested = rows and isinstance(next(iter(rows.values())), dict)
        for row, figures in rows.items() if nested else [("", rows)]:
            other = cascade[section][row] if nested else cascade[section]
            for key, value in figures.items():
                new = other.get(key)
                both = isinstance(value, int | float) and isinstance(new, int | float)
                delta = format_value(round(new - value, 4)) if both else ""
                lines.append(
                    f"| {section} | {row} | {key} | {format_value(value)} | {format_value(new)} | {delta} |"
                )
    agreement = result["one-article briefs"]
    lines += [
        "",
        f"Briefs of one-article stories ({agreement['articles']} basil-dev articles, each analysed alone; no gold"
        " exists for them, so the cascade's brief is set against the full computation's):",
        "",
        "| figure | value |",
        "|---|---:|",
        *(f"| {key} | {format_value(value)} |" for key, value in agreement.items()),
        "",
        f"Run time: full {full['seconds']} s, cascade {cascade['seconds']} s.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--no-heldout", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    args = parser.parse_args()
    result = run(args.eval_dir, args.limit, heldout=not args.no_heldout)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(markdown(result))


if __name__ == "__main__":
    main()
