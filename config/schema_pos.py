"""OpenAPI description of the POS coupon API (/pos/, CONTRACT 3): its paths, aliases, query
parameters and JSON shapes, as in ECRS's Digital Coupon and External Loyalty API Client
document and the samples in tests/fixtures. Used by :mod:`config.schema`."""

from __future__ import annotations

from typing import Any

TAG = "POS coupons"
SECURITY = [{"PosBasic": []}]
ERROR_IDS = ["UNAUTHORIZED", "INVALID_REQUEST", "INVALID_SITE", "CUSTOMER_NOT_FOUND", "NOT_FOUND", "INTERNAL_ERROR"]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], *, required: tuple[str, ...] = (), description: str = "") -> dict[str, Any]:
    result: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        result["required"] = list(required)
    if description:
        result["description"] = description
    return result


def strings(description: str = "") -> dict[str, Any]:
    result: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
    if description:
        result["description"] = description
    return result


NUMBER_OR_TEXT = {"oneOf": [{"type": "number"}, {"type": "string"}]}
UPC = {
    "oneOf": [{"type": "integer", "format": "int64"}, {"type": "string", "pattern": r"^\d{1,14}$"}],
    "description": "A JSON number (leading zeros lost) or a digit string; matched as a GTIN-14.",
}


def pos_components() -> dict[str, Any]:
    customer = obj(
        {
            "id": {"type": "string", "minLength": 1, "maxLength": 16},
            "firstName": {"type": "string", "maxLength": 25},
            "lastName": {"type": "string", "maxLength": 25},
            "email": {"type": "string", "maxLength": 254},
            "phone": {"type": "string", "maxLength": 14, "description": "10 digits."},
        },
        required=("id",),
        description="A customer as the POS pre-fills it (ECRS's limits).",
    )
    return {
        "PosError": obj(
            {"id": {"type": "string", "enum": ERROR_IDS}, "details": {"type": "string"}}, required=("id", "details")
        ),
        "PosErrors": obj(
            {"errors": {"type": "array", "items": ref("PosError")}},
            required=("errors",),
            description="The only error shape ECRS documents (CONTRACT 3.1).",
        ),
        "PosCoupon": obj(
            {
                "id": {"type": "string", "minLength": 1, "maxLength": 16},
                "shortDescription": {"type": "string"},
                "requirementDescription": {"type": "string"},
                "longDescription": {"type": "string"},
                "category": {"type": "string"},
                "brand": {"type": "string"},
                "startDate": {"type": "string", "format": "date", "nullable": True},
                "endDate": {"type": "string", "format": "date", "nullable": True},
                "imageUrl": {
                    "type": "string",
                    "nullable": True,
                    "description": "images/<name> (relative to the POS's base URL), or an absolute https:// URL "
                    "where the site uses external images.",
                },
                "targeted": {"type": "boolean"},
                "enabled": {"type": "boolean"},
                "featured": {"type": "boolean"},
                "requirementUpcs": {"type": "array", "items": {"type": "integer", "format": "int64"}},
                "rewardUpcs": {"type": "array", "items": {"type": "integer", "format": "int64"}},
            },
            required=("id",),
        ),
        "PosCouponList": obj({"coupons": {"type": "array", "items": ref("PosCoupon")}}, required=("coupons",)),
        "PosCustomerCoupons": obj(
            {
                "available": strings(),
                "clipped": strings(),
                "redeemed": strings("The last 30 days."),
                "expired": strings("The last 30 days."),
                "pending": strings(),
            },
            required=("available", "clipped", "redeemed", "expired", "pending"),
            description="Coupon ids by state; each id in one list only.",
        ),
        "PosClipRequest": obj({"add": strings(), "remove": strings()}),
        "PosClipResponse": obj(
            {"added": strings(), "removed": strings()},
            required=("added", "removed"),
            description="Only the ids actually changed.",
        ),
        "PosDemographicsRequest": obj({"phones": strings(), "emails": strings()}),
        "PosCustomer": customer,
        "PosTransactionLine": obj(
            {
                "id": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                "quantity": NUMBER_OR_TEXT,
                "upc": UPC,
                "price": {**NUMBER_OR_TEXT, "description": "Line total."},
                "discountPrice": {**NUMBER_OR_TEXT, "description": "Line total after POS discounts."},
                "dept": {"type": "integer"},
            },
            required=("id",),
        ),
        "PosTransactionUpdate": obj(
            {
                "site": {"type": "string"},
                "customer": {"type": "string"},
                "phones": strings(),
                "emails": strings(),
                "transaction": {"type": "string"},
                "cashier": {"type": "integer"},
                "terminal": {"type": "integer"},
                "time": {"type": "string", "description": "ISO 8601; without an offset, the store's local time."},
                "transientRequest": {"type": "boolean"},
                "items": {"type": "array", "items": ref("PosTransactionLine")},
                "subTotal": NUMBER_OR_TEXT,
                "taxTotal": NUMBER_OR_TEXT,
                "grossTotal": NUMBER_OR_TEXT,
            },
            description="Unknown fields are ignored (ECRS 5.8.189).",
        ),
        "PosLineDiscount": obj(
            {"lineId": {"oneOf": [{"type": "integer"}, {"type": "string"}]}, "discount": {"type": "number"}},
            required=("lineId", "discount"),
        ),
        "PosAppliedCoupon": obj(
            {
                "couponId": {"type": "string"},
                "externalId": {"type": "string"},
                "receiptAlias": {"type": "string"},
                "reducesTax": {"type": "boolean"},
                "type": {"type": "string", "description": "e.g. Mfr Discount, Store Discount."},
                "items": {"type": "array", "items": ref("PosLineDiscount")},
                "totalDiscount": {"type": "number"},
                "optional": obj(
                    {
                        "prompt": {"type": "string"},
                        "loyaltyId": {"type": "string"},
                        "loyaltyCost": {"type": "integer"},
                    },
                    description="Only for a coupon that costs loyalty points.",
                ),
            },
            required=("couponId", "items", "totalDiscount"),
        ),
        "PosReceiptLine": obj(
            {"type": {"type": "string", "enum": ["TEXT"]}, "content": {"type": "string"}}, required=("type", "content")
        ),
        "PosLoyaltyBalance": obj({"id": {"type": "string"}, "balance": {"type": "integer"}}, required=("id",)),
        "PosTransactionUpdateAnswer": obj(
            {
                "applied": {"type": "array", "items": ref("PosAppliedCoupon")},
                "receiptLines": {"type": "array", "items": ref("PosReceiptLine")},
                "customer": ref("PosCustomer"),
                "loyaltyBalances": {"type": "array", "items": ref("PosLoyaltyBalance")},
            }
        ),
        "PosTender": obj(
            {"type": {"type": "string"}, "amount": {**NUMBER_OR_TEXT, "description": "Stored with its sign as sent."}}
        ),
        "PosCommit": obj(
            {
                "site": {"type": "string"},
                "customer": {"type": "string"},
                "transaction": {"type": "string"},
                "coupons": strings("The coupons redeemed; empty: every pending one except optional coupons."),
                "tenders": {"type": "array", "items": ref("PosTender")},
            }
        ),
        "PosCommitAnswer": obj({"receiptLines": {"type": "array", "items": ref("PosReceiptLine")}}),
        "PosEmpty": obj({}, description="An empty object."),
    }


