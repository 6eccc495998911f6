"""``import_coupons``: upsert coupons from a JSON array (CONTRACT 6, rules of 3.2 and 3.3).

All or nothing: every record is validated first and any problem (named by record index and
field) rejects the whole file, so a half-imported promotion never reaches a register. Then
one transaction writes set-wise: changed or new coupons in one upsert, their sites and
targeted customers by differences of the link tables. A record is the whole definition of
its coupon: a field left out takes the contract's default, so importing the same file again
changes nothing.

``imageUrl`` is one of:
- an absolute ``http(s)://`` URL: kept as the coupon's external image URL (the POS gets it
  as is where the site uses external images; copying it into storage for the other sites is
  the POS image endpoint's business);
- a relative path (``images/<name>``, ``/<name>``, ``<name>``): a JPEG, PNG or GIF file at
  that path under the image folder (by default the JSON file's own), stored as the coupon's
  image by the POS image service (``coupon_image_store``; unchanged bytes are not stored
  again), or else an image already stored as ``coupon-images/<name>`` (so an
  ``images/<name>`` the hub itself answered imports back);
- null or empty: no image.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import orjson
from django.db import transaction
from django.utils import timezone

from ecrs_hub.bulk import upsert
from ecrs_hub.coercion import CoercionError, to_text

from .. import lock_objects
from ..engine import RewardKind
from ..models import Coupon, CouponEvent, Customer, Site
from .coupon_rules import (
    FIELDS,
    IMAGE_DIR,
    KNOWN,
    LINKS,
    REQUIRED,
    ItemError,
    decimal_parser,
    image_check,
    image_unchanged,
    reward_rule,
)
from .images import coupon_image_store

CHUNK = 1000


class ImportRejected(ValueError):
    """The file cannot be imported; ``problems`` name the record index, field and rule.
    Nothing was written."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(problems[:5]))
        self.problems = problems


def json_records(data: bytes, what: str) -> list:
    """The JSON array in ``data``, or :class:`ImportRejected` saying why not."""
    try:
        records = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ImportRejected([f"the file is not JSON: {exc}"]) from None
    if not isinstance(records, list):
        raise ImportRejected([f"the file must hold a JSON array of {what}, not a JSON {type(records).__name__}"])
    return records


# --- one record ----------------------------------------------------------------------------


@dataclass(slots=True)
class ImageSource:
    """Where a record's image comes from: bytes to store (read from ``file_name``), a name
    already stored, or an external URL."""

    content: bytes | None = None
    file_name: str = ""
    stored_name: str = ""
    external_url: str = ""


@dataclass(slots=True)
class ParsedCoupon:
    index: int
    values: dict[str, Any]
    sites: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    image: ImageSource = field(default_factory=ImageSource)


def _image(value, image_dir: Path | None) -> ImageSource:
    if value is None or value == "":
        return ImageSource()
    if not isinstance(value, str):
        raise CoercionError("must be a URL (text)")
    url = to_text(value).strip()  # refuses NUL: neither a file path nor PostgreSQL text holds it
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CoercionError("must be an http(s) URL or a path relative to the image folder")
        if len(url) > Coupon._meta.get_field("external_image_url").max_length:
            raise CoercionError("is too long")
        return ImageSource(external_url=url)
    relative = PurePosixPath(url.lstrip("/"))
    if relative.parts[:1] == ("images",):
        relative = PurePosixPath(*relative.parts[1:]) if len(relative.parts) > 1 else PurePosixPath("")
    if not relative.parts or ".." in relative.parts or "\\" in url:
        raise CoercionError("must name an image file (no '..')")
    if image_dir is not None:
        path = image_dir / Path(*relative.parts)
        if path.is_file():
            content = path.read_bytes()
            image_check(content)
            return ImageSource(content=content, file_name=relative.name)
    storage = Coupon._meta.get_field("image").storage
    stored = f"{IMAGE_DIR}/{relative.name}"
    if len(relative.parts) == 1 and storage.exists(stored):
        return ImageSource(stored_name=stored)
    where = f"in {image_dir} or " if image_dir is not None else ""
    raise CoercionError(f"names no image {where}in the hub's storage ({stored})")


