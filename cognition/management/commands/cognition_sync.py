"""Hourly: pull the transaction history that became available since the last sync."""

from django.core.management.base import BaseCommand, CommandError

from cognition.client import CognitionError
from cognition.services import PullFailed, SyncBusy, cognition_sync

from .._common import make_client


class Command(BaseCommand):
    help = (
        "Pull what Cognition made available since the last successful sync (never the current day; the previous "
        "day after 9:00 AM EST, 10:00 EDT in summer). Two syncs never overlap: a second one exits at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("json", "csv"), default=None)

    def handle(self, *args, **options):
        client = make_client()
        try:
            run = cognition_sync(client=client, fmt=options["format"])
        except SyncBusy as exc:
            raise CommandError(str(exc)) from exc
        except (PullFailed, CognitionError) as exc:
            raise CommandError(f"Sync stopped: {exc}. The next sync resumes it.") from exc
        finally:
            client.close()
        if run is None:
            self.stdout.write("Nothing new to pull yet.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Synced {run.start.isoformat()} → {run.end.isoformat()}: {run.transactions} transactions, "
                    f"{run.lines} lines."
                )
            )
