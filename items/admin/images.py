"""Item images as received, with the items naming them and whether prune_images may remove them."""

from __future__ import annotations

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from .. import selectors
from ..models import Item, ItemImage
from .common import MAX_LINKED, ReadOnlyAdmin, change_url, image_url, is_null_filter, linked_list, thumbnail_html

# "Referenced" is "not marked unreferenced": the filter's yes is the field's null.
ReferencedFilter = is_null_filter(
    "referenced by items",
    "unreferenced",
    "unreferenced_since",
    set_label="Unreferenced (prune_images candidate)",
    null_label="Referenced",
)


@admin.register(ItemImage)
class ItemImageAdmin(ReadOnlyAdmin):
    list_display = ("thumbnail", "name", "format", "dimensions", "size_human", "updated_at", "unreferenced_since")
    list_display_links = ("thumbnail", "name")
    list_filter = ("format", ReferencedFilter)
    search_fields = ("name", "=sha256")
    fieldsets = (
        (None, {"fields": ("preview", "name", ("format", "dimensions", "size_human"), "sha256", "file")}),
        ("Used by", {"fields": ("referencing_items", "unreferenced_since")}),
        ("Last received", {"fields": ("last_push_link", "created_at", "updated_at")}),
    )
    covered_fields = ("width", "height", "size", "last_push")

    @admin.display(description="Image")
    def thumbnail(self, obj):
        return thumbnail_html(obj.file.name, obj.name)

    @admin.display(description="Image")
    def preview(self, obj):
        return format_html(
            '<a href="{}">{}</a>', image_url(obj.file.name), thumbnail_html(obj.file.name, obj.name, "ecrs-image")
        )

    @admin.display(description="Size")
    def dimensions(self, obj):
        return f"{obj.width}×{obj.height}"

    @admin.display(description="Bytes", ordering="size")
    def size_human(self, obj):
        return filesizeformat(obj.size)

    @admin.display(description="Items naming this image")
    def referencing_items(self, obj):
        items = selectors.items_naming_image(obj.name).order_by("item_id", "record_id")
        rows = [
            (change_url(Item, item.pk), str(item))
            for item in items.only("pk", "item_id", "item_name", "receipt_alias")[:MAX_LINKED]
        ]
        total = len(rows) if len(rows) < MAX_LINKED else items.count()
        return linked_list(rows, total)
