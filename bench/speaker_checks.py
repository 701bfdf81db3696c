"""Re-score the speaker checks: quotes on basil-dev events outside the audit, judged by a blind reader.

Usage: python bench/speaker_checks.py [DATA.jsonl] [--checks audit/speaker-checks]
Each check file lists every attributed quote one code version found on one event, with the speaker it gave and
the reader's verdict (right / wrong / unsure, and for a wrong one the right speaker where there is one). This
prints, for today's code, what became of each verdict: the same speaker still given, the quote no longer shown,
a wrong one now given the right speaker, or another speaker (to be judged again). Speakers the report hides
(route confidence below `speaker_min_confidence`) are counted apart. These events were used to find rules, so
the figures are in-sample: the audit's sealed events stay the held-out check.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from newsprism import settings
from newsprism.eval.audit.events import read_events
from newsprism.eval.audit.score import same_person
from newsprism.extract.quotes import find_quotes
from newsprism.models import nlp

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "data", nargs="?", default=str(ROOT.parent / "shared/eval/clustering/basil-dev.jsonl")
    )
    parser.add_argument("--checks", default=str(ROOT / "audit" / "speaker-checks"))
    args = parser.parse_args(argv)
    events = read_events(args.data)
    bar = settings.get("speaker_min_confidence")
    outcome: Counter[tuple[str, str]] = Counter()
    for path in sorted(Path(args.checks).glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        for article in events[record["event"]].articles:
            rows = [r for r in record["quotes"] if r["article"] == article.id]
            if not rows:
                continue
            found = {q.start: q for q in find_quotes(article.text, nlp()(article.text), article.id)}
            for row in rows:
                q = found.get(row["start"])
                if q is None or not q.speaker:
                    now = "no longer a quote with a speaker"
                elif (q.confidence or 0) < bar:
                    now = "speaker hidden (below the bar)"
                elif q.speaker == row["speaker"] or same_person(q.speaker, row["speaker"]):
                    now = "same speaker shown"
                elif row.get("correct") and same_person(q.speaker, row["correct"]):
                    now = "the right speaker shown"
                else:
                    now = "another speaker shown (judge again)"
                outcome[(row["verdict"], now)] += 1
    for (verdict, now), n in sorted(outcome.items()):
        print(f"{verdict:7} {now:38} {n:4}")
    shown = sum(n for (v, now), n in outcome.items() if now == "same speaker shown")
    wrong = outcome[("wrong", "same speaker shown")]
    print(f"judged quotes still shown with the judged speaker: {shown}, of which judged wrong: {wrong}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
