"""The operator commands of CONTRACT 6 for coupons: create_site, create_pos_credential,
import_coupons, import_customers. Each is run as an operator runs it (call_command with the
same arguments, files on disk or standard input) and checked by what it prints and what the
database then holds; bad input exits non-zero (CommandError) naming what is wrong and
changes nothing."""

from __future__ import annotations

import base64
import io
import json
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from coupons.models import (
    Coupon,
    CouponEvent,
    Customer,
    CustomerEmail,
    CustomerPhone,
    LoyaltyAccount,
    LoyaltyEntry,
    PosCredential,
    Site,
)
from coupons.services.sites import site_upsert
from demo.catalog import demo_image_bytes
from ecrs_hub.machine_secrets import secret_check
from items.models import Store

pytestmark = pytest.mark.django_db


def run(*args, stdin: bytes | None = None, monkeypatch=None) -> str:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def fails(*args, match: str, stdin: bytes | None = None, monkeypatch=None) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args, stdin=stdin, monkeypatch=monkeypatch)
    assert match in str(caught.value), str(caught.value)
    return str(caught.value)


def write_json(tmp_path, value, name="data.json"):
    path = tmp_path / name
    path.write_text(json.dumps(value))
    return str(path)


# --- create_site ---------------------------------------------------------------------------


def test_create_site_links_an_existing_store_by_number():
    store = Store.objects.create(number="27", name="Urban Market Boone")
    output = run("create_site", "STO1", "--store-number", "27", "--self-stacking")
    site = Site.objects.get(site_id="STO1")
    assert site.store == store and site.self_stacking and not site.use_external_images
    assert "Created site STO1: store number 27 (Urban Market Boone), self-stacking on" in output
    assert Store.objects.count() == 1


def test_create_site_creates_the_store_when_no_store_has_the_number():
    output = run("create_site", "STO2", "--store-number", "41", "--use-external-images")
    site = Site.objects.get(site_id="STO2")
    assert site.store.number == "41" and site.use_external_images
    assert "Created store number 41" in output


def test_create_site_again_updates_only_what_is_given():
    run("create_site", "STO1", "--store-number", "27", "--self-stacking")
    output = run("create_site", "STO1", "--use-external-images")
    site = Site.objects.get()
    assert site.store.number == "27" and site.self_stacking and site.use_external_images
    assert output.startswith("Updated site STO1")
    run("create_site", "STO1", "--no-self-stacking")
    site.refresh_from_db()
    assert not site.self_stacking and site.use_external_images
    assert Site.objects.count() == 1 and Store.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("STO 1",), "may only hold letters, digits"),
        (("x" * 33,), "must be 1 to 32 characters"),
        (("STO1", "--store-number", "12345678901"), "the store number must be 1 to 10 characters"),
    ],
)
def test_create_site_refuses_bad_input(args, message):
    fails("create_site", *args, match=message)
    assert not Site.objects.exists() and not Store.objects.exists()


def test_create_site_refuses_a_store_number_two_stores_share():
    Store.objects.create(number="5", record_id="a")
    Store.objects.create(number="5", record_id="b")
    fails("create_site", "STO5", "--store-number", "5", match="several stores have number 5")
    assert not Site.objects.exists()


# --- create_pos_credential -----------------------------------------------------------------


def test_create_pos_credential_stores_the_password_hashed_for_the_sites_given():
    run("create_site", "STO1")
    run("create_site", "STO2")
    output = run("create_pos_credential", "lane-pos", "--password", "s3cret-pass", "--site", "STO1", "--site", "STO2")
    credential = PosCredential.objects.get()
    assert credential.password != "s3cret-pass" and "s3cret-pass" not in credential.password
    assert secret_check("s3cret-pass", credential.password).ok
    assert sorted(credential.sites.values_list("site_id", flat=True)) == ["STO1", "STO2"]
    assert not credential.all_sites
    assert "Created POS credential lane-pos for sites STO1, STO2" in output


