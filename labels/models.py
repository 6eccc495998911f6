"""Label batches (one store, one effective date: the tags to print and hang), their entries
(one per item at the store, with its old and new shelf price and why it needs a tag) and the
tag layout staff choose per CATAPULT price label type."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from items.models import ItemStore, LabelChange, PriceLabelType, Store


class TagLayout(models.TextChoices):
    SHELF = "shelf", "Shelf tag 2.25 × 1.25 in"
    PROMO = "promo", "Promotion sign 3.5 × 2 in"


class LabelTypeLayout(models.Model):
    """Which built-in tag layout prints the items of a CATAPULT price label type."""

    price_label_type = models.OneToOneField(PriceLabelType, on_delete=models.CASCADE, related_name="tag_layout")
    layout = models.CharField(max_length=10, choices=TagLayout.choices, default=TagLayout.SHELF)

    class Meta:
        verbose_name = "tag layout of a price label type"
        verbose_name_plural = "tag layouts of price label types"

    def __str__(self):
        return f"{self.price_label_type}: {self.get_layout_display()}"


class LabelBatch(models.Model):
    """The tags one store hangs on one day. Changes effective that day join the store's open
    batch for it; a closed batch takes no new entries (later changes open a new batch)."""

    class Status(models.TextChoices):
        OPEN = "open", "open"
        CLOSED = "closed", "closed"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="label_batches")
    effective_date = models.DateField(help_text="The day the tags must hang.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True, help_text="Last printed.")
    print_count = models.PositiveIntegerField(default=0)
    hung_at = models.DateTimeField(null=True, blank=True)
    hung_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-effective_date", "-pk"]
        verbose_name = "label batch"
        verbose_name_plural = "label batches"
        constraints = [
            models.UniqueConstraint(
                fields=["store", "effective_date"],
                condition=models.Q(status="open"),
                name="label_batch_one_open_per_store_day",
            ),
            models.CheckConstraint(condition=models.Q(status__in=["open", "closed"]), name="label_batch_status"),
        ]

    def __str__(self):
        return f"Store {self.store.number or self.store_id} tags for {self.effective_date} ({self.status})"


class LabelEntry(models.Model):
    """An item at the store that needs a new tag in a batch: the shelf price before and after
    (level 1 as the shopper reads it, the promotion while one runs on the batch's day)."""

    class Reason(models.TextChoices):
        NEW_ITEM = "new_item", "new item"
        PRICE = "price", "price change"
        PROMO_START = "promo_start", "promotion start"
        PROMO_END = "promo_end", "promotion end"
        DESCRIPTION = "description", "description change"
        REMOVED = "removed", "removed from store"

    batch = models.ForeignKey(LabelBatch, on_delete=models.CASCADE, related_name="entries")
    item_store = models.ForeignKey(ItemStore, on_delete=models.CASCADE, related_name="+")
    change = models.ForeignKey(
        LabelChange, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The latest change."
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    old_price = models.DecimalField(max_digits=19, decimal_places=4, null=True, blank=True)
    new_price = models.DecimalField(max_digits=19, decimal_places=4, null=True, blank=True)
    old_text = models.CharField(max_length=40, blank=True, default="", help_text="The shelf price before.")
    new_text = models.CharField(max_length=40, blank=True, default="", help_text="The shelf price after.")
    label_type = models.BigIntegerField(null=True, blank=True, help_text="CATAPULT price label type record id.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = "label batch entry"
        verbose_name_plural = "label batch entries"
        constraints = [models.UniqueConstraint(fields=["batch", "item_store"], name="label_entry_unique")]

    def __str__(self):
        return f"{self.item_store_id}: {self.old_text or '—'} → {self.new_text or '—'}"


class LabelBatching(models.Model):
    """How far label changes have been put into batches: the last change sequence number
    batched (one row, pk 1). Refreshing locks it (by its UPDATE), so two refreshes never
    batch a change twice."""

    last_seq = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="label_batching_single_row")]

    def __str__(self):
        return f"label changes batched up to #{self.last_seq}"
