"""Label changes into batches, and staff's actions on a batch.

Batching is lazy: :func:`label_batches_refresh` puts the changes recorded since it last ran
(items pushes number them, :class:`~items.models.LabelChangeCounter`) into batches; every
read of batches (staff API, admin) and every action on one runs it first. So an items push
pays nothing for batches (the items floor knows nothing of labels), each change is batched
exactly once (the :class:`~labels.models.LabelBatching` row is locked while batching), and
a change recorded before staff close a batch is in that batch, since closing refreshes
first. A change effective on the day it arrived joins its store's open batch for that day; a
promotion that starts or ends on a later day joins the open batch of that day (the end's day
is the first day without the promotion: the day after promoEnd)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ecrs_hub.bulk import upsert
from items.models import ItemStore, LabelChange, LabelChangeCounter

from ..models import LabelBatch, LabelBatching, LabelEntry
from ..shelf import change_values, has_promotion, promo_date, shelf_price
from ..unit_price import price_text

Reason = LabelEntry.Reason
PRICE_FIELDS = {f"{name}{n}" for n in range(1, 5) for name in ("price", "divider")}
PROMO_FIELDS = {
    "promo_start",
    "promo_end",
    *(f"{name}{n}" for n in range(1, 5) for name in ("promo_price", "promo_divider")),
}
DESCRIPTION_FIELDS = {"item_id", "item_name", "size", "size_qty", "size_unit"}
# When one change gives an item several reasons on one day, the tag shows the first of these.
PRIORITY = [Reason.REMOVED, Reason.NEW_ITEM, Reason.PRICE, Reason.PROMO_START, Reason.PROMO_END, Reason.DESCRIPTION]


def change_effects(change: LabelChange, today: dt.date) -> dict[dt.date, str]:
    """The days on which ``change`` needs a tag, with the reason of each."""
    new = change_values(change.new)
    old = change_values(change.old)
    effects: dict[dt.date, list[str]] = {}

    def add(day: dt.date | None, reason: str) -> None:
        effects.setdefault(max(day or today, today), []).append(reason)

    def promotion(row) -> None:
        if not has_promotion(row):
            return
        start, end = promo_date(row.promo_start), promo_date(row.promo_end)
        if end is not None and end < today:
            return  # already over: nothing to hang
        add(start, Reason.PROMO_START)
        if end is not None:
            add(end + dt.timedelta(days=1), Reason.PROMO_END)

    if change.kind == LabelChange.Kind.DELETED:
        add(today, Reason.REMOVED)
    elif change.kind in (LabelChange.Kind.NEW, LabelChange.Kind.REVIVED):
        add(today, Reason.NEW_ITEM)
        promotion(new)
    else:
        fields = set(change.fields)
        if fields & PRICE_FIELDS:
            add(today, Reason.PRICE)
        if fields & PROMO_FIELDS:
            if has_promotion(new):
                promotion(new)
            elif old is not None and has_promotion(old):
                add(today, Reason.PROMO_END)  # the promotion was taken off
        if fields & DESCRIPTION_FIELDS:
            add(today, Reason.DESCRIPTION)
    return {day: min(reasons, key=PRIORITY.index) for day, reasons in effects.items()}


def _shelf(values, day: dt.date) -> tuple:
    """(price, text) of level 1 as the shelf shows it on ``day``, from recorded values."""
    if values is None or values.deleted:
        return None, ""
    price, quantity_for, _promo = shelf_price(values, day)
    return price, price_text(price, quantity_for)


def _open_batches(keys: set[tuple[int, dt.date]], now) -> dict[tuple[int, dt.date], int]:
    """The open batch of each (store pk, day), created when missing (two pushes creating the
    same one at once: the partial unique index lets one insert win, the other reads it)."""

    def found() -> dict:
        rows = LabelBatch.objects.filter(
            status=LabelBatch.Status.OPEN,
            store_id__in={store for store, _day in keys},
            effective_date__in={day for _store, day in keys},
        ).values_list("store_id", "effective_date", "pk")
        return {(store, day): pk for store, day, pk in rows if (store, day) in keys}

    batches = found()
    missing = keys - set(batches)
    if missing:
        LabelBatch.objects.bulk_create(
            [LabelBatch(store_id=store, effective_date=day, created_at=now) for store, day in sorted(missing)],
            ignore_conflicts=True,
        )
        batches = found()
    return batches


def label_batches_refresh() -> int:
    """Batch every label change recorded since the last refresh; returns how many entries
    were created or updated."""
    with transaction.atomic():
        if not LabelBatching.objects.filter(pk=1).update(last_seq=F("last_seq")):
            LabelBatching.objects.bulk_create([LabelBatching(pk=1)], ignore_conflicts=True)
            LabelBatching.objects.filter(pk=1).update(last_seq=F("last_seq"))
        last = LabelBatching.objects.values_list("last_seq", flat=True).get(pk=1)
        # Changes numbered at or below the counter are committed (items pushes number them
        # under its row lock), so none is skipped for being still in flight.
        watermark = LabelChangeCounter.objects.filter(pk=1).values_list("value", flat=True).first() or 0
        if watermark <= last:
            return 0
        changes = list(LabelChange.objects.filter(seq__gt=last, seq__lte=watermark).order_by("seq"))
        done = label_changes_batch(changes)
        LabelBatching.objects.filter(pk=1).update(last_seq=watermark)
    return done


def label_changes_batch(changes: Sequence[LabelChange], *, today: dt.date | None = None) -> int:
    """Put ``changes`` into their stores' open batches, each on the day it was recorded
    (or ``today``). Returns how many entries were created or updated. An item already in a
    batch keeps its entry: the old price stays the first one, the new price is the latest."""
    if not changes:
        return 0
    now = timezone.now()
    # (store, day, item-store) -> (its first change, its latest change, reason)
    wanted: dict[tuple[int, dt.date, int], tuple[LabelChange, LabelChange, str]] = {}
    for change in sorted(changes, key=lambda c: c.seq):
        day_recorded = today or timezone.localdate(change.changed_at)
        for day, reason in change_effects(change, day_recorded).items():
            key = (change.store_id, day, change.item_store_id)
            if key in wanted:
                first, _latest, earlier = wanted[key]
                wanted[key] = (first, change, min((earlier, reason), key=PRIORITY.index))
            else:
                wanted[key] = (change, change, reason)
    if not wanted:
        return 0
    with transaction.atomic():
        batches = _open_batches({(store, day) for store, day, _pk in wanted}, now)
        keyed = {
            (batches[(store, day)], item_store): (day, *found) for (store, day, item_store), found in wanted.items()
        }
        existing = {
            (batch_pk, item_store_pk): (pk, reason)
            for pk, batch_pk, item_store_pk, reason in LabelEntry.objects.filter(
                batch_id__in=set(batches.values()), item_store_id__in={pk for _s, _d, pk in wanted}
            ).values_list("pk", "batch_id", "item_store_id", "reason")
        }
        label_types = {
            pk: (regular, promo)
            for pk, regular, promo in ItemStore.objects.filter(pk__in={pk for _s, _d, pk in wanted}).values_list(
                "pk", "pl1_settings_id", "pl1_promo_settings_id"
            )
        }
        created, updated = [], []
        for (batch_pk, item_store_pk), (day, first, change, reason) in keyed.items():
            new_price, new_text = _shelf(change_values(change.new), day)
            regular_type, promo_type = label_types.get(item_store_pk, (None, None))
            row = {
                "batch_id": batch_pk,
                "item_store_id": item_store_pk,
                "change_id": change.pk,
                "new_price": new_price,
                "new_text": new_text,
            }
            entry = existing.get((batch_pk, item_store_pk))
            if entry is None:
                old_price, old_text = _shelf(change_values(first.old), day)
                label_type = promo_type if reason == Reason.PROMO_START and promo_type else regular_type
                created.append(
                    {**row, "reason": reason, "old_price": old_price, "old_text": old_text, "label_type": label_type}
                )
            else:
                updated.append({**row, "reason": min((entry[1], reason), key=PRIORITY.index)})
        # Set-wise (bulk.upsert): Django's bulk_update costs a CASE per row and column.
        unique = ("batch_id", "item_store_id")
        upsert(
            LabelEntry, created, unique=unique, new=True, insert_only={"created_at": now}, common={"updated_at": now}
        )
        upsert(LabelEntry, updated, unique=unique, common={"updated_at": now})
    return len(created) + len(updated)


def batch_close(*, batch: LabelBatch) -> LabelBatch:
    """Close a batch: it takes no new entries (later changes open a new batch for its day).
    Changes recorded until now are batched first."""
    label_batches_refresh()
    if batch.status != LabelBatch.Status.CLOSED:
        batch.status, batch.closed_at = LabelBatch.Status.CLOSED, timezone.now()
        batch.save(update_fields=["status", "closed_at"])
    return batch


def batch_mark_printed(*, batch: LabelBatch) -> LabelBatch:
    """Note that the batch's tags were printed (once more)."""
    batch.printed_at = timezone.now()
    batch.print_count += 1
    batch.save(update_fields=["printed_at", "print_count"])
    return batch


def batch_mark_hung(*, batch: LabelBatch, user=None) -> LabelBatch:
    """The tags hang on the shelf: the batch is closed too."""
    label_batches_refresh()
    batch.hung_at, batch.hung_by = timezone.now(), user
    fields = ["hung_at", "hung_by"]
    if batch.status != LabelBatch.Status.CLOSED:
        batch.status, batch.closed_at = LabelBatch.Status.CLOSED, batch.hung_at
        fields += ["status", "closed_at"]
    batch.save(update_fields=fields)
    return batch
