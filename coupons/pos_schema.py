"""The OpenAPI description of the POS coupon API (CONTRACT 3, ECRS's Digital Coupon and
External Loyalty API Client document and the samples in tests/fixtures): its wire shapes, one
serializer per shape named as its component, and ``pos_operation``, the ``extend_schema`` of
each endpoint. They only describe: requests are read by ``pos_wire``'s readers (lenient where
ECRS is loose) and answers built by its builders, never through these serializers.

Only ``id`` fields and lists an answer always has are required, as ECRS documents them.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers

RECEIPT_LINE_TYPES = ["TEXT"]
ERROR_IDS = ["UNAUTHORIZED", "INVALID_REQUEST", "INVALID_SITE", "CUSTOMER_NOT_FOUND", "NOT_FOUND", "INTERNAL_ERROR"]


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}]})
class NumberOrTextField(serializers.Field):
    """A decimal as a JSON number or its text (read exactly by ``ecrs_hub.coercion``)."""


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class IntegerOrTextField(serializers.Field):
    pass


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "format": "int64"}, {"type": "string", "pattern": r"^\d{1,14}$"}],
        "description": "A JSON number (leading zeros lost) or a digit string; matched as a GTIN-14.",
    }
)
class UpcField(serializers.Field):
    pass


@extend_schema_field(OpenApiTypes.NUMBER)
class MoneyField(serializers.Field):
    """Cents as a JSON number (``pos_wire.money``)."""


@extend_schema_field(OpenApiTypes.INT64)
class UpcNumberField(serializers.Field):
    pass


def text(**options) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, **options)


def strings(help_text: str | None = None, *, required: bool = False) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(allow_blank=True), required=required, help_text=help_text)


# --- errors ------------------------------------------------------------------------------


class PosErrorSerializer(serializers.Serializer):
    id = serializers.ChoiceField(choices=ERROR_IDS)
    details = serializers.CharField(allow_blank=True)


class PosErrorsSerializer(serializers.Serializer):
    """The only error shape ECRS documents (CONTRACT 3.1)."""

    errors = PosErrorSerializer(many=True)


# --- catalogue, customer lists, clipping, demographics -----------------------------------


class PosCouponSerializer(serializers.Serializer):
    id = serializers.CharField(min_length=1, max_length=16)
    shortDescription = text()
    requirementDescription = text()
    longDescription = text()
    category = text()
    brand = text()
    startDate = serializers.DateField(required=False, allow_null=True)
    endDate = serializers.DateField(required=False, allow_null=True)
    imageUrl = text(
        allow_null=True,
        help_text="images/<name> (relative to the POS's base URL), or an absolute https:// URL "
        "where the site uses external images.",
    )
    targeted = serializers.BooleanField(required=False)
    enabled = serializers.BooleanField(required=False)
    featured = serializers.BooleanField(required=False)
    requirementUpcs = serializers.ListField(child=UpcNumberField(), required=False)
    rewardUpcs = serializers.ListField(child=UpcNumberField(), required=False)


class PosCouponListSerializer(serializers.Serializer):
    coupons = PosCouponSerializer(many=True)


class PosCustomerCouponsSerializer(serializers.Serializer):
    """Coupon ids by state; each id in one list only."""

    available = strings(required=True)
    clipped = strings(required=True)
    redeemed = strings("The last 30 days.", required=True)
    expired = strings("The last 30 days.", required=True)
    pending = strings(required=True)


class PosClipRequestSerializer(serializers.Serializer):
    add = strings()
    remove = strings()


class PosClipResponseSerializer(serializers.Serializer):
    """Only the ids actually changed."""

    added = strings(required=True)
    removed = strings(required=True)


class PosDemographicsRequestSerializer(serializers.Serializer):
    phones = strings()
    emails = strings()


class PosCustomerSerializer(serializers.Serializer):
    """A customer as the POS pre-fills it (ECRS's limits)."""

    id = serializers.CharField(min_length=1, max_length=16)
    firstName = text(max_length=25)
    lastName = text(max_length=25)
    email = text(max_length=254)
    phone = text(max_length=14, help_text="10 digits.")


# --- transaction update ------------------------------------------------------------------


class PosTransactionLineSerializer(serializers.Serializer):
    id = IntegerOrTextField()
    quantity = NumberOrTextField(required=False)
    upc = UpcField(required=False)
    price = NumberOrTextField(required=False, help_text="Line total.")
    discountPrice = NumberOrTextField(required=False, help_text="Line total after POS discounts.")
    dept = serializers.IntegerField(required=False)


class PosTransactionUpdateSerializer(serializers.Serializer):
    """Unknown fields are ignored (ECRS 5.8.189)."""

    site = text()
    customer = text()
    phones = strings()
    emails = strings()
    transaction = text()
    cashier = serializers.IntegerField(required=False)
    terminal = serializers.IntegerField(required=False)
    time = text(help_text="ISO 8601; without an offset, the store's local time.")
    transientRequest = serializers.BooleanField(required=False)
    items = PosTransactionLineSerializer(many=True, required=False)
    subTotal = NumberOrTextField(required=False)
    taxTotal = NumberOrTextField(required=False)
    grossTotal = NumberOrTextField(required=False)


class PosLineDiscountSerializer(serializers.Serializer):
    lineId = IntegerOrTextField()
    discount = MoneyField()


class PosOptionalSerializer(serializers.Serializer):
    """Only for a coupon that costs loyalty points."""

    prompt = text()
    loyaltyId = text()
    loyaltyCost = serializers.IntegerField(required=False)


class PosAppliedCouponSerializer(serializers.Serializer):
    couponId = serializers.CharField(allow_blank=True)
    externalId = text()
    receiptAlias = text()
    reducesTax = serializers.BooleanField(required=False)
    type = text(help_text="e.g. Mfr Discount, Store Discount.")
    items = PosLineDiscountSerializer(many=True)
    totalDiscount = MoneyField()
    optional = PosOptionalSerializer(required=False)


class PosReceiptLineSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=RECEIPT_LINE_TYPES)
    content = serializers.CharField(allow_blank=True)


