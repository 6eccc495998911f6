"""Demo data for a newcomer's `make run`: a catalogue pushed exactly as CATAPULT pushes it.

Every section goes through the real push machinery in-process (each push is recorded raw
and ingested like one received over HTTP), so the admin shows pushes, items, images and
price label types as a live hub would. Running it again leaves the same data."""

import os

import orjson
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ecrs_hub.models import Integration, Push
from ecrs_hub.receiving import push_ingest
from ecrs_hub.services import integration_create
from items import demo

DEMO_ITEMS = 300
DEMO_STORES = 3
DEMO_IMAGES = 240


class Command(BaseCommand):
    help = "Load demo data (a catalogue with stores, images and price label types) and a demo admin login."

    def handle(self, *args, **options):
        if os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production"):
            raise CommandError("seed_demo loads demo data and an admin/admin login: it refuses production settings.")
        integration = self.integration("Demo CATAPULT", Integration.Kind.ITEMS)
        self.catalogue(integration)
        self.admin_login()

    def integration(self, name: str, kind: str) -> Integration:
        existing = Integration.objects.filter(name=name).first()
        if existing:
            self.stdout.write(f"Integration {name!r}: key unchanged (rotate it in the admin to see a new one).")
            return existing
        issued = integration_create(name=name, kind=kind, notes="Created by seed_demo.")
        self.stdout.write(f"Integration {name!r} created. Its key, shown only now: {issued.key}")
        return issued.integration

    def catalogue(self, integration: Integration) -> None:
        names = [demo.image_name(n) for n in range(DEMO_IMAGES)]
        for start in range(0, len(names), 10):
            files = [
                (name, demo.demo_image_bytes(name, "PNG" if n % 4 == 0 else "JPEG"))
                for n, name in enumerate(names[start : start + 10], start)
            ]
            body, content_type = demo.multipart_body(files)
            self.report(
                push_ingest(
                    integration=integration, endpoint=Push.Endpoint.IMAGES, body=body, content_type=content_type
                ),
                quiet=True,
            )
        self.stdout.write(f"Images: {len(names)} pushed in {-(-len(names) // 10)} requests.")
        self.report(
            push_ingest(
                integration=integration,
                endpoint=Push.Endpoint.PRICE_LABEL_SETTINGS,
                body=orjson.dumps(demo.price_label_settings()),
            )
        )
        items = demo.generate_items(DEMO_ITEMS, stores=DEMO_STORES, alternates_every=25)
        self.report(push_ingest(integration=integration, endpoint=Push.Endpoint.ITEMS, body=orjson.dumps(items)))

    def report(self, push: Push, quiet: bool = False) -> None:
        if push.status not in (Push.Status.OK,):
            self.stderr.write(f"{push}: {push.message}")
        elif not quiet:
            self.stdout.write(f"{push.get_endpoint_display()}: {push.message}")

    def admin_login(self) -> None:
        user_model = get_user_model()
        if not user_model.objects.filter(username="admin").exists():
            user_model.objects.create_superuser("admin", "admin@example.com", "admin")
            self.stdout.write(self.style.WARNING("Created the demo superuser admin / admin: for a local demo only."))
        self.stdout.write("")
        self.stdout.write("Admin:  http://127.0.0.1:8000/admin/   login: admin / admin")