def test_create_pos_credential_without_site_means_every_site_and_a_rerun_changes_the_password():
    run("create_site", "STO1")
    run("create_pos_credential", "lane-pos", "--password", "first-pass", "--site", "STO1")
    output = run("create_pos_credential", "lane-pos", "--password", "second-pass")
    credential = PosCredential.objects.get()
    assert credential.all_sites and not credential.sites.exists()
    assert secret_check("second-pass", credential.password).ok
    assert not secret_check("first-pass", credential.password).ok
    assert "Updated POS credential lane-pos for every site" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("pos", "--password", "short"), "at least 8 characters"),
        (("pos", "--password", " padded-pass "), "must not start or end with spaces"),
        (("pos:1", "--password", "long-enough"), "must not contain ':'"),
        (("pos", "--password", "long-enough", "--site", "NOPE"), "no site NOPE"),
    ],
)
def test_create_pos_credential_refuses_bad_input(args, message):
    fails("create_pos_credential", *args, match=message)
    assert not PosCredential.objects.exists()


def test_create_pos_credential_without_a_password_generates_a_strong_one_and_prints_it_once(client):
    site_upsert(site_id="STO1")
    output = run("create_pos_credential", "lane-pos", "--site", "STO1")
    password = output.strip().splitlines()[-1]
    assert len(password) >= 20 and all(char.isalnum() or char in "-_" for char in password)
    credential = PosCredential.objects.get(username="lane-pos")
    assert password not in credential.password and secret_check(password, credential.password).ok
    auth = "Basic " + base64.b64encode(f"lane-pos:{password}".encode()).decode()
    assert client.get("/pos/coupons", {"site": "STO1"}, HTTP_AUTHORIZATION=auth).status_code == 200

    # Updating it later (another site) keeps that password and shows none ...
    site_upsert(site_id="STO2")
    again = run("create_pos_credential", "lane-pos", "--site", "STO1", "--site", "STO2")
    assert password not in again and "Password" not in again
    assert client.get("/pos/coupons", {"site": "STO2"}, HTTP_AUTHORIZATION=auth).status_code == 200
    # ... unless a new one is asked for: the old one stops working.
    third = run("create_pos_credential", "lane-pos", "--generate-password").strip().splitlines()[-1]
    assert third != password
    assert client.get("/pos/coupons", {"site": "STO1"}, HTTP_AUTHORIZATION=auth).status_code == 401
    assert run("create_pos_credential", "other").strip().splitlines()[-1] not in {password, third}


def test_create_pos_credential_refuses_a_password_and_a_generated_one_together():
    fails("create_pos_credential", "pos", "--password", "long-enough", "--generate-password", match="not both")


# --- import_coupons ------------------------------------------------------------------------

FULL = {
    "id": "C2222",
    "shortDescription": "10% Off A Certain Soft Drink",
    "requirementDescription": "Buy One X Brand Soft Drink and get 10% Off.",
    "longDescription": "Offer not valid in certain states and provinces.",
    "category": "Beverages",
    "brand": "Brand X",
    "startDate": "2026-01-01",
    "endDate": "2027-07-28",
    "imageUrl": "images/soda.png",
    "targeted": True,
    "enabled": True,
    "featured": True,
    "requirementUpcs": [894773001193, "0894773001049"],
    "rewardUpcs": [],
    "requirementDepts": [3],
    "minQuantity": 2,
    "minSpend": "5.00",
    "rewardKind": "percent",
    "rewardValue": 10,
    "limitUnits": 4,
    "usesPerCustomer": 2,
    "sites": ["STO1"],
    "loyaltyCost": 100,
    "reducesTax": False,
    "type": "Mfr Discount",
    "externalId": "51112456789",
    "receiptAlias": "X Soda 10%",
    "targetedCustomers": ["412345", "999"],
}


@pytest.fixture
def coupon_file(tmp_path):
    """A coupon file with every field of the schema, its image beside it, and its site."""
    Site.objects.create(site_id="STO1")
    (tmp_path / "soda.png").write_bytes(demo_image_bytes("soda.png"))
    minimal = {"id": "FREEBAG", "rewardKind": "free", "requirementUpcs": [4011]}
    return write_json(tmp_path, [FULL, minimal], "coupons.json")


