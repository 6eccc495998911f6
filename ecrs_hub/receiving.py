"""Receiving a CATAPULT push, the same way for every endpoint (CONTRACT 2.1–2.3).

A push endpoint is declared once as a :class:`PushEndpoint` (which integration kind may use
it, what body it takes, which service ingests it); :func:`push_view` turns it into a Django
view that authenticates, checks type and size before reading, stores the raw request as a
:class:`~ecrs_hub.models.Push`, parses, ingests and answers with the envelope.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .coercion import Problem
from .models import Integration, Push, RefusedRequest

logger = logging.getLogger(__name__)

MAX_PROBLEMS_STORED = 1000
MAX_PROBLEMS_IN_MESSAGE = 5
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


def envelope(success: bool, message: str, status: int = 200, **headers) -> JsonResponse:
    """The one answer shape of every /ecrs/ response, errors included."""
    response = JsonResponse({"success": success, "message": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


class BadRequest(Exception):
    """The body is not of any accepted shape: 400, CATAPULT does not retry."""


@dataclass
class IngestResult:
    """What an ingest service did with one push; counts are per top-level record."""

    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0  # records rejected whole or in part, each counted once
    partial: int = 0  # of those, records stored without their rejected parts
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    noun: str = "records"

    def reject(self, problems: list[Problem]) -> None:
        """A record rejected whole."""
        self.rejected += 1
        self.problems.extend(problems)

    def reject_part(self, problems: list[Problem]) -> None:
        """Part of a record rejected (a store entry, a supplier unit); the record itself is
        stored and is counted once with :meth:`stored_in_part`."""
        self.problems.extend(problems)

    def stored_in_part(self) -> None:
        self.rejected += 1
        self.partial += 1

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    @property
    def message(self) -> str:
        parts = [
            f"{self.records} {self.noun}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        ]
        if self.deleted:
            parts.append(f"{self.deleted} deleted")
        if self.rejected:
            stored = f" ({self.partial} of them stored without the rejected parts)" if self.partial else ""
            parts.append(f"{self.rejected} rejected{stored}")
        text = ", ".join(parts) + "."
        if self.problems:
            shown = "; ".join(str(problem) for problem in self.problems[:MAX_PROBLEMS_IN_MESSAGE])
            more = len(self.problems) - MAX_PROBLEMS_IN_MESSAGE
            text += f" Problems: {shown}" + (f" (and {more} more)" if more > 0 else "") + "."
        if self.warnings:
            text += f" {len(self.warnings)} warning(s): {self.warnings[0]}"
            text += " …" if len(self.warnings) > 1 else ""
        return text


@dataclass(frozen=True)
class PushEndpoint:
    """One push endpoint. ``parse(push, body)`` turns the body into a payload (raising
    :class:`BadRequest`); ``ingest(push=, payload=)`` stores it inside a transaction."""

    endpoint: str
    kind: str
    body: str  # "json" or "multipart"
    parse: Callable[[Push, bytes], Any]
    ingest: Callable[..., IngestResult]

    @property
    def max_bytes(self) -> int:
        return settings.ECRS_MAX_IMAGE_BYTES if self.body == "multipart" else settings.ECRS_MAX_JSON_BYTES


# --- authentication -------------------------------------------------------------------


def presented_key(request: HttpRequest) -> str | None:
    """The key from ``X-Api-Key``, ``Authorization: Bearer`` or ``?key=``, in that order."""
    key = request.headers.get("X-Api-Key")
    if key:
        return key.strip()
    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.GET.get("key") or None


def authenticate(request: HttpRequest, kind: str) -> tuple[Integration | None, str]:
    """The enabled integration of ``kind`` whose key was presented, or None and why not.
    The key's hash is looked up through a unique index; the final comparison is
    constant-time, so response timing tells nothing about a key."""
    key = presented_key(request)
    if not key:
        return None, "no API key (send X-Api-Key, Authorization: Bearer or ?key=)"
    digest = Integration.hash_key(key)
    integration = Integration.objects.filter(key_hash=digest).first()
    if integration is None or not hmac.compare_digest(integration.key_hash.encode(), digest.encode()):
        return None, "unknown API key"
    if not integration.enabled:
        return None, f"integration {integration.name!r} is disabled"
    if integration.kind != kind:
        return None, f"integration {integration.name!r} is of kind {integration.kind!r}, not {kind!r}"
    return integration, ""


def remote_addr(request: HttpRequest) -> str | None:
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


def refuse(request: HttpRequest, reason: str) -> JsonResponse:
    RefusedRequest.objects.create(remote_addr=remote_addr(request), endpoint=request.path[:200], reason=reason[:200])
    logger.warning("refused push to %s from %s: %s", request.path, remote_addr(request), reason)
    return envelope(False, f"Unauthorized: {reason}.", 401, WWW_Authenticate='Bearer realm="ecrs-hub"')


# --- the view -------------------------------------------------------------------------

JSON_TYPES = ("application/json", "")


def content_type_ok(request: HttpRequest, body: str) -> bool:
    media_type = request.content_type or ""
    if body == "multipart":
        return media_type == "multipart/form-data"
    return media_type in JSON_TYPES or (media_type.startswith("application/") and media_type.endswith("+json"))


def push_view(spec: PushEndpoint) -> Callable[[HttpRequest], JsonResponse]:
    @csrf_exempt
    def view(request: HttpRequest) -> JsonResponse:
        if request.method != "POST":
            return envelope(False, f"Method {request.method} not allowed: POST a push here.", 405, Allow="POST")
        try:
            return receive(request, spec)
        except TRANSIENT_DB_ERRORS as exc:
            logger.error("transient failure receiving %s: %s", spec.endpoint, exc)
            return envelope(
                False, "Temporarily unavailable (database); nothing was stored, please retry.", 503, Retry_After="60"
            )

    view.__name__ = f"push_{spec.endpoint.replace('-', '_')}"
    return view


def receive(request: HttpRequest, spec: PushEndpoint) -> JsonResponse:
    integration, reason = authenticate(request, spec.kind)
    if integration is None:
        return refuse(request, reason)

    push = Push(
        integration=integration,
        endpoint=spec.endpoint,
        remote_addr=remote_addr(request),
        content_type=(request.META.get("CONTENT_TYPE") or "")[:200],
    )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if not content_type_ok(request, spec.body):
        wanted = "multipart/form-data" if spec.body == "multipart" else "application/json"
        return record_refusal(push, 415, f"Unsupported content type {request.content_type!r}: send {wanted}.")
    if length < 0:
        return record_refusal(push, 400, "Content-Length is not a number.")
    if length > spec.max_bytes:
        return record_refusal(
            push, 413, f"Body of {length} bytes is over the limit of {spec.max_bytes} bytes for this endpoint."
        )

    body = request.body
    push = push_record(
        integration=integration, spec=spec, body=body, content_type=push.content_type, remote_addr=push.remote_addr
    )
    return process(push, spec, body)


def push_record(
    *,
    integration: Integration,
    spec: PushEndpoint,
    body: bytes,
    content_type: str,
    remote_addr: str | None = None,
    replay_of: Push | None = None,
) -> Push:
    """Keep a push raw, before anything parses it: a JSON body compressed in the database,
    a multipart body (image files) in file storage."""
    # Hashing and compressing a 30 MB page both release the GIL: side by side they take
    # the time of the slower one.
    digest: list[str] = []
    hasher = threading.Thread(target=lambda: digest.append(hashlib.sha256(body).hexdigest()))
    hasher.start()
    compressed = Push.compress(body) if spec.body == "json" else None
    hasher.join()
    push = Push.objects.create(
        integration=integration,
        endpoint=spec.endpoint,
        remote_addr=remote_addr,
        content_type=content_type[:200],
        size=len(body),
        sha256=digest[0],
        body_compressed=compressed,
        replay_of=replay_of,
    )
    if spec.body == "multipart":
        path = default_storage.save(f"pushes/{push.received_at:%Y/%m/%d}/{push.pk}.multipart", ContentFile(body))
        push.files = [{"path": path, "size": len(body), "kind": "raw multipart body"}]
        push.save(update_fields=["files"])
    return push


def push_raw_body(push: Push) -> bytes:
    """The body as it arrived, from the database or file storage."""
    if push.body_pruned_at is not None:
        raise ValueError(f"push #{push.pk} was pruned on {push.body_pruned_at:%Y-%m-%d}: its body is gone")
    if push.body_compressed is not None:
        return push.body
    if push.files:
        with default_storage.open(push.files[0]["path"], "rb") as handle:
            return handle.read()
    raise ValueError(f"push #{push.pk} has no stored body")


def push_ingest(
    *, integration: Integration, endpoint: str, body: bytes, content_type: str = "application/json"
) -> Push:
    """Record and ingest a push in-process, exactly as one received over HTTP (for commands
    such as seed_demo). Returns the push with its outcome."""
    spec = endpoint_for(endpoint)
    push = push_record(integration=integration, spec=spec, body=body, content_type=content_type)
    process(push, spec, body)
    push.refresh_from_db()
    return push


def record_refusal(push: Push, status: int, message: str) -> JsonResponse:
    push.status = Push.Status.REJECTED
    push.http_status = status
    push.message = message
    push.save()
    return envelope(False, message, status)


def process(push: Push, spec: PushEndpoint, body: bytes) -> JsonResponse:
    """Parse and ingest a stored push, record the outcome on it, and answer."""
    started = time.perf_counter()
    try:
        payload = spec.parse(push, body)
        result = spec.ingest(push=push, payload=payload)
    except BadRequest as exc:
        return finish(push, started, Push.Status.REJECTED, 400, str(exc))
    except TRANSIENT_DB_ERRORS as exc:
        _mark_failed(push, started, f"Transient database failure, nothing committed: {exc}")
        raise
    except Exception:
        # A bug, not the client's doing (the parser should have refused what the database
        # refused): the push is kept for a replay once it is fixed, and the answer is still
        # the envelope. CATAPULT retries a 500 on its next cycles.
        logger.exception("push %s failed", push.pk)
        return finish(
            push, started, Push.Status.FAILED, 500, f"Internal error storing the push; it is kept as #{push.pk}."
        )

    status = Push.Status.PARTIAL if result.rejected else Push.Status.OK
    if result.rejected and result.rejected - result.partial >= result.records:
        status = Push.Status.REJECTED
    push.records, push.created, push.updated = result.records, result.created, result.updated
    push.unchanged, push.deleted, push.rejected = result.unchanged, result.deleted, result.rejected
    push.problems = [problem.as_dict() for problem in result.problems[:MAX_PROBLEMS_STORED]]
    push.warnings = result.warnings[:MAX_PROBLEMS_STORED]
    response = finish(push, started, status, 422 if result.rejected else 200, result.message)
    Integration.objects.filter(pk=push.integration_id).update(last_push_at=push.received_at)
    return response


def finish(push: Push, started: float, status: str, http_status: int, message: str) -> JsonResponse:
    push.status = status
    push.http_status = http_status
    push.message = message
    push.duration_ms = int((time.perf_counter() - started) * 1000)
    push.save()
    return envelope(http_status == 200, message, http_status)


def _mark_failed(push: Push, started: float, message: str) -> None:
    try:
        push.status = Push.Status.FAILED
        push.http_status = 503
        push.message = message[:2000]
        push.duration_ms = int((time.perf_counter() - started) * 1000)
        push.save(update_fields=["status", "http_status", "message", "duration_ms"])
    except DatabaseError:
        logger.warning("could not record the failure of push %s", push.pk)


def push_replay(push: Push) -> Push:
    """Re-run ingest on a stored push's body as a new push (the log stays append-only)."""
    spec = endpoint_for(push.endpoint)
    body = push_raw_body(push)
    replay = push_record(
        integration=push.integration, spec=spec, body=body, content_type=push.content_type, replay_of=push
    )
    process(replay, spec, body)
    replay.refresh_from_db()
    return replay


