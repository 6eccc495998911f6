"""POST /ecrs/scale-items/ as CATAPULT's Price Computing Scale client uses it (CONTRACT 2.2–2.4, 2.8)."""

import copy
from decimal import Decimal

import pytest

from ecrs_hub.models import Push
from ecrs_hub.services import push_replay
from items.models import Store
from scales.models import ScaleItem, ScaleItemStore
from tests.conftest import Pusher, fixture_json

pytestmark = pytest.mark.django_db

SAMPLE = fixture_json("scale-item.json")
URL = "/ecrs/scale-items/"


@pytest.fixture
def scales(client, scales_key) -> Pusher:
    return Pusher(client, scales_key.key)


def sample(**item_changes):
    record = copy.deepcopy(SAMPLE)
    record.update(item_changes)
    return record


def with_store(record, **store_changes):
    record["stores"][0].update(store_changes)
    return record


@pytest.fixture
def store_27(db) -> Store:
    return Store.objects.create(number="27", name="Urban Market", scale_store_id="27")


def test_the_ecrs_sample_is_stored_with_every_field_typed(scales, store_27):
    response = scales.post(URL, SAMPLE)

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["message"].startswith("1 scale items: 1 created, 0 updated, 0 unchanged.")
    item = ScaleItem.objects.get(item_id="123456789")
    assert (item.barcode, item.dept_num, item.cool, item.active, item.deleted) == (
        "0200123456789",
        4,
        "Germany",
        True,
        False,
    )
    assert (item.desc_line1, item.by_count_qty, item.fixed_weight, item.shelf_life, item.use_by) == (
        "string",
        5,
        3,
        5,
        10,
    )
    assert item.shelf_life_by_hours is False and item.ingredients.startswith("Red Potatoes")
    assert item.nutrition == [
        {"servingSize": "3 OZ", "servingsPerContainer": "2.5", "values": [{"type": "VITAMIN_D", "value": "30"}]}
    ]
    at_store = ScaleItemStore.objects.get(scale_item=item)
    assert at_store.store == store_27
    assert (at_store.unit_price, at_store.divider, at_store.unit, at_store.tare, at_store.force_tare) == (
        Decimal("4.99"),
        3,
        "lb",
        Decimal("0.25"),
        True,
    )
    assert (at_store.customer_price, at_store.customer_divider, at_store.promo_price) == (
        Decimal("8.99"),
        2,
        Decimal("6.99"),
    )
    assert at_store.promo_end == "2025-07-21 14:30:00" and at_store.prompt_price is True
    assert (at_store.by_count_qty, at_store.fixed_weight, at_store.shelf_life, at_store.use_by) == (6, 3, 4, 9)
    assert at_store.ingredients.startswith("Yukon Gold")
    assert at_store.nutrition[0]["values"] == [{"type": "VITAMIN_D", "value": "30"}]
    assert at_store.deleted is False and at_store.change_seq > 0


def test_the_sample_barcode_check_digit_is_wrong_and_only_warned_about(scales, store_27):
    # 0200123456789: the GS1 check digit of 020012345678 is 8, not 9.
    response = scales.post(URL, SAMPLE)

    assert response.status_code == 200
    assert "[0].barcode: '0200123456789' has check digit 9, expected 8" in Push.objects.get().warnings[0]
    assert ScaleItem.objects.get().barcode_check_ok is False

    scales.post(URL, sample(barcode="0200123456788"))
    assert ScaleItem.objects.get().barcode_check_ok is True
    assert Push.objects.latest("pk").warnings == []


@pytest.mark.parametrize(
    "body", [[SAMPLE], {"items": [SAMPLE]}, SAMPLE], ids=["array", "items-object", "single-object"]
)
def test_every_page_shape_is_accepted_with_or_without_the_trailing_slash(client, scales_key, body, store_27):
    for path in (URL, URL.rstrip("/")):
        response = Pusher(client, scales_key.key).post(path, body)
        assert response.status_code == 200, response.json()
    assert ScaleItem.objects.count() == 1


def test_resending_the_same_page_changes_nothing(scales, store_27):
    scales.post(URL, SAMPLE)
    seq = ScaleItemStore.objects.get().change_seq

    response = scales.post(URL, SAMPLE)

    assert response.json()["message"].startswith("1 scale items: 0 created, 0 updated, 1 unchanged.")
    assert (ScaleItem.objects.count(), ScaleItemStore.objects.count()) == (1, 1)
    assert ScaleItemStore.objects.get().change_seq == seq


def test_an_items_key_cannot_push_scale_items(client, items_key):
    response = Pusher(client, items_key.key).post(URL, SAMPLE)

    assert response.status_code == 401
    assert response.json()["success"] is False
    assert ScaleItem.objects.count() == 0


def test_a_body_of_no_accepted_shape_is_a_400(scales):
    response = scales.post(URL, "42")

    assert response.status_code == 400 and response.json()["success"] is False


def test_a_bad_record_is_rejected_with_its_path_and_the_others_are_stored(scales, store_27):
    bad = sample(itemId="2", deptNum="four")
    bad["stores"][0]["nutrition"][0]["values"][0]["value"] = "lots"
    other = sample(itemId="3")

    response = scales.post(URL, [bad, other])

    assert response.status_code == 422
    message = response.json()["message"]
    assert "2 scale items: 1 created, 0 updated, 0 unchanged, 1 rejected." in message
    assert "[0].deptNum: 'four' must be a number" in message
    assert list(ScaleItem.objects.values_list("item_id", flat=True)) == ["3"]


