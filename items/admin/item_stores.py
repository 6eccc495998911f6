"""Items at stores: prices, promotions, scale fields and the price label types they name."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from .. import selectors
from ..models import ItemStore, PriceLabelType
from .common import TARE_TYPE, UNIT_OF_MEASURE, ReadOnlyAdmin, change_url


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
