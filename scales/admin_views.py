"""Admin pages of the scales app that are not model forms: the label preview of an item at a
store, and the form that maps a scale store id to a store number. Thin: they parse a form,
call one selector or service, render."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from .label import BARCODE_FORMATS, MODES, record_mode, scale_label
from .selectors import scale_item_store_resolved
from .services.stores import ScaleStoreMappingError, scale_store_map


class LabelPreviewForm(forms.Form):
    weight = forms.DecimalField(
        label="Weight on the scale",
        help_text="Gross, in the item's unit; the tare is subtracted. Only weighed items need it.",
        required=False,
        min_value=Decimal("0.001"),
        max_value=Decimal("99999"),
        max_digits=8,
        decimal_places=3,
    )
    packed_at = forms.DateTimeField(
        label="Packed at",
        help_text="In the hub's time zone; empty means now.",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    mode = forms.ChoiceField(label="Sold", required=False, choices=[("", "As the record says"), *MODES.items()])
    layout = forms.ChoiceField(label="Barcode layout", required=False, choices=list(BARCODE_FORMATS.items()))


def label_preview(model_admin, request, object_id: str):
    """The label of an item at a store as a scale prints it, from its resolved record."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        found = scale_item_store_resolved(int(object_id))
    except ValueError:
        found = None
    if found is None:
        raise Http404("No such item at a store.")
    at_store, record = found
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = LabelPreviewForm(request.GET or None, initial={"packed_at": now, "layout": "price4"})
    label = None
    if not form.is_bound:
        label = scale_label(record, packed=now)
    elif form.is_valid():
        data = form.cleaned_data
        packed = timezone.localtime(data["packed_at"]) if data["packed_at"] else now
        label = scale_label(
            record, packed=packed, weight=data["weight"], mode=data["mode"] or None, layout=data["layout"] or "price4"
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Label: {at_store.scale_item} at {at_store.store}",
        "opts": model_admin.model._meta,
        "original": at_store,
        "at_store": at_store,
        "record": record,
        "record_mode": MODES[record_mode(record)],
        "form": form,
        "label": label,
        "time_zone": timezone.get_current_timezone_name(),
        "item_url": reverse("admin:scales_scaleitem_change", args=[at_store.scale_item_id]),
        "at_store_url": reverse("admin:scales_scaleitemstore_change", args=[at_store.pk]),
    }
    return TemplateResponse(request, "scales/label_preview.html", context)


class MapStoreForm(forms.Form):
    scale_store_id = forms.CharField(
        label="Scale store id", max_length=64, help_text="The storeId CATAPULT's scale client sends."
    )
    store_number = forms.CharField(
        label="Store number",
        max_length=10,
        help_text="The store that id belongs to. An unmapped store created by pushes under this id is merged "
        "into it (its scale items move over).",
    )


def map_store(model_admin, request):
    """Give a store number a scale store id (merging the unmapped store), as
    ``map_scale_store`` does."""
    if not model_admin.has_map_permission(request):
        raise PermissionDenied
    if request.method == "POST":
        form = MapStoreForm(request.POST)
        if form.is_valid():
            try:
                store = scale_store_map(**form.cleaned_data)
            except ScaleStoreMappingError as exc:
                form.add_error(None, f"Nothing was changed: {exc}.")
            else:
                messages.success(request, f"Scale store {store.scale_store_id} is store {store}.")
                return HttpResponseRedirect(reverse("admin:scales_scalestore_changelist"))
    else:
        form = MapStoreForm(initial={key: request.GET.get(key, "") for key in ("scale_store_id", "store_number")})
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Map a scale store",
        "opts": model_admin.model._meta,
        "form": form,
    }
    return TemplateResponse(request, "scales/map_store.html", context)
