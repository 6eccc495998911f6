"""/pos/ as DRF views: a person with a browser may try the API in the browsable page, a
machine never gets it. The Transaction Server is Java, whose default Accept prefers
text/html: it, ``*/*``, ``application/json`` and no Accept at all get the very bytes (and
headers) the plain view answered. Also: the body is read as JSON whatever its content type,
an oversize body is refused before the credentials are checked, and an answer that cannot
be rendered is an INTERNAL_ERROR, never a crash page."""

from __future__ import annotations

import base64
import json

import pytest
from django.db import transaction

from coupons.services.sites import pos_credential_upsert
from demo import coupons as demo

from .pos_support import line, make_clip, make_coupon, make_customer

pytestmark = pytest.mark.django_db

JAVA = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
MACHINE_ACCEPTS = {"Java's default": JAVA, "any": "*/*", "JSON": "application/json"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

UPDATE = {"site": "STO1", "customer": "412345", "transaction": "T1", "items": [line()]}
COMMIT = {"site": "STO1", "customer": "412345", "transaction": "T1", "coupons": ["C1"], "tenders": []}
REQUESTS = {
    "the catalogue": ("get", "/pos/coupons?site=STO1", None),
    "an alias with slashes": ("get", "/pos//customer/?site=STO1&customer=412345", None),
    "a transaction update": ("post", "/pos/transaction/update", UPDATE),
    "a commit": ("post", "/pos/transaction/commit", COMMIT),
    "a cancel": ("get", "/pos/transaction/cancel?site=STO1&transaction=T1", None),
    "an error": ("get", "/pos/coupons?site=NOPE", None),
    "a body that is not JSON": ("post", "/pos/transaction/update?site=STO1&transaction=T1", b"{not json"),
    "an unknown path routed by shape": ("post", "/pos/v2/apply", UPDATE),
    "an unknown path of no shape": ("post", "/pos/something", {"hello": 1}),
}


@pytest.fixture
def sale(pos, site):
    """A customer with a clipped coupon that the basket's line qualifies for."""
    make_clip(make_customer("412345"), make_coupon("C1", short_description="50c off"))


def send(pos, method: str, path: str, body, **headers):
    """The request, answered from the state before it (rolled back after), so the same
    request can be sent again with another Accept."""
    with transaction.atomic():
        if method == "get":
            response = pos.get(path, **headers)
        else:
            response = pos.post(path, body, **headers)
        transaction.set_rollback(True)
    return response


def answer(response) -> tuple:
    return response.status_code, sorted(response.items()), response.content


@pytest.mark.parametrize("accept", MACHINE_ACCEPTS.values(), ids=MACHINE_ACCEPTS.keys())
@pytest.mark.parametrize("request_", REQUESTS.values(), ids=REQUESTS.keys())
def test_a_machine_gets_the_same_bytes_whatever_its_accept(pos, sale, request_, accept):
    without = send(pos, *request_)
    assert without["Content-Type"] == "application/json"
    assert answer(send(pos, *request_, HTTP_ACCEPT=accept)) == answer(without)


@pytest.mark.parametrize("accept", MACHINE_ACCEPTS.values(), ids=MACHINE_ACCEPTS.keys())
def test_a_machine_without_credentials_gets_the_same_401(client, site, accept):
    without = client.get("/pos/coupons", {"site": "STO1"})
    assert without.status_code == 401
    assert answer(client.get("/pos/coupons", {"site": "STO1"}, HTTP_ACCEPT=accept)) == answer(without)


def test_the_json_bytes_are_those_of_django_json_response(pos, sale):
    response = send(pos, *REQUESTS["a transaction update"])
    assert response.content == json.dumps(response.json()).encode()  # default separators, ASCII
    assert "Vary" not in response and "Allow" not in response


def test_a_browser_with_the_demo_credential_gets_the_browsable_api(client, site):
    make_coupon("C1", short_description="50c off")
    pos_credential_upsert(username=demo.POS_USERNAME, password=demo.POS_PASSWORD, site_ids=None)
    auth = "Basic " + base64.b64encode(f"{demo.POS_USERNAME}:{demo.POS_PASSWORD}".encode()).decode()
    response = client.get("/pos/coupons", {"site": "STO1"}, HTTP_ACCEPT=BROWSER, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Django REST framework" in page and "&quot;shortDescription&quot;: &quot;50c off&quot;" in page
    assert "Accept" in response["Vary"]  # no cache may hand the page to a register
    forced = client.get("/pos/coupons", {"site": "STO1", "format": "api"}, HTTP_AUTHORIZATION=auth)
    assert forced["Content-Type"].startswith("text/html")


def test_a_browser_sees_errors_in_the_page_with_their_status(client, site):
    response = client.get("/pos/coupons", {"site": "STO1"}, HTTP_ACCEPT=BROWSER)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="ECRS Hub POS", charset="UTF-8"'
    assert "UNAUTHORIZED" in response.content.decode()


def test_the_body_is_read_as_json_whatever_its_content_type(pos, sale):
    expected = send(pos, *REQUESTS["a transaction update"])
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        with transaction.atomic():
            response = pos.client.post(
                "/pos/transaction/update", json.dumps(UPDATE), content_type=content_type, HTTP_AUTHORIZATION=pos.auth
            )
            transaction.set_rollback(True)
        assert response.content == expected.content, content_type


def test_an_oversize_body_is_refused_after_the_credentials_and_before_it_is_read(client, pos, site, settings):
    """The credentials are a cheap header check: a caller without them never gets its body
    read (401); with them, a body over POS_MAX_BODY_BYTES is 413 REQUEST_TOO_LARGE."""
    settings.POS_MAX_BODY_BYTES = 100
    body = {"site": "STO1", "transaction": "T1", "items": [line(k) for k in range(10)]}
    refused = client.post("/pos/transaction/update", body, content_type="application/json")
    too_large = pos.post("/pos/transaction/update", body)
    assert refused.status_code == 401 and refused.json()["errors"][0]["id"] == "UNAUTHORIZED"
    assert too_large.status_code == 413
    assert too_large.json() == {
        "errors": [{"id": "REQUEST_TOO_LARGE", "details": "the body is over the limit of 100 bytes"}]
    }


def test_an_answer_that_cannot_be_rendered_is_an_internal_error(pos, site, monkeypatch):
    monkeypatch.setattr("coupons.apis.coupons_json", lambda coupons, site: {"coupons": {object()}})
    response = pos.get("/pos/coupons", {"site": "STO1"})
    assert response.status_code == 500
    assert response.json()["errors"][0]["id"] == "INTERNAL_ERROR"
    assert response["Content-Type"] == "application/json"
