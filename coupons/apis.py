"""The POS coupon API (CONTRACT 3), every /pos/ path: one DRF view per endpoint that
authenticates, reads, calls one selector or service and renders (``coupons.pos_http`` holds
what they share). Never a crash page: any bug answers ``INTERNAL_ERROR`` in the ECRS error
envelope.

Paths (5.1): ``pos_entry`` collapses repeated slashes and makes a trailing slash optional; a
known path with its method goes to its endpoint; anything else is routed by its shape and
logged in ``UnknownPosRequest``; only a request of no known shape answers 404 ``NOT_FOUND``.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from . import selectors, services
from .auth import authenticate, site_for
from .models import UnknownPosRequest
from .pos_http import PosApi, pos_error, read_body
from .pos_schema import (
    CUSTOMER,
    ERRORS,
    SITE,
    TAG,
    TRANSACTION,
    PosClipRequestSerializer,
    PosClipResponseSerializer,
    PosCommitAnswerSerializer,
    PosCommitSerializer,
    PosCouponListSerializer,
    PosCustomerCouponsSerializer,
    PosCustomerSerializer,
    PosDemographicsRequestSerializer,
    PosErrorsSerializer,
    PosTransactionUpdateAnswerSerializer,
    PosTransactionUpdateSerializer,
    pos_operation,
)
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
    public_base_url,
    read_bool,
    read_decimal,
    read_int,
    read_lines,
    read_text_list,
    read_time,
    storable,
    stored_body,
)

logger = logging.getLogger("coupons.pos")


# --- endpoints ----------------------------------------------------------------------------


def _customer_id(call: PosCall) -> str:
    customer_id = call.ident("customer")
    if not customer_id:
        raise invalid("customer", "required (the customer's card id)")
    return customer_id


def _contacts(call: PosCall) -> tuple[list[str], list[str]]:
    phones = read_text_list("phones", call.body.get("phones"), 32, call.warnings)
    emails = read_text_list("emails", call.body.get("emails"), 320, call.warnings)
    return phones, emails


class CouponsApi(PosApi):
    """Every enabled coupon offered at the site (?site=) whose end date has not passed,
    by coupon id (CONTRACT 3.2)."""

    @pos_operation("pos_coupons", "Every enabled coupon offered at the site", [SITE], PosCouponListSerializer)
    def get(self, request, **route):
        call = self.pos_call(request)
        site = site_for(request.auth, call.ident("site"))
        return Response(coupons_json(selectors.coupons_for_site(site=site), site, public_base_url(request)))


class CustomerCouponsApi(PosApi):
    """A customer's coupon ids by state (CONTRACT 3.2); an unknown card is learnt."""

    @pos_operation(
        "pos_customer_coupons", "A customer's coupon ids by state", [SITE, CUSTOMER], PosCustomerCouponsSerializer
    )
    def get(self, request, **route):
        call = self.pos_call(request)
        site = site_for(request.auth, call.ident("site"))
        customer = services.customer_learn(customer_id=_customer_id(call))
        return Response(customer_coupons_json(selectors.customer_coupon_lists(site=site, customer=customer)))


class ClipApi(PosApi):
    """Clip ("add") and unclip ("remove") coupons (CONTRACT 3.3)."""

    @pos_operation(
        "pos_clip",
        "Clip and unclip coupons",
        [SITE, CUSTOMER],
        PosClipResponseSerializer,
        request=PosClipRequestSerializer,
        description="Unknown, unavailable or not-clipped ids are left out of the answer, never a 4xx.",
    )
    def post(self, request, **route):
        call = self.pos_call(request)
        site = site_for(request.auth, call.ident("site"))
        customer_id = _customer_id(call)
        add = read_text_list("add", call.body.get("add"), COUPON_ID_MAX, call.warnings)
        remove = read_text_list("remove", call.body.get("remove"), COUPON_ID_MAX, call.warnings)
        customer = services.customer_learn(customer_id=customer_id)
        result = services.clips_change(customer=customer, site=site, add=add, remove=remove, credential=request.auth)
        return Response(clip_json(result))


