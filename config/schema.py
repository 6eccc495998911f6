"""OpenAPI (CONTRACT 7: the schema describes every surface). drf-spectacular builds /api/,
/ecrs/ and /pos/ from their DRF views and serializers (the push record shapes from the wire
schemas, see ``ecrs_hub.schema``; the POS shapes in ``coupons.pos_schema``). These hooks add
only what a serializer cannot say: the /pos/ views behind their one dispatcher URL and their
aliases, the error answers of /api/, the overview and the tag descriptions."""

from __future__ import annotations

from ecrs_hub.schema import PUSH_TAG, wire_components_unsplit

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


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


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
    """drf-spectacular postprocessing hook: /pos/ beside /api/ and /ecrs/, the error answers of
    /api/, and what the /ecrs/ serializers cannot say."""
    wire_components_unsplit(result)
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(API_ERRORS)
    add_api_errors(result.get("paths", {}))
    add_pos_aliases(result["paths"])
    result.setdefault("info", {})["description"] = DESCRIPTION
    tags = result.setdefault("tags", [])
    tags.append({"name": PUSH_TAG, "description": "CATAPULT pushes to the hub (CONTRACT 2)."})
    tags.append({"name": "POS coupons", "description": "The POS Transaction Server calls the hub (CONTRACT 3)."})
    return result
