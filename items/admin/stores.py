"""Stores as CATAPULT pushes them, with their active item counts."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef
from django.utils.html import format_html

from ecrs_hub.admin.common import count_subquery

from ..models import Item, ItemStore, Store
from .common import ReadOnlyAdmin, changelist_url


@admin.register(Store)
class StoreAdmin(ReadOnlyAdmin):
    list_display = ("number", "name", "record_id", "city", "state", "zone", "scale_store_id", "unmapped", "item_count")
    list_display_links = ("number", "name")
    list_filter = ("state", "zone", "unmapped")
    search_fields = ("=number", "name", "=record_id", "=scale_store_id")
    fieldsets = (
        (None, {"fields": ("number", "name", "record_id", "zone", "items_links")}),
        ("Address", {"fields": ("street_address", ("city", "state", "postal_code"))}),
        ("Last received", {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        active = ItemStore.objects.filter(store=OuterRef("pk"), deleted=False)
        return super().get_queryset(request).annotate(item_count=count_subquery(active))

    @admin.display(description="Items (active)", ordering="item_count")
    def item_count(self, obj):
        return obj.item_count

    @admin.display(description="Items")
    def items_links(self, obj):
        return format_html(
            '{} active · <a href="{}">items at this store</a> · <a href="{}">items</a>',
            obj.item_count,
            changelist_url(ItemStore, store__id__exact=obj.pk),
            changelist_url(Item, store=obj.pk),
        )
