"""Reads of the scale data. The **resolved** record of an item at a store — what that
store's scales print — is computed here and nowhere else (CONTRACT 2.8): the scale export,
the ingest's change tracking and the admin all call :func:`scale_item_resolve`.

Rules: a store-level value wins; a store-level null (or empty text) falls back to the
item-level value; description lines fall back further to the configured scale defaults;
``active`` null means active; store nutrition panels, when the store sends any, replace
the item's. Shelf life and its unit travel together, from the level that has a shelf life.
Prices, dividers, unit, tare and promotion exist only at store level.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import orjson
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from items.models import Store

from . import wire
from .models import ScaleChangeCounter, ScaleDefaults, ScaleItemStore

RESOLVED_FIELDS = (
    "itemId",
    "barcode",
    "deleted",
    "active",
    "deptNum",
    "descLine1",
    "descLine2",
    "descLine3",
    "descLine4",
    "unitPrice",
    "divider",
    "unit",
    "tare",
    "forceTare",
    "byCountQty",
    "fixedWeight",
    "shelfLife",
    "shelfLifeByHours",
    "useBy",
    "ingredients",
    "cool",
    "customerPrice",
    "customerDivider",
    "promoPrice",
    "promoEnd",
    "promptPrice",
    "nutrition",
)


def _first(*values: Any) -> Any:
    """The first value that is populated (not null, not empty text)."""
    for value in values:
        if value is not None and value != "":
            return value
    return None


def scale_item_resolve(item: Any, at_store: Any, default_lines: Sequence[str] = ("", "", "", "")) -> dict[str, Any]:
    """The resolved record of ``item`` at a store (``at_store``: its store-level row), with
    the ECRS field names. Pure: works on anything with the model's attributes."""
    shelf = at_store if at_store.shelf_life is not None else item
    active = _first(at_store.active, item.active)
    return {
        "itemId": item.item_id,
        "barcode": item.barcode,
        "deleted": bool(item.deleted or at_store.deleted),
        "active": True if active is None else active,
        "deptNum": item.dept_num,
        **{
            f"descLine{n}": _first(
                getattr(at_store, f"desc_line{n}"), getattr(item, f"desc_line{n}"), default_lines[n - 1]
            )
            for n in range(1, 5)
        },
        "unitPrice": at_store.unit_price,
        "divider": at_store.divider,
        "unit": at_store.unit,
        "tare": at_store.tare,
        "forceTare": at_store.force_tare,
        "byCountQty": _first(at_store.by_count_qty, item.by_count_qty),
        "fixedWeight": _first(at_store.fixed_weight, item.fixed_weight),
        "shelfLife": shelf.shelf_life,
        "shelfLifeByHours": None if shelf.shelf_life is None else bool(shelf.shelf_life_by_hours),
        "useBy": _first(at_store.use_by, item.use_by),
        "ingredients": _first(at_store.ingredients, item.ingredients),
        "cool": item.cool,
        "customerPrice": at_store.customer_price,
        "customerDivider": at_store.customer_divider,
        "promoPrice": at_store.promo_price,
        "promoEnd": at_store.promo_end,
        "promptPrice": at_store.prompt_price,
        "nutrition": at_store.nutrition if at_store.nutrition else (item.nutrition or []),
    }