def lock_timeout() -> None:
    """Bound how long a push waits for row locks (PostgreSQL): past it the push fails with
    503 and CATAPULT retries, instead of holding its connection indefinitely."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = %s", [f"{settings.ECRS_LOCK_TIMEOUT_MS}ms"])


# --- the endpoint registry ------------------------------------------------------------

_ENDPOINTS: dict[str, PushEndpoint] = {}


def register(spec: PushEndpoint) -> PushEndpoint:
    """Apps declare their push endpoints at import time (from their AppConfig.ready)."""
    _ENDPOINTS[spec.endpoint] = spec
    return spec


def endpoint_for(name: str) -> PushEndpoint:
    try:
        return _ENDPOINTS[name]
    except KeyError:
        raise ValueError(f"no push endpoint {name!r} is installed: this push cannot be replayed here") from None


def parse_json(push: Push, body: bytes) -> Any:
    """The body as JSON (orjson)."""
    if not body or not body.strip():
        raise BadRequest("Empty body: send a JSON array of records.")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"Body is not valid JSON: {exc}.") from None


def records_of(payload: Any, noun: str) -> list:
    """The accepted page shapes: an array, a single object, or ``{"items": [...]}``."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        if set(payload) == {"items"}:
            if isinstance(payload["items"], list):
                return payload["items"]
            raise BadRequest('"items" must be an array of ' + noun + ".")
        return [payload]
    raise BadRequest(f'Body must be a JSON array of {noun}, a single object or {{"items": [...]}}.')
