"""The POS coupon API through HTTP (CONTRACT 3.1, 3.2, 5.1): authentication and every error
code, the catalogue and its images, customer lists, clipping, demographics, aliases, shape
routing of unknown paths and query-vs-body precedence."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from coupons.models import Clip, CouponEvent, Customer, UnknownPosRequest
from coupons.services import coupon_image_store
from coupons.services.sites import pos_credential_upsert, site_upsert
from tests.conftest import fixture_json

from .pos_support import PASSWORD, UPC, Pos, basic, clip_of, line, make_clip, make_coupon, make_customer, today

pytestmark = pytest.mark.django_db


def error_of(response) -> tuple[str, str]:
    body = response.json()
    assert set(body) == {"errors"}
    (error,) = body["errors"]
    return error["id"], error["details"]


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


# --- authentication and errors ------------------------------------------------------


def test_missing_credentials_are_401_with_a_basic_challenge(client, credential):
    response = client.get("/pos/coupons", {"site": "STO1"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert error_of(response)[0] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    "header",
    [basic("pos", "wrong-password"), basic("nobody", PASSWORD), "Basic !!!not-base64", "Bearer abc", basic("", "")],
)
def test_wrong_credentials_are_401(client, credential, header):
    response = client.get("/pos/coupons", {"site": "STO1"}, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert error_of(response)[0] == "UNAUTHORIZED"


def test_a_deactivated_credential_stops_working_at_once(pos, credential):
    assert pos.get("/pos/coupons", {"site": "STO1"}).status_code == 200
    credential.active = False
    credential.save(update_fields=["active"])
    assert pos.get("/pos/coupons", {"site": "STO1"}).status_code == 401


def test_a_new_password_replaces_the_old_one_at_once(client, credential):
    assert Pos(client).get("/pos/coupons", {"site": "STO1"}).status_code == 200
    pos_credential_upsert(username="pos", password="a-new-password-9", site_ids=["STO1"])
    assert Pos(client).get("/pos/coupons", {"site": "STO1"}).status_code == 401
    assert Pos(client, password="a-new-password-9").get("/pos/coupons", {"site": "STO1"}).status_code == 200


def test_unknown_missing_or_forbidden_site_is_invalid_site(pos, site):
    site_upsert(site_id="STO2")
    for query in ({"site": "NOPE"}, {}, {"site": "STO2"}):
        response = pos.get("/pos/coupons", query)
        assert response.status_code == 400
        assert error_of(response)[0] == "INVALID_SITE"
    assert "STO2" in error_of(pos.get("/pos/coupons", {"site": "STO2"}))[1]


def test_a_credential_for_every_site_may_act_for_any(client, site):
    site_upsert(site_id="STO2")
    pos_credential_upsert(username="chain", password=PASSWORD)
    assert Pos(client, "chain").get("/pos/coupons", {"site": "STO2"}).status_code == 200


def test_a_body_that_is_not_json_is_invalid_request(pos, site):
    response = pos.post("/pos/transaction/update", b"{not json", {"site": "STO1", "transaction": "T1"})
    assert response.status_code == 400
    assert error_of(response) == ("INVALID_REQUEST", "the body is not JSON")


def test_a_body_with_a_utf8_byte_order_mark_is_read_as_the_json_after_it(pos, site):
    body = b"\xef\xbb\xbf" + json.dumps({"site": "STO1", "transaction": "T1", "items": []}).encode()
    response = pos.post("/pos/transaction/update", body)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("field", "value"),
    [("cashier", "ninety-nine"), ("items", {"id": 1}), ("time", "yesterday"), ("transientRequest", "maybe")],
)
def test_an_unreadable_documented_field_is_invalid_request_naming_it(pos, site, field, value):
    body = {"site": "STO1", "customer": "1", "transaction": "T1", "items": [], field: value}
    response = pos.post("/pos/transaction/update", body)
    assert response.status_code == 400
    code, details = error_of(response)
    assert code == "INVALID_REQUEST"
    assert details.startswith(field)


def test_an_unreadable_line_value_names_its_path(pos, site):
    body = {"site": "STO1", "customer": "1", "transaction": "T1", "items": [{"id": 1, "price": "abc"}]}
    assert error_of(pos.post("/pos/transaction/update", body))[1] == "items[0].price: must be a number"


def test_unknown_fields_and_parameters_are_ignored(pos, site):
    body = {"add": [], "sharedKey": "k", "sharedSecret": {"x": 1}, "newerCatapultField": [1, 2]}
    response = pos.post("/pos/coupons/clip", body, {"site": "STO1", "customer": "1", "whatever": "x"})
    assert response.status_code == 200
    assert response.json() == {"added": [], "removed": []}


def test_customer_lists_without_a_customer_is_invalid_request(pos, site):
    response = pos.get("/pos/coupons/customer", {"site": "STO1"})
    assert response.status_code == 400
    assert error_of(response)[1].startswith("customer")


# --- catalogue and images -----------------------------------------------------------


def test_catalogue_round_trips_the_ecrs_sample(pos, site):
    sample = fixture_json("pos-coupons-response.json")["coupons"][0]
    make_coupon(
        "C2222",
        short_description=sample["shortDescription"],
        requirement_description=sample["requirementDescription"],
        long_description=sample["longDescription"],
        category=sample["category"],
        brand=sample["brand"],
        start_date=today() - timedelta(days=1),
        end_date=today() + timedelta(days=365),
        requirement_upcs=["00894773001193", "00894773001049"],
    )
    response = pos.get("/pos/coupons", {"site": "STO1"})
    assert response.status_code == 200
    (coupon,) = response.json()["coupons"]
    assert set(coupon) == set(sample)
    for key in ("id", "shortDescription", "requirementDescription", "longDescription", "category", "brand"):
        assert coupon[key] == sample[key]
    assert coupon["requirementUpcs"] == sample["requirementUpcs"]  # numbers, as ECRS shows them
    assert coupon["rewardUpcs"] == []
    assert (coupon["targeted"], coupon["enabled"], coupon["featured"]) == (False, True, False)
    assert coupon["endDate"] == (today() + timedelta(days=365)).isoformat()


def test_catalogue_lists_enabled_unexpired_coupons_offered_at_the_site(pos, site):
    other = site_upsert(site_id="STO2").site
    make_coupon("ALL")
    make_coupon("HERE", sites=[site])
    make_coupon("THERE", sites=[other])
    make_coupon("OFF", enabled=False)
    make_coupon("ENDED", end_date=today() - timedelta(days=1))
    make_coupon("LASTDAY", end_date=today())
    make_coupon("FUTURE", start_date=today() + timedelta(days=5))
    ids = [c["id"] for c in pos.get("/pos/coupons", {"site": "STO1"}).json()["coupons"]]
    assert ids == ["ALL", "FUTURE", "HERE", "LASTDAY"]


def test_a_stored_image_is_a_relative_url_served_with_its_type(pos, site, client):
    coupon = make_coupon("IMG1")
    url = coupon_image_store(coupon=coupon, name="CouponImage24.png", content=png_bytes())
    assert url.startswith("images/") and url.endswith(".png")
    (listed,) = pos.get("/pos/coupons", {"site": "STO1"}).json()["coupons"]
    assert listed["imageUrl"] == url
    response = client.get("/pos/" + url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == png_bytes()
    assert client.get("/pos/images/nothing.png").status_code == 404
    assert error_of(client.get("/pos/images/..%2Fsecret"))[0] == "NOT_FOUND"


def test_an_external_image_url_is_given_only_where_the_site_uses_external_images(pos, site):
    coupon = make_coupon("EXT", external_image_url="https://cdn.example.com/c.jpg")
    assert pos.get("/pos/coupons", {"site": "STO1"}).json()["coupons"][0]["imageUrl"] == f"images/coupon-{coupon.pk}"
    site_upsert(site_id="STO1", use_external_images=True)
    assert pos.get("/pos/coupons", {"site": "STO1"}).json()["coupons"][0]["imageUrl"] == "https://cdn.example.com/c.jpg"


def test_a_site_that_uses_external_images_gets_absolute_urls_of_the_hubs_images(pos, site, client, settings):
    """Such a POS loads each imageUrl as it is (it prepends no base URL), so "images/..." would
    not load: it gets the hub's absolute URL, which serves the image."""
    coupon = make_coupon("IMG1")
    relative = coupon_image_store(coupon=coupon, name="CouponImage24.png", content=png_bytes())
    not_copied = make_coupon("EXT", external_image_url="http://cdn.example.com/plain-http.jpg")
    site_upsert(site_id="STO1", use_external_images=True)

    listed = {c["id"]: c["imageUrl"] for c in pos.get("/pos/coupons", {"site": "STO1"}).json()["coupons"]}

    assert listed["IMG1"] == f"http://testserver/pos/{relative}"
    assert listed["EXT"] == f"http://testserver/pos/images/coupon-{not_copied.pk}"  # not https: copied by the hub
    assert client.get(listed["IMG1"].removeprefix("http://testserver")).content == png_bytes()

    settings.PUBLIC_BASE_URL = "https://hub.example.com"
    listed = {c["id"]: c["imageUrl"] for c in pos.get("/pos/coupons", {"site": "STO1"}).json()["coupons"]}
    assert listed["IMG1"] == f"https://hub.example.com/pos/{relative}"