def test_import_coupons_stores_every_field(coupon_file):
    Customer.objects.create(customer_id="412345")
    output = run("import_coupons", coupon_file)
    assert "Coupons: 2 created, 0 updated, 0 unchanged" in output
    assert "1 targeted customers not seen before were added by id" in output
    coupon = Coupon.objects.get(coupon_id="C2222")
    assert coupon.short_description == FULL["shortDescription"] and coupon.category == "Beverages"
    assert (coupon.start_date, coupon.end_date) == (date(2026, 1, 1), date(2027, 7, 28))
    assert coupon.requirement_upcs == ["00894773001193", "00894773001049"]
    assert coupon.requirement_depts == [3] and coupon.reward_upcs == []
    assert coupon.min_quantity == Decimal(2) and coupon.min_spend == Decimal("5.00")
    assert (coupon.reward_kind, coupon.reward_value) == ("percent", Decimal("10.00"))
    assert (coupon.limit_units, coupon.uses_per_customer, coupon.loyalty_cost) == (4, 2, 100)
    assert coupon.targeted and coupon.featured and coupon.enabled and not coupon.reduces_tax
    assert (coupon.type, coupon.external_id, coupon.receipt_alias) == ("Mfr Discount", "51112456789", "X Soda 10%")
    assert list(coupon.sites.values_list("site_id", flat=True)) == ["STO1"]
    assert sorted(coupon.targeted_customers.values_list("customer_id", flat=True)) == ["412345", "999"]
    assert coupon.image.name.startswith("coupon-images/") and coupon.image.name.endswith(".png")
    assert coupon.image.read() == demo_image_bytes("soda.png")
    assert CouponEvent.objects.filter(kind="target", coupon=coupon).count() == 2


def test_import_coupons_fills_the_contract_defaults(coupon_file):
    run("import_coupons", coupon_file)
    coupon = Coupon.objects.get(coupon_id="FREEBAG")
    assert coupon.enabled and not coupon.targeted and not coupon.featured
    assert coupon.requirement_upcs and coupon.reward_upcs == [] and coupon.requirement_depts == []
    assert coupon.min_quantity == 1 and coupon.min_spend is None and coupon.limit_units is None
    assert coupon.uses_per_customer == 1 and coupon.loyalty_cost == 0 and coupon.reduces_tax
    assert coupon.type == "Store Discount" and coupon.reward_value == 0
    assert coupon.start_date is None and coupon.end_date is None
    assert not coupon.image and not coupon.external_image_url and not coupon.sites.exists()


def test_import_coupons_again_changes_nothing(coupon_file):
    run("import_coupons", coupon_file)
    before = list(Coupon.objects.order_by("pk").values("pk", "updated_at", "image"))
    events = CouponEvent.objects.count()
    output = run("import_coupons", coupon_file)
    assert "Coupons: 0 created, 0 updated, 2 unchanged" in output
    assert list(Coupon.objects.order_by("pk").values("pk", "updated_at", "image")) == before
    assert CouponEvent.objects.count() == events and Customer.objects.count() == 2


def test_import_coupons_updates_rules_sites_and_targets(coupon_file, tmp_path):
    run("import_coupons", coupon_file)
    Site.objects.create(site_id="STO2")
    changed = {**FULL, "rewardValue": "15", "sites": ["STO2"], "targetedCustomers": ["999"], "imageUrl": None}
    output = run("import_coupons", write_json(tmp_path, [changed]))
    assert "0 created, 1 updated, 0 unchanged" in output
    coupon = Coupon.objects.get(coupon_id="C2222")
    assert coupon.reward_value == Decimal("15.00") and not coupon.image
    assert list(coupon.sites.values_list("site_id", flat=True)) == ["STO2"]
    assert list(coupon.targeted_customers.values_list("customer_id", flat=True)) == ["999"]


def test_import_coupons_counts_a_change_of_sites_alone_as_an_update(coupon_file, tmp_path):
    run("import_coupons", coupon_file)
    output = run("import_coupons", write_json(tmp_path, [{**FULL, "sites": []}]))
    assert "0 created, 1 updated, 0 unchanged" in output
    assert not Coupon.objects.get(coupon_id="C2222").sites.exists()


