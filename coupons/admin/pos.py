"""Staff UI for what the POS changes: clips (a customer's coupons and their state), the
pending redemptions view (with the release action), POS transactions with their update and
commit history, redemptions, the audit trail, coupons commits listed but the hub did not
redeem, and unknown POS requests. All read-only here:
the only write is releasing pendings, through ``pendings_release``."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince

from ecrs_hub.admin.common import ReadOnlyAdmin, ReadOnlyInline, change_url, changelist_url, count_subquery, pretty_json

from ..models import (
    Clip,
    CouponEvent,
    PosTransaction,
    PosTransactionUpdate,
    Redemption,
    Site,
    UnknownCouponInCommit,
    UnknownPosRequest,
)
from ..services import pendings_release

PENDING_PAGE = 100


class UsedFilter(admin.SimpleListFilter):
    title = "used"
    parameter_name = "uses"

    def lookups(self, request, model_admin):
        return [("yes", "Redeemed at least once"), ("no", "Never redeemed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(uses_count__gt=0)
        if self.value() == "no":
            return queryset.filter(uses_count=0)
        return queryset


class PendingSiteFilter(admin.SimpleListFilter):
    title = "pending at site"
    parameter_name = "site"

    def lookups(self, request, model_admin):
        return [(site.pk, site.site_id) for site in Site.objects.order_by("site_id")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            return queryset.filter(pending_transaction__site_id=int(self.value()))
        except ValueError:
            return queryset.none()


def release(model_admin, request, clips) -> None:
    # The service audits a release as abandoned, naming who released it here.
    count = pendings_release(clips=list(clips), actor=request.user)
    skipped = len(clips) - count
    note = f" {skipped} were no longer pending." if skipped else ""
    model_admin.message_user(
        request,
        f"Released {count} pending coupon(s) back to clipped.{note}",
        messages.SUCCESS if count else messages.WARNING,
    )


@admin.register(Clip)
class ClipAdmin(ReadOnlyAdmin):
    list_display = (
        "customer",
        "coupon",
        "state",
        "uses_count",
        "pending_site",
        "pending_transaction",
        "pending_since",
        "clipped_at",
        "redeemed_at",
    )
    list_select_related = ("customer", "coupon", "pending_transaction__site")
    list_filter = ("state", PendingSiteFilter, UsedFilter, ("coupon", admin.RelatedOnlyFieldListFilter))
    search_fields = ("=customer__customer_id", "coupon__coupon_id", "=pending_transaction__transaction_id")
    actions = ("release_pending",)
    fieldsets = (
        (None, {"fields": ("customer", "coupon", "state", "uses_count")}),
        ("Pending", {"fields": ("pending_transaction", "pending_since")}),
        ("Dates", {"fields": ("clipped_at", "redeemed_at", "updated_at")}),
        ("History", {"fields": ("history",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer", "coupon", "pending_transaction__site")

    def get_urls(self):
        view = self.admin_site.admin_view(self.pending_view)
        return [path("pending/", view, name="coupons_clip_pending"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "pending_url": reverse("admin:coupons_clip_pending")}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Site")
    def pending_site(self, obj):
        return obj.pending_transaction.site.site_id if obj.pending_transaction_id else ""

    @admin.display(description="History")
    def history(self, obj):
        events = list(obj.events.select_related("site", "transaction").order_by("-at", "-pk")[:50])
        if not events:
            return "None"
        rows = [
            (
                timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                event.kind,
                f"{event.from_state or '—'} → {event.to_state or '—'}",
                event.site.site_id if event.site_id else "",
                event.transaction.transaction_id if event.transaction_id else "",
                event.note,
            )
            for event in events
        ]
        return format_html(
            '<table class="ecrs-table"><thead><tr><th>When</th><th>What</th><th>State</th><th>Site</th>'
            "<th>Transaction</th><th>Note</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr>" + "<td>{}</td>" * 6 + "</tr>", rows),
        )

    def has_release_permission(self, request) -> bool:
        # Releasing changes clips: staff who may change them (not those who may only look).
        return request.user.has_perm("coupons.change_clip")

    @admin.action(description="Release selected pending coupons back to clipped", permissions=["release"])
    def release_pending(self, request, queryset):
        release(self, request, list(queryset.filter(state=Clip.State.PENDING)))

    def pending_view(self, request):
        """Pending redemptions, oldest first: where and on which transaction each coupon
        waits for a commit, and how long it has waited. Staff release the selected ones."""
        if request.method == "POST":
            if not self.has_release_permission(request):
                raise PermissionDenied
            pks = [int(pk) for pk in request.POST.getlist("clip") if pk.isdigit()]
            clips = list(Clip.objects.filter(pk__in=pks, state=Clip.State.PENDING))
            if not pks:
                self.message_user(request, "Select the pending coupons to release.", messages.WARNING)
            else:
                release(self, request, clips)
            return HttpResponseRedirect(request.get_full_path())
        pending = (
            Clip.objects.filter(state=Clip.State.PENDING)
            .select_related("customer", "coupon", "pending_transaction__site")
            .order_by("pending_since", "pk")
        )
        site = request.GET.get("site", "")
        if site.isdigit():
            pending = pending.filter(pending_transaction__site_id=int(site))
        page = Paginator(pending, PENDING_PAGE).get_page(request.GET.get("p"))
        now = timezone.now()
        rows = [
            {
                "clip": clip,
                "site": clip.pending_transaction.site,
                "transaction": clip.pending_transaction,
                "age": timesince(clip.pending_since, now),
                "customer_url": change_url(type(clip.customer), clip.customer_id),
                "coupon_url": change_url(type(clip.coupon), clip.coupon_id),
                "transaction_url": change_url(PosTransaction, clip.pending_transaction_id),
            }
            for clip in page
        ]
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "can_release": self.has_release_permission(request),
            "opts": self.model._meta,
            "title": "Pending redemptions",
            "subtitle": None,
            "rows": rows,
            "page": page,
            "sites": Site.objects.order_by("site_id"),
            "site": site,
            "clips_url": changelist_url(Clip, state__exact="pending"),
        }
        return render(request, "coupons/admin/pending_redemptions.html", context)


class UpdateInline(ReadOnlyInline):
    model = PosTransactionUpdate
    fields = ("at", "transient", "applied", "request_body", "answer_body", "warnings")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = "updates (as received and answered)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("transaction__site").order_by("at", "pk")

    @admin.display(description="Applied")
    def applied(self, obj):
        applied = (obj.answer or {}).get("applied") or []
        return ", ".join(f"{entry.get('couponId')} −{entry.get('totalDiscount')}" for entry in applied) or "—"

    @admin.display(description="Request")
    def request_body(self, obj):
        return _collapsed(obj.request)

    @admin.display(description="Answer")
    def answer_body(self, obj):
        return _collapsed(obj.answer)


def _collapsed(value):
    if not value:
        return "—"
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return format_html('<details><summary>JSON</summary><pre class="ecrs-pre">{}</pre></details>', text)


class RedemptionInline(ReadOnlyInline):
    model = Redemption
    fields = ("coupon", "customer", "line_id", "discount", "created_at")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("coupon", "customer", "transaction__site")


class PendingClipInline(ReadOnlyInline):
    model = Clip
    fk_name = "pending_transaction"
    fields = ("coupon", "customer", "pending_since")
    readonly_fields = fields
    verbose_name_plural = "coupons pending on this transaction"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("coupon", "customer", "pending_transaction__site")


class EventInline(ReadOnlyInline):
    model = CouponEvent
    fk_name = "transaction"
    fields = ("at", "kind", "coupon", "customer", "from_state", "to_state", "terminal", "amount", "note")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = "audit events"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("coupon", "customer", "transaction__site")


@admin.register(PosTransaction)
class PosTransactionAdmin(ReadOnlyAdmin):
    list_display = (
        "transaction_id",
        "site",
        "customer",
        "terminal",
        "cashier",
        "status",
        "time",
        "update_count",
        "pending_count",
        "committed_at",
    )
    list_select_related = ("site", "customer")
    list_filter = ("status", "site", "terminal")
    search_fields = ("=transaction_id", "=customer__customer_id")
    date_hierarchy = "created_at"
    inlines = (PendingClipInline, RedemptionInline, UpdateInline, EventInline)
    fieldsets = (
        (None, {"fields": ("site", "transaction_id", "customer", ("terminal", "cashier"), "time", "status")}),
        ("Commit", {"fields": ("committed_at", "committed_coupons_list", "tenders_table", "commit_answer_json")}),
        ("Cancel", {"fields": ("cancelled_at",)}),
        (None, {"fields": ("created_at", "updated_at")}),
    )
    covered_fields = ("tenders", "committed_coupons", "commit_answer")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("site", "customer")
            .annotate(
                update_count=count_subquery(PosTransactionUpdate.objects.filter(transaction=OuterRef("pk"))),
                pending_count=count_subquery(Clip.objects.filter(pending_transaction=OuterRef("pk"))),
            )
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = f"{obj.site.site_id} transaction {obj.transaction_id}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="Updates", ordering="update_count")
    def update_count(self, obj):
        return obj.update_count

    @admin.display(description="Pending", ordering="pending_count")
    def pending_count(self, obj):
        return obj.pending_count

    @admin.display(description="Coupons listed by the commit")
    def committed_coupons_list(self, obj):
        if obj.committed_coupons is None:
            return "—"
        return ", ".join(map(str, obj.committed_coupons)) or "none (redeems every pending coupon)"

    @admin.display(description="Tenders (as sent)")
    def tenders_table(self, obj):
        if not obj.tenders:
            return "—"
        rows = [
            (tender.get("type", ""), tender.get("amount", "")) for tender in obj.tenders if isinstance(tender, dict)
        ]
        return format_html(
            '<table class="ecrs-table"><thead><tr><th>Type</th><th>Amount</th></tr></thead><tbody>{}</tbody></table>',
            format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description="Commit answer")
    def commit_answer_json(self, obj):
        return pretty_json(obj.commit_answer)


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "coupon", "customer", "transaction", "line_id", "discount")
    list_select_related = ("coupon", "customer", "transaction__site")
    list_filter = (("transaction__site", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("coupon__coupon_id", "=customer__customer_id", "=transaction__transaction_id")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("coupon", "customer", "transaction", "clip", "line_id", "discount", "created_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("coupon", "customer", "transaction__site", "clip")


@admin.register(CouponEvent)
class CouponEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "coupon", "customer", "states", "site", "terminal", "transaction", "amount", "note")
    list_select_related = ("coupon", "customer", "site", "transaction__site")
    list_filter = ("kind", "site", ("coupon", admin.RelatedOnlyFieldListFilter))
    search_fields = ("coupon__coupon_id", "=customer__customer_id", "=transaction__transaction_id")
    date_hierarchy = "at"
    fieldsets = (
        (None, {"fields": ("at", "kind", "coupon", "customer", "clip", ("from_state", "to_state"))}),
        ("Where", {"fields": ("site", "terminal", "transaction", "credential")}),
        (None, {"fields": ("amount", "note")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("coupon", "customer", "site", "transaction__site", "clip", "credential")
        )

    @admin.display(description="State")
    def states(self, obj):
        return f"{obj.from_state or '—'} → {obj.to_state or '—'}"


@admin.register(UnknownCouponInCommit)
class UnknownCouponInCommitAdmin(ReadOnlyAdmin):
    """Coupons a commit listed and the hub did not redeem (CONTRACT 3.6), with the reason."""

    list_display = ("at", "coupon_code", "reason", "site", "customer", "transaction", "credential")
    list_select_related = ("site", "customer", "transaction__site", "credential")
    list_filter = ("reason", "site")
    search_fields = ("coupon_code", "=customer__customer_id", "=transaction__transaction_id")
    date_hierarchy = "at"
    fieldsets = (
        (None, {"fields": ("at", "coupon_code", "coupon", "reason")}),
        ("Where", {"fields": ("site", "customer", "transaction", "credential")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("site", "customer", "transaction__site", "coupon", "credential")
        )


@admin.register(UnknownPosRequest)
class UnknownPosRequestAdmin(ReadOnlyAdmin):
    list_display = ("at", "method", "path", "keys", "routed_to", "credential")
    list_select_related = ("credential",)
    list_filter = ("method", "routed_to")
    search_fields = ("path",)
    date_hierarchy = "at"
    fieldsets = (
        (None, {"fields": ("at", "method", "path", "routed_to", "credential")}),
        ("What it carried", {"fields": ("query_keys", "body_keys")}),
    )

    @admin.display(description="Query / body keys")
    def keys(self, obj):
        return f"{', '.join(obj.query_keys or []) or '—'} / {', '.join(obj.body_keys or []) or '—'}"
