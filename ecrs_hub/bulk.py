"""Set-wise upserts for push ingest.

``QuerySet.bulk_create(update_conflicts=True)`` spends most of its time building model
instances and compiling SQL value by value: about 10 s for the 10,000 store rows of a 5,000
item page. Pushes need only one statement shape per set of present fields, so this module
builds ``INSERT … ON CONFLICT (…) DO UPDATE SET col = excluded.col`` once (SQLite and
PostgreSQL both speak it) and sends the rows with ``executemany`` on SQLite, or ``COPY``
into a scratch table and one ``INSERT … SELECT`` on PostgreSQL. Values are prepared once
per column type, the way Django's own fields would prepare them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

import orjson
from django.db import IntegrityError, connection, models, transaction

BATCH = 1000


def _preparer(field: models.Field) -> Callable[[Any], Any] | None:
    """How a Python value of ``field`` goes to the database driver; None when it goes as
    it is (text, numbers, booleans and Decimals: both drivers adapt them, Django registers
    a Decimal adapter for sqlite3)."""
    if isinstance(field, models.JSONField):
        # JSON as text, which both jsonb (PostgreSQL) and SQLite's JSON columns read: one
        # orjson call per value instead of the driver's json.dumps per row.
        return lambda value: None if value is None else orjson.dumps(value).decode()
    if isinstance(field, (models.DateTimeField, models.DateField)):
        return lambda value: None if value is None else field.get_db_prep_save(value, connection)
    return None


def _defaults(model: type[models.Model]) -> dict[str, Any]:
    """Values a new row needs for its NOT NULL columns that Django would fill from
    ``default`` (raw SQL gets no model defaults)."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.null or not field.has_default():
            continue
        values[field.attname] = field.get_default()
    return values


def upsert(
    model: type[models.Model],
    rows: Iterable[dict[str, Any]],
    *,
    unique: tuple[str, ...],
    common: dict[str, Any] | None = None,
    insert_only: dict[str, Any] | None = None,
    new: bool = False,
) -> int:
    """Insert or update ``rows`` (dicts of attnames) of ``model``, matching on the
    ``unique`` columns. Each row updates only the columns it carries (plus ``common``), so
    fields absent from a push keep their stored values; ``insert_only`` values (e.g.
    ``created_at``) are set on new rows and never overwrite. ``new=True`` says the rows
    were not there when the caller looked: on PostgreSQL they are copied straight into the
    table, and if a concurrent writer inserted some meanwhile, upserted after all. Runs in
    the caller's transaction. Returns the number of rows sent."""
    common = common or {}
    insert_only = insert_only or {}
    fields = {field.attname: field for field in model._meta.concrete_fields}
    defaults = _defaults(model)
    # One row per identity (the last wins): a statement may not touch a row twice.
    latest = {tuple(row[column] for column in unique): row for row in rows}
    groups: dict[frozenset, list[dict]] = defaultdict(list)
    for row in latest.values():
        groups[frozenset(row)].append(row)
    table = connection.ops.quote_name(model._meta.db_table)
    quote = connection.ops.quote_name
    sent = 0
    for present, group in groups.items():
        updated = sorted((set(present) | set(common)) - set(unique) - set(insert_only))
        columns = sorted(set(defaults) | set(present) | set(common) | set(insert_only))
        # Constants are prepared once; per row only the columns the rows carry, and only
        # those whose type needs it.
        constant = {**defaults, **insert_only, **common}
        prepared_constant = {
            column: (_preparer(fields[column]) or (lambda value: value))(value) for column, value in constant.items()
        }
        row_preparers = [(column, _preparer(fields[column])) for column in present]
        row_preparers = [(column, prepare) for column, prepare in row_preparers if prepare is not None]
        head = "INSERT INTO {table} ({columns}) VALUES ".format(
            table=table, columns=", ".join(quote(column) for column in columns)
        )
        tail = " ON CONFLICT ({unique}) DO {action}".format(
            unique=", ".join(quote(column) for column in unique),
            action=(
                "UPDATE SET " + ", ".join(f"{quote(column)} = excluded.{quote(column)}" for column in updated)
                if updated
                else "NOTHING"
            ),
        )
        placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
        pick = itemgetter(*columns)
        params = []
        for row in group:
            merged = {**prepared_constant, **row}
            for column, prepare in row_preparers:
                merged[column] = prepare(merged[column])
            params.append(pick(merged))
        if connection.vendor == "postgresql" and new and _copy_new_rows(model, columns, params):
            pass
        elif connection.vendor == "postgresql":
            # COPY the rows into a scratch table, then one INSERT … SELECT … ON CONFLICT:
            # row-by-row statements cost PostgreSQL a parse each (about 1 ms).
            with _scratch_table(model, columns, params) as scratch:
                select = head.replace(
                    " VALUES ", " SELECT {} FROM {}".format(", ".join(quote(column) for column in columns), scratch)
                )
                with connection.cursor() as cursor:
                    cursor.execute(select + tail)
        else:
            with connection.cursor() as cursor:
                for start in range(0, len(params), BATCH):
                    cursor.executemany(head + placeholder + tail, params[start : start + BATCH])
        sent += len(params)
    return sent


def bulk_update_column(model: type[models.Model], column: str, pairs: list[tuple[Any, Any]]) -> None:
    """Set ``column`` per row, given (primary key, value) pairs."""
    if not pairs:
        return
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    if connection.vendor == "postgresql":
        with _scratch_table(model, [model._meta.pk.column, column], pairs) as scratch, connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {quote(column)} = s.{quote(column)} FROM {scratch} s WHERE {table}.{pk} = s.{pk}"
            )
        return
    sql = f"UPDATE {table} SET {quote(column)} = %s WHERE {pk} = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), BATCH):
            cursor.executemany(sql, [(value, key) for key, value in pairs[start : start + BATCH]])


def _copy_new_rows(model: type[models.Model], columns: list[str], rows: list[tuple]) -> bool:
    """COPY rows believed new straight into the table (PostgreSQL). False, with nothing
    written, when one of them exists after all (a concurrent push was faster)."""
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(column) for column in columns)
    try:
        copy_sql = f"COPY {quote(model._meta.db_table)} ({column_list}) FROM STDIN"
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(copy_sql) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    except IntegrityError:
        return False
    return True


@contextmanager
def _scratch_table(model: type[models.Model], columns: list[str], rows: list[tuple]) -> Iterator[str]:
    """A temporary table with ``columns`` of ``model``'s table, filled by COPY (PostgreSQL)."""
    quote = connection.ops.quote_name
    name = quote(f"scratch_{model._meta.db_table}")
    column_list = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {name} AS SELECT {column_list} FROM {quote(model._meta.db_table)} WITH NO DATA"
        )
        # The driver's own cursor (COPY is not in Django's API): errors are mapped to
        # Django's as for any other statement.
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {name} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    yield name
    # Not in a ``finally``: after a failed statement the transaction is aborted (and its
    # rollback removes the table anyway); a DROP there would hide the original error.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {name}")
