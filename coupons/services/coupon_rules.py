"""The rules of a coupon's fields (CONTRACT 3.2, 3.3, 6), shared by ``import_coupons`` and
the admin's coupon form so that both accept and refuse the same values with the same words.

Each parser takes a JSON value and returns the stored value or raises
:class:`~ecrs_hub.coercion.CoercionError` (``ItemError`` for a list element, naming its
position)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings

from ecrs_hub.coercion import CoercionError, to_bool, to_decimal, to_int, to_text

from ..engine import RewardKind
from ..models import Coupon, Customer, Site

COUPON_ID_MAX = 15  # the strictest ECRS limit (the commit request); requests accept 16
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif"}
IMAGE_DIR = "coupon-images"


def text_parser(limit: int | None, *, required: bool = False, default: str = "") -> Callable[[Any], str]:
    def parse(value):
        text = to_text(value, limit)
        if text is None or (required and not text.strip()):
            if required:
                raise CoercionError("is required")
            return default
        return text

    return parse


def bool_parser(default: bool) -> Callable[[Any], bool]:
    def parse(value):
        result = to_bool(value)
        return default if result is None else result

    return parse


def date_parser(value) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise CoercionError("must be an ISO date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CoercionError("must be an ISO date (YYYY-MM-DD)") from None


def int_parser(minimum: int, default: int | None) -> Callable[[Any], int | None]:
    def parse(value):
        number = to_int(value)
        if number is None:
            return default
        if number < minimum:
            raise CoercionError(f"must be at least {minimum}")
        return number

    return parse


def decimal_parser(digits: int, places: int, default: Decimal | None) -> Callable[[Any], Decimal | None]:
    def parse(value):
        number = to_decimal(value, digits, places)
        if number is None:
            return default
        if number < 0:
            raise CoercionError("must not be negative")
        return number

    return parse


class ItemError(CoercionError):
    """A bad element of a list field: the path names its position."""

    def __init__(self, rule: str, position: int, value: Any):
        super().__init__(rule)
        self.position, self.value = position, value


def list_parser(item: Callable[[Any], Any]) -> Callable[[Any], list]:
    """A JSON list whose items ``item`` parses; errors name the item's index."""

    def parse(value):
        if value is None:
            return []
        if not isinstance(value, list):
            raise CoercionError("must be a list")
        result = []
        for index, element in enumerate(value):
            try:
                parsed = item(element)
            except CoercionError as exc:
                raise ItemError(exc.rule, index, element) from None
            if parsed not in result:
                result.append(parsed)
        return result

    return parse


def upc_parser(value) -> str:
    from ecrs_hub.gtin import upc_key

    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise CoercionError("must be a UPC (a number or a string of digits)")
    try:
        key = upc_key(value)
    except (ValueError, TypeError) as exc:
        raise CoercionError(f"is not a UPC ({exc})") from None
    if not key:
        raise CoercionError("is not a UPC")
    return key


def dept_parser(value) -> int:
    try:
        number = to_int(value)
    except CoercionError:
        number = None
    if number is None or number < 0:
        raise CoercionError("must be a department number (a whole number, 0 or more)")
    return number


def identifier_parser(limit: int) -> Callable[[Any], str]:
    def parse(value):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise CoercionError("must be an id (text)")
        text = to_text(value)  # refuses NUL, which PostgreSQL text cannot hold
        if not text.strip() or len(text) > limit:
            raise CoercionError(f"must be 1 to {limit} characters")
        return text

    return parse


def reward_kind_parser(value) -> str:
    kinds = [kind.value for kind in RewardKind]
    if value not in kinds:
        raise CoercionError(f"must be one of {', '.join(kinds)}")
    return value


# JSON name → (model attribute, parser). ``imageUrl`` and ``rewardValue`` are read apart.
FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "id": ("coupon_id", identifier_parser(COUPON_ID_MAX)),
    "shortDescription": ("short_description", text_parser(255)),
    "requirementDescription": ("requirement_description", text_parser(None)),
    "longDescription": ("long_description", text_parser(None)),
    "category": ("category", text_parser(100)),
    "brand": ("brand", text_parser(100)),
    "startDate": ("start_date", date_parser),
    "endDate": ("end_date", date_parser),
    "targeted": ("targeted", bool_parser(False)),
    "enabled": ("enabled", bool_parser(True)),
    "featured": ("featured", bool_parser(False)),
    "requirementUpcs": ("requirement_upcs", list_parser(upc_parser)),
    "rewardUpcs": ("reward_upcs", list_parser(upc_parser)),
    "requirementDepts": ("requirement_depts", list_parser(dept_parser)),
    "minQuantity": ("min_quantity", decimal_parser(10, 3, Decimal(1))),
    "minSpend": ("min_spend", decimal_parser(12, 2, None)),
    "rewardKind": ("reward_kind", reward_kind_parser),
    "limitUnits": ("limit_units", int_parser(1, None)),
    "usesPerCustomer": ("uses_per_customer", int_parser(1, 1)),
    "loyaltyCost": ("loyalty_cost", int_parser(0, 0)),
    "loyaltyProgram": ("loyalty_program", text_parser(64)),
    "reducesTax": ("reduces_tax", bool_parser(True)),
    "type": ("type", text_parser(64, default="Store Discount")),
    "externalId": ("external_id", text_parser(64)),
    "receiptAlias": ("receipt_alias", text_parser(100)),
}
LINKS = {"sites": list_parser(identifier_parser(Site._meta.get_field("site_id").max_length))}
LINKS["targetedCustomers"] = list_parser(identifier_parser(Customer._meta.get_field("customer_id").max_length))
KNOWN = {*FIELDS, *LINKS, "imageUrl", "rewardValue"}
REQUIRED = ("id", "rewardKind")


def reward_rule(kind: str | None, value: Decimal | None) -> str | None:
    """What is wrong with ``value`` as the reward of a ``kind`` coupon, or None."""
    if kind is None or kind == RewardKind.FREE:
        return None
    if value is None:
        return f"is required for rewardKind {kind}"
    if kind in (RewardKind.PERCENT, RewardKind.AMOUNT) and value == 0:
        return f"must be more than 0 for rewardKind {kind}"
    if kind == RewardKind.PERCENT and value > 100:
        return "must be at most 100 (percent)"
    return None


def image_check(content: bytes) -> str:
    """The file extension of an acceptable coupon image (JPEG, PNG or GIF), or
    :class:`CoercionError` saying what is wrong with it."""
    from PIL import Image, UnidentifiedImageError

    if len(content) > settings.ECRS_MAX_IMAGE_BYTES:
        raise CoercionError(f"is larger than {settings.ECRS_MAX_IMAGE_BYTES} bytes")
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            fmt = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CoercionError(f"is not a readable image ({exc})") from None
    if fmt not in IMAGE_FORMATS:
        raise CoercionError(f"is a {fmt} image; the POS shows JPEG, PNG or GIF only")
    return IMAGE_FORMATS[fmt]


def image_unchanged(stored_name: str, content: bytes) -> bool:
    """Whether the stored file ``stored_name`` holds exactly ``content`` (so a re-import
    of the same image writes nothing)."""
    storage = Coupon._meta.get_field("image").storage
    if not stored_name or not storage.exists(stored_name):
        return False
    if storage.size(stored_name) != len(content):
        return False
    with storage.open(stored_name, "rb") as stored:
        return hashlib.sha256(stored.read()).digest() == hashlib.sha256(content).digest()
