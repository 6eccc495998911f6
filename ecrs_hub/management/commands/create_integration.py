from django.core.management.base import BaseCommand, CommandError

from ecrs_hub.models import Integration
from ecrs_hub.services import integration_create, integration_rotate_key


class Command(BaseCommand):
    help = (
        "Create an integration CATAPULT pushes with, or give an existing one a new key (--rotate). "
        "Prints how to send the key (CATAPULT Web Office's HEADER and QUERY PARAMETERS strings; a shopper app's "
        "header); the bare key is the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--kind", required=True, choices=Integration.Kind.values)
        parser.add_argument("--rotate", action="store_true", help="Give an existing integration a new key.")

    def handle(self, *args, name, kind, rotate, **options):
        existing = Integration.objects.filter(name=name).first()
        if existing and not rotate:
            raise CommandError(f"An integration named {name!r} exists; use --rotate to give it a new key.")
        if existing and existing.kind != kind:
            raise CommandError(f"Integration {name!r} is of kind {existing.kind!r}, not {kind!r}.")
        issued = integration_rotate_key(integration=existing) if existing else integration_create(name=name, kind=kind)
        verb = "New key for" if existing else "Created"
        self.stdout.write(f"{verb} integration {name!r} ({kind}). The key is shown only now.")
        if kind == Integration.Kind.SHOPPER:
            # A shopper app sends its key in a header only (coupons/shopper_api.py).
            self.stdout.write(f"HEADER: {Integration.SHOPPER_KEY_HEADER}: {issued.key}")
        else:
            self.stdout.write(f"HEADER: {issued.header_string}")
            self.stdout.write(f"QUERY PARAMETERS: {issued.query_string}")
        self.stdout.write(issued.key)
