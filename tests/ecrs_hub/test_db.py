"""ecrs_hub.db.lock_timeout: the one way pushes and POS calls bound their row-lock waits."""

import pytest
from django.db import connection, transaction

from ecrs_hub.db import lock_timeout

pytestmark = pytest.mark.django_db(transaction=True)


def current_lock_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_the_lock_timeout_holds_for_the_transaction_and_ends_with_it():
    before = current_lock_timeout()
    with transaction.atomic():
        lock_timeout(1234)
        assert current_lock_timeout() == "1234ms"
    assert current_lock_timeout() == before


def test_on_sqlite_it_does_nothing(django_assert_num_queries):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite has no row locks to wait for")
    with transaction.atomic(), django_assert_num_queries(0):
        lock_timeout(1234)
