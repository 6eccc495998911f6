"""The shopper app clip API (/api/shopper/): app keys, rate limit, listing and clipping
through the same service as the POS."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from coupons.models import Clip, Customer
from coupons.services.coupon_import import coupons_import
from coupons.services.sites import site_upsert
from ecrs_hub.services import integration_create

from .conftest import token_client

pytestmark = pytest.mark.django_db

COUPONS = "/api/shopper/customers/{}/coupons/"
CLIPS = "/api/shopper/customers/{}/clips/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offers(db):
    """STO1 and STO2; coupons for everyone, for STO2 only, targeted, disabled and ended."""
    site_upsert(site_id="STO1")
    site_upsert(site_id="STO2")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    base = {"rewardKind": "amount", "rewardValue": "1.00", "requirementUpcs": [894773001193]}
    coupons_import(
        records=[
            {**base, "id": "EVERY1", "shortDescription": "$1 off soda", "featured": True},
            {**base, "id": "EVERY2", "shortDescription": "$1 off chips", "imageUrl": "https://img.example/c.png"},
            {**base, "id": "STO2ONLY", "sites": ["STO2"]},
            {**base, "id": "FORBOB", "targeted": True, "targetedCustomers": ["bob"]},
            {**base, "id": "OFF", "enabled": False},
            {**base, "id": "ENDED", "endDate": yesterday},
        ]
    )


@pytest.fixture
def app() -> Client:
    key = integration_create(name="Web shop", kind="shopper").key
    return Client(HTTP_X_SHOPPER_KEY=key)


def coupons_of(app: Client, customer: str, **params) -> dict[str, str]:
    response = app.get(COUPONS.format(customer), params)
    assert response.status_code == 200, response.content
    return {coupon["id"]: coupon["state"] for coupon in response.json()["coupons"]}


def clip(app: Client, customer: str, site: str | None = "STO1", **body):
    path = CLIPS.format(customer) + (f"?site={site}" if site else "")
    return app.post(path, body, content_type="application/json")


# --- authentication ----------------------------------------------------------------------


def test_a_request_without_a_key_is_refused_with_a_challenge(client, offers):
    response = client.get(COUPONS.format("ann"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Key header="X-Shopper-Key"'


@pytest.mark.parametrize("kind", ["items", "scales"])
def test_a_catapult_key_is_not_a_shopper_key(client, offers, kind):
    key = integration_create(name=f"CATAPULT {kind}", kind=kind).key
    response = client.get(COUPONS.format("ann"), HTTP_X_SHOPPER_KEY=key)
    assert response.status_code == 401
    assert "kind" in response.json()["detail"]


def test_a_wrong_or_disabled_key_is_refused(client, offers):
    assert client.get(COUPONS.format("ann"), HTTP_X_SHOPPER_KEY="x" * 43).status_code == 401
    issued = integration_create(name="Old app", kind="shopper", enabled=False)
    response = client.get(COUPONS.format("ann"), HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    assert response.status_code == 401
    assert "disabled" in response.json()["detail"]


def test_the_key_also_works_as_a_bearer_token(client, offers):
    key = integration_create(name="Phone app", kind="shopper").key
    assert client.get(COUPONS.format("ann"), HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_a_staff_token_is_no_shopper_key_and_a_shopper_key_is_no_staff_token(app, make_user, offers):
    staff = token_client(make_user("boss", superuser=True))
    assert staff.get(COUPONS.format("ann")).status_code == 401
    assert app.get("/api/items/").status_code == 401


# --- listing and clipping ------------------------------------------------------------------


def test_a_new_customer_sees_what_they_may_clip_at_the_site(app, offers):
    assert coupons_of(app, "ann", site="STO1") == {"EVERY1": "available", "EVERY2": "available"}
    assert Customer.objects.filter(customer_id="ann").exists()  # learned on first sight, like the POS
    assert coupons_of(app, "ann") == {"EVERY1": "available", "EVERY2": "available", "STO2ONLY": "available"}
    assert coupons_of(app, "bob", site="STO1") == {"EVERY1": "available", "EVERY2": "available", "FORBOB": "available"}


def test_the_listing_carries_the_coupon_details_with_absolute_image_urls(app, offers):
    body = app.get(COUPONS.format("ann"), {"site": "STO1"}).json()
    assert body["customer"] == "ann" and body["site"] == "STO1"
    soda, chips = body["coupons"]
    assert (soda["id"], soda["shortDescription"], soda["featured"], soda["requirementUpcs"]) == (
        "EVERY1",
        "$1 off soda",
        True,
        [894773001193],
    )
    assert soda["imageUrl"] == ""
    assert chips["imageUrl"] == "https://img.example/c.png"


def test_clipping_and_unclipping_change_the_customers_coupons(app, offers):
    response = clip(app, "ann", add=["EVERY1", "STO2ONLY", "NOPE", "OFF"])
    assert response.status_code == 200
    assert response.json() == {"added": ["EVERY1"], "removed": []}  # the others are left out
    assert Clip.objects.get(customer__customer_id="ann", coupon__coupon_id="EVERY1").state == "clipped"
    assert coupons_of(app, "ann", site="STO1") == {"EVERY1": "clipped", "EVERY2": "available"}

    assert clip(app, "ann", add=["EVERY1"]).json() == {"added": [], "removed": []}  # already clipped
    assert clip(app, "ann", remove=["EVERY1", "EVERY2"]).json() == {"added": [], "removed": ["EVERY1"]}
    assert coupons_of(app, "ann", site="STO1") == {"EVERY1": "available", "EVERY2": "available"}


def test_without_a_site_any_sites_coupon_can_be_clipped(app, offers):
    assert clip(app, "ann", site=None, add=["STO2ONLY"]).json() == {"added": ["STO2ONLY"], "removed": []}


def test_a_targeted_coupon_is_clipped_only_by_its_customer(app, offers):
    assert clip(app, "ann", add=["FORBOB"]).json()["added"] == []
    assert clip(app, "bob", add=["FORBOB"]).json()["added"] == ["FORBOB"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"add": "EVERY1"}, "add"),
        ({"remove": [["x"]]}, "remove"),
        ({"add": ["x" * 17]}, "add"),
        ({"add": [f"C{n}" for n in range(101)]}, "add"),
    ],
)
def test_a_malformed_clip_request_is_a_400_naming_the_field(app, offers, body, field):
    response = clip(app, "ann", **body)
    assert response.status_code == 400
    assert field in response.json()


def test_an_unknown_site_or_an_overlong_customer_is_a_400(app, offers):
    response = app.get(COUPONS.format("ann"), {"site": "NOWHERE"})
    assert response.status_code == 400 and "site" in response.json()
    response = app.get(COUPONS.format("9" * 256))
    assert response.status_code == 400 and "customer" in response.json()


def test_a_body_that_is_not_json_is_a_400(app, offers):
    response = app.post(CLIPS.format("ann"), "{not json", content_type="application/json")
    assert response.status_code == 400


# --- rate limit ------------------------------------------------------------------------------


def test_each_app_key_is_rate_limited(app, offers, settings, client):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"shopper_app": "3/min"}}
    for _ in range(3):
        assert app.get(COUPONS.format("ann")).status_code == 200
    refused = clip(app, "ann", add=["EVERY1"])
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert not Clip.objects.filter(customer__customer_id="ann").exists()  # refused before the service ran

    other = integration_create(name="Kiosk", kind="shopper").key
    assert client.get(COUPONS.format("ann"), HTTP_X_SHOPPER_KEY=other).status_code == 200


def test_nul_characters_in_the_customer_or_the_site_are_a_400(app, offers):
    assert app.get(COUPONS.format("ann%00"), {"site": "STO1"}).status_code == 400
    response = app.get(COUPONS.format("ann"), {"site": "STO\x001"})
    assert response.status_code == 400 and "site" in response.json()


def test_an_operator_creates_a_shopper_key_with_create_integration(client, offers):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_integration", "Phone app", "--kind", "shopper", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]  # the bare key is the last line
    response = client.post(
        CLIPS.format("ann") + "?site=STO1", {"add": ["EVERY1"]}, content_type="application/json", HTTP_X_SHOPPER_KEY=key
    )
    assert response.json() == {"added": ["EVERY1"], "removed": []}
