"""Loyalty points on the POS path (CONTRACT 3.5.5, 3.6): the holds of optional (loyalty-cost)
coupons pending on open transactions, and the debits of the commit.

An optional coupon pending on a transaction holds its points there (``LoyaltyHold``): placed
by the non-transient update that makes it pending, ended when the pending ends (a later
update no longer applies it, cancel, abandonment, a commit not redeeming it) or charged by
the commit that redeems it. What an update may offer is the balance minus the live holds of
*other* transactions (``LoyaltyView.free``), read under the account locks. The balance
itself never goes below zero: the commit checks it under the account lock, and the database
refuses an entry that would overdraw it (``loyalty_balance_non_negative``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from .. import lock_objects
from ..models import Clip, Customer, LoyaltyAccount, LoyaltyEntry, LoyaltyHold, PosTransaction
from ..selectors import account_for_coupon, loyalty_balances, loyalty_held_elsewhere, loyalty_holds_live
from .common import abandon_after

NOTE_MAX = LoyaltyHold._meta.get_field("note").max_length
HELD = LoyaltyHold.State.HELD


@dataclass
class LoyaltyView:
    """A customer's accounts as one update sees them: each account carries ``free_balance``
    (its balance minus the live holds of other transactions, never below zero), and
    ``holds`` are the accounts' live holds (any transaction, any age)."""

    accounts: list[LoyaltyAccount] = field(default_factory=list)
    holds: list[LoyaltyHold] = field(default_factory=list)

    def account_for(self, clip: Clip) -> LoyaltyAccount | None:
        return account_for_coupon(self.accounts, clip.coupon)


def loyalty_view(*, customer: Customer, txn: PosTransaction | None, now, lock: bool) -> LoyaltyView:
    """The customer's accounts and what they may spend on ``txn``. ``lock``: the accounts'
    rows are locked (a non-transient update, which must already hold the transaction row and
    the customer's clip rows); otherwise a plain read (a transient update)."""
    if lock:
        accounts = sorted(lock_objects.loyalty_accounts_for_update(customer=customer), key=lambda a: a.loyalty_id)
    else:
        accounts = loyalty_balances(customer=customer)
    holds = loyalty_holds_live(accounts=accounts)
    elsewhere = loyalty_held_elsewhere(holds, transaction_pk=txn.pk if txn else None, since=now - abandon_after())
    for account in accounts:
        account.free_balance = max(0, account.balance - elsewhere[account.pk])
    return LoyaltyView(accounts=accounts, holds=holds)


def holds_release(*, clip_pks: Iterable[int] = (), transaction: PosTransaction | None = None, now, note: str) -> int:
    """End the live holds of these clips (their pending ended) and, with ``transaction``,
    every live hold left on it. The caller holds the clips' row locks (or the transaction's
    row, whose clips then no longer pend on it). Returns how many ended."""
    condition = Q(clip_id__in=list(clip_pks))
    if transaction is not None:
        condition |= Q(transaction=transaction)
    return LoyaltyHold.objects.filter(condition, state=HELD).update(
        state=LoyaltyHold.State.RELEASED, ended_at=now, note=note[:NOTE_MAX]
    )


def holds_place(*, txn: PosTransaction, wanted: list[tuple[Clip, LoyaltyAccount, int]], view: LoyaltyView, now) -> None:
    """Make the live holds of the customer's clips on ``txn`` exactly ``wanted`` (clip,
    account, points: the optional coupons this update applied). A hold starts with its
    clip's pending (``created_at`` = ``pending_since``). Must hold the clips' row locks, after
    ``holds_release`` ended the holds of pendings that ended in this update."""
    mine = {hold.clip_id: hold for hold in view.holds if hold.transaction_id == txn.pk}
    wanted_by_clip = {clip.pk: (clip, account, points) for clip, account, points in wanted}
    stale = [hold.pk for clip_pk, hold in mine.items() if clip_pk not in wanted_by_clip]
    if stale:
        LoyaltyHold.objects.filter(pk__in=stale, state=HELD).update(
            state=LoyaltyHold.State.RELEASED, ended_at=now, note="no longer applied"
        )
    new = []
    for clip_pk, (clip, account, points) in sorted(wanted_by_clip.items()):
        hold = mine.get(clip_pk)
        if hold is None:
            new.append(
                LoyaltyHold(
                    account=account,
                    clip=clip,
                    coupon_id=clip.coupon_id,
                    transaction=txn,
                    points=points,
                    created_at=clip.pending_since,
                )
            )
        elif (hold.account_id, hold.points) != (account.pk, points):  # the coupon's cost or program changed
            LoyaltyHold.objects.filter(pk=hold.pk).update(account=account, points=points)
    if new:
        LoyaltyHold.objects.bulk_create(new)


@dataclass
class ChargeResult:
    charged: list[Clip] = field(default_factory=list)
    refused: list[tuple[Clip, str]] = field(default_factory=list)  # (clip, UnknownCouponInCommit reason)


def loyalty_charge(*, txn: PosTransaction, clips: list[Clip], now) -> ChargeResult:
    """Charge the points of the optional coupons the commit of ``txn`` is about to redeem.
    A coupon holding points on ``txn`` is charged its hold, if the balance still has it; one
    without a hold (it was released by abandonment) only if the points are still free of
    other transactions' live holds. Each charge is a ``redemption`` entry and ends the hold
    as ``charged``; a coupon refused (``points_not_free``, ``no_account``) must not be
    redeemed. Must hold the transaction row and the clips' row locks: locks the accounts."""
    result = ChargeResult()
    if not clips:
        return result
    accounts = list(lock_objects.loyalty_accounts_for_update(customer_pks=sorted({c.customer_id for c in clips})))
    by_pk = {account.pk: account for account in accounts}
    by_customer: dict[int, list[LoyaltyAccount]] = defaultdict(list)
    for account in sorted(accounts, key=lambda a: a.loyalty_id):
        by_customer[account.customer_id].append(account)
    holds = loyalty_holds_live(accounts=accounts)
    mine = {hold.clip_id: hold for hold in holds if hold.transaction_id == txn.pk}
    elsewhere = loyalty_held_elsewhere(holds, transaction_pk=txn.pk, since=now - abandon_after())
    entries, charged_holds = [], []
    for clip in sorted(clips, key=lambda c: c.coupon.coupon_id):
        hold = mine.get(clip.pk)
        if hold is not None:
            account, points, free = by_pk[hold.account_id], hold.points, by_pk[hold.account_id].balance
        else:
            account = account_for_coupon(by_customer[clip.customer_id], clip.coupon)
            if account is None:
                result.refused.append((clip, "no_account"))
                continue
            points, free = clip.coupon.loyalty_cost, account.balance - elsewhere[account.pk]
        if free < points:
            result.refused.append((clip, "points_not_free"))
            continue
        account.balance -= points
        entries.append(
            LoyaltyEntry(
                account=account,
                points=-points,
                reason=LoyaltyEntry.Reason.REDEMPTION,
                note=f"coupon {clip.coupon.coupon_id}",
                transaction=txn,
                coupon_id=clip.coupon_id,
                created_at=now,
            )
        )
        if hold is not None:
            charged_holds.append(hold.pk)
        result.charged.append(clip)
    # One statement: the database adds the entries to the balances and checks them.
    LoyaltyEntry.objects.bulk_create(entries)
    if charged_holds:
        LoyaltyHold.objects.filter(pk__in=charged_holds).update(
            state=LoyaltyHold.State.CHARGED, ended_at=now, note="charged by the commit"
        )
    return result
