"""The /ecrs/ DRF views answer machines exactly as the plain Django views did, and show the
browsable API only to a person with a browser (ecrs_hub.apis, ecrs_hub.negotiation).

The Transaction Server and CATAPULT are Java: Java's default Accept prefers text/html, so the
page must not be chosen from text/html. JSON answers are compared byte for byte, headers
included, with the answer to a request that sends no Accept at all."""

import json

import pytest
from django.db import connection
from django.http import JsonResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ecrs_hub.apis import EnvelopeRenderer
from ecrs_hub.models import Push
from items.models import Store
from tests.conftest import Pusher, fixture_bytes

pytestmark = pytest.mark.django_db

SAMPLE = fixture_bytes("items-page.json")
SCALE_SAMPLE = fixture_bytes("scale-item.json")
EXPORT = "/ecrs/scale-export/27/"

JAVA_DEFAULT = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MACHINES = [JAVA_DEFAULT, "*/*", None, "application/json"]


def accept(value: str | None) -> dict:
    return {} if value is None else {"HTTP_ACCEPT": value}


def answer(response) -> tuple:
    """What a client sees: status, headers (but the date) and body."""
    headers = sorted((name, value) for name, value in response.items() if name != "Date")
    return response.status_code, headers, response.content


@pytest.fixture
def scales(client, scales_key) -> Pusher:
    Store.objects.get_or_create(number="27", scale_store_id="27")
    scales = Pusher(client, scales_key.key)
    assert scales.post("/ecrs/scale-items/", SCALE_SAMPLE).status_code == 200
    return scales


# --- machines get JSON -------------------------------------------------------------------


@pytest.mark.parametrize("sent", MACHINES)
def test_a_machine_pushing_items_gets_the_json_a_plain_request_gets(pusher, sent):
    pusher.items(SAMPLE)  # stored once: every later push answers "1 unchanged"
    plain = answer(pusher.items(SAMPLE))
    assert answer(pusher.items(SAMPLE, **accept(sent))) == plain
    assert dict(plain[1])["Content-Type"] == "application/json"


@pytest.mark.parametrize("sent", MACHINES)
@pytest.mark.parametrize("method", ["get", "put"])
def test_a_machine_using_the_wrong_method_gets_the_405_envelope(client, items_key, sent, method):
    plain = answer(getattr(client, method)("/ecrs/items/", HTTP_X_API_KEY=items_key.key))
    response = getattr(client, method)("/ecrs/items/", HTTP_X_API_KEY=items_key.key, **accept(sent))
    assert answer(response) == plain
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "Vary" not in response


@pytest.mark.parametrize("sent", MACHINES)
def test_a_machine_reading_the_scale_export_gets_the_json_a_plain_request_gets(scales, sent):
    plain = answer(scales.client.get(EXPORT, HTTP_X_API_KEY=scales.key))
    assert answer(scales.client.get(EXPORT, HTTP_X_API_KEY=scales.key, **accept(sent))) == plain
    assert plain[0] == 200 and json.loads(plain[2])["items"][0]["itemId"] == "123456789"


@pytest.mark.parametrize("sent", [*MACHINES, FIREFOX, "text/csv"])
def test_the_csv_export_is_the_same_whatever_the_accept_header(scales, sent):
    plain = answer(scales.client.get(EXPORT, {"format": "csv"}, HTTP_X_API_KEY=scales.key))
    response = scales.client.get(EXPORT, {"format": "csv"}, HTTP_X_API_KEY=scales.key, **accept(sent))
    assert answer(response) == plain
    assert response["Content-Type"] == "text/csv; charset=utf-8" and response["X-Scale-More"] == "false"


@pytest.mark.parametrize("sent", MACHINES)
def test_refusals_are_the_same_envelope_for_every_machine(client, scales, sent):
    for path, params in ((EXPORT, {}), (EXPORT, {"format": "csv", "cursor": "!!"}), ("/ecrs/nope/", {})):
        plain = answer(client.get(path, params))
        assert answer(client.get(path, params, **accept(sent))) == plain
        assert dict(plain[1])["Content-Type"] == "application/json"


# --- a browser gets the browsable API ----------------------------------------------------


def test_a_browser_on_a_push_endpoint_sees_a_readable_page_not_the_405_json(client, items_key):
    response = client.get("/ecrs/items/", HTTP_ACCEPT=FIREFOX)
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Items push" in page and "Method GET not allowed: POST a push here." in page
    assert Push.objects.count() == 0


def test_a_browser_sees_the_scale_export_as_a_page_and_format_api_asks_for_it(scales):
    for headers, params in (({"HTTP_ACCEPT": FIREFOX}, {}), ({}, {"format": "api"})):
        response = scales.client.get(EXPORT, params, HTTP_X_API_KEY=scales.key, **headers)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        assert "Scale export" in response.content.decode() and "123456789" in response.content.decode()


def test_an_unknown_format_is_still_the_400_envelope(scales):
    response = scales.client.get(EXPORT, {"format": "xml"}, HTTP_X_API_KEY=scales.key, HTTP_ACCEPT=FIREFOX)
    assert response.status_code == 400


# --- the envelope's bytes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "message", ["1 items: 1 created.", 'Problems: [0].itemName: "Crème brûlée ✓" is too long', "tab\tand\nline", ""]
)
def test_the_envelope_is_written_as_json_response_wrote_it(message):
    for success in (True, False):
        data = {"success": success, "message": message}
        assert EnvelopeRenderer().render(data) == JsonResponse(data).content


def test_a_push_answer_is_the_bytes_json_response_would_write(pusher):
    body = json.dumps([{"recordID": "1", "itemId": "é" * 20}])
    response = pusher.items(body)
    assert response.status_code == 422
    assert response.content == JsonResponse(response.json()).content
    assert "\\u00e9" in response.content.decode()  # ASCII, as JsonResponse escapes it


# --- DRF only at /ecrs/: CSRF, redirects, /api/'s own errors ------------------------------


def test_pushes_need_no_csrf_token_and_never_redirect(items_key):
    client = Client(enforce_csrf_checks=True)
    for path in ("/ecrs/items", "/ecrs/items/"):
        response = client.post(path, SAMPLE, content_type="application/json", HTTP_X_API_KEY=items_key.key)
        assert response.status_code == 200


def test_the_staff_api_keeps_drf_s_own_error_shape(client):
    response = client.get("/api/items/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail"}


# --- the push log is written once, its body never again ------------------------------------


def push_writes(queries) -> list[str]:
    return [
        q["sql"] for q in queries if "ecrs_hub_push" in q["sql"] and q["sql"].lstrip().startswith(("INSERT", "UPDATE"))
    ]


def test_an_items_push_writes_its_body_once_and_then_only_its_outcome(pusher):
    with CaptureQueriesContext(connection) as queries:
        assert pusher.items(SAMPLE).status_code == 200
    writes = push_writes(queries.captured_queries)
    assert len(writes) == 2 and writes[0].lstrip().startswith("INSERT")
    assert writes[1].lstrip().startswith("UPDATE") and "body_compressed" not in writes[1]
    assert Push.objects.get().body == SAMPLE


def test_a_push_refused_before_reading_is_one_insert(pusher):
    with CaptureQueriesContext(connection) as queries:
        assert pusher.post("/ecrs/items/", SAMPLE, content_type="text/plain").status_code == 415
    writes = push_writes(queries.captured_queries)
    assert len(writes) == 1 and writes[0].lstrip().startswith("INSERT")
    push = Push.objects.get()
    assert (push.status, push.http_status, push.body) == ("rejected", 415, None)
