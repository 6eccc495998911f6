"""POST /ecrs/items/ as CATAPULT's Instant Item Detail client uses it (CONTRACT 2.2–2.5)."""

import copy
from decimal import Decimal

import pytest

from ecrs_hub.models import Push
from ecrs_hub.services import push_replay
from items.models import Item, ItemStore, ItemSupplier, Store, Supplier
from tests.conftest import fixture_json

pytestmark = pytest.mark.django_db

SAMPLE = fixture_json("items-page.json")


def sample(**item_changes):
    page = copy.deepcopy(SAMPLE)
    page[0].update(item_changes)
    return page


def store_entry(page, **changes):
    page[0]["stores"][0].update(changes)
    return page


def test_the_ecrs_sample_is_stored_with_every_field_typed(pusher):
    response = pusher.items(SAMPLE)

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "1 items: 1 created, 0 updated, 0 unchanged."}
    item = Item.objects.get(record_id="4294967296001")
    assert (item.item_id, item.receipt_alias, item.item_name) == ("94011", "Org Bananas", "Organic Yellow Bananas")
    assert item.size_qty == Decimal("16") and item.suggested_retail == Decimal("5.99")
    assert (item.dept_number, item.dept_name, item.variety_number) == (4, "Produce", 20)
    assert item.local_receipt_alias == "Fromage de chèvre"
    assert item.health_attr6 == "CF" and item.marketing_attr4 == "Wine Taster Gold Medal"
    assert item.image == "4494967296001.jpg" and item.health_attr_img6 == "4494967296601.jpg"
    assert item.base_record_id is None

    store = Store.objects.get(record_id="4294967297054")
    assert (store.name, store.number, store.zone) == ("Urban Market", "27", "Rural Zone")
    assert (store.street_address, store.city, store.state, store.postal_code) == (
        "150 Market Hills Drive",
        "Boone",
        "NC",
        "28607",
    )

    at_store = ItemStore.objects.get(item=item, store=store)
    assert at_store.deleted is False and at_store.deleted_at is None
    assert [at_store.price1, at_store.price2, at_store.price3, at_store.price4] == [
        Decimal("4.99"),
        Decimal("3.99"),
        Decimal("2.99"),
        Decimal("1.99"),
    ]
    assert at_store.divider1 == 3 and at_store.fixed_tare == Decimal("0.25") and at_store.percent_tare == 5
    assert at_store.force_shelf_life is True and at_store.local is True and at_store.web_cart_enabled is True
    assert (at_store.unit_of_measure, at_store.tare_type, at_store.shelf_life, at_store.by_count_qty) == (1, 0, 5, 5)
    assert at_store.sequence_number == "32" and at_store.location == "Aisle 9"
    assert at_store.ingredients.startswith("Red Potatoes")
    assert at_store.pl1_settings_id == 0 and at_store.promo_price1 == 0

    unit = ItemSupplier.objects.get(record_id="4294967298581")
    assert (unit.item, unit.supplier_id, unit.supplier_code, unit.order_qty, unit.order_unit, unit.deleted) == (
        item,
        "33",
        "11060",
        Decimal("12"),
        "Case",
        False,
    )
    assert Supplier.objects.get(supplier_id="33").name == "ECRS Food Supply"


def test_resending_the_same_page_changes_nothing_and_creates_no_duplicates(pusher):
    pusher.items(SAMPLE)
    first = Item.objects.get().updated_at

    response = pusher.items(SAMPLE)

    assert response.json()["message"] == "1 items: 0 created, 0 updated, 1 unchanged."
    assert (Item.objects.count(), ItemStore.objects.count(), ItemSupplier.objects.count(), Store.objects.count()) == (
        1,
        1,
        1,
        1,
    )
    assert Item.objects.get().updated_at == first
    push = Push.objects.order_by("-pk").first()
    assert (push.status, push.unchanged, push.created) == ("ok", 1, 0)


def test_a_changed_store_price_updates_only_that_item_at_store(pusher):
    pusher.items(SAMPLE)
    response = pusher.items(store_entry(sample(), price1="5.49"))
    assert response.json()["message"] == "1 items: 0 created, 1 updated, 0 unchanged."
    assert ItemStore.objects.get().price1 == Decimal("5.49")


def test_an_absent_field_leaves_the_stored_value_and_a_null_clears_it(pusher):
    pusher.items(SAMPLE)
    page = sample()
    del page[0]["brand"]
    del page[0]["stores"][0]["price2"]
    page[0]["memo"] = None
    page[0]["stores"][0]["price3"] = None
    page[0]["itemName"] = "Bananas, organic"

    assert pusher.items(page).status_code == 200

    item = Item.objects.get()
    assert item.brand == "Urban Market Deli"  # absent: the merchant did not enable the field
    assert item.memo is None  # null: "not populated"
    assert item.item_name == "Bananas, organic"
    at_store = ItemStore.objects.get()
    assert at_store.price2 == Decimal("3.99") and at_store.price3 is None


