"""What every DRF view of the POS coupon API (/pos/, CONTRACT 3) shares: the body parser, the
JSON renderer, the mapping of every error to the ECRS error envelope, and the base view.

A POS answer is written exactly as the plain Django view wrote it (``JsonResponse`` with
``DjangoJSONEncoder``): the same bytes, ``Content-Type: application/json``. The browsable API
renders the same data for a person with a browser (``BrowserOnlyNegotiation``); a machine
always gets JSON.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.cache import patch_vary_headers
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.utils.formatting import camelcase_to_spaces
from rest_framework.views import APIView

from ecrs_hub.apis import PayloadTooLarge, chunked_body
from ecrs_hub.negotiation import BrowserOnlyNegotiation

from .auth import CHALLENGE, PosBasicAuthentication
from .pos_wire import PosCall, PosError, error_json, parse_body

logger = logging.getLogger("coupons.pos")

RETRY_AFTER_SECONDS = "5"


def too_large() -> PosError:
    limit = settings.POS_MAX_BODY_BYTES
    return PosError("REQUEST_TOO_LARGE", f"the body is over the limit of {limit} bytes", 413)


def unavailable() -> PosError:
    return PosError(
        "UNAVAILABLE",
        "the coupon server's database is unavailable or busy; try again",
        503,
        **{"Retry-After": RETRY_AFTER_SECONDS},
    )


# --- parsing -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PosBody:
    raw: bytes  # as sent: the transaction log stores it
    json: dict


def _declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def refuse_oversize(request) -> None:
    """A body over ``POS_MAX_BODY_BYTES`` is refused from its declared length, before it is
    read (called once the credentials are checked: an unauthenticated body is never read)."""
    if _declared_length(request) > settings.POS_MAX_BODY_BYTES:
        raise too_large()


def read_body(request) -> bytes:
    """The raw body of a Django request, at most ``POS_MAX_BODY_BYTES``: a declared length
    over it is refused unread, a chunked body (no Content-Length, which Django would read as
    empty) is counted while it is read and refused as soon as it passes the cap."""
    limit = settings.POS_MAX_BODY_BYTES
    if hasattr(request, "_body"):
        return request._body
    if _declared_length(request) or "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        refuse_oversize(request)
        try:
            return request.body
        except RequestDataTooBig:
            raise too_large() from None
    try:
        request._body = chunked_body(request, limit)
    except PayloadTooLarge:
        raise too_large() from None
    return request._body


class PosJsonParser(BaseParser):
    """The body as a JSON object (``pos_wire.parse_body``) with its raw bytes. ECRS documents
    JSON; whatever the ``Content-Type`` says, the body is read as JSON (``PosAnyParser``)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> PosBody:
        raw = read_body(parser_context["request"]._request)
        return PosBody(raw=raw, json=parse_body(raw))


class PosAnyParser(PosJsonParser):
    media_type = "*/*"


# --- rendering ---------------------------------------------------------------------------


