"""How the /ecrs/ endpoints describe themselves in /api/schema/ (drf-spectacular).

The push record shapes are serializers built from the same wire schemas the parsers use
(``items.wire``, ``scales.wire``) by :func:`wire_serializer`, so the description cannot drift
from what is accepted. They only describe: nothing validates a push with them, coercion is
:mod:`ecrs_hub.coercion`'s alone. What the coercion accepts (CONTRACT 2.4) is loosely typed —
a number or a numeric string, ``true`` or ``"Yes"``, and null to clear — and every record
keeps its unknown fields, so each record object allows additional properties.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from .coercion import WireField

PUSH_TAG = "ECRS push (CATAPULT)"
NUMBER_TEXT = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$"
BOOLEAN_WORDS = ["true", "false", "True", "False", "1", "0", "Yes", "No", "yes", "no", ""]


# --- wire fields ------------------------------------------------------------------------


class _Described(serializers.Field):
    """A field that only describes what the coercion accepts (never used to validate)."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


@extend_schema_field(
    {
        "oneOf": [{"type": "boolean"}, {"type": "string", "enum": BOOLEAN_WORDS}],
        "description": 'true/false, or "true"/"false", "1"/"0", "Yes"/"No".',
    }
)
class WireBooleanField(_Described):
    pass


@extend_schema_field({"oneOf": [{"type": "integer", "format": "int32"}, {"type": "string", "pattern": NUMBER_TEXT}]})
class WireIntegerField(_Described):
    pass


@extend_schema_field({"oneOf": [{"type": "integer", "format": "int64"}, {"type": "string", "pattern": NUMBER_TEXT}]})
class WireBigIntegerField(_Described):
    pass


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string", "pattern": NUMBER_TEXT}],
        "description": "A number or a numeric string; stored as a decimal, never a float.",
    }
)
class WireDecimalField(_Described):
    pass


WIRE_FIELD_CLASSES = {
    "bool": WireBooleanField,
    "int": WireIntegerField,
    "bigint": WireBigIntegerField,
    "decimal": WireDecimalField,
}


def wire_field(wire: WireField) -> serializers.Field:
    """The serializer field describing ``wire``: required as declared, and nullable unless
    required (a null clears the value)."""
    options = {"required": wire.required, "allow_null": not wire.required}
    if wire.kind == "text":
        return serializers.CharField(max_length=wire.max_length, allow_blank=True, **options)
    return WIRE_FIELD_CLASSES[wire.kind](**options)


# --- wire serializers -------------------------------------------------------------------

# Components only ever sent to the hub: named without the "Request" suffix that
# COMPONENT_SPLIT_REQUEST gives every request component (see wire_components_unsplit).
REQUEST_ONLY_COMPONENTS: set[str] = set()


def request_component[S: type[serializers.Serializer]](serializer: S) -> S:
    """Mark ``serializer`` as describing a request body only: its component keeps its name."""
    REQUEST_ONLY_COMPONENTS.add(serializer.__name__.removesuffix("Serializer"))
    return serializer


class WireSerializer(serializers.Serializer):
    """A record as CATAPULT sends it, described field by field from its wire schema."""


def wire_serializer(
    name: str, *schemas: Iterable[WireField], nested: dict[str, serializers.Field] | None = None, doc: str = ""
) -> type[WireSerializer]:
    """A :class:`WireSerializer` named ``name`` (its component's name in the schema) with a
    field for every :class:`~ecrs_hub.coercion.WireField` of ``schemas``, in order, then the
    ``nested`` fields (arrays of other records)."""
    fields: dict[str, Any] = {wire.name: wire_field(wire) for schema in schemas for wire in schema}
    # Copies come after the wire fields in the serializer's field order (a field's place is
    # when it was made).
    fields.update({key: copy.deepcopy(field) for key, field in (nested or {}).items()})
    return request_component(
        type(f"{name}Serializer", (WireSerializer,), {**fields, "__doc__": doc, "__module__": __name__})
    )


def many(serializer: type[serializers.Serializer]) -> serializers.Field:
    """An optional array of ``serializer`` records (a nested ``stores[]``, ``nutrition[]``)."""
    return serializer(many=True, required=False)


class WirePage(serializers.Serializer):
    """A page of ``record``: a JSON array of them, a single one or ``{"items": [...]}``, as
    :func:`ecrs_hub.ingest.records_of` accepts."""

    record: type[WireSerializer]
    what: str = "records"


def wire_page(name: str, record: type[WireSerializer], what: str) -> type[WirePage]:
    return request_component(
        type(f"{name}Serializer", (WirePage,), {"record": record, "what": what, "__module__": __name__})
    )


