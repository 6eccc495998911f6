"""The only place that builds ``select_for_update`` querysets for coupons (Saleor style).

Lock order, everywhere: the ``PosTransaction`` row first, then clip rows in primary-key
order, then loyalty accounts in primary-key order. Services that change a customer's clips
without a transaction (clip, unclip, abandonment release) start at the clip rows.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Clip, Customer, LoyaltyAccount, PosTransaction, Site


def pos_transaction_for_update(*, site: Site, transaction_id: str) -> QuerySet[PosTransaction]:
    return PosTransaction.objects.select_for_update().filter(site=site, transaction_id=transaction_id)


def clips_for_update(
    *, customer: Customer | None, pending_on: PosTransaction | None = None, usable_only: bool = False
) -> QuerySet[Clip]:
    """The customer's clips (only the clipped and pending ones with ``usable_only``: a
    long-time customer's redeemed history is neither read nor locked) and those pending on
    ``pending_on`` (whoever's), in pk order, with their coupons (only clip rows are locked)."""
    condition = Q(pk__in=[])
    if customer is not None:
        mine = Q(customer=customer)
        if usable_only:
            mine &= Q(state__in=[Clip.State.CLIPPED, Clip.State.PENDING])
        condition |= mine
    if pending_on is not None:
        condition |= Q(pending_transaction=pending_on)
    return (
        Clip.objects.select_for_update(of=("self",))
        .filter(condition)
        .select_related("coupon", "customer")
        .order_by("pk")
    )


def clips_by_pk_for_update(pks) -> QuerySet[Clip]:
    return Clip.objects.select_for_update(of=("self",)).filter(pk__in=pks).select_related("coupon").order_by("pk")


def loyalty_accounts_for_update(*, customer: Customer) -> QuerySet[LoyaltyAccount]:
    return LoyaltyAccount.objects.select_for_update().filter(customer=customer).order_by("pk")
