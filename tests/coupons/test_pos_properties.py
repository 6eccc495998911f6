"""Property test of the coupon state machine (CONTRACT 3.4-3.6) through HTTP: whatever
sequence of clips, unclips, updates (transient or not), commits, cancels and abandonments a
POS sends for one card over a few transactions, the hub's records stay consistent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coupons.models import Clip, PosTransaction, Redemption

from .pos_support import line, make_clip, make_coupon, make_customer

pytestmark = pytest.mark.django_db

COUPONS = ("K0", "K1", "K2")
TRANSACTIONS = ("T0", "T1")
DEPTS = (10, 11, 12)

update = st.tuples(st.just("update"), st.sampled_from(TRANSACTIONS), st.sets(st.sampled_from(DEPTS)), st.booleans())
commit = st.tuples(st.just("commit"), st.sampled_from(TRANSACTIONS), st.lists(st.sampled_from(COUPONS), max_size=3))
# updates and commits twice as likely: the interesting sequences interleave them
operation = st.one_of(
    update,
    update,
    commit,
    commit,
    st.tuples(st.just("cancel"), st.sampled_from(TRANSACTIONS)),
    st.tuples(st.just("clip"), st.sampled_from(COUPONS)),
    st.tuples(st.just("unclip"), st.sampled_from(COUPONS)),
    st.tuples(st.just("abandon")),
)


class Rollback(Exception):
    pass


def check_invariants() -> None:
    committed = set(PosTransaction.objects.filter(status="committed").values_list("pk", flat=True))
    used = dict(
        Redemption.objects.values("clip").annotate(n=Count("transaction", distinct=True)).values_list("clip", "n")
    )
    for clip in Clip.objects.select_related("coupon"):
        assert clip.uses_count == used.get(clip.pk, 0)
        assert clip.uses_count <= clip.coupon.uses_per_customer
        assert (clip.state == "redeemed") == (
            clip.uses_count >= clip.coupon.uses_per_customer
        ) or clip.state == "removed"
        assert (clip.state == "pending") == (clip.pending_transaction_id is not None)
        assert clip.pending_transaction_id not in committed


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=8))
def test_any_sequence_of_pos_calls_keeps_the_records_consistent(pos, site, operations):
    try:
        with transaction.atomic():
            customer = make_customer("412345")
            for coupon_id, dept in zip(COUPONS, DEPTS, strict=True):
                coupon = make_coupon(coupon_id, requirement_upcs=[], requirement_depts=[dept], uses_per_customer=2)
                make_clip(customer, coupon)
            for op in operations:
                run(pos, customer, op)
                check_invariants()
            raise Rollback
    except Rollback:
        pass


def run(pos, customer, op) -> None:
    kind = op[0]
    if kind == "update":
        _, txn, depts, transient = op
        items = [line(index + 1, upc=None, dept=dept, price="2.00") for index, dept in enumerate(sorted(depts))]
        response = pos.update(items, transaction=txn, transient=transient)
        assert response.status_code == 200, response.content
        applied = {entry["couponId"] for entry in response.json()["applied"]}
        status = PosTransaction.objects.get(transaction_id=txn).status
        if not transient and status != "committed":
            pending = set(
                Clip.objects.filter(state="pending", pending_transaction__transaction_id=txn).values_list(
                    "coupon__coupon_id", flat=True
                )
            )
            assert applied == pending  # what the POS was told is what the hub holds
        if status == "committed":
            assert applied == set()
    elif kind == "commit":
        assert pos.commit(op[2], transaction=op[1]).status_code == 200
    elif kind == "cancel":
        assert pos.cancel(transaction=op[1]).status_code == 200
    elif kind == "clip":
        assert pos.clip(add=[op[1]]).status_code == 200
    elif kind == "unclip":
        assert pos.clip(remove=[op[1]]).status_code == 200
    elif kind == "abandon":
        Clip.objects.filter(state="pending").update(pending_since=timezone.now() - timedelta(days=1))