def test_deleted_from_a_store_is_soft_and_a_later_false_revives_it(pusher):
    pusher.items(SAMPLE)
    response = pusher.items(store_entry(sample(), deleted="true"))
    assert response.json()["message"] == "1 items: 0 created, 1 updated, 0 unchanged, 1 deleted."
    at_store = ItemStore.objects.get()
    assert at_store.deleted is True and at_store.deleted_at is not None
    deleted_at = at_store.deleted_at

    # Still deleted, another field changed: the first deletion time is kept.
    pusher.items(store_entry(sample(), deleted=True, location="Aisle 10"))
    assert ItemStore.objects.get().deleted_at == deleted_at

    pusher.items(store_entry(sample(), deleted="false"))
    at_store = ItemStore.objects.get()
    assert at_store.deleted is False and at_store.deleted_at is None
    assert Item.objects.count() == 1


def test_a_supplier_unit_can_be_deleted_and_revived(pusher):
    pusher.items(SAMPLE)
    page = sample()
    page[0]["ordering"][0]["deleted"] = "true"
    pusher.items(page)
    assert ItemSupplier.objects.get().deleted is True
    page[0]["ordering"][0]["deleted"] = False
    pusher.items(page)
    assert ItemSupplier.objects.get().deleted is False


def test_unknown_fields_are_kept_and_reported_as_a_warning(pusher):
    page = sample(newCatapultField="42")
    store_entry(page, storeLevelNovelty=True)

    response = pusher.items(page)

    assert response.status_code == 200
    assert "warning" in response.json()["message"]
    assert Item.objects.get().extra == {"newCatapultField": "42"}
    assert ItemStore.objects.get().extra == {"storeLevelNovelty": True}
    push = Push.objects.get()
    assert any("newCatapultField" in warning for warning in push.warnings)


def test_a_bad_record_is_rejected_with_its_json_path_and_the_others_are_stored(pusher):
    good_a = copy.deepcopy(SAMPLE[0])
    bad = copy.deepcopy(SAMPLE[0]) | {"recordID": "2", "itemId": "2"}
    bad["stores"] = [dict(SAMPLE[0]["stores"][0], price1="four dollars")]
    good_b = copy.deepcopy(SAMPLE[0]) | {"recordID": "3", "itemId": "3", "receiptAlias": "x" * 33}

    response = pusher.items([good_a, bad, good_b])

    assert response.status_code == 422
    body = response.json()
    assert body["success"] is False
    assert "[1].stores[0].price1: 'four dollars' must be a number" in body["message"]
    assert "[2].receiptAlias" in body["message"] and "longer than 32 characters" in body["message"]
    assert "2 rejected" in body["message"]
    # The valid item is stored; the bad store entry is not, but its item is.
    assert set(Item.objects.values_list("record_id", flat=True)) == {"4294967296001", "2"}
    assert ItemStore.objects.filter(item__record_id="2").count() == 0
    push = Push.objects.get()
    assert push.status == "partial" and push.rejected == 2
    assert {problem["path"] for problem in push.problems} == {"[1].stores[0].price1", "[2].receiptAlias"}


def test_a_store_entry_deleted_null_revives_it_and_absent_leaves_it(pusher):
    pusher.items(store_entry(sample(), deleted=True))
    page = sample()
    del page[0]["stores"][0]["deleted"]
    pusher.items(store_entry(page, location="Aisle 10"))
    assert ItemStore.objects.get().deleted is True

    pusher.items(store_entry(sample(), deleted=None))
    at_store = ItemStore.objects.get()
    assert at_store.deleted is False and at_store.deleted_at is None


def test_every_entry_repeating_a_rejected_store_is_rejected_with_its_own_path(pusher):
    bad_store = {"storeNumber": "12345678901234567890"}  # longer than a store number may be
    page = [
        store_entry(sample(), **bad_store)[0],
        store_entry(sample(recordID="2", itemId="2"), **bad_store)[0],
    ]

    response = pusher.items(page)

    assert response.status_code == 422
    push = Push.objects.get()
    assert {problem["path"] for problem in push.problems} == {"[0].stores[0].storeNumber", "[1].stores[0].storeNumber"}
    # Both items are stored, neither at the store; one count per record.
    assert Item.objects.count() == 2 and ItemStore.objects.count() == 0
    assert push.status == "partial" and push.rejected == 2 and push.created == 2
    assert "2 rejected (2 of them stored without the rejected parts)" in response.json()["message"]
    # Neither record is remembered as complete: a re-send reports the problems again.
    again = pusher.items(page)
    assert again.status_code == 422 and "[1].stores[0].storeNumber" in again.json()["message"]


def test_a_record_id_with_a_nul_character_is_rejected_not_a_crash(pusher):
    # PostgreSQL text cannot hold NUL: found by the fuzz test as a 500.
    response = pusher.items(sample(recordID="42\x00") + sample(recordID="43", itemId="43"))
    assert response.status_code == 422
    assert "[0].recordID" in response.json()["message"]
    assert list(Item.objects.values_list("record_id", flat=True)) == ["43"]
    assert Push.objects.get().problems[0]["value"] == "42\\u0000"


