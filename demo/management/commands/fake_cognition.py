"""Serve the fake Cognition API on loopback, for demos."""

from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand

from cognition.testing.fake_server import FakeCognition, FakeData


class Command(BaseCommand):
    help = (
        "Run a fake Cognition server (deterministic generated transactions, forecasts and recommendations). "
        "Point the hub at it with COGNITION_BASE_URL=http://127.0.0.1:PORT/api/v1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--account", default="24723")
        parser.add_argument("--api-key", default="fake-key")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--days", type=int, default=30, help="data starts this many days ago")
        parser.add_argument("--interval", type=float, default=300, help="seconds between transactions")
        parser.add_argument("--slow", type=float, default=0.0, help="seconds to wait before each answer")
        parser.add_argument("--fail-request", type=int, action="append", default=[], help="answer 500 to request N")
        parser.add_argument("--rate-limit", type=int, default=0, help="answer the first N requests 429 Retry-After 1")

    def handle(self, *args, **options):
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        data = FakeData(
            seed=options["seed"],
            origin=today - timedelta(days=options["days"]),
            interval=timedelta(seconds=options["interval"]),
        )
        fake = FakeCognition(account=options["account"], api_key=options["api_key"], data=data)
        fake.delay = options["slow"]
        for number in options["fail_request"]:
            fake.fail_request(number, 500)
        if options["rate_limit"]:
            fake.fail_next(429, times=options["rate_limit"], retry_after="1")
        fake.start(port=options["port"])
        self.stdout.write(
            f"Fake Cognition at {fake.url} (account {fake.account}, key {fake.api_key}); Ctrl-C to stop.\n"
            f"  COGNITION_BASE_URL={fake.url} COGNITION_ACCOUNT={fake.account} COGNITION_API_KEY={fake.api_key}"
        )
        try:
            fake.wait()
        except KeyboardInterrupt:
            fake.stop()
