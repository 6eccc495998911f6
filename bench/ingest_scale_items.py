#!/usr/bin/env python
"""Benchmark: POST /ecrs/scale-items/ pages and GET /ecrs/scale-export/ as CSV, over real HTTP.

Posts --pages pages (default 100) of --items scale items (default 100, CATAPULT's page size)
at --stores stores each (default 10), every documented field and a full nutrition panel per
item (about 0.5 MB a page), timing each page's whole round trip: first load; then re-sends
--resend of them unchanged. Then exports every resolved item of one store (100 × 100 =
10,000 by default) as CSV in one call, --repeat times. Targets: ≤ 0.3 s per page, ≤ 2 s for
the 10,000-item export (PostgreSQL, gunicorn, 2 cores). Each run uses fresh item and store
ids, so it really is a first load even against a hub that already has data.

Without --url it starts its own hub like bench/ingest_items.py (gunicorn, DATABASE_URL or a
fresh SQLite file) and creates a scales integration:

    .venv/bin/python bench/ingest_scale_items.py
    DATABASE_URL=postgres://hub:hub@127.0.0.1:5432/bench .venv/bin/python bench/ingest_scale_items.py
    .venv/bin/python bench/ingest_scale_items.py --url http://127.0.0.1:8102 --key SCALES_KEY
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from bench.ingest_items import PYTHON, Hub, database_vendor  # noqa: E402
from demo.scales import generate_scale_items  # noqa: E402  (plain Python, no Django needed)


def request(url: str, key: str, body: bytes | None = None) -> tuple[int, float, bytes]:
    method = "POST" if body is not None else "GET"
    headers = {"X-Api-Key": key}
    if body is not None:
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=body, method=method, headers=headers), timeout=600
        ) as response:
            status, answer = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, answer = exc.code, exc.read()
    return status, time.perf_counter() - started, answer


def message_of(answer: bytes) -> str:
    try:
        return orjson.loads(answer).get("message", "")
    except (orjson.JSONDecodeError, AttributeError):
        return answer[:200].decode(errors="replace")


def scales_key(hub: Hub) -> str:
    out = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "create_integration", f"bench-scales-{time.time_ns()}", "--kind", "scales"],
        env=hub.env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1]


def pages_of(run: str, pages: int, items: int, stores: int) -> list[bytes]:
    store_ids = [f"B{run}-{s}" for s in range(stores)]
    bodies = []
    for page in range(pages):
        records = generate_scale_items(items, store_ids, start=page * items)
        for offset, record in enumerate(records):
            record["itemId"] = f"{run}{page * items + offset:06d}"  # unique per run, ≤ 16 characters
        bodies.append(orjson.dumps(records))
    return bodies


def summary(label: str, times: list[float], unit: str = "") -> str:
    return (
        f"{label:30s} {len(times):4d}  {min(times):7.3f}s {statistics.median(times):7.3f}s {max(times):7.3f}s  {unit}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--url", help="A running hub (default: start one).")
    parser.add_argument("--key", help="A scales integration key of that hub.")
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--items", type=int, default=100, help="Items per page (CATAPULT sends up to 100).")
    parser.add_argument("--stores", type=int, default=10)
    parser.add_argument("--resend", type=int, default=20, help="Pages re-sent unchanged.")
    parser.add_argument("--repeat", type=int, default=5, help="Export calls.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of the hub this script starts.")
    args = parser.parse_args()
    if bool(args.url) != bool(args.key):
        parser.error("--url and --key go together")
    if min(args.pages, args.items, args.stores, args.repeat) < 1 or args.items * args.pages > 10_000 * 100:
        parser.error("--pages, --items, --stores and --repeat must be at least 1")

    hub = None if args.url else Hub(args.workers)
    url, key = (args.url.rstrip("/"), args.key) if args.url else (hub.url, scales_key(hub))
    vendor = database_vendor(url)
    run = str(time.time_ns() % 10**9)
    bodies = pages_of(run, args.pages, args.items, args.stores)
    failures = 0
    first, unchanged, exports = [], [], []
    try:
        for index, body in enumerate(bodies):
            status, seconds, answer = request(url + "/ecrs/scale-items/", key, body)
            first.append(seconds)
            failures += status != 200
            if index % 10 == 0 or status != 200:
                print(f"page {index + 1:4d} first load  {seconds:6.3f} s  HTTP {status}  {message_of(answer)[:80]}")
        for index, body in enumerate(bodies[: args.resend]):
            status, seconds, answer = request(url + "/ecrs/scale-items/", key, body)
            unchanged.append(seconds)
            failures += status != 200
            if index == 0 or status != 200:
                print(f"page {index + 1:4d} unchanged   {seconds:6.3f} s  HTTP {status}  {message_of(answer)[:80]}")
        total = args.pages * args.items
        export_url = f"{url}/ecrs/scale-export/B{run}-0/?format=csv&limit={min(total, 10_000)}"
        rows = 0
        for _ in range(args.repeat):
            status, seconds, answer = request(export_url, key)
            exports.append(seconds)
            failures += status != 200
            rows = answer.count(b"\n") - 1
        print(f"export: HTTP {status}, {rows} rows, {len(answer) / 1e6:.1f} MB of CSV")
    finally:
        peak = None
        if hub:
            peak = hub.peak_rss_mb()
            hub.stop()

    print()
    print(
        f"scales — {args.items} items x {args.stores} stores per page, full nutrition, "
        f"{len(bodies[0]) / 1e6:.2f} MB per page; database: {vendor}; "
        f"{'own hub: gunicorn -w ' + str(args.workers) if hub else url}; whole HTTP round trip"
    )
    print(f"{'case':30s} {'n':>4s}  {'best':>7s} {'median':>7s} {'worst':>7s}")
    print(summary("POST page, first load", first, f"{args.items / statistics.median(first):.0f} items/s"))
    if unchanged:
        print(summary("POST page, unchanged re-send", unchanged))
    print(summary(f"GET export CSV ({rows} items)", exports, f"{rows / statistics.median(exports):.0f} items/s"))
    if peak is not None:
        print(f"peak worker memory (VmHWM): {peak:.0f} MB")
    if failures:
        raise SystemExit(f"{failures} requests were not answered 200")


if __name__ == "__main__":
    main()