class PosJsonRenderer(BaseRenderer):
    """The bytes ``JsonResponse`` wrote: ``DjangoJSONEncoder``, default separators, ASCII.
    Only the browsable page asks for an indent (through the renderer context)."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        indent = (renderer_context or {}).get("indent")
        return json.dumps(data, cls=DjangoJSONEncoder, indent=indent).encode()


# --- errors ------------------------------------------------------------------------------


def pos_error(exc: Exception, request) -> PosError:
    """Every failure as the ECRS error it answers (CONTRACT 3.1): never a crash page, a bug
    answers ``INTERNAL_ERROR`` (and is logged)."""
    if isinstance(exc, PosError):
        return exc
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        return PosError("UNAUTHORIZED", str(exc.detail), 401, **{"WWW-Authenticate": CHALLENGE})
    if isinstance(exc, RequestDataTooBig):
        return too_large()
    if isinstance(exc, (Http404, exceptions.NotFound)):
        return PosError("NOT_FOUND", "no such POS endpoint", 404)
    if isinstance(exc, exceptions.APIException):
        return PosError("INVALID_REQUEST", str(exc.detail), 400)
    if isinstance(exc, (OperationalError, InterfaceError)):  # timeouts, a lost or refused connection
        logger.error("POS request %s %s: database unavailable or busy: %s", request.method, request.path, exc)
        return unavailable()
    logger.error("POS request %s %s failed", request.method, request.path, exc_info=exc)
    return PosError("INTERNAL_ERROR", "the coupon server failed on this request", 500)


def pos_exception_handler(exc: Exception, context: dict) -> Response:
    error = pos_error(exc, context["request"])
    return Response(error_json(error.code, error.details), status=error.status, headers=error.headers)


# --- the base view -----------------------------------------------------------------------


class PosAutoSchema(AutoSchema):
    """The POS shapes keep ECRS's names: a request body's component is not renamed
    ``…Request`` (``COMPONENT_SPLIT_REQUEST``); its serializer carries the whole name."""

    def _get_serializer_name(self, serializer, direction, bypass_extensions=False) -> str:
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        return name.removesuffix("Request") if direction == "request" else name


class PosApi(APIView):
    """A /pos/ endpoint. The dispatcher (``coupons.apis.pos_entry``) calls it with the
    normalised ``path``, and ``by_shape`` for a request routed by its shape, which is answered
    whatever its method (CONTRACT 5.1b). Errors are the ECRS envelope, set per view: the
    staff API keeps DRF's own."""

    authentication_classes = (PosBasicAuthentication,)
    permission_classes = ()  # authenticating is the permission: the site check is per request
    throttle_classes = ()
    parser_classes = (PosJsonParser, PosAnyParser)
    renderer_classes = (PosJsonRenderer, BrowsableAPIRenderer)
    content_negotiation_class = BrowserOnlyNegotiation
    http_method_names = ["get", "post"]
    schema = PosAutoSchema()
    call: PosCall | None = None
    # Commit and cancel read leniently: inside a JSON object a value that cannot be read is
    # ignored with a warning, so that a POS retrying in the background never loops (CONTRACT 3.1).
    lenient = False

    @property
    def default_response_headers(self) -> dict:
        return {}  # a machine's answer keeps the plain view's headers (no Allow, no Vary)

    def get_view_name(self) -> str:  # the browsable page's title
        return "POS " + camelcase_to_spaces(type(self).__name__.removesuffix("Api"))

    def get_exception_handler(self):
        return pos_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # the credentials first: a cheap header check
        refuse_oversize(request)  # then the declared length, before the body is read

    def http_method_not_allowed(self, request, *args, **kwargs):
        if kwargs.get("by_shape"):
            handler = getattr(self, "post", None) or self.get
            return handler(request, *args, **kwargs)
        return super().http_method_not_allowed(request, *args, **kwargs)

    def pos_call(self, request) -> PosCall:
        """The request's values (query string first, then the JSON body); parsing it may
        answer ``INVALID_REQUEST``."""
        data = request.data
        path_values = getattr(request._request, "pos_path_values", {})
        if not isinstance(data, PosBody) and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            raw = read_body(request._request)  # DRF reads no body without a Content-Length
            data = PosBody(raw=raw, json=parse_body(raw))
        if isinstance(data, PosBody):
            self.call = PosCall(
                query=request.query_params, body=data.json, raw=data.raw, path_values=path_values, lenient=self.lenient
            )
        else:  # no body
            self.call = PosCall(query=request.query_params, body={}, path_values=path_values, lenient=self.lenient)
        return self.call

    def finalize_response(self, request, response, *args, **kwargs):
        if self.call is not None:
            self.call.log_warnings(f"{request.method} /pos/{kwargs.get('path', '')}")
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):
            if isinstance(response.accepted_renderer, BrowsableAPIRenderer):
                patch_vary_headers(response, ["Accept"])  # no cache may give the page to a machine
            try:  # rendered here, so that a value that cannot be rendered is an answer too
                response.render()
            except Exception as exc:
                request.accepted_renderer, request.accepted_media_type = PosJsonRenderer(), PosJsonRenderer.media_type
                response = super().finalize_response(request, self.handle_exception(exc), *args, **kwargs)
                response.render()
        return response
