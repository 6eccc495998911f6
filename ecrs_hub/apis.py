"""The HTTP layer of /ecrs/ (CONTRACT 2.1–2.3): DRF views over the push services.

Every /ecrs/ answer, errors included, is the envelope ``{"success": …, "message": …}`` written
as it always was (Django's ``JsonResponse`` bytes). The pieces:

- :class:`IntegrationKeyAuthentication`: the integration key (``X-Api-Key``,
  ``Authorization: Bearer``, ``?key=``) of an enabled integration of the endpoint's kind; a
  refusal is counted as a :class:`~ecrs_hub.models.RefusedRequest`.
- :class:`JsonBodyParser` / :class:`MultipartBodyParser`: the raw body, after refusing a wrong
  content type (415) and, from Content-Length alone, a body over the limit (413).
- :class:`EnvelopeRenderer`: the envelope's bytes; the browsable API only for a browser
  (:class:`~ecrs_hub.negotiation.BrowserOnlyNegotiation`).
- :func:`envelope_exception_handler`: every error as the envelope (this view's handler, not
  the global one: /api/ keeps DRF's own error shapes).
- :class:`PushApi`: one push endpoint, declared by an app with its :class:`PushEndpoint`.

The views are CSRF-exempt (``APIView.as_view``), and their URLs take the path with or without
the trailing slash, so they never redirect (a redirected POST loses its body).
"""

from __future__ import annotations

import io
import ipaddress
import json
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.utils.http import parse_header_parameters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from .models import Integration
from .negotiation import BrowserOnlyNegotiation, is_browser_renderer
from .selectors import integration_check
from .services.integrations import integration_key_hash_upgrade
from .services.pushes import (
    TRANSIENT_DB_ERRORS,
    PushEndpoint,
    push_process,
    push_record,
    push_refusal_record,
    refused_request_record,
)
from .storage import StorageUnavailable

logger = logging.getLogger(__name__)

AUTHENTICATE_HEADER = 'Bearer realm="ecrs-hub"'
RETRY_AFTER_SECONDS = "60"


# --- the envelope ---------------------------------------------------------------------


def envelope(success: bool, message: str) -> dict[str, Any]:
    """The one answer shape of every /ecrs/ response, errors included."""
    return {"success": success, "message": message}


class EnvelopeResponse(Response):
    """An answer in the envelope: always rendered as JSON (or the browsable page), even where
    the view also renders another format (the scale export's ``?format=csv``)."""

    def __init__(self, success: bool, message: str, status: int = 200, headers: dict | None = None):
        super().__init__(envelope(success, message), status=status, headers=headers)


class EnvelopeRenderer(BaseRenderer):
    """JSON exactly as ``JsonResponse`` writes it (``DjangoJSONEncoder``, default separators,
    ASCII), so the bytes CATAPULT receives stay the same; indented in the browsable page."""

    media_type = "application/json"
    format = "json"
    charset = None  # Content-Type: application/json, as JsonResponse sends it

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        indent = (renderer_context or {}).get("indent")
        return json.dumps(data, cls=DjangoJSONEncoder, indent=indent).encode()


# --- authentication -------------------------------------------------------------------


def presented_key(request) -> str | None:
    """The key from ``X-Api-Key``, ``Authorization: Bearer`` or ``?key=``, in that order."""
    key = request.headers.get("X-Api-Key")
    if key:
        return key.strip()
    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.GET.get("key") or None


def remote_addr(request) -> str | None:
    """The client's address. Behind the TLS proxy (BEHIND_TLS_PROXY=1) that is the last
    X-Forwarded-For entry, the one our proxy appended; entries before it are the
    client's own claims and are not trusted."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            try:
                return str(ipaddress.ip_address(last))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None


class MachineClient:
    """``request.user`` for DRF when the caller is a machine known by its secret (an
    integration key, a POS credential), not a Django user: authenticated, never staff."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False


class IntegrationClient(MachineClient):
    """A caller known by its integration (a CATAPULT client, scale software; the shopper API's
    apps too)."""

    def __init__(self, integration: Integration):
        self.integration = integration

    def __str__(self) -> str:
        return str(self.integration)


class IntegrationKeyAuthentication(BaseAuthentication):
    """The key of an enabled integration of ``kind``. Anything else — no key, an unknown key,
    a disabled integration, another kind — is counted (without the body) and refused with
    401; ``request.auth`` is the integration."""

    def __init__(self, kind: str):
        self.kind = kind

    def authenticate(self, request):
        key = presented_key(request)
        integration, reason = integration_check(key=key, kind=self.kind)
        if integration is None:
            refused_request_record(remote_addr=remote_addr(request), endpoint=request.path, reason=reason)
            raise exceptions.AuthenticationFailed(f"Unauthorized: {reason}.")
        if integration.key_hash_outdated:
            integration_key_hash_upgrade(integration=integration, key=key)
        return IntegrationClient(integration), integration

    def authenticate_header(self, request) -> str:
        return AUTHENTICATE_HEADER


