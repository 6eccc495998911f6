"""The POS at its edge (issue 11, "Never a 500, never a loop" and "Cheap to attack"): every
value is read by one reader per kind, so a lone surrogate, NaN, Infinity, 1e400 or a huge
integer is INVALID_REQUEST naming the field, never a 500; commit and cancel store what they
can read and answer 200 (a POS retries them in the background: an error there loops); the
body is read only after the credentials and only up to POS_MAX_BODY_BYTES; a database that
hangs answers 503 UNAVAILABLE well inside the POS's 5 s deadline."""

from __future__ import annotations

import base64
import io
import socket
import threading
import time

import pytest
from django.db import connection

from coupons.models import PosTransaction, UnknownPosRequest

from .pos_support import UPC, Pos, clip_of, line, make_clip, make_coupon, make_customer

pytestmark = pytest.mark.django_db

UPDATE = '{"site": "STO1", "customer": "412345", "transaction": "T1", "items": [{"id": 1, "upc": %s, "price": 1.99}]}'


def error_of(response) -> tuple[str, str]:
    (error,) = response.json()["errors"]
    return error["id"], error["details"]


def update_with(pos: Pos, field: str, literal: str):
    """A transaction update whose ``field`` is the raw JSON ``literal`` (NaN, 1e400...)."""
    line_fields = {"id": "1", "upc": str(UPC), "price": "1.99", "quantity": "1", "dept": "3"}
    top = {
        "site": '"STO1"',
        "customer": '"412345"',
        "transaction": '"T1"',
        "cashier": "7",
        "time": '"2026-12-03T10:00"',
    }
    name = field.removeprefix("items[0].")
    (line_fields if field.startswith("items[0].") else top)[name] = literal
    item = "{" + ", ".join(f'"{k}": {v}' for k, v in line_fields.items()) + "}"
    body = "{" + ", ".join(f'"{k}": {v}' for k, v in top.items()) + f', "items": [{item}]' + "}"
    return pos.post("/pos/transaction/update", body.encode())


@pytest.mark.parametrize(
    ("field", "literal", "rule"),
    [
        ("customer", '"\\ud800"', "must be valid Unicode text (it holds a lone surrogate)"),
        ("transaction", '"T\\udfff1"', "must be valid Unicode text (it holds a lone surrogate)"),
        ("items[0].id", '"\\ud800"', "must be valid Unicode text (it holds a lone surrogate)"),
        ("time", '"\\ud800"', "must be valid Unicode text (it holds a lone surrogate)"),
        ("customer", "NaN", "must be a finite number"),
        ("transaction", "Infinity", "must be a finite number"),
        ("cashier", "-Infinity", "must be a finite number"),
        ("cashier", "1e400", "must be between"),
        ("cashier", "9" * 5000, "must be between"),
        ("items[0].price", "NaN", "must be a finite number"),
        ("items[0].price", "1e400", "is too large"),
        ("items[0].quantity", "Infinity", "must be a finite number"),
        ("items[0].quantity", "9" * 5000, "is too large"),
        ("items[0].dept", "1e400", "must be between"),
        ("customer", '{"id": 1}', "must be text"),
        ("transaction", "[1]", "must be text"),
    ],
)
def test_an_unreadable_value_is_invalid_request_naming_its_field(pos, site, field, literal, rule):
    response = update_with(pos, field, literal)
    assert response.status_code == 400, response.content
    code, details = error_of(response)
    assert code == "INVALID_REQUEST" and details.startswith(f"{field}: ") and rule in details, details


@pytest.mark.parametrize("upc", ["NaN", "Infinity", "1e400", "9" * 5000, '"\\ud800"', '{"a": 1}', "[1]", "1.5", "-1"])
def test_an_unreadable_upc_matches_nothing_and_the_sale_goes_on(pos, site, upc):
    response = pos.post("/pos/transaction/update", (UPDATE % upc).encode())
    assert response.status_code == 200, response.content
    assert response.json()["applied"] == []


def test_an_unreadable_entry_of_a_list_names_its_index(pos, site):
    body = b'{"add": ["A1", "\\ud800"], "remove": []}'
    response = pos.post("/pos/coupons/clip", body, {"site": "STO1", "customer": "412345"})
    assert response.status_code == 400
    assert error_of(response) == ("INVALID_REQUEST", "add[1]: must be valid Unicode text (it holds a lone surrogate)")


