"""What the catalog admins share: links and formatting, the read-only base admin and inline
(CATAPULT owns every row: no add, change or delete), and the yes/no list filter."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from ..models import ItemImage

MAX_LINKED = 50  # rows listed on a detail page before "and N more"

UNIT_OF_MEASURE = {1: "Grams", 2: "Kilograms", 3: "Pounds", 4: "Ounces", 5: "Hundred Grams"}
TARE_TYPE = {0: "None", 1: "Percent", 2: "Fixed", 3: "Percent and Fixed", 4: "Prompt", 5: "Select"}
IMAGE_LABELS = {"image": "Item image", **{f"health_attr_img{n}": f"Health attribute image {n}" for n in range(1, 7)}}


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