# --- customer lists and clipping ----------------------------------------------------


def test_customer_lists_put_each_coupon_in_one_list(pos, site):
    customer = make_customer("412345")
    for coupon_id in ("AVAIL", "CLIP", "PEND", "RED", "OLDRED", "EXP", "OLDEXP", "AGAIN"):
        make_coupon(coupon_id)
    make_coupon("TARGETED", targeted=True)
    from coupons.models import Coupon, PosTransaction

    txn = PosTransaction.objects.create(site=site, transaction_id="T9")
    now = timezone.now()
    make_clip(customer, Coupon.objects.get(coupon_id="CLIP"))
    make_clip(customer, Coupon.objects.get(coupon_id="PEND"), "pending", pending_transaction=txn, pending_since=now)
    make_clip(customer, Coupon.objects.get(coupon_id="RED"), "redeemed", uses_count=1, redeemed_at=now)
    make_clip(
        customer, Coupon.objects.get(coupon_id="OLDRED"), "redeemed", uses_count=1, redeemed_at=now - timedelta(days=40)
    )
    Coupon.objects.filter(coupon_id__in=["EXP", "OLDEXP"]).update(end_date=today() - timedelta(days=2))
    Coupon.objects.filter(coupon_id="OLDEXP").update(end_date=today() - timedelta(days=31))
    make_clip(customer, Coupon.objects.get(coupon_id="EXP"))
    make_clip(customer, Coupon.objects.get(coupon_id="OLDEXP"))
    make_clip(customer, Coupon.objects.get(coupon_id="AGAIN"), "removed")
    response = pos.lists()
    assert response.status_code == 200
    assert response.json() == {
        "available": ["AGAIN", "AVAIL"],
        "clipped": ["CLIP"],
        "redeemed": ["RED"],
        "expired": ["EXP"],
        "pending": ["PEND"],
    }


