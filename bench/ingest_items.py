#!/usr/bin/env python
"""Benchmark: POST /ecrs/items/ with a full CATAPULT page, over real HTTP.

Measures the whole round trip (send, parse, store, answer) of a page of --items items
(default 5,000, 2 stores and 1 supplier each, every documented field: about 33 MB) for:
first load, unchanged re-send, and re-send with 10 % of the items changed.

Without --url it starts its own hub: migrates the database named by DATABASE_URL (default:
a fresh SQLite file in a temporary folder), creates an integration and serves with gunicorn
(2 workers) on a free loopback port; it prints the peak memory of the workers.

    .venv/bin/python bench/ingest_items.py
    DATABASE_URL=postgres://hub:hub@127.0.0.1:5432/bench .venv/bin/python bench/ingest_items.py
    .venv/bin/python bench/ingest_items.py --url http://127.0.0.1:8000 --key KEY
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from items import demo  # noqa: E402  (plain Python, no Django needed)

PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(url: str, key: str, body: bytes) -> tuple[int, float, str]:
    request = urllib.request.Request(
        url + "/ecrs/items/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Api-Key": key},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            status, answer = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, answer = exc.code, exc.read()
    seconds = time.perf_counter() - started
    return status, seconds, json.loads(answer).get("message", "")


class Hub:
    """A hub of our own: migrated database, one integration, gunicorn on loopback."""

    def __init__(self, workers: int):
        self.tmp = tempfile.TemporaryDirectory(prefix="ecrs-hub-bench-")
        self.env = dict(os.environ, DJANGO_SETTINGS_MODULE="ecrs_hub.settings.local", MEDIA_ROOT=self.tmp.name)
        self.env.setdefault("DATABASE_URL", f"sqlite:///{self.tmp.name}/bench.sqlite3")
        self.env["DEBUG"] = "0"
        manage = [PYTHON, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=self.env, check=True, cwd=ROOT)
        out = subprocess.run(
            [*manage, "create_integration", f"bench-{time.time_ns()}", "--kind", "items"],
            env=self.env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
        self.key = out.strip().splitlines()[-1]
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "ecrs_hub.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
                "--timeout",
                "600",
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=ROOT,
        )
        for _ in range(200):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("the hub did not start")

    def peak_rss_mb(self) -> float:
        """The largest VmHWM (peak resident memory) among the gunicorn workers."""
        peak = 0
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        for pid in children:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                pass
        return peak / 1024

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--url")
    parser.add_argument("--key")
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--stores", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="Rounds; each first load uses fresh recordIDs.")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if bool(args.url) != bool(args.key):
        parser.error("--url and --key go together")

    hub = None if args.url else Hub(args.workers)
    url, key = (args.url.rstrip("/"), args.key) if args.url else (hub.url, hub.key)
    database = "given hub" if args.url else hub.env["DATABASE_URL"].split(":", 1)[0]
    rows: list[tuple[str, float, int, str]] = []
    try:
        for round_number in range(args.repeat):
            start = round_number * args.items * 10 + 10_000_000
            items = demo.generate_items(args.items, stores=args.stores, start=start)
            first = orjson.dumps(items)
            changed = orjson.dumps(demo.mutate_items(items, 0.10, seed=round_number))
            for label, body in (("first load", first), ("unchanged re-send", first), ("10% changed", changed)):
                status, seconds, message = post(url, key, body)
                rows.append((label, seconds, status, message))
                print(
                    f"round {round_number + 1}  {label:18s} {seconds:6.2f} s  HTTP {status}  {message[:70]}", flush=True
                )
    finally:
        peak = hub.peak_rss_mb() if hub else None
        if hub:
            hub.stop()

    print()
    print(
        f"POST /ecrs/items/  {args.items} items x {args.stores} stores x 1 supplier, "
        f"{len(first) / 1e6:.1f} MB per page, database: {database}, whole HTTP round trip"
    )
    print(f"{'case':20s} {'best':>8s} {'median':>8s} {'worst':>8s}")
    for label in ("first load", "unchanged re-send", "10% changed"):
        times = sorted(seconds for name, seconds, _status, _message in rows if name == label)
        print(f"{label:20s} {times[0]:7.2f}s {times[len(times) // 2]:7.2f}s {times[-1]:7.2f}s")
    if peak is not None:
        print(f"peak worker memory (VmHWM): {peak:.0f} MB")
    if any(status != 200 for _label, _seconds, status, _message in rows):
        raise SystemExit("some requests were not answered 200")


if __name__ == "__main__":
    main()
