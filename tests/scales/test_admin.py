"""The scale admin as staff use it: list, search, filter, detail; pushed data read-only."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Store
from scales.models import ScaleItemStore
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


def push_items(client, key, item_ids, store_ids):
    records = []
    for item_id in item_ids:
        record = copy.deepcopy(SAMPLE)
        record["itemId"] = str(item_id)
        record["descLine1"] = f"Salad {item_id}"
        record["barcode"] = f"02{int(item_id):05d}000000"
        record["stores"] = [{**copy.deepcopy(SAMPLE["stores"][0]), "storeId": store_id} for store_id in store_ids]
        records.append(record)
    response = Pusher(client, key).post("/ecrs/scale-items/", records)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "url",
    ["/admin/scales/scaleitem/", "/admin/scales/scaleitemstore/", "/admin/scales/scalestore/"],
)
def test_list_pages_cost_the_same_queries_for_5_or_40_rows(staff_client, scales_key, url):
    Store.objects.create(number="27", scale_store_id="27")
    push_items(staff_client, scales_key.key, range(100, 105), ["27", "S-1"])
    staff_client.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url).status_code == 200

    push_items(staff_client, scales_key.key, range(200, 235), ["27", "S-1", "S-2"])
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(url)

    assert response.status_code == 200
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


def test_filters_by_store_and_unmapped_store_list_each_item_once(staff_client, scales_key):
    store = Store.objects.create(number="27", name="Urban Market", scale_store_id="27")
    push_items(staff_client, scales_key.key, [1, 2], ["27", "S-1", "S-2"])  # on 2 unmapped stores too
    push_items(staff_client, scales_key.key, [3], ["27"])

    at_27 = staff_client.get("/admin/scales/scaleitem/", {"store": store.pk}).content.decode()
    assert "3 scale items" in at_27
    unmapped = staff_client.get("/admin/scales/scaleitem/", {"unmapped_store": "yes"}).content.decode()
    assert "2 scale items" in unmapped and "Salad 3" not in unmapped
    mapped_only = staff_client.get("/admin/scales/scaleitem/", {"unmapped_store": "no"}).content.decode()
    assert "1 scale item" in mapped_only and "Salad 3" in mapped_only
    by_barcode = staff_client.get("/admin/scales/scaleitem/", {"q": "0200002000000"}).content.decode()
    assert "1 scale item" in by_barcode and "Salad 2" in by_barcode
    by_dept = staff_client.get("/admin/scales/scaleitem/", {"dept_num": "4", "deleted__exact": "0"}).content.decode()
    assert "3 scale items" in by_dept


def test_staff_map_an_unmapped_store_in_the_admin(staff_client, scales_key):
    push_items(staff_client, scales_key.key, [1, 2], ["S-99"])
    store = Store.objects.create(number="12", name="Downtown")

    listing = staff_client.get("/admin/scales/scalestore/").content.decode()
    assert "Map to a store number" in listing and "scale_store_id=S-99" in listing
    response = staff_client.post("/admin/scales/scalestore/map/", {"scale_store_id": "S-99", "store_number": "12"})

    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.scale_store_id, store.unmapped) == ("S-99", False)
    assert Store.objects.filter(scale_store_id="S-99").count() == 1
    assert set(ScaleItemStore.objects.values_list("store_id", flat=True)) == {store.pk}
    followed = staff_client.get(response["Location"]).content.decode()
    assert "Scale store S-99 is store 12 Downtown." in followed


def test_a_mapping_that_contradicts_the_stores_changes_nothing(staff_client):
    Store.objects.create(number="1", scale_store_id="OLD")

    response = staff_client.post("/admin/scales/scalestore/map/", {"scale_store_id": "NEW", "store_number": "1"})

    assert response.status_code == 200
    assert (
        "Nothing was changed: store 1 already has scale store id OLD; it cannot take NEW." in response.content.decode()
    )
    assert Store.objects.get(number="1").scale_store_id == "OLD"
    blank = staff_client.post("/admin/scales/scalestore/map/", {"scale_store_id": "", "store_number": "1"})
    assert blank.status_code == 200 and "This field is required." in blank.content.decode()


def test_mapping_needs_the_change_permission(client, django_user_model):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("clerk", password="x-pass-123456", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_scalestore"))
    client.force_login(clerk)

    assert client.get("/admin/scales/scalestore/").status_code == 200
    assert b"Map a scale store" not in client.get("/admin/scales/scalestore/").content
    assert client.post("/admin/scales/scalestore/map/", {"scale_store_id": "X", "store_number": "1"}).status_code == 403
    assert not Store.objects.exists()


def test_the_scale_defaults_are_one_editable_row(staff_client):
    assert staff_client.get("/admin/scales/scaledefaults/")["Location"] == "/admin/scales/scaledefaults/add/"
    staff_client.post(
        "/admin/scales/scaledefaults/add/", {"desc_line1": "Deli", "desc_line2": "", "desc_line3": "", "desc_line4": ""}
    )

    from scales.models import ScaleDefaults

    assert staff_client.get("/admin/scales/scaledefaults/")["Location"] == "/admin/scales/scaledefaults/1/change/"
    assert staff_client.get("/admin/scales/scaledefaults/add/").status_code == 403
    staff_client.post(
        "/admin/scales/scaledefaults/1/change/",
        {"desc_line1": "Our Deli", "desc_line2": "", "desc_line3": "", "desc_line4": ""},
    )
    assert list(ScaleDefaults.objects.values_list("pk", "desc_line1")) == [(1, "Our Deli")]
