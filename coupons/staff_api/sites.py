"""Coupon sites and POS credentials in the staff API, with the rules of ``create_site``,
``create_pos_credential`` and their admin forms (``coupons.services.sites``). A credential's
password is write-only and stored hashed; nothing ever returns it or its hash."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from ecrs_hub.machine_secrets import secret_make

from ..models import PosCredential, Site
from ..services.sites import SetupError, password_check, site_delete, site_id_check
from .common import StampedWritesMixin, service_errors

TEMPLATE_SAMPLE = {"total_saved": "1.00", "coupon_count": 1}


class SiteSerializer(serializers.ModelSerializer):
    store_number = serializers.CharField(source="store.number", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Site
        fields = (
            "id",
            "site_id",
            "name",
            "store",
            "store_number",
            "self_stacking",
            "use_external_images",
            "receipt_template",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")

    def validate_site_id(self, value: str) -> str:
        try:
            return site_id_check(value)
        except SetupError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_receipt_template(self, value: str) -> str:
        # Checked now, not at a register: the POS answer formats it with these two names.
        try:
            value.format(**TEMPLATE_SAMPLE)
        except (KeyError, IndexError, ValueError) as error:
            raise serializers.ValidationError(
                f"may only use {{total_saved}} and {{coupon_count}} ({type(error).__name__}: {error})"
            ) from None
        return value


class SiteViewSet(StampedWritesMixin, viewsets.ModelViewSet):
    """Coupon sites (the POS siteid), their store and the POS settings they mirror."""

    serializer_class = SiteSerializer
    filterset_fields = ("site_id", "store", "self_stacking", "use_external_images")
    search_fields = ("site_id", "name", "=store__number")
    ordering_fields = ("site_id", "name", "updated_at")
    ordering = ("site_id",)

    def get_queryset(self):
        return Site.objects.select_related("store")

    def perform_destroy(self, instance):
        with service_errors():
            site_delete(site=instance)


class PosCredentialSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="The POS password setting; stored hashed, never returned. Leave out to keep it.",
    )
    sites = serializers.SlugRelatedField(
        slug_field="site_id", many=True, queryset=Site.objects.all(), required=False, help_text="Site ids."
    )

    class Meta:
        model = PosCredential
        fields = ("id", "username", "password", "active", "all_sites", "sites", "created_at", "updated_at")
        read_only_fields = ("created_at", "updated_at")

    def validate_username(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("must not be blank")
        if ":" in value:
            raise serializers.ValidationError("must not contain ':' (HTTP Basic separates it from the password)")
        return value

    def validate_password(self, value: str) -> str:
        try:
            return password_check(value)
        except SetupError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate(self, attrs):
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": ["a new credential needs a password"]})
        all_sites = attrs.get("all_sites", self.instance.all_sites if self.instance else False)
        sites = attrs["sites"] if "sites" in attrs else (list(self.instance.sites.all()) if self.instance else [])
        if not all_sites and not sites:
            raise serializers.ValidationError({"sites": ["choose the sites it may act for, or set all_sites"]})
        if "password" in attrs:
            attrs["password"] = secret_make(attrs["password"])
        return attrs


class PosCredentialViewSet(StampedWritesMixin, viewsets.ModelViewSet):
    """The HTTP Basic credentials POS Transaction Servers use, and the sites each may act for."""

    serializer_class = PosCredentialSerializer
    filterset_fields = ("active", "all_sites")
    search_fields = ("username",)
    ordering_fields = ("username", "updated_at")
    ordering = ("username",)

    def get_queryset(self):
        return PosCredential.objects.prefetch_related("sites")
