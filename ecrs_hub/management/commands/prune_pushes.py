from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ecrs_hub.services import pushes_prune


class Command(BaseCommand):
    help = "Drop raw push bodies older than the retention (ECRS_PUSH_RETENTION_DAYS, default 30); log rows stay."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.ECRS_PUSH_RETENTION_DAYS)

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more")
        pruned, refused = pushes_prune(days=days)
        self.stdout.write(f"Pruned the bodies of {pruned} push(es); deleted {refused} refused-request row(s).")