def test_customer_lists_learn_an_unknown_card(pos, site):
    make_coupon("A1")
    assert pos.lists(customer="NEWCARD").json()["available"] == ["A1"]
    assert Customer.objects.filter(customer_id="NEWCARD").exists()


@pytest.mark.parametrize("path", ["/pos/coupons/customer", "/pos/customer", "/pos/customer/coupons/", "/pos//customer"])
def test_customer_list_aliases(pos, site, path):
    make_coupon("A1")
    response = pos.get(path, {"site": "STO1", "customer": "412345"})
    assert response.status_code == 200
    assert response.json()["available"] == ["A1"]


def test_clip_round_trips_the_ecrs_sample(pos, site):
    customer = make_customer("412345")
    for coupon_id in ("A123456", "B654321", "C2222"):
        make_coupon(coupon_id)
    make_clip(customer, make_coupon_lookup("C2222"))
    request = fixture_json("pos-clip-request.json")
    response = pos.post("/pos/coupons/clip", request, {"site": "STO1", "customer": "412345"})
    assert response.status_code == 200
    assert response.json() == fixture_json("pos-clip-response.json")
    assert clip_of("412345", "A123456").state == "clipped"
    assert clip_of("412345", "C2222").state == "removed"
    kinds = sorted(CouponEvent.objects.values_list("kind", "coupon__coupon_id"))
    assert kinds == [("clip", "A123456"), ("clip", "B654321"), ("unclip", "C2222")]


