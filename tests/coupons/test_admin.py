"""What store staff see and do in the coupons admin: every list and detail page renders for
a staff user at a cost that does not grow with its length, coupons are edited under the
import's rules, credentials take a password that is stored hashed and never shown, and
pending redemptions are released back to clipped."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coupons.models import (
    Clip,
    Coupon,
    CouponEvent,
    Customer,
    CustomerPhone,
    LoyaltyAccount,
    LoyaltyEntry,
    LoyaltyHold,
    PosCredential,
    PosTransaction,
    PosTransactionUpdate,
    Redemption,
    Site,
    UnknownCouponInCommit,
    UnknownPosRequest,
)
from coupons.services.coupon_import import coupons_import
from coupons.services.customer_import import customers_import
from coupons.services.sites import pos_credential_upsert, site_upsert
from demo.catalog import demo_image_bytes
from ecrs_hub.gtin import upc_key
from ecrs_hub.machine_secrets import secret_check

pytestmark = pytest.mark.django_db
ADMIN = "/admin/coupons/"


def add_data(n: int, start: int = 0) -> None:
    """``n`` coupons, customers, clips in every state, transactions with updates, ledger
    entries, redemptions, events and unknown requests, numbered from ``start``."""
    site = site_upsert(site_id="STO1", store_number="27").site
    pos_credential_upsert(username=f"pos{start}", password="pos-pass-123", site_ids=["STO1"] if start else None)
    coupons_import(
        records=[
            {
                "id": f"C{start + k}",
                "rewardKind": ["percent", "amount", "fixed_price", "free"][k % 4],
                "rewardValue": 10,
                "requirementUpcs": [894773001193 + k],
                "sites": ["STO1"] if k % 2 else [],
                "targeted": k == 0,
                "targetedCustomers": [f"T{start}"] if k == 0 else [],
                "loyaltyCost": 50 if k == 1 else 0,
            }
            for k in range(n)
        ]
    )
    customers_import(
        records=[
            {
                "id": f"{start + k}",
                "firstName": f"F{k}",
                "lastName": "Shopper",
                "phones": [f"828555{start + k:04d}"],
                "emails": [f"s{start + k}@example.com"],
                "loyalty": [{"id": f"L{start + k}", "balance": 100 + k}],
            }
            for k in range(n)
        ]
    )
    now = timezone.now()
    coupons = list(Coupon.objects.filter(coupon_id__in=[f"C{start + k}" for k in range(n)]).order_by("pk"))
    customers = list(Customer.objects.filter(customer_id__in=[f"{start + k}" for k in range(n)]).order_by("pk"))
    for k, (coupon, customer) in enumerate(zip(coupons, customers)):
        txn = PosTransaction.objects.create(
            site=site, transaction_id=f"T-{start + k}", customer=customer, terminal=k + 1, cashier=9, time=now
        )
        PosTransactionUpdate.objects.create(
            transaction=txn,
            request={"items": [{"id": 1, "upc": 1}]},
            answer={"applied": [{"couponId": coupon.coupon_id, "totalDiscount": 1.5}]},
        )
        state = ["pending", "clipped", "redeemed"][k % 3]
        clip = Clip.objects.create(
            customer=customer,
            coupon=coupon,
            state=state,
            uses_count=1 if state == "redeemed" else 0,
            pending_transaction=txn if state == "pending" else None,
            pending_since=now - timedelta(minutes=k + 1) if state == "pending" else None,
        )
        CouponEvent.objects.create(
            kind="clip", clip=clip, coupon=coupon, customer=customer, to_state="clipped", site=site, transaction=txn
        )
        Redemption.objects.create(coupon=coupon, customer=customer, transaction=txn, line_id="1", discount="1.50")
        LoyaltyEntry.objects.create(
            account=LoyaltyAccount.objects.get(loyalty_id=f"L{start + k}"),
            points=-5,
            reason="redemption",
            transaction=txn,
        )
        if state == "pending":
            LoyaltyHold.objects.create(
                account=LoyaltyAccount.objects.get(loyalty_id=f"L{start + k}"),
                clip=clip,
                coupon=coupon,
                transaction=txn,
                points=40,
                created_at=clip.pending_since,
            )
        UnknownCouponInCommit.objects.create(
            site=site, customer=customer, transaction=txn, coupon_code=f"X{start + k}", reason="not_applied"
        )
        UnknownPosRequest.objects.create(method="POST", path=f"/pos/odd{k}", query_keys=["site"], body_keys=["items"])


PAGES = [
    "coupon",
    "site",
    "poscredential",
    "customer",
    "loyaltyaccount",
    "loyaltyentry",
    "loyaltyhold",
    "clip",
    "clip/pending",
    "postransaction",
    "redemption",
    "couponevent",
    "unknowncouponincommit",
    "unknownposrequest",
]


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, page):
    response = client.get(f"{ADMIN}{page}/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("page", PAGES)
def test_list_pages_cost_the_same_whatever_their_length(staff_client, page, django_assert_max_num_queries):
    add_data(3)
    with CaptureQueriesContext(connection) as few:
        body(staff_client.get(f"{ADMIN}{page}/"))
    add_data(12, start=100)
    with django_assert_max_num_queries(len(few)):
        content = body(staff_client.get(f"{ADMIN}{page}/"))
    assert "C100" in content or page not in ("coupon", "clip", "redemption")
    assert "X100" in content or page != "unknowncouponincommit"


def test_list_pages_show_what_staff_look_for(staff_client):
    add_data(4)
    coupons = body(staff_client.get(f"{ADMIN}coupon/"))
    assert "10 % off" in coupons and "$10.00 off each" in coupons and "free" in coupons
    assert "for 50 points" in coupons and "STO1" in coupons and ">all<" in coupons
    customers = body(staff_client.get(f"{ADMIN}customer/"))
    assert "8285550000" in customers and "s0@example.com" in customers and ">95<" in customers
    pending = body(staff_client.get(f"{ADMIN}clip/pending/"))
    assert "T-0" in pending and "STO1" in pending and "C0" in pending


def change_pages():
    yield "coupon", Coupon.objects.order_by("pk").first().pk
    yield "site", Site.objects.get().pk
    yield "poscredential", PosCredential.objects.order_by("pk").first().pk
    yield "customer", Customer.objects.filter(clips__isnull=False).order_by("pk").first().pk
    yield "loyaltyaccount", LoyaltyAccount.objects.order_by("pk").first().pk
    yield "loyaltyentry", LoyaltyEntry.objects.order_by("pk").first().pk
    yield "clip", Clip.objects.order_by("pk").first().pk
    yield "postransaction", PosTransaction.objects.order_by("pk").first().pk
    yield "redemption", Redemption.objects.order_by("pk").first().pk
    yield "couponevent", CouponEvent.objects.order_by("pk").first().pk
    yield "loyaltyhold", LoyaltyHold.objects.order_by("pk").first().pk
    yield "unknowncouponincommit", UnknownCouponInCommit.objects.order_by("pk").first().pk
    yield "unknownposrequest", UnknownPosRequest.objects.order_by("pk").first().pk


def test_detail_pages_render_with_a_bounded_number_of_queries(staff_client, django_assert_max_num_queries):
    add_data(6)
    for model, pk in change_pages():
        with django_assert_max_num_queries(15):
            content = body(staff_client.get(f"{ADMIN}{model}/{pk}/change/"))
        assert "Traceback" not in content


@pytest.mark.parametrize("model", ["coupon", "site", "poscredential", "customer"])
def test_add_pages_render(staff_client, model):
    body(staff_client.get(f"{ADMIN}{model}/add/"))


@pytest.mark.parametrize(
    "model",
    [
        "clip",
        "postransaction",
        "loyaltyentry",
        "loyaltyhold",
        "couponevent",
        "unknowncouponincommit",
        "unknownposrequest",
    ],
)
def test_what_the_pos_writes_cannot_be_added_or_edited_here(staff_client, model):
    assert staff_client.get(f"{ADMIN}{model}/add/").status_code == 403


# --- pending redemptions --------------------------------------------------------------------


def test_pending_view_lists_oldest_first_and_releases_the_selected(staff_client):
    add_data(6)
    pending = list(Clip.objects.filter(state="pending").order_by("pending_since"))
    assert len(pending) == 2
    content = body(staff_client.get(f"{ADMIN}clip/pending/"))
    oldest, newer = (clip.pending_transaction.transaction_id for clip in pending)
    assert content.index(oldest) < content.index(newer)
    response = staff_client.post(f"{ADMIN}clip/pending/", {"clip": [pending[0].pk]}, follow=True)
    assert "Released 1 pending coupon(s) back to clipped" in body(response)
    pending[0].refresh_from_db()
    assert pending[0].state == "clipped" and pending[0].pending_transaction is None
    assert Clip.objects.get(pk=pending[1].pk).state == "pending"
    event = CouponEvent.objects.filter(clip=pending[0], from_state="pending").get()
    assert event.to_state == "clipped" and event.note.startswith("released in the admin by staff; pending since")


def test_pending_view_filters_by_site(staff_client):
    add_data(3)
    other = site_upsert(site_id="STO2").site
    content = body(staff_client.get(f"{ADMIN}clip/pending/?site={other.pk}"))
    assert "No coupon is pending at this site" in content


def test_release_action_on_the_clip_list_releases_pending_clips_only(staff_client):
    add_data(6)
    chosen = list(Clip.objects.order_by("pk").values_list("pk", flat=True))
    response = staff_client.post(
        f"{ADMIN}clip/", {"action": "release_pending", "_selected_action": chosen}, follow=True
    )
    assert "Released 2 pending coupon(s) back to clipped" in body(response)
    assert not Clip.objects.filter(state="pending").exists()
    assert Clip.objects.filter(state="redeemed").count() == 2


def test_staff_who_may_only_look_cannot_release(client, django_user_model):
    from django.contrib.auth.models import Permission

    add_data(3)
    viewer = django_user_model.objects.create_user("viewer", password="viewer-pass-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_clip"))
    client.force_login(viewer)
    content = body(client.get(f"{ADMIN}clip/pending/"))
    assert 'name="clip"' not in content
    pk = Clip.objects.get(state="pending").pk
    assert client.post(f"{ADMIN}clip/pending/", {"clip": [pk]}).status_code == 403
    assert Clip.objects.get(pk=pk).state == "pending"


# --- coupons --------------------------------------------------------------------------------


def coupon_form(**changes) -> dict:
    form = {
        "coupon_id": "NEW1",
        "short_description": "Half off bananas",
        "requirement_description": "",
        "long_description": "",
        "category": "",
        "brand": "",
        "start_date": "",
        "end_date": "",
        "enabled": "on",
        "external_image_url": "",
        "requirement_upcs": "894773001193, 4011",
        "requirement_depts": "4",
        "min_quantity": "1",
        "min_spend": "",
        "reward_kind": "percent",
        "reward_value": "50",
        "reward_upcs": "",
        "limit_units": "",
        "uses_per_customer": "1",
        "loyalty_cost": "0",
        "loyalty_program": "",
        "reduces_tax": "on",
        "type": "Store Discount",
        "external_id": "",
        "receipt_alias": "",
    }
    form.update(changes)
    return form


def test_staff_add_a_coupon_with_canonical_upcs_an_image_and_targets(staff_client):
    customer = Customer.objects.create(customer_id="412345")
    image = SimpleUploadedFile("bananas.png", demo_image_bytes("bananas.png"), content_type="image/png")
    response = staff_client.post(
        f"{ADMIN}coupon/add/", {**coupon_form(targeted="on", targeted_customers=[customer.pk]), "image": image}
    )
    assert response.status_code == 302, body(response)
    coupon = Coupon.objects.get(coupon_id="NEW1")
    assert coupon.requirement_upcs == ["00894773001193", upc_key(4011)] and upc_key(4011) == "00000000040112"
    assert coupon.requirement_depts == [4] and coupon.reward_value == Decimal("50.00")
    assert coupon.image.name.startswith("coupon-images/") and coupon.image.read() == demo_image_bytes("bananas.png")
    assert list(coupon.targeted_customers.all()) == [customer]
    assert CouponEvent.objects.filter(kind="target", coupon=coupon, customer=customer).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reward_value": "150"}, "The reward value must be at most 100 (percent)."),
        ({"reward_kind": "amount", "reward_value": "0"}, "The reward value must be more than 0 for rewardKind amount."),
        ({"requirement_upcs": "12a"}, "'12a' is not a UPC."),
        ({"requirement_depts": "dairy"}, "'dairy' must be a department number"),
        ({"coupon_id": "C" * 16}, "At most 15 characters"),
        ({"start_date": "2027-02-01", "end_date": "2027-01-01"}, "The end date is before the start date 2027-02-01."),
        ({"limit_units": "0"}, "At least 1, or empty for no limit."),
    ],
)
def test_the_coupon_form_refuses_what_the_import_refuses(staff_client, changes, message):
    content = body(staff_client.post(f"{ADMIN}coupon/add/", coupon_form(**changes)))
    assert message in content
    assert not Coupon.objects.exists()


def test_the_coupon_form_refuses_an_image_the_pos_cannot_show(staff_client):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "BMP")
    upload = SimpleUploadedFile("x.bmp", buffer.getvalue(), content_type="image/bmp")
    content = body(staff_client.post(f"{ADMIN}coupon/add/", {**coupon_form(), "image": upload}))
    assert "is a BMP image; the POS shows JPEG, PNG or GIF only" in content


def test_disable_action_stops_offering_coupons(staff_client):
    add_data(2)
    pks = list(Coupon.objects.values_list("pk", flat=True))
    staff_client.post(f"{ADMIN}coupon/", {"action": "disable", "_selected_action": pks})
    assert not Coupon.objects.filter(enabled=True).exists()


# --- credentials, sites, customers ----------------------------------------------------------


def test_a_credential_added_in_the_admin_is_stored_hashed_and_never_shown(staff_client):
    site = site_upsert(site_id="STO1").site
    form = {"username": "lane-7", "active": "on", "sites": [site.pk], "new_password": "lane-7-pass"}
    response = staff_client.post(f"{ADMIN}poscredential/add/", {**form, "new_password_again": "lane-7-pass"})
    assert response.status_code == 302
    credential = PosCredential.objects.get()
    assert secret_check("lane-7-pass", credential.password).ok and "lane-7-pass" not in credential.password
    page = body(staff_client.get(f"{ADMIN}poscredential/{credential.pk}/change/"))
    assert credential.password not in page and credential.password.split("$")[-1] not in page
    assert "Set (stored hashed" in page


def test_changing_a_credential_without_a_password_keeps_it_and_with_one_replaces_it(staff_client):
    credential = pos_credential_upsert(username="lane-7", password="first-pass").credential
    form = {"username": "lane-7", "active": "on", "all_sites": "on"}
    assert staff_client.post(f"{ADMIN}poscredential/{credential.pk}/change/", form).status_code == 302
    credential.refresh_from_db()
    assert secret_check("first-pass", credential.password).ok
    again = {**form, "new_password": "second-pass", "new_password_again": "second-pass"}
    assert staff_client.post(f"{ADMIN}poscredential/{credential.pk}/change/", again).status_code == 302
    credential.refresh_from_db()
    assert (
        secret_check("second-pass", credential.password).ok and not secret_check("first-pass", credential.password).ok
    )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"new_password": "", "all_sites": "on"}, "A new credential needs a password."),
        ({"new_password": "short", "new_password_again": "short", "all_sites": "on"}, "At least 8 characters"),
        ({"new_password": "long-enough", "new_password_again": "different", "all_sites": "on"}, "passwords differ"),
        ({"new_password": "long-enough", "new_password_again": "long-enough"}, "Choose the sites"),
    ],
)
def test_the_credential_form_refuses_bad_passwords_and_no_sites(staff_client, form, message):
    content = body(staff_client.post(f"{ADMIN}poscredential/add/", {"username": "lane-7", "active": "on", **form}))
    assert message.lower() in content.lower()
    assert not PosCredential.objects.exists()


def test_the_site_form_takes_the_create_site_rule(staff_client):
    content = body(staff_client.post(f"{ADMIN}site/add/", {"site_id": "STO 1", "receipt_template": ""}))
    assert "may only hold letters, digits" in content and not Site.objects.exists()


def test_a_phone_added_in_the_admin_is_matched_on_its_last_ten_digits(staff_client):
    customer = Customer.objects.create(customer_id="412345", first_name="John")
    form = {
        "first_name": "John",
        "last_name": "Smith",
        "phones-TOTAL_FORMS": "1",
        "phones-INITIAL_FORMS": "0",
        "phones-0-number": "+1 (828) 265-2907",
        "emails-TOTAL_FORMS": "1",
        "emails-INITIAL_FORMS": "0",
        "emails-0-email": "John@Example.com",
        "loyalty_accounts-TOTAL_FORMS": "0",
        "loyalty_accounts-INITIAL_FORMS": "0",
        "clips-TOTAL_FORMS": "0",
        "clips-INITIAL_FORMS": "0",
    }
    response = staff_client.post(f"{ADMIN}customer/{customer.pk}/change/", form)
    assert response.status_code == 302, body(response)
    assert CustomerPhone.objects.get().last10 == "8282652907"
    assert customer.emails.get().email == "john@example.com"
    customer.refresh_from_db()
    assert customer.last_name == "Smith"


def test_staff_edit_a_coupon_but_not_its_id(staff_client):
    add_data(1)
    coupon = Coupon.objects.get()
    form = coupon_form(coupon_id="RENAMED", reward_kind="amount", reward_value="2.25", sites=[Site.objects.get().pk])
    response = staff_client.post(f"{ADMIN}coupon/{coupon.pk}/change/", form)
    assert response.status_code == 302, body(response)
    coupon.refresh_from_db()
    assert coupon.coupon_id == "C0" and coupon.reward_value == Decimal("2.25")
    assert list(coupon.sites.values_list("site_id", flat=True)) == ["STO1"]


def test_customers_are_found_by_autocomplete_for_targeting(staff_client):
    add_data(3)
    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "coupons", "model_name": "coupon", "field_name": "targeted_customers", "term": "Shopper"},
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_a_free_item_coupon_needs_no_reward_value_and_the_others_do(staff_client):
    content = body(staff_client.post(f"{ADMIN}coupon/add/", coupon_form(reward_kind="amount", reward_value="")))
    assert "The reward value is required for rewardKind amount." in content
    response = staff_client.post(f"{ADMIN}coupon/add/", coupon_form(reward_kind="free", reward_value=""))
    assert response.status_code == 302
    assert Coupon.objects.get().reward_value == 0
