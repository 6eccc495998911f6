"""The POS coupon API (CONTRACT 3), every /pos/ path: authenticate, read, call one selector
or service, render. Never a crash page: any bug answers ``INTERNAL_ERROR`` in the ECRS
error envelope.

Paths (5.1): repeated slashes collapse and a trailing slash is optional; a known path with
its method goes to its endpoint; anything else is routed by its shape and logged in
``UnknownPosRequest``; only a request of no known shape answers 404 ``NOT_FOUND``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import selectors, services
from .auth import authenticate, site_for
from .models import PosCredential, UnknownPosRequest
from .pos_wire import (
    COUPON_ID_MAX,
    PosCall,
    PosError,
    clip_json,
    coupons_json,
    customer_coupons_json,
    customer_json,
    error_response,
    invalid,
    parse_body,
    read_bool,
    read_decimal,
    read_int,
    read_lines,
    read_text_list,
    read_time,
    stored_body,
)

logger = logging.getLogger("coupons.pos")

Handler = Callable[[PosCall, PosCredential], HttpResponse]

# normalised path → (endpoint, methods)
ROUTES: dict[str, tuple[str, frozenset[str]]] = {
    "coupons": ("coupons", frozenset({"GET"})),
    "coupons/customer": ("customer_coupons", frozenset({"GET"})),
    "customer": ("customer_coupons", frozenset({"GET"})),
    "customer/coupons": ("customer_coupons", frozenset({"GET"})),
    "coupons/clip": ("clip", frozenset({"POST"})),
    "clip": ("clip", frozenset({"POST"})),
    "demographics": ("demographics", frozenset({"POST"})),
    "customer/demographics": ("demographics", frozenset({"POST"})),
    "transaction/update": ("update", frozenset({"POST"})),
    "transaction": ("update", frozenset({"POST"})),
    "transaction/cancel": ("cancel", frozenset({"GET", "POST"})),
    "transaction/commit": ("commit", frozenset({"POST"})),
}


# --- endpoints ------------------------------------------------------------------------


def coupons_api(call: PosCall, credential: PosCredential) -> HttpResponse:
    site = site_for(credential, call.ident("site"))
    return JsonResponse(coupons_json(selectors.coupons_for_site(site=site), site))


def _customer_id(call: PosCall) -> str:
    customer_id = call.ident("customer")
    if not customer_id:
        raise invalid("customer", "required (the customer's card id)")
    return customer_id


def customer_coupons_api(call: PosCall, credential: PosCredential) -> HttpResponse:
    site = site_for(credential, call.ident("site"))
    customer = services.customer_learn(customer_id=_customer_id(call))
    return JsonResponse(customer_coupons_json(selectors.customer_coupon_lists(site=site, customer=customer)))


def clip_api(call: PosCall, credential: PosCredential) -> HttpResponse:
    site = site_for(credential, call.ident("site"))
    customer_id = _customer_id(call)
    add = read_text_list("add", call.body.get("add"), COUPON_ID_MAX, call.warnings)
    remove = read_text_list("remove", call.body.get("remove"), COUPON_ID_MAX, call.warnings)
    customer = services.customer_learn(customer_id=customer_id)
    result = services.clips_change(customer=customer, site=site, add=add, remove=remove, credential=credential)
    return JsonResponse(clip_json(result))


def _contacts(call: PosCall) -> tuple[list[str], list[str]]:
    phones = read_text_list("phones", call.body.get("phones"), 32, call.warnings)
    emails = read_text_list("emails", call.body.get("emails"), 320, call.warnings)
    return phones, emails


def demographics_api(call: PosCall, credential: PosCredential) -> HttpResponse:
    site_for(credential, call.ident("site"))
    phones, emails = _contacts(call)
    customer = selectors.customer_by_contacts(phones=phones, emails=emails)
    answer = customer_json(customer, prefer_phones=phones, prefer_emails=[e.lower() for e in emails])
    if answer is None:
        raise PosError("CUSTOMER_NOT_FOUND", "no customer has these phones or emails", 404)
    return JsonResponse(answer)


def _transaction_id(call: PosCall) -> str | None:
    return call.ident("transaction")


def update_api(call: PosCall, credential: PosCredential, raw: bytes = b"") -> HttpResponse:
    site = site_for(credential, call.ident("site"))
    transaction_id = _transaction_id(call)
    if not transaction_id:
        raise invalid("transaction", "required (the POS transaction id)")
    customer_id = call.ident("customer")
    phones, emails = _contacts(call)
    body = call.body
    for total in ("subTotal", "taxTotal", "grossTotal"):
        read_decimal(total, body.get(total))
    result = services.transaction_update(
        site=site,
        transaction_id=transaction_id,
        customer_id=customer_id,
        lines=read_lines(body.get("items")),
        transient=bool(read_bool("transientRequest", body.get("transientRequest"))),
        phones=phones,
        emails=emails,
        cashier=read_int("cashier", body.get("cashier")),
        terminal=read_int("terminal", body.get("terminal")),
        time=read_time("time", body.get("time")),
        request=stored_body(raw),
        credential=credential,
        warnings=call.warnings,
    )
    return JsonResponse(result.answer)


def cancel_api(call: PosCall, credential: PosCredential) -> HttpResponse:
    site = site_for(credential, call.ident("site"))
    services.transaction_cancel(
        site=site, transaction_id=_transaction_id(call), customer_id=call.ident("customer"), credential=credential
    )
    return JsonResponse({})


def commit_api(call: PosCall, credential: PosCredential, raw: bytes = b"") -> HttpResponse:
    site = site_for(credential, call.ident("site"))
    coupons = read_text_list("coupons", call.body.get("coupons"), COUPON_ID_MAX, call.warnings)
    tenders = call.body.get("tenders")
    if tenders is not None and not isinstance(tenders, list):
        raise invalid("tenders", "must be a list")
    answer = services.transaction_commit(
        site=site,
        transaction_id=_transaction_id(call),
        customer_id=call.ident("customer"),
        coupon_ids=coupons,
        tenders=stored_body(raw).get("tenders"),
        request=None,
        credential=credential,
    )
    return JsonResponse(answer)


ENDPOINTS: dict[str, Callable] = {
    "coupons": coupons_api,
    "customer_coupons": customer_coupons_api,
    "clip": clip_api,
    "demographics": demographics_api,
    "update": update_api,
    "cancel": cancel_api,
    "commit": commit_api,
}
WITH_RAW_BODY = {"update", "commit"}


def coupon_image(name: str) -> HttpResponse:
    """A stored coupon image, as JPEG, PNG or GIF only (checked from its bytes). Public: the
    POS and WebCart load images without credentials, and they show nothing private."""
    try:
        content, content_type = services.coupon_image_read(name=name)
    except services.ImageNotFound as error:
        raise PosError("NOT_FOUND", str(error), 404) from None
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "public, max-age=300"
    return response


# --- routing --------------------------------------------------------------------------


def shape_route(method: str, path: str, query, body: dict) -> str | None:
    """CONTRACT 5.1b: which endpoint an unknown path's request is shaped like."""
    keys = set(body)
    last = path.rsplit("/", 1)[-1].lower()
    if "items" in keys:
        return "update"
    if keys & {"add", "remove"}:
        return "clip"
    if keys & {"coupons", "tenders"} or last.endswith("commit"):
        return "commit"
    if keys & {"phones", "emails"} and "transaction" not in keys:
        return "demographics"
    if last.endswith("cancel"):
        return "cancel"
    if method == "GET" and query.get("site") and query.get("customer"):
        return "customer_coupons"
    if method == "GET" and query.get("site"):
        return "coupons"
    return None