class IntegrationKeyScheme(OpenApiAuthenticationExtension):
    """The key, as the schema describes it: either header or the query parameter will do."""

    target_class = IntegrationKeyAuthentication
    name = ["EcrsApiKey", "EcrsBearer", "EcrsKeyQuery"]

    def get_security_requirement(self, auto_schema):
        return [{name: []} for name in self.name]  # any one of them, not all three

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "header", "name": "X-Api-Key", "description": "An integration's key."},
            {"type": "http", "scheme": "bearer", "description": "An integration's key as a bearer token."},
            {"type": "apiKey", "in": "query", "name": "key", "description": "An integration's key."},
        ]


# --- parsing --------------------------------------------------------------------------


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Body over the limit for this endpoint."
    default_code = "payload_too_large"


class RawBodyParser(BaseParser):
    """The body as raw bytes (each push service parses and stores its own), read only after
    the content type and the declared length are accepted. The limit is the view's
    endpoint's (``ECRS_MAX_JSON_BYTES``, ``ECRS_MAX_IMAGE_BYTES``)."""

    def accepts(self, media_type: str) -> bool:
        raise NotImplementedError

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        request = parser_context["request"]
        main_type = parse_header_parameters(media_type or "")[0]
        if not self.accepts(main_type):
            raise exceptions.UnsupportedMediaType(
                main_type, detail=f"Unsupported content type {main_type!r}: send {self.media_type}."
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise exceptions.ParseError("Content-Length is not a number.") from None
        if length < 0:
            raise exceptions.ParseError("Content-Length is not a number.")
        limit = parser_context["view"].endpoint.max_bytes
        if length > limit:
            raise PayloadTooLarge(f"Body of {length} bytes is over the limit of {limit} bytes for this endpoint.")
        return stream.read() if stream is not None else b""


class JsonBodyParser(RawBodyParser):
    """``application/json`` (any charset), ``application/*+json``, or no content type."""

    media_type = "application/json"

    def accepts(self, media_type: str) -> bool:
        return media_type in ("application/json", "") or (
            media_type.startswith("application/") and media_type.endswith("+json")
        )


class MultipartBodyParser(RawBodyParser):
    media_type = "multipart/form-data"

    def accepts(self, media_type: str) -> bool:
        return media_type == "multipart/form-data"


READ_CHUNK = 1024 * 1024


def chunked_body(request, limit: int) -> bytes:
    """A body sent with ``Transfer-Encoding: chunked`` and no Content-Length, read to its end
    from the server's (already de-chunked) input, refused with 413 as soon as it passes
    ``limit``. Django reads no body without a Content-Length; CATAPULT's HTTP client may send
    one this way, and answering it "empty" would lose it (a 400 is never retried)."""
    if "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return b""
    stream = request.META.get("wsgi.input")
    parts, size = [], 0
    while stream is not None:
        part = stream.read(READ_CHUNK)
        if not part:
            break
        size += len(part)
        if size > limit:
            raise PayloadTooLarge(
                f"Body of more than {limit} bytes is over the limit of {limit} bytes for this endpoint."
            )
        parts.append(part)
    return b"".join(parts)


def request_body(request) -> bytes:
    """The raw body through the view's parser. DRF calls no parser when Content-Length is
    missing, zero or not a number: then the parser runs on the chunked body, if one was sent
    that way, else on an empty stream, so its content type and length checks answer all the
    same."""
    data = request.data
    if isinstance(data, bytes):
        return data
    parser = request.parsers[0]
    context = request.parser_context
    body = (
        chunked_body(request, context["view"].endpoint.max_bytes)
        if parser.accepts(parse_header_parameters(request.content_type or "")[0])
        else b""
    )
    return parser.parse(io.BytesIO(body), request.content_type, context)


REFUSALS_BEFORE_READING = (exceptions.UnsupportedMediaType, exceptions.ParseError, PayloadTooLarge)


class PushNegotiation(BrowserOnlyNegotiation):
    """The push parser checks the content type itself, answering in the envelope's words."""

    def select_parser(self, request, parsers):
        return parsers[0]


# --- errors ---------------------------------------------------------------------------


def envelope_exception_handler(exc: Exception, context: dict) -> Response:
    """Every error of an /ecrs/ view as the envelope: 401 with ``WWW-Authenticate``, 405 with
    ``Allow``, 400, 404, 413, 415, 503 (transient database or file storage failure, with
    ``Retry-After``: CATAPULT retries) and 500 for anything unforeseen."""
    view = context.get("view")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if isinstance(exc, exceptions.MethodNotAllowed) and view is not None:
            headers["Allow"] = ", ".join(view.allowed_methods)
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        set_rollback()
        return EnvelopeResponse(False, str(exc.detail), exc.status_code, headers)
    unavailable = "database" if isinstance(exc, TRANSIENT_DB_ERRORS) else None
    unavailable = "file storage" if isinstance(exc, StorageUnavailable) else unavailable
    if unavailable:  # transient: nothing was committed and CATAPULT retries a 503
        logger.error("%s failed receiving %s: %s", unavailable, context["request"].path, exc)
        set_rollback()
        return EnvelopeResponse(
            False,
            f"Temporarily unavailable ({unavailable}); nothing was stored, please retry.",
            status.HTTP_503_SERVICE_UNAVAILABLE,
            {"Retry-After": RETRY_AFTER_SECONDS},
        )
    logger.error("internal error answering %s", context["request"].path, exc_info=exc)
    set_rollback()
    return EnvelopeResponse(False, "Internal error.", status.HTTP_500_INTERNAL_SERVER_ERROR)


# --- the views ------------------------------------------------------------------------


class EcrsApi(APIView):
    """What every /ecrs/ view shares: the envelope for every answer and error, JSON for
    machines and the browsable page only for a browser, and the headers /ecrs/ always sent
    (DRF's ``Allow`` and ``Vary`` are not added; ``Allow`` comes with a 405)."""

    authentication_classes = ()
    permission_classes = ()
    renderer_classes = (EnvelopeRenderer, BrowsableAPIRenderer)
    content_negotiation_class = BrowserOnlyNegotiation
    method_hint = ""  # the end of a 405's message

    @property
    def default_response_headers(self) -> dict:
        return {}

    def get_exception_handler(self):
        return envelope_exception_handler

    def perform_authentication(self, request):
        # The method is checked before the key (after content negotiation): a GET is 405 with
        # or without one, as CATAPULT has always been answered. The caller stays anonymous
        # (the browsable page asks who it is).
        if request.method.lower() not in self.http_method_names:
            request.user, request.auth = AnonymousUser(), None
            raise exceptions.MethodNotAllowed(
                request.method, detail=f"Method {request.method} not allowed: {self.method_hint}"
            )
        super().perform_authentication(request)

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, EnvelopeResponse) and renderer is not None and not self._renders_envelope(renderer):
            request.accepted_renderer, request.accepted_media_type = EnvelopeRenderer(), EnvelopeRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @staticmethod
    def _renders_envelope(renderer) -> bool:
        return isinstance(renderer, EnvelopeRenderer) or is_browser_renderer(renderer)


