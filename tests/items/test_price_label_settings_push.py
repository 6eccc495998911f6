"""POST /ecrs/price-label-settings/ (CONTRACT 2.7, interpretation 5.4)."""

import copy

import pytest

from items.models import ItemStore, PriceLabelType
from tests.conftest import fixture_json

pytestmark = pytest.mark.django_db

SAMPLE = fixture_json("price-label-settings.json")
ITEMS = fixture_json("items-page.json")


def test_the_sample_object_is_stored(pusher):
    response = pusher.price_label_settings(SAMPLE)
    assert response.status_code == 200
    label = PriceLabelType.objects.get()
    assert label.record_id == 4294697302026
    assert label.settings == [{"key": "45", "value": "string"}]
    assert label.settings_dict == {"45": "string"}


def test_an_array_replaces_the_whole_set_of_each_type(pusher):
    pusher.price_label_settings([{"recordId": 7, "settings": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}])
    response = pusher.price_label_settings([{"recordId": "7", "settings": [{"key": "c", "value": "3"}]}])
    assert response.json()["message"] == "1 price label types: 0 created, 1 updated, 0 unchanged."
    assert PriceLabelType.objects.get().settings == [{"key": "c", "value": "3"}]


def test_resending_is_unchanged(pusher):
    pusher.price_label_settings(SAMPLE)
    assert pusher.price_label_settings(SAMPLE).json()["message"].endswith("1 unchanged.")
    assert PriceLabelType.objects.count() == 1


def test_a_bad_entry_rejects_its_type_only(pusher):
    response = pusher.price_label_settings(
        [
            {"recordId": "x1", "settings": []},
            {"recordId": 8, "settings": [{"value": "no key"}]},
            {"recordId": 9, "settings": None},
        ]
    )
    assert response.status_code == 422
    message = response.json()["message"]
    assert "[0].recordId: 'x1' must be a number" in message
    assert "[1].settings[0].key: is required" in message
    assert list(PriceLabelType.objects.values_list("record_id", "settings")) == [(9, [])]


def test_label_types_and_items_link_whichever_arrives_first(pusher):
    items = copy.deepcopy(ITEMS)
    items[0]["stores"][0]["pl1SettingsID"] = 4294697302026
    pusher.items(items)
    at_store = ItemStore.objects.get()
    assert not PriceLabelType.objects.filter(record_id__in=at_store.price_label_type_ids).exists()

    pusher.price_label_settings(SAMPLE)

    assert PriceLabelType.objects.filter(record_id__in=at_store.price_label_type_ids).get().settings_dict == {
        "45": "string"
    }
