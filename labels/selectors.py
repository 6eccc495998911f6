"""Reads of the label side: batches and their tags, the label export (the ESL feed) and the
price discrepancy report."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from items.models import ItemStore, LabelChange, LabelChangeCounter, Store
from scales.models import ScaleItemStore
from scales.selectors import ScaleExportPage, cursor_encode, decimal_text

from .models import LabelBatch, LabelEntry, LabelTypeLayout, TagLayout
from .shelf import promo_date, promotion_active, shelf_record

# --- batches ----------------------------------------------------------------------------


def label_batches(*, store_number: str | None = None) -> QuerySet[LabelBatch]:
    rows = LabelBatch.objects.select_related("store").annotate(entry_count=Count("entries"))
    if store_number:
        rows = rows.filter(store__number=store_number)
    return rows.order_by("-effective_date", "-pk")


def batch_entries(batch: LabelBatch) -> QuerySet[LabelEntry]:
    return LabelEntry.objects.filter(batch=batch).select_related("item_store__item").order_by("pk")


def store_by_number(number: str) -> Store | None:
    return Store.objects.filter(number=number).order_by("pk").first()


def _sequence_key(text: str | None) -> tuple:
    """Shelf sequence order: numbers as numbers ("9" before "10"), then text."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|\D+", text or ""))


def shelf_order_key(record: dict[str, Any]) -> tuple:
    """Shelf order (location, then sequence) where the store has it, else department and
    name; items with a shelf position come first."""
    if record.get("location") or record.get("sequenceNumber"):
        return (0, _sequence_key(record.get("location")), _sequence_key(record.get("sequenceNumber")), "", "")
    return (1, (), (), record.get("deptNumber") or 0, (record.get("itemName") or "").lower())


@dataclass
class Tag:
    record: dict[str, Any]
    layout: str


def layouts_by_label_type() -> dict[int, str]:
    return dict(LabelTypeLayout.objects.values_list("price_label_type__record_id", "layout"))


def tag_layout(record: dict[str, Any], layouts: dict[int, str]) -> str:
    """The layout staff chose for the tag's price label type; else a promotion sign while a
    promotion runs and a shelf tag otherwise."""
    chosen = layouts.get(record.get("labelType"))
    if chosen:
        return chosen
    return TagLayout.PROMO if record.get("promoActive") else TagLayout.SHELF


def tags_of_item_stores(item_stores: Iterable[ItemStore], on: dt.date) -> list[Tag]:
    """Tags in shelf order for item-stores loaded with their item and store (deleted ones
    get none: their tag comes down)."""
    layouts = layouts_by_label_type()
    records = [
        shelf_record(at_store, at_store.item, at_store.store.number, on)
        for at_store in item_stores
        if not at_store.deleted
    ]
    records.sort(key=shelf_order_key)
    return [Tag(record, tag_layout(record, layouts)) for record in records]


def batch_tags(batch: LabelBatch) -> list[Tag]:
    """The tags of a batch, as its items stand, on the batch's day."""
    item_stores = ItemStore.objects.filter(pk__in=LabelEntry.objects.filter(batch=batch).values("item_store_id"))
    return tags_of_item_stores(item_stores.select_related("item", "store"), batch.effective_date)


# --- the label export (GET /ecrs/label-export/<store number>/) ---------------------------
#
# The cursor (the scale export's: scales.selectors.cursor_encode) carries the last label
# change sequence number seen. Each call reads the committed watermark first and returns only
# item-stores whose latest change is numbered at or below it: items pushes number changes
# under the counter's row lock, so every such change is committed and visible.

LABEL_EXPORT_DEFAULT_LIMIT = 1000
LABEL_EXPORT_MAX_LIMIT = 10_000


def label_change_watermark() -> int:
    return LabelChangeCounter.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    raise TypeError(type(value).__name__)


def shelf_json(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record, default=_json_default)


def label_export_page(store: Store, *, after: int = 0, full: bool = True, limit: int) -> ScaleExportPage:
    """The shelf records of ``store``'s items changed after change number ``after``, in
    change order, at most ``limit``; on a full export (``full``) only those not deleted."""
    watermark = label_change_watermark()
    latest = list(
        LabelChange.objects.filter(store=store, seq__gt=after, seq__lte=watermark)
        .values("item_store_id")
        .annotate(last=Max("seq"))
        .order_by("last")
        .values_list("item_store_id", "last")[: limit + 1]
    )
    more = len(latest) > limit
    latest = latest[:limit]
    next_cursor = cursor_encode(latest[-1][1], full) if more else cursor_encode(watermark, False)
    rows = ItemStore.objects.select_related("item", "store").in_bulk([pk for pk, _seq in latest])
    today = timezone.localdate()
    records = []
    for pk, _seq in latest:
        at_store = rows[pk]
        if full and at_store.deleted:
            continue
        records.append(shelf_record(at_store, at_store.item, store.number, today))
    return ScaleExportPage(records=records, cursor=next_cursor, more=more)


# --- price discrepancies -----------------------------------------------------------------


@dataclass
class Discrepancy:
    kind: str  # "scale_price" or "promotion_ended"
    item_id: str
    item_name: str | None
    catalog_price: Decimal | None
    other_price: Decimal | None
    detail: str


def price_discrepancies(store: Store, *, today: dt.date | None = None) -> list[Discrepancy]:
    """What a store checks before a price audit: items whose scale record's unit price
    differs from the catalog's item-store price (level 1) for the same PLU, and item-stores
    whose promotion has ended but whose price is still the promotion price."""
    today = today or timezone.localdate()
    found: list[Discrepancy] = []
    catalog = {
        item_id: (name, price)
        for item_id, name, price in ItemStore.objects.filter(store=store, deleted=False).values_list(
            "item__item_id", "item__item_name", "price1"
        )
    }
    scale_rows = ScaleItemStore.objects.filter(store=store, deleted=False, scale_item__deleted=False).values_list(
        "scale_item__item_id", "unit_price"
    )
    for item_id, scale_price in scale_rows:
        if item_id not in catalog or scale_price is None:
            continue
        name, price = catalog[item_id]
        if price is not None and price != scale_price:
            found.append(
                Discrepancy("scale_price", item_id, name, price, scale_price, "the scale prints another unit price")
            )
    promo_rows = (
        ItemStore.objects.filter(store=store, deleted=False, promo_price1__gt=0)
        .select_related("item")
        .only("item__item_id", "item__item_name", "price1", "promo_price1", "promo_start", "promo_end")
    )
    for at_store in promo_rows:
        end = promo_date(at_store.promo_end)
        if end is None or end >= today or promotion_active(at_store, today):
            continue
        if at_store.price1 is not None and at_store.price1 == at_store.promo_price1:
            found.append(
                Discrepancy(
                    "promotion_ended",
                    at_store.item.item_id,
                    at_store.item.item_name,
                    at_store.price1,
                    at_store.promo_price1,
                    f"the promotion ended {end.isoformat()} but the price did not return",
                )
            )
    found.sort(key=lambda row: (row.kind, row.item_id))
    return found
