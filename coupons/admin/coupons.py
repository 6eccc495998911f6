"""Staff UI for what staff set up: coupons (rules, image, targeting), coupon sites and POS
credentials. List pages annotate their counts with correlated subqueries, so a page costs
the same few queries whatever its length."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from ecrs_hub.admin.common import changelist_url, count_subquery, money
from ecrs_hub.machine_secrets import secret_make

from ..models import Clip, Coupon, CouponEvent, PosCredential, PosTransaction, Site
from ..services import coupon_image_store
from ..services.records import coupon_targets_audit, coupons_enable
from .forms import CouponForm, PosCredentialForm, SiteForm

REWARD_LABELS = {"percent": "{} % off", "amount": "{} off each", "fixed_price": "{} each", "free": "free"}


def image_tag(coupon: Coupon, css_class: str = "ecrs-thumb"):
    if coupon.image:
        return format_html('<img src="{}" alt="" class="{}" loading="lazy">', coupon.image.url, css_class)
    if coupon.external_image_url:
        return format_html('<span class="ecrs-missing" title="{0}">external: {0}</span>', coupon.external_image_url)
    return ""


class DateStatusFilter(admin.SimpleListFilter):
    title = "dates"
    parameter_name = "dates"

    def lookups(self, request, model_admin):
        return [("current", "Current"), ("upcoming", "Not started"), ("ended", "Ended")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        started = Q(start_date__isnull=True) | Q(start_date__lte=today)
        not_ended = Q(end_date__isnull=True) | Q(end_date__gte=today)
        if self.value() == "current":
            return queryset.filter(started, not_ended)
        if self.value() == "upcoming":
            return queryset.filter(start_date__gt=today)
        if self.value() == "ended":
            return queryset.filter(end_date__lt=today)
        return queryset


class LoyaltyCostFilter(admin.SimpleListFilter):
    title = "loyalty cost"
    parameter_name = "loyalty"

    def lookups(self, request, model_admin):
        return [("yes", "Costs points (optional)"), ("no", "Free to use")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(loyalty_cost__gt=0)
        if self.value() == "no":
            return queryset.filter(loyalty_cost=0)
        return queryset


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    form = CouponForm
    list_display = (
        "thumbnail",
        "coupon_id",
        "short_description",
        "reward",
        "start_date",
        "end_date",
        "enabled",
        "targeted",
        "featured",
        "site_list",
        "clip_count",
        "pending_count",
        "redemption_count",
    )
    list_display_links = ("thumbnail", "coupon_id")
    list_filter = (
        "enabled",
        DateStatusFilter,
        "reward_kind",
        "targeted",
        "featured",
        LoyaltyCostFilter,
        ("sites", admin.RelatedOnlyFieldListFilter),
        "type",
    )
    search_fields = ("coupon_id", "short_description", "brand", "=external_id", "category")
    filter_horizontal = ("sites",)
    autocomplete_fields = ("targeted_customers",)
    readonly_fields = ("image_preview", "usage", "created_at", "updated_at")
    actions = ("enable", "disable")
    fieldsets = (
        (
            "What the POS shows",
            {
                "fields": (
                    "coupon_id",
                    "short_description",
                    "requirement_description",
                    "long_description",
                    ("category", "brand"),
                    ("start_date", "end_date"),
                    ("enabled", "featured"),
                    "image_preview",
                    "image",
                    "external_image_url",
                )
            },
        ),
        (
            "Requirement",
            {"fields": ("requirement_upcs", "requirement_depts", ("min_quantity", "min_spend"))},
        ),
        (
            "Reward",
            {
                "fields": (
                    ("reward_kind", "reward_value"),
                    "reward_upcs",
                    ("limit_units", "uses_per_customer"),
                    ("loyalty_cost", "loyalty_program"),
                    ("reduces_tax", "type"),
                    ("external_id", "receipt_alias"),
                )
            },
        ),
        ("Where and for whom", {"fields": ("sites", "targeted", "targeted_customers")}),
        ("Usage", {"fields": ("usage", "created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The id is what registers list and clip by: fixed once the coupon exists.
        return ("coupon_id", *self.readonly_fields) if obj else self.readonly_fields

    def get_queryset(self, request):
        clips = Clip.objects.filter(coupon=OuterRef("pk"))
        uses = clips.order_by().values("coupon").annotate(total=Sum("uses_count")).values("total")
        return (
            super()
            .get_queryset(request)
            .annotate(
                clip_count=count_subquery(clips.filter(state__in=["clipped", "pending"])),
                pending_count=count_subquery(clips.filter(state="pending")),
                redemption_count=Coalesce(uses, 0),
            )
            .prefetch_related("sites")
        )

    @admin.display(description="Image")
    def thumbnail(self, obj):
        return image_tag(obj)

    @admin.display(description="Current image")
    def image_preview(self, obj):
        return image_tag(obj, "ecrs-image") or "None"

    @admin.display(description="Reward", ordering="reward_kind")
    def reward(self, obj):
        value = f"{obj.reward_value.normalize():f}" if obj.reward_kind == "percent" else f"${money(obj.reward_value)}"
        label = REWARD_LABELS.get(obj.reward_kind, obj.reward_kind + " {}").format(value)
        if obj.loyalty_cost:
            label += f" for {obj.loyalty_cost} points"
        return label

    @admin.display(description="Sites")
    def site_list(self, obj):
        return ", ".join(site.site_id for site in obj.sites.all()) or "all"

    @admin.display(description="Clipped", ordering="clip_count")
    def clip_count(self, obj):
        return obj.clip_count

    @admin.display(description="Pending", ordering="pending_count")
    def pending_count(self, obj):
        return obj.pending_count

    @admin.display(description="Redeemed", ordering="redemption_count")
    def redemption_count(self, obj):
        return obj.redemption_count

    @admin.display(description="Customers")
    def usage(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{} clipped</a> · <a href="{}">{} pending</a> · <a href="{}">{} redemptions</a> · '
            '<a href="{}">audit</a>',
            changelist_url(Clip, coupon__id__exact=obj.pk),
            obj.clip_count,
            changelist_url(Clip, coupon__id__exact=obj.pk, state__exact="pending"),
            obj.pending_count,
            changelist_url(Clip, coupon__id__exact=obj.pk, uses="yes"),
            obj.redemption_count,
            changelist_url(CouponEvent, coupon__id__exact=obj.pk),
        )

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("image") if "image" in form.changed_data else None
        if upload:
            # Stored by the POS image service (its names, the old file removed on commit).
            obj.image = Coupon.objects.filter(pk=obj.pk).values_list("image", flat=True).first() or ""
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        if upload:
            upload.seek(0)
            coupon_image_store(coupon=obj, name=upload.name, content=upload.read())

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.targeted_customers.values_list("pk", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        added = set(form.instance.targeted_customers.values_list("pk", flat=True)) - before
        coupon_targets_audit(coupon=form.instance, customer_pks=added, actor=request.user)

    @admin.action(description="Enable selected coupons")
    def enable(self, request, queryset):
        count = coupons_enable(coupons=queryset, enabled=True)
        self.message_user(request, f"{count} coupon(s) enabled.", messages.SUCCESS)

    @admin.action(description="Disable selected coupons (the POS stops offering them)")
    def disable(self, request, queryset):
        count = coupons_enable(coupons=queryset, enabled=False)
        self.message_user(request, f"{count} coupon(s) disabled.", messages.SUCCESS)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    form = SiteForm
    list_display = (
        "site_id",
        "name",
        "store",
        "self_stacking",
        "use_external_images",
        "coupon_count",
        "pending_count",
        "updated_at",
    )
    list_select_related = ("store",)
    list_filter = ("self_stacking", "use_external_images")
    search_fields = ("site_id", "name", "=store__number")
    readonly_fields = ("links", "created_at", "updated_at")
    fields = (
        "site_id",
        "name",
        "store",
        "self_stacking",
        "use_external_images",
        "receipt_template",
        "links",
        "created_at",
        "updated_at",
    )

    def get_queryset(self, request):
        through = Coupon.sites.through
        return (
            super()
            .get_queryset(request)
            .select_related("store")
            .annotate(
                own_coupons=count_subquery(through.objects.filter(site_id=OuterRef("pk"))),
                pending_count=count_subquery(
                    Clip.objects.filter(state="pending", pending_transaction__site_id=OuterRef("pk"))
                ),
            )
        )

    @admin.display(description="Coupons of this site only", ordering="own_coupons")
    def coupon_count(self, obj):
        # Coupons with no sites are offered everywhere as well; the list filter shows them per site.
        return obj.own_coupons

    @admin.display(description="Pending", ordering="pending_count")
    def pending_count(self, obj):
        return obj.pending_count

    @admin.display(description="See")
    def links(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">coupons of this site</a> · <a href="{}">{} pending redemptions</a> · '
            '<a href="{}">transactions</a>',
            changelist_url(Coupon, sites__id__exact=obj.pk),
            reverse("admin:coupons_clip_pending") + f"?site={obj.pk}",
            obj.pending_count,
            changelist_url(PosTransaction, site__id__exact=obj.pk),
        )

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(PosCredential)
class PosCredentialAdmin(admin.ModelAdmin):
    form = PosCredentialForm
    list_display = ("username", "active", "scope", "updated_at")
    list_filter = ("active", "all_sites")
    search_fields = ("username",)
    filter_horizontal = ("sites",)
    readonly_fields = ("password_state", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("username", "active")}),
        ("Password", {"fields": ("password_state", "new_password", "new_password_again")}),
        ("May act for", {"fields": ("all_sites", "sites")}),
        (None, {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sites")

    @admin.display(description="Sites")
    def scope(self, obj):
        if obj.all_sites:
            return "every site"
        return ", ".join(site.site_id for site in obj.sites.all()) or "none"

    @admin.display(description="Password")
    def password_state(self, obj):
        # Never the hash: only whether one is set.
        return "Set (stored hashed; type a new one below to replace it)" if obj.password else "Not set"

    def save_model(self, request, obj, form, change):
        password = form.cleaned_data.get("new_password")
        if password:
            obj.password = secret_make(password)
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        if password and change:
            self.message_user(request, "The new password works from the next POS request.", messages.INFO)