def test_json_nested_too_deep_is_invalid_request(pos, site):
    deep = b'{"site": "STO1", "transaction": "T1", "x": ' + b"[" * 3000 + b"]" * 3000 + b"}"
    for path in ("/pos/transaction/update", "/pos/transaction/commit"):
        response = pos.post(path, deep)
        assert response.status_code == 400, (path, response.content)
        assert error_of(response) == ("INVALID_REQUEST", "the body nests deeper than 32 levels")


def test_a_nan_tender_commits_once_and_every_retry_answers_the_same(pos, site):
    """Reproduction: a NaN tender made every commit (and so every background retry) fail."""
    make_clip(make_customer("412345"), make_coupon("S1"))
    assert pos.update([line()]).status_code == 200
    body = (
        b'{"site": "STO1", "customer": "412345", "transaction": "T1", "coupons": ["S1"],'
        b' "tenders": [{"type": "CASH", "amount": NaN}, {"type": "CARD\\ud800", "amount": 1e400},'
        b' {"type": "GIFT", "amount": -Infinity}, {"type": "EBT", "amount": 2.5}]}'
    )
    first, retry = pos.post("/pos/transaction/commit", body), pos.post("/pos/transaction/commit", body)

    assert first.status_code == retry.status_code == 200, first.content
    assert first.json() == retry.json()
    assert clip_of("412345", "S1").state == "redeemed"
    txn = PosTransaction.objects.get(transaction_id="T1")
    assert txn.status == "committed"
    assert txn.tenders == [  # as sent; what no JSON column holds kept as its text
        {"type": "CASH", "amount": "NaN"},
        {"type": "CARD\\ud800", "amount": "1e400"},
        {"type": "GIFT", "amount": "-Infinity"},
        {"type": "EBT", "amount": 2.5},
    ]


@pytest.mark.parametrize(
    "body",
    [
        b'{"customer": "\\ud800", "transaction": "T1", "coupons": [NaN, "S1", {"a": 1}], "tenders": {"a": 1}}',
        b'{"customer": NaN, "transaction": "T1", "coupons": "S1", "tenders": NaN}',
        b'{"customer": ["412345"], "transaction": "T1", "coupons": null, "tenders": [1e400]}',
        b'{"customer": "412345", "transaction": "\\ud800", "coupons": ["\\udfff"]}',
        b'{"customer": "412345", "transaction": Infinity, "coupons": [' + b"9" * 5000 + b"]}",
    ],
)
def test_commit_and_cancel_ignore_what_they_cannot_read_and_answer_200(pos, site, body):
    for path in ("/pos/transaction/commit", "/pos/transaction/cancel"):
        response = pos.post(path + "?site=STO1", body)
        assert response.status_code == 200, (path, response.content)


def test_a_commit_body_that_is_not_a_json_object_stays_a_400(pos, site):
    for body in (b"[1, 2]", b"NaN", b"not json", b'"\\ud800"'):
        response = pos.post("/pos/transaction/commit?site=STO1", body)
        assert response.status_code == 400 and error_of(response)[0] == "INVALID_REQUEST", body


