"""Fixtures for the staff API tests: a small catalog pushed through /ecrs/ as CATAPULT would,
and users with exactly the permissions a test needs."""

from __future__ import annotations

import copy

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from ecrs_hub.services import api_token_create
from tests.conftest import Pusher, fixture_json

ITEM = fixture_json("items-page.json")[0]
SCALE_ITEM = fixture_json("scale-item.json")

# (recordID, itemId, itemName, brand, deptNumber, stores)
CATALOG = [
    ("1001", "94011", "Organic Bananas", "Urban Market", 4, ("27", "28")),
    ("1002", "94012", "Red Apples", "Orchard Co", 4, ("27",)),
    ("1003", "0001234500011", "Whole Milk", "Dairy Farms", 2, ("27", "28")),
    ("1004", "0001234500028", "Skim Milk", "Dairy Farms", 2, ("28",)),
    ("1005", "0007000000011", "Sourdough Bread", "Bakehouse", 7, ("27",)),
    ("1003-1", "0001234500035", "Whole Milk (case)", "Dairy Farms", 2, ("27",)),
]


def item_record(record_id, item_id, name, brand, dept, stores) -> dict:
    body = copy.deepcopy(ITEM)
    template = body["stores"][0]
    body.update(recordID=record_id, itemId=item_id, itemName=name, brand=brand, deptNumber=dept)
    body["stores"] = [
        {**template, "recordID": f"S{number}", "storeNumber": number, "storeName": f"Store {number}", "price1": "3.49"}
        for number in stores
    ]
    body["ordering"] = [{**body["ordering"][0], "recordID": f"O{record_id}"}]
    return body


@pytest.fixture
def catalog(pusher: Pusher) -> list[dict]:
    records = [item_record(*row) for row in CATALOG]
    response = pusher.items(records)
    assert response.status_code == 200, response.json()
    assert pusher.price_label_settings(fixture_json("price-label-settings.json")).status_code == 200
    return records


@pytest.fixture
def scale_catalog(client, scales_key) -> Pusher:
    scales = Pusher(client, scales_key.key)
    records = []
    for n, item_id in enumerate(("2001", "2002", "2003")):
        body = copy.deepcopy(SCALE_ITEM)
        body.update(itemId=item_id, deptNum=10 + n)
        body["stores"] = [{**body["stores"][0], "storeId": store_id} for store_id in ("27", "28")]
        records.append(body)
    records[2]["deleted"] = True
    assert scales.post("/ecrs/scale-items/", records).status_code == 200
    return scales


@pytest.fixture
def make_user(db, django_user_model):
    """A user with the given ``app_label.codename`` permissions (staff unless told)."""

    def make(username: str = "clerk", *, perms: tuple[str, ...] = (), staff: bool = True, superuser: bool = False):
        user = django_user_model.objects.create_user(
            username, password="pass-word-123", is_staff=staff, is_superuser=superuser
        )
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return user

    return make


def token_client(user) -> Client:
    issued = api_token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Token {issued.key}")


@pytest.fixture
def api(make_user) -> Client:
    """A script's client: a superuser's token."""
    return token_client(make_user("script", superuser=True))


# Every list endpoint of the staff API (CONTRACT 7 and the POS credentials).
API_LISTS = [
    "/api/stores/",
    "/api/items/",
    "/api/images/",
    "/api/price-label-types/",
    "/api/scale-items/",
    "/api/coupons/",
    "/api/customers/",
    "/api/clips/",
    "/api/transactions/",
    "/api/pushes/",
    "/api/integrations/",
    "/api/sites/",
    "/api/pos-credentials/",
]
