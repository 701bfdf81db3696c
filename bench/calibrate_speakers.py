"""Measure how often each attribution route names the right speaker and write the table the quote stage reads
as each quote's confidence (src/newsprism/extract/speaker_confidence.json).

Usage: python -m bench.calibrate_speakers [DATA.jsonl] [--labels audit/labels]
A route is how `extract.quotes` found a speaker ("named", "pronoun_chain", "continued:named", ...). The
calibration set is the audit's OPEN events (article gold of reader a: who really spoke, names resolved):
PolNeAR cannot judge a resolved pronoun, since its gold speaker of "he said" is the word "he". The gold names
people, so it cannot judge a speaker given as a description ("a spokesman", "the indictment"); routes ending in
"description" are measured on the blind speaker checks of audit/speaker-checks (basil-dev events outside the
audit), on quotes that still get the speaker the reader judged. The sealed events are never read here; `newsprism eval audit` reports them beside the open ones as the held-out check.
A route's confidence is a Wilson lower bound (one standard error) of its precision, so a route seen on a
handful of quotes is not trusted; routes seen fewer than MIN_QUOTES times fall back to their inner route, whose
figure pools every route that ends with it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

from newsprism.eval.audit.events import read_events
from newsprism.eval.audit.labels import load_gold
from newsprism.eval.audit.score import names_no_one, same_person
from newsprism.extract.quotes import find_quotes
from newsprism.models import nlp

from .speaker_checks import checked_quotes

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "newsprism" / "extract" / "speaker_confidence.json"
MIN_QUOTES = 5


def wilson_lower(right: int, n: int, z: float = 1.0) -> float:
    if n == 0:
        return 0.0
    p = right / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - margin) / (1 + z * z / n)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "data", nargs="?", default=str(ROOT.parent / "shared/eval/clustering/basil-dev.jsonl")
    )
    parser.add_argument("--labels", default=str(ROOT / "audit" / "labels"))
    args = parser.parse_args(argv)
    labels = Path(args.labels)
    events = read_events(args.data)
    manifest = json.loads((labels.parent / "events.json").read_text(encoding="utf-8"))
    n: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for event_id in manifest["open"]:
        gold = load_gold(labels / "gold" / "a" / f"{event_id}.json", events[event_id])
        for article in events[event_id].articles:
            quotes = find_quotes(article.text, nlp()(article.text), article.id)
            for g in gold.articles[article.id].quotes:
                length = g.span.end - g.span.start
                match = [
                    q for q in quotes if 2 * (min(q.end, g.span.end) - max(q.start, g.span.start)) > length
                ]
                if not match or not match[0].speaker or names_no_one(match[0].speaker):
                    continue
                q = match[0]
                ok = bool(g.speaker and same_person(q.speaker, g.speaker))
                route = q.attribution or "none"
                # each route and every inner route it ends with: a rare route ("partial:pronoun_nearest")
                # falls back to the pooled figure of its inner route, never straight to the overall one
                inner = [route.split(":", k)[-1] for k in range(route.count(":") + 1)]
                for route in (*dict.fromkeys(inner), "*"):
                    n[route] += 1
                    right[route] += ok
    # Descriptions ("a spokesman", "the indictment"): the article gold names people, so it cannot judge them,
    # and the blind speaker checks do (audit/speaker-checks: basil-dev events outside the audit, and the
    # calibrate half of the other files' checks).
    for source, row, q in checked_quotes():
        if (
            source not in {"basil", "calibrate"}
            or row["verdict"] == "unsure"
            or q is None
            or q.speaker != row["speaker"]
        ):
            continue
        route = q.attribution or ""
        if route.rpartition(":")[2] != "description":
            continue
        for inner in dict.fromkeys(route.split(":", k)[-1] for k in range(route.count(":") + 1)):
            n[inner] += 1
            right[inner] += row["verdict"] == "right"
    routes = {
        route: {
            "n": n[route],
            "right": right[route],
            "observed": round(right[route] / n[route], 4),
            "precision": round(wilson_lower(right[route], n[route]), 4),
        }
        for route in sorted(n)
        if n[route] >= MIN_QUOTES or route == "*"
    }
    record = {
        "data": Path(args.data).name,
        "events": "open events of audit/events.json; descriptions: audit/speaker-checks (not its held-out half)",
        "min_quotes": MIN_QUOTES,
        "routes": routes,
    }
    OUT.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    for route, row in sorted(routes.items(), key=lambda r: -r[1]["n"]):
        print(f"{route:32} n={row['n']:4} observed={row['observed']:.3f} lower={row['precision']:.3f}")
    print("rare routes (fall back to their inner route):", {r: n[r] for r in n if n[r] < MIN_QUOTES})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
