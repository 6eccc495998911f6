import argparse

from django.core.management.base import BaseCommand, CommandError

from coupons.services.sites import SetupError, site_upsert


class Command(BaseCommand):
    help = (
        "Create or update a coupon site (the POS siteid setting) and link it to the store with that number, "
        "creating the store if needed. Options left out keep the stored values (a new site: both flags off)."
    )

    def add_arguments(self, parser):
        parser.add_argument("site_id", help="The coupon site id the POS sends, e.g. STO1.")
        parser.add_argument("--store-number", help="Link the site to the store with this number.")
        parser.add_argument(
            "--self-stacking",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Several coupons may share a line (must match the POS selfStacking setting).",
        )
        parser.add_argument(
            "--use-external-images",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Answer absolute image URLs (must match the POS useExternalImages setting).",
        )
        parser.add_argument("--name", help="A name staff see in the admin.")

    def handle(self, *args, site_id, store_number, self_stacking, use_external_images, name, **options):
        try:
            result = site_upsert(
                site_id=site_id,
                store_number=store_number,
                self_stacking=self_stacking,
                use_external_images=use_external_images,
                name=name,
            )
        except SetupError as exc:
            raise CommandError(f"Cannot set up site {site_id!r}: {exc}.") from None
        site = result.site
        if result.store_created:
            self.stdout.write(f"Created store number {site.store.number} (a CATAPULT push naming it will fill it in).")
        store = "no store"
        if site.store_id:
            store = f"store number {site.store.number}" + (f" ({site.store.name})" if site.store.name else "")
        self.stdout.write(
            f"{'Created' if result.created else 'Updated'} site {site.site_id}: {store}, "
            f"self-stacking {'on' if site.self_stacking else 'off'}, "
            f"external images {'on' if site.use_external_images else 'off'}."
        )
