"""A push sent with ``Transfer-Encoding: chunked`` and no Content-Length is read to its end
(CONTRACT 2.3: nothing lost). Django reads no body without a Content-Length, so before this
such a push was stored with size 0 and answered 400 "Empty body", which CATAPULT never
retries. Proven through gunicorn, the production server, over real HTTP; and through the
test client's WSGI environ on both databases."""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from ecrs_hub.models import Push
from items.models import Item
from tests.conftest import fixture_bytes

SAMPLE = fixture_bytes("items-page.json")
ROOT = Path(__file__).resolve().parents[2]


def chunks(body: bytes, size: int = 1000) -> list[bytes]:
    return [body[start : start + size] for start in range(0, len(body), size)]


@pytest.mark.django_db
def test_a_chunked_body_without_content_length_is_read_whole(client, items_key):
    environ = {"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(SAMPLE)}
    response = client.generic(
        "POST", "/ecrs/items/", b"", content_type="application/json", HTTP_X_API_KEY=items_key.key, **environ
    )

    assert response.status_code == 200, response.json()
    push = Push.objects.get()
    assert (push.status, push.size) == ("ok", len(SAMPLE))
    assert push.body == SAMPLE
    assert Item.objects.exists()


@pytest.mark.django_db
def test_a_chunked_body_over_the_limit_is_413_while_it_is_read(client, items_key, settings):
    settings.ECRS_MAX_JSON_BYTES = 1000
    environ = {"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(SAMPLE)}
    response = client.generic(
        "POST", "/ecrs/items/", b"", content_type="application/json", HTTP_X_API_KEY=items_key.key, **environ
    )

    assert response.status_code == 413
    assert response.json()["success"] is False and "over the limit of 1000 bytes" in response.json()["message"]
    assert not Item.objects.exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn_hub(transactional_db, tmp_path):
    """gunicorn serving the test database (PostgreSQL: another process can reach it)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: gunicorn, another process, must reach the test database")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "0",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_gunicorn_reads_a_chunked_push_to_its_end_over_http(gunicorn_hub, items_key):
    connection_ = http.client.HTTPConnection("127.0.0.1", gunicorn_hub, timeout=30)
    connection_.putrequest("POST", "/ecrs/items/")
    connection_.putheader("Content-Type", "application/json")
    connection_.putheader("X-Api-Key", items_key.key)
    connection_.putheader("Transfer-Encoding", "chunked")
    connection_.endheaders()
    for part in chunks(SAMPLE):
        connection_.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
    connection_.send(b"0\r\n\r\n")
    response = connection_.getresponse()
    answer = response.read()

    assert response.status == 200, answer
    push = Push.objects.get()
    assert (push.status, push.size, push.sha256) == ("ok", len(SAMPLE), hashlib.sha256(SAMPLE).hexdigest())
    assert Item.objects.exists()
