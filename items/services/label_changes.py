"""Recording what an items push changed of the shelf-label data of items at stores.

Set-based, inside the ingest's transaction: the label fields of the item-stores the page
touches (only records whose hash differs from the stored one) are read once before the page
is written and once after, and every item-store whose label fields differ gets one
:class:`~items.models.LabelChange`. An unchanged re-send touches nothing, so it reads and
records nothing; a 10 %-changed re-send reads the label fields of that 10 % twice."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from ecrs_hub.bulk import upsert
from ecrs_hub.db import counter_take

from ..models import ItemStore, LabelChange, LabelChangeCounter

IN_CHUNK = 2000

# What a shelf label shows of an item at a store, by the name a change records it under.
STORE_LABEL_FIELDS = (
    "deleted",
    *(f"price{n}" for n in range(1, 5)),
    *(f"divider{n}" for n in range(1, 5)),
    *(f"promo_price{n}" for n in range(1, 5)),
    *(f"promo_divider{n}" for n in range(1, 5)),
    "promo_start",
    "promo_end",
)
ITEM_LABEL_FIELDS = ("item_id", "item_name", "size", "size_qty", "size_unit")
LABEL_FIELDS = (*STORE_LABEL_FIELDS, *ITEM_LABEL_FIELDS)
_COLUMNS = ("pk", "item_id", "store_id", *STORE_LABEL_FIELDS, *(f"item__{name}" for name in ITEM_LABEL_FIELDS))

Snapshot = dict[int, tuple]  # item-store pk -> (item pk, store pk, label values...)


def label_change_numbers(count: int) -> range:
    """``count`` new label change sequence numbers. Must run inside the writer's transaction:
    the counter row stays locked (by its UPDATE) until it commits."""
    return counter_take(LabelChangeCounter, count)


def label_snapshot(item_pks: Iterable[int]) -> Snapshot:
    """The label fields of every item-store of these items, in one query per 2,000 items."""
    pks = sorted(set(item_pks))
    found: Snapshot = {}
    for start in range(0, len(pks), IN_CHUNK):
        for row in ItemStore.objects.filter(item_id__in=pks[start : start + IN_CHUNK]).values_list(*_COLUMNS):
            found[row[0]] = row[1:]
    return found


def _json(value):
    return str(value) if isinstance(value, Decimal) else value


def _as_dict(values: tuple) -> dict:
    return {name: _json(value) for name, value in zip(LABEL_FIELDS, values)}


def label_changes_record(*, push, before: Snapshot, after: Snapshot, now=None) -> list[LabelChange]:
    """One change per item-store whose label fields differ between ``before`` and ``after``
    (absent before: a new item at the store). Must run inside the ingest's transaction.
    Numbers them under the counter's row lock (held until the push commits)."""
    now = now or timezone.now()
    pending = []
    for pk, row in after.items():
        old = before.get(pk)
        if old is not None and old[2:] == row[2:]:
            continue
        new_values = row[2:]
        if old is None:
            kind, fields = LabelChange.Kind.NEW, list(LABEL_FIELDS[1:])
        else:
            old_values = old[2:]
            fields = [name for name, a, b in zip(LABEL_FIELDS, old_values, new_values) if a != b]
            if new_values[0] and not old_values[0]:
                kind = LabelChange.Kind.DELETED
            elif old_values[0] and not new_values[0]:
                kind = LabelChange.Kind.REVIVED
            else:
                kind = LabelChange.Kind.CHANGED
        pending.append((pk, row[1], kind, fields, None if old is None else _as_dict(old[2:]), _as_dict(new_values)))
    if not pending:
        return []
    pending.sort(key=lambda entry: entry[0])
    numbers = label_change_numbers(len(pending))
    rows = [
        {
            "item_store_id": pk,
            "store_id": store_pk,
            "push_id": push.pk if push is not None else None,
            "seq": seq,
            "changed_at": now,
            "kind": kind,
            "fields": fields,
            "old": old,
            "new": new,
        }
        for (pk, store_pk, kind, fields, old, new), seq in zip(pending, numbers)
    ]
    # Set-wise (bulk.upsert): Django's bulk_create compiles every JSON value one by one.
    upsert(LabelChange, rows, unique=("seq",), new=True)
    pks = dict(LabelChange.objects.filter(seq__gte=numbers.start, seq__lt=numbers.stop).values_list("seq", "pk"))
    changes = [LabelChange(pk=pks[row["seq"]], **row) for row in rows]
    return changes


def item_label_changes_record(*, push, item_pks: Iterable[int], before: Snapshot) -> list[LabelChange]:
    """:func:`label_changes_record` for the item-stores of ``item_pks`` as they are now."""
    return label_changes_record(push=push, before=before, after=label_snapshot(item_pks))
