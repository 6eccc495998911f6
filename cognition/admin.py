"""Staff UI for what the hub pulled from Cognition. Pulled data belongs to Cognition, so
everything here is read-only; the only writes are the "target coupons" action (through
``recommendations_target``) and running a reconciliation report. List pages annotate their
counts, so a page costs the same few queries whatever its length."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from ecrs_hub.admin.common import ReadOnlyAdmin, ReadOnlyInline

from . import wire
from .models import (
    Forecast,
    PullRun,
    PullWindow,
    Recommendation,
    ReconciliationReport,
    Transaction,
    TransactionLine,
)
from .services.reconcile import COGNITION_ONLY, HUB_ONLY, MATCHED, reconciliation_run
from .services.targeting import COUPON_KINDS, recommendations_target

LINE_TYPES = {
    1: "Item",
    2: "Tender",
    3: "Tax",
    4: "Discount",
    5: "Item correct",
    15: "Return",
    31: "Vendor coupon",
    35: "Combo total",
    51: "Loyalty",
}


class LineInline(ReadOnlyInline):
    model = TransactionLine
    show_change_link = False
    fields = (
        "tli_pk",
        "type_label",
        "receipt_alias",
        "scan_code",
        "quantity",
        "amount",
        "department_number",
        "tender_description",
        "coupon_entry_method",
        "coupon_provider_id",
        "coupon_amount",
    )
    readonly_fields = fields

    @admin.display(description="Type")
    def type_label(self, obj):
        return f"{obj.line_type} {LINE_TYPES.get(obj.line_type, '')}".strip()


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = (
        "trn_pk",
        "end_time",
        "store_number",
        "terminal_number",
        "receipt_number",
        "status_label",
        "all_void",
        "total",
        "line_count",
        "customer_account",
        "cognition_upload_time",
    )
    list_filter = ("store_number", "status", "all_void", "terminal_number")
    date_hierarchy = "end_time"
    search_fields = ("=trn_pk", "=receipt_number", "=sequence_number", "customer_account", "=lines__scan_code")
    inlines = [LineInline]
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_count=Count("lines"))

    @admin.display(description="Lines", ordering="line_count")
    def line_count(self, obj):
        return obj.line_count

    @admin.display(description="Status", ordering="status")
    def status_label(self, obj):
        return wire.TRANSACTION_STATUSES.get(obj.status, obj.status)


class WindowInline(ReadOnlyInline):
    model = PullWindow
    fields = ("index", "start", "end", "status", "transactions", "lines", "attempts", "error", "finished_at")
    readonly_fields = fields


@admin.register(PullRun)
class PullRunAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "start",
        "end",
        "status",
        "windows_done",
        "transactions",
        "lines",
        "short_error",
        "created_at",
        "finished_at",
    )
    list_filter = ("kind", "status")
    date_hierarchy = "created_at"
    inlines = [WindowInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                window_count=Count("windows"),
                done_count=Count("windows", filter=Q(windows__status=PullWindow.Status.DONE)),
            )
        )

    @admin.display(description="Windows done")
    def windows_done(self, obj):
        return f"{obj.done_count} / {obj.window_count}"

    @admin.display(description="Error")
    def short_error(self, obj):
        return obj.error[:80] + ("…" if len(obj.error) > 80 else "")


@admin.register(Forecast)
class ForecastAdmin(ReadOnlyAdmin):
    list_display = ("store", "item", "date", "quantity", "fetched_at")
    list_filter = ("date",)
    search_fields = ("=store", "=item")
    date_hierarchy = "date"


@admin.action(description="Target the recommended hub coupons to these customers")
def target_coupons(modeladmin, request, queryset):
    recommendations = list(queryset.filter(kind__in=COUPON_KINDS).order_by("pk"))
    if not recommendations:
        modeladmin.message_user(request, "Only coupon recommendations can target coupons.", messages.WARNING)
        return
    result = recommendations_target(recommendations=recommendations)
    modeladmin.message_user(
        request,
        f"Targeted {result.newly_targeted} new customer(s) across {result.coupons} coupon(s); "
        f"{len(result.unknown_coupons)} recommended coupon(s) and {len(result.unknown_customers)} customer(s) "
        "have no hub counterpart.",
        messages.SUCCESS,
    )


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ("kind", "scope", "subject", "rank", "recommended", "score", "fetched_at", "targeted_at")
    list_filter = ("kind", ("targeted_at", admin.EmptyFieldListFilter))
    search_fields = ("=subject", "=recommended", "=scope")
    actions = [target_coupons]
    readonly_fields = ("raw_json",)

    @admin.display(description="As Cognition sent it")
    def raw_json(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.raw, indent=2))


class ReconcileForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("The end must not be before the start.")
        return data


REPORT_COLUMNS = ("Result", "Day", "Store", "Terminal", "Transaction", "Coupon", "Hub", "Cognition", "Note")
STATUS_TITLES = {
    MATCHED: "Matched",
    HUB_ONLY: "Redeemed in the hub, missing in Cognition",
    COGNITION_ONLY: "In Cognition, no hub redemption",
}


@admin.register(ReconciliationReport)
class ReconciliationReportAdmin(ReadOnlyAdmin):
    list_display = ("id", "start", "end", "matched", "hub_only", "cognition_only", "created_at")
    date_hierarchy = "created_at"
    fields = ("start", "end", "matched", "hub_only", "cognition_only", "created_at", "report_table")
    readonly_fields = fields
    change_list_template = "cognition/reconciliation_changelist.html"

    def get_queryset(self, request):
        # The rows are read on the detail page only.
        return super().get_queryset(request).defer("rows")

    def get_urls(self):
        return [
            path("run/", self.admin_site.admin_view(self.run_view), name="cognition_reconciliationreport_run"),
            *super().get_urls(),
        ]

    def run_view(self, request):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        form = ReconcileForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            report = reconciliation_run(start=form.cleaned_data["start"], end=form.cleaned_data["end"])
            return redirect(reverse("admin:cognition_reconciliationreport_change", args=[report.pk]))
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta, "title": "Run"}
        return TemplateResponse(request, "cognition/reconciliation_run.html", context)

    @admin.display(description="Report")
    def report_table(self, obj):
        head = format_html(
            "<tr>{}</tr>",
            format_html_join(
                "",
                "<th>{}</th>",
                ((title,) for title in REPORT_COLUMNS),
            ),
        )
        body = format_html_join(
            "",
            "<tr>" + "<td>{}</td>" * len(REPORT_COLUMNS) + "</tr>",
            (
                (
                    STATUS_TITLES.get(row["status"], row["status"]),
                    row["day"],
                    row["store"],
                    "" if row["terminal"] is None else row["terminal"],
                    row["transaction"],
                    row["coupon"],
                    row["hub_discount"] or "",
                    row["cognition_amount"] or "",
                    row["note"],
                )
                for row in obj.rows
            ),
        )
        return format_html('<table class="cognition-report">{}{}</table>', head, body)
