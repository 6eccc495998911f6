"""Helpers for the POS coupon API tests: a client that speaks as a POS (HTTP Basic, JSON
bodies) and small builders for coupons, customers and clips."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

from django.utils import timezone

from coupons.models import Clip, Coupon, Customer, CustomerEmail, CustomerPhone, LoyaltyAccount, LoyaltyEntry
from ecrs_hub.gtin import upc_key

UPC = 894773001193  # the ECRS sample's UPC
OTHER_UPC = 894773001049
PASSWORD = "pos-pass-1234"


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class Pos:
    """Speaks to /pos/ as a Transaction Server does."""

    def __init__(self, client, username: str = "pos", password: str = PASSWORD):
        self.client = client
        self.auth = basic(username, password)

    def get(self, path: str, query: dict | None = None, **headers):
        headers.setdefault("HTTP_AUTHORIZATION", self.auth)
        return self.client.get(path, query or {}, **headers)

    def post(self, path: str, body=None, query: dict | None = None, **headers):
        headers.setdefault("HTTP_AUTHORIZATION", self.auth)
        if query:
            path = path + ("&" if "?" in path else "?") + "&".join(f"{k}={v}" for k, v in query.items())
        data = body if isinstance(body, (bytes, str)) else json.dumps(body if body is not None else {})
        return self.client.post(path, data, content_type="application/json", **headers)

    # the endpoints, as the POS calls them
    def update(self, items, *, customer="412345", transaction="T1", site="STO1", transient=False, **extra):
        body = {"site": site, "transaction": transaction, "transientRequest": transient, "items": items, **extra}
        if customer is not None:
            body["customer"] = customer
        return self.post("/pos/transaction/update", body)

    def commit(self, coupons=(), *, customer="412345", transaction="T1", site="STO1", tenders=None):
        body = {"site": site, "customer": customer, "transaction": transaction, "coupons": list(coupons)}
        body["tenders"] = tenders if tenders is not None else [{"type": "CASH", "amount": 5.21}]
        return self.post("/pos/transaction/commit", body)

    def cancel(self, *, customer="412345", transaction="T1", site="STO1"):
        return self.get("/pos/transaction/cancel", {"site": site, "customer": customer, "transaction": transaction})

    def clip(self, add=(), remove=(), *, customer="412345", site="STO1"):
        return self.post(
            "/pos/coupons/clip", {"add": list(add), "remove": list(remove)}, {"site": site, "customer": customer}
        )

    def lists(self, *, customer="412345", site="STO1"):
        return self.get("/pos/coupons/customer", {"site": site, "customer": customer})


def line(line_id=1, upc=UPC, price="1.99", quantity=1, dept=3, discount_price=None) -> dict:
    item = {"id": line_id, "quantity": quantity, "upc": upc, "price": float(Decimal(price)), "dept": dept}
    if discount_price is not None:
        item["discountPrice"] = float(Decimal(discount_price))
    return item


def make_coupon(coupon_id: str, **fields) -> Coupon:
    fields.setdefault("reward_kind", "amount")
    fields.setdefault("reward_value", Decimal("0.50"))
    fields.setdefault("requirement_upcs", [upc_key(UPC)])
    fields.setdefault("short_description", f"Coupon {coupon_id}")
    sites = fields.pop("sites", None)
    coupon = Coupon.objects.create(coupon_id=coupon_id, **fields)
    if sites:
        coupon.sites.set(sites)
    return coupon


def make_customer(customer_id="412345", *, phones=(), emails=(), points=None, seen=None, **fields) -> Customer:
    customer = Customer.objects.create(customer_id=customer_id, last_seen_at=seen, **fields)
    for phone in phones:
        CustomerPhone.objects.create(customer=customer, number=phone, last10="".join(filter(str.isdigit, phone))[-10:])
    for email in emails:
        CustomerEmail.objects.create(customer=customer, email=email.lower())
    if points is not None:
        account = LoyaltyAccount.objects.create(customer=customer, loyalty_id=customer_id)
        LoyaltyEntry.objects.create(account=account, points=points, reason="import")
    return customer


def make_clip(customer: Customer, coupon: Coupon, state="clipped", **fields) -> Clip:
    return Clip.objects.create(customer=customer, coupon=coupon, state=state, **fields)


def clip_of(customer_id: str, coupon_id: str) -> Clip:
    return Clip.objects.select_related("pending_transaction").get(
        customer__customer_id=customer_id, coupon__coupon_id=coupon_id
    )


def today():
    return timezone.localdate()


def applied_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [entry["couponId"] for entry in response.json()["applied"]]
