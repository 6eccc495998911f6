"""The push machinery in the staff API (CONTRACT 7): the push log and the integrations.
Both are read-only here: pushes arrive through /ecrs/, integrations and their keys are made
in the admin or by ``create_integration`` (a key is shown once, never by the API)."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from ecrs_hub.api.filters import ApiFilterSet, DateTimeFilter

from .models import Integration, Push
from .services import pushes_interrupted_mark


class IntegrationSerializer(serializers.ModelSerializer):
    failures_24h = serializers.IntegerField(read_only=True, help_text="Pushes not OK in the last 24 hours.")

    class Meta:
        model = Integration
        # Never the key or its hash: only the prefix that tells keys apart.
        fields = (
            "id",
            "name",
            "kind",
            "enabled",
            "key_prefix",
            "created_at",
            "key_rotated_at",
            "last_push_at",
            "failures_24h",
            "notes",
        )


class IntegrationViewSet(viewsets.ReadOnlyModelViewSet):
    """CATAPULT clients (and shopper apps) allowed to call the hub. Keys are never listed."""

    serializer_class = IntegrationSerializer
    filterset_fields = ("kind", "enabled")
    search_fields = ("name",)
    ordering_fields = ("name", "last_push_at", "created_at", "failures_24h")
    ordering = ("name",)

    def get_queryset(self):
        return Integration.objects.with_recent_failures()


class PushSerializer(serializers.ModelSerializer):
    integration_name = serializers.CharField(source="integration.name", read_only=True)

    class Meta:
        model = Push
        exclude = ("body_compressed",)


class PushFilter(ApiFilterSet):
    received_after = DateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = DateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Push
        fields = ("status", "endpoint", "integration", "http_status", "sha256")


class PushViewSet(viewsets.ReadOnlyModelViewSet):
    """Every authenticated push, newest first, with its outcome (the raw body is in the admin)."""

    serializer_class = PushSerializer
    filterset_class = PushFilter
    search_fields = ("message", "remote_addr", "=sha256")
    ordering_fields = ("received_at", "duration_ms", "size", "records", "rejected")
    ordering = ("-received_at", "-id")

    def get_queryset(self):
        if not getattr(self, "swagger_fake_view", False):  # the schema generator only looks
            pushes_interrupted_mark()  # the log never shows a dead push as still "received"
        # The raw body can be megabytes per row: it never leaves the database here.
        return Push.objects.select_related("integration").defer("body_compressed")
