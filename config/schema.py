"""OpenAPI: the /ecrs/ push endpoints (CONTRACT 2) and the /pos/ coupon endpoints (CONTRACT 3)
are plain Django views written elsewhere; this postprocessing hook adds their paths, security
schemes and request/response shapes to the schema drf-spectacular builds for /api/, without
touching those views (CONTRACT 7: the schema describes every surface).

The push record shapes are generated from the same wire schemas the parsers use
(``items.wire``, ``scales.wire``), so the description cannot drift from what is accepted."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from ecrs_hub.coercion import Schema, WireField

ENVELOPE = "EcrsEnvelope"
PUSH_TAG = "ECRS push (CATAPULT)"
PUSH_SECURITY = [{"EcrsApiKey": []}, {"EcrsBearer": []}, {"EcrsKeyQuery": []}]

NUMBER_TEXT = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$"
BOOLEAN_WORDS = ["true", "false", "True", "False", "1", "0", "Yes", "No", "yes", "no", ""]

DESCRIPTION = """\
Partner-side hub for ECRS CATAPULT: item, scale and coupon integrations.

* **/api/** — the staff API. Every data endpoint needs an active **staff** user with the
  model's Django permission (`view` for reads; `add`/`change`/`delete` for writes), by session
  (the browsable API, after logging in to /admin/) or by token (`Authorization: Token <key>`;
  staff get one in the admin under *API tokens* or with `manage.py create_api_token`).
  CATAPULT-owned data is read-only.
  Money is a decimal string.
* **/api/shopper/** — the shopper app clip API: `X-Shopper-Key: <key>` of an integration of
  kind *shopper*, throttled per key.
* **/ecrs/** — what CATAPULT pushes (Instant Item Detail and Price Computing Scale clients),
  authenticated by an integration key. Every answer is the envelope `{"success", "message"}`.
  Paths answer with or without the trailing slash and never redirect.
* **/pos/** — the coupon API the POS Transaction Server calls, with HTTP Basic (a POS
  credential). Errors are `{"errors": [{"id", "details"}]}`.
"""


# --- wire schemas → JSON schemas ------------------------------------------------------


def wire_property(wire: WireField) -> dict[str, Any]:
    """What the coercion of ``wire`` accepts (CONTRACT 2.4): loosely typed, null clears."""
    if wire.kind == "text":
        prop: dict[str, Any] = {"type": "string"}
        if wire.max_length:
            prop["maxLength"] = wire.max_length
    elif wire.kind == "bool":
        prop = {
            "oneOf": [{"type": "boolean"}, {"type": "string", "enum": BOOLEAN_WORDS}],
            "description": 'true/false, or "true"/"false", "1"/"0", "Yes"/"No".',
        }
    elif wire.kind in ("int", "bigint"):
        prop = {
            "oneOf": [
                {"type": "integer", "format": "int64" if wire.kind == "bigint" else "int32"},
                {"type": "string", "pattern": NUMBER_TEXT},
            ]
        }
    elif wire.kind == "decimal":
        prop = {
            "oneOf": [{"type": "number"}, {"type": "string", "pattern": NUMBER_TEXT}],
            "description": "A number or a numeric string; stored as a decimal, never a float.",
        }
    else:  # pragma: no cover - the wire kinds are closed
        prop = {}
    prop["nullable"] = not wire.required
    return prop


def wire_object(schema: Schema, *, extra: dict[str, Any] | None = None, description: str = "") -> dict[str, Any]:
    properties = {wire.name: wire_property(wire) for wire in schema}
    properties.update(extra or {})
    result: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        # Unknown fields are kept and warned about, never an error (CONTRACT 2.4).
        "additionalProperties": True,
    }
    required = [wire.name for wire in schema if wire.required]
    if required:
        result["required"] = required
    if description:
        result["description"] = description
    return result


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(record: str, what: str) -> dict[str, Any]:
    return {
        "oneOf": [
            {"type": "array", "items": ref(record)},
            ref(record),
            {"type": "object", "properties": {"items": {"type": "array", "items": ref(record)}}, "required": ["items"]},
        ],
        "description": f'A JSON array of {what}, a single one, or {{"items": [...]}}.',
    }


def ecrs_components() -> dict[str, Any]:
    from items import wire as items_wire
    from scales import wire as scales_wire

    nutrition_panel = wire_object(
        scales_wire.NUTRITION_PANEL,
        extra={"values": {"type": "array", "items": wire_object(scales_wire.NUTRIENT)}},
        description="A nutrition panel; types outside the documented list are stored and warned about.",
    )
    item_store = wire_object(items_wire.STORE, description="The item at one store, and the store itself.")
    item_store["properties"].update(wire_object(items_wire.ITEM_STORE)["properties"])
    ordering = wire_object(items_wire.ORDERING, extra={"supplierName": wire_property(items_wire.SUPPLIER_NAME)})
    return {
        ENVELOPE: {
            "type": "object",
            "properties": {"success": {"type": "boolean"}, "message": {"type": "string"}},
            "required": ["success", "message"],
            "description": "Every /ecrs/ answer, errors included (CONTRACT 2.2).",
        },
        "EcrsItem": wire_object(
            items_wire.ITEM,
            extra={
                "stores": {"type": "array", "items": ref("EcrsItemAtStore")},
                "ordering": {"type": "array", "items": ref("EcrsItemOrdering")},
            },
            description="An Instant Item Detail item; a hyphenated recordID is an Alternate ID.",
        ),
        "EcrsItemAtStore": item_store,
        "EcrsItemOrdering": ordering,
        "EcrsItemsPage": page_of("EcrsItem", "items (at most 5,000)"),
        "EcrsPriceLabelType": wire_object(
            items_wire.PRICE_LABEL_TYPE,
            extra={"settings": {"type": "array", "items": wire_object(items_wire.SETTING)}},
            description="Each push replaces the whole key/value set of the price label type.",
        ),
        "EcrsPriceLabelSettingsPage": {
            "oneOf": [{"type": "array", "items": ref("EcrsPriceLabelType")}, ref("EcrsPriceLabelType")],
        },
        "EcrsImagesUpload": {
            "type": "object",
            "properties": {
                "file": {
                    "type": "array",
                    "items": {"type": "string", "format": "binary"},
                    "maxItems": settings.ECRS_MAX_IMAGE_FILES,
                    "description": "Repeated part; each part's file name is the image name (JPEG, PNG or GIF).",
                }
            },
            "required": ["file"],
        },
        "EcrsScaleNutritionPanel": nutrition_panel,
        "EcrsScaleItem": wire_object(
            scales_wire.SCALE_ITEM,
            extra={
                "stores": {"type": "array", "items": ref("EcrsScaleItemAtStore")},
                "nutrition": {"type": "array", "items": ref("EcrsScaleNutritionPanel")},
            },
            description="A scale-eligible item; stores[].storeId is the scale store id the hub gave.",
        ),
        "EcrsScaleItemAtStore": wire_object(
            scales_wire.SCALE_ITEM_STORE,
            extra={"nutrition": {"type": "array", "items": ref("EcrsScaleNutritionPanel")}},
        ),
        "EcrsScaleItemsPage": page_of("EcrsScaleItem", "scale items (at most 100)"),
        "EcrsScaleExport": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": ref("ResolvedScaleItem")},
                "cursor": {"type": "string", "description": "Opaque and URL-safe: pass it as ?cursor= next time."},
                "more": {"type": "boolean", "description": "Another call with the returned cursor has more."},
            },
            "required": ["items", "cursor", "more"],
        },
    }


def envelope_responses(*statuses: int) -> dict[str, Any]:
    words = {
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
    body = {"application/json": {"schema": ref(ENVELOPE)}}
    return {str(status): {"description": words[status], "content": body} for status in statuses}


PUSH_STATUSES = (200, 400, 401, 405, 413, 415, 422, 503)


def push_operation(operation_id: str, summary: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "description": "Answers with or without the trailing slash, never redirects (CONTRACT 2.2).",
            "tags": [PUSH_TAG],
            "security": PUSH_SECURITY,
            "requestBody": {"required": True, "content": body},
            "responses": envelope_responses(*PUSH_STATUSES),
        }
    }


def json_body(component: str) -> dict[str, Any]:
    return {"application/json": {"schema": ref(component)}}


def ecrs_paths() -> dict[str, Any]:
    export_params = [
        {"name": "scale_store_id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "From the previous answer."},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
        {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"]}},
    ]
    export_ok = envelope_responses(200)["200"]
    export_ok["description"] = "The resolved records changed since the cursor (all without one)."
    export_ok["content"] = {
        "application/json": {"schema": ref("EcrsScaleExport")},
        "text/csv": {"schema": {"type": "string"}},
    }
    return {
        "/ecrs/items/": push_operation(
            "ecrs_items_push", "Instant Item Detail: a page of items", json_body("EcrsItemsPage")
        ),
        "/ecrs/images/": push_operation(
            "ecrs_images_push",
            "Instant Item Detail: up to 10 item images",
            {"multipart/form-data": {"schema": ref("EcrsImagesUpload")}},
        ),
        "/ecrs/price-label-settings/": push_operation(
            "ecrs_price_label_settings_push",
            "Instant Item Detail: price label type settings",
            json_body("EcrsPriceLabelSettingsPage"),
        ),
        "/ecrs/scale-items/": push_operation(
            "ecrs_scale_items_push",
            "Price Computing Scale: a page of scale-eligible items",
            json_body("EcrsScaleItemsPage"),
        ),
        "/ecrs/scale-export/{scale_store_id}/": {
            "get": {
                "operationId": "ecrs_scale_export",
                "summary": "What a store's scales must print, incrementally by cursor",
                "tags": [PUSH_TAG],
                "security": PUSH_SECURITY,
                "parameters": export_params,
                "responses": {"200": export_ok, **envelope_responses(400, 401, 404, 405)},
            }
        },
    }


SECURITY_SCHEMES = {
    "EcrsApiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key", "description": "An integration's key."},
    "EcrsBearer": {"type": "http", "scheme": "bearer", "description": "An integration's key as a bearer token."},
    "EcrsKeyQuery": {"type": "apiKey", "in": "query", "name": "key", "description": "An integration's key."},
}


# The error answers of the staff and shopper APIs (DRF's shapes), which drf-spectacular does
# not describe by itself.
API_ERRORS = {
    "ApiError": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "description": "Not authenticated, not allowed, not found, a conflict or too many requests.",
    },
    "ApiValidationErrors": {
        "oneOf": [
            {"type": "object", "additionalProperties": True},
            {"type": "array", "items": {"type": "string"}},
        ],
        "description": "Usually each field (or non_field_errors) with the list of what is wrong with it, "
        'naming the rule; {"detail": ...} for a body that is not JSON; a list for a bad search.',
    },
}
ERROR_WORDS = {
    "400": ("ApiValidationErrors", "A parameter or the body is not valid; each field names its problem."),
    "401": ("ApiError", "No or wrong credentials."),
    "403": ("ApiError", "Not staff, or without the model permission."),
    "404": ("ApiError", "No such object (or page)."),
    "409": ("ApiError", "Other records still refer to it."),
    "429": ("ApiError", "Too many requests for this key; see Retry-After."),
}
UNDESCRIBED = ("/api/schema/", "/api/docs/", "/api/redoc/", "/api/auth/")


def add_api_errors(paths: dict) -> None:
    for path, item in paths.items():
        if not path.startswith("/api/") or path.startswith(UNDESCRIBED):
            continue
        shopper = path.startswith("/api/shopper/")
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "401", "404"]
            codes += ["429"] if shopper else ["403"]
            if method == "delete":
                codes.append("409")
            for code in codes:
                component, words = ERROR_WORDS[code]
                operation["responses"].setdefault(
                    code, {"description": words, "content": {"application/json": {"schema": ref(component)}}}
                )


# --- /pos/: generated from the DRF views of coupons.apis ------------------------------------


def add_pos_endpoints(endpoints: list) -> list:
    """drf-spectacular preprocessing hook: every /pos/ path goes through one URL pattern (the
    dispatcher ``coupons.apis.pos_entry``), so list each endpoint's view at its own path for the
    generator; its aliases are copied once generated (``add_pos_aliases``)."""
    from coupons.apis import IMAGE_VIEW, OWN_PATHS, ROUTES, VIEWS

    pos = [
        (f"/pos/{path}", f"^pos/{path}$", method, VIEWS[endpoint])
        for endpoint, path in OWN_PATHS.items()
        for method in sorted(ROUTES[path][1])
    ]
    return [*endpoints, *pos, ("/pos/images/{name}", r"^pos/images/(?P<name>[^/]+)$", "GET", IMAGE_VIEW)]


def add_pos_aliases(paths: dict) -> None:
    """Each alias of a /pos/ path (``coupons.apis.ROUTES``) answers as the path does: its
    operations, under their own ids."""
    from coupons.apis import OWN_PATHS, ROUTES

    for path, (endpoint, _) in ROUTES.items():
        own = f"/pos/{OWN_PATHS[endpoint]}"
        if own == f"/pos/{path}":
            continue
        paths[f"/pos/{path}"] = {
            method: {
                **operation,
                "operationId": f"{operation['operationId']}_alias_pos_{path.replace('/', '_')}",
                "description": f"Alias of {own}. " + operation.get("description", ""),
            }
            for method, operation in paths[own].items()
        }


def add_push_and_pos_endpoints(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: /ecrs/ and /pos/ beside /api/, and the error
    answers of /api/."""
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(API_ERRORS)
    add_api_errors(result.get("paths", {}))
    schemas.update(ecrs_components())
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    result.setdefault("paths", {}).update(ecrs_paths())
    add_pos_aliases(result["paths"])
    result.setdefault("info", {})["description"] = DESCRIPTION
    tags = result.setdefault("tags", [])
    tags.append({"name": PUSH_TAG, "description": "CATAPULT pushes to the hub (CONTRACT 2)."})
    tags.append({"name": "POS coupons", "description": "The POS Transaction Server calls the hub (CONTRACT 3)."})
    return result
