"""Staff UI for scale data. CATAPULT owns the pushed rows (read-only here); the scale
defaults and the store mapping are the hub's own and editable. Each item at a store links
to its label preview (:mod:`scales.admin_views`).

List pages annotate counts with correlated subqueries and filter stores with ``EXISTS``, so
a page costs the same few queries whatever its length and no row is listed twice."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from ecrs_hub.admin.common import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    changelist_url,
    count_subquery,
    money,
    pretty_json,
    priced,
)

from . import admin_views, wire
from .models import ScaleDefaults, ScaleItem, ScaleItemStore, ScaleStore
from .nutrition import nutrition_panels
from .services.resolution import scale_defaults_save


def label_url(at_store_pk: int) -> str:
    return reverse("admin:scales_scaleitemstore_label", args=[at_store_pk])


def panels_html(panels):
    """Nutrition panels as the label prints them (rounded, %DV), then as sent."""
    if not panels:
        return "None"
    rendered = render_to_string("scales/nutrition_panels.html", {"panels": nutrition_panels(panels)})
    return format_html("{}<details><summary>As sent</summary>{}</details>", rendered, pretty_json(panels))


# --- filters ------------------------------------------------------------------------------------


class ScaleStoreFilter(admin.SimpleListFilter):
    """Items at a store (any store a scale push named, mapped or not)."""

    title = "store"
    parameter_name = "store"

    def lookups(self, request, model_admin):
        stores = ScaleStore.objects.filter(scale_store_id__isnull=False).order_by("number", "scale_store_id")
        return [(store.pk, f"{store} (scale store {store.scale_store_id})") for store in stores]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            store_pk = int(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(Exists(ScaleItemStore.objects.filter(scale_item=OuterRef("pk"), store_id=store_pk)))


class UnmappedStoreFilter(admin.SimpleListFilter):
    title = "on an unmapped store"
    parameter_name = "unmapped_store"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        on_unmapped = Exists(ScaleItemStore.objects.filter(scale_item=OuterRef("pk"), store__unmapped=True))
        if self.value() == "yes":
            return queryset.filter(on_unmapped)
        if self.value() == "no":
            return queryset.exclude(on_unmapped)
        return queryset


# --- scale items ----------------------------------------------------------------------------------


class ScaleItemStoreInline(ReadOnlyInline):
    model = ScaleItemStore
    fields = (
        "store",
        "deleted",
        "active",
        "price",
        "unit",
        "tare",
        "desc_line1",
        "shelf_life",
        "has_nutrition",
        "change_seq",
        "label_link",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("store")

    @admin.display(description="Price")
    def price(self, obj):
        return priced(obj.unit_price, obj.divider)

    @admin.display(description="Own nutrition", boolean=True)
    def has_nutrition(self, obj):
        return bool(obj.nutrition)

    @admin.display(description="Label")
    def label_link(self, obj):
        return format_html('<a href="{}">Preview label</a>', label_url(obj.pk))


@admin.register(ScaleItem)
class ScaleItemAdmin(ReadOnlyAdmin):
    list_display = ("item_id", "desc_line1", "barcode", "dept_num", "active", "deleted", "store_count")
    list_filter = ("dept_num", ScaleStoreFilter, "active", "deleted", UnmappedStoreFilter)
    search_fields = ("=item_id", "desc_line1", "desc_line2", "desc_line3", "desc_line4", "=barcode")
    inlines = (ScaleItemStoreInline,)
    covered_fields = ("nutrition_panels", "nutrition", "extra_json", "extra", "last_push", "labels")
    fieldsets = (
        (None, {"fields": ("item_id", "barcode", "barcode_check_ok", "dept_num", "active", "deleted", "deleted_at")}),
        ("Description", {"fields": ("desc_line1", "desc_line2", "desc_line3", "desc_line4", "cool", "ingredients")}),
        (
            "Item-level defaults (a store's own value wins)",
            {"fields": ("by_count_qty", "fixed_weight", "shelf_life", "shelf_life_by_hours", "use_by")},
        ),
        ("Label preview", {"fields": ("labels",)}),
        ("Nutrition", {"fields": ("nutrition_panels",)}),
        ("Last received", {"fields": ("last_push_link", "created_at", "updated_at", "content_hash", "extra_json")}),
    )

    def get_queryset(self, request):
        live = ScaleItemStore.objects.filter(scale_item=OuterRef("pk"), deleted=False)
        return super().get_queryset(request).annotate(store_count=count_subquery(live))

    @admin.display(description="Stores", ordering="store_count")
    def store_count(self, obj):
        return obj.store_count

    @admin.display(description="Nutrition (item level)")
    def nutrition_panels(self, obj):
        return panels_html(obj.nutrition)

    @admin.display(description="Labels by store")
    def labels(self, obj):
        rows = [
            (label_url(at_store.pk), str(at_store.store), " (deleted at this store)" if at_store.deleted else "")
            for at_store in obj.at_stores.select_related("store").order_by("store__number", "store__scale_store_id")
        ]
        if not rows:
            return "Not at any store."
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a>{}</li>', rows))


@admin.register(ScaleItemStore)
class ScaleItemStoreAdmin(ReadOnlyAdmin):
    list_display = ("scale_item", "store", "deleted", "active", "price", "change_seq", "label_link")
    list_select_related = ("scale_item", "store")
    list_filter = ("deleted", "active", "store__unmapped", ("store", admin.RelatedOnlyFieldListFilter))
    search_fields = ("=scale_item__item_id", "scale_item__desc_line1", "desc_line1", "=scale_item__barcode")
    covered_fields = ("nutrition_panels", "nutrition", "resolved", "label_link", "extra_json", "extra", "last_push")
    fieldsets = (
        (None, {"fields": ("scale_item", "store", "deleted", "deleted_at", "active", "label_link")}),
        ("What this store's scales print (resolved)", {"fields": ("resolved",)}),
        (
            "As CATAPULT sent it for this store (empty: the item's value applies)",
            {
                "fields": [
                    f.attr
                    for f in wire.SCALE_ITEM_STORE.fields
                    if f.attr not in ("scale_store_id", "deleted", "active")
                ]
            },
        ),
        ("Nutrition (store level)", {"fields": ("nutrition_panels",)}),
        ("Last received", {"fields": ("last_push_link", "created_at", "updated_at", "content_hash", "extra_json")}),
    )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/label/",
                self.admin_site.admin_view(self.label_view),
                name="scales_scaleitemstore_label",
            ),
            *super().get_urls(),
        ]

    def label_view(self, request, object_id):
        return admin_views.label_preview(self, request, object_id)

    @admin.display(description="Price")
    def price(self, obj):
        return priced(obj.unit_price, obj.divider)

    @admin.display(description="Label")
    def label_link(self, obj):
        return format_html('<a href="{}">Preview label</a>', label_url(obj.pk))

    @admin.display(description="Nutrition")
    def nutrition_panels(self, obj):
        return panels_html(obj.nutrition)

    @admin.display(description="Resolved record")
    def resolved(self, obj):
        from .selectors import scale_default_lines, scale_item_resolve

        record = scale_item_resolve(obj.scale_item, obj, scale_default_lines())
        rows = [
            (name, money(value) if hasattr(value, "quantize") else value)
            for name, value in record.items()
            if name != "nutrition"
        ]
        return format_html(
            '<table class="ecrs-table">{}</table>', format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        )


# --- stores as the scale integration knows them ---------------------------------------------------


@admin.register(ScaleStore)
class ScaleStoreAdmin(ReadOnlyAdmin):
    """Stores a scale push named (and stores staff may map). Mapping is a form of its own
    (:func:`scales.admin_views.map_store`), the same as ``map_scale_store``."""

    list_display = ("scale_store_id", "number", "name", "unmapped", "scale_item_count", "map_link")
    list_filter = ("unmapped",)
    search_fields = ("=scale_store_id", "=number", "name")
    ordering = ("-unmapped", "number", "scale_store_id")
    covered_fields = ("scale_items_link", "map_link")
    fieldsets = (
        (None, {"fields": ("scale_store_id", "unmapped", "number", "name", "record_id", "map_link")}),
        ("Scale items", {"fields": ("scale_items_link",)}),
    )
    change_list_template = "scales/store_change_list.html"

    def get_queryset(self, request):
        live = ScaleItemStore.objects.filter(store=OuterRef("pk"), deleted=False)
        return super().get_queryset(request).annotate(scale_item_count=count_subquery(live))

    def get_urls(self):
        return [
            path("map/", self.admin_site.admin_view(self.map_view), name="scales_scalestore_map"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_map_permission": self.has_map_permission(request)}
        return super().changelist_view(request, extra_context)

    def map_view(self, request):
        return admin_views.map_store(self, request)

    def has_map_permission(self, request) -> bool:
        return request.user.has_perm("scales.change_scalestore")

    @admin.display(description="Scale items (live)", ordering="scale_item_count")
    def scale_item_count(self, obj):
        return obj.scale_item_count

    @admin.display(description="Mapping")
    def map_link(self, obj):
        # A mapped store keeps its id (the service refuses to change it: its scales' items
        # were pushed under it).
        if obj.scale_store_id and not obj.unmapped:
            return "Mapped"
        params = urlencode({"scale_store_id": obj.scale_store_id or "", "store_number": obj.number or ""})
        text = "Map to a store number" if obj.unmapped else "Give it a scale store id"
        return format_html('<a href="{}?{}">{}</a>', reverse("admin:scales_scalestore_map"), params, text)

    @admin.display(description="Scale items")
    def scale_items_link(self, obj):
        return format_html(
            '<a href="{}">{} live items at this store</a>',
            changelist_url(ScaleItemStore, store__id__exact=obj.pk, deleted__exact=0),
            obj.scale_item_count,
        )


# --- scale settings ---------------------------------------------------------------------------------


@admin.register(ScaleDefaults)
class ScaleDefaultsAdmin(admin.ModelAdmin):
    """CATAPULT's Scale Settings default description lines: one row, edited in place."""

    list_display = ("__str__", "desc_line1", "desc_line2", "desc_line3", "desc_line4", "updated_at")
    fields = ("desc_line1", "desc_line2", "desc_line3", "desc_line4")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ScaleDefaults.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One row: the list is the row itself (or the form to create it).
        defaults = ScaleDefaults.objects.filter(pk=1).first()
        if defaults is None:
            return HttpResponseRedirect(reverse("admin:scales_scaledefaults_add"))
        return HttpResponseRedirect(reverse("admin:scales_scaledefaults_change", args=[defaults.pk]))

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        changed = scale_defaults_save(defaults=obj)
        self.message_user(request, f"{changed} items at stores print differently now and are exported again.")
