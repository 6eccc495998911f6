"""Money integrity at the POS (issue 11, CONTRACT 3.5-3.6), through /pos/ over HTTP.

Loyalty points are never overspent: an optional (loyalty-cost) coupon an update applies holds
its points on that transaction, other transactions are offered only what is free of holds,
a commit charges only what it holds (or what is still free), and the database refuses any
entry that would take a balance below zero. A commit redeems only coupons an update of this
transaction applied; anything else it lists is ignored and shown to staff."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from coupons.models import (
    Clip,
    Coupon,
    LoyaltyAccount,
    LoyaltyEntry,
    LoyaltyHold,
    PosTransaction,
    Redemption,
    UnknownCouponInCommit,
)
from coupons.services import pendings_release
from coupons.services.customer_import import customers_import
from coupons.services.sites import pos_credential_upsert, site_upsert

from .pos_support import Pos, applied_ids, clip_of, line, make_clip, make_coupon, make_customer, today

pytestmark = pytest.mark.django_db


def balance(loyalty_id: str = "412345") -> int:
    """The balance as staff see it (the account), checked against the ledger's sum."""
    account = LoyaltyAccount.objects.get(loyalty_id=loyalty_id)
    assert account.balance == sum(account.entries.values_list("points", flat=True))
    return account.balance


def ignored() -> list[tuple[str, str, str]]:
    return sorted(
        UnknownCouponInCommit.objects.values_list("coupon_code", "reason", "transaction__transaction_id").order_by()
    )


def dept_line(dept: int, line_id: int | None = None) -> dict:
    return line(line_id or dept, upc=None, dept=dept, price="4.00")


@pytest.fixture
def card(site):
    """412345 with 150 points and two clipped 100-point optional coupons, for departments 5
    and 6 (the issue's reproduction)."""
    customer = make_customer("412345", points=150)
    for dept in (5, 6):
        coupon = make_coupon(f"P{dept}", requirement_upcs=[], requirement_depts=[dept], loyalty_cost=100)
        make_clip(customer, coupon)
    return customer


# --- Loyalty points can be overspent (issue 11) ----------------------------------------------


def test_a_card_at_two_terminals_spends_its_points_once(pos, card):
    assert applied_ids(pos.update([dept_line(5)], transaction="T1")) == ["P5"]
    # T1 holds 100 of the 150 points: T2 is not offered the other 100-point coupon.
    assert applied_ids(pos.update([dept_line(6)], transaction="T2")) == []
    pos.commit(["P5"], transaction="T1")
    pos.commit(["P6"], transaction="T2")
    assert balance() == 50
    assert (clip_of("412345", "P5").state, clip_of("412345", "P6").state) == ("redeemed", "clipped")
    assert ignored() == [("P6", "not_applied", "T2")]


def test_a_commit_without_any_update_charges_nothing(pos, card):
    response = pos.commit(["P5", "P6"], transaction="T1")
    assert response.status_code == 200
    assert response.json() == {"receiptLines": []}
    assert balance() == 150
    assert not Redemption.objects.exists()
    assert ignored() == [("P5", "not_applied", "T1"), ("P6", "not_applied", "T1")]


def test_one_basket_is_offered_only_the_optional_coupons_the_free_balance_covers_together(pos, card):
    response = pos.update([dept_line(5), dept_line(6)], transaction="T1")
    assert applied_ids(response) == ["P5"]
    assert response.json()["loyaltyBalances"] == [{"id": "412345", "balance": 150}]
    assert list(LoyaltyHold.objects.values_list("coupon__coupon_id", "points", "state")) == [("P5", 100, "held")]
    pos.commit(["P5", "P6"], transaction="T1")
    assert balance() == 50
    assert ignored() == [("P6", "not_applied", "T1")]


