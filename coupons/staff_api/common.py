"""What the coupons app's staff API views share: reading a record body, the 409 answer, and
the services' refusals turned into API errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status

from ..services.records import RecordConflict, RecordInvalid


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


@contextmanager
def service_errors() -> Iterator[None]:
    """A refused record is a 400 naming its fields; a refused delete a 409 saying why."""
    try:
        yield
    except RecordInvalid as invalid:
        raise exceptions.ValidationError(invalid.errors) from None
    except RecordConflict as conflict:
        raise Conflict(str(conflict)) from None


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    return False


def record_body(data: Any, read_only: tuple[str, ...]) -> dict:
    """The record sent, without the read-only fields a client may echo back. Text with NUL
    characters is refused here: PostgreSQL cannot store it, and not every import rule checks."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": ["The body must be a JSON object."]})
    bad = sorted(str(key) for key, value in data.items() if has_nul(key) or has_nul(value))
    if bad:
        raise exceptions.ValidationError({key: [f"{key}: must not contain NUL characters"] for key in bad})
    return {key: value for key, value in data.items() if key not in read_only}


def record_schema(record: type[serializers.Serializer], listed: type[serializers.Serializer] | None = None):
    """The OpenAPI description of a viewset that reads and writes hand-built records:
    ``record`` describes one, ``listed`` an entry of a list (default: ``record``)."""
    return extend_schema_view(
        list=extend_schema(responses=(listed or record)(many=True)),
        retrieve=extend_schema(responses=record),
        create=extend_schema(request=record, responses={201: record}),
        update=extend_schema(request=record, responses=record),
        partial_update=extend_schema(request=record(partial=True), responses=record),
    )


class StampedWritesMixin:
    """Model serializer writes that keep ``created_at`` and ``updated_at``."""

    def perform_create(self, serializer):
        now = timezone.now()
        serializer.save(created_at=now, updated_at=now)

    def perform_update(self, serializer):
        serializer.save(updated_at=timezone.now())