def test_a_store_entry_repeated_in_one_record_is_stored_once_with_a_warning(pusher):
    page = sample()
    first = page[0]["stores"][0]
    page[0]["stores"] = [first, dict(first, location="Aisle 10")]

    response = pusher.items(page)

    assert response.status_code == 200
    assert ItemStore.objects.get().location == "Aisle 10"
    assert any("[0].stores[1]: recordID" in warning for warning in Push.objects.get().warnings)


def test_an_item_without_record_id_or_item_id_is_rejected(pusher):
    response = pusher.items([{"itemId": "1"}, {"recordID": "9"}, {"recordID": "8", "itemId": ""}])
    assert response.status_code == 422
    message = response.json()["message"]
    assert "[0].recordID: is required" in message
    assert "[1].itemId: is required" in message
    assert "[2].itemId: '' is required and must not be empty" in message
    assert Item.objects.count() == 0
    assert Push.objects.get().status == "rejected"


@pytest.mark.parametrize("shape", ["object", "wrapped"])
def test_a_single_object_and_an_items_wrapper_are_accepted(pusher, shape):
    body = SAMPLE[0] if shape == "object" else {"items": SAMPLE}
    assert pusher.items(body).status_code == 200
    assert Item.objects.count() == 1


def test_an_alternate_id_links_to_its_base_whichever_arrives_first(pusher):
    alternate = copy.deepcopy(SAMPLE[0]) | {"recordID": "4294967296001-4887254236902", "itemId": "0009401100"}
    pusher.items([alternate])
    stored = Item.objects.get(record_id="4294967296001-4887254236902")
    assert stored.base_record_id == "4294967296001" and stored.is_alternate
    assert not Item.objects.filter(record_id=stored.base_record_id).exists()

    pusher.items(SAMPLE)

    base = Item.objects.get(record_id=stored.base_record_id)
    assert list(Item.objects.filter(base_record_id=base.record_id)) == [stored]


def test_a_store_created_by_number_is_adopted_by_the_first_push_naming_it(pusher):
    Store.objects.create(number="27", name="Boone (set up by staff)")
    pusher.items(SAMPLE)
    store = Store.objects.get()
    assert store.record_id == "4294967297054" and store.name == "Urban Market"


def test_a_record_id_repeated_in_a_page_is_stored_once_the_later_winning(pusher):
    later = sample(itemName="Later name")[0]
    response = pusher.items([SAMPLE[0], later])
    assert response.status_code == 200
    assert "appears again" in response.json()["message"]
    assert Item.objects.get().item_name == "Later name"


def test_string_numbers_and_json_numbers_store_the_same_values(pusher):
    pusher.items(store_entry(sample(), price1="4.9900", divider1=3, fixedTare=0.25))
    at_store = ItemStore.objects.get()
    assert (at_store.price1, at_store.divider1, at_store.fixed_tare) == (Decimal("4.99"), 3, Decimal("0.25"))


def test_a_replayed_push_runs_the_stored_body_again(pusher):
    pusher.items(SAMPLE)
    original = Push.objects.get()
    Item.objects.all().delete()

    replay = push_replay(original)

    assert replay.replay_of == original and replay.status == "ok" and replay.created == 1
    assert Item.objects.get().record_id == "4294967296001"


def test_the_number_of_queries_does_not_grow_with_the_page(pusher, django_assert_max_num_queries):
    def page(count, start):
        items = []
        for n in range(start, start + count):
            item = copy.deepcopy(SAMPLE[0]) | {"recordID": str(10_000 + n), "itemId": str(n)}
            item["ordering"][0]["recordID"] = str(90_000 + n)
            items.append(item)
        return items

    with django_assert_max_num_queries(40) as small:
        assert pusher.items(page(5, 0)).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert pusher.items(page(200, 100)).status_code == 200
    assert Item.objects.count() == 205


def test_a_record_with_a_rejected_part_is_reported_again_when_resent(pusher):
    page = store_entry(sample(), price1="n/a")
    assert pusher.items(page).status_code == 422
    again = pusher.items(page)
    assert again.status_code == 422 and "[0].stores[0].price1" in again.json()["message"]
    # Once CATAPULT sends it right, the store entry arrives.
    assert pusher.items(store_entry(sample(), price1="4.99")).status_code == 200
    assert ItemStore.objects.get().price1 == Decimal("4.99")


def test_nul_characters_in_unknown_fields_do_not_break_the_push(pusher):
    # PostgreSQL's jsonb cannot hold \u0000: the value is kept with the NUL written out.
    response = pusher.items(sample(novelty="a\x00b", **{"odd\x00key": ["x\x00"]}))
    assert response.status_code == 200
    assert Item.objects.get().extra == {"novelty": "a\\u0000b", "odd\\u0000key": ["x\\u0000"]}
