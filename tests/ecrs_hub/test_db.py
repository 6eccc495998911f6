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


@pytest.mark.postgres
def test_a_push_on_a_database_that_hangs_answers_503_with_nothing_committed(client, items_key, settings):
    """CONTRACT 2.2: a hung database is transient. Every statement of the push's transaction
    is bounded (ECRS_STATEMENT_TIMEOUT_MS; here 1 ms, so the first real statement is cancelled
    as a hung one would be): the answer is 503 with Retry-After, and no record was stored."""
    from ecrs_hub.models import Push
    from items.models import Item
    from tests.conftest import fixture_bytes

    settings.ECRS_STATEMENT_TIMEOUT_MS = 1
    body = fixture_bytes("items-page.json")
    with connection.cursor() as cursor:  # a statement that takes longer than 1 ms, whatever the machine
        cursor.execute(
            "CREATE OR REPLACE FUNCTION hub_slow_store() RETURNS trigger AS $$ "
            "BEGIN PERFORM pg_sleep(0.2); RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER hub_slow BEFORE INSERT ON items_store FOR EACH ROW EXECUTE FUNCTION hub_slow_store()"
        )
    try:
        response = client.post("/ecrs/items/", body, content_type="application/json", HTTP_X_API_KEY=items_key.key)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER hub_slow ON items_store")
            cursor.execute("DROP FUNCTION hub_slow_store()")

    assert response.status_code == 503, response.content
    assert response["Retry-After"] and response.json()["success"] is False
    assert not Item.objects.exists()
    push = Push.objects.get()
    assert (push.status, push.http_status) == ("failed", 503)
    settings.ECRS_STATEMENT_TIMEOUT_MS = 60_000
    retry = client.post("/ecrs/items/", body, content_type="application/json", HTTP_X_API_KEY=items_key.key)
    assert retry.status_code == 200 and Item.objects.exists()
