"""The POS coupon API's wire format (CONTRACT 3): reading request values with the JSON path
in every error, and building every answer as ECRS shapes it (coupons, customer lists, clips,
customers, transaction answers, receipt lines, errors). The one home of that format: views
and services call these builders, they build no answer of their own.

Reading is lenient where ECRS is loose (ids as numbers or strings, booleans as strings,
unknown fields ignored) and strict only where a documented field cannot be read as its type:
that is an ``INVALID_REQUEST`` naming the field.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ecrs_hub.coercion import CoercionError, json_safe, to_bool, to_decimal, to_int, to_text
from ecrs_hub.gtin import upc_key
from ecrs_hub.json_input import MAX_DEPTH, lone_surrogate, may_nest_deeper, too_deep

from .engine import Line
from .models import DEFAULT_RECEIPT_TEMPLATE

logger = logging.getLogger("coupons.pos")

CENT = Decimal("0.01")
# ECRS's limits: customer and transaction ids are arbitrary strings (we keep up to 255, what a
# unique index holds comfortably: CONTRACT 2.4);
# coupon ids in requests are 1-16 characters.
ID_MAX = 255
COUPON_ID_MAX = 16
LIST_MAX = 1000
# An integer literal longer than this is kept as its text: Python refuses to make an int of
# more than 4,300 digits, and no documented field holds one of even 40 (ids are read as text).
INT_DIGITS_MAX = 40


class PosError(Exception):
    """An answer in the ECRS error envelope."""

    def __init__(self, code: str, details: str, status: int, **headers: str):
        super().__init__(details)
        self.code = code
        self.details = details
        self.status = status
        self.headers = headers


def invalid(path: str, rule: str) -> PosError:
    return PosError("INVALID_REQUEST", f"{path}: {rule}", 400)


def error_json(code: str, details: str) -> dict:
    """The ECRS error envelope (CONTRACT 3.1), the only error shape ECRS documents."""
    return {"errors": [{"id": code, "details": details}]}


def error_response(code: str, details: str, status: int, **headers: str) -> JsonResponse:
    response = JsonResponse(error_json(code, details), status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def money(value: Decimal) -> float:
    """A cent amount as a JSON number (the POS reads numbers; the Decimal is exact to the
    cent, and a float's shortest repr prints those same digits)."""
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


# --- reading --------------------------------------------------------------------------
#
# Number rules (CONTRACT 3.1, README "POS coupon server"): JSON has no NaN or Infinity, but
# Python's json reads the literals ``NaN``, ``Infinity`` and ``-Infinity``. They are read
# deliberately, as :class:`NonFinite`, so that a commit or cancel whose body holds one is
# still an object whose other fields are stored (answered 200); every reader refuses the value
# itself ("must be a finite number"), and a stored body keeps it as its text. A number too
# large for its field (``1e400``, a 5,000-digit integer) is refused by the field's reader.


class NonFinite:
    """``NaN``, ``Infinity`` or ``-Infinity`` as a request sent it."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


def _int_or_text(digits: str) -> int | str:
    return int(digits) if len(digits) <= INT_DIGITS_MAX else digits


def json_read(raw: bytes, *, parse_float: Callable[[str], Any] = str, parse_constant=NonFinite) -> Any:
    """The JSON value of ``raw`` (a UTF-8 byte-order mark in front skipped; empty: ``{}``),
    read as the POS readers expect it: numbers with a fraction as their text (exact, read by
    ``ecrs_hub.coercion``), huge integers as their digits, non-finite literals as
    :class:`NonFinite`. ``ValueError`` when it is not JSON or nests deeper than ``MAX_DEPTH``."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if not raw or not raw.strip():
        return {}
    if may_nest_deeper(raw):
        try:
            payload = json.loads(raw, parse_float=parse_float, parse_int=_int_or_text, parse_constant=parse_constant)
        except RecursionError:
            raise ValueError("nested too deep") from None
        if too_deep(payload):
            raise ValueError("nested too deep")
        return payload
    return json.loads(raw, parse_float=parse_float, parse_int=_int_or_text, parse_constant=parse_constant)


def parse_body(raw: bytes) -> dict:
    """The request body as a JSON object; an empty body is ``{}``."""
    try:
        payload = json_read(raw)
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        nested = str(error) == "nested too deep"
        details = f"the body nests deeper than {MAX_DEPTH} levels" if nested else "the body is not JSON"
        raise PosError("INVALID_REQUEST", details, 400) from None
    if not isinstance(payload, dict):
        raise PosError("INVALID_REQUEST", "the body must be a JSON object", 400)
    return payload


def _refuse_non_finite(path: str, value: Any) -> None:
    if isinstance(value, NonFinite):
        raise invalid(path, "must be a finite number")


def read_text(path: str, value: Any, max_length: int = ID_MAX) -> str | None:
    _refuse_non_finite(path, value)
    try:
        text = to_text(value, max_length)
    except CoercionError as error:
        raise invalid(path, error.rule) from None
    if text is None:
        return None
    if lone_surrogate(text):
        raise invalid(path, "must be valid Unicode text (it holds a lone surrogate)")
    text = text.strip()
    return text or None


def read_int(path: str, value: Any) -> int | None:
    _refuse_non_finite(path, value)
    try:
        return to_int(value)
    except CoercionError as error:
        raise invalid(path, error.rule) from None


def read_bool(path: str, value: Any) -> bool | None:
    _refuse_non_finite(path, value)
    try:
        return to_bool(value)
    except CoercionError as error:
        raise invalid(path, error.rule) from None


def read_decimal(path: str, value: Any, places: int = 2) -> Decimal | None:
    _refuse_non_finite(path, value)
    try:
        return to_decimal(value, 14, places)
    except CoercionError as error:
        raise invalid(path, error.rule) from None


def read_time(path: str, value: Any, tz=None) -> datetime | None:
    """ISO 8601; without an offset it is the store's local time (the hub's time zone)."""
    text = read_text(path, value, 64)
    if text is None:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        raise invalid(path, "must be an ISO 8601 date and time")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, tz or timezone.get_current_timezone())
    return moment


