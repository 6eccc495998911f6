"""The push machinery every /ecrs/ endpoint shares: keys, the envelope, the status table,
raw storage before parsing, transient failures (CONTRACT 2.1–2.3)."""

import hashlib
import zlib

import pytest
from django.db import OperationalError, connection

from ecrs_hub.machine_secrets import hash_key
from ecrs_hub.models import Integration, Push, RefusedRequest
from ecrs_hub.services import integration_create, integration_rotate_key
from items.models import Item, ItemStore
from tests.conftest import fixture_bytes

pytestmark = pytest.mark.django_db

SAMPLE = fixture_bytes("items-page.json")


# --- keys ------------------------------------------------------------------------------


def test_keys_are_url_safe_and_long_and_only_their_hash_is_stored(items_key):
    assert len(items_key.key) >= 32
    assert all(char.isalnum() or char in "-_" for char in items_key.key)
    stored = Integration.objects.get()
    assert stored.key_hash == hash_key(items_key.key)
    assert items_key.key not in {stored.key_hash, stored.key_prefix, stored.notes}
    assert items_key.header_string == '{"X-Api-Key":"' + items_key.key + '"}'
    assert items_key.query_string == f"key={items_key.key}"


@pytest.mark.parametrize("how", ["header", "bearer", "query"])
def test_a_push_authenticates_by_header_bearer_or_query_parameter(client, items_key, how):
    headers, path = {}, "/ecrs/items/"
    if how == "header":
        headers["HTTP_X_API_KEY"] = items_key.key
    elif how == "bearer":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {items_key.key}"
    else:
        path += f"?key={items_key.key}"
    response = client.post(path, SAMPLE, content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["success"] is True


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "no API key"),
        ({"HTTP_X_API_KEY": "not-the-key-" * 4}, "unknown API key"),
        ({"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}, "no API key"),
    ],
)
def test_a_missing_or_wrong_key_is_401_and_counted_without_its_body(client, items_key, headers, reason):
    response = client.post("/ecrs/items/", SAMPLE, content_type="application/json", **headers)
    assert response.status_code == 401
    assert response.json()["success"] is False
    assert response.json()["message"].startswith(f"Unauthorized: {reason}")
    assert Push.objects.count() == 0
    refused = RefusedRequest.objects.get()
    assert refused.endpoint == "/ecrs/items/" and refused.remote_addr == "127.0.0.1"


def test_a_disabled_integration_is_refused(pusher, items_key):
    Integration.objects.update(enabled=False)
    response = pusher.items(SAMPLE)
    assert response.status_code == 401 and "disabled" in response.json()["message"]


def test_a_scales_key_cannot_push_items(client, scales_key):
    response = client.post("/ecrs/items/", SAMPLE, content_type="application/json", HTTP_X_API_KEY=scales_key.key)
    assert response.status_code == 401
    assert response.json()["message"] == (
        "Unauthorized: integration 'CATAPULT scales' is a “Price Computing Scale” integration; "
        "this endpoint needs the key of a “Instant Item Detail” integration."
    )
    assert "Kind." not in response.json()["message"]


def test_a_body_with_a_utf8_byte_order_mark_is_read_as_the_json_after_it(pusher):
    """Windows tools write a BOM in front of UTF-8 text; it is not part of the JSON."""
    response = pusher.items(b"\xef\xbb\xbf" + SAMPLE)

    assert response.status_code == 200, response.json()
    push = Push.objects.get()
    assert push.status == "ok" and push.size == len(SAMPLE) + 3  # kept as sent
    assert Item.objects.exists()


def test_a_rotated_key_replaces_the_old_one(client, items_key):
    new = integration_rotate_key(integration=items_key.integration)
    old = client.post("/ecrs/items/", SAMPLE, content_type="application/json", HTTP_X_API_KEY=items_key.key)
    fresh = client.post("/ecrs/items/", SAMPLE, content_type="application/json", HTTP_X_API_KEY=new.key)
    assert (old.status_code, fresh.status_code) == (401, 200)


# --- the status table -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"", 400, "Empty body"),
        (b"42", 400, "must be a JSON array"),
        (b'{"items": 5}', 400, '"items" must be an array'),
        (b'"text"', 400, "must be a JSON array"),
    ],
)
def test_a_body_of_no_accepted_shape_is_400_and_still_kept(pusher, body, status, says):
    response = pusher.items(body)
    assert response.status_code == status
    assert response.json()["success"] is False and says in response.json()["message"]
    push = Push.objects.get()
    assert (push.status, push.http_status) == ("rejected", 400)
    assert push.body == body and push.sha256 == hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"])
