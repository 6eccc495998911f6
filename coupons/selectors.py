"""Reads for the POS coupon API: the catalogue, a customer's coupon lists, demographics
look-ups, candidate coupons and loyalty balances. No writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Length
from django.utils import timezone

from .models import Clip, Coupon, Customer, CustomerEmail, CustomerPhone, LoyaltyAccount, LoyaltyHold, Site

HISTORY_DAYS = 30

_COUPON_SITES = Coupon.sites.through


def offered_at_site_q(site: Site, coupon_ref: str = "pk") -> Q:
    """Coupons with no sites (every site) or with ``site`` among theirs."""
    has_sites = Exists(_COUPON_SITES.objects.filter(coupon_id=OuterRef(coupon_ref)))
    at_site = Exists(_COUPON_SITES.objects.filter(coupon_id=OuterRef(coupon_ref), site_id=site.pk))
    return ~has_sites | at_site


def not_ended_q(today: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today})


def coupons_for_site(*, site: Site, today: date | None = None) -> QuerySet[Coupon]:
    """CONTRACT 3.2: every enabled coupon offered at the site whose end date has not passed,
    by coupon id."""
    today = today or timezone.localdate()
    return Coupon.objects.filter(offered_at_site_q(site), not_ended_q(today), enabled=True).order_by("coupon_id")


def clippable_coupons(*, site: Site | None, customer: Customer, today: date | None = None) -> QuerySet[Coupon]:
    """Coupons this customer may clip: enabled, not ended, offered at the site (any site
    when None), and untargeted or targeted at the customer."""
    today = today or timezone.localdate()
    targeted_here = Exists(
        Coupon.targeted_customers.through.objects.filter(coupon_id=OuterRef("pk"), customer_id=customer.pk)
    )
    queryset = Coupon.objects.filter(not_ended_q(today), Q(targeted=False) | targeted_here, enabled=True)
    if site is not None:
        queryset = queryset.filter(offered_at_site_q(site))
    return queryset


@dataclass(frozen=True, slots=True)
class CouponLists:
    available: list[str]
    clipped: list[str]
    redeemed: list[str]
    expired: list[str]
    pending: list[str]


def customer_coupon_lists(*, site: Site, customer: Customer, now=None) -> CouponLists:
    """CONTRACT 3.2/3.4: each coupon id in one list only, sorted. ``expired``: clipped and
    its end date passed (within 30 days); ``redeemed``: used up, last use within 30 days;
    ``available``: clippable at the site and not clipped, pending or used up. A disabled
    coupon is listed only as pending or redeemed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    history_start = today - timedelta(days=HISTORY_DAYS)
    lists: dict[str, list[str]] = {"clipped": [], "redeemed": [], "expired": [], "pending": []}
    taken: set[str] = set()
    clips = Clip.objects.filter(customer=customer).select_related("coupon").order_by("coupon__coupon_id")
    for clip in clips:
        coupon = clip.coupon
        taken_here = clip.state != Clip.State.REMOVED
        if clip.state == Clip.State.PENDING:
            lists["pending"].append(coupon.coupon_id)
        elif clip.state == Clip.State.REDEEMED:
            if clip.redeemed_at and timezone.localdate(clip.redeemed_at) >= history_start:
                lists["redeemed"].append(coupon.coupon_id)
        elif clip.state == Clip.State.CLIPPED and coupon.enabled:
            if coupon.end_date is not None and coupon.end_date < today:
                if coupon.end_date >= history_start:
                    lists["expired"].append(coupon.coupon_id)
            else:
                lists["clipped"].append(coupon.coupon_id)
        if taken_here:
            taken.add(coupon.coupon_id)
    available = [
        coupon_id
        for coupon_id in clippable_coupons(site=site, customer=customer, today=today)
        .order_by("coupon_id")
        .values_list("coupon_id", flat=True)
        if coupon_id not in taken
    ]
    return CouponLists(available=available, **lists)


def customer_by_contacts(*, phones: list[str], emails: list[str]) -> Customer | None:
    """The customer with one of these phones (compared on their last 10 digits) or emails
    (case-insensitive), seen most recently (ties: lowest id). Customers whose id is longer
    than ECRS's 16 characters are never returned. Phones and emails prefetched."""
    from .pos_wire import digits_last10

    last10s = sorted({digits_last10(phone) for phone in phones} - {""})
    lowered = sorted({email.strip().lower() for email in emails} - {""})
    if not last10s and not lowered:
        return None
    condition = Q(pk__in=[])
    if last10s:
        condition |= Exists(CustomerPhone.objects.filter(customer_id=OuterRef("pk"), last10__in=last10s))
    if lowered:
        condition |= Exists(CustomerEmail.objects.filter(customer_id=OuterRef("pk"), email__in=lowered))
    return (
        Customer.objects.annotate(id_length=Length("customer_id"))
        .filter(condition, id_length__lte=16)
        .order_by(F("last_seen_at").desc(nulls_last=True), "customer_id")
        .prefetch_related("phones", "emails")
        .first()
    )


def loyalty_balances(*, customer: Customer) -> list[LoyaltyAccount]:
    """The customer's loyalty accounts (``balance``: the sum of the ledger), by loyalty id."""
    return list(LoyaltyAccount.objects.filter(customer=customer).order_by("loyalty_id"))


def loyalty_holds_live(*, accounts: Iterable[LoyaltyAccount]) -> list[LoyaltyHold]:
    """The holds these accounts have now (state ``held``), whatever their age."""
    pks = [account.pk for account in accounts]
    if not pks:
        return []
    return list(LoyaltyHold.objects.filter(account_id__in=pks, state=LoyaltyHold.State.HELD).order_by("pk"))


def loyalty_held_elsewhere(holds: Iterable[LoyaltyHold], *, transaction_pk: int | None, since) -> dict[int, int]:
    """Per account pk, the points ``holds`` hold on transactions other than
    ``transaction_pk``, leaving out holds older than ``since`` (abandoned: another
    transaction of the card may reclaim their coupon, CONTRACT 3.5.1)."""
    held: dict[int, int] = defaultdict(int)
    for hold in holds:
        if hold.transaction_id != transaction_pk and hold.created_at >= since:
            held[hold.account_id] += hold.points
    return held


def account_for_coupon(accounts: list[LoyaltyAccount], coupon: Coupon) -> LoyaltyAccount | None:
    """The account whose points a loyalty-cost coupon spends: the customer's first account
    of the coupon's program (by loyalty id)."""
    for account in accounts:
        if account.program == coupon.loyalty_program:
            return account
    return None
