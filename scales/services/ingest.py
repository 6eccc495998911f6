"""Ingesting a Price Computing Scale page (CONTRACT 2.8).

A page holds up to 100 items, each with its stores and nutrition. Every record, its item
part and each store entry are hashed as they arrived; only the parts whose hash differs
from the stored one are coerced and written, set-wise, inside one transaction. Afterwards
the resolved record of every (item, store) the page touched is recomputed, and those whose
resolved value changed get a new change sequence number for the scale export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from ecrs_hub.bulk import bulk_update_column, upsert
from ecrs_hub.coercion import Problem, RecordRejected
from ecrs_hub.gtin import check_digit
from ecrs_hub.ingest import IngestResult, PageWriter, content_hash, page_ingest, text_id
from ecrs_hub.models import Push
from items.models import Store

from .. import wire
from ..models import ScaleItem, ScaleItemStore
from ..selectors import decimal_text
from .resolution import scale_resolution_refresh

ITEM_ID_RULE = "is required: text of 1 to 16 characters"
STORE_ID_RULE = "is required: text of 1 to 64 characters"


@dataclass
class Entry:
    """A ``stores[]`` entry as it arrived."""

    path: str
    key: str  # storeId
    raw: dict
    hash: str


@dataclass
class PageItem:
    path: str
    item_id: str
    raw: dict
    record_hash: str
    hash: str = ""
    untouched: bool = False
    had_rejections: bool = False
    stores: list[Entry] = field(default_factory=list)
    values: dict | None = None
    pk: int | None = None
    existed: bool = False
    stored: tuple = ()  # (content_hash, deleted, deleted_at) as stored
    changed: bool = False


def scale_items_ingest(*, push: Push, payload: Any) -> IngestResult:
    """Store a scale items page. Rejected records are reported with their JSON paths and
    the valid ones are stored; everything is written in one transaction (a transient
    database failure commits nothing)."""
    return page_ingest(
        push=push,
        payload=payload,
        noun="scale items",
        id_field="itemId",
        id_max_length=16,
        id_rule=ITEM_ID_RULE,
        record=PageItem,
        writer=_IngestRun,
    )


def barcode_check_digit(code: str | None) -> tuple[bool | None, int | None]:
    """(whether the GS1 mod-10 check digit of ``code`` is right, the expected digit), or
    (None, None) for a code that carries none (not 8, 12, 13 or 14 digits)."""
    if not code or not (code.isascii() and code.isdigit()) or len(code) not in (8, 12, 13, 14):
        return None, None
    expected = int(check_digit(code[:-1]))
    return expected == int(code[-1]), expected


def nutrition_coerce(raw: Any, path: str, result: IngestResult) -> list[dict] | None:
    """Nutrition panels as stored: typed (values as decimal strings), in the order sent.
    Unknown nutrient types and unknown keys are kept and warned about. Raises
    :class:`RecordRejected` with every problem."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise RecordRejected([Problem(path, "must be an array of nutrition panels", type(raw).__name__)])
    panels, problems = [], []
    for index, panel_raw in enumerate(raw):
        panel_path = f"{path}[{index}]"
        try:
            coerced = wire.NUTRITION_PANEL.coerce(panel_raw, panel_path)
        except RecordRejected as exc:
            problems.extend(exc.problems)
            continue
        panel: dict[str, Any] = {"servingSize": None, "servingsPerContainer": None, **coerced.values, "values": []}
        if coerced.unknown:
            panel["extra"] = coerced.unknown
            result.warn(f"{panel_path}: unknown fields kept: {', '.join(sorted(coerced.unknown))}")
        values = panel_raw.get("values")
        if values is not None and not isinstance(values, list):
            problems.append(Problem(f"{panel_path}.values", "must be an array", type(values).__name__))
            continue
        for value_index, value_raw in enumerate(values or ()):
            value_path = f"{panel_path}.values[{value_index}]"
            try:
                nutrient = wire.NUTRIENT.coerce(value_raw, value_path)
            except RecordRejected as exc:
                problems.extend(exc.problems)
                continue
            amount = nutrient.values.get("value")
            row = {"type": nutrient.values["type"], "value": None if amount is None else decimal_text(amount)}
            if row["type"] not in wire.NUTRIENT_TYPES:
                result.warn(f"{value_path}.type: unknown nutrient type {row['type']!r} kept")
            if nutrient.unknown:
                row["extra"] = nutrient.unknown
                result.warn(f"{value_path}: unknown fields kept: {', '.join(sorted(nutrient.unknown))}")
            panel["values"].append(row)
        panels.append(panel)
    if problems:
        raise RecordRejected(problems)
    return panels


