"""Staff UI for customers: names, phones and emails (editable), their coupons (clips,
read-only: the POS changes them), loyalty accounts with their balances and the points
ledger (read-only: balances change through the ledger only)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import format_html

from ecrs_hub.admin.common import ReadOnlyAdmin, ReadOnlyInline, change_url, changelist_url, count_subquery

from ..models import (
    Clip,
    CouponEvent,
    Customer,
    CustomerEmail,
    CustomerPhone,
    LoyaltyAccount,
    LoyaltyEntry,
    LoyaltyHold,
)
from .forms import CustomerEmailForm, CustomerPhoneForm


class CustomerPhoneInline(admin.TabularInline):
    model = CustomerPhone
    form = CustomerPhoneForm
    extra = 0
    verbose_name, verbose_name_plural = "phone", "phones (matched on their last 10 digits)"
    fields = ("number", "last10")
    readonly_fields = ("last10",)


class CustomerEmailInline(admin.TabularInline):
    model = CustomerEmail
    form = CustomerEmailForm
    extra = 0
    verbose_name, verbose_name_plural = "email", "emails"
    fields = ("email",)


class LoyaltyAccountInline(ReadOnlyInline):
    model = LoyaltyAccount
    fields = ("loyalty_id", "program", "balance", "ledger", "created_at")
    readonly_fields = fields
    verbose_name_plural = "loyalty accounts (balance = sum of the ledger)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer")

    @admin.display(description="Balance (points)")
    def balance(self, obj):
        return obj.balance

    @admin.display(description="Ledger")
    def ledger(self, obj):
        return format_html('<a href="{}">entries</a>', changelist_url(LoyaltyEntry, account__id__exact=obj.pk))


class ClipInline(ReadOnlyInline):
    model = Clip
    fields = ("coupon", "state", "uses_count", "pending_transaction", "pending_since", "clipped_at", "redeemed_at")
    readonly_fields = fields
    verbose_name_plural = "coupons of this customer"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("coupon", "customer", "pending_transaction")
            .order_by("state", "coupon__coupon_id")
        )


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = (
        "customer_id",
        "first_name",
        "last_name",
        "phone",
        "email",
        "clip_count",
        "points",
        "last_seen_at",
    )
    search_fields = ("customer_id", "first_name", "last_name", "=phones__last10", "=emails__email")
    list_filter = (("last_seen_at", admin.EmptyFieldListFilter),)
    readonly_fields = ("links", "last_seen_at", "created_at", "updated_at")
    fields = ("customer_id", ("first_name", "last_name"), "links", "last_seen_at", "created_at", "updated_at")
    inlines = (CustomerPhoneInline, CustomerEmailInline, LoyaltyAccountInline, ClipInline)

    def get_queryset(self, request):
        first_phone = CustomerPhone.objects.filter(customer=OuterRef("pk")).order_by("pk").values("number")[:1]
        first_email = CustomerEmail.objects.filter(customer=OuterRef("pk")).order_by("pk").values("email")[:1]
        points = (
            LoyaltyEntry.objects.filter(account__customer=OuterRef("pk"))
            .order_by()
            .values("account__customer")
            .annotate(total=Sum("points"))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                first_phone=Subquery(first_phone),
                first_email=Subquery(first_email),
                clip_count=count_subquery(
                    Clip.objects.filter(customer=OuterRef("pk"), state__in=["clipped", "pending"])
                ),
                points=Coalesce(Subquery(points, output_field=IntegerField()), 0),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        # The card id is what the POS sends: fixed once the customer exists.
        return ("customer_id", *self.readonly_fields) if obj else self.readonly_fields

    @admin.display(description="Phone")
    def phone(self, obj):
        return obj.first_phone or ""

    @admin.display(description="Email")
    def email(self, obj):
        return obj.first_email or ""

    @admin.display(description="Coupons clipped", ordering="clip_count")
    def clip_count(self, obj):
        return obj.clip_count

    @admin.display(description="Points", ordering="points")
    def points(self, obj):
        return obj.points

    @admin.display(description="See")
    def links(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">clips</a> · <a href="{}">audit</a> · <a href="{}">loyalty ledger</a>',
            changelist_url(Clip, customer__id__exact=obj.pk),
            changelist_url(CouponEvent, customer__id__exact=obj.pk),
            changelist_url(LoyaltyEntry, account__customer__id__exact=obj.pk),
        )

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


class LoyaltyEntryInline(ReadOnlyInline):
    model = LoyaltyEntry
    fields = ("created_at", "points", "reason", "note", "transaction", "coupon")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "transaction", "coupon").order_by("-created_at")


@admin.register(LoyaltyAccount)
class LoyaltyAccountAdmin(ReadOnlyAdmin):
    list_display = ("loyalty_id", "customer", "program", "balance", "created_at")
    list_select_related = ("customer",)
    list_filter = ("program",)
    search_fields = ("=loyalty_id", "=customer__customer_id", "customer__last_name")
    fieldsets = ((None, {"fields": ("loyalty_id", "customer_link", "program", "balance", "created_at")}),)
    covered_fields = ("customer",)
    inlines = (LoyaltyEntryInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer")

    @admin.display(description="Balance (points)", ordering="balance")
    def balance(self, obj):
        return obj.balance

    @admin.display(description="Customer")
    def customer_link(self, obj):
        return format_html('<a href="{}">{}</a>', change_url(Customer, obj.customer_id), obj.customer)


@admin.register(LoyaltyEntry)
class LoyaltyEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "customer", "points", "reason", "note", "transaction", "coupon")
    list_select_related = ("account__customer", "transaction", "coupon")
    list_filter = ("reason",)
    search_fields = ("=account__loyalty_id", "=account__customer__customer_id", "=transaction__transaction_id")
    date_hierarchy = "created_at"
    fieldsets = ((None, {"fields": ("account", "points", "reason", "note", "transaction", "coupon", "created_at")}),)

    @admin.display(description="Customer")
    def customer(self, obj):
        return format_html(
            '<a href="{}">{}</a>', change_url(Customer, obj.account.customer_id), obj.account.customer.customer_id
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account__customer", "transaction", "coupon")


@admin.register(LoyaltyHold)
class LoyaltyHoldAdmin(ReadOnlyAdmin):
    """Points optional coupons hold on open transactions (held), and how each hold ended."""

    list_display = ("created_at", "account", "points", "state", "coupon", "transaction", "ended_at", "note")
    list_select_related = ("account", "coupon", "transaction__site")
    list_filter = ("state",)
    search_fields = ("=account__loyalty_id", "=account__customer__customer_id", "=transaction__transaction_id")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("account", "points", "state", "coupon", "clip", "transaction")}),
        (None, {"fields": ("created_at", "ended_at", "note")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "coupon", "clip", "transaction__site")
