"""Transaction update (CONTRACT 3.5): which clipped coupons apply to the basket, made
``pending`` on the transaction so that one card cannot use them at two terminals at once."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .. import lock_objects
from ..engine import Application, Line, evaluate
from ..models import Clip, Coupon, CouponEvent, Customer, LoyaltyAccount, PosCredential, PosTransaction, Site
from ..models import PosTransactionUpdate as UpdateRow
from ..pos_wire import digits_last10, transaction_update_json
from ..selectors import customer_by_contacts
from .common import (
    abandon_after,
    clip_event,
    clips_save,
    commit_without_waiting_for_disk,
    offer_for,
    pos_lock_timeout,
    pos_transaction_lock,
)
from .customers import customer_contacts_add, customer_learn
from .loyalty import LoyaltyView, holds_place, holds_release, loyalty_view

logger = logging.getLogger("coupons.pos")
Kind = CouponEvent.Kind
_COUPON_SITES = Coupon.sites.through


@dataclass(frozen=True, slots=True)
class AppliedCoupon:
    clip: Clip
    application: Application
    account: LoyaltyAccount | None  # the account an optional (loyalty-cost) coupon spends


@dataclass
class UpdateResult:
    site: Site
    applied: list[AppliedCoupon] = field(default_factory=list)
    customer: Customer | None = None
    contact_phones: Sequence[str] = ()
    contact_emails: Sequence[str] = ()
    warnings: list[str] = field(default_factory=list)
    answer: dict = field(default_factory=dict)  # pos_wire.transaction_update_json(), as answered and stored


def _customer_clips(queryset, site: Site):
    """Annotate whether each clip's coupon is offered at ``site`` (in the same query)."""
    return queryset.annotate(
        coupon_has_sites=Exists(_COUPON_SITES.objects.filter(coupon_id=OuterRef("coupon_id"))),
        coupon_at_site=Exists(_COUPON_SITES.objects.filter(coupon_id=OuterRef("coupon_id"), site_id=site.pk)),
    )


def _candidates(clips: list[Clip], *, customer: Customer, txn: PosTransaction | None, now) -> list[Clip]:
    """CONTRACT 3.5.1: the customer's clipped coupons and those pending on this
    transaction, plus pendings older than the abandonment time (reclaimed), whose coupon
    is enabled, in its date window, offered at the site and has uses left."""
    today = timezone.localdate(now)
    abandoned_before = now - abandon_after()
    out = []
    for clip in clips:
        if clip.customer_id != customer.pk:
            continue
        if clip.state == Clip.State.PENDING:
            if (
                not (txn is not None and clip.pending_transaction_id == txn.pk)
                and clip.pending_since >= abandoned_before
            ):
                continue
        elif clip.state != Clip.State.CLIPPED:
            continue
        coupon = clip.coupon
        if not coupon.enabled or clip.uses_count >= coupon.uses_per_customer:
            continue
        if (coupon.start_date and coupon.start_date > today) or (coupon.end_date and coupon.end_date < today):
            continue
        if clip.coupon_has_sites and not clip.coupon_at_site:
            continue
        out.append(clip)
    return out


def _apply(
    lines: Sequence[Line], candidates: list[Clip], *, site: Site, loyalty: LoyaltyView | None
) -> list[AppliedCoupon]:
    """Evaluate the candidates. Optional (loyalty-cost) coupons are offered only while the
    points free of other transactions' holds cover them, together (CONTRACT 3.5.1): taken in
    coupon-id order, the first that would overdraw its account is dropped and the basket
    evaluated again."""
    if not candidates or not lines:
        return []
    by_id = {clip.coupon.coupon_id: clip for clip in candidates}
    account_of: dict[str, LoyaltyAccount | None] = {}
    excluded: set[str] = set()
    for coupon_id, clip in by_id.items():
        if clip.coupon.loyalty_cost:
            account = loyalty.account_for(clip) if loyalty is not None else None
            account_of[coupon_id] = account
            if account is None or account.free_balance < clip.coupon.loyalty_cost:
                excluded.add(coupon_id)
    while True:
        offers = [offer_for(clip.coupon) for coupon_id, clip in sorted(by_id.items()) if coupon_id not in excluded]
        if not offers:
            return []
        applications = sorted(evaluate(lines, offers, self_stacking=site.self_stacking), key=lambda a: a.coupon_id)
        spent: dict[int, int] = defaultdict(int)
        over = None
        for application in applications:
            account = account_of.get(application.coupon_id)
            if account is None or not application.total > 0:
                continue
            spent[account.pk] += by_id[application.coupon_id].coupon.loyalty_cost
            if spent[account.pk] > account.free_balance:
                over = application.coupon_id
                break
        if over is None:
            return [
                AppliedCoupon(by_id[a.coupon_id], a, account_of.get(a.coupon_id)) for a in applications if a.total > 0
            ]
        excluded.add(over)


