"""Items: filters by store, deletion and alternate IDs; prices per store and supplier units inline;
base/alternate links and images resolved for display, whichever side arrived first."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Subquery
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ecrs_hub.admin.common import count_subquery

from .. import selectors
from ..models import Item, ItemImage, ItemStore, ItemSupplier, Store
from .common import (
    IMAGE_LABELS,
    MAX_LINKED,
    ReadOnlyAdmin,
    ReadOnlyInline,
    change_url,
    changelist_url,
    is_null_filter,
    linked_list,
    priced,
    thumbnail_html,
)


class StoreFilter(admin.SimpleListFilter):
    title = "store"
    parameter_name = "store"

    def lookups(self, request, model_admin):
        return [(store.pk, str(store)) for store in Store.objects.order_by("number", "name")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            store = int(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(Exists(ItemStore.objects.filter(item=OuterRef("pk"), store_id=store)))


class DeletedAtStoreFilter(admin.SimpleListFilter):
    title = "deleted from stores"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [
            ("somewhere", "Deleted at some store"),
            ("everywhere", "Deleted at every store"),
            ("nowhere", "Active at every store"),
        ]

    def queryset(self, request, queryset):
        deleted = Exists(ItemStore.objects.filter(item=OuterRef("pk"), deleted=True))
        active = Exists(ItemStore.objects.filter(item=OuterRef("pk"), deleted=False))
        if self.value() == "somewhere":
            return queryset.filter(deleted)
        if self.value() == "everywhere":
            return queryset.filter(deleted).exclude(active)
        if self.value() == "nowhere":
            return queryset.exclude(deleted)
        return queryset


AlternateFilter = is_null_filter(
    "alternate ID", "alternate", "base_record_id", set_label="Alternate IDs", null_label="Base items"
)


class ItemStoreInline(ReadOnlyInline):
    model = ItemStore
    verbose_name_plural = "at stores"
    fields = ("store", "deleted", "price_1", "price_2", "price_3", "price_4", "promotion", "location")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "store").order_by("store__number", "store__name")

    @admin.display(description="Price 1")
    def price_1(self, obj):
        return priced(obj.price1, obj.divider1)

    @admin.display(description="Price 2")
    def price_2(self, obj):
        return priced(obj.price2, obj.divider2)

    @admin.display(description="Price 3")
    def price_3(self, obj):
        return priced(obj.price3, obj.divider3)

    @admin.display(description="Price 4")
    def price_4(self, obj):
        return priced(obj.price4, obj.divider4)

    @admin.display(description="Promotion")
    def promotion(self, obj):
        prices = [
            f"{n}: {priced(getattr(obj, f'promo_price{n}'), getattr(obj, f'promo_divider{n}'))}"
            for n in range(1, 5)
            if getattr(obj, f"promo_price{n}") is not None
        ]
        if not prices and not obj.promo_start and not obj.promo_end:
            return ""
        dates = f"{obj.promo_start or '?'} – {obj.promo_end or '?'}"
        return f"{dates}: {', '.join(prices)}" if prices else dates


class ItemSupplierInline(ReadOnlyInline):
    model = ItemSupplier
    verbose_name_plural = "supplier units"
    fields = ("supplier", "supplier_code", "order_qty", "order_unit", "deleted")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("supplier")


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = (
        "item_id",
        "record_id",
        "item_name",
        "brand",
        "dept_name",
        "base_or_alternate",
        "thumbnail",
        "store_count",
        "updated_at",
    )
    list_display_links = ("item_id", "record_id")
    list_filter = ("dept_name", StoreFilter, DeletedAtStoreFilter, AlternateFilter)
    search_fields = ("^item_id", "^record_id", "item_name", "brand")
    inlines = (ItemStoreInline, ItemSupplierInline)
    fieldsets = (
        (
            "Identity",
            {
                "fields": (
                    "record_id",
                    "item_id",
                    "base_item",
                    "alternates",
                    "item_name",
                    ("receipt_alias", "local_receipt_alias"),
                )
            },
        ),
        (
            "Description",
            {
                "fields": (
                    ("size", "size_qty", "size_unit"),
                    "package_qty",
                    "suggested_retail",
                    "memo",
                    "cool_text",
                    "regional_descriptor",
                    "production_method",
                )
            },
        ),
        (
            "Hierarchy",
            {
                "fields": (
                    ("dept_number", "dept_name"),
                    ("sub_dept_number", "sub_dept_name"),
                    ("category_number", "category_name"),
                    ("sub_category_number", "sub_category_name"),
                    ("variety_number", "variety_name"),
                    "brand",
                )
            },
        ),
        (
            "Power fields",
            {"fields": (tuple(f"power_field{n}" for n in range(1, 5)), tuple(f"power_field{n}" for n in range(5, 9)))},
        ),
        (
            "Attributes",
            {
                "fields": (
                    tuple(f"health_attr{n}" for n in range(1, 7)),
                    tuple(f"marketing_attr{n}" for n in range(1, 4)),
                    tuple(f"marketing_attr{n}" for n in range(4, 7)),
                )
            },
        ),
        ("Images", {"fields": ("images",)}),
        ("Unknown fields", {"fields": ("extra_json",)}),
        ("Last received", {"fields": (*ReadOnlyAdmin.bookkeeping, "record_hash")}),
    )
    covered_fields = ("base_record_id", "extra", "last_push", *IMAGE_LABELS)

    def get_queryset(self, request):
        active_stores = ItemStore.objects.filter(item=OuterRef("pk"), deleted=False)
        alternates = Item.objects.filter(base_record_id=OuterRef("record_id"))
        base = Item.objects.filter(record_id=OuterRef("base_record_id")).values("pk")[:1]
        return (
            super()
            .get_queryset(request)
            .annotate(
                image_file=selectors.image_file_subquery("image"),
                store_count=count_subquery(active_stores),
                alternate_count=count_subquery(alternates),
                base_pk=Subquery(base),
            )
        )

    @admin.display(description="Base / alternate", ordering="base_record_id")
    def base_or_alternate(self, obj):
        if obj.base_record_id:
            if obj.base_pk:
                return format_html(
                    'Alternate of <a href="{}">{}</a>', change_url(Item, obj.base_pk), obj.base_record_id
                )
            return format_html('Alternate of {} <span class="ecrs-missing">(not received)</span>', obj.base_record_id)
        if obj.alternate_count:
            return f"Base item, {obj.alternate_count} alternate{'s' if obj.alternate_count != 1 else ''}"
        return "Base item"

    @admin.display(description="Image")
    def thumbnail(self, obj):
        if obj.image_file:
            return thumbnail_html(obj.image_file, obj.image)
        if obj.image:
            return format_html('<span class="ecrs-missing" title="{}">not received</span>', obj.image)
        return ""

    @admin.display(description="Stores (active)", ordering="store_count")
    def store_count(self, obj):
        return obj.store_count

    @admin.display(description="Base item")
    def base_item(self, obj):
        if not obj.base_record_id:
            return "— (this is a base item)"
        if obj.base_pk:
            return format_html('<a href="{}">{}</a>', change_url(Item, obj.base_pk), obj.base_record_id)
        return format_html('{} <span class="ecrs-missing">(not received yet)</span>', obj.base_record_id)

    @admin.display(description="Alternate IDs")
    def alternates(self, obj):
        if not obj.alternate_count:
            return "None"
        rows = [
            (change_url(Item, pk), f"{record_id} ({item_id})")
            for pk, record_id, item_id in selectors.item_alternates(obj.record_id)
            .order_by("record_id")
            .values_list("pk", "record_id", "item_id")[:MAX_LINKED]
        ]
        return linked_list(rows, obj.alternate_count, changelist_url(Item, q=f"{obj.record_id}-"))

    @admin.display(description="Images")
    def images(self, obj):
        names = [(attr, getattr(obj, attr)) for attr in IMAGE_LABELS if getattr(obj, attr)]
        if not names:
            return "None"
        arrived = selectors.images_by_name([name for _attr, name in names])
        figures = []
        for attr, name in names:
            image = arrived.get(name)
            if image is None:
                picture = mark_safe('<span class="ecrs-missing">not received yet</span>')
            else:
                picture = format_html(
                    '<a href="{}">{}</a>', change_url(ItemImage, image.pk), thumbnail_html(image.file.name, name)
                )
            figures.append((picture, IMAGE_LABELS[attr], name))
        return format_html(
            '<div class="ecrs-figures">{}</div>',
            format_html_join("", "<figure>{}<figcaption>{}<br><code>{}</code></figcaption></figure>", figures),
        )