def query(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "string"}, "description": description}


SITE = query("site", "The coupon site id (POS siteid). For POST also accepted in the body; the query wins.")
CUSTOMER = query("customer", "The customer (card) id. An unknown id is learnt, not an error.")
TRANSACTION = query("transaction", "The POS transaction id.")


def errors(*statuses: int) -> dict[str, Any]:
    words = {
        400: "INVALID_REQUEST (body not JSON, or a documented field of the wrong type) or INVALID_SITE.",
        401: "UNAUTHORIZED: missing or wrong credentials (with WWW-Authenticate: Basic).",
        404: "CUSTOMER_NOT_FOUND (demographics) or NOT_FOUND.",
        500: "INTERNAL_ERROR.",
    }
    body = {"application/json": {"schema": ref("PosErrors")}}
    return {str(status): {"description": words[status], "content": body} for status in statuses}


def operation(
    operation_id: str,
    summary: str,
    params: list[dict],
    answer: str,
    *,
    body: str | None = None,
    extra: tuple[int, ...] = (),
    description: str = "",
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [TAG],
        "security": SECURITY,
        "parameters": params,
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": ref(answer)}}},
            **errors(400, 401, *extra, 500),
        },
    }
    if description:
        result["description"] = description
    if body:
        result["requestBody"] = {"required": False, "content": {"application/json": {"schema": ref(body)}}}
    return result