class PosLoyaltyBalanceSerializer(serializers.Serializer):
    id = serializers.CharField(allow_blank=True)
    balance = serializers.IntegerField(required=False)


class PosTransactionUpdateAnswerSerializer(serializers.Serializer):
    applied = PosAppliedCouponSerializer(many=True, required=False)
    receiptLines = PosReceiptLineSerializer(many=True, required=False)
    customer = PosCustomerSerializer(required=False)
    loyaltyBalances = PosLoyaltyBalanceSerializer(many=True, required=False)


# --- commit ------------------------------------------------------------------------------


class PosTenderSerializer(serializers.Serializer):
    type = text()
    amount = NumberOrTextField(required=False, help_text="Stored with its sign as sent.")


class PosCommitSerializer(serializers.Serializer):
    site = text()
    customer = text()
    transaction = text()
    coupons = strings("The coupons redeemed; empty: every pending one except optional coupons.")
    tenders = PosTenderSerializer(many=True, required=False)


class PosCommitAnswerSerializer(serializers.Serializer):
    receiptLines = PosReceiptLineSerializer(many=True, required=False)


# --- the endpoints ------------------------------------------------------------------------

TAG = "POS coupons"


def _query(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, OpenApiParameter.QUERY, required=False, description=description)


SITE = _query("site", "The coupon site id (POS siteid). For POST also accepted in the body; the query wins.")
CUSTOMER = _query("customer", "The customer (card) id. An unknown id is learnt, not an error.")
TRANSACTION = _query("transaction", "The POS transaction id.")
ERRORS = {
    400: "INVALID_REQUEST (body not JSON, or a documented field of the wrong type) or INVALID_SITE.",
    401: "UNAUTHORIZED: missing or wrong credentials (with WWW-Authenticate: Basic).",
    404: "CUSTOMER_NOT_FOUND (demographics) or NOT_FOUND.",
    500: "INTERNAL_ERROR.",
}


def pos_operation(operation_id: str, summary: str, parameters, answer, *, request=None, errors=(400, 401, 500), **more):
    """``extend_schema`` for a POS endpoint: its answer, and the ECRS errors it may give."""
    responses = {200: OpenApiResponse(answer, description="OK")}
    responses.update({status: OpenApiResponse(PosErrorsSerializer, description=ERRORS[status]) for status in errors})
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        tags=[TAG],
        parameters=parameters,
        request={"application/json": request} if request else None,
        responses=responses,
        **more,
    )