def coupon_parse(index: int, raw: Any, image_dir: Path | None) -> tuple[ParsedCoupon | None, list[str]]:
    """One record and its problems (``[index].field: value rule``): it may be written only
    when there are none."""
    if not isinstance(raw, dict):
        return None, [f"[{index}]: must be a JSON object"]
    problems = []

    def problem(name: str, error: CoercionError | str) -> None:
        value = raw.get(name)
        if isinstance(error, ItemError):
            name, value = f"{name}[{error.position}]", error.value
        rule = error.rule if isinstance(error, CoercionError) else error
        shown = "" if value is None else f" {value!r}"[:90]
        problems.append(f"[{index}].{name}:{shown} {rule}")

    for name in sorted(set(raw) - KNOWN):
        problems.append(f"[{index}].{name}: unknown field (the coupon import schema is in CONTRACT 6)")
    for name in REQUIRED:
        if raw.get(name) in (None, ""):
            problems.append(f"[{index}].{name}: is required")
    parsed = ParsedCoupon(index=index, values={})
    for name, (attr, parse) in FIELDS.items():
        if name in REQUIRED and raw.get(name) in (None, ""):
            continue
        try:
            parsed.values[attr] = parse(raw.get(name))
        except CoercionError as exc:
            problem(name, exc)
    for name, attr in (("sites", "sites"), ("targetedCustomers", "customers")):
        try:
            setattr(parsed, attr, LINKS[name](raw.get(name)))
        except CoercionError as exc:
            problem(name, exc)
    try:
        parsed.image = _image(raw.get("imageUrl"), image_dir)
    except CoercionError as exc:
        problem("imageUrl", exc)

    kind = parsed.values.get("reward_kind")
    try:
        reward = decimal_parser(12, 2, None)(raw.get("rewardValue"))
    except CoercionError as exc:
        problem("rewardValue", exc)
        reward = Decimal(0)
    if kind == RewardKind.FREE:
        reward = Decimal("0.00")
    elif rule := reward_rule(kind, reward):
        problem("rewardValue", rule)
    parsed.values["reward_value"] = reward
    start, end = parsed.values.get("start_date"), parsed.values.get("end_date")
    if start and end and end < start:
        problem("endDate", f"is before startDate {start.isoformat()}")
    return parsed, problems


# --- the file --------------------------------------------------------------------------------


@dataclass(slots=True)
class CouponImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    customers_created: int = 0
    images_stored: int = 0
    warnings: list[str] = field(default_factory=list)


def coupons_parse(records: list, *, image_dir: Path | None = None) -> list[ParsedCoupon]:
    """Every record parsed, or :class:`ImportRejected` with every problem of the file
    (site ids are checked against the database here too)."""
    parsed, problems = [], []
    first_index: dict[str, int] = {}
    for index, raw in enumerate(records):
        coupon, found = coupon_parse(index, raw, image_dir)
        problems.extend(found)
        if coupon is None:
            continue
        coupon_id = coupon.values.get("coupon_id")
        if coupon_id is None:
            parsed.append(coupon)
            continue
        if coupon_id in first_index:
            problems.append(f"[{index}].id: {coupon_id!r} is also record [{first_index[coupon_id]}]'s id")
            continue
        first_index[coupon_id] = index
        parsed.append(coupon)
    wanted_sites = {site_id for coupon in parsed for site_id in coupon.sites}
    known_sites = set(Site.objects.filter(site_id__in=wanted_sites).values_list("site_id", flat=True))
    for coupon in parsed:
        for site_id in coupon.sites:
            if site_id not in known_sites:
                problems.append(f"[{coupon.index}].sites: no site {site_id!r} (create it with create_site)")
    if problems:
        raise ImportRejected(sorted(problems, key=_record_index))
    return parsed


def _record_index(problem: str) -> int:
    return int(problem[1 : problem.index("]")]) if problem.startswith("[") else -1


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _links_set(through, owner: str, other: str, wanted: dict[int, set[int]]) -> tuple[set[int], list]:
    """Make the link table ``through`` hold exactly ``wanted`` (owner pk → other pks) for
    the owners named: one read, one delete and one insert, whatever the number. Returns
    the owners whose links changed and the links added."""
    owners = list(wanted)
    stale, present, changed = [], set(), set()
    for chunk in _chunks(owners):
        for pk, owner_pk, other_pk in through.objects.filter(**{f"{owner}__in": chunk}).values_list("pk", owner, other):
            if other_pk in wanted[owner_pk]:
                present.add((owner_pk, other_pk))
            else:
                stale.append(pk)
                changed.add(owner_pk)
    for chunk in _chunks(stale):
        through.objects.filter(pk__in=chunk).delete()
    missing = [
        through(**{owner: owner_pk, other: other_pk})
        for owner_pk, others in wanted.items()
        for other_pk in sorted(others)
        if (owner_pk, other_pk) not in present
    ]
    through.objects.bulk_create(missing, batch_size=CHUNK)
    return changed | {getattr(link, owner) for link in missing}, missing


COMPARED = [*(attr for attr, _parse in FIELDS.values()), "reward_value", "image", "external_image_url"]


