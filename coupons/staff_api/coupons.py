"""Coupons in the staff API (CONTRACT 7), in the **import file schema** (CONTRACT 6: ``id``,
``shortDescription``, ``rewardKind``, ``rewardValue``, ``sites``, ...): a record the API
returns can be imported with ``import_coupons`` and a file's record can be sent to the API.
Writes go through ``coupons.services.records`` and so through the same import service as
that command: the API accepts and refuses exactly what it does, in the same words, and keeps
the same audit. A coupon record is the coupon's whole definition (PUT: a field left out
takes its default); PATCH merges into the stored record."""

from __future__ import annotations

import django_filters
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from ecrs_hub.api.filters import ApiFilterSet

from ..models import Coupon
from ..records import COUPON_READ_ONLY, coupon_record
from ..services.records import coupon_create, coupon_delete, coupon_update
from .common import record_body, record_schema, service_errors


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


@record_schema(CouponSerializer, listed=CouponSummarySerializer)
class CouponViewSet(viewsets.ModelViewSet):
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

    def stored(self, coupon_id: str) -> dict:
        return coupon_record(self.get_queryset().get(coupon_id=coupon_id), full=True)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([coupon_record(coupon, full=False) for coupon in page])

    def retrieve(self, request, *args, **kwargs):
        return Response(coupon_record(self.get_object(), full=True))

    def create(self, request, *args, **kwargs):
        record = record_body(request.data, COUPON_READ_ONLY)
        with service_errors():
            coupon_id = coupon_create(record=record)
        return Response(self.stored(coupon_id), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        coupon = self.get_object()
        record = record_body(request.data, COUPON_READ_ONLY)
        with service_errors():
            coupon_update(coupon=coupon, record=record, partial=kwargs.get("partial", False))
        return Response(self.stored(coupon.coupon_id))

    def perform_destroy(self, instance):
        with service_errors():
            coupon_delete(coupon=instance)
