"""Writes of the shared push machinery: integrations and their keys, push retention."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import Integration, Push, RefusedRequest


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


def new_key() -> str:
    # 32 random bytes as URL-safe base64: 43 characters of letters, digits, - and _,
    # so the key pastes into a query string unescaped.
    return secrets.token_urlsafe(32)


@transaction.atomic
def integration_create(*, name: str, kind: str, enabled: bool = True, notes: str = "") -> IssuedKey:
    if kind not in Integration.Kind.values:
        raise ValueError(f"kind must be one of {', '.join(Integration.Kind.values)}, not {kind!r}")
    key = new_key()
    integration = Integration.objects.create(
        name=name, kind=kind, enabled=enabled, notes=notes, key_prefix=key[:6], key_hash=Integration.hash_key(key)
    )
    return IssuedKey(integration, key)


@transaction.atomic
def integration_rotate_key(*, integration: Integration) -> IssuedKey:
    """Give the integration a new key; the old one stops working at once."""
    key = new_key()
    integration.key_prefix = key[:6]
    integration.key_hash = Integration.hash_key(key)
    integration.key_rotated_at = timezone.now()
    integration.save(update_fields=["key_prefix", "key_hash", "key_rotated_at"])
    return IssuedKey(integration, key)


def pushes_prune(*, days: int | None = None) -> tuple[int, int]:
    """Drop the raw bodies (and stored upload files) of pushes older than the retention,
    keeping their log rows; delete refused-request rows older than it. Returns (pushes
    pruned, refused requests deleted)."""
    days = settings.ECRS_PUSH_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    pruned = 0
    old = Push.objects.filter(received_at__lt=cutoff, body_pruned_at__isnull=True)
    for push in old.only("pk", "files").iterator(chunk_size=500):
        for stored in push.files:
            if stored.get("path"):
                default_storage.delete(stored["path"])
        Push.objects.filter(pk=push.pk).update(body_compressed=None, body_pruned_at=timezone.now())
        pruned += 1
    refused, _ = RefusedRequest.objects.filter(received_at__lt=cutoff).delete()
    return pruned, refused
