"""Customers as the POS and Cognition name them: learned on first sight, their phones and
emails, coupon targeting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length
from django.utils import timezone

from ..models import Coupon, CouponEvent, Customer, CustomerEmail, CustomerPhone
from ..pos_wire import digits_last10

# last_seen_at only has to order demographics matches: writing it on every request of a
# sale would cost a write per scan for nothing.
SEEN_RESOLUTION = timedelta(minutes=1)


def _with_first_contacts(queryset):
    """Annotate each customer's first email (that fits ECRS's 254) and first phone, so an
    answer can show them without two more queries."""
    emails = CustomerEmail.objects.annotate(length=Length("email")).filter(customer_id=OuterRef("pk"), length__lte=254)
    phones = CustomerPhone.objects.filter(customer_id=OuterRef("pk")).exclude(last10="")
    return queryset.annotate(
        contact_email=Subquery(emails.order_by("pk").values("email")[:1]),
        contact_phone=Subquery(phones.order_by("pk").values("last10")[:1]),
    )


def customer_learn(*, customer_id: str, now=None) -> Customer:
    """The customer with this card id, created on first sight (CONTRACT 3.1); its
    ``last_seen_at`` is brought up to ``now`` (to the minute). It carries ``contact_email``
    and ``contact_phone`` (its first ones, or None) for ``pos_wire.customer_json``."""
    now = now or timezone.now()
    customer = _with_first_contacts(Customer.objects.filter(customer_id=customer_id)).first()
    if customer is None:
        try:
            with transaction.atomic():
                customer = Customer.objects.create(
                    customer_id=customer_id, last_seen_at=now, created_at=now, updated_at=now
                )
                customer.contact_email = customer.contact_phone = None
                return customer
        except IntegrityError:  # learned by a concurrent request
            customer = _with_first_contacts(Customer.objects.filter(customer_id=customer_id)).get()
    if customer.last_seen_at is None or customer.last_seen_at < now - SEEN_RESOLUTION:
        Customer.objects.filter(pk=customer.pk).update(last_seen_at=now)
        customer.last_seen_at = now
    return customer


def customer_contacts_add(*, customer: Customer, phones: Iterable[str] = (), emails: Iterable[str] = ()) -> None:
    """Remember the phones (by their last 10 digits) and emails (lower-cased) the POS sent
    with the card; known ones are left as they are."""
    phone_rows = {}
    for phone in phones:
        last10 = digits_last10(phone)
        if len(last10) >= 7:
            phone_rows.setdefault(last10, CustomerPhone(customer=customer, number=phone[:32], last10=last10))
    email_rows = {}
    for email in emails:
        lowered = email.strip().lower()
        if "@" in lowered and len(lowered) <= 320:
            email_rows.setdefault(lowered, CustomerEmail(customer=customer, email=lowered))
    if phone_rows:
        CustomerPhone.objects.bulk_create(phone_rows.values(), ignore_conflicts=True)
    if email_rows:
        CustomerEmail.objects.bulk_create(email_rows.values(), ignore_conflicts=True)


@transaction.atomic
def coupon_target(*, coupon: Coupon, customers: Iterable[Customer]) -> int:
    """Target ``coupon`` at ``customers`` (Cognition's coupon recommendations): the coupon
    becomes targeted and available to them. Returns how many customers were newly targeted;
    each gets a ``target`` audit event."""
    wanted = {customer.pk: customer for customer in customers}
    if not coupon.targeted:
        coupon.targeted = True
        coupon.updated_at = timezone.now()
        coupon.save(update_fields=["targeted", "updated_at"])
    through = Coupon.targeted_customers.through
    known = set(
        through.objects.filter(coupon_id=coupon.pk, customer_id__in=wanted).values_list("customer_id", flat=True)
    )
    new = [pk for pk in sorted(wanted) if pk not in known]
    through.objects.bulk_create([through(coupon_id=coupon.pk, customer_id=pk) for pk in new], ignore_conflicts=True)
    CouponEvent.objects.bulk_create(
        CouponEvent(kind=CouponEvent.Kind.TARGET, coupon=coupon, customer_id=pk, to_state="available") for pk in new
    )
    return len(new)
