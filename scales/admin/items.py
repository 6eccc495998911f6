"""Scale items and items at stores (read-only: CATAPULT owns them), and the label preview
of an item at a store, as a scale prints it from its resolved record."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from ecrs_hub.admin.common import ReadOnlyAdmin, ReadOnlyInline, count_subquery, money, pretty_json, priced

from .. import wire
from ..label import BARCODE_FORMATS, MODES, record_mode, scale_label
from ..models import ScaleItem, ScaleItemStore, ScaleStore
from ..nutrition import nutrition_panels
from ..selectors import scale_default_lines, scale_item_resolve, scale_item_store_resolved


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
        return label_preview(self, request, object_id)

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
        record = scale_item_resolve(obj.scale_item, obj, scale_default_lines())
        rows = [
            (name, money(value) if hasattr(value, "quantize") else value)
            for name, value in record.items()
            if name != "nutrition"
        ]
        return format_html(
            '<table class="ecrs-table">{}</table>', format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        )


# --- the label preview ---------------------------------------------------------------------------


class LabelPreviewForm(forms.Form):
    weight = forms.DecimalField(
        label="Weight on the scale",
        help_text="Gross, in the item's unit; the tare is subtracted. Only weighed items need it.",
        required=False,
        min_value=Decimal("0.001"),
        max_value=Decimal("99999"),
        max_digits=8,
        decimal_places=3,
    )
    packed_at = forms.DateTimeField(
        label="Packed at",
        help_text="In the hub's time zone; empty means now.",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    mode = forms.ChoiceField(label="Sold", required=False, choices=[("", "As the record says"), *MODES.items()])
    layout = forms.ChoiceField(label="Barcode layout", required=False, choices=list(BARCODE_FORMATS.items()))


def label_preview(model_admin, request, object_id: str):
    """The label of an item at a store as a scale prints it, from its resolved record."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        found = scale_item_store_resolved(int(object_id))
    except ValueError:
        found = None
    if found is None:
        raise Http404("No such item at a store.")
    at_store, record = found
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = LabelPreviewForm(request.GET or None, initial={"packed_at": now, "layout": "price4"})
    label = None
    if not form.is_bound:
        label = scale_label(record, packed=now)
    elif form.is_valid():
        data = form.cleaned_data
        packed = timezone.localtime(data["packed_at"]) if data["packed_at"] else now
        label = scale_label(
            record, packed=packed, weight=data["weight"], mode=data["mode"] or None, layout=data["layout"] or "price4"
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Label: {at_store.scale_item} at {at_store.store}",
        "opts": model_admin.model._meta,
        "original": at_store,
        "at_store": at_store,
        "record": record,
        "record_mode": MODES[record_mode(record)],
        "form": form,
        "label": label,
        "time_zone": timezone.get_current_timezone_name(),
        "item_url": reverse("admin:scales_scaleitem_change", args=[at_store.scale_item_id]),
        "at_store_url": reverse("admin:scales_scaleitemstore_change", args=[at_store.pk]),
    }
    return TemplateResponse(request, "scales/label_preview.html", context)
