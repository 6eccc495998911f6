"""Commit and cancel (CONTRACT 3.6): idempotent, and never an error for a known site, so a
POS's background retry cannot loop. State problems are logged."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .. import lock_objects
from ..models import (
    Clip,
    CouponEvent,
    Customer,
    LoyaltyEntry,
    PosCredential,
    PosTransaction,
    PosTransactionUpdate,
    Redemption,
    Site,
)
from ..pos_wire import transaction_commit_json
from ..selectors import account_for_coupon, loyalty_balances
from .common import clip_event, clips_save, pos_lock_timeout, pos_transaction_lock
from .customers import customer_learn

logger = logging.getLogger("coupons.pos")
Kind = CouponEvent.Kind
RECENT_UPDATES = 50


def _log(site: Site, transaction_id: str, message: str, *args) -> None:
    logger.warning("site %s transaction %s: " + message, site.site_id, transaction_id, *args)


def transaction_cancel(
    *, site: Site, transaction_id: str | None, customer_id: str | None = None, credential: PosCredential | None = None
) -> None:
    """Coupons pending on the transaction return to ``clipped``; the transaction is marked
    cancelled (a later update with the same id reopens it). Unknown or committed
    transactions change nothing (logged); repeating a cancel changes nothing. Holds the
    transaction row, then its pending clips."""
    if not transaction_id:
        _log(site, "-", "cancel without a transaction id ignored")
        return
    now = timezone.now()
    with transaction.atomic():
        pos_lock_timeout()
        txn = pos_transaction_lock(site=site, transaction_id=transaction_id, create=False)
        if txn is None:
            _log(site, transaction_id, "cancel of an unknown transaction ignored")
            return
        if txn.status == PosTransaction.Status.COMMITTED:
            _log(site, transaction_id, "cancel after the commit ignored")
            return
        released = []
        events = []
        for clip in lock_objects.clips_for_update(customer=None, pending_on=txn):
            events.append(clip_event(Kind.CANCEL, clip, "pending", "clipped", txn, now, credential=credential))
            clip.state, clip.pending_transaction, clip.pending_since, clip.updated_at = (
                Clip.State.CLIPPED,
                None,
                None,
                now,
            )
            released.append(clip)
        clips_save(released, ["state", "pending_transaction", "pending_since", "updated_at"])
        CouponEvent.objects.bulk_create(events)
        if txn.status != PosTransaction.Status.CANCELLED:
            txn.status, txn.cancelled_at, txn.updated_at = PosTransaction.Status.CANCELLED, now, now
            txn.save(update_fields=["status", "cancelled_at", "updated_at"])


def _applied_lines(txn: PosTransaction) -> dict[str, list[tuple[str, Decimal]]]:
    """Per coupon id, the line discounts the hub last answered for this transaction: the
    latest non-transient update first, then transient ones."""
    found: dict[str, list[tuple[str, Decimal]]] = {}
    rows = PosTransactionUpdate.objects.filter(transaction=txn).order_by("transient", "-at", "-pk")
    for answer in rows.values_list("answer", flat=True)[:RECENT_UPDATES]:
        for applied in (answer or {}).get("applied") or ():
            coupon_id = applied.get("couponId")
            if coupon_id in found:
                continue
            found[coupon_id] = [
                (str(item.get("lineId")), Decimal(str(item.get("discount") or 0)))
                for item in applied.get("items") or ()
            ]
    return found


def transaction_commit(
    *,
    site: Site,
    transaction_id: str | None,
    customer_id: str | None,
    coupon_ids: Sequence[str],
    tenders=None,
    request: dict | None = None,
    credential: PosCredential | None = None,
) -> dict:
    """CONTRACT 3.6. Listed coupons pending on this transaction, or clipped by its customer,
    are redeemed (uses left: clipped again); pending coupons not listed return to clipped;
    an empty list redeems every pending coupon except optional (loyalty-cost) ones, which
    are redeemed, and their points debited, only when listed. Writes per-line
    ``Redemption`` rows and audit events; stores the tenders as sent. A repeated commit
    changes nothing and answers the same. Returns the answer (``receiptLines``). Holds the
    transaction row, then the clip rows, then the loyalty accounts."""
    if not transaction_id:
        _log(site, "-", "commit without a transaction id ignored")
        return transaction_commit_json(site)
    now = timezone.now()
    customer = customer_learn(customer_id=customer_id, now=now) if customer_id else None
    listed = list(dict.fromkeys(coupon_ids))
    with transaction.atomic():
        pos_lock_timeout()
        txn = pos_transaction_lock(site=site, transaction_id=transaction_id, now=now)
        if txn.status == PosTransaction.Status.COMMITTED:
            if listed != (txn.committed_coupons or []):
                _log(
                    site, transaction_id, "repeated commit lists %s, the first listed %s", listed, txn.committed_coupons
                )
            return txn.commit_answer or transaction_commit_json(site)
        if customer is None and txn.customer_id is not None:
            customer = Customer.objects.get(pk=txn.customer_id)
        clips = list(lock_objects.clips_for_update(customer=customer, pending_on=txn, usable_only=True))
        redeem, release = _split(site, transaction_id, txn, customer, clips, listed)
        total = _redeem(txn, customer, redeem, now, credential)
        released_events = [
            clip_event(
                Kind.RELEASE,
                clip,
                "pending",
                "clipped",
                txn,
                now,
                credential=credential,
                note="not listed by the commit",
            )
            for clip in release
        ]
        for clip in release:
            clip.state, clip.pending_transaction, clip.pending_since, clip.updated_at = (
                Clip.State.CLIPPED,
                None,
                None,
                now,
            )
        clips_save(release, ["state", "pending_transaction", "pending_since", "updated_at"])
        CouponEvent.objects.bulk_create(released_events)
        answer = transaction_commit_json(site, total, len(redeem))
        txn.status, txn.committed_at, txn.updated_at = PosTransaction.Status.COMMITTED, now, now
        txn.tenders, txn.committed_coupons, txn.commit_answer = tenders, listed, answer
        if txn.customer_id is None and customer is not None:
            txn.customer = customer
        txn.save(
            update_fields=[
                "status",
                "committed_at",
                "updated_at",
                "tenders",
                "committed_coupons",
                "commit_answer",
                "customer",
            ]
        )
    return answer


def _split(site, transaction_id, txn, customer, clips, listed) -> tuple[list[Clip], list[Clip]]:
    """Which locked clips the commit redeems and which pending ones it releases."""
    pending_here = {clip.coupon.coupon_id: clip for clip in clips if clip.pending_transaction_id == txn.pk}
    own = {clip.coupon.coupon_id: clip for clip in clips if customer is not None and clip.customer_id == customer.pk}
    redeem: list[Clip] = []
    if not listed:
        redeem = [clip for clip in pending_here.values() if not clip.coupon.loyalty_cost]
        for coupon_id, clip in sorted(pending_here.items()):
            if clip.coupon.loyalty_cost:
                _log(site, transaction_id, "optional coupon %s not listed: not redeemed", coupon_id)
    for coupon_id in listed:
        clip = pending_here.get(coupon_id)
        if clip is None:
            clip = own.get(coupon_id)
            if clip is None or clip.state != Clip.State.CLIPPED or clip.uses_count >= clip.coupon.uses_per_customer:
                state = "unknown to this customer" if clip is None else clip.state
                _log(site, transaction_id, "commit lists coupon %s (%s): ignored", coupon_id, state)
                continue
        redeem.append(clip)
    redeemed = {clip.pk for clip in redeem}
    release = sorted((clip for clip in pending_here.values() if clip.pk not in redeemed), key=lambda c: c.pk)
    return sorted(redeem, key=lambda c: c.pk), release


def _redeem(txn, customer, redeem: list[Clip], now, credential) -> Decimal:
    """Redeem the locked clips: uses counted, per-line redemptions, loyalty debits, events.
    Returns the total discount."""
    if not redeem:
        return Decimal(0)
    lines = _applied_lines(txn)
    redemptions: list[Redemption] = []
    events: list[CouponEvent] = []
    total = Decimal(0)
    for clip in redeem:
        coupon = clip.coupon
        discounts = lines.get(coupon.coupon_id)
        if not discounts:
            logger.warning("transaction %s: no line discounts known for %s", txn, coupon.coupon_id)
            discounts = [("", Decimal(0))]
        amount = sum((discount for _, discount in discounts), Decimal(0))
        total += amount
        redemptions.extend(
            Redemption(
                clip=clip,
                coupon=coupon,
                customer_id=clip.customer_id,
                transaction=txn,
                line_id=line_id[:64],
                discount=discount,
                created_at=now,
            )
            for line_id, discount in discounts
        )
        from_state = clip.state
        clip.uses_count += 1
        clip.state = Clip.State.REDEEMED if clip.uses_count >= coupon.uses_per_customer else Clip.State.CLIPPED
        clip.pending_transaction, clip.pending_since, clip.redeemed_at, clip.updated_at = None, None, now, now
        events.append(
            clip_event(Kind.REDEEM, clip, from_state, clip.state, txn, now, credential=credential, amount=amount)
        )
    clips_save(redeem, ["state", "uses_count", "pending_transaction", "pending_since", "redeemed_at", "updated_at"])
    Redemption.objects.bulk_create(redemptions, ignore_conflicts=True)
    CouponEvent.objects.bulk_create(events)
    _charge(txn, [clip for clip in redeem if clip.coupon.loyalty_cost], now)
    return total


def _charge(txn: PosTransaction, optional: list[Clip], now) -> None:
    """Debit the points of redeemed optional coupons from each customer's account."""
    for customer_pk in sorted({clip.customer_id for clip in optional}):
        customer = Customer(pk=customer_pk)
        list(lock_objects.loyalty_accounts_for_update(customer=customer))
        accounts = loyalty_balances(customer=customer)
        entries = []
        for clip in (c for c in optional if c.customer_id == customer_pk):
            account = account_for_coupon(accounts, clip.coupon)
            if account is None:
                logger.warning("transaction %s: no loyalty account to charge for %s", txn, clip.coupon.coupon_id)
                continue
            if account.balance < clip.coupon.loyalty_cost:
                logger.warning(
                    "transaction %s: %s charged %s points with a balance of %s (the POS applied it)",
                    txn,
                    clip.coupon.coupon_id,
                    clip.coupon.loyalty_cost,
                    account.balance,
                )
            account.balance -= clip.coupon.loyalty_cost
            entries.append(
                LoyaltyEntry(
                    account=account,
                    points=-clip.coupon.loyalty_cost,
                    reason=LoyaltyEntry.Reason.REDEMPTION,
                    note=f"coupon {clip.coupon.coupon_id}",
                    transaction=txn,
                    coupon=clip.coupon,
                    created_at=now,
                )
            )
        LoyaltyEntry.objects.bulk_create(entries, ignore_conflicts=True)
