"""Liveness and readiness as an operator or a load balancer sees them (CONTRACT 1).

``/readyz`` is checked against a database that really is unreachable: the default
connection is swapped for one whose settings point nowhere (an SQLite file in a folder that
does not exist, or a PostgreSQL port nobody listens on), and put back afterwards.
"""

import socket
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections


def _closed_port() -> int:
    """A loopback port with nothing listening on it (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def default_database_unreachable(tmp_path: Path):
    """Within the block, the default connection points at a database that cannot be reached."""
    working = connections["default"]
    settings_dict = dict(working.settings_dict)
    if working.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    else:
        settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
        settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), "connect_timeout": 2}
    broken = type(working)(settings_dict, alias="default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = working


def test_healthz_answers_ok_without_touching_the_database(client):
    # No database access is allowed in this test: liveness must not depend on it.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_ok_when_the_database_answers(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connections["default"].vendor}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_503_while_the_database_is_unreachable_and_ok_once_it_is_back(client, tmp_path):
    with default_database_unreachable(tmp_path):
        down = client.get("/readyz")

    assert down.status_code == 503
    assert down.json()["status"] == "unavailable"
    assert down.json()["database"]  # the reason, for whoever reads the probe's log
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_tells_anyone_only_that_the_database_is_unavailable_and_logs_where(client, tmp_path, caplog):
    """The probe is public: during an outage it must not show the database's host, port or
    file path to whoever asks; the operator finds them in the log."""
    with default_database_unreachable(tmp_path):
        down = client.get("/readyz")

    assert down.json() == {"status": "unavailable", "database": "database unavailable"}
    body = down.content.decode()
    assert "no-such-folder" not in body and "127.0.0.1" not in body and "port" not in body.lower()
    logged = [record.getMessage() for record in caplog.records if "database unavailable" in record.getMessage()]
    assert logged and len(logged[0]) > len("readiness: database unavailable: ")  # the reason itself
