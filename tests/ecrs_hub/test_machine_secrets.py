"""Integration keys and staff API tokens are stored as a keyed hash (HMAC-SHA-256 under the
server's hash key); rows stored before as plain SHA-256 keep working and are upgraded on use."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client, override_settings

from ecrs_hub.machine_secrets import hash_key
from ecrs_hub.models import ApiToken, Integration, RefusedRequest
from ecrs_hub.services import api_token_create, integration_create

pytestmark = pytest.mark.django_db

PAGE = b'{"items": []}'


def push(key: str):
    return Client().post("/ecrs/items/", PAGE, content_type="application/json", HTTP_X_API_KEY=key)


def test_a_new_key_is_stored_as_its_keyed_hash_which_a_stolen_table_cannot_check(items_key):
    stored = Integration.objects.get().key_hash
    assert stored == hash_key(items_key.key)
    assert stored != hashlib.sha256(items_key.key.encode()).hexdigest()  # not guessable without the server key
    with override_settings(ECRS_SECRET_HASH_KEY="some-other-server-key-" + "q" * 40):
        assert push(items_key.key).status_code == 401


def test_an_integration_key_stored_as_plain_sha256_before_still_pushes_and_is_upgraded(items_key):
    legacy = hashlib.sha256(items_key.key.encode()).hexdigest()
    Integration.objects.update(key_hash=legacy)
    assert push(items_key.key).status_code == 200
    assert Integration.objects.get().key_hash == hash_key(items_key.key)
    assert push(items_key.key).status_code == 200
    assert push(items_key.key[:-1] + "A").status_code == 401


def test_a_shopper_key_stored_as_plain_sha256_still_works_and_is_upgraded(db):
    issued = integration_create(name="Web shop", kind="shopper")
    Integration.objects.update(key_hash=hashlib.sha256(issued.key.encode()).hexdigest())
    response = Client().get("/api/shopper/customers/4001/coupons/", HTTP_X_SHOPPER_KEY=issued.key)
    assert response.status_code == 200
    assert Integration.objects.get().key_hash == hash_key(issued.key)


def test_a_staff_token_stored_as_plain_sha256_still_works_and_is_upgraded(django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="pass-word-123", is_staff=True, is_superuser=True)
    issued = api_token_create(user=clerk, name="export")
    ApiToken.objects.update(key_hash=hashlib.sha256(issued.key.encode()).hexdigest())
    assert Client().get("/api/items/", HTTP_AUTHORIZATION=f"Token {issued.key}").status_code == 200
    assert ApiToken.objects.get().key_hash == hash_key(issued.key)


def test_the_old_secret_key_as_a_fallback_keeps_keys_working_and_they_move_to_the_new_one(items_key, settings):
    old = settings.SECRET_KEY
    with override_settings(SECRET_KEY="rotated-" + "s" * 50, SECRET_KEY_FALLBACKS=[old]):
        assert push(items_key.key).status_code == 200
        with override_settings(SECRET_KEY_FALLBACKS=[]):
            assert push(items_key.key).status_code == 200
    assert not RefusedRequest.objects.exists()
