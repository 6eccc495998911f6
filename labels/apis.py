"""The label export an ESL system or label provider polls: ``GET
/ecrs/label-export/<store number>/`` with the key of a *labels* integration. It is the scale
export's view (cursor, limit, JSON or CSV, deletions as ``"deleted": true``) over the shelf
records of :func:`labels.selectors.label_export_page`."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.renderers import BrowsableAPIRenderer

from ecrs_hub.apis import EnvelopeResponse
from ecrs_hub.models import Integration
from ecrs_hub.schema import PUSH_TAG, envelope_responses
from scales.apis import ScaleExportApi, ScaleExportCsvRenderer, ScaleExportJsonRenderer

from .selectors import (
    LABEL_EXPORT_DEFAULT_LIMIT,
    LABEL_EXPORT_MAX_LIMIT,
    label_export_page,
    shelf_json,
    store_by_number,
)
from .shelf import SHELF_FIELDS


class LabelExportJsonRenderer(ScaleExportJsonRenderer):
    record_json = staticmethod(shelf_json)


class LabelExportCsvRenderer(ScaleExportCsvRenderer):
    fields = SHELF_FIELDS


class EcrsLabelExportSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.DictField(), help_text="Shelf records (see the README).")
    cursor = serializers.CharField(help_text="Opaque and URL-safe: pass it as ?cursor= next time.")
    more = serializers.BooleanField(help_text="Another call with the returned cursor has more.")


@extend_schema_view(
    get=extend_schema(
        operation_id="ecrs_label_export",
        summary="What a store's shelf labels must show, incrementally by cursor",
        tags=[PUSH_TAG],
        parameters=[
            OpenApiParameter("cursor", str, description="From the previous answer."),
            OpenApiParameter(
                "limit", int, description=f"At most {LABEL_EXPORT_MAX_LIMIT}; {LABEL_EXPORT_DEFAULT_LIMIT} if absent."
            ),
            OpenApiParameter("format", str, enum=["json", "csv"]),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                EcrsLabelExportSerializer, description="The shelf records changed since the cursor (all without one)."
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
            **envelope_responses(400, 401, 404, 405, media_type="application/json"),
        },
    )
)
class LabelExportApi(ScaleExportApi):
    """What a store's shelf labels must show, incrementally: pass the returned cursor as
    ?cursor= to get only what changed since (deletions included), ?limit= to page,
    ?format=csv for CSV. Needs the key of a labels integration."""

    name = "Label export"
    renderer_classes = (LabelExportJsonRenderer, BrowsableAPIRenderer, LabelExportCsvRenderer)
    integration_kind = Integration.Kind.LABELS
    header_prefix = "X-Label"
    default_limit = LABEL_EXPORT_DEFAULT_LIMIT
    max_limit = LABEL_EXPORT_MAX_LIMIT
    export_page = staticmethod(label_export_page)

    def get(self, request, store_number: str):
        store = store_by_number(store_number)
        if store is None:
            return EnvelopeResponse(False, f"No store has number {store_number!r}.", 404)
        return self.export(request, store)
