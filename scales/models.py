"""Scale-eligible items CATAPULT pushes (CONTRACT 2.8), per store, with nutrition panels;
the configured scale defaults; and the change sequence the scale export reads (2.9).

Nutrition panels are kept as JSON in the order sent: ``[{"servingSize", "servingsPerContainer",
"values": [{"type", "value"}]}]`` with every value a decimal string (JSON has no decimals).
"""

from django.db import models
from django.utils import timezone

from ecrs_hub.ingest import Pushed
from items.models import Store

from . import wire

ScaleItemWire = wire.SCALE_ITEM.abstract_model("ScaleItemWire", __name__, exclude=("item_id", "deleted"))
ScaleItemStoreWire = wire.SCALE_ITEM_STORE.abstract_model(
    "ScaleItemStoreWire", __name__, exclude=("scale_store_id", "deleted")
)


class ScaleItem(ScaleItemWire, Pushed):
    """A scale-eligible item. ``deleted`` is soft: a later ``deleted: false`` revives it."""

    item_id = models.CharField(max_length=16, unique=True, help_text="CATAPULT itemId (UPC, PLU or SKU).")
    deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    nutrition = models.JSONField(null=True, blank=True, help_text="Item-level nutrition panels, typed.")
    barcode_check_ok = models.BooleanField(
        null=True, blank=True, help_text="Whether the barcode's check digit is right (null: not a checkable code)."
    )
    record_hash = models.CharField(
        max_length=32, blank=True, default="", help_text="Hash of the whole record as last stored in full."
    )
    stores = models.ManyToManyField(Store, through="ScaleItemStore", related_name="scale_items")

    class Meta:
        ordering = ["item_id"]
        indexes = [models.Index(fields=["dept_num"]), models.Index(fields=["barcode"])]

    def __str__(self):
        return f"{self.item_id} {self.desc_line1 or ''}".strip()


class ScaleItemStore(ScaleItemStoreWire, Pushed):
    """A scale item at one store. ``deleted`` is CATAPULT's "deleted from store": soft.

    ``resolved_hash`` is the hash of the resolved record (what the store's scales print) as
    last computed; ``change_seq`` the change sequence number it got when it last changed,
    from :class:`ScaleChangeCounter`."""

    scale_item = models.ForeignKey(ScaleItem, on_delete=models.CASCADE, related_name="at_stores")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="scale_item_stores")
    deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    nutrition = models.JSONField(
        null=True, blank=True, help_text="Store-level nutrition panels; when present they replace the item's."
    )
    resolved_hash = models.CharField(max_length=32, blank=True, default="")
    change_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "scale item at store"
        verbose_name_plural = "scale items at stores"
        constraints = [models.UniqueConstraint(fields=["scale_item", "store"], name="scale_item_store_unique")]
        indexes = [models.Index(fields=["store", "change_seq"])]

    def __str__(self):
        return f"{self.scale_item} at {self.store}"


class ScaleStore(Store):
    """A store as the scale integration knows it (its ``scale_store_id``): the admin's view
    for mapping the storeIds CATAPULT's scale client sends."""

    class Meta:
        proxy = True
        verbose_name = "scale store"
        verbose_name_plural = "scale stores"


class ScaleDefaults(models.Model):
    """CATAPULT's Scale Settings defaults for description lines: one row (pk 1)."""

    desc_line1 = models.CharField("default description line 1", max_length=64, blank=True, default="")
    desc_line2 = models.CharField("default description line 2", max_length=64, blank=True, default="")
    desc_line3 = models.CharField("default description line 3", max_length=64, blank=True, default="")
    desc_line4 = models.CharField("default description line 4", max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "scale defaults"
        verbose_name_plural = "scale defaults"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="scale_defaults_single_row")]

    def __str__(self):
        return "Scale defaults"


class ScaleChangeCounter(models.Model):
    """The last change sequence number handed out (one row, pk 1). Writers lock it and
    bump it inside their transaction, so sequence numbers commit in order: a reader that
    sees the counter at N has every row numbered ≤ N committed in its view."""

    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="scale_change_counter_single_row")]

    def __str__(self):
        return f"scale change #{self.value}"
