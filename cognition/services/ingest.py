"""Transaction history rows → typed transactions and lines, upserted set-wise.

A row that cannot be read (a non-numeric amount, a missing ``TRN_PK``) does not stop the
pull: it is skipped and counted, with the first problems kept for the window's error text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from ecrs_hub.bulk import upsert
from ecrs_hub.coercion import CoercionError, RecordRejected

from .. import wire
from ..models import Transaction, TransactionLine

BATCH_ROWS = 5000

_TRANSACTION_ATTRS = wire.TRANSACTION.attrs + tuple(attr for attr, _utc in wire.TRANSACTION_TIMES.values())
_LINE_ATTRS = (
    wire.LINE.attrs
    + tuple(attr for attr, _utc in wire.LINE_TIMES.values())
    + tuple(wire.LINE_DATES.values())
    + ("extra",)
)
_TRANSACTION_EMPTY = dict.fromkeys(_TRANSACTION_ATTRS)
_TRANSACTION_NAMES = wire.TRANSACTION.names
_LINE_SPECIAL = frozenset(wire.LINE_TIMES) | frozenset(wire.LINE_DATES)  # typed outside the schema
_LINE_EMPTY = dict.fromkeys(_LINE_ATTRS)


class RowRejected(ValueError):
    """A row the hub cannot read; the message names the field, the value and the rule."""


@dataclass
class BatchResult:
    transactions: int = 0
    lines: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


class RowReader:
    """Turns raw rows into (transaction values, line values). Transaction fields repeat on
    every line of a transaction: they are read once per ``TRN_PK`` per batch. Null values
    are not coerced (every column starts null), and most of a row is null: a line fills only
    the columns of its type."""

    TIME_MEMO_LIMIT = 50_000

    def __init__(self):
        self.local = timezone.get_current_timezone()
        self._time_memo: dict[tuple[str, bool], Any] = {}

    def _time(self, value: Any, utc: bool):
        key = (value, utc)
        try:
            return self._time_memo[key]
        except (KeyError, TypeError):
            pass
        parsed = wire.parse_datetime_value(value, utc=utc, local=self.local)
        if isinstance(value, str):
            if len(self._time_memo) >= self.TIME_MEMO_LIMIT:
                self._time_memo.clear()
            self._time_memo[key] = parsed
        return parsed

    def _times(self, raw: dict, spec: dict, values: dict, path: str, problems: list) -> None:
        for name, (attr, utc) in spec.items():
            value = raw.get(name)
            if value is not None:
                try:
                    values[attr] = self._time(value, utc)
                except CoercionError as exc:
                    problems.append(f"{path}.{name}: {value!r} {exc.rule}")

    def transaction(self, raw: dict, path: str) -> dict[str, Any]:
        problems: list[str] = []
        present = {key: value for key, value in raw.items() if value is not None and key in _TRANSACTION_NAMES}
        try:
            values = {**_TRANSACTION_EMPTY, **wire.TRANSACTION.coerce(present, path).values}
        except RecordRejected as exc:
            problems.extend(str(problem) for problem in exc.problems)
            values = {}
        self._times(raw, wire.TRANSACTION_TIMES, values, path, problems)
        if problems:
            raise RowRejected("; ".join(problems))
        return values

    def line(self, raw: dict, path: str) -> dict[str, Any]:
        problems: list[str] = []
        # The line's own non-null fields (transaction fields are read by ``transaction``).
        present = {key: value for key, value in raw.items() if value is not None and key not in wire.TRANSACTION_KEYS}
        try:
            coerced = wire.LINE.coerce(present, path)
        except RecordRejected as exc:
            problems.extend(str(problem) for problem in exc.problems)
            coerced = None
        values = {**_LINE_EMPTY, **(coerced.values if coerced else {})}
        self._times(present, wire.LINE_TIMES, values, path, problems)
        for name, attr in wire.LINE_DATES.items():
            if name in present:
                try:
                    values[attr] = wire.parse_date_value(present[name])
                except CoercionError as exc:
                    problems.append(f"{path}.{name}: {present[name]!r} {exc.rule}")
        if problems:
            raise RowRejected("; ".join(problems))
        values["extra"] = (
            {key: value for key, value in coerced.unknown.items() if key not in _LINE_SPECIAL} if coerced else {}
        )
        return values


def rows_store(rows: Iterable[dict[str, Any]], *, reader: RowReader | None = None, offset: int = 0) -> BatchResult:
    """Upsert one batch of rows (transactions by ``TRN_PK``, lines by (``TRN_PK``,
    ``TLI_PK``)) in one database transaction. Rows are numbered from ``offset`` in problems."""
    reader = reader or RowReader()
    result = BatchResult()
    transactions: dict[int, dict] = {}
    lines: list[dict] = []
    for number, raw in enumerate(rows, start=offset):
        path = f"row[{number}]"
        trn_pk = raw.get("TRN_PK") if isinstance(raw, dict) else None
        try:
            if not isinstance(raw, dict):
                raise RowRejected(f"{path}: must be an object")
            key = trn_pk if isinstance(trn_pk, int) else str(trn_pk)
            values = transactions.get(key)
            if values is None:
                values = reader.transaction(raw, path)
                if values.get("trn_pk") is None:
                    raise RowRejected(f"{path}.TRN_PK: is required")
            line = reader.line(raw, path)
            if line.get("tli_pk") is None:
                raise RowRejected(f"{path}.TLI_PK: is required")
        except RowRejected as exc:
            result.skipped += 1
            if len(result.problems) < 5:
                result.problems.append(str(exc))
            continue
        transactions[key] = values
        line["transaction_id"] = values["trn_pk"]
        lines.append(line)
    now = timezone.now()
    with transaction.atomic():
        if transactions:
            upsert(Transaction, transactions.values(), unique=("trn_pk",), common={"pulled_at": now})
        if lines:
            upsert(TransactionLine, lines, unique=("transaction_id", "tli_pk"))
    result.transactions = len(transactions)
    result.lines = len(lines)
    return result
