"""Print the redemption reconciliation report for a date range (CONTRACT 6)."""

from django.core.management.base import BaseCommand, CommandError

from cognition.services.reconcile import reconciliation_run, report_lines

from .._common import parse_day


class Command(BaseCommand):
    help = (
        "Compare the coupons the hub marked redeemed with the third-party vendor coupon lines in pulled "
        "transaction history; print matches and mismatches both ways. Saves the report for the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD (hub time zone)")
        parser.add_argument("--end", required=True, help="last day, YYYY-MM-DD (inclusive)")

    def handle(self, *args, **options):
        start, end = parse_day(options["start"], "--start"), parse_day(options["end"], "--end")
        if end < start:
            raise CommandError("--end must not be before --start")
        report = reconciliation_run(start=start, end=end)
        self.stdout.write("\n".join(report_lines(report)))
