from django.conf import settings
from django.core.management.base import BaseCommand

from ecrs_hub.services import pushes_interrupted_mark


class Command(BaseCommand):
    help = (
        "Mark interrupted the pushes still unfinished ECRS_PUSH_INTERRUPTED_AFTER seconds "
        f"(default {settings.ECRS_PUSH_INTERRUPTED_AFTER}) after they arrived: their worker or database "
        "stopped mid-push. They show as failed and can be replayed. Safe on any node, any time."
    )

    def handle(self, *args, **options):
        marked = pushes_interrupted_mark()
        self.stdout.write(f"Marked {marked} push(es) interrupted.")