def pos_paths() -> dict[str, Any]:
    # (paths: canonical first, then aliases) → {method: operation}
    customer_coupons = operation(
        "pos_customer_coupons",
        "A customer's coupon ids by state",
        [SITE, CUSTOMER],
        "PosCustomerCoupons",
    )
    clip = operation(
        "pos_clip",
        "Clip and unclip coupons",
        [SITE, CUSTOMER],
        "PosClipResponse",
        body="PosClipRequest",
        description="Unknown, unavailable or not-clipped ids are left out of the answer, never a 4xx.",
    )
    demographics = operation(
        "pos_demographics",
        "Find a customer by phone or email",
        [SITE],
        "PosCustomer",
        body="PosDemographicsRequest",
        extra=(404,),
        description="Several matches: the customer seen most recently (ties: lowest id).",
    )
    update = operation(
        "pos_transaction_update",
        "Transaction update: which coupons apply to the basket",
        [SITE, CUSTOMER, TRANSACTION],
        "PosTransactionUpdateAnswer",
        body="PosTransactionUpdate",
        description="transientRequest: compute and answer, change nothing. Otherwise applied coupons become "
        "pending on this transaction.",
    )
    cancel = operation(
        "pos_transaction_cancel",
        "Cancel a transaction: its pending coupons return to clipped",
        [SITE, CUSTOMER, TRANSACTION],
        "PosEmpty",
        description="Idempotent; 200 whatever the state of the transaction.",
    )
    commit = operation(
        "pos_transaction_commit",
        "Commit a transaction: listed coupons are redeemed",
        [SITE, CUSTOMER, TRANSACTION],
        "PosCommitAnswer",
        body="PosCommit",
        description="Idempotent; 200 whatever the state of the transaction.",
    )
    image = {
        "operationId": "pos_image",
        "summary": "A coupon image (public: the POS and WebCart load images without credentials)",
        "tags": [TAG],
        "security": [],
        "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": {
                "description": "The image.",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in ("image/jpeg", "image/png", "image/gif")
                },
            },
            **errors(404),
        },
    }
    table: list[tuple[tuple[str, ...], dict[str, dict]]] = [
        (
            ("/pos/coupons",),
            {"get": operation("pos_coupons", "Every enabled coupon offered at the site", [SITE], "PosCouponList")},
        ),
        (("/pos/coupons/customer", "/pos/customer", "/pos/customer/coupons"), {"get": customer_coupons}),
        (("/pos/coupons/clip", "/pos/clip"), {"post": clip}),
        (("/pos/demographics", "/pos/customer/demographics"), {"post": demographics}),
        (("/pos/transaction/update", "/pos/transaction"), {"post": update}),
        (
            ("/pos/transaction/cancel",),
            {"get": cancel, "post": {**cancel, "operationId": "pos_transaction_cancel_post"}},
        ),
        (("/pos/transaction/commit",), {"post": commit}),
        (("/pos/images/{name}",), {"get": image}),
    ]
    paths: dict[str, Any] = {}
    for names, methods in table:
        canonical, *aliases = names
        paths[canonical] = methods
        for alias in aliases:
            paths[alias] = {
                method: {
                    **op,
                    "operationId": f"{op['operationId']}_alias_{alias.strip('/').replace('/', '_')}",
                    "description": f"Alias of {canonical}. " + op.get("description", ""),
                }
                for method, op in methods.items()
            }
    return paths
