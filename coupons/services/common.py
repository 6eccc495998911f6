"""Pieces the transaction services share: lock timeout, the transaction row, offers and
audit events."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ecrs_hub.db import statement_and_lock_timeouts

from .. import lock_objects
from ..engine import Offer, RewardKind
from ..models import Clip, Coupon, CouponEvent, PosTransaction, Site

logger = logging.getLogger("coupons.pos")


def clips_save(clips: list[Clip], fields: list[str]) -> None:
    """Write ``fields`` of clips changed in memory: one ``UPDATE … WHERE pk IN`` per set of
    new values (a release or a pend moves many clips to the same values), cheaper on the
    POS hot path than ``bulk_update``'s CASE per row. The caller holds the clips' row locks
    (``lock_objects``); groups are written in the order their first clip comes."""
    attnames = [Clip._meta.get_field(name).attname for name in fields]
    groups: dict[tuple, list[int]] = defaultdict(list)
    for clip in clips:
        groups[tuple(getattr(clip, attname) for attname in attnames)].append(clip.pk)
    for values, pks in groups.items():
        Clip.objects.filter(pk__in=pks).update(**dict(zip(attnames, values, strict=True)))


def abandon_after() -> timedelta:
    """How old a pending (and its loyalty hold) must be to count as abandoned (3.5.1)."""
    return timedelta(seconds=getattr(settings, "POS_PENDING_ABANDON_AFTER", 4 * 3600))


def pos_lock_timeout() -> None:
    """Bound row-lock waits and every statement of the current transaction (PostgreSQL;
    ``POS_LOCK_TIMEOUT_MS``, ``POS_STATEMENT_TIMEOUT_MS``) below the POS's 5 s deadline: a
    database that hangs fails the transaction with a transient error, answered 503
    ``UNAVAILABLE``. One round trip, local to the transaction."""
    statement_and_lock_timeouts(
        statement_ms=getattr(settings, "POS_STATEMENT_TIMEOUT_MS", 2000),
        lock_ms=getattr(settings, "POS_LOCK_TIMEOUT_MS", 3000),
    )


def commit_without_waiting_for_disk() -> None:
    """On PostgreSQL, let the current transaction commit without waiting for its WAL to
    reach the disk (``SET LOCAL synchronous_commit = off``): a crash in the next fraction of
    a second may lose it, never corrupt anything. Only for writes whose loss can never
    let a coupon be redeemed more than its uses allow: a sale's log, and clipping (a lost
    clip is clipped again; a lost unclip leaves the coupon clipped, still bound by its
    uses). Pendings, redemptions, releases and loyalty points always wait for the disk.
    The same statement bounds the transaction's lock waits and statements as
    :func:`pos_lock_timeout` does (no extra round trip)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('synchronous_commit', 'off', true), set_config('lock_timeout', %s, true), "
                "set_config('statement_timeout', %s, true)",
                [
                    f"{int(getattr(settings, 'POS_LOCK_TIMEOUT_MS', 3000))}ms",
                    f"{int(getattr(settings, 'POS_STATEMENT_TIMEOUT_MS', 2000))}ms",
                ],
            )


def pos_transaction_lock(*, site: Site, transaction_id: str, create: bool = True, now=None) -> PosTransaction | None:
    """The transaction row, locked; created (open) when unknown and ``create``. Must run
    inside ``transaction.atomic``: it is the first lock a transaction service takes."""
    txn = lock_objects.pos_transaction_for_update(site=site, transaction_id=transaction_id).first()
    if txn is not None or not create:
        return txn
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return PosTransaction.objects.create(
                site=site, transaction_id=transaction_id, created_at=now, updated_at=now
            )
    except IntegrityError:  # created by a concurrent request: wait for its lock
        return lock_objects.pos_transaction_for_update(site=site, transaction_id=transaction_id).get()


def offer_for(coupon: Coupon) -> Offer:
    return Offer(
        coupon_id=coupon.coupon_id,
        reward_kind=RewardKind(coupon.reward_kind),
        reward_value=coupon.reward_value,
        requirement_upcs=frozenset(coupon.requirement_upcs or ()),
        requirement_depts=frozenset(int(dept) for dept in coupon.requirement_depts or ()),
        min_quantity=coupon.min_quantity,
        min_spend=coupon.min_spend,
        reward_upcs=frozenset(coupon.reward_upcs or ()),
        limit_units=coupon.limit_units,
    )


def clip_event(
    kind: str,
    clip: Clip,
    from_state: str,
    to_state: str,
    txn: PosTransaction | None,
    now,
    *,
    site: Site | None = None,
    **extra,
):
    """An audit row for a clip's state change: at ``txn``'s site and terminal, or at
    ``site`` for a change outside a sale (clipping)."""
    return CouponEvent(
        kind=kind,
        clip=clip,
        coupon_id=clip.coupon_id,
        customer_id=clip.customer_id,
        from_state=from_state,
        to_state=to_state,
        site_id=txn.site_id if txn else (site.pk if site else None),
        terminal=txn.terminal if txn else None,
        transaction=txn,
        at=now,
        **extra,
    )
