"""Coupons and customers in the staff API (CONTRACT 7).

Coupons and customers speak the **import file schema** (CONTRACT 6: ``id``,
``shortDescription``, ``rewardKind``, ``rewardValue``, ``sites``, ...): a record the API returns
can be imported with ``import_coupons``/``import_customers`` and a file's record can be sent to
the API. Writes go through the same services as those commands (``coupons_import``,
``customers_import``), so the API accepts and refuses exactly what they do, in the same words,
and keeps the same audit. As in the coupon import, a coupon record is the coupon's whole
definition (PUT: a field left out takes its default); PATCH merges into the stored record.
A customer record updates what it carries."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, ProtectedError, Subquery, Sum
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response

from ecrs_hub.api.filters import ApiFilterSet, DateTimeFilter

from ..models import Clip, Coupon, Customer, LoyaltyAccount, LoyaltyEntry
from ..services.coupon_import import ImportRejected, coupons_import
from ..services.customer_import import customers_import

PROBLEM = re.compile(r"^\[\d+\](?:\.(?P<field>[A-Za-z]+))?(?P<rest>.*)$", re.S)


def problems_by_field(problems: list[str]) -> dict[str, list[str]]:
    """The import's problems (``[0].rewardValue: '-1' must not be negative``) keyed by the
    record field they name, each message still naming its field and rule."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        match = PROBLEM.match(problem)
        field = (match and match["field"]) or "non_field_errors"
        text = f"{field}{match['rest']}" if match and match["field"] else problem
        errors.setdefault(field, []).append(text)
    return errors


def import_one(service, record: dict) -> None:
    try:
        service(records=[record])
    except ImportRejected as rejected:
        raise exceptions.ValidationError(problems_by_field(rejected.problems)) from None


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    return False


def record_body(data: Any, read_only: tuple[str, ...]) -> dict:
    """The record sent, without the read-only fields a client may echo back. Text with NUL
    characters is refused here: PostgreSQL cannot store it, and not every import rule checks."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": ["The body must be a JSON object."]})
    bad = sorted(str(key) for key, value in data.items() if has_nul(key) or has_nul(value))
    if bad:
        raise exceptions.ValidationError({key: [f"{key}: must not contain NUL characters"] for key in bad})
    return {key: value for key, value in data.items() if key not in read_only}


class ProtectedDeleteMixin:
    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError as error:
            count = len(error.protected_objects)
            raise Conflict(f"{instance} cannot be deleted: {count} record(s) refer to it.") from None


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


# --- coupons ------------------------------------------------------------------------------


def decimal_text(value) -> str | None:
    return None if value is None else str(value)


def coupon_record(coupon: Coupon, *, full: bool) -> dict[str, Any]:
    """The coupon in the import schema. ``full`` lists the targeted customers (a coupon may
    target thousands: lists show their count)."""
    if coupon.external_image_url:
        image = coupon.external_image_url
    elif coupon.image:
        image = "images/" + coupon.image.name.rsplit("/", 1)[-1]
    else:
        image = None
    record = {
        "pk": coupon.pk,
        "id": coupon.coupon_id,
        "shortDescription": coupon.short_description,
        "requirementDescription": coupon.requirement_description,
        "longDescription": coupon.long_description,
        "category": coupon.category,
        "brand": coupon.brand,
        "startDate": coupon.start_date.isoformat() if coupon.start_date else None,
        "endDate": coupon.end_date.isoformat() if coupon.end_date else None,
        "imageUrl": image,
        "targeted": coupon.targeted,
        "enabled": coupon.enabled,
        "featured": coupon.featured,
        "requirementUpcs": list(coupon.requirement_upcs),
        "rewardUpcs": list(coupon.reward_upcs),
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


def upcs(help_text: str):
    return serializers.ListField(child=serializers.CharField(), required=False, help_text=help_text)


class CouponFieldsSerializer(serializers.Serializer):
    """Describes the coupon record (CONTRACT 6's import schema); the import service validates."""

    pk = serializers.IntegerField(read_only=True)
    id = serializers.CharField(max_length=15, help_text="1-15 characters; cannot change once created.")
    shortDescription = serializers.CharField(required=False, allow_blank=True, max_length=255)
    requirementDescription = serializers.CharField(required=False, allow_blank=True)
    longDescription = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True, max_length=100)
    brand = serializers.CharField(required=False, allow_blank=True, max_length=100)
    startDate = serializers.DateField(required=False, allow_null=True)
    endDate = serializers.DateField(required=False, allow_null=True)
    imageUrl = serializers.CharField(
        required=False, allow_null=True, help_text="An https:// URL, or images/<name> of an image the hub stores."
    )
    targeted = serializers.BooleanField(required=False)
    enabled = serializers.BooleanField(required=False)
    featured = serializers.BooleanField(required=False)
    requirementUpcs = upcs("UPCs (numbers or digit strings); returned as GTIN-14 keys.")
    rewardUpcs = upcs("Buy X get Y: the rewarded UPCs; empty: the qualifying lines.")
    requirementDepts = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False)
    minQuantity = serializers.DecimalField(max_digits=10, decimal_places=3, required=False, min_value=0)
    minSpend = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0)
    rewardKind = serializers.ChoiceField(choices=["percent", "amount", "fixed_price", "free"])
    rewardValue = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0, help_text="10 = 10 %."
    )
    limitUnits = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    usesPerCustomer = serializers.IntegerField(required=False, min_value=1)
    sites = serializers.ListField(child=serializers.CharField(), required=False, help_text="Site ids; empty: all.")
    loyaltyCost = serializers.IntegerField(required=False, min_value=0)
    loyaltyProgram = serializers.CharField(required=False, allow_blank=True, max_length=64)
    reducesTax = serializers.BooleanField(required=False)
    type = serializers.CharField(required=False, max_length=64)
    externalId = serializers.CharField(required=False, allow_blank=True, max_length=64)
    receiptAlias = serializers.CharField(required=False, allow_blank=True, max_length=100)
    createdAt = serializers.DateTimeField(read_only=True)
    updatedAt = serializers.DateTimeField(read_only=True)