def test_the_balance_shown_is_free_of_the_holds_of_other_transactions(pos, card):
    make_clip(card, make_coupon("P7", requirement_upcs=[], requirement_depts=[7], loyalty_cost=30))
    first = pos.update([dept_line(5)], transaction="T1")
    assert first.json()["loyaltyBalances"] == [{"id": "412345", "balance": 150}]  # its own hold is not subtracted
    other = pos.update([dept_line(7)], transaction="T2", transient=True)
    assert applied_ids(other) == ["P7"]
    assert other.json()["loyaltyBalances"] == [{"id": "412345", "balance": 50}]
    assert other.json()["applied"][0]["optional"]["loyaltyCost"] == 30


def test_a_transient_update_holds_nothing(pos, card):
    assert applied_ids(pos.update([dept_line(5)], transaction="T1", transient=True)) == ["P5"]
    assert not LoyaltyHold.objects.exists()
    # nothing is held, so the other coupon is offered to another terminal
    assert applied_ids(pos.update([dept_line(6)], transaction="T2")) == ["P6"]


@pytest.mark.parametrize(
    "release",
    [
        pytest.param(lambda pos: pos.cancel(transaction="T1"), id="cancel"),
        pytest.param(lambda pos: pos.update([dept_line(9)], transaction="T1"), id="dropped-by-a-later-update"),
        pytest.param(lambda pos: pos.commit([], transaction="T1"), id="commit-not-listing-it"),
        pytest.param(lambda pos: pendings_release(clips=Clip.objects.all()), id="released-by-staff"),
    ],
)
def test_a_released_hold_frees_its_points(pos, card, release):
    assert applied_ids(pos.update([dept_line(5)], transaction="T1")) == ["P5"]
    assert applied_ids(pos.update([dept_line(6)], transaction="T2")) == []
    release(pos)
    assert not LoyaltyHold.objects.filter(state="held").exists()
    assert applied_ids(pos.update([dept_line(6)], transaction="T2")) == ["P6"]
    pos.commit(["P6"], transaction="T2")
    assert balance() == 50


def test_an_abandoned_hold_no_longer_counts_and_its_coupon_is_reclaimed(pos, card, settings):
    settings.POS_PENDING_ABANDON_AFTER = 3600
    assert applied_ids(pos.update([dept_line(5)], transaction="T1")) == ["P5"]
    long_ago = timezone.now() - timedelta(hours=2)
    Clip.objects.filter(state="pending").update(pending_since=long_ago)
    LoyaltyHold.objects.update(created_at=long_ago)
    # T1's hold is abandoned: T2 may take the points, and reclaim the coupon itself
    assert applied_ids(pos.update([dept_line(5)], transaction="T2")) == ["P5"]
    holds = LoyaltyHold.objects.order_by("pk").values_list("transaction__transaction_id", "state")
    assert list(holds) == [("T1", "released"), ("T2", "held")]
    pos.commit(["P5"], transaction="T1")  # late: it is T2's now
    pos.commit(["P5"], transaction="T2")
    assert balance() == 50
    assert ignored() == [("P5", "pending_elsewhere", "T1")]


def test_the_commit_turns_the_hold_into_a_debit(pos, card):
    pos.update([dept_line(5)], transaction="T1")
    pos.commit(["P5"], transaction="T1")
    hold = LoyaltyHold.objects.get()
    assert (hold.state, hold.points) == ("charged", 100)
    entry = LoyaltyEntry.objects.get(reason="redemption")
    assert (entry.points, entry.transaction.transaction_id, entry.coupon.coupon_id) == (-100, "T1", "P5")
    assert balance() == 50


def test_a_late_commit_after_abandonment_redeems_only_points_still_free(pos, card):
    assert applied_ids(pos.update([dept_line(5)], transaction="T1")) == ["P5"]
    assert pendings_release(clips=Clip.objects.all()) == 1  # abandoned: the hold is released
    assert applied_ids(pos.update([dept_line(6)], transaction="T2")) == ["P6"]  # now 100 of 150 held by T2
    pos.commit(["P5"], transaction="T1")  # late: only 50 points are free
    assert clip_of("412345", "P5").state == "clipped"
    assert ignored() == [("P5", "points_not_free", "T1")]
    pos.commit(["P6"], transaction="T2")
    assert balance() == 50


