"""Clips and POS transactions in the staff API: read-only, since they change only through
the POS and shopper flows (CONTRACT 3.4)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from ecrs_hub.api.filters import ApiFilterSet, DateTimeFilter

from ..models import Clip, PosTransaction, Redemption

# --- clips -----------------------------------------------------------------------------------


class ClipSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.customer_id", read_only=True)
    coupon = serializers.CharField(source="coupon.coupon_id", read_only=True)
    pending_site = serializers.CharField(
        source="pending_transaction.site.site_id", read_only=True, allow_null=True, default=None
    )
    pending_transaction = serializers.CharField(
        source="pending_transaction.transaction_id", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Clip
        fields = (
            "id",
            "customer",
            "coupon",
            "state",
            "uses_count",
            "pending_site",
            "pending_transaction",
            "pending_since",
            "clipped_at",
            "redeemed_at",
            "updated_at",
        )


class ClipFilter(ApiFilterSet):
    customer = django_filters.CharFilter(field_name="customer__customer_id", label="Customer (card) id.")
    coupon = django_filters.CharFilter(field_name="coupon__coupon_id", label="Coupon id.")
    site = django_filters.CharFilter(field_name="pending_transaction__site__site_id", label="Pending at this site.")
    pending_before = DateTimeFilter(
        field_name="pending_since", lookup_expr="lt", label="Pending since before this time."
    )

    class Meta:
        model = Clip
        fields = ("state",)


class ClipViewSet(viewsets.ReadOnlyModelViewSet):
    """Customers' coupons and their state (clipped, pending on a transaction, redeemed, removed).
    They change through the POS and the shopper API, never here."""

    serializer_class = ClipSerializer
    filterset_class = ClipFilter
    search_fields = ("^customer__customer_id", "^coupon__coupon_id")
    ordering_fields = ("pending_since", "clipped_at", "redeemed_at", "updated_at")
    ordering = ("-updated_at", "-pk")

    def get_queryset(self):
        return Clip.objects.select_related("customer", "coupon", "pending_transaction__site")


# --- POS transactions ------------------------------------------------------------------------


class RedemptionSerializer(serializers.ModelSerializer):
    coupon = serializers.CharField(source="coupon.coupon_id", read_only=True)

    class Meta:
        model = Redemption
        fields = ("coupon", "line_id", "discount", "created_at")


class TransactionSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.site_id", read_only=True)
    customer = serializers.CharField(source="customer.customer_id", read_only=True, allow_null=True, default=None)
    redemptions = RedemptionSerializer(many=True, read_only=True)
    tenders = serializers.JSONField(read_only=True, help_text="As the commit sent them (signs kept).")
    committed_coupons = serializers.JSONField(read_only=True)

    class Meta:
        model = PosTransaction
        exclude = ("commit_answer",)


class TransactionFilter(ApiFilterSet):
    site = django_filters.CharFilter(field_name="site__site_id", label="Site id.")
    customer = django_filters.CharFilter(field_name="customer__customer_id", label="Customer (card) id.")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = PosTransaction
        fields = ("status", "transaction_id", "terminal")


class TransactionViewSet(viewsets.ReadOnlyModelViewSet):
    """POS transactions as the hub saw them, with the coupons their commit redeemed."""

    serializer_class = TransactionSerializer
    filterset_class = TransactionFilter
    search_fields = ("^transaction_id", "^customer__customer_id")
    ordering_fields = ("created_at", "committed_at", "time")
    ordering = ("-created_at", "-pk")

    def get_queryset(self):
        return PosTransaction.objects.select_related("site", "customer").prefetch_related(
            Prefetch("redemptions", queryset=Redemption.objects.select_related("coupon").order_by("coupon", "line_id"))
        )