class CouponSerializer(CouponFieldsSerializer):
    """A coupon, with the customers it targets."""

    targetedCustomers = serializers.ListField(child=serializers.CharField(), required=False, help_text="Customer ids.")


class CouponSummarySerializer(CouponFieldsSerializer):
    """A coupon in a list: how many customers it targets (a coupon may target thousands)."""

    targetedCustomerCount = serializers.IntegerField(read_only=True)


COUPON_READ_ONLY = ("pk", "createdAt", "updatedAt", "targetedCustomerCount")


class CouponFilter(ApiFilterSet):
    coupon_id = django_filters.CharFilter()
    site = django_filters.CharFilter(
        field_name="sites__site_id", label="Coupons of this site id (not the all-site ones)."
    )
    active_on = django_filters.DateFilter(method="active_on_filter", label="Enabled and within its dates on that day.")
    loyalty = django_filters.BooleanFilter(field_name="loyalty_cost", lookup_expr="gt", label="Costs loyalty points.")

    class Meta:
        model = Coupon
        fields = ("enabled", "targeted", "featured", "reward_kind", "type", "external_id")

    def active_on_filter(self, queryset, name, value):
        return queryset.filter(enabled=True).exclude(start_date__gt=value).exclude(end_date__lt=value)


@extend_schema_view(
    list=extend_schema(responses=CouponSummarySerializer(many=True)),
    retrieve=extend_schema(responses=CouponSerializer),
    create=extend_schema(request=CouponSerializer, responses={201: CouponSerializer}),
    update=extend_schema(request=CouponSerializer, responses=CouponSerializer),
    partial_update=extend_schema(request=CouponSerializer(partial=True), responses=CouponSerializer),
)
class CouponViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet):
    """Digital coupons in the import schema; writes validated and stored by ``coupons_import``."""

    serializer_class = CouponSerializer
    filterset_class = CouponFilter
    search_fields = ("coupon_id", "short_description", "brand", "category", "=external_id")
    ordering_fields = ("coupon_id", "start_date", "end_date", "updated_at")
    ordering = ("coupon_id",)

    def get_queryset(self):
        queryset = Coupon.objects.prefetch_related("sites")
        if self.action == "list":
            targets = Coupon.targeted_customers.through.objects.filter(coupon_id=OuterRef("pk"))
            counted = targets.order_by().values("coupon_id").annotate(n=Count("pk")).values("n")
            return queryset.annotate(targeted_count=Coalesce(Subquery(counted), 0))
        return queryset.prefetch_related("targeted_customers")

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([coupon_record(coupon, full=False) for coupon in page])

    def retrieve(self, request, *args, **kwargs):
        return Response(coupon_record(self.get_object(), full=True))

    def perform_destroy(self, instance):
        # Deleting it would drop the clips a register holds pending: disable it instead.
        pending = instance.clips.filter(state=Clip.State.PENDING).count()
        if pending:
            raise Conflict(f"{instance.coupon_id} is pending on {pending} open transaction(s): disable it instead.")
        super().perform_destroy(instance)

    def stored(self, coupon_id: str) -> dict:
        return coupon_record(self.get_queryset().get(coupon_id=coupon_id), full=True)

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        record = record_body(request.data, COUPON_READ_ONLY)
        coupon_id = record.get("id")
        if isinstance(coupon_id, int | str) and Coupon.objects.filter(coupon_id=str(coupon_id)).exists():
            raise exceptions.ValidationError({"id": [f"id: a coupon {coupon_id!r} exists; PUT or PATCH changes it"]})
        import_one(coupons_import, record)
        return Response(self.stored(str(coupon_id)), status=status.HTTP_201_CREATED)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        coupon = self.get_object()
        body = record_body(request.data, COUPON_READ_ONLY)
        if kwargs.get("partial"):
            stored = coupon_record(coupon, full=True)
            record = {key: stored[key] for key in stored if key not in COUPON_READ_ONLY} | body
        else:
            record = body
        record.setdefault("id", coupon.coupon_id)
        if record["id"] != coupon.coupon_id:
            raise exceptions.ValidationError({"id": ["id: cannot change; create a coupon with the new id instead"]})
        import_one(coupons_import, record)
        return Response(self.stored(coupon.coupon_id))


