"""Suppliers and the item units ordered from them."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef
from django.utils.html import format_html

from ecrs_hub.admin.common import count_subquery

from ..models import ItemSupplier, Supplier
from .common import ReadOnlyAdmin, changelist_url


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    list_display = ("supplier_id", "name", "unit_count", "updated_at")
    search_fields = ("=supplier_id", "name")
    fieldsets = ((None, {"fields": ("supplier_id", "name", "units_link", "created_at", "updated_at")}),)

    def get_queryset(self, request):
        units = ItemSupplier.objects.filter(supplier=OuterRef("supplier_id"), deleted=False)
        return super().get_queryset(request).annotate(unit_count=count_subquery(units))

    @admin.display(description="Item units (active)", ordering="unit_count")
    def unit_count(self, obj):
        return obj.unit_count

    @admin.display(description="Item units")
    def units_link(self, obj):
        url = changelist_url(ItemSupplier, supplier__supplier_id__exact=obj.supplier_id)
        return format_html('<a href="{}">{} active item units</a>', url, obj.unit_count)


@admin.register(ItemSupplier)
class ItemSupplierAdmin(ReadOnlyAdmin):
    list_display = (
        "record_id",
        "item",
        "supplier",
        "supplier_code",
        "order_qty",
        "order_unit",
        "deleted",
        "updated_at",
    )
    list_select_related = ("item", "supplier")
    list_filter = ("deleted", "supplier")
    search_fields = ("=record_id", "=supplier_code", "^item__item_id", "=supplier__supplier_id", "supplier__name")
    fieldsets = (
        (None, {"fields": ("record_id", "item", "supplier", "supplier_code", ("order_qty", "order_unit"))}),
        ("Deleted", {"fields": (("deleted", "deleted_at"),)}),
        ("Unknown fields", {"fields": ("extra_json",)}),
        ("Last received", {"fields": ReadOnlyAdmin.bookkeeping}),
    )
    covered_fields = ("extra", "last_push")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "supplier")
