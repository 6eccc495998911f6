"""The scale admin as staff use it: list, search, filter, detail; pushed data read-only."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Store
from tests.conftest import Pusher, fixture_json

pytestmark = pytest.mark.django_db

SAMPLE = fixture_json("scale-item.json")


@pytest.fixture
def pushed(client, scales_key):
    Store.objects.create(number="27", scale_store_id="27")
    Pusher(client, scales_key.key).post(
        "/ecrs/scale-items/",
        [{**copy.deepcopy(SAMPLE), "itemId": str(n), "descLine1": f"Salad {n}"} for n in range(20)],
    )


def test_the_changelist_searches_and_filters_in_a_fixed_number_of_queries(staff_client, pushed):
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get("/admin/scales/scaleitem/")
    assert response.status_code == 200 and b"Salad 19" in response.content
    assert len(queries) < 15

    assert b"Salad 3" in staff_client.get("/admin/scales/scaleitem/", {"q": "Salad 3"}).content
    unmapped = staff_client.get("/admin/scales/scaleitem/", {"unmapped_store": "yes"})
    assert unmapped.status_code == 200 and b"0 scale items" in unmapped.content
    assert staff_client.get("/admin/scales/scaleitemstore/").status_code == 200


def test_the_detail_page_shows_the_item_at_its_stores_read_only(staff_client, pushed):
    from scales.models import ScaleItem

    item = ScaleItem.objects.get(item_id="1")
    response = staff_client.get(f"/admin/scales/scaleitem/{item.pk}/change/")

    assert response.status_code == 200
    assert b"VITAMIN_D" in response.content and b"Salad 1" in response.content
    assert b'name="_save"' not in response.content


def test_saving_the_defaults_renumbers_the_items_they_change(staff_client, pushed, scales_key):
    from scales.models import ScaleDefaults, ScaleItemStore

    record = {**copy.deepcopy(SAMPLE), "itemId": "1", "descLine4": None}
    record["stores"][0]["descLine4"] = None
    Pusher(staff_client, scales_key.key).post("/ecrs/scale-items/", record)
    before = dict(ScaleItemStore.objects.values_list("pk", "change_seq"))
    response = staff_client.post(
        "/admin/scales/scaledefaults/add/",
        {"desc_line1": "", "desc_line2": "", "desc_line3": "", "desc_line4": "Fresh daily"},
    )

    assert response.status_code == 302
    assert ScaleDefaults.objects.get().desc_line4 == "Fresh daily"
    after = dict(ScaleItemStore.objects.values_list("pk", "change_seq"))
    changed = {pk for pk, seq in before.items() if after[pk] != seq}
    assert changed == {ScaleItemStore.objects.get(scale_item__item_id="1").pk}
