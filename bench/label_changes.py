"""What recording label changes costs an items push: a page of N items (2 stores each) is
stored, then re-sent with 10 % changed, in-process on DATABASE_URL's database (default a
fresh SQLite file); once as the hub runs, once with the change recording switched off (for
comparison only). Prints the median of --rounds re-sends each way.

    .venv/bin/python bench/label_changes.py --items 1000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    import orjson
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from demo import catalog
    from ecrs_hub.models import Push
    from ecrs_hub.services import integration_create, push_ingest
    from items.services import catalog as ingest

    integration = integration_create(name=f"bench {time.time()}", kind="items").integration

    def timed(body: bytes) -> float:
        started = time.perf_counter()
        push = push_ingest(integration=integration, endpoint=Push.Endpoint.ITEMS, body=body)
        assert push.status == Push.Status.OK, push.message
        return time.perf_counter() - started

    recorded, off = [], []
    real = (ingest.label_snapshot, ingest.item_label_changes_record)
    for round_ in range(args.rounds):
        for switched_off, times in ((False, recorded), (True, off)):
            start = (round_ * 2 + switched_off) * args.items
            items = catalog.generate_items(args.items, stores=2, start=start, image_names=False)
            timed(orjson.dumps(items))
            body = orjson.dumps(catalog.mutate_items(items, 0.1, seed=round_))
            if switched_off:
                ingest.label_snapshot = lambda pks: {}
                ingest.item_label_changes_record = lambda **kwargs: []
            try:
                times.append(timed(body))
            finally:
                ingest.label_snapshot, ingest.item_label_changes_record = real
    with_, without = statistics.median(recorded), statistics.median(off)
    print(f"{args.items} items, 10% changed re-send: {with_:.3f} s recording changes, {without:.3f} s without")
    print(f"cost of recording: {100 * (with_ / without - 1):+.1f} %")


if __name__ == "__main__":
    main()
