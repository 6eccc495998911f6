"""The staff admin of the shared machinery: integrations and their keys, the push log and
refused requests, staff API tokens. Actions call services; nothing here writes on its own."""

from django.contrib import admin

from . import integrations, pushes, tokens  # noqa: F401  (they register the model admins)

admin.site.site_header = "ECRS Hub"
admin.site.site_title = "ECRS Hub"
admin.site.index_title = "Store back office"
