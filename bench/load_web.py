"""Load test for `newsprism serve`: N requests from C concurrent keep-alive clients on loopback.

    .venv/bin/python bench/load_web.py --db demo/newsprism.db [--requests 2000] [--clients 20]

Starts the server in-process on a free loopback port, cycles through every page and its JSON twin, and
prints one JSON line: requests, errors, p50/p95/p99/max latency (ms) and throughput. Exits 1 on any error.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from newsprism.store import SQLiteStore
from newsprism.web import make_server

TIMEOUT_S = 30  # one request slower than this counts as an error


def paths_for(store: SQLiteStore) -> list[str]:
    paths = [
        "/",
        "/index.json",
        "/rejected",
        "/search?q=president",
        "/search.json?q=beijing",
        "/static/newsprism.css",
    ]
    for story_id in store.story_ids()[:5]:
        paths += [f"/story/{quote(story_id, safe='')}", f"/story/{quote(story_id, safe='')}.json"]
    for article in store.articles()[:10]:
        paths += [f"/article/{quote(article.id, safe='')}", f"/article/{quote(article.id, safe='')}.json"]
    return paths


def run(db: str, requests: int, clients: int) -> dict:
    store = SQLiteStore(db)
    server = make_server(store, port=0)
    server.start_background()
    host, port = server.server_address[:2]
    paths = paths_for(store)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def client(_: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
        for i in counter:  # shared iterator: the clients split the requests between them
            path = paths[i % len(paths)]
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException) as exc:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
                resp = exc
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(f"{path}: {getattr(resp, 'status', resp)}")
        conn.close()

    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client, range(clients)))
    finally:
        server.shutdown()
        server.server_close()
        store.close()
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "clients": clients,
        "errors": len(errors),
        "error_samples": errors[:5],
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
        "max_ms": round(max(latencies), 1),
        "requests_per_s": round(len(latencies) / wall, 1),
        "distinct_paths": len(paths),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="an analysed store (e.g. from `make demo`)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    result = run(args.db, max(1, args.requests), max(1, min(args.clients, 200)))
    print(json.dumps(result))
    sys.exit(1 if result["errors"] else 0)


if __name__ == "__main__":
    main()