def test_a_late_commit_after_abandonment_redeems_when_the_points_are_free(pos, card):
    assert applied_ids(pos.update([dept_line(5)], transaction="T1")) == ["P5"]
    assert pendings_release(clips=Clip.objects.all()) == 1
    pos.commit(["P5"], transaction="T1")
    assert clip_of("412345", "P5").state == "redeemed"
    assert balance() == 50
    assert Redemption.objects.get().discount == Decimal("0.50")


def test_a_balance_lowered_by_staff_below_a_hold_is_never_overdrawn(pos, card):
    pos.update([dept_line(5)], transaction="T1")
    customers_import(records=[{"id": "412345", "loyalty": [{"id": "412345", "balance": 50}]}])
    response = pos.commit(["P5"], transaction="T1")
    assert response.status_code == 200
    assert balance() == 50
    assert clip_of("412345", "P5").state == "clipped"
    assert ignored() == [("P5", "points_not_free", "T1")]
    assert LoyaltyHold.objects.get().state == "released"


def test_the_database_refuses_an_entry_that_overdraws_a_balance(card):
    account = LoyaltyAccount.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        LoyaltyEntry.objects.create(account=account, points=-151, reason="adjustment")
    LoyaltyEntry.objects.bulk_create(
        [LoyaltyEntry(account=account, points=points, reason="adjustment") for points in (-50, 20)]
    )
    assert balance() == 120  # the database keeps the balance as the ledger's sum


