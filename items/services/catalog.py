"""Ingesting an Instant Item Detail items page (CONTRACT 2.5).

A page holds up to 5,000 items, each with its stores and supplier units: about 30 MB of
JSON. The page is parsed once, every sub-record (item, item at store, supplier unit) is
hashed as it arrived, and only the sub-records whose hash differs from the stored one are
coerced and written — in sets, inside one transaction. Re-sending a page therefore costs a
parse, a hash per record and three look-ups.

Absent fields are left unchanged (CONTRACT 2.4): rows are upserted in groups that share the
same set of present fields, and each group updates only those columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from ecrs_hub.bulk import bulk_update_column, upsert
from ecrs_hub.coercion import CoercionError, Problem, RecordRejected
from ecrs_hub.ingest import IngestResult, PageWriter, content_hash, page_ingest, text_id
from ecrs_hub.models import Push

from .. import wire
from ..models import Item, ItemStore, ItemSupplier, Store, Supplier
from .label_changes import item_label_changes_record, label_snapshot

IN_CHUNK = 2000  # identifiers per IN (...) look-up


def chunks(values: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class Entry:
    """A nested record (a ``stores[]`` or ``ordering[]`` entry) as it arrived."""

    path: str
    key: str  # store recordID / ordering recordID
    raw: dict
    hash: str
    values: dict = field(default_factory=dict)
    unknown: dict = field(default_factory=dict)


@dataclass
class PageItem:
    path: str
    record_id: str
    raw: dict
    record_hash: str  # the whole record, stores and units included
    hash: str = ""  # the item's own fields
    untouched: bool = False  # the whole record is as last stored: nothing to look at
    had_rejections: bool = False
    stores: list[Entry] = field(default_factory=list)
    ordering: list[Entry] = field(default_factory=list)
    values: dict | None = None  # coerced item fields, when the item part changed
    unknown: dict = field(default_factory=dict)
    pk: int | None = None
    existed: bool = False
    changed: bool = False


def items_page_ingest(*, push: Push, payload: Any) -> IngestResult:
    """Store an items page. Rejected records are reported with their JSON paths and the
    valid ones are stored; everything is written in one transaction (a transient database
    failure commits nothing)."""
    return page_ingest(
        push=push,
        payload=payload,
        noun="items",
        id_field="recordID",
        id_max_length=64,
        id_rule=RECORD_ID_RULE,
        record=PageItem,
        writer=_IngestRun,
    )


RECORD_ID_RULE = "is required: text of 1 to 64 characters, without NUL characters"


def _record_id(raw: dict) -> str | None:
    return text_id(raw.get("recordID"), 64)


def _entries(raw: dict, key: str, path: str, problems: list[Problem], warnings: list[str]) -> list[Entry]:
    values = raw.get(key)
    if values is None:
        return []
    if not isinstance(values, list):
        problems.append(Problem(f"{path}.{key}", "must be an array", type(values).__name__))
        return []
    entries: dict[str, Entry] = {}
    for index, entry in enumerate(values):
        entry_path = f"{path}.{key}[{index}]"
        if not isinstance(entry, dict):
            problems.append(Problem(entry_path, "must be a JSON object", type(entry).__name__))
            continue
        entry_id = _record_id(entry)
        if entry_id is None:
            problems.append(Problem(f"{entry_path}.recordID", RECORD_ID_RULE, entry.get("recordID")))
            continue
        if entry_id in entries:
            warnings.append(f"{entry_path}: recordID {entry_id} appears again in {path}.{key}; the later entry wins")
        entries[entry_id] = Entry(entry_path, entry_id, entry, content_hash(entry))
    return list(entries.values())


def _moved(problem: Problem, old_prefix: str, new_prefix: str) -> Problem:
    """The same problem found in another entry: its path under that entry."""
    return Problem(new_prefix + problem.path.removeprefix(old_prefix), problem.rule, problem.value)


class _IngestRun(PageWriter):
    """One page's writes. Must run inside a transaction."""

    def __init__(self, push: Push, page: list[PageItem], result: IngestResult):
        self.push = push
        self.page = page
        self.result = result
        self.now = timezone.now()
        self.rejected_paths: set[str] = set()

    def run(self) -> None:
        self._load_existing_items()
        self._expand_changed()
        self._coerce_items()  # a rejected item's stores and units are not stored either
        store_pks = self._upsert_stores()
        # Every part is coerced before anything is written, so that each item row is
        # written once, with the hash of the record as finally stored.
        item_store_rows = self._coerce_item_stores(store_pks, self._load_existing_item_stores(store_pks))
        unit_rows, supplier_names = self._coerce_supplier_units(self._load_existing_units())
        label_items = self._label_items(item_store_rows)
        labels_before = label_snapshot(item.pk for item in label_items if item.pk is not None)
        self._write_items()
        self._write_parts(ItemStore, item_store_rows, ("item_id", "store_id"))
        item_label_changes_record(push=self.push, item_pks=[item.pk for item in label_items], before=labels_before)
        self._write_suppliers(unit_rows, supplier_names)
        self._write_parts(ItemSupplier, unit_rows, ("record_id",))
        self._write_record_hashes()
        self._count()

    def _label_items(self, item_store_rows: list[tuple[PageItem, dict, bool]]) -> list[PageItem]:
        """The items whose label data may change: their own fields or a store entry changed."""
        touched = {id(item): item for item, _values, _new in item_store_rows}
        touched.update((id(item), item) for item in self.page if item.values is not None)
        return list(touched.values())

    # -- stores ---------------------------------------------------------------------

    def _upsert_stores(self) -> dict[str, int]:
        """Stores named in the page, created or updated from the store fields of their
        entries (the last entry that names a store wins). Returns recordID → pk."""
        infos: dict[str, tuple[str, dict]] = {}
        # Entries often repeat a store's fields verbatim: each distinct set is coerced once,
        # and a rejected one rejects every entry that carries it (with that entry's paths).
        rejections: dict[tuple, tuple[str, list[Problem]]] = {}
        seen: set[tuple] = set()
        store_keys = tuple(wire.STORE.names)
        for item in self.page:
            for entry in item.stores:
                part = {key: entry.raw[key] for key in store_keys if key in entry.raw}
                signature = tuple(sorted(part.items(), key=lambda kv: kv[0]))
                try:
                    hash(signature)
                except TypeError:
                    signature = (entry.path,)
                if signature in rejections:
                    first_path, problems = rejections[signature]
                    self._reject_entry(item, entry, [_moved(problem, first_path, entry.path) for problem in problems])
                    continue
                if signature in seen:
                    continue
                seen.add(signature)
                try:
                    coerced = wire.STORE.coerce(part, entry.path)
                except RecordRejected as exc:
                    rejections[signature] = (entry.path, exc.problems)
                    self._reject_entry(item, entry, exc.problems)
                    continue
                infos[entry.key] = (entry.path, coerced.values)
        if not infos:
            return {}
        existing = {store.record_id: store for store in Store.objects.filter(record_id__in=list(infos))}
        new_rows = []
        for record_id, (_path, values) in infos.items():
            store = existing.get(record_id)
            if store is None:
                number = values.get("number")
                # A store staff created by number alone is adopted by the first push naming it.
                store = (
                    Store.objects.filter(record_id__isnull=True, number=number).order_by("pk").first()
                    if number
                    else None
                )
                if store is None:
                    new_rows.append({**values, "record_id": record_id})
                    continue
                store.record_id = record_id
            if store.record_id != record_id or any(getattr(store, attr) != value for attr, value in values.items()):
                for attr, value in values.items():
                    setattr(store, attr, value)
                store.updated_at = self.now
                store.save(update_fields=[*values, "record_id", "updated_at"])
            existing[record_id] = store
        # New stores through ON CONFLICT: two pushes naming the same new store at once
        # both succeed, and the second merely updates it.
        upsert(
            Store,
            new_rows,
            unique=("record_id",),
            insert_only={"created_at": self.now},
            common={"updated_at": self.now},
        )
        pks = {store.record_id: store.pk for store in existing.values()}
        if new_rows:
            pks.update(
                Store.objects.filter(record_id__in=[row["record_id"] for row in new_rows]).values_list(
                    "record_id", "pk"
                )
            )
        return pks

    # -- existing rows ----------------------------------------------------------------

    def _load_existing_items(self) -> None:
        by_record_id = {item.record_id: item for item in self.page}
        for chunk in chunks(list(by_record_id)):
            for record_id, pk, stored_hash, stored_record_hash in Item.objects.filter(record_id__in=chunk).values_list(
                "record_id", "pk", "content_hash", "record_hash"
            ):
                item = by_record_id[record_id]
                item.pk, item.existed, item.hash = pk, True, stored_hash
                item.untouched = stored_record_hash == item.record_hash

    def _expand_changed(self) -> None:
        """Hash the parts of every record that is not as last stored: the item's own
        fields, each store entry, each supplier unit."""
        kept = []
        for item in self.page:
            if item.untouched:
                kept.append(item)
                continue
            item_part = {key: value for key, value in item.raw.items() if key not in ("stores", "ordering")}
            item_hash = content_hash(item_part)
            item.changed = item_hash != item.hash or not item.existed
            item.hash = item_hash
            problems: list[Problem] = []
            item.stores = _entries(item.raw, "stores", item.path, problems, self.result.warnings)
            item.ordering = _entries(item.raw, "ordering", item.path, problems, self.result.warnings)
            if problems:
                self.result.reject(problems)
                continue
            kept.append(item)
        self.page = kept

    def _load_existing_item_stores(self, store_pks: dict[str, int]) -> dict[tuple[int, int], tuple]:
        item_pks = [item.pk for item in self.page if item.pk is not None and item.stores]
        existing = {}
        for chunk in chunks(item_pks):
            for item_pk, store_pk, stored_hash, deleted, deleted_at in ItemStore.objects.filter(
                item_id__in=chunk
            ).values_list("item_id", "store_id", "content_hash", "deleted", "deleted_at"):
                existing[(item_pk, store_pk)] = (stored_hash, deleted, deleted_at)
        return existing

    def _load_existing_units(self) -> dict[str, tuple]:
        unit_ids = [entry.key for item in self.page for entry in item.ordering]
        existing = {}
        for chunk in chunks(unit_ids):
            for record_id, stored_hash, deleted, deleted_at in ItemSupplier.objects.filter(
                record_id__in=chunk
            ).values_list("record_id", "content_hash", "deleted", "deleted_at"):
                existing[record_id] = (stored_hash, deleted, deleted_at)
        return existing

    # -- items ------------------------------------------------------------------------

    def _coerce_items(self) -> None:
        kept = []
        for item in self.page:
            if item.changed and not item.untouched:
                try:
                    coerced = wire.ITEM.coerce(item.raw, item.path)
                except RecordRejected as exc:
                    # The whole item goes: its stores and units cannot be attached to an
                    # item whose own fields are not stored.
                    self.result.reject(exc.problems)
                    continue
                item.values, item.unknown = coerced.values, coerced.unknown
                if item.unknown:
                    self.result.warn(f"{item.path}: unknown fields kept: {', '.join(sorted(item.unknown))}")
            kept.append(item)
        self.page = kept

    def _write_items(self) -> None:
        rows = []
        for item in self.page:
            if item.values is None:
                continue
            values = dict(item.values)
            base, hyphen, _alternate = item.record_id.partition("-")
            values["base_record_id"] = base if hyphen else None
            values["content_hash"] = item.hash
            values["record_hash"] = self._record_hash(item)
            if item.unknown:
                values["extra"] = item.unknown
            rows.append(values)
        new_items = [item for item in self.page if item.values is not None and not item.existed]
        new_record_ids = {item.record_id for item in new_items}
        upsert(
            Item,
            [row for row in rows if row["record_id"] in new_record_ids],
            new=True,
            unique=("record_id",),
            **self._stamps(),
        )
        upsert(
            Item,
            [row for row in rows if row["record_id"] not in new_record_ids],
            unique=("record_id",),
            **self._stamps(),
        )
        if new_items:
            by_record_id = {item.record_id: item for item in new_items}
            for chunk in chunks(list(by_record_id)):
                for record_id, pk in Item.objects.filter(record_id__in=chunk).values_list("record_id", "pk"):
                    by_record_id[record_id].pk = pk

    # -- item at store ------------------------------------------------------------------

    def _coerce_item_stores(self, store_pks: dict[str, int], existing: dict) -> list[tuple[PageItem, dict, bool]]:
        rows = []
        for item in self.page:
            for entry in item.stores:
                store_pk = store_pks.get(entry.key)
                if store_pk is None or entry.path in self.rejected_paths:
                    continue
                stored = existing.get((item.pk, store_pk))
                if stored is not None and stored[0] == entry.hash:
                    continue
                try:
                    coerced = wire.ITEM_STORE.coerce(entry.raw, entry.path)
                except RecordRejected as exc:
                    self._reject_entry(item, entry, exc.problems)
                    continue
                item.changed = True
                values = coerced.values
                if coerced.unknown:
                    values["extra"] = coerced.unknown
                    self.result.warn(f"{entry.path}: unknown fields kept: {', '.join(sorted(coerced.unknown))}")
                self._soft_delete(values, stored)
                values.update(store_id=store_pk, content_hash=entry.hash)
                rows.append((item, values, stored is None))
        return rows

    def _write_parts(self, model, rows: list[tuple[PageItem, dict, bool]], unique: tuple[str, ...]) -> None:
        """Write item-store or supplier-unit rows, now that every item has its key."""
        for item, values, _new in rows:
            values["item_id"] = item.pk
        for new in (True, False):
            upsert(
                model,
                [values for _item, values, is_new in rows if is_new is new],
                new=new,
                unique=unique,
                **self._stamps(),
            )

    # -- supplier units -----------------------------------------------------------------

    def _coerce_supplier_units(self, existing: dict) -> tuple[list[tuple[PageItem, dict, bool]], dict[str, str | None]]:
        rows = []
        supplier_names: dict[str, str | None] = {}
        for item in self.page:
            for entry in item.ordering:
                stored = existing.get(entry.key)
                if stored is not None and stored[0] == entry.hash:
                    continue
                try:
                    coerced = wire.ORDERING.coerce(entry.raw, entry.path)
                    name = wire.SUPPLIER_NAME.coerce(entry.raw["supplierName"]) if "supplierName" in entry.raw else None
                except RecordRejected as exc:
                    self._reject_entry(item, entry, exc.problems)
                    continue
                except CoercionError as exc:
                    problem = Problem(f"{entry.path}.supplierName", exc.rule, entry.raw.get("supplierName"))
                    self._reject_entry(item, entry, [problem])
                    continue
                item.changed = True
                values = coerced.values
                if "supplierName" in entry.raw:
                    supplier_names[values["supplier_id"]] = name
                if coerced.unknown:
                    values["extra"] = coerced.unknown
                    self.result.warn(f"{entry.path}: unknown fields kept: {', '.join(sorted(coerced.unknown))}")
                self._soft_delete(values, stored)
                values["content_hash"] = entry.hash
                rows.append((item, values, stored is None))
        return rows, supplier_names

    def _write_suppliers(self, unit_rows: list[tuple[PageItem, dict, bool]], names: dict[str, str | None]) -> None:
        """Every supplier a unit names exists; those sent with a name get it."""
        unnamed = {values["supplier_id"] for _item, values, _new in unit_rows} - set(names)
        upsert(
            Supplier,
            [{"supplier_id": key} for key in unnamed],
            unique=("supplier_id",),
            insert_only={"created_at": self.now, "updated_at": self.now},
        )
        upsert(
            Supplier,
            [{"supplier_id": key, "name": name} for key, name in names.items()],
            unique=("supplier_id",),
            insert_only={"created_at": self.now},
            common={"updated_at": self.now},
        )

    # -- bookkeeping ----------------------------------------------------------------------

    def _record_hash(self, item: PageItem) -> str:
        """What to remember of a record as stored, so that the next identical copy is
        skipped whole; a record with a rejected part is not remembered, so that a re-send
        reports it again."""
        return "" if item.had_rejections else item.record_hash

    def _write_record_hashes(self) -> None:
        """The record hash of items whose own row was not written (only parts changed)."""
        bulk_update_column(
            Item,
            "record_hash",
            [(item.pk, self._record_hash(item)) for item in self.page if not item.untouched and item.values is None],
        )

    def _reject_entry(self, item: PageItem, entry: Entry, problems: list[Problem]) -> None:
        item.had_rejections = True
        if entry.path not in self.rejected_paths:
            self.rejected_paths.add(entry.path)
            self.result.reject_part(problems)

    def _count(self) -> None:
        for item in self.page:
            if item.had_rejections:
                self.result.stored_in_part()
            if not item.existed:
                self.result.created += 1
            elif item.changed and not item.untouched:
                self.result.updated += 1
            else:
                self.result.unchanged += 1
