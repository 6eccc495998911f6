"""Staff UI for the integrations CATAPULT (and shopper apps) authenticate with, and their
keys: created or rotated through the services, shown once (CONTRACT 2.1)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import ActionLocation
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html

from ecrs_hub.models import Integration
from ecrs_hub.services import IssuedKey, integration_create, integration_rotate_key

from .common import admin_change_url, adopt_created, key_once_response

# Where CATAPULT sends each kind of push (CONTRACT 1, 2.5-2.8), labelled as the fields of
# the Web Office Third Party Service profile (ECRS document 003, "Required Actions").
ENDPOINT_PATHS = {
    Integration.Kind.ITEMS: (
        ("URL (items)", "ecrs/items/"),
        ("Image URL", "ecrs/images/"),
        ("Price Label Settings URL", "ecrs/price-label-settings/"),
    ),
    Integration.Kind.SCALES: (("Scale Items URL", "ecrs/scale-items/"),),
    Integration.Kind.LABELS: (("Label export (GET)", "ecrs/label-export/<store number>/"),),
    # A shopper app calls the hub (coupons/shopper_api.py); <customer> is the customer's id.
    Integration.Kind.SHOPPER: (
        ("Coupon list (GET)", "api/shopper/customers/<customer>/coupons/?site=<site id>"),
        ("Clip and unclip (POST)", "api/shopper/customers/<customer>/clips/?site=<site id>"),
    ),
}
# The example a shopper app's developer can run as is (README, "Shopper clip API").
SHOPPER_EXAMPLE_PATH = "api/shopper/customers/4001/coupons/?site=STO1"


def endpoint_urls(request, kind: str) -> list[tuple[str, str]]:
    # The paths hold placeholders (<customer>) that must be shown as written, not escaped.
    base = request.build_absolute_uri(get_script_prefix())
    return [(label, base + path) for label, path in ENDPOINT_PATHS.get(kind, ())]


def key_instructions(request, issued: IssuedKey) -> dict:
    """What to do with a new key, by kind: CATAPULT gets a HEADER (JSON) and a QUERY
    PARAMETERS string for Web Office; a shopper app sends its key in a header only."""
    if issued.integration.kind == Integration.Kind.SHOPPER:
        header = f"{Integration.SHOPPER_KEY_HEADER}: {issued.key}"
        example_url = request.build_absolute_uri(get_script_prefix()) + SHOPPER_EXAMPLE_PATH
        return {
            "shopper": True,
            "rows": [("HEADER", header, "issued-header")],
            "example": f"curl -H '{header}' '{example_url}'",
        }
    return {
        "shopper": False,
        "rows": [
            ("HEADER", issued.header_string, "issued-header"),
            ("QUERY PARAMETERS", issued.query_string, "issued-query"),
        ],
    }


def issued_key_response(model_admin: admin.ModelAdmin, request, issued: list[IssuedKey], *, rotated: bool):
    """The bare key and, by kind, how to send it (CATAPULT Web Office's strings, or a shopper
    app's header), once."""
    context = {
        "title": "New API key" if rotated else "Integration created",
        "rotated": rotated,
        "issued": [
            {
                "integration": key.integration,
                "key": key.key,
                **key_instructions(request, key),
                "urls": endpoint_urls(request, key.integration.kind),
                "change_url": admin_change_url(key.integration),
            }
            for key in issued
        ],
    }
    return key_once_response(model_admin, request, "admin/ecrs_hub/integration/key_issued.html", context)


# --- integrations ---------------------------------------------------------------------


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "enabled", "key", "last_push_at", "created_at", "recent_failures")
    list_filter = ("kind", "enabled")
    search_fields = ("name",)
    actions = ("rotate_key",)
    add_fieldsets = ((None, {"fields": ("name", "kind", "enabled", "notes")}),)
    fieldsets = (
        (None, {"fields": ("name", "kind", "enabled", "notes")}),
        ("Key", {"fields": ("key", "created_at", "key_rotated_at")}),
        ("Pushes", {"fields": ("last_push_at", "recent_failures")}),
    )
    readonly_fields = ("key", "created_at", "key_rotated_at", "last_push_at", "recent_failures")

    def get_queryset(self, request):
        return super().get_queryset(request).with_recent_failures()

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    @admin.display(description="Key (first characters)")
    def key(self, obj):
        # Only the prefix, to tell keys apart; the hash is never shown.
        return f"{obj.key_prefix}…" if obj.key_prefix else "—"

    @admin.display(description="Not OK in 24 h", ordering="failures_24h")
    def recent_failures(self, obj):
        count = getattr(obj, "failures_24h", 0)
        if not count:
            return "0"
        url = reverse("admin:ecrs_hub_push_changelist") + f"?integration__id__exact={obj.pk}"
        return format_html('<a href="{}" class="ecrs-bad">{}</a>', url, count)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            # The change page lists where CATAPULT Web Office must send, or what a shopper app
            # calls (not the key).
            context["endpoint_urls"] = endpoint_urls(request, obj.kind)
            context["shopper"] = obj.kind == Integration.Kind.SHOPPER
            context["shopper_key_header"] = Integration.SHOPPER_KEY_HEADER
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = integration_create(name=obj.name, kind=obj.kind, enabled=obj.enabled, notes=obj.notes)
        adopt_created(obj, issued.integration, ("key_prefix", "key_hash", "created_at"), issued)

    def response_add(self, request, obj, post_url_continue=None):
        issued = getattr(obj, "_issued_key", None)
        if issued is None:
            return super().response_add(request, obj, post_url_continue)
        return issued_key_response(self, request, [issued], rotated=False)

    @admin.action(
        description="Rotate key",
        description_plural="Rotate the keys of the selected %(verbose_name_plural)s",
        permissions=["change"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def rotate_key(self, request, queryset):
        integrations = list(queryset.order_by("name"))
        if request.POST.get("confirm") != "yes":
            action_field = "CHANGE_FORM-action" if "CHANGE_FORM-action" in request.POST else "action"
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Rotate key?",
                "integrations": integrations,
                "action_field": action_field,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/ecrs_hub/integration/rotate_key_confirmation.html", context)
        issued = [integration_rotate_key(integration=integration) for integration in integrations]
        for key in issued:
            self.log_change(request, key.integration, "Rotated the API key.")
        return issued_key_response(self, request, issued, rotated=True)