def test_the_database_holds_a_coupon_once_per_transaction(pos, card):
    pos.update([dept_line(5)], transaction="T1")
    hold = LoyaltyHold.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        LoyaltyHold.objects.create(
            account=hold.account, clip=hold.clip, coupon=hold.coupon, transaction=hold.transaction, points=5
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LoyaltyHold.objects.filter(pk=hold.pk).update(points=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        LoyaltyHold.objects.filter(pk=hold.pk).update(state="released")  # without when it ended


# --- A commit redeems coupons the hub refused to apply (issue 11) -----------------------------


@pytest.fixture
def second_site(site):
    """STO2 with coupon SEC-B offered there only, clipped by 412345."""
    other = site_upsert(site_id="STO2").site
    customer = make_customer("412345")
    make_clip(customer, make_coupon("SEC-B", sites=[other]))
    return other


def test_a_commit_at_one_site_does_not_redeem_a_coupon_offered_only_at_another(pos, second_site):
    pos.update([line()], transaction="T1")  # STO1 never applies SEC-B
    response = pos.commit(["SEC-B"], transaction="T1")
    assert response.status_code == 200
    clip = clip_of("412345", "SEC-B")
    assert (clip.state, clip.uses_count) == ("clipped", 0)
    assert not Redemption.objects.exists()
    record = UnknownCouponInCommit.objects.get()
    assert (record.site.site_id, record.customer.customer_id, record.transaction.transaction_id) == (
        "STO1",
        "412345",
        "T1",
    )
    assert (record.coupon_code, record.coupon.coupon_id, record.reason) == ("SEC-B", "SEC-B", "not_applied")


@pytest.mark.parametrize(
    "change", [{"enabled": False}, {"end_date": today() - timedelta(days=1)}], ids=["disabled", "expired"]
)
def test_a_commit_does_not_redeem_a_disabled_or_expired_coupon(pos, site, change):
    customer = make_customer("412345")
    make_clip(customer, make_coupon("GONE", **change))
    pos.update([line()], transaction="T1")
    pos.commit(["GONE"], transaction="T1")
    assert clip_of("412345", "GONE").uses_count == 0
    assert not Redemption.objects.exists()
    assert ignored() == [("GONE", "not_applied", "T1")]


def test_a_credential_of_one_site_cannot_unclip_a_coupon_offered_only_at_another(pos, second_site):
    response = pos.clip(remove=["SEC-B"], site="STO1")
    assert response.json() == {"added": [], "removed": []}
    assert clip_of("412345", "SEC-B").state == "clipped"
    pos_credential_upsert(username="pos2", password="pos-pass-5678", site_ids=["STO2"])
    other = Pos(pos.client, "pos2", "pos-pass-5678")
    assert other.clip(remove=["SEC-B"], site="STO2").json() == {"added": [], "removed": ["SEC-B"]}


def test_a_credential_of_one_site_cannot_clip_a_coupon_offered_only_at_another(pos, second_site):
    make_coupon("ONLY2", sites=[second_site])
    assert pos.clip(add=["ONLY2"], site="STO1").json() == {"added": [], "removed": []}
    assert not Clip.objects.filter(coupon__coupon_id="ONLY2").exists()


def test_a_coupon_released_by_abandonment_is_redeemed_by_its_late_commit(pos, site):
    customer = make_customer("412345")
    make_clip(customer, make_coupon("A1"))
    assert applied_ids(pos.update([line()], transaction="T1")) == ["A1"]
    assert pendings_release(clips=Clip.objects.all()) == 1
    pos.commit(["A1"], transaction="T1")
    assert clip_of("412345", "A1").state == "redeemed"
    assert list(Redemption.objects.values_list("line_id", "discount")) == [("1", Decimal("0.50"))]
    assert not UnknownCouponInCommit.objects.exists()


def test_a_coupon_released_by_abandonment_and_disabled_since_is_not_redeemed(pos, site):
    customer = make_customer("412345")
    make_clip(customer, make_coupon("A1"))
    pos.update([line()], transaction="T1")
    pendings_release(clips=Clip.objects.all())
    Coupon.objects.filter(coupon_id="A1").update(enabled=False)
    pos.commit(["A1"], transaction="T1")
    assert clip_of("412345", "A1").state == "clipped"
    assert ignored() == [("A1", "not_valid", "T1")]


def test_a_coupon_released_by_cancel_is_not_redeemed_by_a_commit(pos, site):
    customer = make_customer("412345")
    make_clip(customer, make_coupon("A1"))
    pos.update([line()], transaction="T1")
    pos.cancel(transaction="T1")
    pos.commit(["A1"], transaction="T1")
    assert clip_of("412345", "A1").state == "clipped"
    assert ignored() == [("A1", "not_applied", "T1")]


def test_a_coupon_the_latest_update_no_longer_applied_is_not_redeemed(pos, site):
    customer = make_customer("412345")
    make_clip(customer, make_coupon("A1"))
    pos.update([line()], transaction="T1")
    pos.update([dept_line(9)], transaction="T1")  # the item was voided
    pos.commit(["A1"], transaction="T1")
    assert clip_of("412345", "A1").state == "clipped"
    assert ignored() == [("A1", "not_applied", "T1")]


def test_unknown_and_foreign_coupons_in_a_commit_are_shown_to_staff(pos, site, staff_client):
    make_customer("412345")
    make_clip(make_customer("999"), make_coupon("THEIRS"))
    pos.commit(["NOPE", "THEIRS"], transaction="T1")
    assert ignored() == [("NOPE", "unknown", "T1"), ("THEIRS", "unknown", "T1")]
    assert PosTransaction.objects.get().committed_coupons == ["NOPE", "THEIRS"]
    page = staff_client.get("/admin/coupons/unknowncouponincommit/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "NOPE" in content and "THEIRS" in content and "unknown coupon or not clipped by this customer" in content


def test_a_repeated_commit_records_its_ignored_coupons_once(pos, card):
    pos.commit(["P5"], transaction="T1")
    pos.commit(["P5"], transaction="T1")
    assert ignored() == [("P5", "not_applied", "T1")]
