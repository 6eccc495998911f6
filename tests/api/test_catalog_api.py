"""The staff API over what CATAPULT pushes: stores, items, images, price label types,
scale items (resolved per store), pushes and integrations (CONTRACT 7)."""

from __future__ import annotations

import pytest

from ecrs_hub.models import Push
from scales.models import ScaleDefaults

from .conftest import API_LISTS, token_client

pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


# --- who may read ---------------------------------------------------------------------


@pytest.mark.parametrize("path", API_LISTS)
def test_anonymous_callers_are_refused_with_a_token_challenge(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_refused(client):
    response = client.get("/api/items/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401


def test_a_user_who_is_not_staff_is_forbidden_even_with_the_permission(make_user):
    user = make_user("shopper", perms=("items.view_item",), staff=False)
    assert token_client(user).get("/api/items/").status_code == 403


def test_staff_needs_the_view_permission_of_the_model(make_user, catalog):
    clerk = token_client(make_user("clerk", perms=("items.view_store",)))
    assert clerk.get("/api/items/").status_code == 403
    assert clerk.get("/api/stores/").status_code == 200

    reader = token_client(make_user("reader", perms=("items.view_item",)))
    response = reader.get("/api/items/")
    assert response.status_code == 200
    assert response.json()["count"] == len(catalog)


def test_a_staff_session_works_for_the_browsable_api(client, make_user):
    client.force_login(make_user("browser", perms=("items.view_item",)))
    response = client.get("/api/items/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Item List" in response.content


def test_catapult_data_cannot_be_written_even_by_a_superuser(api, catalog):
    assert api.post("/api/items/", {"record_id": "x"}, content_type="application/json").status_code == 405
    item = results(api.get("/api/items/", {"item_id": "94011"}))[0]
    assert api.delete(f"/api/items/{item['id']}/").status_code == 405
    assert api.patch(f"/api/stores/{item['at_stores'][0]['store']['id']}/", {}).status_code == 405


def test_writing_needs_the_change_permission_before_anything_else(make_user, catalog):
    viewer = token_client(make_user("viewer", perms=("items.view_item",)))
    response = viewer.post("/api/items/", {}, content_type="application/json")
    assert response.status_code == 403


# --- items ----------------------------------------------------------------------------


def test_an_item_carries_its_data_at_each_store_with_money_as_strings(api, catalog):
    (item,) = results(api.get("/api/items/", {"item_id": "94011"}))
    assert item["record_id"] == "1001"
    assert item["item_name"] == "Organic Bananas"
    assert item["suggested_retail"] == "5.9900"
    assert sorted(row["store"]["number"] for row in item["at_stores"]) == ["27", "28"]
    at_27 = next(row for row in item["at_stores"] if row["store"]["number"] == "27")
    assert at_27["price1"] == "3.4900"
    assert at_27["location"] == "Aisle 9"
    assert at_27["deleted"] is False
    assert item["supplier_units"][0]["supplier"] == "33"
    assert item["supplier_units"][0]["supplier_name"] == "ECRS Food Supply"
    assert "content_hash" not in item and "record_hash" not in item


def test_items_filter_by_store_department_brand_and_alternates(api, catalog):
    def ids(**params):
        return sorted(row["record_id"] for row in results(api.get("/api/items/", params)))

    assert ids(store_number="28") == ["1001", "1003", "1004"]
    store_28 = results(api.get("/api/stores/", {"number": "28"}))[0]["id"]
    assert ids(store=store_28) == ["1001", "1003", "1004"]
    assert ids(dept_number=2) == ["1003", "1003-1", "1004"]
    assert ids(brand="Dairy Farms", alternate="false") == ["1003", "1004"]
    assert ids(alternate="true") == ["1003-1"]
    assert ids(base_record_id="1003") == ["1003-1"]


def test_a_bad_filter_value_is_a_400_naming_the_filter(api, catalog):
    response = api.get("/api/items/", {"dept_number": "four"})
    assert response.status_code == 400
    assert "dept_number" in response.json()


def test_items_search_and_ordering(api, catalog):
    found = results(api.get("/api/items/", {"search": "milk"}))
    assert sorted(row["record_id"] for row in found) == ["1003", "1003-1", "1004"]
    by_name = results(api.get("/api/items/", {"ordering": "-item_name"}))
    assert [row["item_name"] for row in by_name][:2] == ["Whole Milk (case)", "Whole Milk"]


def test_items_are_paginated_with_a_chosen_page_size(api, catalog):
    first = api.get("/api/items/", {"page_size": 4}).json()
    assert first["count"] == 6 and len(first["results"]) == 4 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    seen = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(seen)) == 6


def test_listing_items_takes_a_fixed_number_of_queries(api, pusher, django_assert_max_num_queries):
    from .conftest import CATALOG, item_record

    pusher.items([item_record(f"9{n:03}", f"9{n:03}", f"Item {n}", "B", 1, ("27", "28", "29")) for n in range(40)])
    pusher.items([item_record(*row) for row in CATALOG])
    # session/token, count, page, stores at stores, supplier units: whatever the page size.
    with django_assert_max_num_queries(6):
        page = api.get("/api/items/", {"page_size": 100})
    assert len(page.json()["results"]) == 46


def test_stores_count_their_active_items(api, catalog):
    stores = {row["number"]: row for row in results(api.get("/api/stores/"))}
    assert stores["27"]["item_count"] == 5
    assert stores["28"]["item_count"] == 3
    assert stores["27"]["name"] == "Store 27"


def test_price_label_types_show_their_settings(api, catalog):
    (label,) = results(api.get("/api/price-label-types/"))
    assert isinstance(label["record_id"], int)
    assert label["settings"] and {"key", "value"} <= set(label["settings"][0])


def test_images_list_their_stored_files(api, pusher):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "PNG")
    assert pusher.images([("4494967296501.png", buffer.getvalue())]).status_code == 200
    (image,) = results(api.get("/api/images/", {"search": "44949"}))
    assert (image["name"], image["format"], image["width"], image["height"]) == ("4494967296501.png", "PNG", 4, 3)
    assert image["url"].startswith("http://testserver/media/item-images/")


# --- scale items ----------------------------------------------------------------------


def test_scale_items_are_resolved_per_store(api, scale_catalog):
    ScaleDefaults.objects.create(pk=1, desc_line2="Default line 2")
    rows = results(api.get("/api/scale-items/", {"scale_store_id": "27", "deleted": "false"}))
    assert [row["resolved"]["itemId"] for row in rows] == ["2001", "2002"]
    resolved = rows[0]["resolved"]
    assert resolved["unitPrice"] == "4.99"
    assert resolved["tare"] == "0.25"
    assert resolved["active"] is True and resolved["deleted"] is False
    assert resolved["nutrition"][0]["values"] == [{"type": "VITAMIN_D", "value": "30"}]
    assert rows[0]["store"]["number"] is None  # a store the scale push created, unmapped
    deleted = results(api.get("/api/scale-items/", {"deleted": "true"}))
    assert {(row["resolved"]["itemId"], row["resolved"]["deleted"]) for row in deleted} == {("2003", True)}


def test_scale_items_resolution_falls_back_to_the_defaults(api, client, scales_key):
    from .conftest import SCALE_ITEM

    body = {**SCALE_ITEM, "itemId": "3001", "descLine2": None}
    body["stores"] = [{**SCALE_ITEM["stores"][0], "storeId": "27", "descLine2": None}]
    client.post("/ecrs/scale-items/", body, content_type="application/json", HTTP_X_API_KEY=scales_key.key)
    ScaleDefaults.objects.create(pk=1, desc_line2="Default line 2")
    (row,) = results(api.get("/api/scale-items/", {"item_id": "3001"}))
    assert row["resolved"]["descLine2"] == "Default line 2"


def test_listing_scale_items_takes_a_fixed_number_of_queries(api, scale_catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = api.get("/api/scale-items/")
    assert response.json()["count"] == 6


# --- pushes and integrations ----------------------------------------------------------


def test_pushes_filter_by_status_and_never_carry_the_body(api, pusher, catalog):
    pusher.items([catalog[0], {"recordID": "bad", "itemId": "x" * 40}])
    rows = results(api.get("/api/pushes/", {"status": "partial"}))
    assert len(rows) == 1
    assert rows[0]["integration_name"] == "CATAPULT items"
    assert rows[0]["rejected"] == 1 and "itemId" in rows[0]["message"]
    assert "body_compressed" not in rows[0]
    assert len(results(api.get("/api/pushes/", {"endpoint": "items"}))) == Push.objects.filter(endpoint="items").count()


def test_integrations_list_without_keys_and_count_recent_failures(api, pusher, items_key):
    pusher.items([{"recordID": "bad"}])
    (row,) = results(api.get("/api/integrations/"))
    assert row["name"] == "CATAPULT items"
    assert row["failures_24h"] == 1
    assert row["key_prefix"] == items_key.key[:6]
    text = api.get("/api/integrations/").content.decode()
    assert items_key.key not in text and "key_hash" not in text


@pytest.mark.parametrize("value", ["9999-12-31T23:00:00-05:00", "0001-01-01T01:00:00+05:00", "not a date"])
def test_a_date_filter_that_is_no_instant_is_a_400(api, catalog, value):
    # The edge of the calendar does not exist in UTC: the client's bad value, never a 500.
    response = api.get("/api/items/", {"updated_after": value})
    assert response.status_code == 400
    assert "updated_after" in response.json()


def test_a_date_filter_with_any_offset_compares_the_instant(api, catalog):
    # PostgreSQL refuses offsets beyond ±15:59 that Python reads (schemathesis found the 500):
    # the filter compares in UTC.
    assert api.get("/api/items/", {"updated_after": "0317-12-04T14:23:25-19:47"}).json()["count"] == 6
    assert api.get("/api/items/", {"updated_after": "2000-01-01T00:00:00+14:00"}).json()["count"] == 6
    assert api.get("/api/pushes/", {"received_before": "2000-01-01T00:00:00-12:00"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/items/", {"store": "-3.1e258"}),
        ("/api/items/", {"dept_number": "121645100408832000000"}),
        ("/api/scale-items/", {"changed_after_seq": "1e30"}),
        ("/api/pushes/", {"http_status": "99999999999999999999"}),
    ],
)
def test_a_number_no_column_can_hold_is_a_400_naming_the_filter(api, catalog, path, params):
    # schemathesis found store=-3.1e258 overflowing the SQLite driver (a 500).
    response = api.get(path, params)
    assert response.status_code == 400
    assert set(params) <= set(response.json())
