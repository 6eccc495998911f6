"""What the model admins share: links, and the once-only page that shows a new key."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers


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
