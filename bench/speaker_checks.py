"""Speaker checks: blind verdicts on the quotes one code version showed, and what today's code does with them.

Usage: python -m bench.speaker_checks [--checks audit/speaker-checks] [--shared ../shared/eval]
A check file (audit/README.md, "Speaker checks outside the audit") lists quotes by article and offsets with the
speaker the code gave and a reader's verdict: right, wrong (with the right speaker where there is one) or unsure.
Reader b judged every attributed quote on the basil-dev events outside the audit; reader c a random sample of the
speakers shown on the English articles of ecbplus-dev and the Fundus extraction set, each article dealt by a
hash of its id into a `calibrate` half (descriptions are calibrated on it, see bench/calibrate_speakers.py) and a
`held-out` half; and later a `fresh` sample of the same files, never read to find a rule. For each verdict this prints what today's code shows: the same speaker, the right speaker now,
another speaker (to judge again), a speaker hidden below `speaker_min_confidence`, or no quote with a speaker.
Rules were found on reader b's events, so their figures are in-sample; the held-out half and the audit's sealed
events are not.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from newsprism import settings
from newsprism.clean import detect_language
from newsprism.eval.audit.score import same_person
from newsprism.extract.quotes import find_quotes
from newsprism.models import nlp

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "audit" / "speaker-checks"
SHARED = ROOT.parent / "shared" / "eval"


def _texts(data: Path) -> dict[str, str]:
    """Article id -> the text the checked code read (Fundus: the gold body of an English article)."""
    texts = {}
    with data.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if "gold" in row:
                body = row["gold"].get("body") or ""
                if body and detect_language(body) == "en":
                    texts[row["id"]] = body
            else:
                texts[row["id"]] = row["text"]
    return texts


def checked_quotes(checks: Path = CHECKS, shared: Path = SHARED) -> Iterator[tuple[str, dict, object]]:
    """(source, verdict row, today's quote at the row's offsets or None) for every judged quote. The source is
    `basil` for the audit data's events outside the audit, else the check's split (`calibrate`, `held-out`)."""
    audited = json.loads((ROOT / "audit" / "events.json").read_text(encoding="utf-8"))
    for path in sorted(checks.glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("event") in {*audited["open"], *audited["sealed"]}:
            raise SystemExit(f"{path}: speaker checks must come from events outside the audit")
        data = shared / record.get("data", "clustering/basil-dev.jsonl")
        texts = _texts(data)
        by_article: dict[str, list[dict]] = {}
        for row in record["quotes"]:
            by_article.setdefault(row["article"], []).append(row)
        for article_id, rows in by_article.items():
            text = texts[article_id]
            found = {(q.start, q.end): q for q in find_quotes(text, nlp()(text), article_id)}
            for row in rows:
                yield row.get("split", "basil"), row, found.get((row["start"], row["end"]))


def outcome(row: dict, quote) -> str:
    if quote is None or not quote.speaker:
        return "no quote with a speaker"
    if (quote.confidence or 0) < settings.current().speaker_min_confidence:
        return "speaker hidden (below the bar)"
    if quote.speaker == row["speaker"] or same_person(quote.speaker, row["speaker"]):
        return "same speaker shown"
    if row.get("correct") and same_person(quote.speaker, row["correct"]):
        return "the right speaker shown"
    return "another speaker shown (judge again)"


def tally(checks: Path = CHECKS, shared: Path = SHARED) -> Counter[tuple[str, str, str]]:
    """(source, verdict, what today's code shows) -> judged quotes."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for source, row, quote in checked_quotes(checks, shared):
        counts[(source, row["verdict"], outcome(row, quote))] += 1
    return counts


def shown_precision(counts: Counter[tuple[str, str, str]], source: str) -> tuple[int, int]:
    """(judged quotes shown with the judged or the right speaker, those of them judged wrong) for one source.
    A quote now shown with a speaker nobody judged is left out."""
    judged = ("same speaker shown", "the right speaker shown")
    shown = sum(n for (s, v, now), n in counts.items() if s == source and v != "unsure" and now in judged)
    return shown, counts[(source, "wrong", "same speaker shown")]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", default=str(CHECKS))
    parser.add_argument("--shared", default=str(SHARED))
    args = parser.parse_args(argv)
    counts = tally(Path(args.checks), Path(args.shared))
    for (source, verdict, now), n in sorted(counts.items()):
        print(f"{source:9} {verdict:7} {now:38} {n:4}")
    for source in sorted({s for s, _, _ in counts}):
        shown, wrong = shown_precision(counts, source)
        print(
            f"{source}: {shown} judged quotes shown with a speaker, {wrong} of them with the wrong one judged"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