def _log_unknown(request, path: str, body: dict, routed_to: str | None, credential) -> None:
    UnknownPosRequest.objects.create(
        method=request.method[:10],
        path=path[:500],
        query_keys=sorted(request.GET.keys())[:100],
        body_keys=sorted(str(key) for key in body)[:100],
        routed_to=routed_to or "",
        credential=credential,
    )
    logger.warning("unknown POS path %s %s routed to %s", request.method, path, routed_to or "nothing (404)")


def _dispatch(request: HttpRequest, rest: str) -> HttpResponse:
    path = "/".join(part for part in rest.split("/") if part)
    method = request.method
    if method in ("GET", "HEAD") and path.startswith("images/"):
        return coupon_image(path.removeprefix("images/"))
    route = ROUTES.get(path)
    raw = request.body
    if route is not None and method in route[1]:
        endpoint = route[0]
        credential = authenticate(request)
        body = parse_body(raw) if method == "POST" or raw.strip() else {}
    else:
        try:
            body = parse_body(raw)
        except PosError:
            body = {}
        endpoint = shape_route(method, path, request.GET, body)
        try:
            credential = authenticate(request)
        except PosError:
            _log_unknown(request, "/pos/" + path, body, endpoint, None)
            raise
        _log_unknown(request, "/pos/" + path, body, endpoint, credential)
        if endpoint is None:
            raise PosError("NOT_FOUND", f"no POS endpoint at /pos/{path} and the request has no known shape", 404)
        body = parse_body(raw)  # a routed request must have a readable body
    call = PosCall(query=request.GET, body=body)
    handler = ENDPOINTS[endpoint]
    try:
        if endpoint in WITH_RAW_BODY:
            return handler(call, credential, raw)
        return handler(call, credential)
    finally:
        call.log_warnings(f"{method} /pos/{path}")


@csrf_exempt
def pos_entry(request: HttpRequest, rest: str = "") -> HttpResponse:
    try:
        return _dispatch(request, rest)
    except PosError as error:
        return error_response(error.code, error.details, error.status, **error.headers)
    except RequestDataTooBig:
        return error_response("INVALID_REQUEST", "the body is too large", 400)
    except OperationalError:
        logger.exception("POS request %s %s: database unavailable or busy", request.method, request.path)
        return error_response("INTERNAL_ERROR", "the coupon server is busy; try again", 500)
    except Exception:
        logger.exception("POS request %s %s failed", request.method, request.path)
        return error_response("INTERNAL_ERROR", "the coupon server failed on this request", 500)
