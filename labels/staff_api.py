"""Label batches in the staff API: ``/api/label-batches/?store=<store number>`` lists a
store's batches with their entries; POST ``close``, ``print`` and ``hung`` act on one (the
``change`` permission); ``GET /api/label-batches/<id>/tags.pdf`` renders its tags. The
price discrepancy report: ``/api/price-discrepancies/?store=<store number>``."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from ecrs_hub.api.filters import ApiFilterSet
from ecrs_hub.api.permissions import StaffModelPermissions

from .models import LabelBatch, LabelEntry
from .pdf import tags_pdf
from .selectors import batch_tags, price_discrepancies, store_by_number
from .services import batch_close, batch_mark_hung, batch_mark_printed, label_batches_refresh


class LabelEntrySerializer(serializers.ModelSerializer):
    item_id = serializers.CharField(source="item_store.item.item_id", read_only=True)
    item_name = serializers.CharField(source="item_store.item.item_name", read_only=True, allow_null=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = LabelEntry
        fields = (
            "id",
            "item_store",
            "item_id",
            "item_name",
            "reason",
            "reason_display",
            "old_price",
            "new_price",
            "old_text",
            "new_text",
            "label_type",
            "change",
            "updated_at",
        )


class LabelBatchSerializer(serializers.ModelSerializer):
    store_number = serializers.CharField(source="store.number", read_only=True, allow_null=True)
    entry_count = serializers.IntegerField(read_only=True)
    entries = LabelEntrySerializer(many=True, read_only=True)
    tags_pdf = serializers.SerializerMethodField(help_text="Where the batch's tags render as a PDF.")

    class Meta:
        model = LabelBatch
        fields = (
            "id",
            "store",
            "store_number",
            "effective_date",
            "status",
            "created_at",
            "closed_at",
            "printed_at",
            "print_count",
            "hung_at",
            "hung_by",
            "entry_count",
            "entries",
            "tags_pdf",
        )

    def get_tags_pdf(self, batch: LabelBatch) -> str:
        request = self.context.get("request")
        path = f"/api/label-batches/{batch.pk}/tags.pdf"
        return request.build_absolute_uri(path) if request is not None else path


class LabelBatchFilter(ApiFilterSet):
    store = django_filters.CharFilter(field_name="store__number", label="Store number.")

    class Meta:
        model = LabelBatch
        fields = {"status": ["exact"], "effective_date": ["exact", "gte", "lte"]}


class BatchPermissions(StaffModelPermissions):
    """Acting on a batch (POST close / print / hung) needs ``change``, as in the admin."""

    perms_map = {**StaffModelPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class PdfRenderer:
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class LabelBatchViewSet(viewsets.ReadOnlyModelViewSet):
    """A store's label batches (one store, one day) with their entries, newest day first."""

    serializer_class = LabelBatchSerializer
    filterset_class = LabelBatchFilter
    permission_classes = (BatchPermissions,)
    ordering_fields = ("effective_date", "created_at")
    ordering = ("-effective_date", "-id")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        label_batches_refresh()  # batches are made lazily, from the changes pushes recorded

    def get_queryset(self):
        entries = LabelEntry.objects.select_related("item_store__item").order_by("pk")
        return (
            LabelBatch.objects.select_related("store")
            .annotate(entry_count=Count("entries"))
            .prefetch_related(Prefetch("entries", queryset=entries))
        )

    def _act(self, service, **kwargs):
        batch = self.get_object()
        service(batch=batch, **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=batch.pk)).data)

    @extend_schema(request=None, responses=LabelBatchSerializer, summary="Close the batch: it takes no new entries")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(batch_close)

    @extend_schema(request=None, responses=LabelBatchSerializer, summary="Note that the batch was printed")
    @action(detail=True, methods=["post"], url_path="print")
    def print_batch(self, request, pk=None):
        return self._act(batch_mark_printed)

    @extend_schema(request=None, responses=LabelBatchSerializer, summary="Mark the batch's tags hung (closes it)")
    @action(detail=True, methods=["post"])
    def hung(self, request, pk=None):
        return self._act(batch_mark_hung, user=request.user)

    @extend_schema(
        summary="The batch's shelf tags as a PDF (letter sheets with cut marks)",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], url_path="tags.pdf", renderer_classes=[PdfRenderer])
    def tags_pdf(self, request, pk=None):
        batch = self.get_object()
        body = tags_pdf(batch_tags(batch), printed_on=timezone.localdate(), title=str(batch))
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="tags-{batch.store.number}-{batch.effective_date}.pdf"'
        return response


class DiscrepancySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["scale_price", "promotion_ended"])
    item_id = serializers.CharField()
    item_name = serializers.CharField(allow_null=True)
    catalog_price = serializers.DecimalField(max_digits=19, decimal_places=4, allow_null=True)
    other_price = serializers.DecimalField(
        max_digits=19, decimal_places=4, allow_null=True, help_text="The scale's unit price, or the promotion price."
    )
    detail = serializers.CharField()


class PriceDiscrepancyViewSet(viewsets.ViewSet):
    """A store's price discrepancies: scale unit prices that differ from the catalog's, and
    ended promotions whose price did not return. ``?store=<store number>`` is required."""

    queryset = LabelBatch.objects.none()  # the permission: view label batches
    serializer_class = DiscrepancySerializer

    @extend_schema(
        parameters=[OpenApiParameter("store", str, required=True, description="Store number.")],
        responses=DiscrepancySerializer(many=True),
    )
    def list(self, request):
        number = request.query_params.get("store")
        if not number:
            raise ValidationError({"store": ["store (a store number) is required."]})
        store = store_by_number(number)
        if store is None:
            raise NotFound(f"No store has number {number!r}.")
        return Response(DiscrepancySerializer(price_discrepancies(store), many=True).data)
