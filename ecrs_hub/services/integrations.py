"""Integrations and their keys, staff API tokens. Every key (an integration's, an API
token's) comes from :func:`key_issue`: random, shown once, stored only as its keyed hash
(HMAC-SHA-256, ``ecrs_hub.machine_secrets``) with a short prefix to tell keys apart."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..models import ApiToken, Integration, hash_key

INTEGRATION_KEY_PREFIX = 6
API_TOKEN_KEY_PREFIX = 8
# A token's last use is written at most this often, so a busy script does not write a row
# on every request.
API_TOKEN_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    """A key as shown once to staff, with the strings to paste into CATAPULT Web Office."""

    integration: Integration
    key: str

    @property
    def header_string(self) -> str:
        return f'{{"X-Api-Key":"{self.key}"}}'

    @property
    def query_string(self) -> str:
        return f"key={self.key}"


@dataclass(frozen=True)
class KeyMaterial:
    """A new key and what is stored of it: its first characters and its hash."""

    key: str
    prefix: str
    hash: str


def new_key() -> str:
    # 32 random bytes as URL-safe base64: 43 characters of letters, digits, - and _,
    # so the key pastes into a query string unescaped.
    return secrets.token_urlsafe(32)


def key_issue(*, prefix_length: int) -> KeyMaterial:
    """A new random key, its first ``prefix_length`` characters and its keyed hash: the one way
    integrations and API tokens get their keys."""
    key = new_key()
    return KeyMaterial(key=key, prefix=key[:prefix_length], hash=hash_key(key))


@transaction.atomic
def integration_create(*, name: str, kind: str, enabled: bool = True, notes: str = "") -> IssuedKey:
    if kind not in Integration.Kind.values:
        raise ValueError(f"kind must be one of {', '.join(Integration.Kind.values)}, not {kind!r}")
    material = key_issue(prefix_length=INTEGRATION_KEY_PREFIX)
    integration = Integration.objects.create(
        name=name, kind=kind, enabled=enabled, notes=notes, key_prefix=material.prefix, key_hash=material.hash
    )
    return IssuedKey(integration, material.key)


@transaction.atomic
def integration_rotate_key(*, integration: Integration) -> IssuedKey:
    """Give the integration a new key; the old one stops working at once."""
    material = key_issue(prefix_length=INTEGRATION_KEY_PREFIX)
    integration.key_prefix = material.prefix
    integration.key_hash = material.hash
    integration.key_rotated_at = timezone.now()
    integration.save(update_fields=["key_prefix", "key_hash", "key_rotated_at"])
    return IssuedKey(integration, material.key)


def integration_key_hash_upgrade(*, integration: Integration, key: str) -> None:
    """Store the key of ``integration`` (found by a hash of before: plain SHA-256, an old
    hash key) under the current keyed hash. Conditional on the old hash, so a rotation in
    between wins; takes no lock."""
    Integration.objects.filter(pk=integration.pk, key_hash=integration.key_hash).update(key_hash=hash_key(key))
    integration.key_hash = hash_key(key)
    integration.key_hash_outdated = False


def api_token_key_hash_upgrade(*, token: ApiToken, key: str) -> None:
    """The same for a staff API token found by an old hash."""
    ApiToken.objects.filter(pk=token.pk, key_hash=token.key_hash).update(key_hash=hash_key(key))
    token.key_hash = hash_key(key)


# --- staff API tokens -------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedApiToken:
    """A token as shown once to staff."""

    token: ApiToken
    key: str

    @property
    def header_string(self) -> str:
        return f"Authorization: Token {self.key}"


@transaction.atomic
def api_token_create(*, user, name: str, expires_at: datetime | None = None) -> IssuedApiToken:
    """Issue a staff API token for ``user``; the key is in the result and nowhere else."""
    if not user.is_active:
        raise ValueError(f"user {user.get_username()!r} is inactive")
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValueError("expires_at must be in the future")
    material = key_issue(prefix_length=API_TOKEN_KEY_PREFIX)
    token = ApiToken.objects.create(
        user=user, name=name, key_prefix=material.prefix, key_hash=material.hash, created_at=now, expires_at=expires_at
    )
    return IssuedApiToken(token, material.key)


@transaction.atomic
def api_tokens_revoke(*, tokens: Iterable[ApiToken]) -> int:
    """Revoke the tokens not revoked yet (they stop working at once); returns how many."""
    pks = [token.pk for token in tokens]
    return ApiToken.objects.filter(pk__in=pks, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_touch(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record that the token was just used, unless that was recorded less than
    ``API_TOKEN_TOUCH_EVERY`` ago (no write then). Not atomic on purpose: a lost touch only
    makes ``last_used_at`` a minute older."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < API_TOKEN_TOUCH_EVERY:
        return
    token.last_used_at = now
    token.save(update_fields=["last_used_at"])
