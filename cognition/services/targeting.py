"""Coupon recommendations → hub coupons targeted to the recommended customers.

Cognition identifies coupons and customers by 64-bit ids; the hub knows coupons by their
POS id (``coupon_id``) and the id CATAPULT/the provider gave them (``external_id``), and
customers by the card id the POS sends (``customer_id``). The mapping:

- coupon: ``Coupon.external_id`` equal to the Cognition id (in decimal), else
  ``Coupon.coupon_id`` equal to it;
- customer: ``Customer.customer_id`` equal to the account number (``CUS_AccountNumber``)
  that pulled transaction history shows for that Cognition customer (``TRN_CUS_FK``), else
  equal to the Cognition id itself.

Recommendations that name no hub coupon or customer are left untargeted and reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from coupons.models import Customer
from coupons.services import coupon_target

from ..models import Recommendation
from ..selectors import hub_coupons_for, hub_customers_for

COUPON_KINDS = (Recommendation.Kind.COUPON, Recommendation.Kind.ALL_CUSTOMER_COUPON)


@dataclass
class TargetResult:
    coupons: int = 0
    newly_targeted: int = 0
    recommendations: int = 0
    unknown_coupons: set[int] = field(default_factory=set)
    unknown_customers: set[int] = field(default_factory=set)


def recommendations_target(*, recommendations: Iterable[Recommendation] | None = None) -> TargetResult:
    """Target the hub coupons that coupon recommendations name to the recommended
    customers (``coupons.services.coupon_target``), and stamp the recommendations
    ``targeted_at``. Default: every stored coupon recommendation."""
    if recommendations is None:
        recommendations = Recommendation.objects.filter(kind__in=COUPON_KINDS).order_by("pk")
    recommendations = [rec for rec in recommendations if rec.kind in COUPON_KINDS]
    result = TargetResult(recommendations=len(recommendations))
    coupons = hub_coupons_for({rec.recommended for rec in recommendations})
    customers = hub_customers_for({rec.subject for rec in recommendations})
    by_coupon: dict[int, dict[int, Customer]] = defaultdict(dict)
    targeted: list[int] = []
    for rec in recommendations:
        coupon, customer = coupons.get(rec.recommended), customers.get(rec.subject)
        if coupon is None:
            result.unknown_coupons.add(rec.recommended)
        if customer is None:
            result.unknown_customers.add(rec.subject)
        if coupon is not None and customer is not None:
            by_coupon[coupon.pk][customer.pk] = customer
            targeted.append(rec.pk)
    with transaction.atomic():
        coupon_rows = {coupon.pk: coupon for coupon in coupons.values()}
        for coupon_pk in sorted(by_coupon):
            result.newly_targeted += coupon_target(
                coupon=coupon_rows[coupon_pk], customers=by_coupon[coupon_pk].values()
            )
        Recommendation.objects.filter(pk__in=targeted).update(targeted_at=timezone.now())
    result.coupons = len(by_coupon)
    return result
