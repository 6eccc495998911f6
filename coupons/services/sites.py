"""Coupon sites and POS credentials as staff and operators set them up (CONTRACT 3.1, 6).

``create_site`` and ``create_pos_credential`` call these; the admin's forms validate with
the same rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ecrs_hub.machine_secrets import secret_make
from items import lock_objects as items_lock_objects
from items.models import Store

from .. import lock_objects
from ..models import PosCredential, Site
from .records import RecordConflict, row_delete

SITE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
SITE_ID_MAX = Site._meta.get_field("site_id").max_length
STORE_NUMBER_MAX = Store._meta.get_field("number").max_length
USERNAME_MAX = PosCredential._meta.get_field("username").max_length
PASSWORD_MIN = 8


class SetupError(ValueError):
    """The site or credential asked for cannot be set up; nothing was changed."""


def site_id_check(site_id: str) -> str:
    """The site id as stored, or :class:`SetupError` saying the rule it breaks."""
    site_id = (site_id or "").strip()
    if not site_id or len(site_id) > SITE_ID_MAX:
        raise SetupError(f"the site id must be 1 to {SITE_ID_MAX} characters")
    if not SITE_ID.match(site_id):
        raise SetupError(
            f"the site id {site_id!r} may only hold letters, digits, '_', '.' and '-' (the POS siteid setting)"
        )
    return site_id


def password_check(password: str) -> str:
    if password is None or len(password) < PASSWORD_MIN:
        raise SetupError(f"the password must be at least {PASSWORD_MIN} characters")
    if password != password.strip():
        raise SetupError("the password must not start or end with spaces (the POS setting would lose them)")
    return password


@dataclass(frozen=True, slots=True)
class SiteResult:
    site: Site
    created: bool
    store_created: bool


def _store_for_number(store_number: str) -> tuple[Store, bool]:
    """The store with that number, created (by number alone, as staff would) when there is
    none; a later CATAPULT push naming the number adopts it (items.services.catalog)."""
    store_number = store_number.strip()
    if not store_number or len(store_number) > STORE_NUMBER_MAX:
        raise SetupError(f"the store number must be 1 to {STORE_NUMBER_MAX} characters")
    stores = list(items_lock_objects.stores_for_update(number=store_number)[:2])
    if len(stores) > 1:
        raise SetupError(f"several stores have number {store_number}; merge them first")
    if stores:
        return stores[0], False
    return Store.objects.create(number=store_number), True


@transaction.atomic
def site_upsert(
    *,
    site_id: str,
    store_number: str | None = None,
    self_stacking: bool | None = None,
    use_external_images: bool | None = None,
    name: str | None = None,
) -> SiteResult:
    """Create the coupon site ``site_id`` or update it. Arguments left ``None`` keep the
    stored value (a new site gets the defaults: no store, both flags off). With
    ``store_number`` the site is linked to that store, which is created when no store has
    the number. Locks the site row (and the store rows of that number)."""
    site_id = site_id_check(site_id)
    store, store_created = (None, False) if store_number is None else _store_for_number(str(store_number))
    now = timezone.now()
    site = lock_objects.site_for_update(site_id=site_id).first()
    created = site is None
    if created:
        site = Site(site_id=site_id, created_at=now)
    changes = {
        "store": store if store_number is not None else None,
        "self_stacking": self_stacking,
        "use_external_images": use_external_images,
        "name": name,
    }
    changed = []
    for attr, value in changes.items():
        if value is None:
            continue
        if attr == "store":
            if site.store_id != value.pk:
                site.store = value
                changed.append("store")
        elif getattr(site, attr) != value:
            setattr(site, attr, value)
            changed.append(attr)
    if created:
        site.updated_at = now
        site.save(force_insert=True)
    elif changed:
        site.updated_at = now
        site.save(update_fields=[*changed, "updated_at"])
    return SiteResult(site=site, created=created, store_created=store_created)


@dataclass(frozen=True, slots=True)
class CredentialResult:
    credential: PosCredential
    created: bool


@transaction.atomic
def pos_credential_upsert(
    *, username: str, password: str | None, site_ids: list[str] | None = None
) -> CredentialResult:
    """Create or update the POS credential ``username`` with ``password`` (stored hashed;
    None keeps an existing credential's password) and the sites it may act for:
    ``site_ids`` (each must exist), or every site when empty or None. The credential is
    (re)activated. Locks the credential row."""
    username = (username or "").strip()
    if not username or len(username) > USERNAME_MAX:
        raise SetupError(f"the username must be 1 to {USERNAME_MAX} characters")
    if ":" in username:
        raise SetupError("the username must not contain ':' (HTTP Basic separates it from the password with one)")
    if password is not None:
        password_check(password)
    wanted = [site_id_check(site_id) for site_id in site_ids or ()]
    sites = list(Site.objects.filter(site_id__in=wanted).order_by("site_id"))
    missing = sorted(set(wanted) - {site.site_id for site in sites})
    if missing:
        raise SetupError(f"no site {', '.join(missing)}: create it first with create_site")
    now = timezone.now()
    credential = lock_objects.pos_credential_for_update(username=username).first()
    created = credential is None
    if created:
        if password is None:
            raise SetupError("a new credential needs a password")
        credential = PosCredential(username=username, created_at=now)
    if password is not None:
        credential.password = secret_make(password)
    credential.all_sites = not wanted
    credential.active = True
    credential.updated_at = now
    if created:
        credential.save(force_insert=True)
    else:
        credential.save(update_fields=["password", "all_sites", "active", "updated_at"])
    credential.sites.set(sites)
    return CredentialResult(credential=credential, created=created)


@transaction.atomic
def pos_credential_set_password(*, credential: PosCredential, password: str) -> None:
    """Give ``credential`` a new password (stored hashed): the old one stops working with
    the next request."""
    password_check(password)
    credential.password = secret_make(password)
    credential.updated_at = timezone.now()
    credential.save(update_fields=["password", "updated_at"])


def pos_credential_password_upgrade(*, credential: PosCredential, password: str) -> None:
    """Store the right ``password`` of ``credential`` again as a machine secret (it was found
    stored with a slow hasher or an old hash key). Conditional on the stored value, so a
    password changed in between wins; takes no lock, changes nothing staff see."""
    stored = secret_make(password)
    PosCredential.objects.filter(pk=credential.pk, password=credential.password).update(password=stored)
    credential.password = stored


@transaction.atomic
def site_delete(*, site: Site) -> None:
    """Delete ``site``, or :class:`~coupons.services.records.RecordConflict` while coupons
    are offered there (removing a coupon's only site would offer it at every site: take it
    off them first) or once rows refer to it (transactions). Takes no lock."""
    coupons = site.coupons.count()
    if coupons:
        raise RecordConflict(f"{coupons} coupon(s) are offered at site {site.site_id}: take it off them first.")
    row_delete(site)
