"""The only place that builds ``select_for_update`` querysets for coupons (Saleor style).

Every function returns its rows in primary-key order and locks only the rows of its own
model (``of=("self",)``: joined coupons, customers or transactions are read, not locked).
The POS path locks ``FOR NO KEY UPDATE`` (``no_key``): it never changes a key, and a plain
``FOR UPDATE`` would also block the foreign-key checks other transactions make when they
insert rows naming the locked row (a commit's redemptions and events name the customer:
with the clip request holding the customer ``FOR UPDATE`` and waiting for a clip, that was
a deadlock).
Lock order, everywhere: the ``PosTransaction`` row first, then clip rows in primary-key
order, then loyalty accounts in primary-key order. Services that change a customer's clips
without a transaction (clip, unclip, abandonment release) start at the customer row or the
clip rows. A loyalty hold is written only under the row lock of its clip, a ledger entry
only under the lock of its account. On SQLite ``select_for_update`` does nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .models import Clip, Coupon, Customer, LoyaltyAccount, PosCredential, PosTransaction, Site


def pos_transaction_for_update(*, site: Site, transaction_id: str) -> QuerySet[PosTransaction]:
    return (
        PosTransaction.objects.order_by("pk")
        .select_for_update(of=("self",), no_key=True)
        .filter(site=site, transaction_id=transaction_id)
    )


def customer_for_update(*, customer: Customer) -> QuerySet[Customer]:
    """The customer row: held while their clips change outside a sale (clip, unclip), so
    two such requests for one customer take turns."""
    return Customer.objects.order_by("pk").select_for_update(of=("self",), no_key=True).filter(pk=customer.pk)


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
        Clip.objects.order_by("pk")
        .select_for_update(of=("self",), no_key=True)
        .filter(condition)
        .select_related("coupon", "customer")
    )


def clips_by_pk_for_update(pks) -> QuerySet[Clip]:
    return (
        Clip.objects.order_by("pk")
        .select_for_update(of=("self",), no_key=True)
        .filter(pk__in=pks)
        .select_related("coupon")
    )


def loyalty_accounts_for_update(
    *, customer: Customer | None = None, customer_pks: Iterable[int] = (), pks: Iterable[int] = ()
) -> QuerySet[LoyaltyAccount]:
    """Loyalty accounts (their ``balance`` read under the lock) of ``customer``, of the
    customers ``customer_pks`` or with these ``pks``: taken last, after the transaction and
    clip rows, by anything that reads a balance to decide or writes the ledger."""
    condition = Q(customer_id__in=list(customer_pks)) | Q(pk__in=list(pks))
    if customer is not None:
        condition |= Q(customer=customer)
    return LoyaltyAccount.objects.order_by("pk").select_for_update(of=("self",), no_key=True).filter(condition)


def coupons_for_update(*, coupon_ids: Iterable[str]) -> QuerySet[Coupon]:
    """The coupons with these ids (an import's existing coupons)."""
    return Coupon.objects.order_by("pk").select_for_update(of=("self",)).filter(coupon_id__in=list(coupon_ids))


def site_for_update(*, site_id: str) -> QuerySet[Site]:
    return Site.objects.order_by("pk").select_for_update(of=("self",)).filter(site_id=site_id)


def pos_credential_for_update(*, username: str) -> QuerySet[PosCredential]:
    return PosCredential.objects.order_by("pk").select_for_update(of=("self",)).filter(username=username)