def _loyalty(candidates: list[Clip], *, customer: Customer, txn: PosTransaction | None, now, lock: bool):
    """The customer's loyalty view when an optional coupon is among the candidates (else
    None: no account is read or locked)."""
    if not any(clip.coupon.loyalty_cost for clip in candidates):
        return None
    return loyalty_view(customer=customer, txn=txn, now=now, lock=lock)


def transaction_update(
    *,
    site: Site,
    transaction_id: str,
    customer_id: str | None,
    lines: Sequence[Line],
    transient: bool = False,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    cashier: int | None = None,
    terminal: int | None = None,
    time: datetime | None = None,
    request: dict | None = None,
    credential: PosCredential | None = None,
    warnings: Sequence[str] = (),
) -> UpdateResult:
    """CONTRACT 3.5. Transient: compute and answer, change no coupon. Otherwise, in one
    database transaction holding the transaction row and then the customer's clip rows
    (pk order, re-read under the lock): applied coupons become pending on this transaction,
    those pending on it that no longer apply return to clipped, abandoned pendings of the
    customer are reclaimed or released. With an optional coupon among the candidates it
    also locks the customer's loyalty accounts (last): optional coupons are offered only
    from the points free of other transactions' holds, and those applied hold their points
    on this transaction (holds end with their pendings). Transient updates hold nothing.
    The customer is learned on first sight; without a
    customer a phone or email match is answered so the POS can associate the card. After a
    commit the answer applies nothing (logged)."""
    now = timezone.now()
    result = UpdateResult(site=site, warnings=list(warnings), contact_phones=phones, contact_emails=emails)
    customer = customer_learn(customer_id=customer_id, now=now) if customer_id else None
    if customer is not None and (phones or emails):
        customer_contacts_add(customer=customer, phones=phones, emails=emails)
        customer.contact_email = customer.contact_email or next((e.lower() for e in emails if "@" in e), None)
        customer.contact_phone = customer.contact_phone or next(filter(None, map(digits_last10, phones)), None)
    if customer is None and (phones or emails):
        result.customer = customer_by_contacts(phones=list(phones), emails=list(emails))
    if transient:
        return _update_transient(result, site, transaction_id, customer, lines, now, request)
    with transaction.atomic():
        pos_lock_timeout()
        txn = pos_transaction_lock(site=site, transaction_id=transaction_id, now=now)
        if txn.status == PosTransaction.Status.COMMITTED:
            result.warnings.append("update after the commit: nothing applied")
            logger.warning("site %s transaction %s: update after its commit", site.site_id, transaction_id)
        else:
            clips = list(
                _customer_clips(
                    lock_objects.clips_for_update(customer=customer, pending_on=txn, usable_only=True), site
                )
            )
            candidates = _candidates(clips, customer=customer, txn=txn, now=now) if customer else []
            loyalty = _loyalty(candidates, customer=customer, txn=txn, now=now, lock=True) if customer else None
            result.applied = _apply(lines, candidates, site=site, loyalty=loyalty)
            _touch(txn, customer=customer, cashier=cashier, terminal=terminal, time=time, now=now)
            ended = _pend(clips, result.applied, customer=customer, txn=txn, now=now, credential=credential)
            if ended:
                holds_release(clip_pks=ended, now=now, note="the pending ended in an update")
            if loyalty is not None:
                held = [
                    (item.clip, item.account, item.clip.coupon.loyalty_cost) for item in result.applied if item.account
                ]
                holds_place(txn=txn, wanted=held, view=loyalty, now=now)
        _answer(result, customer)
        _update_log(txn, result, request=request, now=now, transient=False)
    return result