class DemographicsApi(PosApi):
    """Find a customer by phone or email (CONTRACT 3.2)."""

    @pos_operation(
        "pos_demographics",
        "Find a customer by phone or email",
        [SITE],
        PosCustomerSerializer,
        request=PosDemographicsRequestSerializer,
        errors=(400, 401, 404, 500),
        description="Several matches: the customer seen most recently (ties: lowest id).",
    )
    def post(self, request, **route):
        call = self.pos_call(request)
        site_for(request.auth, call.ident("site"))
        phones, emails = _contacts(call)
        customer = selectors.customer_by_contacts(phones=phones, emails=emails)
        answer = customer_json(customer, prefer_phones=phones, prefer_emails=[e.lower() for e in emails])
        if answer is None:
            raise PosError("CUSTOMER_NOT_FOUND", "no customer has these phones or emails", 404)
        return Response(answer)


class TransactionUpdateApi(PosApi):
    """Which coupons apply to the basket (CONTRACT 3.5)."""

    @pos_operation(
        "pos_transaction_update",
        "Transaction update: which coupons apply to the basket",
        [SITE, CUSTOMER, TRANSACTION],
        PosTransactionUpdateAnswerSerializer,
        request=PosTransactionUpdateSerializer,
        description="transientRequest: compute and answer, change nothing. Otherwise applied coupons become "
        "pending on this transaction.",
    )
    def post(self, request, **route):
        call = self.pos_call(request)
        site = site_for(request.auth, call.ident("site"))
        transaction_id = call.ident("transaction")
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
            request=stored_body(call.raw),
            credential=request.auth,
            warnings=call.warnings,
        )
        return Response(result.answer)


CANCEL = {
    "summary": "Cancel a transaction: its pending coupons return to clipped",
    "parameters": [SITE, CUSTOMER, TRANSACTION],
    "answer": {"type": "object", "properties": {}, "description": "An empty object."},
    "description": "Idempotent; 200 whatever the state of the transaction.",
}


class TransactionCancelApi(PosApi):
    """Cancel a transaction: its pending coupons return to clipped (CONTRACT 3.6). GET or
    POST, as the POS's cancelPost setting says."""

    lenient = True

    @pos_operation("pos_transaction_cancel", **CANCEL)
    def get(self, request, **route):
        call = self.pos_call(request)
        site = site_for(request.auth, call.ident("site"))
        services.transaction_cancel(
            site=site,
            transaction_id=call.ident("transaction"),
            customer_id=call.ident("customer"),
            credential=request.auth,
        )
        return Response({})

    @pos_operation("pos_transaction_cancel_post", **CANCEL)
    def post(self, request, **route):
        return self.get(request, **route)


class TransactionCommitApi(PosApi):
    """Commit a transaction: the listed coupons are redeemed (CONTRACT 3.6). Inside a JSON
    object, what cannot be read is ignored and logged: the answer is 200 (CONTRACT 3.1)."""

    lenient = True

    @pos_operation(
        "pos_transaction_commit",
        "Commit a transaction: listed coupons are redeemed",
        [SITE, CUSTOMER, TRANSACTION],
        PosCommitAnswerSerializer,
        request=PosCommitSerializer,
        description="Idempotent; 200 whatever the state of the transaction.",
    )
    def post(self, request, **route):
        call = self.pos_call(request)
        site = site_for(request.auth, call.ident("site"))
        coupons = read_text_list("coupons", call.body.get("coupons"), COUPON_ID_MAX, call.warnings, lenient=True)
        tenders = stored_body(call.raw).get("tenders")  # as sent (signs kept), storable
        if tenders is not None and not isinstance(tenders, list):
            call.warnings.append("tenders ignored: must be a list")
            tenders = None
        answer = services.transaction_commit(
            site=site,
            transaction_id=call.ident("transaction"),
            customer_id=call.ident("customer"),
            coupon_ids=coupons,
            tenders=tenders,
            request=None,
            credential=request.auth,
        )
        return Response(answer)


class CouponImageApi(PosApi):
    """A stored coupon image, as JPEG, PNG or GIF only (checked from its bytes). Public: the
    POS and WebCart load images without credentials, and they show nothing private."""

    authentication_classes = ()
    http_method_names = ["get", "head"]

    @extend_schema(
        operation_id="pos_image",
        summary="A coupon image (public: the POS and WebCart load images without credentials)",
        tags=[TAG],
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)],
        responses={
            **{
                (200, kind): OpenApiResponse(OpenApiTypes.BINARY, description="The image.")
                for kind in ("image/jpeg", "image/png", "image/gif")
            },
            404: OpenApiResponse(PosErrorsSerializer, description=ERRORS[404]),
        },
    )
    def get(self, request, name: str, **route):
        try:
            content, content_type = services.coupon_image_read(name=name)
        except services.ImageNotFound as error:
            raise PosError("NOT_FOUND", str(error), 404) from None
        response = HttpResponse(content, content_type=content_type)
        response["Cache-Control"] = "public, max-age=300"
        return response