# --- customers ------------------------------------------------------------------------------


class LoyaltySerializer(serializers.Serializer):
    id = serializers.CharField()
    balance = serializers.IntegerField(min_value=0, help_text="Points; setting it writes the difference to the ledger.")


class CustomerSerializer(serializers.Serializer):
    """Describes the customer record (CONTRACT 6's import schema); the import service validates."""

    pk = serializers.IntegerField(read_only=True)
    id = serializers.CharField(max_length=64, help_text="The card id the POS sends; cannot change.")
    firstName = serializers.CharField(required=False, allow_blank=True, max_length=100)
    lastName = serializers.CharField(required=False, allow_blank=True, max_length=100)
    email = serializers.EmailField(required=False, write_only=True, help_text="Added to emails (import schema).")
    phones = serializers.ListField(child=serializers.CharField(), required=False, help_text="Replaces the set.")
    emails = serializers.ListField(child=serializers.EmailField(), required=False, help_text="Replaces the set.")
    loyalty = LoyaltySerializer(many=True, required=False, help_text="Sets each listed account's balance.")
    lastSeenAt = serializers.DateTimeField(read_only=True, allow_null=True)
    createdAt = serializers.DateTimeField(read_only=True)
    updatedAt = serializers.DateTimeField(read_only=True)


CUSTOMER_READ_ONLY = ("pk", "lastSeenAt", "createdAt", "updatedAt")


def customer_record(customer: Customer) -> dict[str, Any]:
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


class CustomerFilter(ApiFilterSet):
    customer_id = django_filters.CharFilter()
    phone = django_filters.CharFilter(method="phone_filter", label="Any phone ending in these digits (last 10).")
    email = django_filters.CharFilter(field_name="emails__email", lookup_expr="iexact")
    loyalty_id = django_filters.CharFilter(field_name="loyalty_accounts__loyalty_id")
    seen_after = DateTimeFilter(field_name="last_seen_at", lookup_expr="gte")

    class Meta:
        model = Customer
        fields = ()

    def phone_filter(self, queryset, name, value):
        digits = "".join(ch for ch in value if ch.isascii() and ch.isdigit())[-10:]
        return queryset.filter(phones__last10=digits).distinct() if digits else queryset.none()


@extend_schema_view(
    list=extend_schema(responses=CustomerSerializer(many=True)),
    retrieve=extend_schema(responses=CustomerSerializer),
    create=extend_schema(request=CustomerSerializer, responses={201: CustomerSerializer}),
    update=extend_schema(request=CustomerSerializer, responses=CustomerSerializer),
    partial_update=extend_schema(request=CustomerSerializer(partial=True), responses=CustomerSerializer),
)
class CustomerViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet):
    """Loyalty customers in the import schema; writes validated and stored by ``customers_import``."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    search_fields = ("^customer_id", "first_name", "last_name")
    ordering_fields = ("customer_id", "last_seen_at", "updated_at")
    ordering = ("customer_id",)

    def get_queryset(self):
        balance = Coalesce(
            Subquery(
                LoyaltyEntry.objects.filter(account_id=OuterRef("pk"))
                .order_by()
                .values("account_id")
                .annotate(total=Sum("points"))
                .values("total")
            ),
            0,
        )
        accounts = LoyaltyAccount.objects.annotate(balance=balance).order_by("loyalty_id")
        return Customer.objects.prefetch_related("phones", "emails", Prefetch("loyalty_accounts", queryset=accounts))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([customer_record(customer) for customer in page])

    def retrieve(self, request, *args, **kwargs):
        return Response(customer_record(self.get_object()))

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        record = record_body(request.data, CUSTOMER_READ_ONLY)
        customer_id = record.get("id")
        if isinstance(customer_id, int | str) and Customer.objects.filter(customer_id=str(customer_id)).exists():
            raise exceptions.ValidationError(
                {"id": [f"id: a customer {customer_id!r} exists; PUT or PATCH changes it"]}
            )
        import_one(customers_import, record)
        return Response(customer_record(self.get_queryset().get(customer_id=str(customer_id))), status=201)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        customer = self.get_object()
        record = record_body(request.data, CUSTOMER_READ_ONLY)
        record.setdefault("id", customer.customer_id)
        if record["id"] != customer.customer_id:
            raise exceptions.ValidationError({"id": ["id: cannot change (it is the card the POS sends)"]})
        import_one(customers_import, record)
        return Response(customer_record(self.get_queryset().get(pk=customer.pk)))
