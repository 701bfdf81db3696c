"""`newsprism eval audit DATA.jsonl --labels DIR`: run the pipeline as a user would and score what it shows.

The whole file is analysed as one run (stories found by the clusterer, as `newsprism analyze` would), and each
audited event again on its own (its articles alone, one run each); both are scored, per split of
`events.json` (open, sealed). Probes run per event.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from ...errors import EvalDataError
from ..data import progress_iter, sha256
from .events import Event, read_events, render_event
from .kappa import agreement
from .labels import EventGold, load_gold
from .outputs import EventOutputs, read_outputs
from .probes import PROBE_KINDS, Probe, make_probes
from .score import (
    Tally,
    figures,
    score_entities,
    score_facts,
    score_labels,
    score_quotes,
    score_reuse,
    score_timeline,
)

PRIMARY_READER = "a"


def analyse(articles: list, progress: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """Run the pipeline over data articles from a fresh in-memory store: (report.json data, report id -> data id)."""
    from ...pipeline import Pipeline
    from ...records import RawDocument
    from ...report.build import build_report
    from ...store import open_scratch_store

    docs = [
        RawDocument(
            source=a.id,
            kind="text",
            content=a.text,
            hints={
                k: v
                for k, v in (
                    ("id", a.id),
                    ("title", a.title),
                    ("published", a.published),
                    ("outlet", a.outlet),
                    ("url", a.url),
                )
                if v
            },
        )
        for a in articles
    ]
    store = open_scratch_store()
    try:
        Pipeline(store, progress=progress).run(docs)
        report = build_report(store)
    finally:
        store.close()
    return report, {a["id"]: a["source"] for a in report["articles"]}


def read_manifest(labels: Path, events: dict[str, Event]) -> dict[str, list[str]]:
    """Splits of audited events: events.json beside or above the labels, else every labelled event as 'all'."""
    for candidate in (labels / "events.json", labels.parent / "events.json"):
        if candidate.is_file():
            manifest = json.loads(candidate.read_text(encoding="utf-8"))
            splits = {k: [e for e in manifest.get(k, []) if e in events] for k in ("open", "sealed")}
            if any(splits.values()):
                return splits
    labelled = sorted({p.stem for p in (labels / "gold").glob("*/*.json") if p.stem in events})
    return {"all": labelled}


def read_labels(
    labels: Path, events: dict[str, Event]
) -> tuple[dict[str, dict[str, EventGold]], dict[str, dict[str, dict]]]:
    """Gold per reader per event, and output labels per reader (key -> label)."""
    gold: dict[str, dict[str, EventGold]] = defaultdict(dict)
    for path in sorted((labels / "gold").glob("*/*.json")):
        if path.stem in events:
            gold[path.parent.name][path.stem] = load_gold(path, events[path.stem])
    outputs: dict[str, dict[str, dict]] = defaultdict(dict)
    for path in sorted((labels / "outputs").glob("*/*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise EvalDataError(f"{path}: cannot read output labels ({exc})") from None
        outputs[path.parent.name].update(raw.get("labels", {}))
    return gold, outputs


def _primary(by_reader: dict[str, Any]) -> str | None:
    if PRIMARY_READER in by_reader:
        return PRIMARY_READER
    return min(by_reader) if by_reader else None


def score_run(
    outputs: dict[str, EventOutputs],
    event_ids: list[str],
    gold: dict[str, EventGold],
    labels: dict[str, dict],
    events: dict[str, Event],
) -> Tally:
    tally = Tally()
    for event_id in event_ids:
        out = outputs.get(event_id) or EventOutputs(event_id)
        outlet_of = {a.id: a.outlet for a in events[event_id].articles}
        wrong = score_labels(out, labels, tally)
        g = gold.get(event_id)
        tally.add("events")
        if g is None:
            continue
        tally.add("events_with_gold")
        score_quotes(out, g, tally)
        texts = "\n".join(
            f"{a.title or ''}\n{a.text}" for a in events[event_id].articles if a.id in g.articles
        )
        score_entities(out, g, texts, tally)
        score_timeline(out, g, tally)
        score_facts(out, g, outlet_of, wrong, tally)
        score_reuse(out, g, tally)
    return tally


def probe_found(probe: Probe, out: EventOutputs) -> bool:
    def touches(span, article, lo, hi) -> bool:
        return span.article == article and span.start < hi and lo < span.end

    if probe.kind in ("number", "negation", "quote"):
        return any(
            item.kind == "contradiction" and any(touches(s, probe.article, *probe.target) for s in item.spans)
            for item in out.items
        )
    if probe.kind == "omission":
        return any(
            item.kind == "omission"
            and item.shown.get("article") == probe.article
            and any(touches(s, probe.other, *probe.other_span) for s in item.spans)
            for item in out.items
        )
    return frozenset((probe.article, probe.other)) in out.reuse_pairs


def evaluate_audit(
    data: str | Path,
    labels: str | Path,
    per_event: bool = True,
    probes: bool = True,
    seed: int = 0,
    export: str | Path | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    data, labels = Path(data), Path(labels)
    if not labels.is_dir():
        raise EvalDataError(
            f"{labels}: no such label folder (gold/, outputs/, events.json; see audit/README.md)"
        )
    started = time.perf_counter()
    events = read_events(data)
    splits = read_manifest(labels, events)
    audited = sorted({e for ids in splits.values() for e in ids})
    gold_by_reader, output_labels = read_labels(labels, events)
    primary = _primary(gold_by_reader)
    gold = gold_by_reader.get(primary, {}) if primary else {}
    merged_labels: dict[str, dict] = {}
    for reader in sorted(output_labels, key=lambda r: (r != PRIMARY_READER, r)):
        for key, value in output_labels[reader].items():
            merged_labels.setdefault(key, value)

    result: dict[str, Any] = {
        "task": "audit",
        "file": str(data),
        "sha256": sha256(data),
        "labels": str(labels),
        "splits": {k: len(v) for k, v in splits.items()},
        "gold_reader": primary,
    }
    all_articles = [a for e in sorted(events.values(), key=lambda e: e.id) for a in e.articles]
    report, ids = analyse(all_articles, progress=progress)
    joint = read_outputs(report, events, ids, frozenset(splits.get("sealed", ())))
    runs = {"joint": joint}
    if per_event:
        single: dict[str, EventOutputs] = {}
        for event_id in progress_iter(audited, progress, "events one by one"):
            report_e, ids_e = analyse(list(events[event_id].articles))
            single.update({event_id: read_outputs(report_e, {event_id: events[event_id]}, ids_e)[event_id]})
        runs["per_event"] = single
    result["runs"] = {}
    for run_name, outputs in runs.items():
        result["runs"][run_name] = {}
        for split, event_ids in splits.items():
            tally = score_run(outputs, event_ids, gold, merged_labels, events)
            figs = figures(tally)
            figs["counts"] = dict(sorted(tally.counts.items()))
            if split != "sealed":  # examples from sealed events are never printed
                figs["examples"] = {k: v for k, v in tally.examples.items()}
            result["runs"][run_name][split] = figs
    if probes:
        result["probes"] = run_probes(events, splits, gold, seed, progress)
    if len(gold_by_reader) > 1 or len(output_labels) > 1:
        result["agreement"] = agreement(gold_by_reader, output_labels, events)
    if export is not None:
        export_outputs(Path(export), audited, events, runs, merged_labels)
        result["exported"] = str(export)
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def run_probes(events, splits, gold, seed, progress) -> dict[str, Any]:
    found: dict[str, dict[str, list[int]]] = {}
    for split, event_ids in splits.items():
        counts = {kind: [0, 0] for kind in PROBE_KINDS}
        for event_id in progress_iter(event_ids, progress, f"probes ({split})"):
            for probe in make_probes(events[event_id], gold.get(event_id), seed):
                report, ids = analyse(list(probe.event.articles))
                out = read_outputs(report, {event_id: probe.event}, ids)[event_id]
                counts[probe.kind][1] += 1
                counts[probe.kind][0] += int(probe_found(probe, out))
        found[split] = {
            kind: {"made": n, "found": k, "share": round(k / n, 4) if n else None}
            for kind, (k, n) in counts.items()
        }
    return found


def export_outputs(
    folder: Path,
    audited: list[str],
    events: dict[str, Event],
    runs: dict[str, dict[str, EventOutputs]],
    labels: dict[str, dict],
) -> None:
    """Per event, the outputs a blind reader labels (what the report showed, never its confidence or reason)
    and the articles' numbered view. Written outside the repository: it holds article text."""
    folder.mkdir(parents=True, exist_ok=True)
    everyone = {a.id: a for e in events.values() for a in e.articles}
    for event_id in audited:
        items = {}
        for outputs in runs.values():
            out = outputs.get(event_id)
            for item in out.items if out else ():
                items.setdefault(item.key, item)
        here = {a.id for a in events[event_id].articles}

        def name(article_id: str, here: set[str] = here) -> str:
            a = everyone.get(article_id)
            if a is None:
                return article_id
            where = a.letter if a.id in here else "an article of another event"
            return f"{where} ({a.outlet})"

        rows = []
        for item in sorted(items.values(), key=lambda i: (i.kind, i.key)):
            shown = json.loads(json.dumps(item.shown, default=str))
            for ev in shown.get("evidence", []):
                ev["article"] = name(ev["article"])
            if "article" in shown:
                shown["article"] = name(shown["article"])
            if "cites" in shown:
                shown["cites"] = [name(c) for c in shown["cites"]]
            for claim in shown.get("claims", []):
                claim["copier"], claim["source"] = name(claim["copier"]), name(claim["source"])
            rows.append({"key": item.key, "kind": item.kind, "labelled": item.key in labels, "shown": shown})
        (folder / f"{event_id}.json").write_text(
            json.dumps({"event": event_id, "items": rows}, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        (folder / f"{event_id}.txt").write_text(render_event(events[event_id]), encoding="utf-8")


HEADLINE = (
    "speaker_precision", "speaker_recall", "speaker_described_share", "speaker_opposing_side", "quote_p", "quote_r",
    "entity_precision", "entity_junk_share", "entity_names_two_types", "entity_multi_article_one",
    "timeline_date_precision", "timeline_background_share", "timeline_event_recall",
    "fact_in_corroborated", "fact_downgraded", "fact_unconfirmed", "reuse_precision", "reuse_recall",
    "contradiction_precision", "corroborated_precision", "single_source_precision", "omission_precision",
    "brief_precision", "reuse_verdict_precision", "contested_precision", "contradiction_outputs", "corroborated_outputs", "single_source_outputs",
    "omission_outputs", "brief_outputs", "reuse_verdict_outputs", "contradiction_labelled_share",
    "corroborated_labelled_share", "single_source_labelled_share", "omission_labelled_share",
    "brief_labelled_share", "reuse_verdict_labelled_share", "brief_unattributed_quote", "brief_dangling_reference",
    "brief_loaded", "brief_repeated", "brief_unsupported", "storyline_precision", "storyline_outputs",
    "storyline_labelled_share",
)  # fmt: skip


def format_audit(result: dict[str, Any]) -> str:
    """Figures side by side: one column per run and split (joint/open, joint/sealed, per_event/open, ...)."""
    from .. import format_value

    columns = [(run, split) for run, splits in result["runs"].items() for split in splits]
    keys = list(dict.fromkeys(HEADLINE))
    width = max(len(k) for k in keys)
    head = f"{'':<{width}}  " + "  ".join(f"{run + '/' + split:>18}" for run, split in columns)
    lines = [
        f"newsprism eval audit: {result['file']} (labels {result['labels']}, gold reader "
        f"{result['gold_reader']}, events {result['splits']})",
        head,
        "-" * len(head),
    ]
    for key in keys:
        cells = [format_value(result["runs"][run][split].get(key)) for run, split in columns]
        lines.append(f"{key:<{width}}  " + "  ".join(f"{c:>18}" for c in cells))
    if "probes" in result:
        lines.append("")
        lines.append(
            "probes found / made: "
            + "; ".join(
                f"{split}: " + ", ".join(f"{k} {v['found']}/{v['made']}" for k, v in kinds.items())
                for split, kinds in result["probes"].items()
            )
        )
    for pair, kinds in result.get("agreement", {}).items():
        lines.append(
            f"agreement {pair}: "
            + ", ".join(
                f"{k} "
                + (
                    f"κ={format_value(v['kappa'])}"
                    if "positive_agreement" not in v
                    else f"positive agreement {format_value(v['positive_agreement'])}"
                )
                + f" (n={v['n']})"
                for k, v in kinds.items()
                if isinstance(v, dict)
            )
        )
    lines.append(f"seconds {result['seconds']}")
    return "\n".join(lines)
