"""POS credentials as machine secrets (CONTRACT 3.1, issue 11 "Cheap to attack"): a keyed
fast hash, passwords of before still accepted and upgraded, nothing remembered between
requests, and failed logins throttled per address and per username with 429 + Retry-After."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import override_settings

from coupons.models import PosCredential
from coupons.services.sites import pos_credential_set_password, pos_credential_upsert
from ecrs_hub.machine_secrets import secret_check

from .pos_support import PASSWORD, basic

pytestmark = pytest.mark.django_db

COUPONS = "/pos/coupons"
PBKDF2_FIRST = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]


def get(client, username="pos", password=PASSWORD, address="10.1.1.1"):
    return client.get(COUPONS, {"site": "STO1"}, HTTP_AUTHORIZATION=basic(username, password), REMOTE_ADDR=address)


def test_a_pos_password_is_stored_as_a_salted_keyed_hash_not_pbkdf2(credential):
    stored = PosCredential.objects.get(username="pos").password
    assert stored.startswith("hmac_sha256$") and PASSWORD not in stored
    other = pos_credential_upsert(username="pos2", password=PASSWORD, site_ids=["STO1"]).credential
    assert other.password != stored  # a salt of its own: equal passwords, different hashes


@override_settings(PASSWORD_HASHERS=PBKDF2_FIRST)
def test_a_credential_stored_with_pbkdf2_before_still_works_and_is_upgraded_on_its_next_success(client, credential):
    PosCredential.objects.filter(pk=credential.pk).update(password=make_password(PASSWORD))  # as stored before
    assert PosCredential.objects.get(pk=credential.pk).password.startswith("pbkdf2_sha256$")

    assert get(client, password="wrong-password").status_code == 401
    assert PosCredential.objects.get(pk=credential.pk).password.startswith("pbkdf2_sha256$")  # not on a failure

    assert get(client).status_code == 200
    upgraded = PosCredential.objects.get(pk=credential.pk).password
    assert upgraded.startswith("hmac_sha256$") and secret_check(PASSWORD, upgraded).ok
    assert get(client).status_code == 200


def test_a_disabled_credential_is_refused_on_the_very_next_request(client, credential):
    assert get(client).status_code == 200
    PosCredential.objects.filter(pk=credential.pk).update(active=False)
    response = get(client)
    assert response.status_code == 401 and response.json()["errors"][0]["id"] == "UNAUTHORIZED"


def test_a_changed_password_refuses_the_old_one_on_the_very_next_request(client, credential):
    assert get(client).status_code == 200
    pos_credential_set_password(credential=credential, password="a-new-password-1")
    assert get(client).status_code == 401
    assert get(client, password="a-new-password-1").status_code == 200


def test_a_new_hash_key_refuses_old_passwords_unless_the_old_key_is_a_fallback(client, credential, settings):
    with override_settings(ECRS_SECRET_HASH_KEY="another-server-key-" + "x" * 40):
        assert get(client).status_code == 401
    old_secret = settings.SECRET_KEY
    with override_settings(SECRET_KEY="a-rotated-secret-key-" + "z" * 40, SECRET_KEY_FALLBACKS=[old_secret]):
        assert get(client).status_code == 200
        stored = PosCredential.objects.get(pk=credential.pk).password
        with override_settings(SECRET_KEY_FALLBACKS=[]):
            assert secret_check(PASSWORD, stored).ok  # stored again under the new key
            assert get(client).status_code == 200


@override_settings(POS_AUTH_FAILURES_PER_USERNAME=5, POS_AUTH_FAILURES_PER_ADDRESS=1000, POS_AUTH_FAILURE_WINDOW=60)
def test_wrong_passwords_for_a_username_lock_it_for_the_rest_of_the_window_but_not_its_own_terminal(client, credential):
    assert get(client, address="10.0.0.7").status_code == 200  # the store's Transaction Server
    with time_machine.travel(time.time() // 60 * 60 + 1, tick=False):
        for _ in range(5):
            assert get(client, password="guess", address="192.0.2.9").status_code == 401
        locked = get(client, password="guess", address="192.0.2.9")
        assert locked.status_code == 429
        assert locked.json()["errors"][0]["id"] == "TOO_MANY_REQUESTS"
        assert 1 <= int(locked["Retry-After"]) <= 60
        # Even the right password is refused from elsewhere: a guess that hits tells nothing ...
        assert get(client, address="192.0.2.9").status_code == 429
        # ... while the terminal that authenticated before keeps selling.
        assert get(client, address="10.0.0.7").status_code == 200
    with time_machine.travel(time.time() // 60 * 60 + 61, tick=False):  # the next window
        assert get(client, address="192.0.2.9").status_code == 200


@override_settings(POS_AUTH_FAILURES_PER_ADDRESS=8, POS_AUTH_FAILURES_PER_USERNAME=1000, POS_AUTH_FAILURE_WINDOW=60)
def test_an_address_spraying_usernames_is_throttled_but_a_terminal_known_there_gets_through(client, credential):
    assert get(client, address="10.0.0.8").status_code == 200
    with time_machine.travel(time.time() // 60 * 60 + 1, tick=False):
        for k in range(8):
            assert get(client, username=f"user{k}", password="x", address="10.0.0.8").status_code == 401
        assert get(client, username="user99", password="x", address="10.0.0.8").status_code == 429
        assert get(client, username="pos", password="wrong", address="10.0.0.8").status_code == 429
        assert get(client, address="10.0.0.8").status_code == 200  # the real POS behind the same address
        assert get(client, username="user99", password="x", address="10.0.0.9").status_code == 401  # elsewhere


def test_a_missing_authorization_header_is_a_challenge_not_a_counted_failure(client, credential):
    with override_settings(POS_AUTH_FAILURES_PER_ADDRESS=2):
        for _ in range(5):
            response = client.get(COUPONS, {"site": "STO1"}, REMOTE_ADDR="10.2.2.2")
            assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic")
        assert get(client, username="nobody", password="x", address="10.2.2.2").status_code == 401


def test_odd_usernames_are_refused_with_401_not_an_error(client, credential):
    for username in ("a\x00b", "x" * 5000, ""):
        assert get(client, username=username, password="p", address="10.3.3.3").status_code == 401, username
