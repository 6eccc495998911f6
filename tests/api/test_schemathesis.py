"""Schemathesis against the hub's own OpenAPI schema: every /api/ operation, with generated
parameters and bodies, sent through the WSGI app with a staff token. No answer may be a 5xx,
every status must be one the schema documents, and every answer must match what the schema
says of it.

Kept short (a few examples per operation, no coverage phase) so the whole run stays well
under a minute; the seed is fixed, so a failure reproduces."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.django_db(transaction=False)

CONFIG = schemathesis.Config.from_dict(
    {
        # Fixed, so a failure reproduces; SCHEMATHESIS_SEED=<n> explores other inputs.
        "seed": int(os.environ.get("SCHEMATHESIS_SEED", "20261129")),
        "generation": {"max-examples": 6},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.response_schema_conformance,
]


def hub_schema() -> dict:
    """The schema as /api/schema/ serves it (generating it reads no data)."""
    from django.test import Client

    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


APP = get_wsgi_application()


@contextmanager
def connection_kept_open():
    """The real WSGI handler closes the database connection around each request, which would
    end the test's transaction (PostgreSQL); Django's test client skips that the same way,
    and reconnects the handler after each of its own requests, so this wraps every call."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(db, django_user_model, catalog, scale_catalog) -> str:
    """A superuser's token, with a small catalog so lists have rows to render."""
    user = django_user_model.objects.create_user("fuzzer", password="pass-word-123", is_staff=True, is_superuser=True)
    from ecrs_hub.services import api_token_create

    return api_token_create(user=user, name="schemathesis").key


schema = schemathesis.openapi.from_dict(hub_schema(), config=CONFIG).include(
    path_regex=r"^/api/(?!schema|docs|redoc|auth|shopper)"
)


@schema.parametrize()
# The data a test case writes stays for the next ones of the same operation: that is fine.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
def test_no_api_operation_fails_or_breaks_its_schema(case, staff_token):
    with connection_kept_open():
        case.call_and_validate(app=APP, headers={"Authorization": f"Token {staff_token}"}, checks=CHECKS)


shopper_schema = schemathesis.openapi.from_dict(hub_schema(), config=CONFIG).include(path_regex=r"^/api/shopper/")


@pytest.fixture
def shopper_key(db) -> str:
    from django.core.cache import cache

    from coupons.services.sites import site_upsert
    from ecrs_hub.services import integration_create

    cache.clear()
    site_upsert(site_id="STO1")
    return integration_create(name="Fuzzing shopper app", kind="shopper").key


@shopper_schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
def test_no_shopper_operation_fails_or_breaks_its_schema(case, shopper_key):
    with connection_kept_open():
        case.call_and_validate(app=APP, headers={"X-Shopper-Key": shopper_key}, checks=CHECKS)