def test_import_coupons_reads_standard_input(coupon_file, monkeypatch):
    data = json.dumps([{"id": "AMT1", "rewardKind": "amount", "rewardValue": 1.5, "requirementDepts": [1]}])
    output = run("import_coupons", "-", stdin=data.encode(), monkeypatch=monkeypatch)
    assert "1 created" in output
    assert Coupon.objects.get(coupon_id="AMT1").reward_value == Decimal("1.50")


def test_import_coupons_keeps_an_external_image_url(coupon_file, tmp_path):
    url = "https://cdn.example.com/coupons/soda.jpg"
    run("import_coupons", write_json(tmp_path, [{**FULL, "imageUrl": url}]))
    coupon = Coupon.objects.get()
    assert coupon.external_image_url == url and not coupon.image


def test_import_coupons_reuses_an_image_the_hub_already_stores(coupon_file, tmp_path):
    run("import_coupons", coupon_file)
    stored = Coupon.objects.get(coupon_id="C2222").image.name
    name = stored.rsplit("/", 1)[1]
    other = tmp_path / "elsewhere"
    other.mkdir()
    record = {"id": "AGAIN", "rewardKind": "free", "requirementDepts": [1], "imageUrl": f"images/{name}"}
    run("import_coupons", write_json(other, [record]))
    assert Coupon.objects.get(coupon_id="AGAIN").image.name == stored


def test_import_coupons_warns_about_a_coupon_that_can_never_apply(coupon_file, tmp_path):
    output = run("import_coupons", write_json(tmp_path, [{"id": "NOTHING", "rewardKind": "free"}]))
    assert "NOTHING: no requirement UPCs or departments, so it never applies" in output


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "C" * 16, "rewardKind": "free"}, "[0].id: 'CCCCCCCCCCCCCCCC' must be 1 to 15 characters"),
        ({"rewardKind": "free"}, "[0].id: is required"),
        ({"id": "X"}, "[0].rewardKind: is required"),
        ({"id": "X", "rewardKind": "half"}, "[0].rewardKind: 'half' must be one of percent, amount, fixed_price, free"),
        ({"id": "X", "rewardKind": "amount"}, "[0].rewardValue: is required for rewardKind amount"),
        ({"id": "X", "rewardKind": "percent", "rewardValue": 150}, "[0].rewardValue: 150 must be at most 100"),
        ({"id": "X", "rewardKind": "amount", "rewardValue": -1}, "[0].rewardValue: -1 must not be negative"),
        ({"id": "X", "rewardKind": "amount", "rewardValue": "one"}, "[0].rewardValue: 'one' must be a number"),
        ({"id": "X", "rewardKind": "free", "sites": ["NOPE"]}, "[0].sites: no site 'NOPE'"),
        ({"id": "X", "rewardKind": "free", "colour": "red"}, "[0].colour: unknown field"),
        ({"id": "X", "rewardKind": "free", "requirementUpcs": ["12a"]}, "[0].requirementUpcs[0]: '12a' is not a UPC"),
        ({"id": "X", "rewardKind": "free", "requirementUpcs": 123}, "[0].requirementUpcs: 123 must be a list"),
        ({"id": "X", "rewardKind": "free", "requirementDepts": ["dairy"]}, "must be a department number"),
        ({"id": "X", "rewardKind": "free", "endDate": "28/07/2027"}, "[0].endDate: '28/07/2027' must be an ISO date"),
        (
            {"id": "X", "rewardKind": "free", "startDate": "2027-02-01", "endDate": "2027-01-01"},
            "[0].endDate: '2027-01-01' is before startDate 2027-02-01",
        ),
        ({"id": "X", "rewardKind": "free", "usesPerCustomer": 0}, "[0].usesPerCustomer: 0 must be at least 1"),
        ({"id": "X", "rewardKind": "free", "limitUnits": 1.5}, "[0].limitUnits: 1.5 must be a whole number"),
        ({"id": "X", "rewardKind": "free", "enabled": "maybe"}, "[0].enabled: 'maybe' must be a boolean"),
        ({"id": "X", "rewardKind": "free", "imageUrl": "missing.jpg"}, "[0].imageUrl: 'missing.jpg' names no image"),
        ({"id": "X", "rewardKind": "free", "imageUrl": "../etc/passwd"}, "must name an image file (no '..')"),
        ({"id": "X", "rewardKind": "free", "imageUrl": "ftp://host/x.jpg"}, "must be an http(s) URL"),
        ({"id": "X", "rewardKind": "free", "shortDescription": "x" * 256}, "is longer than 255 characters"),
        (
            {"id": "X", "rewardKind": "free", "targetedCustomers": [""]},
            "[0].targetedCustomers[0]: '' must be 1 to 255 characters",
        ),
        ("C1", "[0]: must be a JSON object"),
    ],
)
def test_import_coupons_names_the_record_and_field_of_each_problem(tmp_path, record, message):
    Site.objects.create(site_id="STO1")
    fails("import_coupons", write_json(tmp_path, [record]), match=message)
    assert not Coupon.objects.exists()


