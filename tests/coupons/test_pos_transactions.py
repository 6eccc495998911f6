"""Transaction update, cancel and commit through HTTP (CONTRACT 3.4-3.6): every state
transition, transient updates, abandonment, loyalty charges, idempotency, query count."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coupons.models import (
    Clip,
    CouponEvent,
    Customer,
    LoyaltyEntry,
    PosTransaction,
    PosTransactionUpdate,
    Redemption,
    UnknownCouponInCommit,
)
from coupons.services import pendings_release
from coupons.services.sites import site_upsert
from tests.conftest import fixture_json

from .pos_support import OTHER_UPC, applied_ids, clip_of, line, make_clip, make_coupon, make_customer, today

pytestmark = pytest.mark.django_db


def balance(loyalty_id: str) -> int:
    return sum(LoyaltyEntry.objects.filter(account__loyalty_id=loyalty_id).values_list("points", flat=True))


@pytest.fixture
def card(site):
    """Customer 412345 with coupon A1 (0.50 off the sample UPC) clipped."""
    customer = make_customer("412345", first_name="John", last_name="Smith", emails=["support@ecrs.com"])
    make_clip(customer, make_coupon("A1", external_id="51112456789", receipt_alias="50c off soft drink"))
    return customer


# --- the sample --------------------------------------------------------------------


def test_the_ecrs_update_sample_round_trips(pos, site):
    customer = make_customer("412345", first_name="John", last_name="Smith", emails=["support@ecrs.com"], points=400)
    make_clip(
        customer,
        make_coupon(
            "A123456",
            external_id="51112456789",
            receipt_alias="Buy One Get One Free Dog Food",
            type="Mfr Discount",
            reward_value=Decimal("1.50"),
            loyalty_cost=100,
            short_description="ABCDEFG",
        ),
    )
    request = fixture_json("pos-transaction-update-request.json")
    response = pos.post("/pos/transaction/update", request)
    assert response.status_code == 200
    answer = response.json()
    sample = fixture_json("pos-transaction-update-response.json")
    assert set(answer) == set(sample)
    (applied,) = answer["applied"]
    assert set(applied) == set(sample["applied"][0])
    assert applied["items"] == [{"lineId": 1, "discount": 1.49}]  # capped at the line's 1.49
    assert applied["totalDiscount"] == 1.49
    assert applied["optional"] == {
        "prompt": "Would you like to use your ABCDEFG coupon for 100 points?",
        "loyaltyId": "412345",
        "loyaltyCost": 100,
    }
    assert answer["loyaltyBalances"] == [{"id": "412345", "balance": 400}]
    assert answer["customer"] == {
        "id": "412345",
        "firstName": "John",
        "lastName": "Smith",
        "email": "support@ecrs.com",
        "phone": "8282652907",
    }
    assert answer["receiptLines"][0]["type"] == "TEXT"
    txn = PosTransaction.objects.get(transaction_id="1234-5678-1234")
    assert (txn.cashier, txn.terminal) == (99, 6)
    assert txn.time == timezone.make_aware(datetime(2018, 8, 13, 10, 15, 30))  # store local time

    commit = pos.post("/pos/transaction/commit", fixture_json("pos-transaction-commit-request.json"))
    assert commit.status_code == 200
    assert set(commit.json()) == set(fixture_json("pos-transaction-commit-response.json"))
    assert clip_of("412345", "A123456").state == "redeemed"
    assert balance("412345") == 300
    txn.refresh_from_db()
    assert txn.tenders == [{"type": "CASH", "amount": 5.21}]


# --- 3.4 state transitions ----------------------------------------------------------


def test_update_makes_an_applied_coupon_pending_on_the_transaction(pos, card):
    response = pos.update([line(7, price="1.99")], terminal=3)
    assert applied_ids(response) == ["A1"]
    assert response.json()["applied"][0]["items"] == [{"lineId": 7, "discount": 0.5}]
    clip = clip_of("412345", "A1")
    assert clip.state == "pending" and clip.pending_transaction.transaction_id == "T1"
    event = CouponEvent.objects.get(kind="pend")
    assert (event.from_state, event.to_state, event.terminal, event.amount) == (
        "clipped",
        "pending",
        3,
        Decimal("0.50"),
    )
    assert pos.lists().json()["pending"] == ["A1"]


def test_a_later_update_that_no_longer_applies_returns_it_to_clipped(pos, card):
    pos.update([line()])
    assert applied_ids(pos.update([line(upc=OTHER_UPC)])) == []
    assert clip_of("412345", "A1").state == "clipped"
    assert CouponEvent.objects.filter(kind="release").count() == 1


def test_repeating_an_update_keeps_the_pending(pos, card):
    pos.update([line()])
    since = clip_of("412345", "A1").pending_since
    assert applied_ids(pos.update([line(), line(2, upc=OTHER_UPC)])) == ["A1"]
    assert clip_of("412345", "A1").pending_since == since
    assert CouponEvent.objects.filter(kind="pend").count() == 1


def test_cancel_returns_pendings_to_clipped_and_is_idempotent(pos, card):
    pos.update([line()])
    for _ in range(2):
        response = pos.cancel()
        assert (response.status_code, response.json()) == (200, {})
        assert clip_of("412345", "A1").state == "clipped"
    assert PosTransaction.objects.get().status == "cancelled"
    assert CouponEvent.objects.filter(kind="cancel").count() == 1


def test_cancel_as_post_and_for_an_unknown_transaction_answers_200(pos, card):
    response = pos.post("/pos/transaction/cancel", {}, {"site": "STO1", "transaction": "NEVER", "customer": "412345"})
    assert (response.status_code, response.json()) == (200, {})
    assert not PosTransaction.objects.exists()


def test_a_cancelled_transaction_resumed_is_updated_like_any(pos, card):
    pos.update([line()])
    pos.cancel()
    assert applied_ids(pos.update([line()])) == ["A1"]
    assert clip_of("412345", "A1").state == "pending"
    assert PosTransaction.objects.get().status == "open"


def test_commit_listing_redeems_with_per_line_redemptions(pos, card):
    make_clip(
        card, make_coupon("B2", requirement_upcs=[], requirement_depts=[3], reward_kind="percent", reward_value=10)
    )
    site_upsert(site_id="STO1", self_stacking=True)
    assert applied_ids(pos.update([line(1, price="1.99"), line(2, upc=OTHER_UPC, price="3.00")])) == ["A1", "B2"]
    response = pos.commit(["A1", "B2"])
    assert response.status_code == 200
    assert response.json() == {
        "receiptLines": [{"type": "TEXT", "content": "You saved $1.00 with 2 digital coupon(s)"}]
    }
    assert clip_of("412345", "A1").state == clip_of("412345", "B2").state == "redeemed"
    rows = sorted(Redemption.objects.values_list("coupon__coupon_id", "line_id", "discount"))
    assert rows == [("A1", "1", Decimal("0.50")), ("B2", "1", Decimal("0.20")), ("B2", "2", Decimal("0.30"))]
    assert PosTransaction.objects.get().status == "committed"
    assert pos.lists().json()["redeemed"] == ["A1", "B2"]


def test_commit_with_an_empty_list_redeems_every_pending(pos, card):
    pos.update([line()])
    assert pos.commit([]).status_code == 200
    assert clip_of("412345", "A1").state == "redeemed"


def test_commit_not_listing_a_pending_returns_it_to_clipped(pos, card):
    make_clip(card, make_coupon("B2", requirement_upcs=[], requirement_depts=[3]))
    pos.update([line(1), line(2, upc=OTHER_UPC)])
    pos.commit(["B2"])
    assert clip_of("412345", "A1").state == "clipped"
    assert clip_of("412345", "B2").state == "redeemed"


def test_commit_listing_a_coupon_only_a_transient_update_answered_redeems_nothing(pos, card):
    # CONTRACT 3.6: the POS ignores `applied` of a transient update, so only a coupon an update
    # made pending on this transaction was given; the listed id is recorded for staff.
    pos.update([line()], transient=True)
    assert clip_of("412345", "A1").state == "clipped"
    assert pos.commit(["A1"]).json() == {"receiptLines": []}
    assert clip_of("412345", "A1").state == "clipped"
    assert not Redemption.objects.exists()
    ignored = UnknownCouponInCommit.objects.get()
    assert (ignored.coupon_code, ignored.reason, ignored.transaction.transaction_id) == ("A1", "not_applied", "T1")


def test_commit_ignores_unknown_and_foreign_coupons(pos, card):
    other = make_customer("999")
    make_clip(other, make_coupon("THEIRS"))
    response = pos.commit(["NOPE", "THEIRS"])
    assert response.status_code == 200
    assert clip_of("999", "THEIRS").state == "clipped"
    assert not Redemption.objects.exists()


def test_a_coupon_with_uses_left_is_clipped_again(pos, site):
    customer = make_customer("412345")
    make_clip(customer, make_coupon("TWICE", uses_per_customer=2))
    pos.update([line()], transaction="T1")
    pos.commit(["TWICE"], transaction="T1")
    clip = clip_of("412345", "TWICE")
    assert (clip.state, clip.uses_count) == ("clipped", 1)
    assert applied_ids(pos.update([line()], transaction="T2")) == ["TWICE"]
    pos.commit(["TWICE"], transaction="T2")
    clip = clip_of("412345", "TWICE")
    assert (clip.state, clip.uses_count) == ("redeemed", 2)
    assert applied_ids(pos.update([line()], transaction="T3")) == []
    assert Redemption.objects.count() == 2


def test_an_expired_clip_is_not_applied_and_listed_expired(pos, card):
    card.clips.update(clipped_at=timezone.now())
    from coupons.models import Coupon

    Coupon.objects.filter(coupon_id="A1").update(end_date=today() - timedelta(days=1))
    assert applied_ids(pos.update([line()])) == []
    assert pos.lists().json()["expired"] == ["A1"]


def test_a_coupon_not_offered_at_the_site_or_not_started_does_not_apply(pos, card):
    make_clip(card, make_coupon("LATER", start_date=today() + timedelta(days=1)))
    make_clip(card, make_coupon("ELSEWHERE", sites=[site_upsert(site_id="STO2").site]))
    make_clip(card, make_coupon("OFF", enabled=False))
    site_upsert(site_id="STO1", self_stacking=True)
    assert applied_ids(pos.update([line()])) == ["A1"]


# --- commit and cancel: idempotent, always 200 ----------------------------------------


def test_commit_is_idempotent(pos, card):
    pos.update([line()])
    first = pos.commit(["A1"])
    again = pos.commit(["A1"])
    different = pos.commit([])
    assert first.json() == again.json() == different.json()
    assert Redemption.objects.count() == 1
    assert CouponEvent.objects.filter(kind="redeem").count() == 1
    assert clip_of("412345", "A1").uses_count == 1


def test_commit_of_an_unknown_transaction_answers_200(pos, card):
    response = pos.commit([], transaction="NEVER-SEEN")
    assert (response.status_code, response.json()) == (200, {"receiptLines": []})
    assert PosTransaction.objects.get().status == "committed"


def test_commit_and_cancel_without_a_transaction_id_answer_200(pos, card):
    assert pos.post("/pos/transaction/commit", {"coupons": []}, {"site": "STO1"}).status_code == 200
    assert pos.get("/pos/transaction/cancel", {"site": "STO1"}).status_code == 200


def test_cancel_after_commit_changes_nothing(pos, card):
    pos.update([line()])
    pos.commit(["A1"])
    assert pos.cancel().status_code == 200
    assert clip_of("412345", "A1").state == "redeemed"
    assert PosTransaction.objects.get().status == "committed"


def test_update_after_commit_applies_nothing_and_is_logged(pos, card):
    make_clip(card, make_coupon("B2", requirement_upcs=[], requirement_depts=[3]))
    pos.update([line(upc=OTHER_UPC)])
    pos.commit([])
    response = pos.update([line()])
    assert response.status_code == 200
    assert response.json()["applied"] == []
    assert clip_of("412345", "A1").state == "clipped"
    assert "after the commit" in PosTransactionUpdate.objects.latest("pk").warnings[0]


def test_tenders_are_stored_exactly_as_sent(pos, card):
    tenders = [{"type": "CASH", "amount": -5.21}, {"type": "CARD", "amount": 10.0, "extra": "kept"}]
    pos.commit([], tenders=tenders)
    assert PosTransaction.objects.get().tenders == tenders


def test_a_late_commit_after_the_pending_was_reclaimed_does_not_double_redeem(pos, card, settings):
    settings.POS_PENDING_ABANDON_AFTER = 60
    pos.update([line()], transaction="T1")
    Clip.objects.update(pending_since=timezone.now() - timedelta(minutes=5))
    assert applied_ids(pos.update([line()], transaction="T2")) == ["A1"]
    assert pos.commit(["A1"], transaction="T1").status_code == 200  # late: it is now T2's
    assert clip_of("412345", "A1").pending_transaction.transaction_id == "T2"
    pos.commit(["A1"], transaction="T2")
    assert Redemption.objects.count() == 1
    assert clip_of("412345", "A1").state == "redeemed"


# --- one card, two terminals; abandonment --------------------------------------------


def test_a_coupon_pending_on_another_transaction_is_not_a_candidate(pos, card):
    assert applied_ids(pos.update([line()], transaction="T1")) == ["A1"]
    assert applied_ids(pos.update([line()], transaction="T2")) == []
    assert clip_of("412345", "A1").pending_transaction.transaction_id == "T1"


def test_an_abandoned_pending_is_reclaimed(pos, card, settings):
    settings.POS_PENDING_ABANDON_AFTER = 3600
    pos.update([line()], transaction="T1")
    Clip.objects.update(pending_since=timezone.now() - timedelta(hours=2))
    assert applied_ids(pos.update([line()], transaction="T2")) == ["A1"]
    assert clip_of("412345", "A1").pending_transaction.transaction_id == "T2"
    assert CouponEvent.objects.filter(kind="reclaim").count() == 1


def test_pendings_release_frees_only_old_pendings(pos, card, settings):
    settings.POS_PENDING_ABANDON_AFTER = 3600
    make_clip(card, make_coupon("B2", requirement_upcs=[], requirement_depts=[3]))
    site_upsert(site_id="STO1", self_stacking=True)
    pos.update([line()])
    Clip.objects.filter(coupon__coupon_id="A1").update(pending_since=timezone.now() - timedelta(hours=5))
    assert pendings_release() == 1
    assert clip_of("412345", "A1").state == "clipped"
    assert clip_of("412345", "B2").state == "pending"
    assert pendings_release(clips=[clip_of("412345", "B2")]) == 1
    assert clip_of("412345", "B2").state == "clipped"
    assert CouponEvent.objects.filter(kind="abandon").count() == 2


def test_a_release_by_staff_names_them_on_its_own_events_only(pos, card, django_user_model):
    make_clip(card, make_coupon("B2", requirement_upcs=[], requirement_depts=[3]))
    site_upsert(site_id="STO1", self_stacking=True)
    pos.update([line()])
    staff = django_user_model.objects.create_user("mia")
    # Released in the same instant, one by staff and one by the abandonment sweep: each
    # event says who released it (no rewriting of events by time afterwards).
    assert pendings_release(clips=[clip_of("412345", "A1")], actor=staff) == 1
    assert pendings_release(clips=[clip_of("412345", "B2")]) == 1
    notes = dict(CouponEvent.objects.filter(kind="abandon").values_list("coupon__coupon_id", "note"))
    assert notes["A1"].startswith("released in the admin by mia; pending since ")
    assert notes["B2"].startswith("pending since ")


# --- transient, customers -------------------------------------------------------------


def test_a_transient_update_answers_but_changes_nothing(pos, card):
    response = pos.update([line()], transient=True)
    assert applied_ids(response) == ["A1"]
    assert clip_of("412345", "A1").state == "clipped"
    assert not CouponEvent.objects.exists()
    assert PosTransactionUpdate.objects.get().transient is True


def test_a_transient_update_keeps_a_pending(pos, card):
    pos.update([line()])
    assert applied_ids(pos.update([line(upc=OTHER_UPC)], transient=True)) == []
    assert clip_of("412345", "A1").state == "pending"


def test_an_update_without_a_customer_applies_nothing_but_names_a_matched_card(pos, site):
    make_customer("555", first_name="Ann", phones=["8282652907"])
    response = pos.update([line()], customer=None, phones=["(828) 265-2907"])
    assert response.status_code == 200
    assert response.json()["applied"] == []
    assert response.json()["customer"]["id"] == "555"
    assert pos.update([line()], customer="", transaction="T2").json()["applied"] == []


def test_an_unknown_card_is_learned_with_its_contacts(pos, site):
    response = pos.update([line()], customer="NEW1", phones=["8282652907"], emails=["New@Example.com"])
    assert response.json()["customer"] == {"id": "NEW1", "email": "new@example.com", "phone": "8282652907"}
    customer = Customer.objects.get(customer_id="NEW1")
    assert customer.last_seen_at is not None
    assert list(customer.phones.values_list("last10", flat=True)) == ["8282652907"]


def test_a_change_of_customer_releases_the_previous_cards_pendings(pos, card):
    other = make_customer("777")
    make_clip(other, make_coupon("A2"))
    pos.update([line()], customer="412345")
    assert applied_ids(pos.update([line()], customer="777")) == ["A2"]
    assert clip_of("412345", "A1").state == "clipped"
    assert clip_of("777", "A2").state == "pending"


# --- loyalty --------------------------------------------------------------------------


def test_an_optional_coupon_is_offered_only_when_the_balance_covers_it(pos, site):
    customer = make_customer("412345", points=50)
    make_clip(customer, make_coupon("PTS", loyalty_cost=100))
    assert applied_ids(pos.update([line()])) == []
    LoyaltyEntry.objects.create(account=customer.loyalty_accounts.get(), points=60, reason="adjustment")
    response = pos.update([line()])
    assert applied_ids(response) == ["PTS"]
    assert response.json()["loyaltyBalances"] == [{"id": "412345", "balance": 110}]


def test_two_optional_coupons_are_offered_only_as_far_as_the_balance_goes(pos, site):
    site_upsert(site_id="STO1", self_stacking=True)
    customer = make_customer("412345", points=150)
    make_clip(customer, make_coupon("P1", loyalty_cost=100))
    make_clip(customer, make_coupon("P2", loyalty_cost=100))
    assert applied_ids(pos.update([line()])) == ["P1"]


def test_an_optional_coupon_is_charged_only_when_listed(pos, site):
    customer = make_customer("412345", points=400)
    make_clip(customer, make_coupon("PTS", loyalty_cost=100))
    pos.update([line()], transaction="T1")
    pos.commit([], transaction="T1")
    assert clip_of("412345", "PTS").state == "clipped"
    assert balance("412345") == 400
    pos.update([line()], transaction="T2")
    pos.commit(["PTS"], transaction="T2")
    pos.commit(["PTS"], transaction="T2")
    assert clip_of("412345", "PTS").state == "redeemed"
    assert balance("412345") == 300
    entry = LoyaltyEntry.objects.get(reason="redemption")
    assert (entry.points, entry.transaction.transaction_id, entry.coupon.coupon_id) == (-100, "T2", "PTS")


# --- stacking follows the site; receipt; speed ------------------------------------------


def test_stacking_follows_the_site_flag(pos, card):
    make_clip(card, make_coupon("BIG", reward_value=Decimal("1.00")))
    assert applied_ids(pos.update([line()], transaction="T1", transient=True)) == ["BIG"]
    site_upsert(site_id="STO1", self_stacking=True)
    assert applied_ids(pos.update([line()], transaction="T2", transient=True)) == ["A1", "BIG"]


def test_the_receipt_line_follows_the_site_template(pos, card):
    from coupons.models import Site

    Site.objects.filter(site_id="STO1").update(receipt_template="Digital coupons: -${total_saved}")
    assert pos.update([line()]).json()["receiptLines"] == [{"type": "TEXT", "content": "Digital coupons: -$0.50"}]
    Site.objects.filter(site_id="STO1").update(receipt_template="")
    assert pos.update([line()]).json()["receiptLines"] == []


def test_update_takes_a_bounded_number_of_queries(pos, card):
    for number in range(30):
        make_clip(card, make_coupon(f"M{number:02}", requirement_upcs=[], requirement_depts=[number + 100]))
    pos.update([line()])  # the transaction exists, the password check is remembered
    # 30 candidate coupons: a per-coupon query would show up as 30 more.
    items = [line(number, upc=None, dept=number + 99) for number in range(1, 31)]
    with CaptureQueriesContext(connection) as queries:
        response = pos.update(items)
    assert len(response.json()["applied"]) == 30
    assert len(queries) <= 13, "\n".join(q["sql"][:150] for q in queries.captured_queries)


# --- the database guards the invariants too -------------------------------------------


def test_the_database_refuses_a_pending_clip_without_its_transaction(card):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Clip.objects.filter(customer=card).update(state="pending", pending_since=timezone.now())
    txn = PosTransaction.objects.create(site=_site(), transaction_id="TX")
    with pytest.raises(IntegrityError), transaction.atomic():
        Clip.objects.filter(customer=card).update(state="clipped", pending_transaction=txn)


def test_the_database_holds_a_coupon_pending_once_per_transaction(pos, card):
    from django.db import IntegrityError, transaction

    pos.update([line()])
    other = make_customer("777")
    txn = PosTransaction.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_clip(other, card.clips.get().coupon, "pending", pending_transaction=txn, pending_since=timezone.now())


def _site():
    from coupons.models import Site

    return Site.objects.get(site_id="STO1")
