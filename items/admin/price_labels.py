"""Price label types: their settings and the items at stores that name them."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from .. import selectors
from ..models import ItemStore, PriceLabelType
from .common import ReadOnlyAdmin, changelist_url


@admin.register(PriceLabelType)
class PriceLabelTypeAdmin(ReadOnlyAdmin):
    list_display = ("record_id", "setting_count", "updated_at")
    search_fields = ("=record_id",)
    fieldsets = (
        (None, {"fields": ("record_id", "settings_table", "references")}),
        ("Unknown fields", {"fields": ("extra_json",)}),
        ("Last received", {"fields": ReadOnlyAdmin.bookkeeping}),
    )
    covered_fields = ("settings", "extra", "last_push")

    @admin.display(description="Settings")
    def setting_count(self, obj):
        return len(obj.settings or ())

    @admin.display(description="Settings")
    def settings_table(self, obj):
        if not obj.settings:
            return "None"
        rows = ((entry.get("key", ""), "" if entry.get("value") is None else entry["value"]) for entry in obj.settings)
        return format_html(
            '<table class="ecrs-table"><thead><tr><th>Key</th><th>Value</th></tr></thead><tbody>{}</tbody></table>',
            format_html_join("", "<tr><td><code>{}</code></td><td>{}</td></tr>", rows),
        )

    @admin.display(description="Used by")
    def references(self, obj):
        count = selectors.item_stores_with_price_label_type(obj.record_id).count()
        if not count:
            return "No item at any store names this price label type."
        url = changelist_url(ItemStore, price_label_type=obj.record_id)
        return format_html('<a href="{}">{} item{} at stores</a>', url, count, "" if count == 1 else "s")
