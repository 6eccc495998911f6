"""The admin toolkit every app's admin uses: links and formatting, the read-only base admin
and inline (for data CATAPULT or Cognition owns: no add, change or delete), the yes/no list
filter, the correlated-count annotation, and the once-only page that shows a new key."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from ecrs_hub.queries import count_subquery  # noqa: F401  (part of the toolkit)


def admin_change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def key_once_response(model_admin: admin.ModelAdmin, request, template: str, context: dict) -> TemplateResponse:
    """The one page that ever shows a key (an integration's, an API token's). It answers the
    POST that issued the key; nothing stores the key, so it cannot be shown again, and the
    page is never cached."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "changelist_url": reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"),
        **context,
    }
    response = TemplateResponse(request, template, context)
    add_never_cache_headers(response)
    return response


def adopt_created(obj: models.Model, created: models.Model, fields: tuple[str, ...], issued) -> None:
    """Make the admin's unsaved ``obj`` the row a service created (copying ``fields``), so the
    admin logs the addition against it and ``response_add`` finds the issued key. A row with
    a key only ever comes from the service, which generates the key and stores its hash: the
    admin never saves a keyless row."""
    for field in ("id", *fields):
        setattr(obj, field, getattr(created, field))
    obj._state.adding, obj._state.db = False, created._state.db
    obj._issued_key = issued


MAX_LINKED = 50  # rows listed on a detail page before "and N more"


def change_url(model, pk) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])


def changelist_url(model, **params) -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


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
    """Another system (CATAPULT, Cognition) owns this data: staff with the view permission see
    it, nobody edits it here.

    Where fieldsets are declared, any model field they do not name, nor a display in
    ``covered_fields`` shows, is added under "Other fields", so a field added to the wire
    schema appears without anyone remembering this file."""

    covered_fields: tuple[str, ...] = ()
    bookkeeping = ("last_push_link", "created_at", "updated_at", "content_hash")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        if not self.fieldsets:
            return super().get_fieldsets(request, obj)
        declared = list(self.fieldsets)
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
        if not self.fieldsets:
            return super().get_readonly_fields(request, obj)
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