def test_a_bad_store_entry_is_rejected_but_its_item_is_stored(scales, store_27):
    record = with_store(sample(), unitPrice="free")
    record["stores"][0]["nutrition"][0]["values"][0]["value"] = "lots"

    response = scales.post(URL, record)

    assert response.status_code == 422
    message = response.json()["message"]
    assert "[0].stores[0].unitPrice: 'free' must be a number" in message
    assert "[0].stores[0].nutrition[0].values[0].value: 'lots' must be a number" in message
    assert ScaleItem.objects.count() == 1 and ScaleItemStore.objects.count() == 0
    # Not remembered as stored: the same page is reported again, not "unchanged".
    assert scales.post(URL, record).status_code == 422


def test_a_missing_item_id_or_store_id_rejects_the_record(scales):
    no_store_id = sample()
    del no_store_id["stores"][0]["storeId"]

    response = scales.post(URL, [sample(itemId=""), no_store_id])

    assert response.status_code == 422
    message = response.json()["message"]
    assert "[0].itemId: '' is required" in message and "[1].stores[0].storeId: is required" in message
    assert ScaleItem.objects.count() == 0


def test_absent_fields_are_left_unchanged_and_null_clears(scales, store_27):
    scales.post(URL, SAMPLE)
    record = sample(cool=None, nutrition=None)
    del record["ingredients"]
    del record["stores"][0]["unitPrice"]
    record["stores"][0]["tare"] = None

    assert scales.post(URL, record).status_code == 200

    item = ScaleItem.objects.get()
    assert item.cool is None and item.nutrition is None
    assert item.ingredients.startswith("Red Potatoes")
    at_store = ScaleItemStore.objects.get()
    assert at_store.unit_price == Decimal("4.99") and at_store.tare is None


def test_item_and_store_deletion_is_soft_and_revivable(scales, store_27):
    scales.post(URL, SAMPLE)

    response = scales.post(URL, sample(deleted="true"))
    assert "1 deleted" in response.json()["message"]
    item = ScaleItem.objects.get()
    assert item.deleted is True and item.deleted_at is not None
    deleted_at = item.deleted_at
    scales.post(URL, sample(deleted=True, cool="France"))
    assert ScaleItem.objects.get().deleted_at == deleted_at  # the first deletion time is kept

    scales.post(URL, sample(deleted="false"))
    item.refresh_from_db()
    assert item.deleted is False and item.deleted_at is None

    scales.post(URL, with_store(sample(), deleted="true"))
    at_store = ScaleItemStore.objects.get()
    assert at_store.deleted is True and at_store.deleted_at is not None
    scales.post(URL, with_store(sample(), deleted="false"))
    at_store.refresh_from_db()
    assert at_store.deleted is False and at_store.deleted_at is None


def test_deleted_null_clears_the_flag_and_absent_leaves_it(scales, store_27):
    # CONTRACT 2.4: a present null clears the value (the flag's cleared state is "not
    # deleted"); an absent field leaves the stored value as it is.
    scales.post(URL, with_store(sample(deleted="true"), deleted="true"))
    absent = sample(cool="France")
    del absent["deleted"], absent["stores"][0]["deleted"]

    scales.post(URL, absent)
    item, at_store = ScaleItem.objects.get(), ScaleItemStore.objects.get()
    assert (item.cool, item.deleted, at_store.deleted) == ("France", True, True)

    response = scales.post(URL, with_store(sample(deleted=None), deleted=None))
    assert response.status_code == 200
    item.refresh_from_db()
    at_store.refresh_from_db()
    assert (item.deleted, item.deleted_at, at_store.deleted, at_store.deleted_at) == (False, None, False, None)


def test_an_unknown_store_id_creates_an_unmapped_store(scales):
    response = scales.post(URL, with_store(sample(), storeId="S-99"))

    assert response.status_code == 200
    store = Store.objects.get(scale_store_id="S-99")
    assert store.unmapped is True and store.number is None
    assert ScaleItemStore.objects.get().store == store
    assert any("unknown storeId(s) S-99" in warning for warning in Push.objects.get().warnings)

    scales.post(URL, with_store(sample(itemId="5"), storeId="S-99"))
    assert Store.objects.filter(scale_store_id="S-99").count() == 1


def test_unknown_fields_and_nutrient_types_are_kept_and_warned_about(scales, store_27):
    record = sample(newField="x")
    record["nutrition"][0]["values"].append({"type": "VITAMIN_Z", "value": "1.50"})
    record["stores"][0]["storeNote"] = "y"

    response = scales.post(URL, record)

    assert response.status_code == 200
    warnings = Push.objects.get().warnings
    assert any("[0]: unknown fields kept: newField" in warning for warning in warnings)
    assert any("[0].stores[0]: unknown fields kept: storeNote" in warning for warning in warnings)
    assert any("unknown nutrient type 'VITAMIN_Z' kept" in warning for warning in warnings)
    item = ScaleItem.objects.get()
    assert item.extra == {"newField": "x"}
    assert item.nutrition[0]["values"][1] == {"type": "VITAMIN_Z", "value": "1.5"}
    assert ScaleItemStore.objects.get().extra == {"storeNote": "y"}


def test_stores_null_is_accepted(scales):
    response = scales.post(URL, sample(stores=None, nutrition=None))

    assert response.status_code == 200
    assert ScaleItem.objects.get().nutrition is None and ScaleItemStore.objects.count() == 0


def test_a_stored_push_replays_to_the_same_state(scales, store_27):
    scales.post(URL, SAMPLE)

    replay = push_replay(Push.objects.get())

    assert replay.status == Push.Status.OK and replay.unchanged == 1
    assert ScaleItemStore.objects.count() == 1
