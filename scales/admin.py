"""Staff UI for scale data. CATAPULT owns the pushed rows (read-only here); the scale
defaults are the hub's own configuration and editable."""

from __future__ import annotations

from django.contrib import admin

from items.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import ScaleDefaults, ScaleItem, ScaleItemStore
from .services.ingest import scale_defaults_save


class ScaleItemStoreInline(ReadOnlyInline):
    model = ScaleItemStore
    fields = ("store", "deleted", "active", "unit_price", "divider", "unit", "tare", "desc_line1", "change_seq")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("store")


@admin.register(ScaleItem)
class ScaleItemAdmin(ReadOnlyAdmin):
    list_display = ("item_id", "desc_line1", "barcode", "dept_num", "active", "deleted")
    list_filter = (
        "dept_num",
        "active",
        "deleted",
        ("at_stores__store", admin.RelatedOnlyFieldListFilter),
        ("at_stores__store__unmapped", admin.BooleanFieldListFilter),
    )
    search_fields = ("=item_id", "desc_line1", "=barcode")
    inlines = (ScaleItemStoreInline,)
    fieldsets = (
        (None, {"fields": ("item_id", "barcode", "barcode_check_ok", "dept_num", "active", "deleted", "deleted_at")}),
        ("Description", {"fields": ("desc_line1", "desc_line2", "desc_line3", "desc_line4", "cool", "ingredients")}),
        ("Nutrition", {"fields": ("nutrition",)}),
        ("Last received", {"fields": ("last_push_link", "created_at", "updated_at", "content_hash")}),
    )


@admin.register(ScaleItemStore)
class ScaleItemStoreAdmin(ReadOnlyAdmin):
    list_display = ("scale_item", "store", "deleted", "active", "unit_price", "change_seq")
    list_select_related = ("scale_item", "store")
    list_filter = ("deleted", "active", "store__unmapped", ("store", admin.RelatedOnlyFieldListFilter))
    search_fields = ("=scale_item__item_id", "scale_item__desc_line1")
    fieldsets = (
        (None, {"fields": ("scale_item", "store", "deleted", "deleted_at", "active")}),
        ("Nutrition", {"fields": ("nutrition",)}),
        ("Last received", {"fields": ("last_push_link", "created_at", "updated_at", "content_hash")}),
    )


@admin.register(ScaleDefaults)
class ScaleDefaultsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "desc_line1", "desc_line2", "desc_line3", "desc_line4")
    fields = ("desc_line1", "desc_line2", "desc_line3", "desc_line4")

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        scale_defaults_save(obj)
