"""Scale items in the staff API (CONTRACT 7): one row per (scale item, store), showing the
**resolved** record that store's scales print. Resolution is :func:`scale_item_resolve`'s
(CONTRACT 2.8), never recomputed here; the names are the ECRS document's, as in the scale
export. CATAPULT owns the data: read-only."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from ecrs_hub.api.filters import ApiFilterSet, IntegerFilter
from items.staff_api import StoreBriefSerializer

from .models import ScaleItemStore
from .selectors import scale_default_lines, scale_item_resolve


def money():
    return serializers.DecimalField(max_digits=16, decimal_places=4, normalize_output=True, allow_null=True)


def number():
    return serializers.DecimalField(max_digits=20, decimal_places=6, normalize_output=True, allow_null=True)


class NutrientSerializer(serializers.Serializer):
    type = serializers.CharField()
    value = serializers.CharField(allow_null=True, help_text="A decimal string.")


class NutritionPanelSerializer(serializers.Serializer):
    servingSize = serializers.CharField(allow_null=True, required=False)
    servingsPerContainer = serializers.CharField(allow_null=True, required=False)
    values = NutrientSerializer(many=True, required=False)


class ResolvedScaleItemSerializer(serializers.Serializer):
    """The resolved record (CONTRACT 2.9 field list) of a scale item at a store, with the
    ECRS document's camelCase names, exactly as the scale export sends them."""

    itemId = serializers.CharField()
    barcode = serializers.CharField(allow_null=True)
    deleted = serializers.BooleanField(help_text="Deleted as an item or at this store.")
    active = serializers.BooleanField()
    deptNum = serializers.IntegerField(allow_null=True)
    descLine1 = serializers.CharField(allow_null=True)
    descLine2 = serializers.CharField(allow_null=True)
    descLine3 = serializers.CharField(allow_null=True)
    descLine4 = serializers.CharField(allow_null=True)
    unitPrice = money()
    divider = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField(allow_null=True)
    tare = number()
    forceTare = serializers.BooleanField(allow_null=True)
    byCountQty = serializers.IntegerField(allow_null=True)
    fixedWeight = serializers.IntegerField(allow_null=True)
    shelfLife = serializers.IntegerField(allow_null=True)
    shelfLifeByHours = serializers.BooleanField(allow_null=True)
    useBy = serializers.IntegerField(allow_null=True)
    ingredients = serializers.CharField(allow_null=True)
    cool = serializers.CharField(allow_null=True)
    customerPrice = money()
    customerDivider = serializers.IntegerField(allow_null=True)
    promoPrice = money()
    promoEnd = serializers.CharField(allow_null=True)
    promptPrice = serializers.BooleanField(allow_null=True)
    nutrition = NutritionPanelSerializer(many=True)


class ScaleItemAtStoreSerializer(serializers.ModelSerializer):
    """A scale item at one store: where and when it changed, and what the scales print."""

    scale_item = serializers.IntegerField(source="scale_item_id", read_only=True)
    store = StoreBriefSerializer(read_only=True)
    resolved = serializers.SerializerMethodField()

    class Meta:
        model = ScaleItemStore
        fields = ("id", "scale_item", "store", "change_seq", "updated_at", "resolved")

    @extend_schema_field(ResolvedScaleItemSerializer)
    def get_resolved(self, row: ScaleItemStore) -> dict:
        lines = self.context.get("default_lines") or scale_default_lines()
        return ResolvedScaleItemSerializer(scale_item_resolve(row.scale_item, row, lines)).data


class ScaleItemFilter(ApiFilterSet):
    store = IntegerFilter(field_name="store_id", label="Store id.")
    store_number = django_filters.CharFilter(field_name="store__number", label="Store number.")
    scale_store_id = django_filters.CharFilter(field_name="store__scale_store_id", label="The scale store id.")
    item_id = django_filters.CharFilter(field_name="scale_item__item_id", label="CATAPULT itemId.")
    dept_num = IntegerFilter(field_name="scale_item__dept_num", label="Department number.")
    deleted = django_filters.BooleanFilter(method="deleted_filter", label="Deleted as an item or at the store.")
    changed_after_seq = IntegerFilter(
        field_name="change_seq", lookup_expr="gt", label="Only rows whose resolved record changed after this number."
    )

    class Meta:
        model = ScaleItemStore
        fields = ()

    def deleted_filter(self, queryset, name, value):
        deleted = Q(deleted=True) | Q(scale_item__deleted=True)
        return queryset.filter(deleted) if value else queryset.exclude(deleted)


class ScaleItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Scale items resolved per store: ``resolved`` is exactly what the store's scales print
    (store value, else item value, else the configured description defaults)."""

    serializer_class = ScaleItemAtStoreSerializer
    filterset_class = ScaleItemFilter
    search_fields = ("^scale_item__item_id", "scale_item__barcode", "scale_item__desc_line1", "desc_line1")
    ordering_fields = ("scale_item__item_id", "store__number", "change_seq", "updated_at")
    ordering = ("scale_item__item_id", "store__number", "pk")

    def get_queryset(self):
        return ScaleItemStore.objects.select_related("scale_item", "store")

    def get_serializer_context(self):
        # The description defaults are read once per request, not once per row.
        return {**super().get_serializer_context(), "default_lines": scale_default_lines()}
