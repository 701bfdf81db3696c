"""Timeline checks: a blind reader's verdicts on timeline entries outside the audit, against today's code.

Usage: python -m bench.timeline_checks [DATA.jsonl] [--checks audit/timeline-checks]
Each check lists a timeline entry (article, sentence offsets, date) one code version showed on a basil-dev event
in neither split of the audit, judged right (the date on which what the sentence reports happened), wrong or
unsure. This runs the pipeline on those events and prints, per verdict, how many judged entries today's
timeline still shows, how many it lists as background or scheduled, and how many entries it shows that nobody
judged. Rules were found on these events, so the figures are in-sample; the audit's sealed events stay the
held-out check.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from newsprism.eval.audit.events import read_events
from newsprism.eval.audit.run import analyse

ROOT = Path(__file__).resolve().parents[1]


def tally(data_path: Path, checks: Path) -> tuple[Counter[tuple[str, str]], int]:
    """(verdict, where today's report puts the entry: shown / background / scheduled / gone) -> judged entries,
    and the entries shown that nobody judged."""
    audited = json.loads((ROOT / "audit" / "events.json").read_text(encoding="utf-8"))
    judged: dict[tuple[str, int, str], str] = {}
    events: set[str] = set()
    for path in sorted(checks.glob("*.json")):
        for event, rows in json.loads(path.read_text(encoding="utf-8"))["events"].items():
            if event in {*audited["open"], *audited["sealed"]}:
                raise SystemExit(f"{path}: timeline checks must come from events outside the audit")
            events.add(event)
            judged.update({(r["article"], r["start"], r["date"]): r["verdict"] for r in rows})
    data = read_events(data_path)
    articles = [a for e in sorted(events) for a in data[e].articles]
    report, data_id_of = analyse(articles)
    shown: dict[tuple[str, int, str], str] = {}
    texts = {a.id: a.text for a in articles}
    for story in report["stories"]:
        for entry in story["timeline"]:
            where = (
                "background"
                if entry.get("background")
                else "scheduled"
                if entry.get("scheduled")
                else "shown"
            )
            for ev in entry["evidence"]:
                article = data_id_of[ev["article_id"]]
                # report offsets are into the cleaned text; find the sentence in the data text
                start = texts[article].find(ev["text"])
                shown[(article, start, entry["date"])] = where
    counts: Counter[tuple[str, str]] = Counter()
    for key, verdict in judged.items():
        counts[(verdict, shown.get(key, "gone"))] += 1
    unjudged = sum(1 for key, where in shown.items() if where == "shown" and key not in judged)
    return counts, unjudged


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "data", nargs="?", default=str(ROOT.parent / "shared/eval/clustering/basil-dev.jsonl")
    )
    parser.add_argument("--checks", default=str(ROOT / "audit" / "timeline-checks"))
    args = parser.parse_args(argv)
    counts, unjudged = tally(Path(args.data), Path(args.checks))
    for (verdict, where), n in sorted(counts.items()):
        print(f"{verdict:7} {where:10} {n:4}")
    right = counts[("right", "shown")]
    wrong = counts[("wrong", "shown")]
    print(
        f"shown and judged: {right + wrong}, right {right}, wrong {wrong}; shown and never judged: {unjudged}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
