"""Pushes, the same way for every endpoint (CONTRACT 2.1–2.3), without HTTP.

A push endpoint is declared once as a :class:`PushEndpoint` (which integration kind may use
it, what body it takes, which service ingests it) and registered. :func:`push_record` keeps a
push raw before anything parses it; :func:`push_process` parses and ingests it, records the
outcome on it and returns that outcome as a :class:`PushOutcome`. The HTTP layer
(``ecrs_hub.apis``) authenticates, checks type and size, and turns the outcome into the
envelope; :func:`push_replay` and :func:`push_ingest` run the same steps in-process.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone

from ..ingest import BadRequest, IngestResult
from ..models import Integration, Push, RefusedRequest
from ..storage import StorageUnavailable, store_whole

logger = logging.getLogger(__name__)

MAX_PROBLEMS_STORED = 1000
# What a push answers 503 for (CATAPULT retries on its next cycle): the database went away
# or a lock wait timed out, and nothing was committed.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
# What push_process writes on the push once it is stored (never its body again).
OUTCOME_FIELDS = [
    "status",
    "http_status",
    "message",
    "duration_ms",
    "records",
    "created",
    "updated",
    "unchanged",
    "deleted",
    "rejected",
    "problems",
    "warnings",
]


@dataclass(frozen=True)
class PushEndpoint:
    """One push endpoint. ``parse(push, body)`` turns the body into a payload (raising
    :class:`~ecrs_hub.ingest.BadRequest`); ``ingest(push=, payload=)`` stores it inside a
    transaction."""

    endpoint: str
    kind: str
    body: str  # "json" or "multipart"
    parse: Callable[[Push, bytes], Any]
    ingest: Callable[..., IngestResult]

    @property
    def max_bytes(self) -> int:
        return settings.ECRS_MAX_IMAGE_BYTES if self.body == "multipart" else settings.ECRS_MAX_JSON_BYTES


@dataclass(frozen=True)
class PushOutcome:
    """How a push ended, as recorded on it: its status in the log, the HTTP status and the
    message CATAPULT is answered with."""

    push: Push
    status: str
    http_status: int
    message: str

    @property
    def success(self) -> bool:
        return self.http_status == 200


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


# --- recording ------------------------------------------------------------------------


def refused_request_record(*, remote_addr: str | None, endpoint: str, reason: str) -> RefusedRequest:
    """Count a request that did not authenticate (its body is not kept)."""
    refused = RefusedRequest.objects.create(remote_addr=remote_addr, endpoint=endpoint[:200], reason=reason[:200])
    logger.warning("refused push to %s from %s: %s", endpoint, remote_addr, reason)
    return refused


def push_refusal_record(
    *,
    integration: Integration,
    endpoint: str,
    content_type: str,
    remote_addr: str | None,
    http_status: int,
    message: str,
) -> Push:
    """Log an authenticated push refused before its body was read (wrong content type, a
    length over the limit): rejected, without a body."""
    return Push.objects.create(
        integration=integration,
        endpoint=endpoint,
        remote_addr=remote_addr,
        content_type=content_type[:200],
        status=Push.Status.REJECTED,
        http_status=http_status,
        message=message,
    )


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
        path = f"pushes/{push.received_at:%Y/%m/%d}/{push.pk}.multipart"
        try:
            store_whole(path, body, sha256=digest[0])
        except OSError as exc:
            _mark_failed(push, time.perf_counter(), f"File storage unavailable, the body could not be kept: {exc}")
            raise StorageUnavailable(str(exc)) from exc
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


# --- processing -----------------------------------------------------------------------


def push_process(*, push: Push, spec: PushEndpoint, body: bytes) -> PushOutcome:
    """Parse and ingest a stored push and record the outcome on it.

    A body of no accepted shape ends rejected (400); a bug ends failed (500) with the push
    kept for a replay once it is fixed. A transient database failure marks the push failed
    and is raised again, a file storage failure as :class:`StorageUnavailable`: nothing was
    committed, and the caller answers 503."""
    started = time.perf_counter()
    try:
        payload = spec.parse(push, body)
        result = spec.ingest(push=push, payload=payload)
    except BadRequest as exc:
        return _finish(push, started, Push.Status.REJECTED, 400, str(exc))
    except TRANSIENT_DB_ERRORS as exc:
        _mark_failed(push, started, f"Transient database failure, nothing committed: {exc}")
        raise
    except OSError as exc:
        # File storage refused a write (a full disk): whatever was written is whole or
        # absent, no row points at it, and CATAPULT retries a 503.
        logger.error("push %s: file storage failed: %s", push.pk, exc)
        _mark_failed(push, started, f"File storage unavailable, nothing committed: {exc}")
        raise StorageUnavailable(str(exc)) from exc
    except Exception:
        # A bug, not the client's doing (the parser should have refused what the database
        # refused): the push is kept for a replay once it is fixed, and the answer is still
        # the envelope. CATAPULT retries a 500 on its next cycles.
        logger.exception("push %s failed", push.pk)
        return _finish(
            push, started, Push.Status.FAILED, 500, f"Internal error storing the push; it is kept as #{push.pk}."
        )

    status = Push.Status.PARTIAL if result.rejected else Push.Status.OK
    if result.rejected and result.rejected - result.partial >= result.records:
        status = Push.Status.REJECTED
    push.records, push.created, push.updated = result.records, result.created, result.updated
    push.unchanged, push.deleted, push.rejected = result.unchanged, result.deleted, result.rejected
    push.problems = [problem.as_dict() for problem in result.problems[:MAX_PROBLEMS_STORED]]
    push.warnings = result.warnings[:MAX_PROBLEMS_STORED]
    outcome = _finish(push, started, status, 422 if result.rejected else 200, result.message)
    Integration.objects.filter(pk=push.integration_id).update(last_push_at=push.received_at)
    return outcome


def _finish(push: Push, started: float, status: str, http_status: int, message: str) -> PushOutcome:
    push.status = status
    push.http_status = http_status
    push.message = message
    push.duration_ms = int((time.perf_counter() - started) * 1000)
    # Only the outcome: the body (several MB compressed) was written once, by push_record.
    push.save(update_fields=OUTCOME_FIELDS)
    return PushOutcome(push=push, status=status, http_status=http_status, message=message)


def _mark_failed(push: Push, started: float, message: str) -> None:
    try:
        push.status = Push.Status.FAILED
        push.http_status = 503
        push.message = message[:2000]
        push.duration_ms = int((time.perf_counter() - started) * 1000)
        push.save(update_fields=["status", "http_status", "message", "duration_ms"])
    except DatabaseError:
        logger.warning("could not record the failure of push %s", push.pk)


# --- pushes whose processing died -------------------------------------------------------


def pushes_interrupted_mark(*, now=None) -> int:
    """Mark ``interrupted`` every push still ``received`` past ``ECRS_PUSH_INTERRUPTED_AFTER``
    seconds: a live worker finishes or fails a push within the request timeout, so such a push
    lost its worker or its database mid-push (anything it ingested was one transaction, and a
    replay is safe: pushes are idempotent). One UPDATE; run by ``mark_interrupted_pushes``
    from cron and by the push log's own reads, so any node may run it any time."""
    now = now or timezone.now()
    before = now - timedelta(seconds=settings.ECRS_PUSH_INTERRUPTED_AFTER)
    marked = Push.objects.filter(status=Push.Status.RECEIVED, received_at__lt=before).update(
        status=Push.Status.INTERRUPTED,
        message=(
            f"Processing did not finish within {settings.ECRS_PUSH_INTERRUPTED_AFTER} s (a worker or the database "
            "stopped mid-push). The body is kept: replay it."
        ),
    )
    if marked:
        logger.warning("%s push(es) marked interrupted", marked)
    return marked