def _component_name(target: Any) -> str:
    cls = target if isinstance(target, type) else type(target)
    return cls.__name__.removesuffix("Serializer")


class WireSerializerScheme(OpenApiSerializerExtension):
    """A wire record keeps its name in both directions and allows unknown fields: they are
    stored and warned about, never an error (CONTRACT 2.4)."""

    target_class = WireSerializer
    match_subclasses = True

    def get_name(self, auto_schema, direction):
        return _component_name(self.target)

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = True
        if "required" in schema:  # in the wire schema's order, as the documents list them
            fields = force_instance(self.target).fields
            schema["required"] = [name for name, field in fields.items() if field.required]
        if self.target.__doc__:
            schema["description"] = self.target.__doc__
        return schema


class WirePageScheme(OpenApiSerializerExtension):
    target_class = WirePage
    match_subclasses = True

    def get_name(self, auto_schema, direction):
        return _component_name(self.target)

    def map_serializer(self, auto_schema, direction):
        record = auto_schema.resolve_serializer(self.target.record, direction).ref
        return {
            "oneOf": [
                {"type": "array", "items": record},
                record,
                {"type": "object", "properties": {"items": {"type": "array", "items": record}}, "required": ["items"]},
            ],
            "description": f'A JSON array of {self.target.what}, a single one, or {{"items": [...]}}.',
        }


# --- the envelope and the status table --------------------------------------------------


class EcrsEnvelopeSerializer(serializers.Serializer):
    """Every /ecrs/ answer, errors included (CONTRACT 2.2)."""

    success = serializers.BooleanField()
    message = serializers.CharField()


STATUS_WORDS = {
    200: "Every record was stored and committed.",
    400: "Not JSON / not multipart / not of any accepted shape (or a bad query parameter).",
    401: "Missing or wrong key, disabled integration, or wrong kind.",
    404: "No such store (scale export).",
    405: "Method not allowed.",
    413: "Body over the configured limit, refused before parsing.",
    415: "Wrong content type.",
    422: "Some records were rejected (the valid ones were stored); the message names their JSON paths.",
    503: "Transient failure, nothing committed: CATAPULT retries.",
}
PUSH_STATUSES = (200, 400, 401, 405, 413, 415, 422, 503)


def envelope_responses(*statuses: int, media_type: str | None = None) -> dict:
    """``responses=`` for ``extend_schema``: the envelope for each status, with its meaning;
    under ``media_type`` only, when given (a view that also renders another format)."""
    return {
        ((status, media_type) if media_type else status): OpenApiResponse(
            EcrsEnvelopeSerializer, description=STATUS_WORDS[status]
        )
        for status in statuses
    }


PUSH_RESPONSES = envelope_responses(*PUSH_STATUSES)
PUSH_DESCRIPTION = "Answers with or without the trailing slash, never redirects (CONTRACT 2.2)."


def push_schema(operation_id: str, summary: str, request):
    """The schema of a push endpoint's POST (a class decorator): ``request`` describes the body."""
    return extend_schema_view(
        post=extend_schema(
            operation_id=operation_id,
            summary=summary,
            description=PUSH_DESCRIPTION,
            tags=[PUSH_TAG],
            request=request,
            responses=PUSH_RESPONSES,
        )
    )


def wire_components_unsplit(result: dict) -> dict:
    """Postprocessing for what a serializer cannot say: a request-only component (the wire
    records, the image upload) under its own name rather than ``<name>Request`` (there is no
    response twin to tell it from), and a push's body marked required (a page is a ``oneOf``,
    so drf-spectacular cannot see that it is)."""
    schemas = result.get("components", {}).get("schemas", {})
    renamed = {}
    for name in REQUEST_ONLY_COMPONENTS:
        if f"{name}Request" in schemas and name not in schemas:
            schemas[name] = schemas.pop(f"{name}Request")
            renamed[f"#/components/schemas/{name}Request"] = f"#/components/schemas/{name}"
    if renamed:
        result["components"]["schemas"] = dict(sorted(schemas.items()))
        _rewrite_refs(result, renamed)
    for path, item in result.get("paths", {}).items():
        if path.startswith("/ecrs/") and "requestBody" in item.get("post", {}):
            item["post"]["requestBody"]["required"] = True
    return result


def _rewrite_refs(node: Any, renamed: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in renamed:
            node["$ref"] = renamed[ref]
        for value in node.values():
            _rewrite_refs(value, renamed)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, renamed)
