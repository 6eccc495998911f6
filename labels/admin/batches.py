from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from items.models import Store

from ..models import LabelBatch, LabelEntry
from ..pdf import tags_pdf
from ..selectors import batch_tags, price_discrepancies
from ..services import batch_close, batch_mark_hung, batch_mark_printed, label_batches_refresh


class LabelEntryInline(admin.TabularInline):
    model = LabelEntry
    extra = 0
    can_delete = False
    fields = ("item", "reason", "old_text", "new_text", "label_type", "updated_at")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item_store__item")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Item")
    def item(self, entry):
        item = entry.item_store.item
        return f"{item.item_id} {item.item_name or ''}".strip()


@admin.register(LabelBatch)
class LabelBatchAdmin(admin.ModelAdmin):
    list_display = ("__str__", "store", "effective_date", "status", "entry_count", "printed_at", "hung_at", "pdf")
    list_filter = ("status", "effective_date", "store")
    list_select_related = ("store",)
    date_hierarchy = "effective_date"
    readonly_fields = (
        "store",
        "effective_date",
        "status",
        "created_at",
        "closed_at",
        "printed_at",
        "print_count",
        "hung_at",
        "hung_by",
        "pdf",
    )
    fields = readonly_fields
    inlines = (LabelEntryInline,)
    actions = ("close_batches", "mark_printed", "mark_hung")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_entry_count=Count("entries"))

    def changelist_view(self, request, extra_context=None):
        if self.has_view_permission(request):
            label_batches_refresh()  # batches are made lazily, from the changes pushes recorded
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if self.has_view_permission(request):
            label_batches_refresh()
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    @admin.display(description="Entries", ordering="_entry_count")
    def entry_count(self, batch):
        return batch._entry_count

    @admin.display(description="Tags")
    def pdf(self, batch):
        if batch.pk is None:
            return ""
        url = reverse("admin:labels_labelbatch_pdf", args=[batch.pk])
        return format_html('<a href="{}" target="_blank">tags.pdf</a>', url)

    def get_urls(self):
        return [
            path("<int:pk>/tags.pdf", self.admin_site.admin_view(self.pdf_view), name="labels_labelbatch_pdf"),
            path(
                "discrepancies/",
                self.admin_site.admin_view(self.discrepancies_view),
                name="labels_labelbatch_discrepancies",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        batch = get_object_or_404(LabelBatch.objects.select_related("store"), pk=pk)
        body = tags_pdf(batch_tags(batch), printed_on=timezone.localdate(), title=str(batch))
        return HttpResponse(body, content_type="application/pdf")

    def discrepancies_view(self, request):
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        stores = Store.objects.exclude(number__isnull=True).order_by("number")
        number = request.GET.get("store") or (stores[0].number if stores else None)
        store = stores.filter(number=number).first() if number else None
        context = {
            **self.admin_site.each_context(request),
            "title": "Price discrepancies",
            "stores": stores,
            "store": store,
            "rows": price_discrepancies(store) if store else [],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "labels/discrepancies.html", context)

    @admin.action(description="Close the selected batches", permissions=["change"])
    def close_batches(self, request, queryset):
        for batch in queryset:
            batch_close(batch=batch)
        messages.success(request, f"{len(queryset)} batch(es) closed: new changes go into new batches.")

    @admin.action(description="Mark the selected batches printed", permissions=["change"])
    def mark_printed(self, request, queryset):
        for batch in queryset:
            batch_mark_printed(batch=batch)
        messages.success(request, f"{len(queryset)} batch(es) marked printed.")

    @admin.action(description="Mark the selected batches hung (closes them)", permissions=["change"])
    def mark_hung(self, request, queryset):
        for batch in queryset:
            batch_mark_hung(batch=batch, user=request.user)
        messages.success(request, f"{len(queryset)} batch(es) marked hung.")
