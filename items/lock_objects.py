"""The only place that builds ``select_for_update`` querysets for catalog rows (Saleor style).

Every function returns its rows in primary-key order and locks only the rows of its own
model (``of=("self",)``), so two writers that lock overlapping sets take the locks in the
same order and cannot deadlock each other. On SQLite ``select_for_update`` does nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .models import ItemImage, PriceLabelType, Store


def stores_for_update(*, number: str, scale_store_id: str | None = None) -> QuerySet[Store]:
    """The stores numbered ``number`` (and, with ``scale_store_id``, the store holding that
    scale store id), in pk order. Used where staff set a store up by its number."""
    condition = Q(number=number)
    if scale_store_id is not None:
        condition |= Q(scale_store_id=scale_store_id)
    return Store.objects.order_by("pk").select_for_update(of=("self",)).filter(condition)


def item_images_for_update(*, names: Iterable[str]) -> QuerySet[ItemImage]:
    return ItemImage.objects.order_by("pk").select_for_update(of=("self",)).filter(name__in=list(names))


def price_label_types_for_update(*, record_ids: Iterable[int]) -> QuerySet[PriceLabelType]:
    return PriceLabelType.objects.order_by("pk").select_for_update(of=("self",)).filter(record_id__in=list(record_ids))
