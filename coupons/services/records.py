"""Staff writes of coupons and customers: the staff API's records (CONTRACT 7) and the
coupon admin's actions.

Records speak the import file schema (``coupons.records``) and are written through the
import services (``coupons_import``, ``customers_import``), so a record is accepted and
refused exactly as a file is, in the same words, with the same audit. A coupon record is the
coupon's whole definition (a field left out takes its default); a partial one (PATCH) is
merged into the stored record first. A customer record updates what it carries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone

from ..models import Clip, Coupon, CouponEvent, Customer
from ..records import COUPON_READ_ONLY, coupon_record
from .coupon_import import ImportRejected, coupons_import
from .customer_import import customers_import

PROBLEM = re.compile(r"^\[\d+\](?:\.(?P<field>[A-Za-z]+))?(?P<rest>.*)$", re.S)


class RecordInvalid(ValueError):
    """The record is refused; ``errors`` lists each field's problems, every message naming
    its field and rule (``{"id": ["id: cannot change ..."]}``). Nothing was written."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(problem for problems in errors.values() for problem in problems))
        self.errors = errors


class RecordConflict(ValueError):
    """The row cannot be deleted now; the message says why (and what to do instead)."""


def problems_by_field(problems: list[str]) -> dict[str, list[str]]:
    """The import's problems (``[0].rewardValue: '-1' must not be negative``) keyed by the
    record field they name, each message still naming its field and rule."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        match = PROBLEM.match(problem)
        field = (match and match["field"]) or "non_field_errors"
        text = f"{field}{match['rest']}" if match and match["field"] else problem
        errors.setdefault(field, []).append(text)
    return errors


def _import_one(service: Callable[..., object], record: dict) -> None:
    try:
        service(records=[record])
    except ImportRejected as rejected:
        raise RecordInvalid(problems_by_field(rejected.problems)) from None


def _new_id(record: dict, model: type[models.Model], noun: str) -> None:
    """Refuse a record whose id is taken: creating never changes a stored row."""
    record_id = record.get("id")
    if isinstance(record_id, int | str) and model.objects.filter(**{f"{noun}_id": str(record_id)}).exists():
        raise RecordInvalid({"id": [f"id: a {noun} {record_id!r} exists; PUT or PATCH changes it"]})


def row_delete(instance: models.Model) -> None:
    """Delete ``instance``, or :class:`RecordConflict` when other rows refer to it (protected
    foreign keys: redemptions, ledger entries, ...). Must run inside ``transaction.atomic``."""
    try:
        instance.delete()
    except ProtectedError as error:
        count = len(error.protected_objects)
        raise RecordConflict(f"{instance} cannot be deleted: {count} record(s) refer to it.") from None


# --- coupons --------------------------------------------------------------------------------


@transaction.atomic
def coupon_create(*, record: dict) -> str:
    """Create the coupon ``record`` defines (its id must be new: PUT or PATCH changes an
    existing one) or :class:`RecordInvalid`. Returns its id. Takes no lock itself (the
    import inserts on the coupon id, so a concurrent create of the same id updates it)."""
    _new_id(record, Coupon, "coupon")
    _import_one(coupons_import, record)
    return str(record.get("id"))


@transaction.atomic
def coupon_update(*, coupon: Coupon, record: dict, partial: bool = False) -> None:
    """Replace ``coupon``'s definition with ``record`` or :class:`RecordInvalid`; ``partial``
    merges ``record`` into the stored record first (``coupon_record`` of ``coupon`` as given:
    its sites and targeted customers prefetched). The id may be left out, never changed.
    The import locks the coupon row."""
    if partial:
        stored = coupon_record(coupon, full=True)
        record = {key: stored[key] for key in stored if key not in COUPON_READ_ONLY} | record
    else:
        record = dict(record)
    record.setdefault("id", coupon.coupon_id)
    if record["id"] != coupon.coupon_id:
        raise RecordInvalid({"id": ["id: cannot change; create a coupon with the new id instead"]})
    _import_one(coupons_import, record)


@transaction.atomic
def coupon_delete(*, coupon: Coupon) -> None:
    """Delete ``coupon``, or :class:`RecordConflict` while a register holds it pending
    (deleting it would drop the clips of open sales: disable it instead) or once rows refer
    to it (redemptions). Takes no lock."""
    pending = coupon.clips.filter(state=Clip.State.PENDING).count()
    if pending:
        raise RecordConflict(f"{coupon.coupon_id} is pending on {pending} open transaction(s): disable it instead.")
    row_delete(coupon)


@transaction.atomic
def coupons_enable(*, coupons: QuerySet[Coupon], enabled: bool) -> int:
    """Enable (or disable: the POS stops offering them) ``coupons``; returns how many
    changed. One ``UPDATE``, no lock taken first."""
    return coupons.exclude(enabled=enabled).update(enabled=enabled, updated_at=timezone.now())


@transaction.atomic
def coupon_targets_audit(*, coupon: Coupon, customer_pks: Iterable[int], actor: AbstractBaseUser) -> None:
    """Audit the customers ``actor`` newly targeted with ``coupon`` (in the admin, whose form
    wrote the targeting), as ``coupon_target`` and ``import_coupons`` do: a ``target`` event
    each, naming who targeted them."""
    CouponEvent.objects.bulk_create(
        CouponEvent(
            kind=CouponEvent.Kind.TARGET,
            coupon=coupon,
            customer_id=pk,
            to_state="available",
            note=f"admin: {actor.get_username()}",
        )
        for pk in sorted(customer_pks)
    )


# --- customers ------------------------------------------------------------------------------


@transaction.atomic
def customer_create(*, record: dict) -> str:
    """Create the customer ``record`` describes (its id must be new) or
    :class:`RecordInvalid`. Returns its id. Takes no lock itself."""
    _new_id(record, Customer, "customer")
    _import_one(customers_import, record)
    return str(record.get("id"))


@transaction.atomic
def customer_update(*, customer: Customer, record: dict) -> None:
    """Update ``customer`` with what ``record`` carries or :class:`RecordInvalid`. The id
    (the card the POS sends) may be left out, never changed. Takes no lock itself."""
    record = {**record}
    record.setdefault("id", customer.customer_id)
    if record["id"] != customer.customer_id:
        raise RecordInvalid({"id": ["id: cannot change (it is the card the POS sends)"]})
    _import_one(customers_import, record)


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    """Delete ``customer``, or :class:`RecordConflict` once rows refer to them."""
    row_delete(customer)
