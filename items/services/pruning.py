"""Removing item images no item references any more (CONTRACT 2.6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import wire
from ..models import Item, ItemImage
from .catalog import chunks
from .images import delete_unused_blobs


@dataclass(frozen=True)
class PruneReport:
    marked: int
    cleared: int
    deleted: int


def images_prune(*, days: int) -> PruneReport:
    """Mark images that no item names (any of its seven image fields) as unreferenced,
    clear the mark of those named again, and delete images unreferenced for more than
    ``days`` days, with their files when no other image uses the same bytes."""
    now = timezone.now()
    cutoff = now - timedelta(days=days)
    # Names are compared here, not in an IN (...) list: a large catalogue names hundreds of
    # thousands of images, more than a statement may carry.
    referenced: set[str] = set()
    for attr in wire.IMAGE_ATTRS:
        referenced.update(Item.objects.exclude(**{f"{attr}__isnull": True}).values_list(attr, flat=True).iterator())
    clear, mark, delete = [], [], []
    for pk, name, since in ItemImage.objects.values_list("pk", "name", "unreferenced_since").iterator():
        if name in referenced:
            if since is not None:
                clear.append(pk)
        elif since is None:
            mark.append(pk)
        elif since < cutoff:
            delete.append(pk)
    with transaction.atomic():
        for chunk in chunks(clear):
            ItemImage.objects.filter(pk__in=chunk).update(unreferenced_since=None)
        for chunk in chunks(mark):
            ItemImage.objects.filter(pk__in=chunk).update(unreferenced_since=now)
        paths, deleted = [], 0
        for chunk in chunks(delete, 500):
            expired = ItemImage.objects.filter(pk__in=chunk, unreferenced_since__lt=cutoff)
            # An item pushed since the scan may name one again: it stays (marked; the next
            # run clears the mark).
            names = list(expired.values_list("name", flat=True))
            named_again = _referenced_among(names)
            expired = expired.exclude(name__in=named_again)
            paths.extend(expired.values_list("file", flat=True))
            deleted += expired.delete()[1].get(ItemImage._meta.label, 0)
        transaction.on_commit(lambda: delete_unused_blobs(paths))
    return PruneReport(marked=len(mark), cleared=len(clear), deleted=deleted)


def _referenced_among(names: list[str]) -> set[str]:
    """The ones among ``names`` that some item names now."""
    if not names:
        return set()
    condition = Q()
    for attr in wire.IMAGE_ATTRS:
        condition |= Q(**{f"{attr}__in": names})
    found: set[str] = set()
    for row in Item.objects.filter(condition).values_list(*wire.IMAGE_ATTRS):
        found.update(row)
    return found & set(names)
