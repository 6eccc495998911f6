"""Staff open an item at a store in the admin and see its label as the store's scales print
it: the resolved description, the total price for a weight, the dates from a pack time, the
type-2 barcode and the rounded Nutrition Facts."""

import pytest
from django.contrib.auth.models import Permission

from items.models import Store
from scales.models import ScaleItemStore
from scales.services.ingest import barcode_check_digit
from tests.conftest import Pusher

pytestmark = pytest.mark.django_db

NUTRITION = [
    {
        "servingSize": "1/2 cup (113g)",
        "servingsPerContainer": "4",
        "values": [
            {"type": "CALORIES", "value": "212"},
            {"type": "TOTAL_FAT", "value": "12.4"},
            {"type": "SATURATED_FAT", "value": "2.26"},
            {"type": "TRANS_FATTY_ACID", "value": "0.2"},
            {"type": "CHOLESTEROL", "value": "3"},
            {"type": "SODIUM", "value": "143"},
            {"type": "TOTAL_CARBOHYDRATES", "value": "27.4"},
            {"type": "DIETARY_FIBER", "value": "2.6"},
            {"type": "SUGARS", "value": "3.3"},
            {"type": "ADDED_SUGAR", "value": "1.2"},
            {"type": "PROTEIN", "value": "0.8"},
            {"type": "VITAMIN_D", "value": "0"},
            {"type": "CALCIUM", "value": "24"},
            {"type": "IRON", "value": "0.9"},
            {"type": "POTASSIUM", "value": "235"},
        ],
    }
]

RECORD = {
    "deleted": "false",
    "itemId": "4711",
    "barcode": "0204711000001",
    "deptNum": 4,
    "descLine1": "Dill Potato Salad",
    "descLine2": "Homestyle",
    "active": "true",
    "cool": "Product of USA",
    "shelfLife": "5",
    "shelfLifeByHours": "false",
    "useBy": "10",
    "ingredients": "Red Potatoes, Mayonnaise, Dill, Salt",
    "nutrition": NUTRITION,
    "stores": [
        {
            "deleted": "false",
            "storeId": "27",
            "active": "true",
            "unitPrice": "4.9900",
            "divider": "1",
            "unit": "lb",
            "tare": "0.02",
            "forceTare": "true",
            "descLine1": "Dill Potato Salad (Store 27)",
            "shelfLife": "4",
            "shelfLifeByHours": "false",
            "useBy": None,
            "promoPrice": None,
            "nutrition": None,
        }
    ],
}


@pytest.fixture
def at_store(client, scales_key) -> ScaleItemStore:
    Store.objects.create(number="27", name="Urban Market", scale_store_id="27")
    response = Pusher(client, scales_key.key).post("/ecrs/scale-items/", RECORD)
    assert response.status_code == 200, response.content
    return ScaleItemStore.objects.get()


def url(at_store: ScaleItemStore) -> str:
    return f"/admin/scales/scaleitemstore/{at_store.pk}/label/"


def test_the_label_shows_price_dates_barcode_and_rounded_nutrition(staff_client, at_store):
    response = staff_client.get(url(at_store), {"weight": "1.27", "packed_at": "2026-03-01T09:30"})

    assert response.status_code == 200
    page = response.content.decode()
    # Resolved: the store's line 1 wins, line 2 falls back to the item's.
    assert "Dill Potato Salad (Store 27)" in page and "Homestyle" in page
    # (1.27 lb − 0.02 lb tare) × $4.99 = $6.2375 → $6.24
    assert "$6.24" in page and "<small>Net wt lb</small>1.25</div>" in page and "Tare 0.02 lb (forced)" in page
    # 2 · item code 04711 · price verifier 5 · price 0624 · check digit 4
    assert '<code id="scale-barcode">204711506244</code>' in page
    assert barcode_check_digit("204711506244")[0] is True
    # Packed 1 March; the store's shelf life of 4 days; use within the item's 10 days.
    assert "Packed 03/01/2026" in page and "Sell by 03/05/2026" in page and "Use by 03/11/2026" in page
    assert "Red Potatoes, Mayonnaise, Dill, Salt" in page and "Product of USA" in page
    for text in (
        "4 servings per container",
        "1/2 cup (113g)",
        '<span class="scale-nf-cal">210</span>',
        "<strong>Total Fat 12g</strong></span>\n    <span><strong>15%</strong>",
        "Saturated Fat 2.5g</span>\n    <span><strong>13%</strong>",  # 12.5 % rounds up
        "Trans Fat 0g",
        "<strong>Cholesterol less than 5 mg</strong></span>\n    <span><strong>1%</strong>",
        "<strong>Sodium 140mg</strong></span>\n    <span><strong>6%</strong>",
        "<strong>Total Carbohydrate 27g</strong></span>\n    <span><strong>10%</strong>",
        "Dietary Fiber 3g</span>\n    <span><strong>11%</strong>",
        "Total Sugars 3g",
        "Includes 1g Added Sugars</span>\n    <span><strong>2%</strong>",
        "<strong>Protein less than 1 g</strong>",
        "<span>Vitamin D 0mcg</span><span>0%</span>",
        "<span>Calcium 20mg</span><span>2%</span>",
        "<span>Iron 0.9mg</span><span>6%</span>",
        "<span>Potassium 240mg</span><span>6%</span>",
    ):
        assert text in page, text


