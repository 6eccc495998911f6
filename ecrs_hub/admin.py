"""Staff UI for the push machinery: integrations and their keys, the push log, refused
requests (CONTRACT 2.1, 2.3). Actions call services; nothing here writes on its own."""

from __future__ import annotations

import contextlib
import json
import zlib
from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.utils import flatten_fieldsets
from django.db import DatabaseError
from django.db.models import F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join

from .models import Integration, Push, RefusedRequest
from .receiving import push_replay
from .services import IssuedKey, integration_create, integration_rotate_key

admin.site.site_header = "ECRS Hub"
admin.site.site_title = "ECRS Hub"
admin.site.index_title = "Store back office"

BODY_PREVIEW_BYTES = 20 * 1024
FAILURE_WINDOW = timedelta(hours=24)
NOT_OK = (Push.Status.PARTIAL, Push.Status.REJECTED, Push.Status.FAILED)

# Where CATAPULT sends each kind of push (CONTRACT 1, 2.5-2.8), labelled as the fields of
# the Web Office Third Party Service profile (ECRS document 003, "Required Actions").
ENDPOINT_PATHS = {
    Integration.Kind.ITEMS: (
        ("URL (items)", "ecrs/items/"),
        ("Image URL", "ecrs/images/"),
        ("Price Label Settings URL", "ecrs/price-label-settings/"),
    ),
    Integration.Kind.SCALES: (("Scale Items URL", "ecrs/scale-items/"),),
}


def admin_change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def endpoint_urls(request, kind: str) -> list[tuple[str, str]]:
    prefix = get_script_prefix()
    return [(label, request.build_absolute_uri(prefix + path)) for label, path in ENDPOINT_PATHS.get(kind, ())]


