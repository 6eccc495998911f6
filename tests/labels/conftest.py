"""A small catalog as CATAPULT pushes it, for the label side: items with readable sizes at
one or two stores, no weight profile (sold by the each), no promotion unless a test sets one."""

from __future__ import annotations

import copy

import pytest

from ecrs_hub.services import integration_create
from tests.conftest import fixture_json

TEMPLATE = fixture_json("items-page.json")[0]


def item_record(n: int, *, price: str = "3.49", stores=("27",), size="16 OZ", **store_fields) -> dict:
    """Item ``n``: UPC-A 0 12345 0000n with its check digit left for the hub to compute."""
    body = copy.deepcopy(TEMPLATE)
    body.pop("ordering", None)
    body.update(
        recordID=f"R{n}",
        itemId=f"1234500{n:04d}",
        itemName=f"Test item {n}",
        size=size,
        sizeQty=None,
        sizeUnit=None,
        deptNumber=3,
        deptName="Grocery",
    )
    template = body["stores"][0]
    entries = []
    for number in stores:
        entry = {
            **template,
            "recordID": f"S{number}",
            "storeNumber": number,
            "storeName": f"Store {number}",
            "weight": None,
            "unitOfMeasure": None,
            "location": None,
            "sequenceNumber": None,
            "price1": price,
            "divider1": "1",
            "promoPrice1": None,
            "promoDivider1": None,
            "promoStart": None,
            "promoEnd": None,
            "pl1SettingsID": None,
            "pl1PromoSettingsID": None,
        }
        entry.update(store_fields)
        entries.append(entry)
    body["stores"] = entries
    return body


@pytest.fixture
def labels_key(db):
    return integration_create(name="ESL", kind="labels")
