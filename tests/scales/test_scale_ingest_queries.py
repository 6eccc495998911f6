"""A scale page costs a fixed number of queries, however many items and stores it holds:
no per-row loop on the push path (STYLE: bulk by default)."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Store
from scales.models import ScaleItemStore
from tests.conftest import Pusher, fixture_json

pytestmark = pytest.mark.django_db

SAMPLE = fixture_json("scale-item.json")
URL = "/ecrs/scale-items/"


def page(first: int, count: int, stores: int, price: str = "4.99") -> list[dict]:
    records = []
    for n in range(first, first + count):
        record = copy.deepcopy(SAMPLE)
        record["itemId"] = str(n)
        template = record["stores"][0]
        record["stores"] = [{**copy.deepcopy(template), "storeId": f"S{s}", "unitPrice": price} for s in range(stores)]
        records.append(record)
    return records


def queries_for(pusher: Pusher, body) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = pusher.post(URL, body)
    assert response.status_code == 200, response.content
    return len(queries)


def test_a_page_costs_the_same_queries_for_10_or_100_items(client, scales_key):
    for s in range(10):
        Store.objects.create(number=str(s), scale_store_id=f"S{s}")
    pusher = Pusher(client, scales_key.key)
    queries_for(pusher, page(5000, 1, 1))  # the first push ever also creates the change counter

    small_new = queries_for(pusher, page(0, 10, 10))
    large_new = queries_for(pusher, page(1000, 100, 10))
    small_changed = queries_for(pusher, page(0, 10, 10, price="5.49"))
    large_changed = queries_for(pusher, page(1000, 100, 10, price="5.49"))
    large_unchanged = queries_for(pusher, page(1000, 100, 10, price="5.49"))

    assert ScaleItemStore.objects.count() == 1 + 1100
    assert large_new == small_new and large_new <= 40
    assert large_changed == small_changed and large_changed <= 40
    assert large_unchanged <= 10
