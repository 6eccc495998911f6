"""Stores as the scale integration knows them: the ones a scale push named, and the form that
maps a scale store id to a store number (through ``scale_store_map``, as ``map_scale_store``
does). Thin: the form is parsed, the service called, the answer rendered."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from ecrs_hub.admin.common import ReadOnlyAdmin, changelist_url, count_subquery

from ..models import ScaleItemStore, ScaleStore
from ..services.stores import ScaleStoreMappingError, scale_store_map


@admin.register(ScaleStore)
class ScaleStoreAdmin(ReadOnlyAdmin):
    """Stores a scale push named (and stores staff may map). Mapping is a form of its own
    (:func:`map_store`), the same as ``map_scale_store``."""

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
        return map_store(self, request)

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


class MapStoreForm(forms.Form):
    scale_store_id = forms.CharField(
        label="Scale store id", max_length=64, help_text="The storeId CATAPULT's scale client sends."
    )
    store_number = forms.CharField(
        label="Store number",
        max_length=10,
        help_text="The store that id belongs to. An unmapped store created by pushes under this id is merged "
        "into it (its scale items move over).",
    )


def map_store(model_admin, request):
    """Give a store number a scale store id (merging the unmapped store), as
    ``map_scale_store`` does."""
    if not model_admin.has_map_permission(request):
        raise PermissionDenied
    if request.method == "POST":
        form = MapStoreForm(request.POST)
        if form.is_valid():
            try:
                store = scale_store_map(**form.cleaned_data)
            except ScaleStoreMappingError as exc:
                form.add_error(None, f"Nothing was changed: {exc}.")
            else:
                messages.success(request, f"Scale store {store.scale_store_id} is store {store}.")
                return HttpResponseRedirect(reverse("admin:scales_scalestore_changelist"))
    else:
        form = MapStoreForm(initial={key: request.GET.get(key, "") for key in ("scale_store_id", "store_number")})
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Map a scale store",
        "opts": model_admin.model._meta,
        "form": form,
    }
    return TemplateResponse(request, "scales/map_store.html", context)
