"""The catalog CATAPULT pushes: stores, items, items at stores, suppliers, images and price
label types. Everything here is owned by CATAPULT and read-only for staff.

References between pushed records (an item's image names, its price label type ids, an
alternate ID's base item) are kept as the identifiers CATAPULT sent and resolved when read,
so they link whichever side arrives first (CONTRACT 5.7)."""

from django.db import models
from django.utils import timezone

from ecrs_hub.ingest import Pushed

from . import wire

StoreWire = wire.STORE.abstract_model("StoreWire", __name__, exclude=("record_id", "number"))
ItemWire = wire.ITEM.abstract_model("ItemWire", __name__, exclude=("record_id", "item_id"))
ItemStoreWire = wire.ITEM_STORE.abstract_model("ItemStoreWire", __name__, exclude=("deleted",))
ItemSupplierWire = wire.ORDERING.abstract_model(
    "ItemSupplierWire", __name__, exclude=("record_id", "supplier_id", "deleted")
)


class Store(StoreWire):
    """A store. CATAPULT identifies it by ``record_id``; staff and the other integrations
    know it by its number, its scale store id or its coupon site id."""

    record_id = models.CharField(
        max_length=64, unique=True, null=True, blank=True, help_text="CATAPULT store recordID."
    )
    number = models.CharField(max_length=10, null=True, blank=True, db_index=True, help_text="Store number.")
    scale_store_id = models.CharField(
        max_length=64, unique=True, null=True, blank=True, help_text="The storeId the scale integration sends."
    )
    unmapped = models.BooleanField(
        default=False, help_text="Created by a scale push naming an unknown storeId; staff should map it."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number", "name"]

    def __str__(self):
        label = self.name or f"Store {self.record_id or '?'}"
        return f"{self.number} {label}" if self.number else label


class Item(ItemWire, Pushed):
    """An inventory item. A hyphenated ``record_id`` (``<base>-<alt>``) is an Alternate ID
    of the base item ``base_record_id``."""

    record_id = models.CharField(max_length=64, unique=True, help_text="CATAPULT item recordID.")
    item_id = models.CharField(max_length=16, db_index=True, help_text="UPC, PLU or SKU.")
    base_record_id = models.CharField(
        max_length=64, null=True, blank=True, db_index=True, help_text="For an Alternate ID: the base item's recordID."
    )
    record_hash = models.CharField(
        max_length=32,
        blank=True,
        default="",
        help_text="Hash of the whole record (stores, units) as last stored in full.",
    )
    stores = models.ManyToManyField(Store, through="ItemStore", related_name="items")

    class Meta:
        ordering = ["item_id", "record_id"]
        indexes = [models.Index(fields=["dept_number"]), models.Index(fields=["brand"])]

    def __str__(self):
        return f"{self.item_id} {self.item_name or self.receipt_alias or ''}".strip()

    @property
    def is_alternate(self) -> bool:
        return self.base_record_id is not None

    @property
    def image_names(self) -> list[str]:
        return [name for name in (getattr(self, attr) for attr in wire.IMAGE_ATTRS) if name]


class ItemStore(ItemStoreWire, Pushed):
    """An item at one store: prices, promotions, scale attributes. ``deleted`` is CATAPULT's
    "deleted from store" flag: soft, and a later ``deleted: false`` revives it."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="at_stores")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="item_stores")
    deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "item at store"
        verbose_name_plural = "items at stores"
        constraints = [models.UniqueConstraint(fields=["item", "store"], name="item_store_unique")]
        indexes = [models.Index(fields=["store", "deleted"])]

    def __str__(self):
        return f"{self.item} at {self.store}"

    @property
    def price_label_type_ids(self) -> list[int]:
        return [value for value in (getattr(self, attr) for attr in wire.PRICE_LABEL_ATTRS) if value]


class Supplier(models.Model):
    supplier_id = models.CharField(max_length=15, unique=True, help_text="CATAPULT supplierID.")
    name = models.CharField(max_length=25, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["supplier_id"]

    def __str__(self):
        return f"{self.supplier_id} {self.name or ''}".strip()


class ItemSupplier(ItemSupplierWire, Pushed):
    """One of an item's supplier units (CATAPULT's ``ordering[]``)."""

    record_id = models.CharField(max_length=64, unique=True, help_text="CATAPULT ordering recordID.")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="supplier_units")
    supplier = models.ForeignKey(Supplier, to_field="supplier_id", on_delete=models.PROTECT, related_name="units")
    deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "supplier"]
        verbose_name = "item supplier unit"

    def __str__(self):
        return f"{self.supplier_id} {self.supplier_code or ''}".strip()


def image_extension(image_format: str) -> str:
    """The file extension of a Pillow format: the usual one for the common formats, else the
    first one Pillow registers for it (".bmp", ".webp", ".tif" ...)."""
    if image_format in ItemImage.EXTENSIONS:
        return ItemImage.EXTENSIONS[image_format]
    from PIL import Image

    found = sorted(ext for ext, fmt in Image.registered_extensions().items() if fmt == image_format)
    return found[0] if found else ""


class ItemImage(models.Model):
    """An image CATAPULT sent, by the name items reference it with: any raster format Pillow
    decodes (the Instant Item Detail document sets none)."""

    EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "BMP": ".bmp", "WEBP": ".webp", "TIFF": ".tif"}

    name = models.CharField(max_length=255, unique=True)
    # Content-addressed (item-images/<sha256>.<ext>): the same bytes are stored once,
    # whatever names point at them; the name is never part of a path.
    file = models.FileField(upload_to="item-images/", max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    format = models.CharField(max_length=16, help_text="The format Pillow decoded (JPEG, PNG, GIF, WEBP ...).")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Bytes.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    unreferenced_since = models.DateTimeField(
        null=True, blank=True, help_text="Set by prune_images when no item names the image."
    )
    last_push = models.ForeignKey("ecrs_hub.Push", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def extension(self) -> str:
        return image_extension(self.format)

    @property
    def content_type(self) -> str:
        from PIL import Image

        return Image.MIME.get(self.format, "application/octet-stream")


class PriceLabelType(models.Model):
    """A CATAPULT Price Label Type: its record id and its key/value settings. Each push
    replaces the whole set."""

    record_id = models.BigIntegerField(unique=True)
    settings = models.JSONField(default=list, blank=True, help_text='[{"key": ..., "value": ...}] as sent.')
    extra = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    last_push = models.ForeignKey("ecrs_hub.Push", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["record_id"]

    def __str__(self):
        return f"Price label type {self.record_id}"

    @property
    def settings_dict(self) -> dict[str, str | None]:
        return {entry.get("key"): entry.get("value") for entry in self.settings}


class LabelChangeCounter(models.Model):
    """The last label change sequence number handed out (one row, pk 1). An items push that
    records changes locks it and bumps it inside its transaction, so sequence numbers
    commit in order: a reader that sees the counter at N has every change numbered ≤ N."""

    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="label_change_counter_single_row")]

    def __str__(self):
        return f"label change #{self.value}"


class LabelChange(models.Model):
    """What an items push changed of an item at a store's shelf-label data (prices and
    quantity-for of levels 1-4, the promotion, item name, size and unit, item id): the
    label fields before and after (decimals as strings), by the push that did it."""

    class Kind(models.TextChoices):
        NEW = "new", "new item at store"
        CHANGED = "changed", "changed"
        DELETED = "deleted", "deleted from store"
        REVIVED = "revived", "revived at store"

    item_store = models.ForeignKey(ItemStore, on_delete=models.CASCADE, related_name="label_changes")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    push = models.ForeignKey("ecrs_hub.Push", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    seq = models.BigIntegerField(unique=True, help_text="Change sequence number (LabelChangeCounter).")
    changed_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    fields = models.JSONField(default=list, help_text="The label fields that changed.")
    old = models.JSONField(null=True, blank=True, help_text="The label fields before (null for a new item).")
    new = models.JSONField(default=dict, help_text="The label fields after.")

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["store", "seq"]),
            models.Index(fields=["item_store", "seq"]),
            models.Index(fields=["changed_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.seq}"
