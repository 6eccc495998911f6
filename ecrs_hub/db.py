"""Database settings a transaction may need, the same way for every app."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F


def lock_timeout(milliseconds: int) -> None:
    """Bound how long the current transaction waits for a row lock (PostgreSQL; a no-op on
    SQLite, which has no row locks): past it the statement fails with a transient error,
    instead of holding the connection indefinitely. Local to the transaction, so call it
    inside ``transaction.atomic``. ``set_config`` takes the value as a bound parameter, which
    ``SET LOCAL`` cannot with server-side prepared statements."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(milliseconds)}ms"])


def statement_and_lock_timeouts(*, statement_ms: int, lock_ms: int) -> None:
    """:func:`lock_timeout`, and a bound on every statement of the current transaction
    (PostgreSQL): a database that hangs fails the transaction with a transient error after
    ``statement_ms`` instead of holding the request for as long as it hangs. One round trip;
    local to the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true), set_config('statement_timeout', %s, true)",
                [f"{int(lock_ms)}ms", f"{int(statement_ms)}ms"],
            )


def counter_take(counter, count: int) -> range:
    """``count`` new sequence numbers from ``counter``, a model whose single row (pk 1) holds
    the last number given in ``value``. Must run inside the writer's transaction: the counter
    row stays locked (by its UPDATE) until it commits, so numbers are given in commit order."""
    if count <= 0:
        return range(0)
    with transaction.atomic():
        if not counter.objects.filter(pk=1).update(value=F("value") + count):
            counter.objects.bulk_create([counter(pk=1, value=0)], ignore_conflicts=True)
            counter.objects.filter(pk=1).update(value=F("value") + count)
        last = counter.objects.values_list("value", flat=True).get(pk=1)
    return range(last - count + 1, last + 1)
