"""Database settings a transaction may need, the same way for every app."""

from __future__ import annotations

from django.db import connection


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