def test_without_a_weight_the_label_asks_for_one(staff_client, at_store):
    response = staff_client.get(url(at_store))

    assert response.status_code == 200
    assert b"Enter the weight on the scale" in response.content
    assert b'id="scale-barcode"' not in response.content


def test_shelf_life_in_hours_gives_a_sell_by_time(staff_client, at_store, client, scales_key):
    record = {**RECORD, "stores": [{**RECORD["stores"][0], "shelfLife": "36", "shelfLifeByHours": "true"}]}
    Pusher(client, scales_key.key).post("/ecrs/scale-items/", record)

    response = staff_client.get(url(at_store), {"weight": "1", "packed_at": "2026-03-01T09:30"})

    assert b"Sell by 03/02/2026 21:30" in response.content


def test_bad_form_input_is_named_not_a_crash(staff_client, at_store):
    response = staff_client.get(url(at_store), {"weight": "-1", "packed_at": "yesterday", "layout": "x"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ensure this value is greater than or equal to 0.001." in page
    assert "Enter a valid date/time." in page
    assert "Select a valid choice. x is not one of the available choices." in page
    assert 'id="scale-label"' not in page


def test_a_pack_time_at_the_end_of_the_calendar_is_said_not_a_crash(staff_client, at_store):
    response = staff_client.get(url(at_store), {"weight": "1.27", "packed_at": "9999-12-31T23:00"})

    assert response.status_code == 200
    assert b"The dates fall outside the calendar" in response.content


def test_an_unknown_item_at_store_is_a_404(staff_client, at_store):
    assert staff_client.get("/admin/scales/scaleitemstore/999999/label/").status_code == 404
    assert staff_client.get("/admin/scales/scaleitemstore/abc/label/").status_code == 404


def test_non_staff_are_refused(client, django_user_model, at_store):
    anonymous = client.get(url(at_store))
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]

    shopper = django_user_model.objects.create_user("shopper", password="x-pass-123456")
    client.force_login(shopper)
    refused = client.get(url(at_store), {"weight": "1.27"})
    assert refused.status_code == 302 and "/admin/login/" in refused["Location"]
    assert b"$6.24" not in refused.content


def test_staff_need_the_view_permission(client, django_user_model, at_store):
    clerk = django_user_model.objects.create_user("clerk", password="x-pass-123456", is_staff=True)
    client.force_login(clerk)
    assert client.get(url(at_store)).status_code == 403

    clerk.user_permissions.add(Permission.objects.get(codename="view_scaleitemstore"))
    assert client.get(url(at_store)).status_code == 200


def test_the_item_page_links_to_the_label_of_each_store(staff_client, at_store):
    response = staff_client.get(f"/admin/scales/scaleitem/{at_store.scale_item_id}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{url(at_store)}"' in page
    assert "Total Fat 12g" in page  # the item's nutrition panel, rounded as printed
    detail = staff_client.get(f"/admin/scales/scaleitemstore/{at_store.pk}/change/").content.decode()
    assert "Dill Potato Salad (Store 27)" in detail and f'href="{url(at_store)}"' in detail
