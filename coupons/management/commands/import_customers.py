from django.core.management.base import BaseCommand

from coupons.management.commands.import_coupons import read_input, rejected
from coupons.services.coupon_import import ImportRejected, json_records
from coupons.services.customer_import import customers_import


class Command(BaseCommand):
    help = (
        'Upsert customers from a JSON array of {"id", "firstName", "lastName", "email", "phones": [], '
        '"emails": [], "loyalty": [{"id", "balance"}]}; \'-\' reads standard input. Keys left out keep the '
        "stored values; loyalty balances are set through the ledger. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A JSON file, or - for standard input.")

    def handle(self, *args, file, **options):
        data = read_input(file)
        try:
            result = customers_import(records=json_records(data, "customers"))
        except ImportRejected as exc:
            raise rejected("customers", exc) from None
        self.stdout.write(
            f"Customers: {result.created} created, {result.updated} updated, {result.unchanged} unchanged; "
            f"loyalty: {result.accounts_created} accounts created, {result.balances_changed} balances changed."
        )
