"""The real-story audit (`newsprism eval audit`) on basil-dev with the labels in audit/, and textacy's quote
attribution scored against the same article gold in the same run.

Bench-only extra: textacy (bench/requirements.txt), for the competitor column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsprism.eval import format_value
from newsprism.eval.audit import evaluate_audit
from newsprism.eval.audit.events import read_events
from newsprism.eval.audit.outputs import EventOutputs
from newsprism.eval.audit.run import read_labels, read_manifest
from newsprism.eval.audit.score import Tally, figures, score_quotes

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "audit" / "labels"
ROWS = (
    ("speaker_precision", "speaker precision (attributed quotes)"),
    ("speaker_recall", "speaker recall (gold quotes with a named speaker)"),
    ("speaker_described_share", "speakers given as a description, not a name"),
    ("speaker_opposing_side", "quotes given to a speaker of the opposing party"),
    ("quote_p", "quote span precision"),
    ("quote_r", "quote span recall"),
    ("entity_precision", "entity precision (canonical entities)"),
    ("entity_junk_share", "entity junk share"),
    ("entity_names_two_types", "names under two types in one story"),
    ("entity_multi_article_one", "people/orgs in 2+ articles as one entity"),
    ("timeline_date_precision", "timeline date precision"),
    ("timeline_background_share", "timeline entries that are background"),
    ("timeline_event_recall", "gold event dates on the timeline"),
    ("fact_in_corroborated", "multi-outlet facts in a corroborated group"),
    ("fact_downgraded", "multi-outlet facts in a single_source group"),
    ("fact_unconfirmed", "multi-outlet facts in an unconfirmed group"),
    ("reuse_precision", "reuse between outlets: precision vs gold"),
    ("reuse_recall", "reuse between outlets: recall vs gold"),
    ("contradiction_precision", "contradictions (blind labels)"),
    ("contradiction_outputs", "contradictions shown"),
    ("corroborated_precision", "corroborated groups (blind labels)"),
    ("contested_precision", "contested groups: one fact in 2+ outlets (blind labels)"),
    ("single_source_precision", "single_source groups of 2+ outlets (blind labels)"),
    ("omission_precision", "'leaves out' entries (blind labels)"),
    ("omission_outputs", "'leaves out' entries shown"),
    ("brief_precision", "brief sentences an editor would sign (blind labels)"),
    ("reuse_verdict_precision", "reuse verdicts (blind labels)"),
    ("storyline_precision", "storyline links: one ongoing affair (blind labels)"),
    ("storyline_outputs", "storyline links shown"),
)


def textacy_speakers(data: Path) -> dict[str, dict[str, Any]]:
    """textacy's direct_quotations per paragraph on every audited article, scored like newsprism's quotes."""
    from bench.anchors import textacy_finder

    events = read_events(data)
    splits = read_manifest(LABELS, events)
    gold_by_reader, _ = read_labels(LABELS, events)
    gold = gold_by_reader.get("a", {})
    find = textacy_finder()
    out = {}
    for split, ids in splits.items():
        tally = Tally()
        for event_id in ids:
            if event_id not in gold:
                continue
            predicted = EventOutputs(event_id)
            for article in events[event_id].articles:
                for q in find(article.text):
                    predicted.quotes.append(
                        {"article": article.id, "start": q.start, "end": q.end, "speaker": q.speaker}
                    )
            score_quotes(predicted, gold[event_id], tally)
        out[split] = figures(tally)
    return out


def run(eval_dir: Path, limit: int | None = None) -> dict[str, Any]:
    data = eval_dir / "clustering" / "basil-dev.jsonl"
    result = evaluate_audit(data, LABELS, per_event=True, probes=limit is None)
    for splits in result["runs"].values():
        for figs in splits.values():
            figs.pop("examples", None)
    try:
        result["textacy"] = textacy_speakers(data)
    except ImportError as exc:
        result["textacy"] = {"error": str(exc)}
    return result


def markdown(result: dict[str, Any]) -> str:
    columns = [(run, split) for run, splits in result["runs"].items() for split in splits]
    textacy = result.get("textacy", {})
    tx_splits = [s for s in ("open", "sealed") if s in textacy]
    lines = [
        "## audit",
        "",
        "`newsprism eval audit` on `basil-dev.jsonl` with the labels in `audit/labels` (guide: audit/README.md): "
        f"{result['splits']} events drawn by seed (audit/events.json); gold reader {result['gold_reader']}. "
        "joint = the whole file as one run (stories found by the clusterer, as a user runs it); per_event = each "
        "audited event's three articles alone. Blind-label figures are shown only when at least 95% of their "
        "outputs are labelled (the share is in docs/benchmarks.json). textacy = `direct_quotations` per "
        "paragraph on the same articles, scored against the same gold in the same run.",
        "",
        f"sha256 of the data `{result['sha256']}`, {result['seconds']} s",
        "",
        "| figure | "
        + " | ".join(f"{r}/{s}" for r, s in columns)
        + "".join(f" | textacy/{s}" for s in tx_splits)
        + " |",
        "|---|" + "---:|" * (len(columns) + len(tx_splits)),
    ]
    for key, label in ROWS:
        cells = [format_value(result["runs"][r][s].get(key)) for r, s in columns]
        tx = [
            format_value(textacy[s].get(key)) if key.startswith(("speaker", "quote")) else ""
            for s in tx_splits
        ]
        lines.append(f"| {label} | " + " | ".join(cells + tx) + " |")
    if "probes" in result:
        lines += [
            "",
            "Seeded probes (made at run time from basil-dev; found / made):",
            "",
            "| split | " + " | ".join(next(iter(result["probes"].values()))) + " |",
            "|---|" + "---:|" * len(next(iter(result["probes"].values()))),
        ]
        for split, kinds in result["probes"].items():
            lines.append(
                f"| {split} | " + " | ".join(f"{v['found']}/{v['made']}" for v in kinds.values()) + " |"
            )
    for pair, kinds in result.get("agreement", {}).items():
        rows = [(k, v) for k, v in kinds.items() if isinstance(v, dict)]
        lines += [
            "",
            f"Agreement of two readers ({pair}"
            + (f", {kinds['events']} events" if "events" in kinds else "")
            + "):",
            "",
            "| kind | n | Cohen's κ | positive agreement | raw agreement |",
            "|---|---:|---:|---:|---:|",
        ]
        for kind, v in rows:
            lines.append(
                f"| {kind} | {v['n']} | {format_value(v.get('kappa'))} | "
                f"{format_value(v.get('positive_agreement'))} | {format_value(v.get('agree'))} |"
            )
    return "\n".join(lines)
