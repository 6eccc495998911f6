"""Pushes racing each other and the database, on PostgreSQL (row locks are real there)."""

import copy
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from ecrs_hub.models import Push
from items.models import Item, ItemStore, Store
from tests.conftest import fixture_json

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SAMPLE = fixture_json("items-page.json")


def page(count, price="4.99"):
    items = []
    for n in range(count):
        item = copy.deepcopy(SAMPLE[0]) | {"recordID": str(1000 + n), "itemId": str(n)}
        item["ordering"][0]["recordID"] = str(5000 + n)
        item["stores"][0]["price1"] = price
        items.append(item)
    return items


def post(key, body):
    return Client().post("/ecrs/items/", body, content_type="application/json", HTTP_X_API_KEY=key)


def test_two_identical_pushes_at_once_store_each_record_once(items_key):
    results = []
    barrier = threading.Barrier(2)

    def push():
        barrier.wait()
        try:
            results.append(post(items_key.key, page(200)).status_code)
        except Exception as exc:  # a crash in a thread must fail the test, not vanish
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Either both stored, or one waited on the other's locks past the timeout and was
    # told to retry: never a duplicate, never a 500.
    assert len(results) == 2 and set(results) <= {200, 503} and 200 in results, results
    assert Item.objects.count() == 200 and ItemStore.objects.count() == 200
    assert Store.objects.count() == 1


def test_a_push_blocked_by_a_row_lock_answers_503_commits_nothing_and_succeeds_on_retry(items_key, settings):
    assert post(items_key.key, page(3)).status_code == 200
    settings.ECRS_LOCK_TIMEOUT_MS = 300
    locked = threading.Event()
    release = threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                list(ItemStore.objects.select_for_update().filter(item__record_id="1002"))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(10)
    try:
        response = post(items_key.key, page(3, price="5.25"))
    finally:
        release.set()
        holder.join()

    assert response.status_code == 503
    assert response.json()["success"] is False
    # Nothing of the blocked push was committed, not even the rows it could have locked.
    assert set(ItemStore.objects.values_list("price1", flat=True)) == {Decimal("4.99")}
    assert Push.objects.order_by("-pk").first().status == "failed"

    assert post(items_key.key, page(3, price="5.25")).status_code == 200
    assert set(ItemStore.objects.values_list("price1", flat=True)) == {Decimal("5.25")}
    assert connection.vendor == "postgresql"
