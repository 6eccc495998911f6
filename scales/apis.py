"""The Price Computing Scale endpoints: the push (CONTRACT 2.8) and the scale export that
scale management software reads (CONTRACT 2.9), as JSON or, with ``?format=csv``, CSV."""

from __future__ import annotations

import csv
import io

import orjson
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer
from rest_framework.response import Response

from ecrs_hub.apis import EcrsApi, EnvelopeRenderer, EnvelopeResponse, IntegrationKeyAuthentication, PushApi
from ecrs_hub.ingest import parse_json
from ecrs_hub.models import Integration, Push
from ecrs_hub.schema import PUSH_TAG, envelope_responses, many, push_schema, wire_page, wire_serializer
from ecrs_hub.services import PushEndpoint, register

from . import wire
from .selectors import (
    RESOLVED_FIELDS,
    SCALE_EXPORT_DEFAULT_LIMIT,
    SCALE_EXPORT_MAX_LIMIT,
    BadCursor,
    ScaleExportPage,
    cursor_decode,
    decimal_text,
    resolved_json,
    scale_export_page,
    scale_store_by_id,
)
from .services import scale_items_ingest
from .staff_api import ResolvedScaleItemSerializer

SCALE_ITEMS = register(
    PushEndpoint(Push.Endpoint.SCALE_ITEMS, Integration.Kind.SCALES, "json", parse_json, scale_items_ingest)
)

# --- what the push looks like (described from the wire schemas, never validated with) ------

Nutrient = wire_serializer("EcrsScaleNutrient", wire.NUTRIENT)
NutritionPanel = wire_serializer(
    "EcrsScaleNutritionPanel",
    wire.NUTRITION_PANEL,
    nested={"values": many(Nutrient)},
    doc="A nutrition panel; types outside the documented list are stored and warned about.",
)
ScaleItemAtStore = wire_serializer(
    "EcrsScaleItemAtStore", wire.SCALE_ITEM_STORE, nested={"nutrition": many(NutritionPanel)}
)
ScaleItem = wire_serializer(
    "EcrsScaleItem",
    wire.SCALE_ITEM,
    nested={"stores": many(ScaleItemAtStore), "nutrition": many(NutritionPanel)},
    doc="A scale-eligible item; stores[].storeId is the scale store id the hub gave.",
)
ScaleItemsPage = wire_page("EcrsScaleItemsPage", ScaleItem, "scale items (at most 100)")


@push_schema("ecrs_scale_items_push", "Price Computing Scale: a page of scale-eligible items", ScaleItemsPage)
class ScaleItemsPushApi(PushApi):
    """Price Computing Scale: a page of scale-eligible items (at most 100)."""

    name = "Scale items push"
    endpoint = SCALE_ITEMS


# --- the scale export -----------------------------------------------------------------


class ScaleExportJsonRenderer(EnvelopeRenderer):
    """``{"items": [resolved records], "cursor": …, "more": …}``, each record written by
    :func:`~scales.selectors.resolved_json` (decimals as decimal strings); an error is the
    envelope. Another export (the label export) sets its own ``record_json``."""

    record_json = staticmethod(resolved_json)

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if not isinstance(data, ScaleExportPage):
            return super().render(data, accepted_media_type, renderer_context)
        if (renderer_context or {}).get("indent"):  # the browsable page
            page = {"items": [orjson.loads(self.record_json(record)) for record in data.records]}
            return orjson.dumps({**page, "cursor": data.cursor, "more": data.more}, option=orjson.OPT_INDENT_2)
        body = b'{"items":[' + b",".join(self.record_json(record) for record in data.records) + b"],"
        return body + orjson.dumps({"cursor": data.cursor, "more": data.more})[1:]


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    if hasattr(value, "normalize"):
        return decimal_text(value)
    return str(value)


class ScaleExportCsvRenderer(BaseRenderer):
    """One row per resolved record, a header row first; the cursor and whether there is more
    travel in the ``X-Scale-Cursor`` and ``X-Scale-More`` headers. Another export sets its
    own ``fields``."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    fields: tuple[str, ...] = RESOLVED_FIELDS

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(self.fields)
        for record in data.records:
            writer.writerow([_csv_value(record[name]) for name in self.fields])
        return buffer.getvalue().encode()


class EcrsScaleExportSerializer(serializers.Serializer):
    items = ResolvedScaleItemSerializer(many=True)
    cursor = serializers.CharField(help_text="Opaque and URL-safe: pass it as ?cursor= next time.")
    more = serializers.BooleanField(help_text="Another call with the returned cursor has more.")


@extend_schema_view(
    get=extend_schema(
        operation_id="ecrs_scale_export",
        summary="What a store's scales must print, incrementally by cursor",
        tags=[PUSH_TAG],
        parameters=[
            OpenApiParameter("cursor", str, description="From the previous answer."),
            OpenApiParameter(
                "limit", int, description=f"At most {SCALE_EXPORT_MAX_LIMIT}; {SCALE_EXPORT_DEFAULT_LIMIT} if absent."
            ),
            OpenApiParameter("format", str, enum=["json", "csv"]),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                EcrsScaleExportSerializer,
                description="The resolved records changed since the cursor (all without one).",
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
            **envelope_responses(400, 401, 404, 405, media_type="application/json"),
        },
    )
)
class ScaleExportApi(EcrsApi):
    """What a store's scales must print, incrementally: pass the returned cursor as ?cursor=
    to get only what changed since (deletions included), ?limit= to page, ?format=csv for
    CSV. Needs the key of a scales integration."""

    name = "Scale export"
    http_method_names = ["get"]
    method_hint = "GET the export here."
    renderer_classes = (ScaleExportJsonRenderer, BrowsableAPIRenderer, ScaleExportCsvRenderer)

    # What another incremental export (the label export) sets to reuse this view.
    integration_kind = Integration.Kind.SCALES
    header_prefix = "X-Scale"
    default_limit = SCALE_EXPORT_DEFAULT_LIMIT
    max_limit = SCALE_EXPORT_MAX_LIMIT
    export_page = staticmethod(scale_export_page)

    def get_authenticators(self):
        return [IntegrationKeyAuthentication(self.integration_kind)]

    def get(self, request, scale_store_id: str):
        store = scale_store_by_id(scale_store_id)
        if store is None:
            return EnvelopeResponse(False, f"No store has scale store id {scale_store_id!r}.", 404)
        return self.export(request, store)

    def export(self, request, store):
        """The answer for ``store``: parse limit, cursor and format, read one page."""
        try:
            limit = int(request.query_params.get("limit") or self.default_limit)
        except ValueError:
            limit = 0
        if not 1 <= limit <= self.max_limit:
            return EnvelopeResponse(False, f"limit must be a whole number from 1 to {self.max_limit}.", 400)
        cursor = request.query_params.get("cursor")
        try:
            after, full = cursor_decode(cursor) if cursor else (0, True)
        except BadCursor:
            return EnvelopeResponse(False, "cursor is not one this endpoint returned.", 400)
        if request.query_params.get("format", "json") not in ("json", "csv", "api"):
            return EnvelopeResponse(False, "format must be json or csv.", 400)

        page = self.export_page(store, after=after, full=full, limit=limit)
        headers = None
        if request.accepted_renderer.format == "csv":
            prefix = self.header_prefix
            headers = {f"{prefix}-Cursor": page.cursor, f"{prefix}-More": "true" if page.more else "false"}
        return Response(page, headers=headers)
