"""The readers' tool (audit/README.md): `python -m newsprism.eval.audit draw|show|build ...`.

python -m newsprism.eval.audit draw ../shared/eval/clustering/basil-dev.jsonl --out audit/events.json
python -m newsprism.eval.audit show ../shared/eval/clustering/basil-dev.jsonl EVENT_ID
python -m newsprism.eval.audit build ../shared/eval/clustering/basil-dev.jsonl DRAFT.json --out FILE
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ...errors import NewsprismError
from .events import DEFAULT_EVENTS, DEFAULT_SEALED, DEFAULT_SEED, draw_events, read_events, render_event
from .labels import build_labels, build_output_labels, dump_labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsprism.eval.audit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    draw = sub.add_parser("draw", help="draw the audited events by seed into events.json")
    draw.add_argument("data")
    draw.add_argument("--seed", type=int, default=DEFAULT_SEED)
    draw.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    draw.add_argument("--sealed", type=int, default=DEFAULT_SEALED)
    draw.add_argument("--out", required=True)
    show = sub.add_parser("show", help="print an event's articles with numbered sentences")
    show.add_argument("data")
    show.add_argument("event")
    build = sub.add_parser("build", help="turn a reader's draft into a label file (spans, no text)")
    build.add_argument("data")
    build.add_argument("draft")
    build.add_argument("--out", required=True)
    outputs = sub.add_parser("outputs", help="check a reader's output-label draft against the export")
    outputs.add_argument("export", help="the event's export file written by --export-outputs (EVENT.json)")
    outputs.add_argument("draft")
    outputs.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.command == "outputs":
        try:
            labels = build_output_labels(
                json.loads(Path(args.export).read_text(encoding="utf-8")),
                json.loads(Path(args.draft).read_text(encoding="utf-8")),
            )
            out = Path(args.out)
            if out.is_file():  # labels of outputs an earlier run showed stay; the draft adds or replaces
                stored = json.loads(out.read_text(encoding="utf-8"))
                labels["labels"] = {**stored.get("labels", {}), **labels["labels"]}
            export = json.loads(Path(args.export).read_text(encoding="utf-8"))
            missing = [item["key"] for item in export["items"] if item["key"] not in labels["labels"]]
            if missing:
                print(
                    f"note: {len(missing)} of {len(export['items'])} outputs of {export['event']} still unlabelled"
                )
        except (NewsprismError, json.JSONDecodeError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(dump_labels(labels), encoding="utf-8")
        print(f"{args.out}: {len(labels['labels'])} labels")
        return 0
    try:
        events = read_events(args.data)
        if args.command == "draw":
            open_ids, sealed_ids = draw_events(list(events), args.seed, args.events, args.sealed)
            record = {"data": Path(args.data).name, "seed": args.seed, "open": open_ids, "sealed": sealed_ids}
            Path(args.out).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        elif args.command == "show":
            if args.event not in events:
                raise NewsprismError(f"{args.data}: no event {args.event!r}")
            print(render_event(events[args.event]))
        else:
            draft = json.loads(Path(args.draft).read_text(encoding="utf-8"))
            event_id = draft.get("event")
            if event_id not in events:
                raise NewsprismError(f"{args.draft}: event {event_id!r} is not in {args.data}")
            labels = build_labels(draft, events[event_id])
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(dump_labels(labels), encoding="utf-8")
            counts = {
                k: sum(len(a[k]) for a in labels["articles"].values())
                for k in ("quotes", "entities", "dates", "reuse")
            }
            print(f"{args.out}: {counts}, facts {len(labels['facts'])}")
    except (NewsprismError, json.JSONDecodeError, KeyError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