@transaction.atomic
def coupons_import(*, records: list, image_dir: Path | None = None) -> CouponImportResult:
    """Upsert the coupons of ``records`` (the parsed JSON array) or, on any problem, raise
    :class:`ImportRejected` having written nothing. Targeted customers the hub has not seen
    yet are created by id (the POS will find them by card). Locks the existing coupons
    named, in primary-key order. New image files are stored last, one per coupon, through
    ``coupon_image_store`` (which replaces the coupon's previous file on commit)."""
    parsed = coupons_parse(records, image_dir=image_dir)
    result = CouponImportResult()
    now = timezone.now()
    ids = [coupon.values["coupon_id"] for coupon in parsed]
    existing: dict[str, dict] = {}
    for chunk in _chunks(ids):
        for row in lock_objects.coupons_for_update(coupon_ids=chunk).values("pk", *COMPARED):
            existing[row["coupon_id"]] = row

    rows, to_store = [], []
    for coupon in parsed:
        values = coupon.values
        stored = existing.get(values["coupon_id"])
        image = coupon.image
        if image.content is not None:
            current = stored["image"] if stored is not None else ""
            values.update(image=current, external_image_url="")
            if not image_unchanged(current, image.content):
                to_store.append(coupon)
        elif image.stored_name:
            values.update(image=image.stored_name, external_image_url="")
        elif image.external_url:
            # A copy the image endpoint made of the same URL stays; a new URL drops it.
            keep = stored is not None and stored["external_image_url"] == image.external_url
            values.update(image=stored["image"] if keep else "", external_image_url=image.external_url)
        else:
            values.update(image="", external_image_url="")
        label = f"[{coupon.index}] {values['coupon_id']}"
        if not (values["requirement_upcs"] or values["requirement_depts"]):
            result.warnings.append(f"{label}: no requirement UPCs or departments, so it never applies")
        if values["targeted"] and not coupon.customers:
            result.warnings.append(f"{label}: targeted at nobody, so no customer sees it (targetedCustomers is empty)")
        elif coupon.customers and not values["targeted"]:
            result.warnings.append(f"{label}: targetedCustomers given but targeted is false: every customer sees it")
        if stored is None:
            result.created += 1
            rows.append(values)
        elif any(stored[attr] != values[attr] for attr in COMPARED) or coupon in to_store:
            result.updated += 1
            rows.append(values)
    upsert(Coupon, rows, unique=("coupon_id",), insert_only={"created_at": now}, common={"updated_at": now})
    pks = {row["coupon_id"]: row["pk"] for row in existing.values()}
    new_ids = [coupon_id for coupon_id in ids if coupon_id not in pks]
    for chunk in _chunks(new_ids):
        pks.update(Coupon.objects.filter(coupon_id__in=chunk).values_list("coupon_id", "pk"))

    for coupon in to_store:
        instance = Coupon.objects.get(pk=pks[coupon.values["coupon_id"]])
        coupon_image_store(coupon=instance, name=coupon.image.file_name, content=coupon.image.content)
    result.images_stored = len(to_store)

    site_pks = dict(Site.objects.values_list("site_id", "pk"))
    customer_ids = sorted({customer_id for coupon in parsed for customer_id in coupon.customers})
    customer_pks: dict[str, int] = {}
    for chunk in _chunks(customer_ids):
        customer_pks.update(Customer.objects.filter(customer_id__in=chunk).values_list("customer_id", "pk"))
    unseen = [customer_id for customer_id in customer_ids if customer_id not in customer_pks]
    if unseen:
        Customer.objects.bulk_create(
            [Customer(customer_id=customer_id, created_at=now, updated_at=now) for customer_id in unseen],
            batch_size=CHUNK,
            ignore_conflicts=True,  # a POS request may learn the same card meanwhile
        )
        for chunk in _chunks(unseen):
            customer_pks.update(Customer.objects.filter(customer_id__in=chunk).values_list("customer_id", "pk"))
        result.customers_created = len(unseen)

    sites_wanted = {pks[c.values["coupon_id"]]: {site_pks[s] for s in c.sites} for c in parsed}
    customers_wanted = {pks[c.values["coupon_id"]]: {customer_pks[i] for i in c.customers} for c in parsed}
    relinked, _added = _links_set(Coupon.sites.through, "coupon_id", "site_id", sites_wanted)
    retargeted, targeted = _links_set(Coupon.targeted_customers.through, "coupon_id", "customer_id", customers_wanted)
    relinked |= retargeted
    # The audit shows a customer newly targeted, as coupon_target (services.customers) does.
    CouponEvent.objects.bulk_create(
        [
            CouponEvent(
                kind=CouponEvent.Kind.TARGET,
                coupon_id=link.coupon_id,
                customer_id=link.customer_id,
                to_state="available",
                note="import_coupons",
                at=now,
            )
            for link in targeted
        ],
        batch_size=CHUNK,
    )
    written = {pks[row["coupon_id"]] for row in rows}
    only_links = sorted(relinked - written)
    if only_links:
        # Their rows did not change but what they are offered to did: staff see it as an update.
        Coupon.objects.filter(pk__in=only_links).update(updated_at=now)
        result.updated += len(only_links)
    result.unchanged = len(parsed) - result.created - result.updated
    return result
