"""``manage.py seed_demo``: the demo data a newcomer's ``make run`` shows (:mod:`demo.seed`)."""

import os

from django.core.management.base import BaseCommand, CommandError

from demo.seed import DEFAULT_URL, SECTIONS, DemoSeed


class Command(BaseCommand):
    help = "Load demo data (a catalogue with stores, images and price label types) and a demo admin login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default=DEFAULT_URL, help=f"Where the hub is served, for the links (default {DEFAULT_URL})."
        )

    def handle(self, *args, **options):
        if os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production"):
            raise CommandError("seed_demo loads demo data and an admin/admin login: it refuses production settings.")
        seed = DemoSeed(self.stdout, self.stderr, base_url=options["url"].rstrip("/"))
        for section in SECTIONS:
            section(seed)
        self.stdout.write("")
        for line in seed.summary:
            self.stdout.write(self.style.WARNING(line) if line.startswith("WARNING") else line)
        self.stdout.write(f"Admin:  {seed.base_url}/admin/   login: admin / admin")