def test_a_username_with_a_nul_is_refused_like_any_wrong_credential(client, site, credential):
    header = "Basic " + base64.b64encode(b"p\x00s:x").decode()
    response = client.get("/pos/coupons", {"site": "STO1"}, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and error_of(response)[0] == "UNAUTHORIZED"


# --- the body cap: credentials first, then the declared length, then the body --------------


class Untouchable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def oversize(pos_or_client, path: str, auth: str | None):
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    return pos_or_client.generic(
        "POST",
        path,
        b"",
        content_type="application/json",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
        **{"wsgi.input": Untouchable()},
        **headers,
    )


@pytest.mark.parametrize("path", ["/pos/transaction/update", "/pos/transaction/commit", "/pos/unknown/path"])
def test_an_oversize_body_with_bad_credentials_is_401_unread(client, site, credential, path):
    response = oversize(client, path, "Basic " + base64.b64encode(b"pos:wrong").decode())
    assert response.status_code == 401 and error_of(response)[0] == "UNAUTHORIZED"


@pytest.mark.parametrize("path", ["/pos/transaction/update", "/pos/transaction/commit", "/pos/unknown/path"])
def test_an_oversize_body_with_good_credentials_is_413_unread(pos, site, path):
    response = oversize(pos.client, path, pos.auth)
    assert response.status_code == 413
    assert error_of(response) == ("REQUEST_TOO_LARGE", "the body is over the limit of 1048576 bytes")


def chunked(pos, path: str, body: bytes):
    environ = {"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(body)}
    return pos.client.generic(
        "POST", path, b"", content_type="application/json", HTTP_AUTHORIZATION=pos.auth, **environ
    )


def test_a_chunked_body_is_read_and_counted_against_the_cap(pos, site, settings):
    make_clip(make_customer("412345"), make_coupon("S1"))
    body = (UPDATE % UPC).encode()
    read = chunked(pos, "/pos/transaction/update", body)
    assert read.status_code == 200 and [a["couponId"] for a in read.json()["applied"]] == ["S1"]

    settings.POS_MAX_BODY_BYTES = len(body) - 1
    refused = chunked(pos, "/pos/transaction/update", body)
    assert refused.status_code == 413 and error_of(refused)[0] == "REQUEST_TOO_LARGE"
    assert chunked(pos, "/pos/odd/path", body).status_code == 413
    assert UnknownPosRequest.objects.filter(path="/pos/odd/path", body_keys=[]).exists()


# --- a database that hangs -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_commit_on_a_database_that_hangs_is_503_unavailable_well_inside_5_s(client, settings):
    """A statement that waits (a trigger sleeping 10 s stands for a hung disk) is cancelled by
    POS_STATEMENT_TIMEOUT_MS (default 2000): 503 UNAVAILABLE with Retry-After, nothing
    committed; the POS's retry commits once the database answers."""
    from coupons.services.sites import pos_credential_upsert, site_upsert

    from .pos_support import PASSWORD

    site_upsert(site_id="STO1", name="Main Street")
    pos_credential_upsert(username="pos", password=PASSWORD, site_ids=["STO1"])
    pos = Pos(client)
    make_clip(make_customer("412345"), make_coupon("S1"))
    assert pos.update([line()]).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION hub_hang() RETURNS trigger AS $$ "
            "BEGIN PERFORM pg_sleep(10); RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute("CREATE TRIGGER hub_hang BEFORE UPDATE ON coupons_clip FOR EACH ROW EXECUTE FUNCTION hub_hang()")
    try:
        started = time.monotonic()
        response = pos.commit(["S1"])
        elapsed = time.monotonic() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER hub_hang ON coupons_clip")
            cursor.execute("DROP FUNCTION hub_hang()")

    assert response.status_code == 503, response.content
    assert error_of(response)[0] == "UNAVAILABLE" and response["Retry-After"]
    assert elapsed < 3.5, elapsed
    assert clip_of("412345", "S1").state == "pending"
    retry = pos.commit(["S1"])
    assert retry.status_code == 200 and clip_of("412345", "S1").state == "redeemed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_that_never_answers_the_connection_is_503_unavailable(client):
    """A database host that accepts the TCP connection and then says nothing (a hung server,
    a black-holed network): libpq gives up after DB_CONNECT_TIMEOUT (default 2 s): 503."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for port in range(22090, 22100):
        try:
            listener.bind(("127.0.0.1", port))
            break
        except OSError:
            continue
    else:
        pytest.skip("no free port in 22090-22099 for a silent database")
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_say_nothing():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_say_nothing, daemon=True)
    thread.start()
    saved = dict(connection.settings_dict)
    assert connection.settings_dict["OPTIONS"].get("connect_timeout") == 2
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port))
    try:
        started = time.monotonic()
        auth = "Basic " + base64.b64encode(b"pos:secret").decode()
        response = client.get("/pos/coupons", {"site": "STO1"}, HTTP_AUTHORIZATION=auth)
        elapsed = time.monotonic() - started
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        stop.set()
        thread.join()
        for sock in held:
            sock.close()
        listener.close()

    assert response.status_code == 503, response.content
    assert error_of(response)[0] == "UNAVAILABLE" and response["Retry-After"]
    assert elapsed < 4.5, elapsed