def make_coupon_lookup(coupon_id):
    from coupons.models import Coupon

    return Coupon.objects.get(coupon_id=coupon_id)


def test_clip_lists_only_what_changed(pos, site):
    customer = make_customer("412345")
    make_coupon("NEW")
    make_coupon("HAVE")
    make_coupon("OFF", enabled=False)
    make_coupon("TGT", targeted=True)
    make_coupon("ELSEWHERE", sites=[site_upsert(site_id="STO2").site])
    make_clip(customer, make_coupon_lookup("HAVE"))
    response = pos.clip(add=["NEW", "HAVE", "OFF", "TGT", "ELSEWHERE", "UNKNOWN", "X" * 20], remove=["NEW2", "OFF"])
    assert response.status_code == 200
    assert response.json() == {"added": ["NEW"], "removed": []}
    assert Clip.objects.filter(customer=customer).count() == 2


def test_unclip_works_on_clipped_only_and_reclip_keeps_uses(pos, site):
    customer = make_customer("412345")
    coupon = make_coupon("TWICE", uses_per_customer=2)
    make_clip(customer, coupon, uses_count=1)
    assert pos.clip(remove=["TWICE"]).json() == {"added": [], "removed": ["TWICE"]}
    assert pos.lists().json()["available"] == ["TWICE"]
    assert pos.clip(add=["TWICE"]).json() == {"added": ["TWICE"], "removed": []}
    assert clip_of("412345", "TWICE").uses_count == 1
    used_up = make_coupon("ONCE")
    make_clip(customer, used_up, "redeemed", uses_count=1, redeemed_at=timezone.now())
    assert pos.clip(add=["ONCE"], remove=["ONCE2"]).json() == {"added": [], "removed": []}


def test_a_targeted_coupon_can_be_clipped_by_its_customers_only(pos, site):
    from coupons.services import coupon_target

    coupon = make_coupon("TGT")
    chosen = make_customer("111")
    make_customer("222")
    assert coupon_target(coupon=coupon, customers=[chosen]) == 1
    assert coupon_target(coupon=coupon, customers=[chosen]) == 0
    assert pos.clip(add=["TGT"], customer="222").json()["added"] == []
    assert pos.lists(customer="222").json()["available"] == []
    assert pos.lists(customer="111").json()["available"] == ["TGT"]
    assert pos.clip(add=["TGT"], customer="111").json()["added"] == ["TGT"]


@pytest.mark.parametrize("path", ["/pos/coupons/clip", "/pos/clip", "/pos/clip/"])
def test_clip_aliases(pos, site, path):
    make_coupon("A1")
    response = pos.post(path, {"add": ["A1"]}, {"site": "STO1", "customer": "9"})
    assert response.json() == {"added": ["A1"], "removed": []}


# --- demographics -------------------------------------------------------------------


def test_demographics_round_trips_the_ecrs_sample(pos, site):
    make_customer(
        "12345678901234", first_name="John", last_name="Smith", phones=["(828) 265-2907"], emails=["Support@ECRS.com"]
    )
    response = pos.post("/pos/demographics", fixture_json("pos-demographics-request.json"), {"site": "STO1"})
    assert response.status_code == 200
    expected = fixture_json("pos-demographics-response.json")
    assert response.json() == {**expected, "phone": "8282652907"}  # 10 digits, as the contract says


