"""Coupons and customers as records of the import file schema (CONTRACT 6), the way the staff
API shows them (CONTRACT 7): ``id``, ``shortDescription``, ``rewardKind``, ``sites``, ... plus
read-only bookkeeping (``pk``, ``createdAt``, ``updatedAt``). A record shown here imports back
unchanged (``coupons_import``, ``customers_import``), which is how a PATCH merges."""

from __future__ import annotations

from typing import Any

from .models import Coupon, Customer
from .pos_wire import coupon_fields

# What a client may echo back but never sets.
COUPON_READ_ONLY = ("pk", "createdAt", "updatedAt", "targetedCustomerCount")
CUSTOMER_READ_ONLY = ("pk", "lastSeenAt", "createdAt", "updatedAt")


def decimal_text(value) -> str | None:
    return None if value is None else str(value)


def stored_image(coupon: Coupon) -> str | None:
    """The image as the import names it: the external URL, or ``images/<name>`` of the
    stored file."""
    if coupon.external_image_url:
        return coupon.external_image_url
    if coupon.image:
        return "images/" + coupon.image.name.rsplit("/", 1)[-1]
    return None


def coupon_record(coupon: Coupon, *, full: bool) -> dict[str, Any]:
    """The coupon in the import schema: the fields the POS shows too (``coupon_fields``, with
    UPCs as GTIN-14 keys), then the rest of its definition. ``full`` lists the targeted
    customers (needs ``targeted_customers`` prefetched); a list shows their count (the
    ``targeted_count`` annotation: a coupon may target thousands). Needs ``sites``
    prefetched."""
    record = {
        "pk": coupon.pk,
        **coupon_fields(coupon, image=stored_image(coupon), upcs=list),
        "requirementDepts": list(coupon.requirement_depts),
        "minQuantity": decimal_text(coupon.min_quantity),
        "minSpend": decimal_text(coupon.min_spend),
        "rewardKind": coupon.reward_kind,
        "rewardValue": decimal_text(coupon.reward_value),
        "limitUnits": coupon.limit_units,
        "usesPerCustomer": coupon.uses_per_customer,
        "sites": sorted(site.site_id for site in coupon.sites.all()),
        "loyaltyCost": coupon.loyalty_cost,
        "loyaltyProgram": coupon.loyalty_program,
        "reducesTax": coupon.reduces_tax,
        "type": coupon.type,
        "externalId": coupon.external_id,
        "receiptAlias": coupon.receipt_alias,
        "createdAt": coupon.created_at,
        "updatedAt": coupon.updated_at,
    }
    if full:
        record["targetedCustomers"] = sorted(customer.customer_id for customer in coupon.targeted_customers.all())
    else:
        record["targetedCustomerCount"] = coupon.targeted_count
    return record


def customer_record(customer: Customer) -> dict[str, Any]:
    """The customer in the import schema. Needs ``phones``, ``emails`` and
    ``loyalty_accounts`` (with their ``balance``) prefetched."""
    return {
        "pk": customer.pk,
        "id": customer.customer_id,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "phones": [phone.number for phone in customer.phones.all()],
        "emails": [email.email for email in customer.emails.all()],
        "loyalty": [
            {"id": account.loyalty_id, "balance": account.balance} for account in customer.loyalty_accounts.all()
        ],
        "lastSeenAt": customer.last_seen_at,
        "createdAt": customer.created_at,
        "updatedAt": customer.updated_at,
    }
