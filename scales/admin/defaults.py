"""CATAPULT's Scale Settings default description lines: the hub's own row, edited in place;
saving it renumbers the items at stores whose label it changes (``scale_defaults_save``)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from ..models import ScaleDefaults
from ..services.resolution import scale_defaults_save


@admin.register(ScaleDefaults)
class ScaleDefaultsAdmin(admin.ModelAdmin):
    """CATAPULT's Scale Settings default description lines: one row, edited in place."""

    list_display = ("__str__", "desc_line1", "desc_line2", "desc_line3", "desc_line4", "updated_at")
    fields = ("desc_line1", "desc_line2", "desc_line3", "desc_line4")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ScaleDefaults.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One row: the list is the row itself (or the form to create it).
        defaults = ScaleDefaults.objects.filter(pk=1).first()
        if defaults is None:
            return HttpResponseRedirect(reverse("admin:scales_scaledefaults_add"))
        return HttpResponseRedirect(reverse("admin:scales_scaledefaults_change", args=[defaults.pk]))

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        changed = scale_defaults_save(defaults=obj)
        self.message_user(request, f"{changed} items at stores print differently now and are exported again.")