def test_demographics_match_phone_digits_and_email_case(pos, site):
    make_customer("C1", phones=["+1 828-265-2907"])
    make_customer("C2", emails=["someone@example.com"])
    assert pos.post("/pos/demographics", {"phones": ["8282652907"]}, {"site": "STO1"}).json()["id"] == "C1"
    assert pos.post("/pos/demographics", {"emails": ["SomeOne@Example.COM"]}, {"site": "STO1"}).json()["id"] == "C2"


def test_demographics_pick_the_most_recently_seen_then_lowest_id(pos, site):
    now = timezone.now()
    make_customer("B", phones=["8282652907"], seen=now - timedelta(days=1))
    make_customer("C", phones=["8282652907"], seen=now)
    make_customer("A", phones=["8282652907"], seen=None)
    assert pos.post("/pos/customer/demographics", {"phones": ["8282652907"]}, {"site": "STO1"}).json()["id"] == "C"
    Customer.objects.filter(customer_id="B").update(last_seen_at=now)
    assert pos.post("/pos/demographics", {"phones": ["8282652907"]}, {"site": "STO1"}).json()["id"] == "B"


def test_demographics_keep_ecrs_limits(pos, site):
    make_customer("X" * 17, emails=["long@example.com"])
    long_email = "a" * 250 + "@example.com"
    make_customer("SHORT", first_name="F" * 40, last_name="L" * 30, emails=["long@example.com", long_email])
    answer = pos.post("/pos/demographics", {"emails": ["long@example.com"]}, {"site": "STO1"}).json()
    assert answer == {"id": "SHORT", "firstName": "F" * 25, "lastName": "L" * 25, "email": "long@example.com"}


def test_demographics_without_a_match_is_customer_not_found(pos, site):
    response = pos.post("/pos/demographics", {"phones": ["5555555555"], "emails": []}, {"site": "STO1"})
    assert response.status_code == 404
    assert error_of(response)[0] == "CUSTOMER_NOT_FOUND"


# --- routing ------------------------------------------------------------------------


def test_repeated_slashes_and_trailing_slash_reach_the_endpoint(pos, site):
    make_coupon("A1")
    for path in ("/pos//coupons", "/pos/coupons/", "/pos///coupons//"):
        response = pos.get(path, {"site": "STO1"})
        assert response.status_code == 200, path
        assert [c["id"] for c in response.json()["coupons"]] == ["A1"]
    assert not UnknownPosRequest.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "routed_to"),
    [
        ("post", "/pos/txn/apply", {}, {"site": "STO1", "customer": "1", "transaction": "T5", "items": []}, "update"),
        ("post", "/pos/card/edit", {"site": "STO1", "customer": "1"}, {"add": []}, "clip"),
        ("post", "/pos/v2/finish", {"site": "STO1", "transaction": "T5"}, {"coupons": [], "tenders": []}, "commit"),
        ("post", "/pos/sale/commit", {"site": "STO1", "transaction": "T5"}, {}, "commit"),
        ("post", "/pos/lookup", {"site": "STO1"}, {"phones": ["8282652907"]}, "demographics"),
        ("get", "/pos/sale/cancel", {"site": "STO1", "transaction": "T5"}, None, "cancel"),
        ("get", "/pos/v2/customer-coupons", {"site": "STO1", "customer": "1"}, None, "customer_coupons"),
        ("get", "/pos/v2/list", {"site": "STO1"}, None, "coupons"),
        ("get", "/pos/transaction/commit", {"site": "STO1", "transaction": "T5"}, None, "commit"),
    ],
)
def test_unknown_paths_are_routed_by_shape_and_logged(pos, site, method, path, query, body, routed_to):
    make_customer("1", phones=["8282652907"])
    response = pos.get(path, query) if method == "get" else pos.post(path, body, query)
    assert response.status_code == 200, response.content
    logged = UnknownPosRequest.objects.get()
    assert (logged.method, logged.path, logged.routed_to) == (method.upper(), path, routed_to)
    assert logged.query_keys == sorted(query)
    assert logged.body_keys == sorted(body or {})
    assert logged.credential.username == "pos"


