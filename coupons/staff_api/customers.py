"""Loyalty customers in the staff API (CONTRACT 7), in the **import file schema** (CONTRACT 6):
a record the API returns can be imported with ``import_customers`` and a file's record can be
sent to the API. Writes go through ``coupons.services.records`` and so through the same import
service as that command. A customer record updates what it carries."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from ecrs_hub.api.filters import ApiFilterSet, DateTimeFilter

from ..models import Customer, LoyaltyAccount
from ..records import CUSTOMER_READ_ONLY, customer_record
from ..services.records import customer_create, customer_delete, customer_update
from .common import record_body, record_schema, service_errors


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


@record_schema(CustomerSerializer)
class CustomerViewSet(viewsets.ModelViewSet):
    """Loyalty customers in the import schema; writes validated and stored by ``customers_import``."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    search_fields = ("^customer_id", "first_name", "last_name")
    ordering_fields = ("customer_id", "last_seen_at", "updated_at")
    ordering = ("customer_id",)

    def get_queryset(self):
        accounts = LoyaltyAccount.objects.order_by("loyalty_id")
        return Customer.objects.prefetch_related("phones", "emails", Prefetch("loyalty_accounts", queryset=accounts))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([customer_record(customer) for customer in page])

    def retrieve(self, request, *args, **kwargs):
        return Response(customer_record(self.get_object()))

    def create(self, request, *args, **kwargs):
        record = record_body(request.data, CUSTOMER_READ_ONLY)
        with service_errors():
            customer_id = customer_create(record=record)
        return Response(customer_record(self.get_queryset().get(customer_id=customer_id)), status=201)

    def update(self, request, *args, **kwargs):
        customer = self.get_object()
        record = record_body(request.data, CUSTOMER_READ_ONLY)
        with service_errors():
            customer_update(customer=customer, record=record)
        return Response(customer_record(self.get_queryset().get(pk=customer.pk)))

    def perform_destroy(self, instance):
        with service_errors():
            customer_delete(customer=instance)
