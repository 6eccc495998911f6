"""Fetch DF3 demand forecasts for items at a store over a date range."""

from django.core.management.base import BaseCommand, CommandError

from cognition.client import CognitionError
from cognition.services.predictions import forecasts_fetch

from .._common import make_client, parse_day


def _ids(values: list[str], name: str) -> list[int]:
    result = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                try:
                    result.append(int(part))
                except ValueError:
                    raise CommandError(f"{name} {part!r} is not a whole number (a 64-bit id)") from None
    return result


class Command(BaseCommand):
    help = "Fetch DF3 demand predictions (Cognition DF3 subscription) and store them by store, item and date."

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="store id (64-bit)")
        parser.add_argument("--start", required=True, help="first date, YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="last date, YYYY-MM-DD")
        parser.add_argument("--item", action="append", required=True, help="item id; repeat or comma-separate")

    def handle(self, *args, **options):
        (store,) = _ids([options["store"]], "--store")
        items = _ids(options["item"], "--item")
        start, end = parse_day(options["start"], "--start"), parse_day(options["end"], "--end")
        client = make_client()
        try:
            stored = forecasts_fetch(client=client, store=store, start=start, end=end, items=items)
        except (CognitionError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            client.close()
        self.stdout.write(self.style.SUCCESS(f"Stored {stored} predictions for {len(items)} items at store {store}."))
