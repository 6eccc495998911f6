"""Mapping the storeId the scale integration sends to a store (CONTRACT 2.8, 6)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from items import lock_objects
from items.models import Store

from ..models import ScaleItemStore


class ScaleStoreMappingError(ValueError):
    """The mapping asked for contradicts the stores on record; nothing was changed."""


@transaction.atomic
def scale_store_map(*, scale_store_id: str, store_number: str) -> Store:
    """Give the store numbered ``store_number`` the scale store id ``scale_store_id``.

    An *unmapped* store that pushes created under that id is merged into it: its scale
    items at store move over and it is deleted. With no store of that number, the unmapped
    store itself gets the number (or a store is created). Locks the stores involved, in
    primary-key order. Raises :class:`ScaleStoreMappingError` when the id or the number
    already belongs elsewhere."""
    scale_store_id, store_number = scale_store_id.strip(), store_number.strip()
    if not scale_store_id or len(scale_store_id) > 64:
        raise ScaleStoreMappingError("the scale store id must be 1 to 64 characters")
    if not store_number or len(store_number) > 10:
        raise ScaleStoreMappingError("the store number must be 1 to 10 characters")
    stores = list(lock_objects.stores_for_update(number=store_number, scale_store_id=scale_store_id))
    numbered = [store for store in stores if store.number == store_number]
    holder = next((store for store in stores if store.scale_store_id == scale_store_id), None)
    if len(numbered) > 1:
        raise ScaleStoreMappingError(f"{len(numbered)} stores have number {store_number}; merge them first")
    target = numbered[0] if numbered else None
    now = timezone.now()

    if target is None:
        if holder is None:
            return Store.objects.create(number=store_number, scale_store_id=scale_store_id)
        if not holder.unmapped:
            raise ScaleStoreMappingError(f"scale store id {scale_store_id} already belongs to store {holder}")
        holder.number, holder.unmapped, holder.updated_at = store_number, False, now
        holder.save(update_fields=["number", "unmapped", "updated_at"])
        return holder

    if target.scale_store_id not in (None, scale_store_id):
        raise ScaleStoreMappingError(
            f"store {store_number} already has scale store id {target.scale_store_id}; it cannot take {scale_store_id}"
        )
    if holder is not None and holder.pk != target.pk:
        if not holder.unmapped:
            raise ScaleStoreMappingError(f"scale store id {scale_store_id} already belongs to store {holder}")
        ScaleItemStore.objects.filter(store=holder).update(store=target)
        holder.delete()
    target.scale_store_id, target.unmapped, target.updated_at = scale_store_id, False, now
    target.save(update_fields=["scale_store_id", "unmapped", "updated_at"])
    return target
