"""What store staff see of the catalog in the admin: data pushed through the real
endpoints, shown read-only, references resolved whichever side arrived first, and list
pages whose cost does not grow with their length."""

from __future__ import annotations

import copy
import html
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from items.models import Item, ItemImage, ItemStore, ItemSupplier, PriceLabelType, Store, Supplier
from tests.conftest import fixture_bytes, fixture_json

pytestmark = pytest.mark.django_db

PAGE = fixture_json("items-page.json")
LABEL_TYPE = fixture_json("price-label-settings.json")  # recordId 4294697302026
LABEL_ID = LABEL_TYPE["recordId"]
ADMIN = "/admin/items/"


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), (40, 160, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def sample_item(**changes) -> dict:
    """The sample item, its first store naming a received and an unreceived price label type."""
    item = copy.deepcopy(PAGE[0])
    item["stores"][0].update(pl1SettingsID=LABEL_ID, pl2PromoSettingsID=77)
    item.update(changes)
    return item


def numbered_page(count: int, start: int = 0) -> list[dict]:
    """``count`` distinct items, each at the sample's stores with its own supplier unit."""
    page = []
    for n in range(start, start + count):
        item = sample_item(recordID=f"5{n:012d}", itemId=f"7{n:05d}", itemName=f"Test item {n}")
        for unit in item["ordering"]:
            unit["recordID"] = f"6{n:012d}"
        page.append(item)
    return page


@pytest.fixture
def catalog(pusher):
    """The sample page, its price label settings and its main image, through the endpoints."""
    assert pusher.price_label_settings(LABEL_TYPE).status_code == 200
    assert pusher.images([("4494967296001.jpg", jpeg_bytes())]).status_code == 200
    assert pusher.items([sample_item()]).status_code == 200
    return Item.objects.get()


def content(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


# --- access --------------------------------------------------------------------------------

MODELS = ("store", "item", "itemstore", "supplier", "itemsupplier", "itemimage", "pricelabeltype")


@pytest.mark.parametrize("model", MODELS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, model):
    response = client.get(f"{ADMIN}{model}/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_user_who_is_not_staff_is_sent_to_the_login_page(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("cashier", password="cashier-pass-123"))
    response = client.get(f"{ADMIN}item/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("model", MODELS)
def test_pushed_data_cannot_be_added_changed_or_deleted(staff_client, catalog, model):
    row = {
        "store": Store,
        "item": Item,
        "itemstore": ItemStore,
        "supplier": Supplier,
        "itemsupplier": ItemSupplier,
        "itemimage": ItemImage,
        "pricelabeltype": PriceLabelType,
    }[model].objects.first()
    assert staff_client.get(f"{ADMIN}{model}/add/").status_code == 403
    assert staff_client.get(f"{ADMIN}{model}/{row.pk}/delete/").status_code == 403
    assert staff_client.post(f"{ADMIN}{model}/{row.pk}/change/", {}).status_code == 403
    detail = content(staff_client.get(f"{ADMIN}{model}/{row.pk}/change/"))
    assert 'name="_save"' not in detail  # a view page, without a Save button
    changelist = content(staff_client.get(f"{ADMIN}{model}/"))
    assert f"{ADMIN}{model}/add/" not in changelist


# --- every list and detail page with real data -------------------------------------------


def test_the_store_list_and_page(staff_client, catalog):
    store = Store.objects.get()
    listing = content(staff_client.get(f"{ADMIN}store/"))
    assert "Urban Market" in listing and "Boone" in listing and "Rural Zone" in listing
    assert staff_client.get(f"{ADMIN}store/").context["cl"].result_list[0].item_count == 1
    assert staff_client.get(f"{ADMIN}store/", {"q": "27"}).context["cl"].result_count == 1
    detail = content(staff_client.get(f"{ADMIN}store/{store.pk}/change/"))
    assert "150 Market Hills Drive" in detail
    assert f"{ADMIN}itemstore/?store__id__exact={store.pk}" in detail


def test_the_item_list_shows_the_thumbnail_of_a_received_image(staff_client, catalog):
    image = ItemImage.objects.get()
    listing = content(staff_client.get(f"{ADMIN}item/"))
    assert "94011" in listing and "Organic Yellow Bananas" in listing and "Urban Market Deli" in listing
    assert f'src="{image.file.url}"' in listing
    row = staff_client.get(f"{ADMIN}item/").context["cl"].result_list[0]
    assert row.store_count == 1 and row.image_file == image.file.name


def test_an_item_whose_image_has_not_arrived_says_so(staff_client, pusher):
    pusher.items([sample_item()])
    listing = content(staff_client.get(f"{ADMIN}item/"))
    assert "not received" in listing and "<img" not in listing.split('id="result_list"')[1]


def test_the_item_page_groups_its_fields_and_resolves_what_it_references(staff_client, catalog):
    item_store = ItemStore.objects.get()
    detail = content(staff_client.get(f"{ADMIN}item/{catalog.pk}/change/"))
    for heading in ("Identity", "Description", "Hierarchy", "Power fields", "Attributes", "Images", "Last received"):
        assert f">{heading}</h2>" in detail
    assert "Produce" in detail and "Hand Made in Boone NC" in detail and "Wine Taster Gold Medal" in detail
    # every image name, the one that arrived as a thumbnail linked to its page
    image = ItemImage.objects.get()
    assert f'src="{image.file.url}"' in detail and f"{ADMIN}itemimage/{image.pk}/change/" in detail
    for name in ("4494967296101.png", "4494967296601.jpg"):
        assert name in detail
    assert detail.count("not received yet") == 6
    # the item at its store, with its prices, linking to the item-at-store page
    assert f"{ADMIN}itemstore/{item_store.pk}/change/" in detail
    assert "Aisle 9" in detail
    assert f"{item_store.divider1}/{item_store.price1:.2f}" in detail  # a price with its divider: 3/4.99
    # its supplier unit
    assert "11060" in detail and "ECRS Food Supply" in detail
    assert f"/admin/ecrs_hub/push/{catalog.last_push_id}/change/" in detail


def test_alternate_ids_link_to_their_base_item_and_back(staff_client, catalog, pusher):
    alternate = sample_item(recordID=f"{catalog.record_id}-2", itemId="94012", stores=[], ordering=[])
    assert pusher.items([alternate]).status_code == 200
    alt = Item.objects.get(record_id=f"{catalog.record_id}-2")

    base_page = content(staff_client.get(f"{ADMIN}item/{catalog.pk}/change/"))
    assert f"{ADMIN}item/{alt.pk}/change/" in base_page
    alt_page = content(staff_client.get(f"{ADMIN}item/{alt.pk}/change/"))
    assert f"{ADMIN}item/{catalog.pk}/change/" in alt_page
    listing = content(staff_client.get(f"{ADMIN}item/"))
    assert "Alternate of" in listing and "1 alternate" in listing
    assert [i.pk for i in staff_client.get(f"{ADMIN}item/", {"alternate": "yes"}).context["cl"].result_list] == [alt.pk]
    assert [i.pk for i in staff_client.get(f"{ADMIN}item/", {"alternate": "no"}).context["cl"].result_list] == [
        catalog.pk
    ]


def test_an_alternate_pushed_before_its_base_says_the_base_has_not_arrived(staff_client, pusher):
    pusher.items([sample_item(recordID="123-4", stores=[], ordering=[])])
    alt = Item.objects.get()
    assert "(not received yet)" in content(staff_client.get(f"{ADMIN}item/{alt.pk}/change/"))


def test_items_can_be_searched_and_filtered_by_store_and_deletion(staff_client, catalog, pusher):
    other = sample_item(recordID="4294967296002", itemId="94022", itemName="Red Grapes", ordering=[])
    other["stores"][0]["deleted"] = "true"
    pusher.items([other])

    def found(**params):
        return sorted(item.item_id for item in staff_client.get(f"{ADMIN}item/", params).context["cl"].result_list)

    assert found(q="9401") == ["94011"]
    assert found(q="grapes") == ["94022"]
    assert found(q="4294967296002") == ["94022"]
    assert found(deleted="somewhere") == ["94022"]
    assert found(deleted="everywhere") == ["94022"]
    assert found(deleted="nowhere") == ["94011"]
    store = Store.objects.get()
    assert found(store=store.pk) == ["94011", "94022"]
    assert found(dept_name="Produce") == ["94011", "94022"]


def test_the_item_at_store_list_and_page(staff_client, catalog):
    item_store = ItemStore.objects.get()
    listing = content(staff_client.get(f"{ADMIN}itemstore/"))
    assert "Organic Yellow Bananas" in listing and "Urban Market" in listing
    assert staff_client.get(f"{ADMIN}itemstore/", {"q": "94011"}).context["cl"].result_count == 1
    assert staff_client.get(f"{ADMIN}itemstore/", {"deleted__exact": "1"}).context["cl"].result_count == 0

    detail = content(staff_client.get(f"{ADMIN}itemstore/{item_store.pk}/change/"))
    for heading in ("Prices", "Promotion", "Scale", "Store power fields", "Grades", "Price label types"):
        assert f">{heading}</h2>" in detail
    assert "1 — Grams" in detail  # unitOfMeasure 1
    assert "0 — None" in detail  # tareType 0
    assert "Organic Yellow Bananas at 27 Urban Market" in detail
    label = PriceLabelType.objects.get()
    assert f"{ADMIN}pricelabeltype/{label.pk}/change/" in detail
    assert "77 (settings not received yet)" in html.unescape(detail).replace("</span>", "").replace(
        '<span class="ecrs-missing">', ""
    )


def test_a_price_label_type_pushed_after_its_items_links_to_them(staff_client, pusher):
    pusher.items([sample_item()])
    pusher.price_label_settings(LABEL_TYPE)
    label = PriceLabelType.objects.get()
    listing = content(staff_client.get(f"{ADMIN}pricelabeltype/"))
    assert str(LABEL_ID) in listing

    detail = content(staff_client.get(f"{ADMIN}pricelabeltype/{label.pk}/change/"))
    assert "<td><code>45</code></td><td>string</td>" in detail
    link = f"{ADMIN}itemstore/?price_label_type={LABEL_ID}"
    assert link in detail and "1 item at stores" in detail
    assert staff_client.get(link).context["cl"].result_count == 1
    assert staff_client.get(f"{ADMIN}itemstore/", {"price_label_type": "77"}).context["cl"].result_count == 1
    assert staff_client.get(f"{ADMIN}itemstore/", {"price_label_type": "78"}).context["cl"].result_count == 0


def test_the_supplier_lists_and_pages(staff_client, catalog):
    supplier, unit = Supplier.objects.get(), ItemSupplier.objects.get()
    listing = content(staff_client.get(f"{ADMIN}supplier/"))
    assert "ECRS Food Supply" in listing
    assert staff_client.get(f"{ADMIN}supplier/").context["cl"].result_list[0].unit_count == 1
    assert "11060" in content(staff_client.get(f"{ADMIN}itemsupplier/"))
    assert staff_client.get(f"{ADMIN}itemsupplier/", {"q": "94011"}).context["cl"].result_count == 1
    assert "Case" in content(staff_client.get(f"{ADMIN}itemsupplier/{unit.pk}/change/"))
    assert f"{ADMIN}itemsupplier/?supplier__supplier_id__exact=33" in content(
        staff_client.get(f"{ADMIN}supplier/{supplier.pk}/change/")
    )


def test_the_image_list_and_page_show_the_image_and_who_names_it(staff_client, catalog):
    image = ItemImage.objects.get()
    listing = content(staff_client.get(f"{ADMIN}itemimage/"))
    assert f'src="{image.file.url}"' in listing and "12×8" in listing and "JPEG" in listing
    detail = content(staff_client.get(f"{ADMIN}itemimage/{image.pk}/change/"))
    assert 'class="ecrs-image"' in detail
    assert f"{ADMIN}item/{catalog.pk}/change/" in detail and "94011 Organic Yellow Bananas" in detail


def test_every_field_of_an_item_and_an_item_at_store_is_on_its_page(staff_client, catalog):
    from django.contrib import admin

    from items.admin import ItemAdmin, ItemStoreAdmin

    for model, model_admin in ((Item, ItemAdmin), (ItemStore, ItemStoreAdmin)):
        instance = admin.site._registry[model]
        assert isinstance(instance, model_admin)
        fieldsets = instance.get_fieldsets(None)
        assert fieldsets[-1][0] != "Other fields", (
            f"{model.__name__} fields missing from the fieldsets: {fieldsets[-1]}"
        )


# --- list pages cost the same whatever their length ----------------------------------------


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


LIST_PAGES = [f"{ADMIN}{model}/" for model in MODELS] + ["/admin/ecrs_hub/push/"]


def test_list_pages_cost_the_same_queries_for_5_or_50_items(staff_client, pusher, django_assert_max_num_queries):
    pusher.price_label_settings(LABEL_TYPE)
    pusher.images([("4494967296001.jpg", jpeg_bytes())])
    pusher.items(numbered_page(5))
    few = {path: queries(staff_client, path) for path in LIST_PAGES}

    pusher.items(numbered_page(45, start=5))
    pusher.images([(f"extra-{n}.jpg", jpeg_bytes()) for n in range(9)])
    assert Item.objects.count() == 50
    for path, count in few.items():
        with django_assert_max_num_queries(count):
            assert staff_client.get(path).status_code == 200
    assert {path: queries(staff_client, path) for path in LIST_PAGES} == few


def test_the_item_page_costs_the_same_queries_for_1_or_10_stores(staff_client, pusher):
    item = sample_item()
    pusher.items([item])
    pk = Item.objects.get().pk
    staff_client.get(f"{ADMIN}item/{pk}/change/")  # warm-up: the first page of a session costs one more
    one = queries(staff_client, f"{ADMIN}item/{pk}/change/")
    template = item["stores"][0]
    item["stores"] = [
        dict(template, recordID=f"90{n}", storeNumber=str(100 + n), storeName=f"Store {n}") for n in range(10)
    ]
    pusher.items([item])
    assert ItemStore.objects.count() == 11
    assert queries(staff_client, f"{ADMIN}item/{pk}/change/") == one


def test_the_sample_page_as_catapult_sends_it_is_shown(staff_client, pusher):
    # Price label type ids of 0 name no price label type.
    assert pusher.items(fixture_bytes("items-page.json")).status_code == 200
    item, item_store = Item.objects.get(), ItemStore.objects.get()
    assert "Organic Yellow Bananas" in content(staff_client.get(f"{ADMIN}item/{item.pk}/change/"))
    detail = content(staff_client.get(f"{ADMIN}itemstore/{item_store.pk}/change/"))
    labels = detail[detail.index(">Price label types</h2>") : detail.index(">Unknown fields</h2>")]
    assert "not received yet" not in labels and f"{ADMIN}pricelabeltype/" not in labels