# --- in-process pushes ----------------------------------------------------------------


def push_ingest(
    *, integration: Integration, endpoint: str, body: bytes, content_type: str = "application/json"
) -> Push:
    """Record and ingest a push in-process, exactly as one received over HTTP (for commands
    such as seed_demo). Returns the push with its outcome."""
    spec = endpoint_for(endpoint)
    push = push_record(integration=integration, spec=spec, body=body, content_type=content_type)
    push_process(push=push, spec=spec, body=body)
    push.refresh_from_db()
    return push


def push_replay(push: Push) -> Push:
    """Re-run ingest on a stored push's body as a new push (the log stays append-only)."""
    spec = endpoint_for(push.endpoint)
    body = push_raw_body(push)
    replay = push_record(
        integration=push.integration, spec=spec, body=body, content_type=push.content_type, replay_of=push
    )
    push_process(push=replay, spec=spec, body=body)
    replay.refresh_from_db()
    return replay


# --- retention ------------------------------------------------------------------------


def pushes_prune(*, days: int | None = None) -> tuple[int, int]:
    """Drop the raw bodies (and stored upload files) of pushes older than the retention,
    keeping their log rows; delete refused-request rows older than it. Returns (pushes
    pruned, refused requests deleted)."""
    days = settings.ECRS_PUSH_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    pruned = 0
    old = Push.objects.filter(received_at__lt=cutoff, body_pruned_at__isnull=True)
    for push in old.only("pk", "files").iterator(chunk_size=500):
        for stored in push.files:
            if stored.get("path"):
                default_storage.delete(stored["path"])
        Push.objects.filter(pk=push.pk).update(body_compressed=None, body_pruned_at=timezone.now())
        pruned += 1
    refused, _ = RefusedRequest.objects.filter(received_at__lt=cutoff).delete()
    return pruned, refused
