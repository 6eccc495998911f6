from itertools import groupby

from django.core.management.base import BaseCommand, CommandError

from ecrs_hub.services import StaffGroupError, staff_groups_create


class Command(BaseCommand):
    help = (
        "Create (or top up) the staff groups 'Store staff' (view everything, release pending "
        "redemptions, map scale stores) and 'Coupon managers' (also edit coupons, customers, sites, "
        "POS credentials and the scale defaults). Re-run it after migrations add models."
    )

    def handle(self, *args, **options):
        try:
            results = staff_groups_create()
        except StaffGroupError as error:
            raise CommandError(str(error)) from error
        for result in results:
            verb = "created" if result.created else "updated"
            self.stdout.write(
                f"Group {result.group.name!r} {verb}: {len(result.permissions)} permissions, "
                f"{len(result.added)} new this run."
            )
            for app_label, perms in groupby(result.permissions, key=lambda perm: perm.content_type.app_label):
                self.stdout.write(f"  {app_label}: {', '.join(perm.codename for perm in perms)}")
