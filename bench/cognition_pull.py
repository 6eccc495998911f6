#!/usr/bin/env python
"""Benchmark: cognition_pull_transactions of --lines transaction lines (default 100,000)
from the fake Cognition server over real HTTP (gzip), into the database.

The fake server runs in this process on a free loopback port; the pull runs as the real
management command in a subprocess and is timed end to end (start-up, requests, parsing,
upserts). The range ends at midnight three days ago (always allowed) and spans 30 hours,
so it is pulled in two windows. The pull is run twice: a first load, then the same range
again (every row an update). Target: under 60 s for 100,000 lines.

Without DATABASE_URL it migrates a fresh SQLite file in a temporary folder.

    .venv/bin/python bench/cognition_pull.py
    DATABASE_URL=postgres://hub:hub@127.0.0.1:5432/bench .venv/bin/python bench/cognition_pull.py
    .venv/bin/python bench/cognition_pull.py --lines 20000 --format csv
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cognition.testing.fake_server import FakeCognition, FakeData  # noqa: E402  (no Django needed)

PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
LINES_PER_TRANSACTION = 10  # 8 items, tax, tender; every 7th also a vendor coupon line
SPAN = timedelta(hours=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--format", choices=("json", "csv"), default="json")
    parser.add_argument("--rounds", type=int, default=2, help="1: first load only")
    args = parser.parse_args()

    env = dict(os.environ)
    scratch = None
    if not env.get("DATABASE_URL"):
        scratch = tempfile.TemporaryDirectory(prefix="cognition-bench-")
        env["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    eastern = ZoneInfo("America/New_York")
    end = datetime.combine(datetime.now(eastern).date() - timedelta(days=3), datetime.min.time(), tzinfo=eastern)
    start = end - SPAN
    # ~10.14 lines a transaction (a coupon line on every 7th), and 4 % of the transactions
    # are all-voids or suspended (filtered out): space them to give --lines finalized lines.
    kept = 1 - 1 / 50 - 1 / 40 + 1 / 2000
    transactions = round(args.lines / (LINES_PER_TRANSACTION + 1 / 7) / kept)
    interval = SPAN / (transactions + 1)
    data = FakeData(origin=start, interval=interval, lines=(LINES_PER_TRANSACTION, LINES_PER_TRANSACTION))
    fake = FakeCognition(account="bench", api_key="bench-key", data=data).start()
    env.update(COGNITION_BASE_URL=fake.url, COGNITION_ACCOUNT="bench", COGNITION_API_KEY="bench-key")
    vendor = "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
    print(f"database: {vendor}; format: {args.format}; range {start.isoformat()} → {end.isoformat()}")

    command = [
        PYTHON,
        "manage.py",
        "cognition_pull_transactions",
        "--start",
        start.isoformat(),
        "--end",
        end.isoformat(),
        "--format",
        args.format,
    ]
    worst = 0.0
    try:
        for round_ in range(args.rounds):
            began = time.perf_counter()
            result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            elapsed = time.perf_counter() - began
            worst = max(worst, elapsed)
            if result.returncode != 0:
                print(result.stdout, result.stderr, sep="\n")
                return 1
            summary = result.stdout.strip().splitlines()[-1]
            label = "first load" if round_ == 0 else "same range again (updates)"
            print(f"{label}: {elapsed:.1f} s — {summary}")
        # The largest child so far: the pull commands (the answers are streamed, not held).
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory of the pull command: {peak:.0f} MiB")
    finally:
        fake.stop()
        if scratch is not None:
            scratch.cleanup()
    verdict = "OK" if worst < 60 else "TOO SLOW"
    print(f"slowest round {worst:.1f} s (target < 60 s): {verdict}")
    return 0 if worst < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