def test_import_coupons_refuses_an_image_that_is_not_jpeg_png_or_gif(tmp_path):
    (tmp_path / "notes.jpg").write_bytes(b"not an image at all")
    (tmp_path / "photo.bmp").write_bytes(_bmp())
    record = {"id": "X", "rewardKind": "free", "imageUrl": "notes.jpg"}
    fails("import_coupons", write_json(tmp_path, [record]), match="[0].imageUrl: 'notes.jpg' is not a readable image")
    record["imageUrl"] = "photo.bmp"
    fails("import_coupons", write_json(tmp_path, [record]), match="is a BMP image; the POS shows JPEG, PNG or GIF")


def _bmp() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "BMP")
    return buffer.getvalue()


def test_import_coupons_rejects_the_whole_file_for_one_bad_record(tmp_path):
    good = {"id": "GOOD", "rewardKind": "free", "requirementDepts": [1]}
    output = fails(
        "import_coupons",
        write_json(tmp_path, [good, {"id": "BAD", "rewardKind": "amount"}, {**good}]),
        match="Nothing imported: 2 problem(s) in the coupons",
    )
    assert "[1].rewardValue: is required" in output and "[2].id: 'GOOD' is also record [0]'s id" in output
    assert not Coupon.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[{", "the file is not JSON"),
        (b'{"id": "C1"}', "the file must hold a JSON array of coupons, not a JSON dict"),
    ],
)
def test_import_coupons_refuses_a_file_that_is_not_a_json_array(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    fails("import_coupons", str(path), match=message)


def test_import_coupons_refuses_a_missing_file(tmp_path):
    fails("import_coupons", str(tmp_path / "nope.json"), match="Cannot read")


# --- import_customers ----------------------------------------------------------------------

CUSTOMERS = [
    {
        "id": "412345",
        "firstName": "John",
        "lastName": "Smith",
        "email": "Support@ECRS.com",
        "phones": ["(828) 265-2907", "1-828-555-0100"],
        "emails": ["john@example.com"],
        "loyalty": [{"id": "12345678901234", "balance": 400}],
    },
    {"id": 77, "firstName": "Ann"},
]


def balance(loyalty_id: str) -> int:
    return LoyaltyEntry.objects.filter(account__loyalty_id=loyalty_id).aggregate(total=Sum("points"))["total"] or 0


def test_import_customers_stores_customers_contacts_and_balances(tmp_path):
    output = run("import_customers", write_json(tmp_path, CUSTOMERS))
    assert "Customers: 2 created, 0 updated, 0 unchanged; loyalty: 1 accounts created, 1 balances changed" in output
    john = Customer.objects.get(customer_id="412345")
    assert (john.first_name, john.last_name) == ("John", "Smith")
    assert sorted(john.phones.values_list("last10", flat=True)) == ["8282652907", "8285550100"]
    assert list(john.emails.order_by("pk").values_list("email", flat=True)) == ["support@ecrs.com", "john@example.com"]
    account = LoyaltyAccount.objects.get()
    assert account.customer == john and balance("12345678901234") == 400
    assert LoyaltyEntry.objects.get().reason == "import"
    assert Customer.objects.get(customer_id="77").first_name == "Ann"


def test_import_customers_again_changes_nothing(tmp_path):
    path = write_json(tmp_path, CUSTOMERS)
    run("import_customers", path)
    stamps = list(Customer.objects.order_by("pk").values_list("updated_at", flat=True))
    output = run("import_customers", path)
    assert "0 created, 0 updated, 2 unchanged; loyalty: 0 accounts created, 0 balances changed" in output
    assert (
        LoyaltyEntry.objects.count() == 1 and CustomerPhone.objects.count() == 2 and CustomerEmail.objects.count() == 2
    )
    assert list(Customer.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_import_customers_sets_a_balance_through_an_adjustment_entry(tmp_path):
    run("import_customers", write_json(tmp_path, CUSTOMERS))
    account = LoyaltyAccount.objects.get()
    LoyaltyEntry.objects.create(account=account, points=-100, reason="redemption")
    run(
        "import_customers",
        write_json(tmp_path, [{"id": "412345", "loyalty": [{"id": "12345678901234", "balance": 350}]}]),
    )
    assert balance("12345678901234") == 350
    assert list(account.entries.order_by("pk").values_list("points", flat=True)) == [400, -100, 50]


def test_import_customers_leaves_out_keys_unchanged_and_replaces_lists_given(tmp_path):
    run("import_customers", write_json(tmp_path, CUSTOMERS))
    output = run("import_customers", write_json(tmp_path, [{"id": "412345", "phones": ["828-265-2907"]}]))
    assert "0 created, 1 updated, 0 unchanged" in output
    john = Customer.objects.get(customer_id="412345")
    assert john.first_name == "John" and john.emails.count() == 2
    assert list(john.phones.values_list("number", flat=True)) == ["828-265-2907"]
    assert balance("12345678901234") == 400


def test_import_customers_reads_standard_input(monkeypatch):
    output = run("import_customers", "-", stdin=json.dumps(CUSTOMERS).encode(), monkeypatch=monkeypatch)
    assert "2 created" in output and Customer.objects.count() == 2


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"firstName": "No id"}, "[0].id: is required"),
        ({"id": "x" * 256}, "must be 1 to 255 characters"),
        ({"id": "1", "firstName": "x" * 101}, "[0].firstName: 'xxxx"),
        ({"id": "1", "email": "not-an-email"}, "[0].email: 'not-an-email' is not an email address"),
        ({"id": "1", "emails": ["a@b.co", "nope"]}, "[0].emails[1]: 'nope' is not an email address"),
        ({"id": "1", "emails": "a@b.co"}, "[0].emails: 'a@b.co' must be a list"),
        ({"id": "1", "phones": ["12"]}, "[0].phones[0]: '12' must have 7 to 15 digits"),
        ({"id": "1", "loyalty": [{"id": "L1", "balance": -5}]}, "[0].loyalty[0].balance: -5 must be whole points"),
        ({"id": "1", "loyalty": [{"id": "L1", "balance": 1.5}]}, "[0].loyalty[0].balance: 1.5 must be a whole number"),
        ({"id": "1", "loyalty": [{"id": "L1"}]}, "[0].loyalty[0].balance: is required"),
        ({"id": "1", "loyalty": [{"balance": 3}]}, "[0].loyalty[0].id: is required"),
        ({"id": "1", "loyalty": [{"id": "L1", "balance": 1, "tier": "gold"}]}, "[0].loyalty[0].tier: unknown field"),
        ({"id": "1", "nickname": "Jo"}, "[0].nickname: unknown field"),
        ([1], "[0]: must be a JSON object"),
    ],
)
def test_import_customers_names_the_record_and_field_of_each_problem(tmp_path, record, message):
    fails("import_customers", write_json(tmp_path, [record]), match=message)
    assert not Customer.objects.exists()


