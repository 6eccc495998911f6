"""Fixtures shared by the whole suite.

Tests talk to the hub through its HTTP endpoints (Django's test client, or a live server on
loopback) and check what a user would see: status codes, response bodies, database state.
Tests marked ``postgres`` need PostgreSQL (row locks, concurrency) and are skipped with a
visible reason on SQLite; run them with DATABASE_URL=postgres://...
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from ecrs_hub.services import IssuedKey, integration_create

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (.ci/run does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_unconfigure(config):
    """The test settings keep files in a fresh temporary folder per process (xdist's
    controller and each worker): remove it on the way out."""
    from django.conf import settings

    if settings.configured and getattr(settings, "TEST_FILES", None):
        shutil.rmtree(settings.TEST_FILES, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: failure counts and throttles of one test never
    refuse another's requests."""
    from django.core.cache import cache

    cache.clear()
    yield


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str):
    return json.loads(fixture_bytes(name))


@pytest.fixture
def items_key(db) -> IssuedKey:
    return integration_create(name="CATAPULT items", kind="items")


@pytest.fixture
def scales_key(db) -> IssuedKey:
    return integration_create(name="CATAPULT scales", kind="scales")


class Pusher:
    """Posts to a push endpoint as CATAPULT does: JSON body, key in the X-Api-Key header."""

    def __init__(self, client, key: str):
        self.client = client
        self.key = key

    def post(self, path: str, body, *, content_type: str = "application/json", **headers):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        headers.setdefault("HTTP_X_API_KEY", self.key)
        return self.client.post(path, body, content_type=content_type, **headers)

    def items(self, body, **headers):
        return self.post("/ecrs/items/", body, **headers)

    def price_label_settings(self, body, **headers):
        return self.post("/ecrs/price-label-settings/", body, **headers)

    def images(self, files: list[tuple[str, bytes]], *, field: str = "file", **headers):
        """Multipart upload with each file as a ``file`` part, named as given."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        headers.setdefault("HTTP_X_API_KEY", self.key)
        data = {field: [SimpleUploadedFile(name, content) for name, content in files]}
        return self.client.post("/ecrs/images/", data, **headers)


@pytest.fixture
def pusher(client, items_key) -> Pusher:
    return Pusher(client, items_key.key)


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="staff-pass-123", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB file system of its own (tmpfs), where the machine lets us mount one."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a 64 KiB tmpfs for the full-disk test")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or result.returncode}) for the full-disk test")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