def issued_key_response(model_admin: admin.ModelAdmin, request, issued: list[IssuedKey], *, rotated: bool):
    """The one page that ever shows a key: the bare key and the strings to paste into
    CATAPULT Web Office. It answers the POST that created or rotated the key; nothing stores
    the key, so it cannot be shown again, and the page is never cached."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "New API key" if rotated else "Integration created",
        "rotated": rotated,
        "issued": [
            {
                "integration": key.integration,
                "key": key.key,
                "header_string": key.header_string,
                "query_string": key.query_string,
                "urls": endpoint_urls(request, key.integration.kind),
                "change_url": admin_change_url(key.integration),
            }
            for key in issued
        ],
        "changelist_url": reverse("admin:ecrs_hub_integration_changelist"),
    }
    response = TemplateResponse(request, "admin/ecrs_hub/integration/key_issued.html", context)
    add_never_cache_headers(response)
    return response


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
        since = timezone.now() - FAILURE_WINDOW
        failures = (
            Push.objects.filter(integration=OuterRef("pk"), received_at__gte=since, status__in=NOT_OK)
            .order_by()
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(failures_24h=Coalesce(Subquery(failures, output_field=IntegerField()), 0))
        )

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
            # The change page lists where CATAPULT Web Office must send (not the key).
            context["endpoint_urls"] = endpoint_urls(request, obj.kind)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new integration only ever comes from the service, which generates the key and
        # stores its hash: the admin never saves a keyless row.
        issued = integration_create(name=obj.name, kind=obj.kind, enabled=obj.enabled, notes=obj.notes)
        created = issued.integration
        for field in ("id", "key_prefix", "key_hash", "created_at"):
            setattr(obj, field, getattr(created, field))
        obj._state.adding, obj._state.db = False, created._state.db
        obj._issued_key = issued

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


# --- the push log ---------------------------------------------------------------------


def body_preview(push: Push, limit: int = BODY_PREVIEW_BYTES) -> tuple[str, bool]:
    """The first ``limit`` bytes of the stored body, decompressed no further than that, and
    whether it was cut. A body that fits and parses as JSON is shown indented."""
    if push.body_compressed is None:
        return "", False
    decompressor = zlib.decompressobj()
    try:
        head = decompressor.decompress(bytes(push.body_compressed), limit)
    except zlib.error as exc:
        return f"(the stored body cannot be decompressed: {exc})", False
    cut = bool(decompressor.unconsumed_tail) or not decompressor.eof
    text = head.decode("utf-8", errors="replace")
    if not cut:
        with contextlib.suppress(ValueError):  # not JSON: shown as sent
            text = json.dumps(json.loads(head), indent=2, ensure_ascii=False)
        if len(text) > limit:
            text, cut = text[:limit], True
    return text, cut


@admin.register(Push)
class PushAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "received_at",
        "integration",
        "endpoint",
        "status_badge",
        "http",
        "records",
        "created",
        "updated",
        "unchanged",
        "deleted",
        "rejected",
        "size_human",
        "duration",
        "remote_addr",
    )
    list_display_links = ("id", "received_at")
    list_filter = ("status", "endpoint", "integration")
    list_select_related = ("integration",)
    date_hierarchy = "received_at"
    search_fields = ("=sha256", "message", "remote_addr")
    actions = ("replay",)
    fieldsets = (
        ("Outcome", {"fields": (("status", "http"), "message", "counts", "duration")}),
        ("Problems", {"fields": ("problems_table", "warnings_list")}),
        (
            "Request",
            {
                "fields": (
                    "integration",
                    "endpoint",
                    "received_at",
                    "remote_addr",
                    "content_type",
                    "size_human",
                    "sha256",
                    "stored_files",
                    "body_pruned_at",
                )
            },
        ),
        ("Replays", {"fields": ("replay_of_link", "replays_list")}),
        ("Body", {"fields": ("body",)}),
    )
    readonly_fields = flatten_fieldsets(fieldsets)

    def get_queryset(self, request):
        # The raw body can be megabytes per row: only the detail page reads it.
        return super().get_queryset(request).defer("body_compressed")

    # The log is append-only: pushes arrive through /ecrs/, old bodies go by prune_pushes.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_replay_permission(self, request):
        # Replaying writes catalog data, so it needs more than the view permission.
        return request.user.has_perm("ecrs_hub.change_push")

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="ecrs-status ecrs-status-{}">{}</span>', obj.status, obj.status)

    @admin.display(description="HTTP", ordering="http_status")
    def http(self, obj):
        return obj.http_status

    @admin.display(description="Size", ordering="size")
    def size_human(self, obj):
        return filesizeformat(obj.size)

    @admin.display(description="ms", ordering="duration_ms")
    def duration(self, obj):
        return obj.duration_ms

    @admin.display(description="Records")
    def counts(self, obj):
        return (
            f"{obj.records} records: {obj.created} created, {obj.updated} updated, {obj.unchanged} unchanged, "
            f"{obj.deleted} deleted, {obj.rejected} rejected"
        )

    @admin.display(description="Problems")
    def problems_table(self, obj):
        if not obj.problems:
            return "None"
        rows = format_html_join(
            "",
            "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td></tr>",
            (
                (problem.get("path", ""), problem.get("rule", ""), _value_text(problem.get("value")))
                for problem in obj.problems
            ),
        )
        return format_html(
            '<table class="ecrs-table"><thead><tr><th>JSON path</th><th>Rule</th><th>Value</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="Warnings")
    def warnings_list(self, obj):
        if not obj.warnings:
            return "None"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((text,) for text in obj.warnings)))

    @admin.display(description="Files")
    def stored_files(self, obj):
        if not obj.files:
            return "None"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><code>{}</code> {} ({})</li>",
                (
                    (
                        stored.get("path") or stored.get("name", ""),
                        stored.get("kind", ""),
                        filesizeformat(stored.get("size") or 0),
                    )
                    for stored in obj.files
                ),
            ),
        )

    @admin.display(description="Replay of")
    def replay_of_link(self, obj):
        if obj.replay_of_id is None:
            return "—"
        url = reverse("admin:ecrs_hub_push_change", args=[obj.replay_of_id])
        return format_html('<a href="{}">push #{}</a>', url, obj.replay_of_id)

    @admin.display(description="Replayed as")
    def replays_list(self, obj):
        replays = list(obj.replays.order_by("received_at", "id").values_list("pk", "received_at", "status"))
        if not replays:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">push #{}</a> at {}: {}</li>',
                (
                    (
                        reverse("admin:ecrs_hub_push_change", args=[pk]),
                        pk,
                        f"{timezone.localtime(at):%Y-%m-%d %H:%M:%S}",
                        status,
                    )
                    for pk, at, status in replays
                ),
            ),
        )

    @admin.display(description="Body")
    def body(self, obj):
        if obj.body_pruned_at is not None:
            return f"Pruned on {timezone.localtime(obj.body_pruned_at):%Y-%m-%d %H:%M}: the raw body is no longer kept."
        if obj.body_compressed is None:
            if obj.files:
                return "Kept in file storage (see Files)."
            return "No body was stored."
        text, cut = body_preview(obj)
        if cut:
            note = f"The first {filesizeformat(BODY_PREVIEW_BYTES)} of {filesizeformat(obj.size)}:"
            return format_html('<p class="help">{}</p><pre class="ecrs-pre">{}</pre>', note, text)
        return format_html('<pre class="ecrs-pre">{}</pre>', text)

    @admin.action(
        description="Replay",
        description_plural="Replay the selected pushes (re-run ingest on their stored bodies, oldest first)",
        permissions=["replay"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def replay(self, request, queryset):
        # Oldest first: a replay applies pages again in their original arrival order.
        pushes = list(queryset.select_related("integration").order_by("received_at", "id"))
        replays = []
        for push in pushes:
            if push.body_pruned_at is not None:
                self.message_user(
                    request,
                    f"Push #{push.pk} cannot be replayed: its body was pruned on "
                    f"{timezone.localtime(push.body_pruned_at):%Y-%m-%d}.",
                    messages.WARNING,
                )
                continue
            try:
                replay = push_replay(push)
            except (ValueError, DatabaseError) as exc:
                self.message_user(request, f"Push #{push.pk} could not be replayed: {exc}", messages.ERROR)
                continue
            replays.append(replay)
            level = messages.SUCCESS if replay.status == Push.Status.OK else messages.WARNING
            self.message_user(
                request,
                format_html(
                    'Push #{} replayed as <a href="{}">push #{}</a>: {} (HTTP {}). {}',
                    push.pk,
                    admin_change_url(replay),
                    replay.pk,
                    replay.get_status_display(),
                    replay.http_status,
                    replay.message,
                ),
                level,
            )
        if len(pushes) == 1 and len(replays) == 1:
            return HttpResponseRedirect(admin_change_url(replays[0]))
        return None


def _value_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@admin.register(RefusedRequest)
class RefusedRequestAdmin(admin.ModelAdmin):
    list_display = ("received_at", "remote_addr", "endpoint", "reason")
    list_filter = ("endpoint", "reason")
    date_hierarchy = "received_at"
    search_fields = ("remote_addr", "endpoint", "reason")
    readonly_fields = ("received_at", "remote_addr", "endpoint", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