def test_import_customers_refuses_duplicates_and_someone_elses_account(tmp_path):
    records = [
        {"id": "1", "loyalty": [{"id": "L1", "balance": 1}]},
        {"id": "1"},
        {"id": "2", "loyalty": [{"id": "L1", "balance": 2}]},
    ]
    output = fails("import_customers", write_json(tmp_path, records), match="Nothing imported: 2 problem(s)")
    assert "[1].id: '1' is also record [0]'s id" in output
    assert "[2].loyalty: account 'L1' is also listed by record [0]" in output
    run("import_customers", write_json(tmp_path, [records[0]]))
    fails(
        "import_customers",
        write_json(tmp_path, [{"id": "2", "loyalty": [{"id": "L1", "balance": 9}]}]),
        match="[0].loyalty: account 'L1' belongs to another customer",
    )
    assert not Customer.objects.filter(customer_id="2").exists() and balance("L1") == 1


def test_import_customers_refuses_a_file_that_is_not_a_json_array(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b'{"id": "1"}')
    fails("import_customers", str(path), match="must hold a JSON array of customers")


def test_import_customers_writes_set_wise(tmp_path, django_assert_max_num_queries):
    """The number of queries does not grow with the number of customers."""
    records = [
        {
            "id": f"9{n:05d}",
            "firstName": "F",
            "phones": [f"828555{n:04d}"],
            "emails": [f"c{n}@example.com"],
            "loyalty": [{"id": f"L{n}", "balance": n}],
        }
        for n in range(300)
    ]
    with django_assert_max_num_queries(40):
        run("import_customers", write_json(tmp_path, records))
    assert Customer.objects.count() == 300 and LoyaltyEntry.objects.count() == 299


