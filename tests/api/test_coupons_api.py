"""The staff API over what the hub owns: coupons and customers (in the import schema, written
through the import services), clips and transactions (read-only), sites and POS credentials."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from coupons.models import Clip, Coupon, CouponEvent, Customer, LoyaltyEntry, PosCredential, PosTransaction, Redemption
from coupons.services.coupon_import import coupons_import
from coupons.services.sites import site_upsert
from ecrs_hub.machine_secrets import secret_check

from .conftest import token_client

pytestmark = pytest.mark.django_db

SODA = {
    "id": "SODA10",
    "shortDescription": "10% off soda",
    "rewardKind": "percent",
    "rewardValue": "10",
    "requirementUpcs": [894773001193],
    "sites": ["STO1"],
}


@pytest.fixture
def sites(db):
    site_upsert(site_id="STO1", store_number="27")
    site_upsert(site_id="STO2")


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def coupon_pk(coupon_id: str) -> int:
    return Coupon.objects.get(coupon_id=coupon_id).pk


# --- coupons: writes -------------------------------------------------------------------------


def test_a_coupon_is_created_from_an_import_record(api, sites):
    response = post(api, "/api/coupons/", SODA)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] == "SODA10" and body["pk"] == coupon_pk("SODA10")
    assert body["rewardValue"] == "10.00"  # money and percents as decimal strings
    assert body["minQuantity"] == "1.000" and body["minSpend"] is None
    assert body["requirementUpcs"] == ["00894773001193"]  # the canonical GTIN-14 key
    assert body["sites"] == ["STO1"] and body["targetedCustomers"] == []
    assert body["enabled"] is True and body["usesPerCustomer"] == 1  # the import's defaults


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"rewardValue": "150"}, "rewardValue", "must be at most 100"),
        ({"rewardKind": "half"}, "rewardKind", "must be one of"),
        ({"rewardKind": None}, "rewardKind", "is required"),
        ({"startDate": "2026-12-31", "endDate": "2026-12-01"}, "endDate", "is before startDate"),
        ({"requirementUpcs": ["12a"]}, "requirementUpcs", "requirementUpcs[0]"),
        ({"sites": ["NOWHERE"]}, "sites", "no site 'NOWHERE'"),
        ({"id": "X" * 16}, "id", "1 to 15 characters"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"minSpend": "-1"}, "minSpend", "must not be negative"),
    ],
)
def test_a_bad_coupon_is_a_400_naming_the_field_and_the_rule(api, sites, change, field, words):
    response = post(api, "/api/coupons/", {**SODA, **change})
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert words in " ".join(errors[field])
    assert not Coupon.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400(api, sites):
    response = post(api, "/api/coupons/", [SODA])
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_creating_an_existing_coupon_id_is_a_400(api, sites):
    post(api, "/api/coupons/", SODA)
    response = post(api, "/api/coupons/", {**SODA, "shortDescription": "other"})
    assert response.status_code == 400 and "id" in response.json()
    assert Coupon.objects.get().short_description == "10% off soda"


def test_patch_changes_only_what_it_carries(api, sites):
    post(api, "/api/coupons/", {**SODA, "targeted": True, "targetedCustomers": ["4001"]})
    response = api.patch(
        f"/api/coupons/{coupon_pk('SODA10')}/", {"shortDescription": "Soda deal"}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    coupon = Coupon.objects.get()
    assert coupon.short_description == "Soda deal"
    assert list(coupon.sites.values_list("site_id", flat=True)) == ["STO1"]
    assert list(coupon.targeted_customers.values_list("customer_id", flat=True)) == ["4001"]
    assert coupon.reward_value == Decimal("10.00")


def test_put_replaces_the_whole_definition_like_the_import(api, sites):
    post(api, "/api/coupons/", {**SODA, "featured": True})
    response = api.put(
        f"/api/coupons/{coupon_pk('SODA10')}/",
        {"rewardKind": "amount", "rewardValue": "0.50"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["rewardKind"], body["rewardValue"], body["featured"], body["sites"]) == ("amount", "0.50", False, [])


def test_the_id_cannot_change(api, sites):
    post(api, "/api/coupons/", SODA)
    response = api.patch(f"/api/coupons/{coupon_pk('SODA10')}/", {"id": "SODA11"}, content_type="application/json")
    assert response.status_code == 400 and "id" in response.json()


def test_a_record_the_api_returns_imports_back_unchanged(api, sites):
    post(api, "/api/coupons/", {**SODA, "minSpend": "5", "targeted": True, "targetedCustomers": ["4001", "4002"]})
    record = api.get(f"/api/coupons/{coupon_pk('SODA10')}/").json()
    for read_only in ("pk", "createdAt", "updatedAt"):
        record.pop(read_only)
    assert coupons_import(records=[record]).unchanged == 1
    assert api.put(f"/api/coupons/{coupon_pk('SODA10')}/", record, content_type="application/json").status_code == 200


def test_newly_targeted_customers_are_audited_as_by_the_import(api, sites):
    post(api, "/api/coupons/", {**SODA, "targeted": True, "targetedCustomers": ["4001"]})
    assert CouponEvent.objects.filter(kind="target", customer__customer_id="4001").count() == 1


def test_a_coupon_with_redemptions_cannot_be_deleted(api, sites):
    post(api, "/api/coupons/", SODA)
    post(api, "/api/coupons/", {**SODA, "id": "CHIPS"})
    coupon = Coupon.objects.get(coupon_id="SODA10")
    customer = Customer.objects.create(customer_id="4001")
    sale = PosTransaction.objects.create(site=coupon.sites.get(), transaction_id="T1", status="committed")
    Redemption.objects.create(coupon=coupon, customer=customer, transaction=sale, discount="0.10")

    response = api.delete(f"/api/coupons/{coupon.pk}/")
    assert response.status_code == 409
    assert "cannot be deleted" in response.json()["detail"]
    assert api.delete(f"/api/coupons/{coupon_pk('CHIPS')}/").status_code == 204
    assert list(Coupon.objects.values_list("coupon_id", flat=True)) == ["SODA10"]


def test_writing_coupons_needs_the_add_and_change_permissions(make_user, sites):
    viewer = token_client(make_user("viewer", perms=("coupons.view_coupon",)))
    assert post(viewer, "/api/coupons/", SODA).status_code == 403
    assert viewer.get("/api/coupons/").status_code == 200
    editor = token_client(make_user("editor", perms=("coupons.view_coupon", "coupons.add_coupon")))
    assert post(editor, "/api/coupons/", SODA).status_code == 201
    assert editor.patch(f"/api/coupons/{coupon_pk('SODA10')}/", {}, content_type="application/json").status_code == 403


# --- coupons: reads --------------------------------------------------------------------------


def test_coupons_filter_by_site_state_and_dates(api, sites):
    coupons_import(
        records=[
            {**SODA, "id": "A", "sites": ["STO1"]},
            {**SODA, "id": "B", "sites": ["STO2"], "endDate": "2020-01-31"},
            {**SODA, "id": "C", "sites": [], "enabled": False},
            {**SODA, "id": "D", "sites": [], "rewardKind": "free", "loyaltyCost": 100},
        ]
    )

    def ids(**params):
        return [row["id"] for row in api.get("/api/coupons/", params).json()["results"]]

    assert ids() == ["A", "B", "C", "D"]
    assert ids(site="STO2") == ["B"]
    assert ids(enabled="false") == ["C"]
    assert ids(active_on=timezone.localdate().isoformat()) == ["A", "D"]
    assert ids(loyalty="true") == ["D"]
    assert ids(reward_kind="free") == ["D"]
    assert ids(search="soda", ordering="-coupon_id") == ["D", "C", "B", "A"]
    assert api.get("/api/coupons/", {"active_on": "someday"}).status_code == 400


def test_listing_coupons_counts_targets_and_takes_a_fixed_number_of_queries(api, sites, django_assert_max_num_queries):
    coupons_import(
        records=[
            {**SODA, "id": f"C{n:03}", "targeted": True, "targetedCustomers": [f"90{n}", "4001"]} for n in range(60)
        ]
    )
    with django_assert_max_num_queries(5):  # token, count, page, sites
        body = api.get("/api/coupons/", {"page_size": 100}).json()
    assert body["count"] == 60
    assert body["results"][0]["targetedCustomerCount"] == 2
    assert "targetedCustomers" not in body["results"][0]


# --- customers -------------------------------------------------------------------------------


ANN = {
    "id": "4001",
    "firstName": "Ann",
    "lastName": "Lee",
    "phones": ["(828) 265-2907"],
    "emails": ["Ann@Example.com"],
    "loyalty": [{"id": "L4001", "balance": 250}],
}


def test_a_customer_is_created_with_contacts_and_a_loyalty_balance(api):
    response = post(api, "/api/customers/", ANN)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phones"] == ["(828) 265-2907"] and body["emails"] == ["ann@example.com"]
    assert body["loyalty"] == [{"id": "L4001", "balance": 250}]
    assert LoyaltyEntry.objects.get().points == 250  # through the ledger


def test_setting_a_balance_writes_the_difference_to_the_ledger(api):
    post(api, "/api/customers/", ANN)
    pk = Customer.objects.get().pk
    response = api.patch(
        f"/api/customers/{pk}/", {"loyalty": [{"id": "L4001", "balance": 100}]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["loyalty"] == [{"id": "L4001", "balance": 100}]
    assert response.json()["phones"] == ["(828) 265-2907"]  # not carried: kept
    assert sorted(LoyaltyEntry.objects.values_list("points", flat=True)) == [-150, 250]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"emails": ["not-an-email"]}, "emails"),
        ({"phones": ["12"]}, "phones"),
        ({"loyalty": [{"id": "L", "balance": -5}]}, "loyalty"),
    ],
)
def test_a_bad_customer_is_a_400_naming_the_field(api, change, field):
    response = post(api, "/api/customers/", {**ANN, **change})
    assert response.status_code == 400
    assert field in response.json()
    assert not Customer.objects.exists()


def test_customers_filter_by_phone_and_email_without_n_plus_1(api, django_assert_max_num_queries):
    for n in range(30):
        post(
            api,
            "/api/customers/",
            {
                **ANN,
                "id": f"50{n:02}",
                "phones": [f"828555{n:04}"],
                "emails": [],
                "loyalty": [{"id": f"L50{n:02}", "balance": n}],
            },
        )
    assert [row["id"] for row in api.get("/api/customers/", {"phone": "+1 828 555 0007"}).json()["results"]] == ["5007"]
    with django_assert_max_num_queries(7):  # token, count, page, phones, emails, accounts with balances
        body = api.get("/api/customers/", {"page_size": 50}).json()
    assert body["count"] == 30 and body["results"][3]["loyalty"] == [{"id": "L5003", "balance": 3}]


# --- clips and transactions ------------------------------------------------------------------


@pytest.fixture
def sales(api, sites):
    coupons_import(records=[{**SODA, "id": f"C{n}"} for n in range(4)])
    site = PosTransaction._meta.get_field("site").related_model.objects.get(site_id="STO1")
    ann = Customer.objects.create(customer_id="4001")
    open_sale = PosTransaction.objects.create(site=site, transaction_id="T-OPEN", customer=ann)
    done = PosTransaction.objects.create(site=site, transaction_id="T-DONE", customer=ann, status="committed")
    coupons = {coupon.coupon_id: coupon for coupon in Coupon.objects.all()}
    now = timezone.now()
    Clip.objects.create(customer=ann, coupon=coupons["C0"], state="clipped")
    Clip.objects.create(
        customer=ann, coupon=coupons["C1"], state="pending", pending_transaction=open_sale, pending_since=now
    )
    redeemed = Clip.objects.create(customer=ann, coupon=coupons["C2"], state="redeemed", uses_count=1, redeemed_at=now)
    Redemption.objects.create(
        clip=redeemed, coupon=coupons["C2"], customer=ann, transaction=done, line_id="1", discount="0.25"
    )


def test_clips_list_pending_redemptions_by_site(api, sales):
    rows = api.get("/api/clips/", {"state": "pending", "site": "STO1"}).json()["results"]
    assert [(row["coupon"], row["customer"], row["pending_transaction"], row["pending_site"]) for row in rows] == [
        ("C1", "4001", "T-OPEN", "STO1")
    ]
    clipped = api.get("/api/clips/", {"state": "clipped"}).json()["results"]
    assert clipped[0]["pending_transaction"] is None
    assert post(api, "/api/clips/", {"coupon": "C3"}).status_code == 405


def test_transactions_show_their_redemptions_with_money_as_strings(api, sales, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        rows = api.get("/api/transactions/", {"status": "committed"}).json()["results"]
    assert [(row["transaction_id"], row["site"], row["customer"]) for row in rows] == [("T-DONE", "STO1", "4001")]
    assert rows[0]["redemptions"] == [
        {"coupon": "C2", "line_id": "1", "discount": "0.25", "created_at": rows[0]["redemptions"][0]["created_at"]}
    ]


# --- sites and POS credentials ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"site_id": "bad id!"}, "site_id"),
        ({"site_id": "STO9", "receipt_template": "Saved {amount}"}, "receipt_template"),
    ],
)
def test_a_bad_site_is_a_400_naming_the_field(api, body, field):
    response = post(api, "/api/sites/", body)
    assert response.status_code == 400 and field in response.json()


def test_a_site_is_created_and_cannot_be_deleted_while_coupons_use_it(api, sites):
    response = post(api, "/api/sites/", {"site_id": "STO3", "self_stacking": True})
    assert response.status_code == 201 and response.json()["self_stacking"] is True
    post(api, "/api/coupons/", SODA)  # at STO1
    sto1 = api.get("/api/sites/", {"site_id": "STO1"}).json()["results"][0]
    assert sto1["store_number"] == "27"
    assert api.delete(f"/api/sites/{sto1['id']}/").status_code == 409
    assert api.delete(f"/api/sites/{response.json()['id']}/").status_code == 204


def test_a_pos_credential_password_is_write_only_and_stored_hashed(api, sites):
    response = post(
        api, "/api/pos-credentials/", {"username": "tserver1", "password": "s3cret-pass", "sites": ["STO1"]}
    )
    assert response.status_code == 201, response.json()
    assert "password" not in response.json() and response.json()["sites"] == ["STO1"]
    credential = PosCredential.objects.get()
    assert credential.password != "s3cret-pass" and secret_check("s3cret-pass", credential.password).ok

    pk = credential.pk
    assert (
        api.patch(f"/api/pos-credentials/{pk}/", {"active": False}, content_type="application/json").status_code == 200
    )
    credential.refresh_from_db()
    assert not credential.active and secret_check("s3cret-pass", credential.password).ok  # kept
    assert "s3cret" not in api.get("/api/pos-credentials/").content.decode()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "t1", "sites": ["STO1"]}, "password"),
        ({"username": "t1", "password": "short", "sites": ["STO1"]}, "password"),
        ({"username": "t:1", "password": "long-enough", "sites": ["STO1"]}, "username"),
        ({"username": "t1", "password": "long-enough"}, "sites"),
        ({"username": "t1", "password": "long-enough", "sites": ["NOPE"]}, "sites"),
    ],
)
def test_a_bad_pos_credential_is_a_400_naming_the_field(api, sites, body, field):
    response = post(api, "/api/pos-credentials/", body)
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize("body", [{**SODA, "id": "A\x00B"}, {**SODA, "sites": ["STO\x001"]}, {**SODA, "x\x00": 1}])
def test_text_with_nul_characters_is_a_400_not_a_database_error(api, sites, body):
    response = post(api, "/api/coupons/", body)
    assert response.status_code == 400
    assert "NUL" in str(response.json())


def test_a_coupon_pending_at_a_register_cannot_be_deleted(api, sites):
    post(api, "/api/coupons/", SODA)
    coupon = Coupon.objects.get()
    ann = Customer.objects.create(customer_id="4001")
    sale = PosTransaction.objects.create(site=coupon.sites.get(), transaction_id="T1", customer=ann)
    Clip.objects.create(
        customer=ann, coupon=coupon, state="pending", pending_transaction=sale, pending_since=timezone.now()
    )
    response = api.delete(f"/api/coupons/{coupon.pk}/")
    assert response.status_code == 409
    assert "disable it instead" in response.json()["detail"]
    assert Coupon.objects.exists()
