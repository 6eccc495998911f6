from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from ..models import LabelTypeLayout


@admin.register(LabelTypeLayout)
class LabelTypeLayoutAdmin(admin.ModelAdmin):
    """Which tag layout prints each CATAPULT price label type, the pushed key/value settings
    shown beside the choice."""

    list_display = ("price_label_type", "layout", "settings_summary")
    list_select_related = ("price_label_type",)
    list_editable = ("layout",)
    fields = ("price_label_type", "layout", "settings_table")
    readonly_fields = ("settings_table",)
    autocomplete_fields = ()

    @admin.display(description="Pushed settings")
    def settings_summary(self, obj):
        settings = obj.price_label_type.settings or []
        return ", ".join(f"{entry.get('key')}={entry.get('value')}" for entry in settings[:4]) + (
            " …" if len(settings) > 4 else ""
        )

    @admin.display(description="Pushed settings")
    def settings_table(self, obj):
        if obj.pk is None or not obj.price_label_type.settings:
            return "Save to see the settings CATAPULT pushed for this price label type."
        rows = ((entry.get("key", ""), entry.get("value") or "") for entry in obj.price_label_type.settings)
        return format_html(
            "<table><thead><tr><th>Key</th><th>Value</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><td><code>{}</code></td><td>{}</td></tr>", rows),
        )