def test_import_coupons_stores_a_changed_image_as_an_update(coupon_file, tmp_path):
    run("import_coupons", coupon_file)
    first = Coupon.objects.get(coupon_id="C2222").image.name
    (tmp_path / "soda.png").write_bytes(demo_image_bytes("another.png"))
    output = run("import_coupons", coupon_file)
    assert "0 created, 1 updated, 1 unchanged; 1 images stored" in output
    coupon = Coupon.objects.get(coupon_id="C2222")
    assert coupon.image.read() == demo_image_bytes("another.png")
    assert coupon.image.name.endswith(".png") and first.endswith(".png")


def test_import_coupons_writes_set_wise(tmp_path, django_assert_max_num_queries):
    """The number of queries does not grow with the number of coupons, sites or targets."""
    Site.objects.create(site_id="STO1")
    records = [
        {
            "id": f"BULK{n}",
            "rewardKind": "amount",
            "rewardValue": "0.25",
            "requirementUpcs": [894773001193 + n],
            "sites": ["STO1"],
            "targetedCustomers": [f"9{n}", f"8{n}"],
        }
        for n in range(300)
    ]
    path = write_json(tmp_path, records)
    with django_assert_max_num_queries(30):
        run("import_coupons", path)
    assert Coupon.objects.count() == 300 and Customer.objects.count() == 600
    assert Coupon.sites.through.objects.count() == 300 and CouponEvent.objects.count() == 600
    with django_assert_max_num_queries(20):
        assert "0 created, 0 updated, 300 unchanged" in run("import_coupons", path)


def test_import_coupons_warns_when_targeting_and_the_targeted_flag_disagree(coupon_file, tmp_path):
    records = [
        {"id": "NOBODY", "rewardKind": "free", "requirementDepts": [1], "targeted": True},
        {"id": "EVERYONE", "rewardKind": "free", "requirementDepts": [1], "targetedCustomers": ["1"]},
    ]
    output = run("import_coupons", write_json(tmp_path, records))
    assert "NOBODY: targeted at nobody, so no customer sees it" in output
    assert "EVERYONE: targetedCustomers given but targeted is false: every customer sees it" in output
    assert "2 created" in output


# --- NUL characters: refused by name, never a database error --------------------------------
# PostgreSQL text cannot hold NUL (a DataError at the first write); every text value the
# imports read refuses it while parsing, so the file is rejected naming record and field and
# nothing is written, on SQLite (which would store it) as on PostgreSQL.

NUL = "\x00"
NUL_RULE = "must not contain NUL characters"


