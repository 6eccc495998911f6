"""Reads of the catalog. References between pushed records are kept as the identifiers
CATAPULT sent (image names, price label type ids, base record ids) and resolved here, when
read, so they link whichever side arrived first (CONTRACT 5.7)."""

from __future__ import annotations

from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import OuterRef, Q, QuerySet, Subquery

from . import wire
from .models import Item, ItemImage, ItemStore, LabelChange, PriceLabelType


def image_file_subquery(name_ref: str = "image") -> Subquery:
    """The stored file path of the image named by the outer row's ``name_ref`` column."""
    return Subquery(ItemImage.objects.filter(name=OuterRef(name_ref)).values("file")[:1])


def images_by_name(names: list[str]) -> dict[str, ItemImage]:
    return {image.name: image for image in ItemImage.objects.filter(name__in=[name for name in names if name])}


def items_naming_image(name: str) -> QuerySet[Item]:
    """Items whose main image or any health attribute image is ``name``."""
    return Item.objects.filter(reduce(or_, (Q(**{attr: name}) for attr in wire.IMAGE_ATTRS)))


def item_alternates(record_id: str) -> QuerySet[Item]:
    """The Alternate IDs (``<base>-<alt>``) of a base item."""
    return Item.objects.filter(base_record_id=record_id)


def price_label_type_references(record_id: int) -> Q:
    """Items at stores whose regular or promotional price label type is ``record_id``."""
    return reduce(or_, (Q(**{attr: record_id}) for attr in wire.PRICE_LABEL_ATTRS))


def item_stores_with_price_label_type(record_id: int) -> QuerySet[ItemStore]:
    return ItemStore.objects.filter(price_label_type_references(record_id))


def price_label_types_by_record_id(record_ids: list[int]) -> dict[int, PriceLabelType]:
    ids = [record_id for record_id in record_ids if record_id]
    return {label.record_id: label for label in PriceLabelType.objects.filter(record_id__in=ids)}


def item_price_history(item: Item, *, limit_per_store: int = 50) -> list[dict]:
    """Each store's price history of ``item``, for the item page: ``[{"store": Store,
    "points": [{"at", "kind", "price", "quantity_for", "promo_price", "old_price",
    "fields"}, ...] oldest first}]`` from its label changes (level 1; prices as Decimals),
    stores by number. One query."""

    def money(values: dict | None, name: str):
        value = (values or {}).get(name)
        return Decimal(value) if value is not None else None

    by_store: dict[int, dict] = {}
    rows = LabelChange.objects.filter(item_store__item=item).select_related("store").order_by("seq")
    for change in rows:
        entry = by_store.setdefault(change.store_id, {"store": change.store, "points": []})
        entry["points"].append(
            {
                "at": change.changed_at,
                "kind": change.kind,
                "price": money(change.new, "price1"),
                "quantity_for": (change.new or {}).get("divider1"),
                "promo_price": money(change.new, "promo_price1"),
                "old_price": money(change.old, "price1"),
                "fields": change.fields,
            }
        )
    for entry in by_store.values():
        entry["points"] = entry["points"][-limit_per_store:]
    return sorted(by_store.values(), key=lambda entry: (entry["store"].number or "", entry["store"].pk))
