"""One card at several terminals at the same moment (CONTRACT 3.5.1, 3.6) on PostgreSQL:
real threads, each with its own database connection and HTTP client, released together by
a barrier. Whatever the interleaving, a clipped coupon ends pending on one transaction at
most, and never is redeemed more often than its uses allow."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from coupons.models import Clip, CouponEvent, PosTransaction, Redemption

from .pos_support import Pos, line, make_clip, make_coupon, make_customer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COUPONS = ("C1", "C2", "C3", "C4")


@pytest.fixture
def card(site, credential):
    customer = make_customer("412345")
    for number, coupon_id in enumerate(COUPONS):
        coupon = make_coupon(coupon_id, requirement_upcs=[], requirement_depts=[10 + number], uses_per_customer=2)
        make_clip(customer, coupon)
    return customer


BASKET = [line(number + 1, upc=None, dept=10 + number, price="2.00") for number in range(len(COUPONS))]


def run_together(*jobs) -> list:
    """Run each job in its own thread, all released at once; return their results."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def worker(index, job):
        try:
            pos = Pos(Client())
            barrier.wait(timeout=10)
            results[index] = job(pos)
        except Exception as error:  # reported below, with the thread's own traceback
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def update(transaction_id):
    def job(pos):
        response = pos.update(BASKET, transaction=transaction_id)
        assert response.status_code == 200, response.content
        return {entry["couponId"] for entry in response.json()["applied"]}

    return job


def pending_by_transaction() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for coupon_id, transaction_id in Clip.objects.filter(state="pending").values_list(
        "coupon__coupon_id", "pending_transaction__transaction_id"
    ):
        out.setdefault(transaction_id, set()).add(coupon_id)
    return out


def test_the_same_card_at_two_terminals_at_once(card):
    for round_number in range(4):
        first, second = f"A{round_number}", f"B{round_number}"
        applied = run_together(update(first), update(second))
        pending = pending_by_transaction()
        # each answer is exactly what is pending on its transaction, and no coupon twice
        assert applied[0] == pending.get(first, set())
        assert applied[1] == pending.get(second, set())
        assert not applied[0] & applied[1]
        assert applied[0] | applied[1] == set(COUPONS)
        run_together(lambda pos, t=first: pos.cancel(transaction=t), lambda pos, t=second: pos.cancel(transaction=t))
        assert not pending_by_transaction()


def test_commits_cancels_and_updates_interleaved_never_over_redeem(card):
    def commit(transaction_id, coupons=()):
        return lambda pos: pos.commit(list(coupons), transaction=transaction_id).status_code

    def cancel(transaction_id):
        return lambda pos: pos.cancel(transaction=transaction_id).status_code

    for round_number in range(4):
        a, b, c = (f"{name}{round_number}" for name in "ABC")
        run_together(update(a), update(b))
        # one terminal commits, another cancels, a third card-swipe updates, all at once
        statuses = run_together(commit(a), cancel(b), update(c), commit(b))
        assert statuses[0] == statuses[1] == statuses[3] == 200
        run_together(commit(c), commit(a), cancel(c))
        pending = pending_by_transaction()
        committed = set(PosTransaction.objects.filter(status="committed").values_list("transaction_id", flat=True))
        assert not set(pending) & committed, "nothing stays pending on a committed transaction"

    redemptions = Counter(
        Redemption.objects.values_list("coupon__coupon_id", "transaction__transaction_id")
        .distinct()
        .values_list("coupon__coupon_id", flat=True)
    )
    for clip in Clip.objects.select_related("coupon"):
        used = redemptions[clip.coupon.coupon_id]
        assert used <= clip.coupon.uses_per_customer
        assert clip.uses_count == used
        assert (clip.state == "redeemed") == (used == clip.coupon.uses_per_customer)
    assert sum(redemptions.values()) == CouponEvent.objects.filter(kind="redeem").count()
    assert all(discount > Decimal(0) for discount in Redemption.objects.values_list("discount", flat=True))