# --- routing ------------------------------------------------------------------------------

ENDPOINTS: dict[str, type[PosApi]] = {
    "coupons": CouponsApi,
    "customer_coupons": CustomerCouponsApi,
    "clip": ClipApi,
    "demographics": DemographicsApi,
    "update": TransactionUpdateApi,
    "cancel": TransactionCancelApi,
    "commit": TransactionCommitApi,
}
# normalised path → (endpoint, methods); an endpoint's first path is its own, the others aliases
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


def _own_paths() -> dict[str, str]:
    own: dict[str, str] = {}
    for path, (endpoint, _) in ROUTES.items():
        own.setdefault(endpoint, path)
    return own


OWN_PATHS = _own_paths()  # endpoint → its own path; its other paths are aliases
VIEWS = {endpoint: api.as_view() for endpoint, api in ENDPOINTS.items()}
IMAGE_VIEW = CouponImageApi.as_view()


CUSTOMER_SEGMENTS = ("customers", "customer")


def path_values(path: str) -> dict[str, str]:
    """Values a path carries: the segment after ``customers``/``customer`` is the customer id
    (``/pos/customers/412345/coupons``), unless it names an endpoint (``customer/coupons``)."""
    parts = path.split("/")
    for index, part in enumerate(parts[:-1]):
        following = parts[index + 1]
        if part.lower() in CUSTOMER_SEGMENTS and following.lower() not in {"coupons", "demographics", "clip"}:
            return {"customer": following}
    return {}


def shape_route(method: str, path: str, query, body: dict) -> str | None:
    """CONTRACT 5.1b: which endpoint an unknown path's request is shaped like. A DELETE of a
    transaction path is a cancel."""
    keys = set(body)
    last = path.rsplit("/", 1)[-1].lower()
    if method == "DELETE" and "transaction" in path.lower():
        return "cancel"
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
        body_keys=sorted(storable(str(key)) for key in body)[:100],
        routed_to=routed_to or "",
        credential=credential,
    )
    logger.warning("unknown POS path %s %s routed to %s", request.method, path, routed_to or "nothing (404)")


def _by_shape(request: HttpRequest, path: str) -> HttpResponse:
    """An unknown path, or a known one with another method: logged, then answered by the
    endpoint its request is shaped like (authenticated here, to log who called)."""
    from_path = path_values(path)
    query = {**from_path, **request.GET.dict()}  # the query string wins (CONTRACT 3.1)
    try:  # the credentials first: an unauthenticated body is never read
        credential = authenticate(request)
    except PosError:
        _log_unknown(request, "/pos/" + path, {}, shape_route(request.method, path, query, {}), None)
        raise
    try:
        body = parse_body(read_body(request))
    except PosError as error:
        if error.status == 413:
            _log_unknown(request, "/pos/" + path, {}, None, credential)
            raise
        body = {}
    endpoint = shape_route(request.method, path, query, body)
    _log_unknown(request, "/pos/" + path, body, endpoint, credential)
    if endpoint is None:
        raise PosError("NOT_FOUND", f"no POS endpoint at /pos/{path} and the request has no known shape", 404)
    request.pos_credential = credential
    request.pos_path_values = from_path
    return VIEWS[endpoint](request, path=path, by_shape=True)


@csrf_exempt
def pos_entry(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Every /pos/ request: to its endpoint's view, by its normalised path and method."""
    path = "/".join(part for part in rest.split("/") if part)
    method = request.method
    if method in ("GET", "HEAD") and path.startswith("images/"):
        return IMAGE_VIEW(request, name=path.removeprefix("images/"), path=path)
    route = ROUTES.get(path)
    if route is not None and method in route[1]:
        return VIEWS[route[0]](request, path=path)
    try:
        return _by_shape(request, path)
    except Exception as exc:  # answered as the views answer it, in the ECRS error envelope
        error = pos_error(exc, request)
        return error_response(error.code, error.details, error.status, **error.headers)