def read_text_list(path: str, value: Any, max_length: int, warnings: list[str], *, lenient: bool = False) -> list[str]:
    """A list of strings (numbers are read as their text). Entries that are empty or too
    long are left out with a warning; unique, in order. ``lenient`` (commit and cancel):
    what cannot be read is left out with a warning too, never an error."""
    if value is None:
        return []
    if not isinstance(value, list):
        if lenient:
            warnings.append(f"{path} ignored: must be a list")
            return []
        raise invalid(path, "must be a list")
    out: dict[str, None] = {}
    for index, item in enumerate(value[:LIST_MAX]):
        try:
            text = read_text(f"{path}[{index}]", item, None)
        except PosError as error:
            if lenient:
                warnings.append(f"{error.details}: ignored")
                continue
            raise
        text = text or ""
        if not text or len(text) > max_length:
            warnings.append(f"{path}[{index}] ignored: must be 1 to {max_length} characters")
            continue
        out[text] = None
    return list(out)


def _float_or_text(text: str) -> float | str:
    number = float(text)
    return number if math.isfinite(number) else text  # 1e400: its text, as sent


def storable(value: Any) -> Any:
    """``value`` as a JSON column can hold it: NULs written out (``json_safe``), a lone
    surrogate written out as its escape (``\\ud800``)."""
    if isinstance(value, str):
        if lone_surrogate(value):
            value = value.encode("utf-8", "backslashreplace").decode("utf-8")
        return json_safe(value)
    if isinstance(value, list):
        return [storable(item) for item in value]
    if isinstance(value, dict):
        return {storable(str(key)): storable(item) for key, item in value.items()}
    return value


def stored_body(raw: bytes) -> dict:
    """The body as sent, for the transaction log: numbers as JSON numbers, except those no
    JSON column holds (``NaN``, ``Infinity``, ``1e400``: their text); NULs and lone
    surrogates escaped. Never fails: what cannot be read is ``{}``."""
    try:
        payload = json_read(raw, parse_float=_float_or_text, parse_constant=str)
    except ValueError:
        return {}
    return storable(payload) if isinstance(payload, dict) else {}


def _upc(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, str)):
        try:
            return upc_key(value)
        except (ValueError, TypeError):
            return None
    return None