class _IngestRun(PageWriter):
    """One page's writes. Must run inside a transaction."""

    def __init__(self, push: Push, page: list[PageItem], result: IngestResult):
        self.push = push
        self.page = page
        self.result = result
        self.now = timezone.now()

    def run(self) -> None:
        self._load_existing_items()
        self._coerce_items()
        store_pks = self._stores(self._map_entries())
        existing = self._load_existing_item_stores(store_pks)
        store_rows = self._coerce_item_stores(store_pks, existing)
        self._write_items()
        self._write_item_stores(store_rows)
        self._write_record_hashes()
        self._resolve_changed()
        self._count()

    # -- items ----------------------------------------------------------------------------

    def _load_existing_items(self) -> None:
        by_item_id = {item.item_id: item for item in self.page}
        for item_id, pk, stored_hash, record_hash, deleted, deleted_at in ScaleItem.objects.filter(
            item_id__in=list(by_item_id)
        ).values_list("item_id", "pk", "content_hash", "record_hash", "deleted", "deleted_at"):
            item = by_item_id[item_id]
            item.pk, item.existed, item.stored = pk, True, (stored_hash, deleted, deleted_at)
            item.untouched = record_hash == item.record_hash

    def _coerce_items(self) -> None:
        kept = []
        for item in self.page:
            if item.untouched:
                kept.append(item)
                continue
            item_part = {key: value for key, value in item.raw.items() if key != "stores"}
            item.hash = content_hash(item_part)
            try:
                stores = self._entries(item)
                if not item.existed or item.hash != item.stored[0]:
                    item.values = self._item_values(item)
            except RecordRejected as exc:
                # The whole item goes: its stores cannot be attached to an item not stored.
                self.result.reject(exc.problems)
                continue
            item.stores = stores
            kept.append(item)
        self.page = kept

    def _entries(self, item: PageItem) -> list[Entry]:
        raw = item.raw.get("stores")
        if raw is None:
            return []
        path = f"{item.path}.stores"
        if not isinstance(raw, list):
            raise RecordRejected([Problem(path, "must be an array", type(raw).__name__)])
        entries: dict[str, Entry] = {}
        problems = []
        for index, entry in enumerate(raw):
            entry_path = f"{path}[{index}]"
            if not isinstance(entry, dict):
                problems.append(Problem(entry_path, "must be a JSON object", type(entry).__name__))
                continue
            store_id = text_id(entry.get("storeId"), 64)
            if store_id is None:
                problems.append(Problem(f"{entry_path}.storeId", STORE_ID_RULE, entry.get("storeId")))
                continue
            entries[store_id] = Entry(entry_path, store_id, entry, content_hash(entry))
        if problems:
            raise RecordRejected(problems)
        return list(entries.values())

    def _item_values(self, item: PageItem) -> dict:
        try:
            coerced = wire.SCALE_ITEM.coerce(item.raw, item.path)
            problems = []
        except RecordRejected as exc:
            coerced, problems = None, exc.problems
        nutrition = None
        if "nutrition" in item.raw:
            try:
                nutrition = nutrition_coerce(item.raw["nutrition"], f"{item.path}.nutrition", self.result)
            except RecordRejected as exc:
                problems.extend(exc.problems)
        if problems:
            raise RecordRejected(problems)
        values = coerced.values
        values["extra"] = coerced.unknown
        if coerced.unknown:
            self.result.warn(f"{item.path}: unknown fields kept: {', '.join(sorted(coerced.unknown))}")
        if "nutrition" in item.raw:
            values["nutrition"] = nutrition
        if "barcode" in values:
            ok, expected = barcode_check_digit(values["barcode"])
            values["barcode_check_ok"] = ok
            if ok is False:
                self.result.warn(
                    f"{item.path}.barcode: {values['barcode']!r} has check digit {values['barcode'][-1]}, "
                    f"expected {expected} (stored as sent)"
                )
        self._soft_delete(values, item.stored or None)
        values["content_hash"] = item.hash
        return values

    def _write_items(self) -> None:
        rows = {True: [], False: []}
        for item in self.page:
            if item.values is not None:
                item.changed = True
                item.values["record_hash"] = "" if item.had_rejections else item.record_hash
                rows[not item.existed].append(item.values)
        for new, group in rows.items():
            upsert(ScaleItem, group, new=new, unique=("item_id",), **self._stamps())
        new_ids = [item.item_id for item in self.page if item.values is not None and not item.existed]
        if new_ids:
            pks = dict(ScaleItem.objects.filter(item_id__in=new_ids).values_list("item_id", "pk"))
            for item in self.page:
                if item.item_id in pks and not item.existed:
                    item.pk = pks[item.item_id]

    def _write_record_hashes(self) -> None:
        """The record hash of items whose own row was not written (only stores changed)."""
        bulk_update_column(
            ScaleItem,
            "record_hash",
            [
                (item.pk, "" if item.had_rejections else item.record_hash)
                for item in self.page
                if not item.untouched and item.values is None
            ],
        )

    # -- stores ---------------------------------------------------------------------------

    def _map_entries(self) -> set[str]:
        return {entry.key for item in self.page if not item.untouched for entry in item.stores}

    def _stores(self, store_ids: set[str]) -> dict[str, int]:
        """storeId → store pk. An unknown storeId creates a store flagged unmapped (through
        ON CONFLICT, so two pushes naming it at once both succeed)."""
        if not store_ids:
            return {}
        pks = dict(Store.objects.filter(scale_store_id__in=store_ids).values_list("scale_store_id", "pk"))
        unknown = sorted(store_ids - set(pks))
        if unknown:
            upsert(
                Store,
                [{"scale_store_id": store_id} for store_id in unknown],
                unique=("scale_store_id",),
                insert_only={"unmapped": True, "created_at": self.now, "updated_at": self.now},
            )
            pks.update(Store.objects.filter(scale_store_id__in=unknown).values_list("scale_store_id", "pk"))
            self.result.warn(
                f"unknown storeId(s) {', '.join(unknown)}: kept under new unmapped stores "
                "(map them with map_scale_store)"
            )
        return pks

    def _load_existing_item_stores(self, store_pks: dict[str, int]) -> dict[tuple[int, int], tuple]:
        item_pks = [item.pk for item in self.page if item.pk is not None and item.stores and not item.untouched]
        if not item_pks:
            return {}
        return {
            (item_pk, store_pk): (stored_hash, deleted, deleted_at)
            for item_pk, store_pk, stored_hash, deleted, deleted_at in ScaleItemStore.objects.filter(
                scale_item_id__in=item_pks
            ).values_list("scale_item_id", "store_id", "content_hash", "deleted", "deleted_at")
        }

    def _coerce_item_stores(self, store_pks: dict[str, int], existing: dict) -> list[tuple[PageItem, dict, bool]]:
        rows = []
        for item in self.page:
            if item.untouched:
                continue
            for entry in item.stores:
                store_pk = store_pks[entry.key]
                stored = existing.get((item.pk, store_pk))
                if stored is not None and stored[0] == entry.hash:
                    continue
                problems = []
                try:
                    coerced = wire.SCALE_ITEM_STORE.coerce(entry.raw, entry.path)
                except RecordRejected as exc:
                    coerced, problems = None, exc.problems
                nutrition = None
                if "nutrition" in entry.raw:
                    try:
                        nutrition = nutrition_coerce(entry.raw["nutrition"], f"{entry.path}.nutrition", self.result)
                    except RecordRejected as exc:
                        problems.extend(exc.problems)
                if problems:
                    item.had_rejections = True
                    self.result.reject(problems)
                    continue
                values = coerced.values
                del values["scale_store_id"]
                values["extra"] = coerced.unknown
                if coerced.unknown:
                    self.result.warn(f"{entry.path}: unknown fields kept: {', '.join(sorted(coerced.unknown))}")
                if "nutrition" in entry.raw:
                    values["nutrition"] = nutrition
                self._soft_delete(values, stored)
                values.update(store_id=store_pk, content_hash=entry.hash)
                item.changed = True
                rows.append((item, values, stored is None))
        return rows

    def _write_item_stores(self, rows: list[tuple[PageItem, dict, bool]]) -> None:
        for item, values, _new in rows:
            values["scale_item_id"] = item.pk
        for new in (True, False):
            upsert(
                ScaleItemStore,
                [values for _item, values, is_new in rows if is_new is new],
                new=new,
                unique=("scale_item_id", "store_id"),
                **self._stamps(),
            )

    # -- resolution -----------------------------------------------------------------------

    def _resolve_changed(self) -> None:
        """Number every (item, store) of the touched items whose resolved record changed.
        The counter row is locked (by its UPDATE) until this transaction commits, so
        sequence numbers commit in order (see ScaleChangeCounter)."""
        touched = [item.pk for item in self.page if item.changed]
        if not touched:
            return
        scale_resolution_refresh(ScaleItemStore.objects.filter(scale_item_id__in=touched))

    # -- bookkeeping ----------------------------------------------------------------------

    def _count(self) -> None:
        for item in self.page:
            if not item.existed:
                self.result.created += 1
            elif item.changed:
                self.result.updated += 1
            else:
                self.result.unchanged += 1
