"""Staff API tokens: issued here or by ``create_api_token``, the key shown once, only its hash
kept; revoked by an action. A user who is not a superuser sees, issues and revokes only their
own tokens (a token acts as its user, so issuing one for someone else would be acting as them)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from ecrs_hub.models import ApiToken
from ecrs_hub.services import api_token_create, api_tokens_revoke

from .common import admin_change_url, adopt_created, key_once_response


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "name", "expires_at")

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError("The expiry must be in the future (or empty: never).")
        return expires_at


class RevokedFilter(admin.SimpleListFilter):
    title = "revoked"
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return (("no", "Not revoked"), ("yes", "Revoked"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(revoked_at__isnull=self.value() == "no")
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked")
    list_filter = (RevokedFilter, "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("name", "=key_prefix", "user__username")
    date_hierarchy = "created_at"
    actions = ("revoke",)
    add_form = ApiTokenAddForm
    add_fieldsets = ((None, {"fields": ("user", "name", "expires_at")}),)
    fieldsets = (
        (None, {"fields": ("user", "name")}),
        ("Key", {"fields": ("prefix", "created_at", "expires_at", "last_used_at", "revoked_at")}),
    )
    readonly_fields = ("user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            users = get_user_model()._default_manager.filter(is_active=True).order_by("username")
            kwargs["queryset"] = users if request.user.is_superuser else users.filter(pk=request.user.pk)
            kwargs.setdefault("initial", request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Key (first characters)", ordering="key_prefix")
    def prefix(self, obj):
        # Only the prefix, to tell keys apart; the hash is never shown.
        return f"{obj.key_prefix}…"

    @admin.display(description="Revoked", boolean=True, ordering="revoked_at")
    def revoked(self, obj):
        return obj.revoked

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = api_token_create(user=obj.user, name=obj.name, expires_at=obj.expires_at)
        adopt_created(obj, issued.token, ("key_prefix", "key_hash", "created_at"), issued)

    def response_add(self, request, obj, post_url_continue=None):
        issued = getattr(obj, "_issued_key", None)
        if issued is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            "title": "API token created",
            "issued": issued,
            "change_url": admin_change_url(issued.token),
            "example": request.build_absolute_uri(reverse("item-list")),
        }
        return key_once_response(self, request, "admin/ecrs_hub/apitoken/key_issued.html", context)

    @admin.action(
        description="Revoke",
        description_plural="Revoke the selected %(verbose_name_plural)s",
        permissions=["change"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True).order_by("pk"))
        revoked = api_tokens_revoke(tokens=tokens)
        for token in tokens:
            self.log_change(request, token, "Revoked the token.")
        self.message_user(request, f"Revoked {revoked} token(s); they stop working at once.", messages.SUCCESS)