def test_a_wrong_content_type_is_415(pusher, content_type):
    response = pusher.post("/ecrs/items/", SAMPLE, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["success"] is False and "application/json" in response.json()["message"]


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", ""])
def test_json_with_any_charset_or_no_content_type_is_accepted(pusher, content_type):
    assert pusher.post("/ecrs/items/", SAMPLE, content_type=content_type).status_code == 200


def test_a_body_over_the_limit_is_413_before_it_is_read(pusher, settings):
    settings.ECRS_MAX_JSON_BYTES = 1000
    response = pusher.items(SAMPLE)
    assert response.status_code == 413
    assert "over the limit of 1000 bytes" in response.json()["message"]
    push = Push.objects.get()
    assert push.http_status == 413 and push.body is None
    assert Item.objects.count() == 0


def test_a_declared_length_over_the_limit_is_refused_without_reading(pusher):
    # The request claims 1 GB; the hub must answer from Content-Length alone.
    response = pusher.items(b"[]", CONTENT_LENGTH=str(1024**3))
    assert response.status_code == 413


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_other_methods_answer_405_in_the_envelope(client, items_key, method):
    response = getattr(client, method)("/ecrs/items/", HTTP_X_API_KEY=items_key.key)
    assert response.status_code == 405
    assert response.json()["success"] is False and response["Allow"] == "POST"


def test_unknown_ecrs_paths_answer_404_in_the_envelope(client):
    response = client.post("/ecrs/itemz/", b"[]", content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "No push endpoint at /ecrs/itemz/."}


@pytest.mark.parametrize("path", ["/ecrs/items", "/ecrs/items/", "/ecrs/price-label-settings", "/ecrs/images"])
def test_every_endpoint_answers_with_or_without_trailing_slash_and_never_redirects(client, items_key, path):
    response = client.post(path, b"[]", content_type="application/json", HTTP_X_API_KEY=items_key.key)
    assert response.status_code not in (301, 302, 307, 308, 404)


def test_every_authenticated_push_is_kept_raw_with_its_outcome(pusher):
    response = pusher.items(SAMPLE, REMOTE_ADDR="10.1.2.3")
    push = Push.objects.get()
    assert response.status_code == 200
    assert push.endpoint == "items" and push.remote_addr == "10.1.2.3"
    assert push.content_type == "application/json" and push.size == len(SAMPLE)
    assert zlib.decompress(bytes(push.body_compressed)) == SAMPLE
    assert (push.status, push.http_status, push.records, push.created) == ("ok", 200, 1, 1)
    assert push.duration_ms is not None and push.message == response.json()["message"]
    assert Integration.objects.get().last_push_at == push.received_at


# --- transient failures ---------------------------------------------------------------


class DatabaseGoesAway:
    """Makes every statement touching ``table`` fail as when the server goes away in the
    middle of a push (the connection's own rollback still works, as after a reconnect)."""

    def __init__(self, table: str):
        self.table = table

    def __call__(self, execute, sql, params, many, context):
        if self.table in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def test_a_database_outage_mid_push_answers_503_and_commits_nothing(pusher):
    # Suppliers are written after the items and items-at-store of the page.
    outage = DatabaseGoesAway('"items_supplier"')
    with connection.execute_wrapper(outage):
        response = pusher.items(SAMPLE)
    assert response.status_code == 503
    assert response.json()["success"] is False and "retry" in response.json()["message"]
    assert response["Retry-After"]
    # Items were written before the failure in the same transaction: none survived.
    assert Item.objects.count() == 0 and ItemStore.objects.count() == 0
    assert Push.objects.get().status == "failed"

    # CATAPULT retries on its next cycle, and the push goes through.
    assert pusher.items(SAMPLE).status_code == 200
    assert ItemStore.objects.count() == 1


def test_a_database_down_before_authentication_is_503_not_401(pusher):
    with connection.execute_wrapper(DatabaseGoesAway("ecrs_hub_integration")):
        response = pusher.items(SAMPLE)
    assert response.status_code == 503


def test_create_integration_command_prints_the_strings_and_the_key_last(db):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("create_integration", "Backoffice", "--kind", "items", stdout=out)
    lines = out.getvalue().strip().splitlines()
    key = lines[-1]
    assert f'HEADER: {{"X-Api-Key":"{key}"}}' in lines and f"QUERY PARAMETERS: key={key}" in lines
    assert Integration.objects.get(name="Backoffice").key_hash == Integration.hash_key(key)

    with pytest.raises(CommandError, match="--rotate"):
        call_command("create_integration", "Backoffice", "--kind", "items", stdout=StringIO())
    out = StringIO()
    call_command("create_integration", "Backoffice", "--kind", "items", "--rotate", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] != key
    assert integration_create  # the service the command calls is the one the admin uses


def test_behind_the_proxy_a_push_is_logged_with_the_address_the_proxy_saw(pusher, settings):
    settings.BEHIND_TLS_PROXY = True
    pusher.items(SAMPLE, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    # The first entry is whatever the client claimed; the last is what our proxy appended.
    assert Push.objects.get().remote_addr == "203.0.113.9"