def read_lines(value: Any) -> list[Line]:
    """The basket's lines (CONTRACT 3.5.2, 5.2). ``price``/``discountPrice`` are line totals;
    lines that pay nothing or are returns (quantity or amount not above zero) take no
    discount and are left out of the evaluation."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid("items", "must be a list")
    lines: list[Line] = []
    for index, item in enumerate(value):
        path = f"items[{index}]"
        if not isinstance(item, dict):
            raise invalid(path, "must be an object")
        line_id = read_text(f"{path}.id", item.get("id"))
        if line_id is None:
            line_id = str(index + 1)
        quantity = read_decimal(f"{path}.quantity", item.get("quantity"), 3)
        price = read_decimal(f"{path}.price", item.get("price"))
        discount_price = read_decimal(f"{path}.discountPrice", item.get("discountPrice"))
        dept = read_int(f"{path}.dept", item.get("dept"))
        amount = discount_price if discount_price is not None else price
        quantity = Decimal(1) if quantity is None else quantity
        if amount is None or amount <= 0 or quantity <= 0:
            continue
        lines.append(Line(id=line_id, upc=_upc(item.get("upc")), dept=dept, quantity=quantity, amount=amount))
    return lines


@dataclass
class PosCall:
    """One request's values: query string first, then the path (``/pos/customers/<id>/...``
    of a path routed by its shape), then the JSON body (CONTRACT 3.1); ``raw`` is the body as
    sent."""

    query: Any
    body: dict
    warnings: list[str] = field(default_factory=list)
    raw: bytes = b""
    path_values: dict = field(default_factory=dict)
    lenient: bool = False  # commit and cancel: a value that cannot be read is ignored (a warning)

    def _read(self, name: str, value: Any, max_length: int) -> str | None:
        try:
            return read_text(name, value, max_length)
        except PosError as error:
            if not self.lenient:
                raise
            self.warnings.append(f"{error.details}: ignored")
            return None

    def ident(self, name: str, max_length: int = ID_MAX) -> str | None:
        from_query = self._read(name, self.query.get(name), max_length)
        from_path = self._read(name, self.path_values.get(name), max_length) if name in self.path_values else None
        from_body = self._read(name, self.body.get(name), max_length) if name in self.body else None
        chosen, source = next(
            ((value, where) for value, where in ((from_query, "query string"), (from_path, "path")) if value),
            (from_body, "body"),
        )
        for value, where in ((from_path, "path"), (from_body, "body")):
            if value and chosen and value != chosen and where != source:
                self.warnings.append(
                    f"{name}: the {source} says {chosen!r}, the {where} {value!r}; {source.split()[0]} used"
                )
        return chosen

    def log_warnings(self, where: str) -> None:
        for warning in self.warnings:
            logger.warning("%s: %s", where, warning)


# --- rendering ------------------------------------------------------------------------


def upc_numbers(keys) -> list[int]:
    """Canonical keys as the JSON numbers ECRS shows."""
    out = []
    for key in keys or ():
        try:
            out.append(int(key))
        except (TypeError, ValueError):
            continue
    return out


def image_url(coupon, site, base_url: str = "") -> str:
    """CONTRACT 3.2: a stored image is ``images/<name>`` (the POS puts its base URL in
    front); an external https URL only where the site uses external images; elsewhere an
    external image not copied yet is ``images/coupon-<pk>``, copied when first asked for.

    A POS with ``useExternalImages`` on loads every image URL as it is (it prepends nothing),
    so for such a site the hub's own images are given absolute: ``<base_url>/pos/images/...``
    (``base_url``: ``PUBLIC_BASE_URL``, else the request's scheme and host)."""
    external = coupon.external_image_url
    if site.use_external_images and external.lower().startswith("https://"):
        return external
    if coupon.image:
        path = "images/" + coupon.image.name.rsplit("/", 1)[-1]
    elif external:  # copied into storage by its first request (or fetch_coupon_images)
        path = f"images/coupon-{coupon.pk}"
    else:
        return ""
    if site.use_external_images and base_url:
        return f"{base_url.rstrip('/')}/pos/{path}"
    return path


def coupon_fields(coupon, *, image: str | None, upcs: Callable[[Any], list]) -> dict:
    """The coupon fields the POS answer (``coupon_json``) and the staff API's record
    (``coupons.records.coupon_record``) share, in their wire order. They differ in the
    image (the site's path for the POS, the stored reference for staff) and in how UPCs are
    written (``upcs``: numbers for the POS, GTIN-14 keys for staff)."""
    return {
        "id": coupon.coupon_id,
        "shortDescription": coupon.short_description,
        "requirementDescription": coupon.requirement_description,
        "longDescription": coupon.long_description,
        "category": coupon.category,
        "brand": coupon.brand,
        "startDate": coupon.start_date.isoformat() if coupon.start_date else None,
        "endDate": coupon.end_date.isoformat() if coupon.end_date else None,
        "imageUrl": image,
        "targeted": coupon.targeted,
        "enabled": coupon.enabled,
        "featured": coupon.featured,
        "requirementUpcs": upcs(coupon.requirement_upcs),
        "rewardUpcs": upcs(coupon.reward_upcs),
    }


def coupon_json(coupon, site, base_url: str = "") -> dict:
    return coupon_fields(coupon, image=image_url(coupon, site, base_url), upcs=upc_numbers)


def customer_json(customer, *, prefer_phones=(), prefer_emails=()) -> dict | None:
    """CustomerDemographics with ECRS's limits (CONTRACT 3.2): id 1-16 characters (else
    None), names cut to 25, email left out over 254, phone as 10 digits. A phone or email the
    request matched on is preferred. Needs ``phones`` and ``emails`` prefetched, or the
    ``contact_email``/``contact_phone`` annotations of ``customer_learn``."""
    if customer is None or not 1 <= len(customer.customer_id) <= 16:
        return None
    answer: dict[str, str] = {"id": customer.customer_id}
    if customer.first_name:
        answer["firstName"] = customer.first_name[:25]
    if customer.last_name:
        answer["lastName"] = customer.last_name[:25]
    if hasattr(customer, "contact_email"):  # annotated by customer_learn: no more queries
        emails = [customer.contact_email] if customer.contact_email else []
        phones = [customer.contact_phone] if customer.contact_phone else []
    else:
        emails = [e.email for e in customer.emails.all() if len(e.email) <= 254]
        phones = [p.last10 for p in customer.phones.all() if p.last10]
    emails.sort(key=lambda email: email not in prefer_emails)
    if emails:
        answer["email"] = emails[0]
    phones.sort(key=lambda last10: last10 not in prefer_phones)
    if phones:
        answer["phone"] = phones[0]
    return answer


def coupons_json(coupons, site, base_url: str = "") -> dict:
    """GET coupons (CONTRACT 3.2)."""
    return {"coupons": [coupon_json(coupon, site, base_url) for coupon in coupons]}


def public_base_url(request) -> str:
    """Where the hub is reached from outside: ``PUBLIC_BASE_URL``, else the request's own
    scheme and host (behind the TLS proxy, its X-Forwarded-Proto)."""
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


def customer_coupons_json(lists) -> dict:
    """GET coupons/customer (CONTRACT 3.2): a ``selectors.CouponLists``, each id in one list."""
    return {
        "available": lists.available,
        "clipped": lists.clipped,
        "redeemed": lists.redeemed,
        "expired": lists.expired,
        "pending": lists.pending,
    }


def clip_json(result) -> dict:
    """POST coupons/clip (CONTRACT 3.3): only the ids actually changed (a ``ClipResult``)."""
    return {"added": result.added, "removed": result.removed}


def line_id_json(line_id: str):
    """``lineId`` echoes the line's ``id``: a number when the POS sent a number."""
    if line_id.isdigit() and str(int(line_id)) == line_id:
        return int(line_id)
    return line_id


def optional_prompt(coupon) -> str:
    name = coupon.short_description or coupon.receipt_alias or coupon.coupon_id
    return f"Would you like to use your {name} coupon for {coupon.loyalty_cost} points?"


def receipt_lines(site, total_saved: Decimal, coupon_count: int) -> list[dict]:
    """The site's receipt line for what coupons saved (CONTRACT 3.5.6); none when nothing
    was saved or the site's template is empty."""
    if total_saved <= 0 or not site.receipt_template:
        return []
    values = {"total_saved": f"{total_saved:.2f}", "coupon_count": coupon_count}
    try:
        text = site.receipt_template.format(**values)
    except (KeyError, IndexError, ValueError):
        logger.warning("site %s: receipt template %r is not valid; default used", site.site_id, site.receipt_template)
        text = DEFAULT_RECEIPT_TEMPLATE.format(**values)
    return [{"type": "TEXT", "content": text}]


def transaction_update_json(result) -> dict:
    """The answer of CONTRACT 3.5.6 for a ``services.UpdateResult``, coupons in coupon-id order."""
    applied = []
    accounts: dict[int, Any] = {}
    total = Decimal(0)
    for item in result.applied:
        coupon, application = item.clip.coupon, item.application
        entry = {
            "couponId": coupon.coupon_id,
            "externalId": coupon.external_id,
            "receiptAlias": coupon.receipt_alias or coupon.short_description[:100],
            "reducesTax": coupon.reduces_tax,
            "type": coupon.type,
            "items": [{"lineId": line_id_json(d.line_id), "discount": money(d.discount)} for d in application.lines],
            "totalDiscount": money(application.total),
        }
        if item.account is not None:
            entry["optional"] = {
                "prompt": optional_prompt(coupon),
                "loyaltyId": item.account.loyalty_id,
                "loyaltyCost": coupon.loyalty_cost,
            }
            accounts[item.account.pk] = item.account
        applied.append(entry)
        total += application.total
    answer: dict = {"applied": applied, "receiptLines": receipt_lines(result.site, total, len(applied))}
    demographics = customer_json(
        result.customer, prefer_phones=result.contact_phones, prefer_emails=result.contact_emails
    )
    if demographics is not None:
        answer["customer"] = demographics
    if accounts:
        answer["loyaltyBalances"] = [
            {"id": account.loyalty_id, "balance": account.free_balance}  # less other transactions' holds
            for account in sorted(accounts.values(), key=lambda a: a.loyalty_id)
        ]
    return answer


def transaction_commit_json(site, total_saved: Decimal = Decimal(0), coupon_count: int = 0) -> dict:
    """The answer of CONTRACT 3.6: the receipt line for what the redeemed coupons saved."""
    return {"receiptLines": receipt_lines(site, total_saved, coupon_count)}


def digits_last10(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isascii() and ch.isdigit())
    return digits[-10:]
