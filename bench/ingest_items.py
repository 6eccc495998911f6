#!/usr/bin/env python
"""Benchmark: POST /ecrs/items/ with a full CATAPULT page, over real HTTP.

Measures the whole round trip (send, parse, store, answer) of a page of --items items
(default 5,000, 2 stores and 1 supplier each, every documented field: about 33 MB) for:
first load, unchanged re-send, and re-send with 10 % of the items changed. Each round's
first load uses fresh recordIDs, so it really is a first load.

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
import statistics
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

from demo import catalog as demo  # noqa: E402  (plain Python, no Django needed)

PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
CASES = ("first load", "unchanged re-send", "10% changed")


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
    try:
        message = json.loads(answer).get("message", "")
    except (ValueError, AttributeError):
        message = answer[:200].decode(errors="replace")
    return status, seconds, message


def database_vendor(url: str) -> str:
    """What the hub says it runs on (its readiness probe names the database vendor)."""
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=10) as response:
            return json.loads(response.read()).get("database", "?")
    except (OSError, ValueError) as exc:
        return f"unknown ({exc})"


class Hub:
    """A hub of our own: migrated database, one integration, gunicorn on loopback."""

    def __init__(self, workers: int):
        self.tmp = tempfile.TemporaryDirectory(prefix="ecrs-hub-bench-")
        self.process = None
        self.env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.local", MEDIA_ROOT=self.tmp.name)
        self.env.setdefault("DATABASE_URL", f"sqlite:///{self.tmp.name}/bench.sqlite3")
        self.env["DEBUG"] = "0"
        # An empty static folder: whitenoise warns when there is none, and a benchmark needs
        # no collectstatic.
        self.env["STATIC_ROOT"] = str(Path(self.tmp.name) / "static")
        Path(self.env["STATIC_ROOT"]).mkdir()
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
        gunicorn = [str(Path(PYTHON).parent / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}"]
        self.process = subprocess.Popen(
            [*gunicorn, "-w", str(workers), "--timeout", "300", "--log-level", "warning"], env=self.env, cwd=ROOT
        )
        for _ in range(300):
            if self.process.poll() is not None:
                self.stop()
                raise SystemExit(f"gunicorn exited with status {self.process.returncode}")
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("the hub did not answer /healthz within 30 s")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_rss_mb(self) -> float:
        """The largest VmHWM (peak resident memory) among the gunicorn workers."""
        peak = 0
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                pass
        return peak / 1024

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--url", help="A running hub (default: start one).")
    parser.add_argument("--key", help="An items integration key of that hub.")
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--stores", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="Rounds; each first load uses fresh recordIDs.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of the hub this script starts.")
    args = parser.parse_args()
    if bool(args.url) != bool(args.key):
        parser.error("--url and --key go together")
    if args.items < 1 or args.repeat < 1:
        parser.error("--items and --repeat must be at least 1")

    hub = None if args.url else Hub(args.workers)
    url, key = (args.url.rstrip("/"), args.key) if args.url else (hub.url, hub.key)
    vendor = database_vendor(url)
    rows: list[tuple[str, float, int, str]] = []
    size_mb = 0.0
    peak = None
    try:
        for round_number in range(args.repeat):
            # Fresh item numbers per round (recordIDs, UPCs, supplier units follow from them).
            start = 10_000_000 + round_number * args.items * 10
            items = demo.generate_items(args.items, stores=args.stores, start=start)
            first = orjson.dumps(items)
            changed = orjson.dumps(demo.mutate_items(items, 0.10, seed=round_number))
            size_mb = len(first) / 1e6
            for label, body in zip(CASES, (first, first, changed)):
                status, seconds, message = post(url, key, body)
                rows.append((label, seconds, status, message))
                print(
                    f"round {round_number + 1}  {label:18s} {seconds:7.2f} s  HTTP {status}  {message[:90]}",
                    flush=True,
                )
    finally:
        if hub:
            peak = hub.peak_rss_mb()
            hub.stop()

    print()
    print(
        f"POST /ecrs/items/ — {args.items} items x {args.stores} stores x 1 supplier, {size_mb:.1f} MB per page, "
        f"database: {vendor}, {'own hub: gunicorn -w ' + str(args.workers) if hub else url}; whole HTTP round trip"
    )
    print(f"{'case':20s} {'best':>8s} {'median':>8s} {'worst':>8s}  {'items/s':>8s}  hub's message (last round)")
    for label in CASES:
        results = [(seconds, message) for name, seconds, _status, message in rows if name == label]
        times = [seconds for seconds, _message in results]
        median = statistics.median(times)
        print(
            f"{label:20s} {min(times):7.2f}s {median:7.2f}s {max(times):7.2f}s  {args.items / median:8.0f}  "
            f"{results[-1][1][:70]}"
        )
    if peak is not None:
        print(f"peak worker memory (VmHWM): {peak:.0f} MB")
    if any(status != 200 for _label, _seconds, status, _message in rows):
        raise SystemExit("some requests were not answered 200")


if __name__ == "__main__":
    main()
