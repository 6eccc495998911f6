"""Resolution bookkeeping (CONTRACT 2.8, 2.9): recomputing the resolved record of items at
stores and numbering those whose resolved value changed, so the scale export hands them out
again; and saving the scale defaults, which change resolution."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from ecrs_hub.db import counter_take

from ..models import ScaleChangeCounter, ScaleDefaults, ScaleItemStore
from ..selectors import resolution_rows, resolved_hash, scale_default_lines, scale_item_resolve


def scale_change_numbers(count: int) -> range:
    """``count`` new change sequence numbers. Must run inside the writer's transaction: the
    counter row stays locked until it commits."""
    return counter_take(ScaleChangeCounter, count)


def scale_resolution_refresh(rows) -> int:
    """Recompute the resolved record of ``rows`` (a ScaleItemStore queryset); those whose
    resolved value changed get a new change sequence number. Must run in a transaction.
    Returns how many changed."""
    lines = scale_default_lines()
    changed = []
    for row in resolution_rows(rows.order_by("pk")):
        digest = resolved_hash(scale_item_resolve(row.item, row.at_store, lines))
        if digest != row.resolved_hash:
            changed.append((row.pk, digest))
    numbers = scale_change_numbers(len(changed))
    _set_resolved([(pk, digest, seq) for (pk, digest), seq in zip(changed, numbers)])
    return len(changed)


def _set_resolved(rows: list[tuple[int, str, int]]) -> None:
    """Set (pk, resolved_hash, change_seq) in one statement: one new row version each
    (two single-column updates wrote every row twice, the slowest part of a first load)."""
    if not rows:
        return
    table = connection.ops.quote_name(ScaleItemStore._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            pks, digests, seqs = (list(column) for column in zip(*rows))
            cursor.execute(
                f"UPDATE {table} SET resolved_hash = v.digest, change_seq = v.seq "
                "FROM unnest(%s::bigint[], %s::text[], %s::bigint[]) AS v(pk, digest, seq) WHERE id = v.pk",
                [pks, digests, seqs],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET resolved_hash = %s, change_seq = %s WHERE id = %s",
                [(digest, seq, pk) for pk, digest, seq in rows],
            )


# What staff edit of the scale defaults (the one row's description lines).
DEFAULT_LINE_FIELDS = ["desc_line1", "desc_line2", "desc_line3", "desc_line4"]


@transaction.atomic
def scale_defaults_save(*, defaults: ScaleDefaults) -> int:
    """Save the scale defaults (the row created when it is new, else its description lines
    written) and renumber every item at a store whose resolved record they changed, so the
    scale export hands it out again. Returns how many changed. The change counter row stays
    locked until the commit (``scale_change_numbers``)."""
    defaults.updated_at = timezone.now()
    if defaults._state.adding:
        defaults.save(force_insert=True)
    else:
        defaults.save(update_fields=[*DEFAULT_LINE_FIELDS, "updated_at"])
    return scale_resolution_refresh(ScaleItemStore.objects.all())
