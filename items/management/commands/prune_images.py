from django.core.management.base import BaseCommand, CommandError

from items.services.pruning import images_prune


class Command(BaseCommand):
    help = "Delete item images no item has referenced for more than --days days (default 30)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more")
        report = images_prune(days=days)
        self.stdout.write(
            f"{report.marked} image(s) newly unreferenced, {report.cleared} referenced again, "
            f"{report.deleted} deleted (unreferenced for more than {days} days)."
        )
