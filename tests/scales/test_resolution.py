"""The resolved record of an item at a store: store value, else item value, else the scale
defaults (CONTRACT 2.8)."""

import copy
from decimal import Decimal
from types import SimpleNamespace

import pytest

from items.models import Store
from scales.models import ScaleDefaults, ScaleItemStore
from scales.selectors import resolved_scale_items, scale_item_resolve
from tests.conftest import Pusher, fixture_json

pytestmark = pytest.mark.django_db

SAMPLE = fixture_json("scale-item.json")
URL = "/ecrs/scale-items/"


@pytest.fixture
def scales(client, scales_key) -> Pusher:
    return Pusher(client, scales_key.key)


@pytest.fixture
def store_27(db) -> Store:
    return Store.objects.create(number="27", name="Urban Market", scale_store_id="27")


def test_the_sample_resolves_with_the_store_values_winning(scales, store_27):
    scales.post(URL, SAMPLE)

    [record] = resolved_scale_items(store_27)

    assert record["itemId"] == "123456789" and record["barcode"] == "0200123456789"
    assert (record["deleted"], record["active"], record["deptNum"], record["cool"]) == (False, True, 4, "Germany")
    # Store-level values override the item's 5 / 5 / 10 and its ingredients.
    assert (record["byCountQty"], record["fixedWeight"], record["shelfLife"], record["useBy"]) == (6, 3, 4, 9)
    assert record["shelfLifeByHours"] is False
    assert record["ingredients"].startswith("Yukon Gold Potatoes")
    assert (record["unitPrice"], record["divider"], record["unit"], record["tare"]) == (
        Decimal("4.99"),
        3,
        "lb",
        Decimal("0.25"),
    )
    assert (record["customerPrice"], record["customerDivider"], record["promoPrice"]) == (
        Decimal("8.99"),
        2,
        Decimal("6.99"),
    )
    assert (record["promoEnd"], record["promptPrice"], record["forceTare"]) == ("2025-07-21 14:30:00", True, True)
    assert record["nutrition"][0]["values"] == [{"type": "VITAMIN_D", "value": "30"}]


def test_store_nulls_fall_back_to_the_item_and_description_lines_to_the_defaults(scales, store_27):
    ScaleDefaults.objects.create(pk=1, desc_line3="Default 3", desc_line4="Default 4")
    record = copy.deepcopy(SAMPLE)
    record.update(descLine2="Item 2", descLine3=None, descLine4="")
    store = record["stores"][0]
    store.update(
        descLine1="Store 1",
        descLine2=None,
        descLine3=None,
        descLine4=None,
        byCountQty=None,
        fixedWeight="",
        shelfLife=None,
        shelfLifeByHours="true",
        useBy=None,
        ingredients=None,
        active=None,
        nutrition=None,
    )
    record["nutrition"] = [{"servingSize": "100 g", "servingsPerContainer": "4", "values": []}]

    scales.post(URL, record)
    [resolved] = resolved_scale_items(store_27)

    assert [resolved[f"descLine{n}"] for n in range(1, 5)] == ["Store 1", "Item 2", "Default 3", "Default 4"]
    assert (resolved["byCountQty"], resolved["fixedWeight"], resolved["useBy"]) == (5, 3, 10)
    # Shelf life comes with its own unit: the item's 5 days, not the store's "hours" flag.
    assert (resolved["shelfLife"], resolved["shelfLifeByHours"]) == (5, False)
    assert resolved["ingredients"].startswith("Red Potatoes")
    assert resolved["active"] is True  # store null, item "true"
    assert resolved["nutrition"] == [{"servingSize": "100 g", "servingsPerContainer": "4", "values": []}]


def test_active_null_at_both_levels_means_active_and_false_wins():
    item = SimpleNamespace(
        item_id="1",
        barcode=None,
        deleted=False,
        active=None,
        dept_num=None,
        cool=None,
        nutrition=None,
        **dict.fromkeys(
            (
                "desc_line1",
                "desc_line2",
                "desc_line3",
                "desc_line4",
                "by_count_qty",
                "fixed_weight",
                "shelf_life",
                "shelf_life_by_hours",
                "use_by",
                "ingredients",
            )
        ),
    )
    at_store = SimpleNamespace(
        **vars(item) | {"deleted": False, "active": None},
        **dict.fromkeys(
            (
                "unit_price",
                "divider",
                "unit",
                "tare",
                "force_tare",
                "customer_price",
                "customer_divider",
                "promo_price",
                "promo_end",
                "prompt_price",
            )
        ),
    )

    assert scale_item_resolve(item, at_store)["active"] is True
    assert scale_item_resolve(item, at_store)["nutrition"] == []
    assert scale_item_resolve(item, at_store)["descLine1"] is None
    at_store.active = False
    assert scale_item_resolve(item, at_store)["active"] is False
    item.deleted = True
    assert scale_item_resolve(item, at_store)["deleted"] is True


def test_deleted_items_and_items_deleted_at_the_store_are_not_listed_by_default(scales, store_27):
    scales.post(URL, [SAMPLE, {**copy.deepcopy(SAMPLE), "itemId": "2", "deleted": "true"}])
    other = copy.deepcopy(SAMPLE)
    other.update(itemId="3")
    other["stores"][0]["deleted"] = True
    scales.post(URL, other)

    assert [record["itemId"] for record in resolved_scale_items(store_27)] == ["123456789"]
    everything = list(resolved_scale_items(store_27, include_deleted=True))
    assert [(record["itemId"], record["deleted"]) for record in everything] == [
        ("123456789", False),
        ("2", True),
        ("3", True),
    ]


def test_a_change_that_does_not_alter_the_resolved_record_keeps_its_change_number(scales, store_27):
    scales.post(URL, SAMPLE)
    seq = ScaleItemStore.objects.get().change_seq

    # The store's own ingredients win, so the item's ingredients do not show.
    scales.post(URL, {**copy.deepcopy(SAMPLE), "ingredients": "Something else"})
    assert ScaleItemStore.objects.get().change_seq == seq

    scales.post(URL, {**copy.deepcopy(SAMPLE), "cool": "France"})
    assert ScaleItemStore.objects.get().change_seq > seq