@pytest.mark.parametrize(
    "path", ["/pos/customers/412345/coupons", "/pos/customer/412345/coupons", "/pos/customers/412345"]
)
def test_a_customer_in_the_path_gets_the_customers_lists_not_the_catalogue(pos, site, path):
    """A POS that puts the card in the path (``/pos/customers/<id>/coupons``) is answered
    with that customer's lists, as ``/pos/coupons/customer?customer=<id>`` would be."""
    customer = make_customer("412345")
    make_clip(customer, make_coupon("S1"))
    make_coupon("S2")

    response = pos.get(path, {"site": "STO1"})

    assert response.status_code == 200, response.content
    assert response.json() == pos.lists(customer="412345").json()
    assert "S1" in response.json()["clipped"] and "S2" in response.json()["available"]
    assert UnknownPosRequest.objects.get().routed_to == "customer_coupons"


def test_a_customer_in_the_query_string_wins_over_the_one_in_the_path_and_is_logged(pos, site, caplog):
    make_clip(make_customer("412345"), make_coupon("S1"))
    make_customer("777")

    response = pos.get("/pos/customers/412345/coupons", {"site": "STO1", "customer": "777"})

    assert response.json() == pos.lists(customer="777").json()
    assert "S1" not in response.json()["clipped"]
    assert "the query string says '777', the path '412345'" in caplog.text


@pytest.mark.parametrize("path", ["/pos/transaction", "/pos/transaction/cancel", "/pos/transaction/T1"])
def test_a_delete_of_a_transaction_is_a_cancel_and_is_logged(pos, site, path):
    make_clip(make_customer("412345"), make_coupon("S1"))
    assert pos.update([line()]).json()["applied"]
    assert clip_of("412345", "S1").state == "pending"

    response = pos.client.delete(f"{path}?site=STO1&customer=412345&transaction=T1", HTTP_AUTHORIZATION=pos.auth)

    assert response.status_code == 200 and response.json() == {}
    assert clip_of("412345", "S1").state == "clipped"
    logged = UnknownPosRequest.objects.get()
    assert (logged.method, logged.routed_to) == ("DELETE", "cancel")


def test_a_request_of_no_known_shape_is_not_found_and_logged(pos, site):
    response = pos.post("/pos/something", {"hello": 1})
    assert response.status_code == 404
    assert error_of(response)[0] == "NOT_FOUND"
    assert UnknownPosRequest.objects.get().routed_to == ""


def test_an_unknown_path_without_credentials_is_401_and_still_logged(client, site):
    response = client.get("/pos/somewhere", {"site": "STO1"})
    assert response.status_code == 401
    logged = UnknownPosRequest.objects.get()
    assert logged.credential is None and logged.routed_to == "coupons"


def test_query_string_wins_over_the_body(pos, site, caplog):
    make_coupon("A1")
    response = pos.post("/pos/coupons/clip", {"add": ["A1"], "customer": "BODY"}, {"site": "STO1", "customer": "QUERY"})
    assert response.json()["added"] == ["A1"]
    assert clip_of("QUERY", "A1").state == "clipped"
    assert not Customer.objects.filter(customer_id="BODY").exists()
    assert "query used" in caplog.text


def test_the_body_gives_what_the_query_does_not(pos, site):
    make_coupon("A1")
    response = pos.post("/pos/coupons/clip", {"add": ["A1"], "site": "STO1", "customer": "BODYONLY"})
    assert response.json()["added"] == ["A1"]


def test_site_permission_is_checked_against_the_value_used(pos, site):
    site_upsert(site_id="STO2")
    response = pos.post("/pos/coupons/clip", {"add": [], "site": "STO1"}, {"site": "STO2", "customer": "1"})
    assert error_of(response)[0] == "INVALID_SITE"


def test_post_is_csrf_exempt_with_csrf_checks_on(credential):
    from django.test import Client

    response = Pos(Client(enforce_csrf_checks=True)).clip(add=[])
    assert response.status_code == 200


def test_upc_given_as_digit_string_matches(pos, site):
    customer = make_customer("412345")
    make_clip(customer, make_coupon("S1"))
    response = pos.update([{"id": 1, "quantity": 1, "upc": str(UPC), "price": 1.99}], transient=True)
    assert [a["couponId"] for a in response.json()["applied"]] == ["S1"]