def nul_coupon_cases():
    base = {"id": "OK1", "rewardKind": "amount", "rewardValue": "1.00", "sites": ["STO1"]}
    cases = [("id", {**base, "id": f"C{NUL}1"}, "[1].id:")]
    for name in (
        "shortDescription",
        "requirementDescription",
        "longDescription",
        "category",
        "brand",
        "loyaltyProgram",
        "type",
        "externalId",
        "receiptAlias",
    ):
        cases.append((name, {**base, name: f"Soda{NUL}"}, f"[1].{name}:"))
    cases += [
        ("site id", {**base, "sites": ["STO1", f"STO{NUL}"]}, "[1].sites[1]:"),
        ("targeted customer id", {**base, "targetedCustomers": [f"41{NUL}2"]}, "[1].targetedCustomers[0]:"),
        ("image path", {**base, "imageUrl": f"soda{NUL}.png"}, "[1].imageUrl:"),
        ("image URL", {**base, "imageUrl": f"https://cdn.example.com/soda{NUL}.png"}, "[1].imageUrl:"),
    ]
    return [pytest.param(record, where, id=label) for label, record, where in cases]


@pytest.mark.parametrize(("record", "where"), nul_coupon_cases())
def test_import_coupons_refuses_nul_in_any_text_and_writes_nothing(tmp_path, record, where):
    Site.objects.create(site_id="STO1")
    good = {"id": "GOOD", "rewardKind": "free", "requirementUpcs": [4011], "sites": ["STO1"]}
    message = fails("import_coupons", write_json(tmp_path, [good, record]), match=where)
    assert NUL_RULE in message.split(where, 1)[1].splitlines()[0], message
    assert not Coupon.objects.exists() and not Customer.objects.exists() and not CouponEvent.objects.exists()


@pytest.mark.parametrize(
    ("record", "where"),
    [
        ({"rewardKind": f"free{NUL}"}, "[1].rewardKind:"),
        ({"startDate": f"2026-01-01{NUL}"}, "[1].startDate:"),
        ({"requirementUpcs": [f"4011{NUL}"]}, "[1].requirementUpcs[0]:"),
        ({"requirementDepts": [f"3{NUL}"]}, "[1].requirementDepts[0]:"),
        ({"rewardValue": f"1{NUL}"}, "[1].rewardValue:"),
        ({"enabled": f"true{NUL}"}, "[1].enabled:"),
        ({f"colour{NUL}": "red"}, "[1].colour"),
    ],
)
def test_import_coupons_refuses_nul_in_coded_values_by_their_own_rule(tmp_path, record, where):
    good = {"id": "GOOD", "rewardKind": "free", "requirementUpcs": [4011]}
    fails("import_coupons", write_json(tmp_path, [good, {"id": "X", "rewardKind": "free", **record}]), match=where)
    assert not Coupon.objects.exists()


@pytest.mark.parametrize(
    ("record", "where"),
    [
        pytest.param({"id": f"41{NUL}2"}, "[1].id:", id="id"),
        pytest.param({"id": "2", "firstName": f"Jo{NUL}hn"}, "[1].firstName:", id="first name"),
        pytest.param({"id": "2", "lastName": f"Smith{NUL}"}, "[1].lastName:", id="last name"),
        pytest.param({"id": "2", "phones": ["8282652907", f"828-555-0100{NUL}"]}, "[1].phones[1]:", id="phone"),
        pytest.param({"id": "2", "email": f"jo{NUL}@example.com"}, "[1].email:", id="email"),
        pytest.param({"id": "2", "emails": [f"jo@example.com{NUL}"]}, "[1].emails[0]:", id="emails"),
        pytest.param({"id": "2", "loyalty": [{"id": f"L{NUL}1", "balance": 5}]}, "[1].loyalty[0].id:", id="loyalty"),
    ],
)
def test_import_customers_refuses_nul_in_any_text_and_writes_nothing(tmp_path, record, where):
    good = {"id": "1", "firstName": "Ann", "phones": ["8285550199"], "loyalty": [{"id": "L9", "balance": 3}]}
    message = fails("import_customers", write_json(tmp_path, [good, record]), match=where)
    assert NUL_RULE in message.split(where, 1)[1].splitlines()[0], message
    assert not Customer.objects.exists() and not CustomerPhone.objects.exists()
    assert not LoyaltyAccount.objects.exists() and not LoyaltyEntry.objects.exists()


def test_import_customers_refuses_nul_in_a_loyalty_balance(tmp_path):
    record = {"id": "2", "loyalty": [{"id": "L1", "balance": f"5{NUL}"}]}
    fails("import_customers", write_json(tmp_path, [record]), match="[0].loyalty[0].balance:")
    assert not Customer.objects.exists()
