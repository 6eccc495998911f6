"""seed_demo's coupons section: sites, a demo POS credential, coupons on the demo
catalogue's own UPCs and departments, customers with loyalty, some clips — the same after a
second run, and usable by a POS right away."""

from __future__ import annotations

import base64
import json
from io import StringIO

import pytest
from django.core.management.base import OutputWrapper
from django.db.models import Sum

from coupons.models import (
    Clip,
    Coupon,
    CouponEvent,
    Customer,
    LoyaltyAccount,
    LoyaltyEntry,
    PosCredential,
    PosTransaction,
    Redemption,
    Site,
)
from demo import coupons as demo
from demo.seed import DemoSeed
from ecrs_hub.gtin import upc_key

pytestmark = pytest.mark.django_db


def seed_once() -> tuple[DemoSeed, str]:
    out = StringIO()
    seed = DemoSeed(OutputWrapper(out), OutputWrapper(StringIO()))
    demo.seed_coupons(seed)
    return seed, out.getvalue()


def counts() -> dict:
    return {
        "sites": Site.objects.count(),
        "credentials": PosCredential.objects.count(),
        "coupons": Coupon.objects.count(),
        "with images": Coupon.objects.exclude(image="").count(),
        "customers": Customer.objects.count(),
        "accounts": LoyaltyAccount.objects.count(),
        "ledger": LoyaltyEntry.objects.count(),
        "clips": Clip.objects.count(),
        "events": CouponEvent.objects.count(),
        "pending": Clip.objects.filter(state="pending").count(),
        "redemptions": Redemption.objects.count(),
        "transactions": PosTransaction.objects.count(),
    }


def test_seeding_twice_leaves_the_same_coupons_customers_and_clips():
    seed, first = seed_once()
    before = counts()
    _seed, second = seed_once()
    assert counts() == before
    assert before["sites"] == 2 and before["credentials"] == 1 and 25 <= before["coupons"] <= 35
    assert before["with images"] >= 3 and before["customers"] == 50 and before["clips"] > 50
    assert "Coupons: 30 created" in first and "Coupons: 0 created, 0 updated, 30 unchanged" in second
    assert "Customers: 0 created, 0 updated, 50 unchanged" in second and "Clips: 0 coupons clipped" in second
    assert any(line.startswith("WARNING: POS credential demo-pos / demo-pos-pass") for line in seed.summary)
    # Demo sales: the admin's transactions, redemptions and pending redemptions show something.
    assert before["transactions"] == 6 and before["pending"] >= 2 and before["redemptions"] >= 4
    assert "Demo sales at STO1: 6 rung up, 4 committed" in first


def test_the_demo_covers_every_reward_kind_loyalty_targeting_and_the_catalogue():
    seed_once()
    assert set(Coupon.objects.values_list("reward_kind", flat=True)) == {"percent", "amount", "fixed_price", "free"}
    assert Coupon.objects.filter(loyalty_cost__gt=0).count() == 3
    assert Coupon.objects.filter(targeted=True, targeted_customers__isnull=False).distinct().count() == 2
    assert Coupon.objects.exclude(reward_upcs=[]).exists()  # buy X get Y
    catalogue_upcs = {upc_key(item["itemId"]) for item in demo.demo_items()}
    coupon_upcs = {upc for upcs in Coupon.objects.values_list("requirement_upcs", flat=True) for upc in upcs}
    assert coupon_upcs and coupon_upcs <= catalogue_upcs
    site = Site.objects.get(site_id="STO1")
    assert site.store.number == "27"
    john = Customer.objects.get(customer_id=demo.SAMPLE_CUSTOMER)
    assert john.phones.get().last10 == "8282652907"
    assert LoyaltyEntry.objects.filter(account__customer=john).aggregate(total=Sum("points"))["total"] == 400


def test_a_pos_update_on_the_seeded_data_applies_a_clipped_coupon(client):
    seed_once()
    john = Customer.objects.get(customer_id=demo.SAMPLE_CUSTOMER)
    clip = (
        Clip.objects.filter(customer=john, state="clipped", coupon__loyalty_cost=0, coupon__min_spend__isnull=True)
        .exclude(coupon__requirement_upcs=[])
        .exclude(coupon__reward_kind="free")
        .select_related("coupon")
        .order_by("coupon__coupon_id")
        .first()
    )
    assert clip is not None
    upc = int(clip.coupon.requirement_upcs[0])
    dept = next(int(item["deptNumber"]) for item in demo.demo_items() if upc_key(item["itemId"]) == upc_key(upc))
    body = {
        "site": "STO1",
        "customer": john.customer_id,
        "transaction": "DEMO-1",
        "terminal": 3,
        "cashier": 7,
        "transientRequest": False,
        "items": [{"id": 1, "quantity": 1, "upc": upc, "price": 5.00, "dept": dept}],
        "subTotal": 5.00,
    }
    auth = "Basic " + base64.b64encode(f"{demo.POS_USERNAME}:{demo.POS_PASSWORD}".encode()).decode()
    response = client.post(
        "/pos/transaction/update?site=STO1&customer=412345&transaction=DEMO-1",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )
    assert response.status_code == 200, response.content
    applied = {entry["couponId"]: entry for entry in response.json()["applied"]}
    assert clip.coupon.coupon_id in applied
    assert applied[clip.coupon.coupon_id]["totalDiscount"] > 0
    clip.refresh_from_db()
    assert clip.state == "pending"
