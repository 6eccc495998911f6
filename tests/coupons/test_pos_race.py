"""Twelve terminals at three sites race clip, update, commit and cancel for a few loyalty
cards (issue 11, CONTRACT 3.4-3.6) on PostgreSQL: real threads, each with its own database
connection and HTTP client, released together each round. Terminals also list coupons the
hub never applied (offered at another site, disabled, optional ones they were not offered),
leave sales open until they are abandoned and commit late. Whatever the interleaving: no
balance below zero, no coupon used more often than its uses allow, no redemption of a coupon
no update of its transaction applied, no points held by a closed transaction."""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client

from coupons.models import (
    Clip,
    LoyaltyAccount,
    LoyaltyEntry,
    LoyaltyHold,
    PosTransaction,
    PosTransactionUpdate,
    Redemption,
    UnknownCouponInCommit,
)
from coupons.services import pendings_release
from coupons.services.sites import pos_credential_upsert, site_upsert

from .pos_support import PASSWORD, Pos, line, make_clip, make_coupon, make_customer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TERMINALS = 12
ROUNDS = 8
SITES = ("STO1", "STO2", "STO3")
CARDS = {"C1": 150, "C2": 230, "C3": 100, "C4": 260}
# coupon id → (department, loyalty cost, uses per customer, only at this site)
COUPONS = {
    "P5": (5, 100, 1, None),
    "P6": (6, 100, 1, None),
    "P7": (7, 30, 3, None),
    "N8": (8, 0, 2, None),
    "S1": (9, 0, 2, "STO1"),
    "S2": (9, 0, 2, "STO2"),
    "S3": (9, 0, 2, "STO3"),
}
DEPTS = (5, 6, 7, 8, 9, 10)


@pytest.fixture
def chain(settings):
    settings.POS_PENDING_ABANDON_AFTER = 1  # second: sales left open are abandoned within the run
    sites = {site_id: site_upsert(site_id=site_id).site for site_id in SITES}
    pos_credential_upsert(username="pos", password=PASSWORD, site_ids=list(SITES))
    coupons = {}
    for coupon_id, (dept, cost, uses, only_at) in COUPONS.items():
        coupons[coupon_id] = make_coupon(
            coupon_id,
            requirement_upcs=[],
            requirement_depts=[dept],
            loyalty_cost=cost,
            uses_per_customer=uses,
            sites=[sites[only_at]] if only_at else None,
        )
    coupons["OFF"] = make_coupon("OFF", requirement_upcs=[], requirement_depts=[8], enabled=False)
    for card, points in CARDS.items():
        customer = make_customer(card, points=points)
        for coupon in coupons.values():
            make_clip(customer, coupon)


def sale(pos: Pos, rnd: random.Random, site_id: str, transaction_id: str, late: list) -> list[int]:
    """One terminal's sale: perhaps clip or unclip, one to three updates (some transient),
    then a commit (listing what it was given, sometimes more, sometimes nothing), a cancel,
    or nothing (left open, to be committed late by a later round). Returns the statuses."""
    card = rnd.choice(list(CARDS))
    statuses = []
    if rnd.random() < 0.4:
        ids = [*COUPONS, "OFF"]
        response = pos.clip(rnd.sample(ids, 2), rnd.sample(ids, 1), customer=card, site=site_id)
        statuses.append(response.status_code)
    given: list[str] = []
    for _ in range(rnd.randint(1, 3)):
        basket = [
            line(number, upc=None, dept=dept, price="5.00") for number, dept in enumerate(rnd.sample(DEPTS, 3), 1)
        ]
        transient = rnd.random() < 0.3
        response = pos.update(basket, customer=card, transaction=transaction_id, site=site_id, transient=transient)
        statuses.append(response.status_code)
        if response.status_code == 200 and not transient:
            given = [entry["couponId"] for entry in response.json()["applied"]]
    ending = rnd.random()
    if ending < 0.15:
        statuses.append(pos.cancel(customer=card, transaction=transaction_id, site=site_id).status_code)
    elif ending < 0.3:
        late.append((card, transaction_id, site_id, given))
    else:
        listed = [] if rnd.random() < 0.1 else list(given)
        if rnd.random() < 0.5:
            listed += rnd.sample([*COUPONS, "OFF", "NOPE"], 2)  # coupons the hub did not apply
        statuses.append(pos.commit(listed, customer=card, transaction=transaction_id, site=site_id).status_code)
    return statuses


