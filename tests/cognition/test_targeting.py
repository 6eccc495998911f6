"""Coupon recommendations target hub coupons to the recommended customers (command and
admin action)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from cognition.models import Recommendation, Transaction
from cognition.testing.fake_server import big
from coupons.models import Coupon, Customer

pytestmark = pytest.mark.django_db

ALICE, BOB, CAROL = big(501), big(502), big(503)


@pytest.fixture
def hub(fake_data):
    fake_data.customers = (ALICE, BOB, CAROL)
    fake_data.coupon_recommendations = {ALICE: [big(901), big(902), big(999)], BOB: [big(901)], CAROL: [big(902)]}
    # By external id, and by the coupon id itself.
    by_external = Coupon.objects.create(
        coupon_id="DIGI1", external_id=str(big(901)), reward_kind="amount", reward_value=Decimal("0.50")
    )
    by_id = Coupon.objects.create(coupon_id=str(big(902)), reward_kind="amount", reward_value=Decimal("0.50"))
    # Alice is known by her card number, which transaction history links to her Cognition id.
    alice = Customer.objects.create(customer_id="412345")
    Transaction.objects.create(trn_pk=big(1), customer_id=ALICE, customer_account="412345")
    bob = Customer.objects.create(customer_id=str(BOB))
    return {"digi1": by_external, "digi2": by_id, "alice": alice, "bob": bob}


def targeted(coupon):
    coupon.refresh_from_db()
    return coupon.targeted, set(coupon.targeted_customers.values_list("customer_id", flat=True))


def test_fetch_with_target_marks_coupons_targeted(fake_cognition, hub, capsys):
    call_command("cognition_fetch_recommendations", "allcustomercoupon", "--target")
    assert targeted(hub["digi1"]) == (True, {"412345", str(BOB)})
    assert targeted(hub["digi2"]) == (True, {"412345"})
    out = capsys.readouterr().out
    assert "Targeted 3 new customer(s) across 2 coupon(s)." in out
    assert f"No hub coupon for Cognition coupon(s) {big(999)}" in out
    assert f"No hub customer for Cognition customer(s) {CAROL}" in out
    assert Recommendation.objects.filter(targeted_at__isnull=False).count() == 3
    # Again: nothing new.
    call_command("cognition_target_coupons")
    assert "Targeted 0 new customer(s)" in capsys.readouterr().out


def test_admin_action_targets_the_selected_recommendations(fake_cognition, hub, staff_client):
    call_command("cognition_fetch_recommendations", "coupon", "--customer", str(BOB))
    picked = Recommendation.objects.get(kind="coupon", subject=BOB)
    response = staff_client.post(
        "/admin/cognition/recommendation/",
        {"action": "target_coupons", "_selected_action": [picked.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Targeted 1 new customer(s) across 1 coupon(s)" in response.content.decode()
    assert targeted(hub["digi1"]) == (True, {str(BOB)})
    assert targeted(hub["digi2"]) == (False, set())
