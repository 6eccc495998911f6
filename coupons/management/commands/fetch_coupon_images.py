"""Copy coupons' external images into the hub's storage (CONTRACT 3.2): sites whose POS does
not use external images get them from /pos/images/. A first POS request for an image copies
it too; this command does it ahead of time (after import_coupons, or scheduled)."""

from django.core.management.base import BaseCommand, CommandError

from coupons.services import coupon_images_fetch


class Command(BaseCommand):
    help = "Copy every coupon's external image not copied yet into the hub's storage."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=4.0, help="Seconds per image (default 4).")

    def handle(self, *args, timeout: float, **options):
        copied, problems = coupon_images_fetch(timeout=timeout)
        for problem in problems:
            self.stderr.write(problem)
        self.stdout.write(f"{copied} image(s) copied, {len(problems)} failed")
        if problems:
            raise CommandError(f"{len(problems)} image(s) could not be copied")
