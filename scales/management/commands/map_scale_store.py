from django.core.management.base import BaseCommand, CommandError

from scales.services.stores import ScaleStoreMappingError, scale_store_map


class Command(BaseCommand):
    help = (
        "Give the store with number N the scale store id the scale integration sends, merging the "
        "unmapped store earlier pushes created under that id."
    )

    def add_arguments(self, parser):
        parser.add_argument("scale_store_id", help="The storeId CATAPULT's scale client sends.")
        parser.add_argument("--store-number", required=True, help="The store's number.")

    def handle(self, *args, scale_store_id, store_number, **options):
        try:
            store = scale_store_map(scale_store_id=scale_store_id, store_number=store_number)
        except ScaleStoreMappingError as exc:
            raise CommandError(f"Cannot map scale store {scale_store_id!r}: {exc}.") from None
        self.stdout.write(f"Scale store {store.scale_store_id} is store {store}.")
