"""Bench section: the blind check sets outside the audit (audit/README.md), scored on today's code.

Speakers: per source, the judged quotes today's code shows with a speaker and how many of them a reader judged
wrong (`fresh` was never read to find a rule; `basil` and `calibrate` were, `held-out` nearly). Timeline: the
judged entries outside the audit that today's timeline shows, and how many were judged wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .speaker_checks import CHECKS, ROOT, shown_precision, tally
from .timeline_checks import tally as timeline_tally

SOURCES = {
    "fresh": "ECB+ and Fundus English, fresh sample (never read for a rule)",
    "held-out": "ECB+ and Fundus English, held-out half (errors read once)",
    "calibrate": "ECB+ and Fundus English, calibrate half",
    "basil": "basil-dev events outside the audit (rules found here)",
}


def run(eval_dir: Path, limit: int | None = None) -> dict[str, Any]:
    counts = tally(CHECKS, eval_dir)
    speakers = {}
    for source in SOURCES:
        shown, wrong = shown_precision(counts, source)
        if shown:
            speakers[source] = {"shown": shown, "wrong": wrong, "precision": round(1 - wrong / shown, 4)}
    timeline, unjudged = timeline_tally(
        eval_dir / "clustering" / "basil-dev.jsonl", ROOT / "audit" / "timeline-checks"
    )
    right, wrong = timeline[("right", "shown")], timeline[("wrong", "shown")]
    apart = {
        where: sum(n for (_, w), n in timeline.items() if w == where) for where in ("background", "scheduled")
    }
    return {
        "speakers": speakers,
        "timeline": {
            "shown": right + wrong,
            "wrong": wrong,
            "precision": round(right / (right + wrong), 4) if right + wrong else None,
            "unjudged": unjudged,
            **apart,
        },
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "## Blind checks outside the audit",
        "",
        "Readers judged outputs in their article's context, never seeing the code (audit/README.md). Figures count "
        "the judged outputs today's code still shows; `python -m bench.speaker_checks` and "
        "`python -m bench.timeline_checks` break them down.",
        "",
        "| check | shown | judged wrong | precision |",
        "|---|---:|---:|---:|",
    ]
    for source, row in result["speakers"].items():
        lines.append(
            f"| speakers: {SOURCES[source]} | {row['shown']} | {row['wrong']} | {row['precision']} |"
        )
    t = result["timeline"]
    lines.append(
        f"| timeline dates: basil-dev events outside the audit (rules found here) | {t['shown']} | {t['wrong']} | "
        f"{t['precision']} |"
    )
    lines += [
        "",
        f"Judged timeline entries now listed apart: {t['scheduled']} scheduled, {t['background']} background; "
        f"entries shown that nobody judged: {t['unjudged']}.",
    ]
    return "\n".join(lines)