def _update_transient(result, site, transaction_id, customer, lines, now, request) -> UpdateResult:
    txn = PosTransaction.objects.filter(site=site, transaction_id=transaction_id).first()
    if txn is not None and txn.status == PosTransaction.Status.COMMITTED:
        result.warnings.append("transient update after the commit: nothing applied")
    elif customer is not None:
        queryset = (
            Clip.objects.filter(customer=customer, state__in=["clipped", "pending"])
            .select_related("coupon", "customer")
            .order_by("pk")
        )
        clips = list(_customer_clips(queryset, site))
        candidates = _candidates(clips, customer=customer, txn=txn, now=now)
        loyalty = _loyalty(candidates, customer=customer, txn=txn, now=now, lock=False)
        result.applied = _apply(lines, candidates, site=site, loyalty=loyalty)
    _answer(result, customer)
    with transaction.atomic():
        # Only the sale's log is written here, no coupon state: its commit need not wait
        # for the disk (one fsync fewer on most of a sale's requests).
        commit_without_waiting_for_disk()
        if txn is None:
            txn, _ = PosTransaction.objects.get_or_create(
                site=site,
                transaction_id=transaction_id,
                defaults={"customer": customer, "created_at": now, "updated_at": now},
            )
        _update_log(txn, result, request=request, now=now, transient=True)
    return result


def _answer(result: UpdateResult, customer: Customer | None) -> None:
    """The answer, for the card's customer unless a phone or email match named one."""
    if customer is not None and result.customer is None:
        result.customer = customer
    result.answer = transaction_update_json(result)


def _update_log(txn: PosTransaction, result: UpdateResult, *, request: dict | None, now, transient: bool) -> None:
    """The update as received and answered, in the transaction's history."""
    UpdateRow.objects.create(
        transaction=txn,
        transient=transient,
        request=request or {},
        answer=result.answer,
        warnings=result.warnings,
        at=now,
    )


def _pend(clips, applied, *, customer, txn, now, credential) -> list[int]:
    """Write the pending state the applications ask for. Must hold the transaction row and
    the clip rows (``lock_objects``). Returns the pks of the clips whose pending ended
    (released, abandoned, or reclaimed from another transaction): their holds end too."""
    applied_pks = {item.clip.pk for item in applied}
    amount = {item.clip.pk: item.application.total for item in applied}
    released: list[Clip] = []
    pended: list[Clip] = []
    reclaimed: list[int] = []
    events: list[CouponEvent] = []
    for clip in clips:
        on_this = clip.state == Clip.State.PENDING and clip.pending_transaction_id == txn.pk
        if clip.pk in applied_pks:
            if on_this:
                continue
            if clip.state == Clip.State.PENDING:  # abandoned on another transaction: reclaimed
                reclaimed.append(clip.pk)
                events.append(
                    clip_event(
                        Kind.RECLAIM,
                        clip,
                        "pending",
                        "pending",
                        txn,
                        now,
                        credential=credential,
                        note=f"from transaction pk {clip.pending_transaction_id}",
                    )
                )
            else:
                events.append(
                    clip_event(
                        Kind.PEND, clip, "clipped", "pending", txn, now, credential=credential, amount=amount[clip.pk]
                    )
                )
            clip.state, clip.pending_transaction_id, clip.pending_since = Clip.State.PENDING, txn.pk, now
            clip.updated_at = now
            pended.append(clip)
        elif on_this or (
            clip.state == Clip.State.PENDING
            and customer is not None
            and clip.customer_id == customer.pk
            and clip.pending_since < now - abandon_after()
        ):
            kind = Kind.RELEASE if on_this else Kind.ABANDON
            events.append(clip_event(kind, clip, "pending", "clipped", txn, now, credential=credential))
            clip.state, clip.pending_transaction_id, clip.pending_since = Clip.State.CLIPPED, None, None
            clip.updated_at = now
            released.append(clip)
    fields = ["state", "pending_transaction", "pending_since", "updated_at"]
    # Releases first: the coupon may move between two customers' clips on this transaction
    # (the customer changed), and the transaction may hold each coupon only once.
    if released:
        clips_save(released, fields)
    if pended:
        clips_save(pended, fields)
    if events:
        CouponEvent.objects.bulk_create(events)
    return sorted([clip.pk for clip in released] + reclaimed)


def _touch(txn: PosTransaction, *, customer, cashier, terminal, time, now) -> None:
    """Store who rings the sale up where; a cancelled sale resumed is open again (3.5.8).
    Written only when something changed: most updates of a sale change nothing here."""
    wanted = {"customer_id": customer.pk if customer else None, "cashier": cashier, "terminal": terminal, "time": time}
    changed = [
        name
        for name, value in wanted.items()
        if (value is not None or name == "customer_id") and getattr(txn, name) != value
    ]
    for name in changed:
        setattr(txn, name, wanted[name])
    if txn.status == PosTransaction.Status.CANCELLED:
        txn.status = PosTransaction.Status.OPEN
        changed.append("status")
    if changed:
        txn.updated_at = now
        txn.save(update_fields=[name.removesuffix("_id") for name in changed] + ["updated_at"])