def test_an_id_with_a_nul_character_or_too_long_is_invalid_request(pos, site):
    response = pos.get("/pos/coupons/customer", {"site": "STO1", "customer": "12\x0034"})
    assert error_of(response)[0] == "INVALID_REQUEST"
    response = pos.get("/pos/coupons/customer", {"site": "STO1", "customer": "9" * 256})
    assert error_of(response) == ("INVALID_REQUEST", "customer: is longer than 255 characters (256)")


def test_customer_and_transaction_ids_of_up_to_255_characters_are_a_sale_like_any(pos, site):
    """ECRS allows any string; the hub keeps up to 255 characters (CONTRACT 2.4), not 64."""
    customer_id, transaction_id = "C" * 255, "2026-12-03-" + "T" * 244
    make_clip(make_customer(customer_id), make_coupon("S1"))

    update = pos.update([line()], customer=customer_id, transaction=transaction_id)
    commit = pos.commit(["S1"], customer=customer_id, transaction=transaction_id)

    assert update.status_code == 200 and [a["couponId"] for a in update.json()["applied"]] == ["S1"]
    assert commit.status_code == 200
    assert clip_of(customer_id, "S1").state == "redeemed"


def test_a_bug_answers_internal_error_in_the_envelope(pos, site):
    # a coupon whose stored department list is not numbers (written around the import's checks)
    customer = make_customer("412345")
    make_clip(customer, make_coupon("BAD", requirement_upcs=[], requirement_depts=["not-a-number"]))
    response = pos.update([{"id": 1, "price": 1.0, "dept": 3}], transient=True)
    assert response.status_code == 500
    assert error_of(response)[0] == "INTERNAL_ERROR"
    assert response["Content-Type"] == "application/json"


def test_a_json_body_that_is_not_an_object_is_invalid_request(pos, site):
    response = pos.post("/pos/transaction/commit", [1, 2], {"site": "STO1", "transaction": "T1"})
    assert error_of(response) == ("INVALID_REQUEST", "the body must be a JSON object")


@pytest.fixture
def image_server():
    """A real HTTP server on loopback serving one PNG at /promo/c.png (and 404 elsewhere)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    content = png_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/promo/c.png":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_external_image_is_copied_into_storage_on_first_request(pos, site, client, image_server):
    coupon = make_coupon("EXT", external_image_url=image_server + "/promo/c.png")
    (listed,) = pos.get("/pos/coupons", {"site": "STO1"}).json()["coupons"]
    assert listed["imageUrl"] == f"images/coupon-{coupon.pk}"
    response = client.get("/pos/" + listed["imageUrl"])
    assert (response.status_code, response["Content-Type"], response.content) == (200, "image/png", png_bytes())
    coupon.refresh_from_db()
    assert coupon.image.name.endswith(".png")
    (listed,) = pos.get("/pos/coupons", {"site": "STO1"}).json()["coupons"]
    assert listed["imageUrl"] == "images/" + coupon.image.name.rsplit("/", 1)[-1]
    assert client.get("/pos/" + listed["imageUrl"]).content == png_bytes()


def test_fetch_coupon_images_copies_ahead_and_reports_failures(site, image_server):
    from django.core.management import CommandError, call_command

    good = make_coupon("GOOD", external_image_url=image_server + "/promo/c.png")
    make_coupon("GONE", external_image_url=image_server + "/promo/missing.png")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("fetch_coupon_images", stdout=out, stderr=io.StringIO())
    assert "1 image(s) copied, 1 failed" in out.getvalue()
    good.refresh_from_db()
    assert good.image.name.endswith(".png")


def test_an_external_image_that_cannot_be_fetched_is_not_found(pos, site, client, image_server):
    coupon = make_coupon("GONE", external_image_url=image_server + "/promo/missing.png")
    response = client.get(f"/pos/images/coupon-{coupon.pk}")
    assert (response.status_code, error_of(response)[0]) == (404, "NOT_FOUND")
