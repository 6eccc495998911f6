"""Writes of the shared push machinery: integrations and their keys, staff API tokens, push
retention. Every key (an integration's, an API token's) comes from :func:`key_issue`: random,
shown once, stored only as its SHA-256 with a short prefix to tell keys apart."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, Integration, Push, RefusedRequest, hash_key

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
    """A new random key, its first ``prefix_length`` characters and its SHA-256: the one way
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


# --- staff groups ------------------------------------------------------------------------------

STORE_STAFF = "Store staff"
COUPON_MANAGERS = "Coupon managers"
# Store staff see every model of these apps (and the push log), release pending redemptions
# (coupons/admin/pos.py asks for change_clip) and map scale stores (scales/admin.py asks for
# change_scalestore). Coupon managers also edit what the hub owns for coupons, and the scale defaults.
STAFF_VIEW_APPS = ("items", "scales", "coupons", "cognition")
STAFF_VIEW_MODELS = ("ecrs_hub.push", "ecrs_hub.refusedrequest", "ecrs_hub.integration")
STORE_STAFF_EXTRA = ("coupons.change_clip", "scales.change_scalestore")
COUPON_MANAGER_MODELS = (
    "coupons.coupon",
    "coupons.customer",
    "coupons.customerphone",
    "coupons.customeremail",
    "coupons.site",
    "coupons.poscredential",
)
# add as well as change: the scale defaults page offers "add" until its one row exists.
COUPON_MANAGER_EXTRA = ("scales.add_scaledefaults", "scales.change_scaledefaults")


class StaffGroupError(Exception):
    pass


@dataclass(frozen=True)
class StaffGroupResult:
    group: Group
    created: bool
    permissions: list[Permission]  # what the group holds now
    added: list[Permission]  # what this run gave it


def staff_group_definitions() -> dict[str, list[str]]:
    """Each group's ``app_label.codename`` permissions, from the models installed now (so a
    model a later migration adds is covered by running the command again)."""
    view = [
        f"{model._meta.app_label}.view_{model._meta.model_name}"
        for label in STAFF_VIEW_APPS
        for model in apps.get_app_config(label).get_models()
        if "view" in model._meta.default_permissions
    ]
    view += [f"{label.split('.')[0]}.view_{label.split('.')[1]}" for label in STAFF_VIEW_MODELS]
    store_staff = [*view, *STORE_STAFF_EXTRA]
    managed = [
        f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
        for label in COUPON_MANAGER_MODELS
        for action in ("add", "change", "delete")
    ]
    return {STORE_STAFF: store_staff, COUPON_MANAGERS: [*store_staff, *managed, *COUPON_MANAGER_EXTRA]}


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".")) for name in names}
    found = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={app for app, _codename in wanted},
            codename__in={codename for _app, codename in wanted},
        )
    }
    missing = sorted(".".join(key) for key in wanted - set(found))
    if missing:
        raise StaffGroupError(f"These permissions do not exist (run migrate first?): {', '.join(missing)}")
    return sorted((found[key] for key in wanted), key=lambda perm: (perm.content_type.app_label, perm.codename))


@transaction.atomic
def staff_groups_create() -> list[StaffGroupResult]:
    """Create the staff groups, or give existing ones what they lack. Re-runnable: it only
    adds, so permissions an operator granted a group by hand stay."""
    for label in ("auth", *STAFF_VIEW_APPS, "ecrs_hub"):
        create_permissions(apps.get_app_config(label), verbosity=0)
    results = []
    for name, names in staff_group_definitions().items():
        permissions = _permissions(names)
        group, created = Group.objects.get_or_create(name=name)
        held = set(group.permissions.values_list("pk", flat=True))
        added = [perm for perm in permissions if perm.pk not in held]
        group.permissions.add(*added)
        results.append(StaffGroupResult(group=group, created=created, permissions=permissions, added=added))
    return results