class PushApi(EcrsApi):
    """One push endpoint: authenticate the key, refuse a wrong content type or an oversize
    body before reading it, keep the push raw, process it, answer the outcome.

    An app declares one subclass per endpoint with its ``endpoint``
    (:class:`~ecrs_hub.services.pushes.PushEndpoint`); the parser follows from the body it
    takes."""

    endpoint: PushEndpoint | None = None
    http_method_names = ["post"]
    method_hint = "POST a push here."
    content_negotiation_class = PushNegotiation

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.endpoint is not None:
            cls.parser_classes = (MultipartBodyParser if cls.endpoint.body == "multipart" else JsonBodyParser,)

    def get_authenticators(self):
        return [IntegrationKeyAuthentication(self.endpoint.kind)]

    def post(self, request, *args, **kwargs):
        spec = self.endpoint
        integration = request.auth
        content_type = request.META.get("CONTENT_TYPE") or ""
        address = remote_addr(request)
        try:
            body = request_body(request)
        except REFUSALS_BEFORE_READING as exc:
            push_refusal_record(
                integration=integration,
                endpoint=spec.endpoint,
                content_type=content_type,
                remote_addr=address,
                http_status=exc.status_code,
                message=str(exc.detail),
            )
            raise
        push = push_record(
            integration=integration, spec=spec, body=body, content_type=content_type, remote_addr=address
        )
        outcome = push_process(push=push, spec=spec, body=body)
        return EnvelopeResponse(outcome.success, outcome.message, outcome.http_status)


class EcrsNotFoundApi(EcrsApi):
    """Any other /ecrs/ path: 404 in the envelope too (CONTRACT 2.2), whatever the method."""

    name = "ECRS push endpoints"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound(f"No push endpoint at {request.path}.")
