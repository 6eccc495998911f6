"""Staff UI for the catalog CATAPULT pushes. CATAPULT owns every row here, so the admin
only shows: no add, change or delete. References kept as identifiers (image names, price
label type ids, alternate → base) are resolved for display, whichever side arrived first.

List pages annotate what they show (counts, image paths, base item ids) with correlated
subqueries, so a page costs the same few queries whatever its length."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Exists, OuterRef, Subquery
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from . import selectors
from .models import Item, ItemImage, ItemStore, ItemSupplier, PriceLabelType, Store, Supplier

MAX_LINKED = 50  # rows listed on a detail page before "and N more"

UNIT_OF_MEASURE = {1: "Grams", 2: "Kilograms", 3: "Pounds", 4: "Ounces", 5: "Hundred Grams"}
TARE_TYPE = {0: "None", 1: "Percent", 2: "Fixed", 3: "Percent and Fixed", 4: "Prompt", 5: "Select"}
IMAGE_LABELS = {"image": "Item image", **{f"health_attr_img{n}": f"Health attribute image {n}" for n in range(1, 7)}}


# --- shared pieces ------------------------------------------------------------------------


def change_url(model, pk) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])


def changelist_url(model, **params) -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def image_url(path: str) -> str:
    return ItemImage._meta.get_field("file").storage.url(path)


def thumbnail_html(path: str | None, alt: str, css_class: str = "ecrs-thumb"):
    if not path:
        return ""
    return format_html('<img src="{}" alt="{}" class="{}" loading="lazy">', image_url(path), alt, css_class)


def money(value: Decimal | None) -> str:
    """4.9900 → 4.99; keeps places that matter (0.1250 → 0.125)."""
    if value is None:
        return ""
    cents = value.quantize(Decimal("0.01"))
    return str(cents) if cents == value else str(value.normalize())


def priced(price: Decimal | None, divider: int | None) -> str:
    """A price with its pricing divider as shelf tags show it: 2/5.00."""
    if price is None:
        return ""
    return f"{divider}/{money(price)}" if divider and divider > 1 else money(price)


def pretty_json(value):
    if not value:
        return "None"
    return format_html(
        '<pre class="ecrs-pre">{}</pre>', json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    )


def linked_list(rows, total: int, more_url: str | None = None):
    """``rows`` are (url, text); says how many more there are when cut at MAX_LINKED."""
    if not rows:
        return "None"
    items = format_html_join("", '<li><a href="{}">{}</a></li>', rows)
    more = ""
    if total > len(rows):
        more = format_html("<li>… and {} more</li>", total - len(rows))
        if more_url:
            more = format_html('<li><a href="{}">… and {} more</a></li>', more_url, total - len(rows))
    return format_html("<ul>{}{}</ul>", items, more)


class ReadOnlyAdmin(admin.ModelAdmin):
    """CATAPULT owns this data: staff with the view permission see it, nobody edits it here.

    Detail pages show the declared fieldsets; any model field they do not name, nor a
    display in ``covered_fields`` shows, is added under "Other fields", so a field added to
    the wire schema appears without anyone remembering this file."""

    covered_fields: tuple[str, ...] = ()
    bookkeeping = ("last_push_link", "created_at", "updated_at", "content_hash")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        declared = list(self.fieldsets or ())
        shown = set(flatten_fieldsets(declared)) | set(self.covered_fields) | {"id"}
        other = [
            field.name
            for field in self.model._meta.concrete_fields
            if field.name not in shown and (field.attname not in shown)
        ]
        if other:
            declared.append(("Other fields", {"fields": other}))
        return declared

    def get_readonly_fields(self, request, obj=None):
        return flatten_fieldsets(self.get_fieldsets(request, obj))

    @admin.display(description="Last push")
    def last_push_link(self, obj):
        # By id, so the push (and its raw body) is not loaded.
        if not obj.last_push_id:
            return "—"
        return format_html(
            '<a href="{}">push #{}</a>',
            reverse("admin:ecrs_hub_push_change", args=[obj.last_push_id]),
            obj.last_push_id,
        )

    @admin.display(description="Unknown fields (kept as sent)")
    def extra_json(self, obj):
        return pretty_json(obj.extra)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- stores -----------------------------------------------------------------------------------


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
        return super().get_queryset(request).annotate(item_count=selectors.count_subquery(active))

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


# --- items ------------------------------------------------------------------------------------


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


def is_null_filter(title: str, parameter: str, field: str, *, set_label: str, null_label: str):
    """A yes/no list filter on whether ``field`` is set."""

    class IsNullFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            return [("yes", set_label), ("no", null_label)]

        def queryset(self, request, queryset):
            if self.value() in ("yes", "no"):
                return queryset.filter(**{f"{field}__isnull": self.value() == "no"})
            return queryset

    IsNullFilter.title, IsNullFilter.parameter_name = title, parameter
    return IsNullFilter


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
                store_count=selectors.count_subquery(active_stores),
                alternate_count=selectors.count_subquery(alternates),
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


# --- items at stores --------------------------------------------------------------------------


class PriceLabelTypeFilter(admin.SimpleListFilter):
    title = "price label type"
    parameter_name = "price_label_type"

    def lookups(self, request, model_admin):
        return [(record_id, str(record_id)) for record_id in PriceLabelType.objects.values_list("record_id", flat=True)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            record_id = int(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(selectors.price_label_type_references(record_id))


@admin.register(ItemStore)
class ItemStoreAdmin(ReadOnlyAdmin):
    list_display = (
        "item",
        "store",
        "deleted",
        "price1",
        "price2",
        "price3",
        "price4",
        "promo_price1",
        "promo_end",
        "updated_at",
    )
    list_select_related = ("item", "store")
    list_filter = ("store", "deleted", PriceLabelTypeFilter)
    search_fields = ("^item__item_id", "item__item_name")
    fieldsets = (
        (
            "Item at store",
            {
                "fields": (
                    "item",
                    "store",
                    ("deleted", "deleted_at"),
                    ("location", "sequence_number"),
                    ("local", "dsd", "discontinued", "web_cart_enabled"),
                )
            },
        ),
        ("Prices", {"fields": tuple((f"price{n}", f"divider{n}", f"discount{n}") for n in range(1, 5))}),
        (
            "Promotion",
            {
                "fields": (
                    "wrk_name",
                    ("promo_start", "promo_end"),
                    *((f"promo_price{n}", f"promo_divider{n}", f"promo_discount{n}") for n in range(1, 5)),
                )
            },
        ),
        (
            "Scale",
            {
                "fields": (
                    "weight",
                    ("unit_of_measure_label", "tare_type_label"),
                    ("fixed_tare", "percent_tare"),
                    ("shelf_life", "force_shelf_life"),
                    *((f"desc_line{n}", f"desc_size{n}") for n in range(1, 5)),
                    ("fixed_weight_amt", "by_count_qty"),
                    "ingredients",
                    tuple(f"user_assigned{n}" for n in range(1, 5)),
                    tuple(f"user_assigned{n}" for n in range(5, 8)),
                )
            },
        ),
        (
            "Store power fields",
            {
                "fields": (
                    tuple(f"local_power_field{n}" for n in range(1, 5)),
                    tuple(f"local_power_field{n}" for n in range(5, 9)),
                )
            },
        ),
        (
            "Grades",
            {
                "fields": (
                    tuple(f"weighted_{grade}_grade" for grade in ("net_sales", "velocity", "profit", "dept", "basket")),
                    tuple(f"percent_{grade}_grade" for grade in ("net_sales", "velocity", "profit", "dept", "basket")),
                )
            },
        ),
        ("Price label types", {"fields": ("price_label_types",)}),
        ("Unknown fields", {"fields": ("extra_json",)}),
        ("Last received", {"fields": ReadOnlyAdmin.bookkeeping}),
    )
    covered_fields = (
        "unit_of_measure",
        "tare_type",
        "extra",
        "last_push",
        *(f"pcl_name{n}" for n in range(1, 5)),
        *(f"pcl_promo_name{n}" for n in range(1, 5)),
        *(f"pl{n}_settings_id" for n in range(1, 5)),
        *(f"pl{n}_promo_settings_id" for n in range(1, 5)),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "store")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = f"{obj.item} at {obj.store}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="Unit of measure")
    def unit_of_measure_label(self, obj):
        return _enum_label(obj.unit_of_measure, UNIT_OF_MEASURE)

    @admin.display(description="Tare type")
    def tare_type_label(self, obj):
        return _enum_label(obj.tare_type, TARE_TYPE)

    @admin.display(description="Price label types")
    def price_label_types(self, obj):
        labels = selectors.price_label_types_by_record_id(obj.price_label_type_ids)

        def label_cell(record_id):
            if not record_id:
                return ""
            label = labels.get(record_id)
            if label is None:
                return format_html('{} <span class="ecrs-missing">(settings not received yet)</span>', record_id)
            return format_html('<a href="{}">{}</a>', change_url(PriceLabelType, label.pk), record_id)

        rows = [
            (
                n,
                getattr(obj, f"pcl_name{n}") or "",
                label_cell(getattr(obj, f"pl{n}_settings_id")),
                getattr(obj, f"pcl_promo_name{n}") or "",
                label_cell(getattr(obj, f"pl{n}_promo_settings_id")),
            )
            for n in range(1, 5)
        ]
        return format_html(
            '<table class="ecrs-table"><thead><tr><th>Level</th><th>Price label type</th><th>Settings id</th>'
            "<th>Promotional price label type</th><th>Settings id</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


def _enum_label(value: int | None, labels: dict[int, str]) -> str:
    if value is None:
        return "—"
    return f"{value} — {labels.get(value, 'unknown value')}"


# --- suppliers --------------------------------------------------------------------------------


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    list_display = ("supplier_id", "name", "unit_count", "updated_at")
    search_fields = ("=supplier_id", "name")
    fieldsets = ((None, {"fields": ("supplier_id", "name", "units_link", "created_at", "updated_at")}),)

    def get_queryset(self, request):
        units = ItemSupplier.objects.filter(supplier=OuterRef("supplier_id"), deleted=False)
        return super().get_queryset(request).annotate(unit_count=selectors.count_subquery(units))

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


# --- images and price label types -------------------------------------------------------------


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