def decimal_text(value: Decimal) -> str:
    """4.9900 → "4.99", 30.000000 → "30": the value without the column's padding."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    raise TypeError(type(value).__name__)


def resolved_json(record: dict[str, Any]) -> bytes:
    """A resolved record as JSON, decimals as decimal strings."""
    return orjson.dumps(record, default=_json_default)


def resolved_hash(record: dict[str, Any]) -> str:
    return hashlib.blake2b(resolved_json(record), digest_size=16).hexdigest()


def scale_default_lines() -> tuple[str, str, str, str]:
    defaults = ScaleDefaults.objects.filter(pk=1).first()
    if defaults is None:
        return ("", "", "", "")
    return (defaults.desc_line1, defaults.desc_line2, defaults.desc_line3, defaults.desc_line4)


def scale_change_watermark() -> int:
    """The last change sequence number committed: every row numbered at or below it is
    visible to the caller (writers number rows under the counter's row lock)."""
    return ScaleChangeCounter.objects.filter(pk=1).values_list("value", flat=True).first() or 0


# What resolution reads of an item at a store and of its item (plus nutrition, read as text).
STORE_COLUMNS = (
    "deleted",
    *(f.attr for f in wire.SCALE_ITEM_STORE.fields if f.attr not in ("scale_store_id", "deleted")),
)
ITEM_COLUMNS = ("item_id", "deleted", *(f.attr for f in wire.SCALE_ITEM.fields if f.attr not in ("item_id", "deleted")))


@dataclass(slots=True)
class ResolutionRow:
    """An item at a store as resolution reads it: plain attributes, no model instances."""

    pk: int
    change_seq: int
    resolved_hash: str
    item: SimpleNamespace
    at_store: SimpleNamespace


def _parsed(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def resolution_rows(rows: QuerySet[ScaleItemStore], *, chunk_size: int | None = None) -> Iterator[ResolutionRow]:
    """``rows`` with their items, as plain values: only the columns resolution reads, the
    nutrition columns as text parsed with orjson. Building 20,000 model instances (and
    ``json.loads`` of four JSON columns each) made a 10,000-row export take seconds on
    PostgreSQL; this takes a tenth of that."""
    names = (*STORE_COLUMNS, *(f"scale_item__{name}" for name in ITEM_COLUMNS))
    values = rows.annotate(
        _nutrition=Cast("nutrition", TextField()), _item_nutrition=Cast("scale_item__nutrition", TextField())
    ).values_list("pk", "change_seq", "resolved_hash", *names, "_nutrition", "_item_nutrition")
    stores, items = len(STORE_COLUMNS), len(ITEM_COLUMNS)
    for row in values.iterator(chunk_size=chunk_size) if chunk_size else values:
        at_store = SimpleNamespace(**dict(zip(STORE_COLUMNS, row[3 : 3 + stores])), nutrition=_parsed(row[-2]))
        item = SimpleNamespace(
            **dict(zip(ITEM_COLUMNS, row[3 + stores : 3 + stores + items])), nutrition=_parsed(row[-1])
        )
        yield ResolutionRow(row[0], row[1], row[2], item, at_store)


def scale_item_stores_of(store: Store) -> QuerySet[ScaleItemStore]:
    return ScaleItemStore.objects.filter(store=store)


def resolved_scale_items(store: Store, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
    """The resolved records of every scale item at ``store``, by itemId. Deleted ones
    (item or item at store) only when ``include_deleted``."""
    lines = scale_default_lines()
    rows = scale_item_stores_of(store).order_by("scale_item__item_id")
    if not include_deleted:
        rows = rows.filter(deleted=False, scale_item__deleted=False)
    for row in resolution_rows(rows, chunk_size=2000):
        yield scale_item_resolve(row.item, row.at_store, lines)


def scale_export_rows(store: Store, *, after: int, up_to: int, tombstones: bool, limit: int) -> list[ResolutionRow]:
    """Up to ``limit`` + 1 rows of ``store`` numbered in (``after``, ``up_to``], in change
    order; without ``tombstones`` only rows neither deleted at the store nor as an item."""
    rows = scale_item_stores_of(store).filter(change_seq__gt=after, change_seq__lte=up_to)
    if not tombstones:
        rows = rows.filter(deleted=False, scale_item__deleted=False)
    return list(resolution_rows(rows.order_by("change_seq", "pk")[: limit + 1]))


def scale_item_store_resolved(pk: int) -> tuple[ScaleItemStore, dict[str, Any]] | None:
    """An item at a store (with its item and store loaded) and its resolved record, or None."""
    at_store = ScaleItemStore.objects.select_related("scale_item", "store").filter(pk=pk).first()
    if at_store is None:
        return None
    return at_store, scale_item_resolve(at_store.scale_item, at_store, scale_default_lines())


# --- the scale export (GET /ecrs/scale-export/<scale_store_id>/, CONTRACT 2.9) ----------------
#
# The cursor is the last change sequence number the client has seen (plus whether it is still
# walking a full export, which leaves tombstones out). Each call reads the committed
# watermark first and returns only rows numbered at or below it: writers number rows under
# the counter's row lock, so every such row is committed and visible, and a row a concurrent
# writer is numbering now gets a number above the watermark — the next call returns it.

SCALE_EXPORT_DEFAULT_LIMIT = 1000
SCALE_EXPORT_MAX_LIMIT = 10_000


class BadCursor(ValueError):
    pass


def cursor_encode(seq: int, full: bool) -> str:
    raw = orjson.dumps({"s": seq, "f": full})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(text: str) -> tuple[int, bool]:
    """(the last change sequence number seen, whether a full export is being walked), or
    :class:`BadCursor` for anything :func:`cursor_encode` did not write."""
    try:
        data = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        seq, full = data["s"], data["f"]
    except (ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        raise BadCursor(text) from None
    if type(seq) is not int or seq < 0 or type(full) is not bool:
        raise BadCursor(text)
    return seq, full


@dataclass(frozen=True)
class ScaleExportPage:
    """One call's answer: the resolved records in change order, the cursor to pass next
    time, and whether a call with it has more."""

    records: list[dict[str, Any]]
    cursor: str
    more: bool


def scale_store_by_id(scale_store_id: str) -> Store | None:
    return Store.objects.filter(scale_store_id=scale_store_id).first()


def scale_export_page(store: Store, *, after: int = 0, full: bool = True, limit: int) -> ScaleExportPage:
    """What ``store``'s scales must print, at most ``limit`` records: those changed after
    change number ``after`` (a decoded cursor), or on a full export (``full``, no cursor
    yet, or one walking a full export) those not deleted."""
    watermark = scale_change_watermark()
    rows = scale_export_rows(store, after=after, up_to=watermark, tombstones=not full, limit=limit)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = cursor_encode(rows[-1].change_seq, full) if more else cursor_encode(watermark, False)
    lines = scale_default_lines()
    records = [scale_item_resolve(row.item, row.at_store, lines) for row in rows]
    return ScaleExportPage(records=records, cursor=next_cursor, more=more)
