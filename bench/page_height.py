"""How long a story page is to read: its height in headless Chromium at 1280 and 390 px.

    .venv/bin/python -m bench.page_height [--limit N]

basil-dev (50 real events, each told by Fox News, The New York Times and HuffPost) is analysed into a
temporary store; every story page is then loaded from `newsprism serve` on loopback and measured twice: as a
reader first sees it, and with every "one click away" part opened (the claims only one source carries, their
coverage rows, a speaker's further quotes), which is the length the page had before those parts folded away.
Also checked on each page: that the brief and the "At a glance" box both start above the fold at 1280 px.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

BASIL = Path("clustering") / "basil-dev.jsonl"
CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = ((1280, 900), (390, 844))
OPEN_ALL = "document.querySelectorAll('details.more').forEach(d => d.open = true)"
HEIGHT = "document.documentElement.scrollHeight"


def run(eval_dir: Path, limit: int | None = None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from newsprism.pipeline import analyze
    from newsprism.store import SQLiteStore
    from newsprism.web import make_server

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "n.db"
        analyze([eval_dir / BASIL], db=db, out=None)
        store = SQLiteStore(db)
        srv = make_server(store, port=0)
        srv.start_background()
        try:
            story_ids = store.story_ids()[:limit] if limit else store.story_ids()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                for width, height in VIEWPORTS:
                    page = browser.new_page(viewport={"width": width, "height": height})
                    for story_id in story_ids:
                        page.goto(f"{srv.url}/story/{story_id}")
                        shown = page.evaluate(HEIGHT)
                        above = None
                        if width == VIEWPORTS[0][0]:
                            brief = page.locator("#brief").bounding_box()
                            glance = page.locator("aside.glance").bounding_box()
                            above = bool(brief and glance and brief["y"] < height and glance["y"] < height)
                        page.evaluate(OPEN_ALL)
                        rows.append(
                            {
                                "width": width,
                                "story": story_id,
                                "articles": len(store.memberships(story_id)),
                                "height": shown,
                                "opened": page.evaluate(HEIGHT),
                                "verdict_above_fold": above,
                            }
                        )
                    page.close()
                browser.close()
        finally:
            srv.shutdown()
            srv.server_close()
            store.close()
    return {"stories": len({r["story"] for r in rows}), "rows": rows}


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "## Story pages: how long they are to read",
        "",
        f"Every story page of basil-dev ({result['stories']} stories; bench/page_height.py says how), loaded from"
        " `newsprism serve` in headless Chromium: its height as a reader first sees it, and with every part"
        " that waits one click away opened (claims only one source carries, their coverage rows, a speaker's"
        " further quotes), which is how long the page was before those parts folded away.",
        "",
        "| width px | median height px | largest px | median, all opened px | largest, all opened px |"
        " brief and glance above the fold |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for width, _ in VIEWPORTS:
        rows = [r for r in result["rows"] if r["width"] == width]
        if not rows:
            continue
        checks = [r["verdict_above_fold"] for r in rows if r["verdict_above_fold"] is not None]
        above = f"{sum(checks)} of {len(checks)}" if checks else "-"
        lines.append(
            f"| {width} | {statistics.median(r['height'] for r in rows):,.0f} | {max(r['height'] for r in rows):,}"
            f" | {statistics.median(r['opened'] for r in rows):,.0f} | {max(r['opened'] for r in rows):,} | {above} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--eval-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval"
    )
    parser.add_argument("--limit", type=int)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = run(args.eval_dir, args.limit)
    print(markdown(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
