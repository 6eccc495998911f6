"""python manage.py map_scale_store SCALE_STORE_ID --store-number N (CONTRACT 6)."""

import copy

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from items.models import Store
from scales.models import ScaleItemStore
from scales.selectors import resolved_scale_items
from tests.conftest import Pusher, fixture_json

pytestmark = pytest.mark.django_db

SAMPLE = fixture_json("scale-item.json")


def map_store(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("map_scale_store", *args, stdout=out)
    return out.getvalue()


def test_an_unmapped_store_from_pushes_merges_into_the_numbered_store(client, scales_key):
    Pusher(client, scales_key.key).post("/ecrs/scale-items/", SAMPLE)  # storeId 27: unknown
    unmapped = Store.objects.get(scale_store_id="27")
    assert unmapped.unmapped is True
    store = Store.objects.create(number="27", name="Urban Market", record_id="4294967297054")

    output = map_store("27", "--store-number", "27")

    assert "Scale store 27 is store 27 Urban Market." in output
    assert not Store.objects.filter(pk=unmapped.pk).exists()
    store.refresh_from_db()
    assert (store.scale_store_id, store.unmapped) == ("27", False)
    assert ScaleItemStore.objects.get().store == store
    assert [record["itemId"] for record in resolved_scale_items(store)] == ["123456789"]

    # Pushes now land on the mapped store, and mapping again changes nothing.
    Pusher(client, scales_key.key).post("/ecrs/scale-items/", {**copy.deepcopy(SAMPLE), "itemId": "2"})
    assert ScaleItemStore.objects.filter(store=store).count() == 2
    map_store("27", "--store-number", "27")
    assert Store.objects.filter(scale_store_id="27").get() == store


def test_with_no_store_of_that_number_the_unmapped_store_takes_the_number(client, scales_key):
    Pusher(client, scales_key.key).post("/ecrs/scale-items/", SAMPLE)

    map_store("27", "--store-number", "12")

    store = Store.objects.get(scale_store_id="27")
    assert (store.number, store.unmapped) == ("12", False)


def test_a_store_is_created_when_neither_exists(db):
    map_store("S1", "--store-number", "3")

    assert Store.objects.get(number="3").scale_store_id == "S1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", "--store-number", "1"), "the scale store id must be 1 to 64 characters"),
        (("X", "--store-number", " "), "the store number must be 1 to 10 characters"),
        (("NEW", "--store-number", "1"), "store 1 already has scale store id OLD; it cannot take NEW"),
        (("OLD", "--store-number", "2"), "scale store id OLD already belongs to store 1"),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message(db, args, message):
    Store.objects.create(number="1", scale_store_id="OLD")
    Store.objects.create(number="2")

    with pytest.raises(CommandError, match=message):
        map_store(*args)

    assert Store.objects.get(number="1").scale_store_id == "OLD"
    assert Store.objects.get(number="2").scale_store_id is None


def test_a_missing_store_number_is_refused(db):
    with pytest.raises(CommandError, match="--store-number"):
        map_store("27")