def run_round(round_number: int, late: list) -> list[int]:
    barrier = threading.Barrier(TERMINALS)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def terminal(number: int):
        try:
            pos = Pos(Client())
            rnd = random.Random(round_number * 100 + number)
            site_id = SITES[number % len(SITES)]
            mine = []
            barrier.wait(timeout=30)
            if late and rnd.random() < 0.3:  # a background retry of a sale left open earlier
                with lock:
                    pending = late.pop() if late else None
                if pending:
                    card, transaction_id, site, given = pending
                    mine.append(pos.commit(given, customer=card, transaction=transaction_id, site=site).status_code)
            new_late: list = []
            mine += sale(pos, rnd, site_id, f"R{round_number}-T{number}", new_late)
            with lock:
                statuses.extend(mine)
                late.extend(new_late)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=terminal, args=(number,)) for number in range(TERMINALS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return statuses


def test_twelve_terminals_at_three_sites_never_overspend_or_over_redeem(chain):
    late: list = []
    statuses: list[int] = []
    for round_number in range(ROUNDS):
        statuses += run_round(round_number, late)
        if round_number % 3 == 2:
            pendings_release()  # the sweep staff or cron run: abandoned pendings and their holds
    assert Counter(statuses) == {200: len(statuses)}

    # 0 negative balances, and each balance is its ledger's sum
    balances = {account.loyalty_id: account.balance for account in LoyaltyAccount.objects.all()}
    sums = dict(LoyaltyEntry.objects.values_list("account__loyalty_id").annotate(total=Sum("points")))
    negative = [card for card, points in balances.items() if points < 0]
    assert negative == []
    assert balances == sums
    charged = {card: CARDS[card] - balances[card] for card in CARDS}
    assert all(0 <= points <= CARDS[card] for card, points in charged.items())

    # 0 over-used coupons: uses counted once per transaction, never past the coupon's uses
    used = Counter(
        Redemption.objects.values_list("clip_id", "transaction_id").distinct().values_list("clip", flat=True)
    )
    over_used = []
    for clip in Clip.objects.select_related("coupon"):
        if used[clip.pk] > clip.coupon.uses_per_customer or clip.uses_count != used[clip.pk]:
            over_used.append((clip.customer_id, clip.coupon.coupon_id, used[clip.pk], clip.uses_count))
    assert over_used == []

    # 0 redemptions of coupons not applied: every redeemed coupon was in the `applied` of a
    # non-transient update of its transaction, at that transaction's site, and charged
    # exactly its points if optional
    applied: dict[int, set[str]] = defaultdict(set)
    for transaction_pk, answer in PosTransactionUpdate.objects.filter(transient=False).values_list(
        "transaction_id", "answer"
    ):
        applied[transaction_pk] |= {entry["couponId"] for entry in answer.get("applied") or ()}
    not_applied = []
    redeemed_optional = Counter()
    for coupon_id, only_at, transaction_pk, site_id, cost in Redemption.objects.values_list(
        "coupon__coupon_id",
        "coupon__sites__site_id",
        "transaction_id",
        "transaction__site__site_id",
        "coupon__loyalty_cost",
    ).distinct():
        if coupon_id not in applied[transaction_pk] or (only_at and only_at != site_id) or coupon_id == "OFF":
            not_applied.append((coupon_id, transaction_pk))
        if cost:
            redeemed_optional[(transaction_pk, coupon_id)] += 1
    assert not_applied == []
    debits = Counter(
        LoyaltyEntry.objects.filter(reason="redemption").values_list("transaction_id", "coupon__coupon_id")
    )
    assert debits == redeemed_optional

    # no points held by a closed transaction; a live hold only for a coupon pending there
    closed = LoyaltyHold.objects.filter(state="held").exclude(transaction__status=PosTransaction.Status.OPEN)
    assert not closed.exists()
    for hold in LoyaltyHold.objects.filter(state="held").select_related("clip"):
        assert (hold.clip.state, hold.clip.pending_transaction_id) == ("pending", hold.transaction_id)

    commits = PosTransaction.objects.filter(status="committed").count()
    print(
        f"\nrace: {ROUNDS} rounds x {TERMINALS} terminals, {len(statuses)} requests, {commits} commits, "
        f"{Redemption.objects.values('transaction', 'coupon').distinct().count()} redemptions, "
        f"{sum(charged.values())} points charged, {UnknownCouponInCommit.objects.count()} listed coupons ignored, "
        f"negative balances {len(negative)}, over-used coupons {len(over_used)}, not applied {len(not_applied)}"
    )
