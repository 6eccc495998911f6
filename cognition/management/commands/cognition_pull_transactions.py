"""Pull Cognition transaction history for an ingestion-time range (CONTRACT 4 and 6)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cognition.client import CognitionError
from cognition.services import PullFailed, RangeRefused, pull_run_execute, pull_run_prepare, range_check

from .._common import Bar, make_client, parse_moment


class Command(BaseCommand):
    help = (
        "Pull transaction history ingested after --start and before --end, in windows of at most 26 hours "
        "(overlapping by one second). Run again with the same range to resume an interrupted pull."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="ISO 8601 date-time (no offset: the hub's time zone)")
        parser.add_argument("--end", required=True, help="ISO 8601 date-time; at most the latest allowed end")
        parser.add_argument("--status", type=int, default=0, help="TransactionStatus filter (default 0: finalized)")
        parser.add_argument("--all-void", type=int, choices=(0, 1), default=0, help="AllVoid filter (default 0)")
        parser.add_argument("--format", choices=("json", "csv"), default=None, help="answer format (COGNITION_FORMAT)")

    def handle(self, *args, **options):
        start = parse_moment(options["start"], "--start")
        end = parse_moment(options["end"], "--end")
        now = timezone.now()
        try:
            range_check(start=start, end=end, now=now)
        except RangeRefused as exc:
            latest = f" Latest allowed end: {exc.latest_end.isoformat()}" if exc.latest_end else ""
            raise CommandError(f"Refused: {exc}. Nothing was pulled.{latest}") from exc
        client = make_client()  # before any run is recorded: missing settings are said first
        run = pull_run_prepare(start=start, end=end, now=now, status=options["status"], all_void=options["all_void"])
        resumed = run.windows.filter(status="done").exists()
        bar = Bar(run, self.stderr)
        try:
            if resumed:
                self.stdout.write(f"Resuming pull {run.pk} at its first unfinished window.")
            run = pull_run_execute(
                run=run, client=client, fmt=options["format"] or settings.COGNITION_FORMAT, progress=bar.progress()
            )
        except (PullFailed, CognitionError) as exc:
            raise CommandError(f"Pull {run.pk} stopped: {exc}. Run the same command again to resume.") from exc
        finally:
            bar.close()
            client.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Pull {run.pk} done: {run.windows.count()} windows, {run.transactions} transactions, "
                f"{run.lines} lines ({run.start.isoformat()} → {run.end.isoformat()})."
            )
        )
