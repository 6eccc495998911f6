"""Commit and cancel (CONTRACT 3.6): idempotent, and never an error for a known site, so a
POS's background retry cannot loop. State problems are logged."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import lock_objects
from ..models import (
    Clip,
    Coupon,
    CouponEvent,
    Customer,
    PosCredential,
    PosTransaction,
    PosTransactionUpdate,
    Redemption,
    Site,
    UnknownCouponInCommit,
)
from ..pos_wire import transaction_commit_json
from ..selectors import clippable_coupons
from .common import clip_event, clips_save, pos_lock_timeout, pos_transaction_lock
from .customers import customer_learn
from .loyalty import holds_release, loyalty_charge

logger = logging.getLogger("coupons.pos")
Kind = CouponEvent.Kind
Reason = UnknownCouponInCommit.Reason
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
        holds_release(transaction=txn, now=now, note="cancelled")
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
    """CONTRACT 3.6. A listed coupon is redeemed only if an update of this transaction
    applied it: it is pending on this transaction, or it was and its pending was abandoned,
    and it is clipped again now (not pending elsewhere) and still valid for this customer at
    this site. Any other listed id is ignored and recorded (``UnknownCouponInCommit``).
    Pending coupons not listed return to clipped; an empty list redeems every pending coupon
    except optional (loyalty-cost) ones, which are redeemed only when listed and only if
    their points can be charged (``loyalty_charge``: never below zero). Writes per-line
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
        pending_here = {clip.pk for clip in clips if clip.pending_transaction_id == txn.pk}
        redeem, ignored = _split(site, txn, customer, clips, listed, now)
        charges = loyalty_charge(txn=txn, clips=[clip for clip in redeem if clip.coupon.loyalty_cost], now=now)
        refused = {clip.pk for clip, _reason in charges.refused}
        ignored += [(clip.coupon.coupon_id, clip, reason) for clip, reason in charges.refused]
        redeem = [clip for clip in redeem if clip.pk not in refused]
        total = _redeem(txn, redeem, now, credential)
        redeemed = {clip.pk for clip in redeem}
        release = [clip for clip in clips if clip.pk in pending_here and clip.pk not in redeemed]
        _release(txn, release, now, credential)
        holds_release(transaction=txn, now=now, note="not redeemed by the commit")
        _ignored_record(site, txn, customer, ignored, now, credential)
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


Ignored = tuple[str, Clip | None, str]  # (coupon id as listed, the customer's clip, UnknownCouponInCommit reason)


def _split(site, txn, customer, clips, listed, now) -> tuple[list[Clip], list[Ignored]]:
    """Which locked clips the commit redeems (in pk order), and the listed ids it ignores."""
    pending_here = {clip.coupon.coupon_id: clip for clip in clips if clip.pending_transaction_id == txn.pk}
    own = {clip.coupon.coupon_id: clip for clip in clips if customer is not None and clip.customer_id == customer.pk}
    redeem: list[Clip] = []
    if not listed:
        redeem = [clip for clip in pending_here.values() if not clip.coupon.loyalty_cost]
        for coupon_id, clip in sorted(pending_here.items()):
            if clip.coupon.loyalty_cost:
                _log(site, txn.transaction_id, "optional coupon %s not listed: not redeemed", coupon_id)
    ignored: list[Ignored] = []
    abandoned: list[Clip] = []
    for coupon_id in listed:
        clip = pending_here.get(coupon_id)
        if clip is not None:
            redeem.append(clip)
            continue
        clip = own.get(coupon_id)
        if clip is None:
            ignored.append((coupon_id, None, Reason.UNKNOWN))
        elif clip.state == Clip.State.PENDING:
            ignored.append((coupon_id, clip, Reason.PENDING_ELSEWHERE))
        elif clip.uses_count >= clip.coupon.uses_per_customer:
            ignored.append((coupon_id, clip, Reason.USED))
        else:
            abandoned.append(clip)
    if abandoned:
        applied = _applied_by_last_update(txn, customer)
        valid = _still_valid(site, customer, [clip.coupon_id for clip in abandoned], now)
        for clip in abandoned:
            coupon_id = clip.coupon.coupon_id
            if coupon_id not in applied:
                ignored.append((coupon_id, clip, Reason.NOT_APPLIED))
            elif clip.coupon_id not in valid:
                ignored.append((coupon_id, clip, Reason.NOT_VALID))
            else:
                _log(site, txn.transaction_id, "coupon %s, released by abandonment, redeemed again", coupon_id)
                redeem.append(clip)
    return sorted(redeem, key=lambda c: c.pk), ignored


def _applied_by_last_update(txn: PosTransaction, customer: Customer) -> set[str]:
    """The coupon ids the latest non-transient update of this open transaction applied to
    this customer: with the transaction open and the coupon clipped again, its pending on
    this transaction can only have ended by abandonment (a later update would be the latest,
    a cancel would have marked the transaction cancelled)."""
    if txn.status != PosTransaction.Status.OPEN or txn.customer_id != customer.pk:
        return set()
    answer = (
        PosTransactionUpdate.objects.filter(transaction=txn, transient=False)
        .order_by("-at", "-pk")
        .values_list("answer", flat=True)
        .first()
    )
    return {applied.get("couponId") for applied in (answer or {}).get("applied") or ()}


def _still_valid(site: Site, customer: Customer, coupon_pks: list[int], now) -> set[int]:
    """Of these coupons, the pks of those the customer may use at ``site`` today: enabled,
    in their date window, offered at the site, untargeted or targeted at them."""
    today = timezone.localdate(now)
    queryset = clippable_coupons(site=site, customer=customer, today=today).filter(pk__in=coupon_pks)
    return set(queryset.filter(Q(start_date__isnull=True) | Q(start_date__lte=today)).values_list("pk", flat=True))


def _release(txn, release: list[Clip], now, credential) -> None:
    """Pending coupons of the transaction the commit does not redeem return to clipped."""
    events = [
        clip_event(Kind.RELEASE, clip, "pending", "clipped", txn, now, credential=credential, note="not redeemed")
        for clip in release
    ]
    for clip in release:
        clip.state, clip.pending_transaction, clip.pending_since, clip.updated_at = Clip.State.CLIPPED, None, None, now
    clips_save(release, ["state", "pending_transaction", "pending_since", "updated_at"])
    CouponEvent.objects.bulk_create(events)


def _ignored_record(site, txn, customer, ignored: list[Ignored], now, credential) -> None:
    """Record (and log) each listed coupon the commit did not redeem, for staff."""
    if not ignored:
        return
    unknown = [coupon_id for coupon_id, clip, _reason in ignored if clip is None]
    coupons = dict(Coupon.objects.filter(coupon_id__in=unknown).values_list("coupon_id", "pk")) if unknown else {}
    rows = []
    for coupon_id, clip, reason in ignored:
        _log(site, txn.transaction_id, "commit lists coupon %s: ignored (%s)", coupon_id, Reason(reason).label)
        rows.append(
            UnknownCouponInCommit(
                site=site,
                customer=customer,
                transaction=txn,
                coupon_code=coupon_id,
                coupon_id=clip.coupon_id if clip is not None else coupons.get(coupon_id),
                reason=reason,
                credential=credential,
                at=now,
            )
        )
    UnknownCouponInCommit.objects.bulk_create(rows)


def _redeem(txn, redeem: list[Clip], now, credential) -> Decimal:
    """Redeem the locked clips: uses counted, per-line redemptions, events (their points are
    already charged). Returns the total discount."""
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
    return total
