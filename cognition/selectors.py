"""Reads of the cognition app: which hub coupons and customers Cognition's ids name (for
targeting recommendations), and the two sides of a redemption reconciliation. No writes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from coupons.models import Coupon, Customer, PosTransaction, Redemption

from . import wire
from .models import Transaction, TransactionLine


def hub_coupons_for(ids: Iterable[int]) -> dict[int, Coupon]:
    """The hub coupons Cognition ids name: ``external_id`` equal to the id (in decimal), else
    ``coupon_id`` equal to it."""
    wanted = {str(value): value for value in ids}
    found: dict[int, Coupon] = {}
    # external_id wins over coupon_id when both name a coupon.
    for coupon in Coupon.objects.filter(external_id__in=wanted).order_by("pk"):
        found.setdefault(wanted[coupon.external_id], coupon)
    for coupon in Coupon.objects.filter(coupon_id__in=wanted).order_by("pk"):
        found.setdefault(wanted[coupon.coupon_id], coupon)
    return found


def hub_customers_for(ids: Iterable[int]) -> dict[int, Customer]:
    """The hub customers Cognition ids name: ``customer_id`` equal to the account number pulled
    transaction history shows for that Cognition customer, else equal to the id itself."""
    ids = set(ids)
    accounts = dict(
        Transaction.objects.filter(customer_id__in=ids, customer_account__isnull=False)
        .values("customer_id")
        .annotate(account=Max("customer_account"))
        .values_list("customer_id", "account")
    )
    names = {str(value): value for value in ids}
    names.update({account: cognition_id for cognition_id, account in accounts.items()})
    found: dict[int, Customer] = {}
    for customer in Customer.objects.filter(customer_id__in=names):
        cognition_id = names[customer.customer_id]
        # The account number from transaction history is the better match.
        if cognition_id not in found or customer.customer_id == accounts.get(cognition_id):
            found[cognition_id] = customer
    return found


def day_bounds(start: date, end: date, *, margin: int = 0) -> tuple[datetime, datetime]:
    """[midnight starting ``start``, midnight ending ``end``) in the hub's time zone, widened
    by ``margin`` days either side."""
    zone = timezone.get_current_timezone()
    first = datetime.combine(start - timedelta(days=margin), time(0), tzinfo=zone)
    last = datetime.combine(end + timedelta(days=margin + 1), time(0), tzinfo=zone)
    return first, last


def hub_redemption_entries(start: date, end: date) -> list[dict]:
    """The hub side of a reconciliation: one entry per (committed POS transaction, coupon)
    with its discounts summed, sold (the terminal's time, else the commit time) on a day of
    ``start``-``end`` (hub time zone)."""
    first, last = day_bounds(start, end)
    sold_at = Coalesce("transaction__time", "transaction__committed_at")
    rows = (
        Redemption.objects.filter(transaction__status=PosTransaction.Status.COMMITTED)
        .annotate(sold_at=sold_at)
        .filter(sold_at__gte=first, sold_at__lt=last)
        .values(
            "transaction_id",
            "transaction__transaction_id",
            "transaction__terminal",
            "transaction__site__site_id",
            "transaction__site__store__number",
            "sold_at",
            "coupon__coupon_id",
            "coupon__external_id",
        )
        .annotate(discount=Sum("discount"))
        .order_by("transaction__site__site_id", "sold_at", "transaction__transaction_id", "coupon__coupon_id")
    )
    return list(rows)


def cognition_coupon_lines(start: date, end: date) -> list[TransactionLine]:
    """The Cognition side: vendor coupon lines a third-party provider entered, not voided, of
    pulled transactions that ended from a day before ``start`` to a day after ``end``."""
    first, last = day_bounds(start, end, margin=1)
    return list(
        TransactionLine.objects.filter(
            line_type=wire.LINE_VENDOR_COUPON,
            coupon_entry_method=wire.COUPON_ENTRY_THIRD_PARTY,
            transaction__end_time__gte=first,
            transaction__end_time__lt=last,
        )
        .filter(Q(coupon_void__isnull=True) | ~Q(coupon_void=1))
        .select_related("transaction")
        .order_by("transaction__end_time", "transaction_id", "tli_pk")
    )
