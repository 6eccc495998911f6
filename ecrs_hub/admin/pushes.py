"""Staff UI for what arrived: the push log (replayable) and refused requests (CONTRACT 2.1,
2.3). Pushed data is read-only here; actions call services."""

from __future__ import annotations

import contextlib
import json
import zlib

from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.utils import flatten_fieldsets
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from ecrs_hub.models import Push, RefusedRequest
from ecrs_hub.services import push_replay, pushes_interrupted_mark

from .common import admin_change_url

BODY_PREVIEW_BYTES = 20 * 1024


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

    def changelist_view(self, request, extra_context=None):
        pushes_interrupted_mark()  # the log never shows a dead push as still "received"
        return super().changelist_view(request, extra_context)

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
