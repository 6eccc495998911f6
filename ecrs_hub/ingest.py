"""Pieces every push's ingest shares (items, scales, images, price label settings): what an
ingest reports (:class:`IngestResult`), the accepted page shapes, the skeleton of a page
ingest, the bookkeeping columns of a pushed row and the content hash that lets an unchanged
record be skipped."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .coercion import Problem
from .db import statement_and_lock_timeouts

MAX_PROBLEMS_IN_MESSAGE = 5


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


UTF8_BOM = b"\xef\xbb\xbf"


def parse_json(push: Any, body: bytes) -> Any:
    """The body as JSON (orjson). A UTF-8 byte-order mark in front (Windows tools write one)
    is not part of the JSON and is skipped; the push keeps the body as sent."""
    body = body.removeprefix(UTF8_BOM)
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


def push_lock_timeout() -> None:
    """Bound how long a push waits for row locks (``ECRS_LOCK_TIMEOUT_MS``) and for any one
    statement (``ECRS_STATEMENT_TIMEOUT_MS``: a database that hangs), PostgreSQL: past either
    the push fails with 503, nothing of it committed, and CATAPULT retries, instead of holding
    its connection indefinitely. Inside the push's transaction."""
    statement_and_lock_timeouts(statement_ms=settings.ECRS_STATEMENT_TIMEOUT_MS, lock_ms=settings.ECRS_LOCK_TIMEOUT_MS)


def content_hash(record: Any) -> str:
    # Keys are hashed in the order they arrived (CATAPULT's order is stable): a record whose
    # keys come reordered is merely rewritten with the same values, and hashing a 30 MB
    # page is a third faster than with sorted keys.
    return hashlib.blake2b(orjson.dumps(record), digest_size=16).hexdigest()


def text_id(value: Any, max_length: int) -> str | None:
    """A record's identity as text (CATAPULT's ids are numbers in text; a JSON number is read
    as its digits), or None when it is missing or unusable: blank, longer than
    ``max_length``, or holding a NUL (PostgreSQL text cannot)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length or "\x00" in value:
        return None
    return value


def page_split[Record](
    raws: list,
    result: IngestResult,
    *,
    id_field: str,
    id_max_length: int,
    id_rule: str,
    record: Callable[[str, str, dict, str], Record],
) -> list[Record]:
    """Identify and hash every record of a page; nothing is coerced or even looked into yet.
    A record that is not an object or has no usable ``id_field`` is rejected; an identity
    seen again in the page warns and the later record wins. ``record(path, id, raw, hash)``
    makes the app's page record."""
    by_id: dict[str, Record] = {}
    for index, raw in enumerate(raws):
        path = f"[{index}]"
        if not isinstance(raw, dict):
            result.reject([Problem(path, "must be a JSON object", type(raw).__name__)])
            continue
        record_id = text_id(raw.get(id_field), id_max_length)
        if record_id is None:
            result.reject([Problem(f"{path}.{id_field}", id_rule, raw.get(id_field))])
            continue
        if record_id in by_id:
            result.warn(f"{path}: {id_field} {record_id} appears again in the page; the later record wins")
            result.records -= 1
        by_id[record_id] = record(path, record_id, raw, content_hash(raw))
    return list(by_id.values())


class PageRun(Protocol):
    """An app's writes of one identified page (``writer(push, page, result).run()``)."""

    def run(self) -> None: ...


def page_ingest[Record](
    *,
    push: Any,
    payload: Any,
    noun: str,
    id_field: str,
    id_max_length: int,
    id_rule: str,
    record: Callable[[str, str, dict, str], Record],
    writer: Callable[[Any, list[Record], IngestResult], PageRun],
) -> IngestResult:
    """Store a page of records the way every page push does (items, scale items): read the
    accepted page shape, identify and hash every record (:func:`page_split`), then let the
    app's ``writer`` coerce and write the page inside one transaction, under the push lock
    timeout (a transient database failure commits nothing). Rejected records are reported
    in the result with their JSON paths; the valid ones are stored."""
    result = IngestResult(noun=noun)
    raws = records_of(payload, noun)
    result.records = len(raws)
    page = page_split(raws, result, id_field=id_field, id_max_length=id_max_length, id_rule=id_rule, record=record)
    with transaction.atomic():
        push_lock_timeout()
        writer(push, page, result).run()
    return result


class PageWriter:
    """What the page writers of items and scales share. Expects ``push``, ``result``
    (:class:`IngestResult`) and ``now`` on the instance."""

    push: Any
    result: IngestResult
    now: Any

    def _stamps(self) -> dict:
        """The bookkeeping columns for ``ecrs_hub.bulk.upsert``."""
        return {
            "insert_only": {"created_at": self.now},
            "common": {"updated_at": self.now, "last_push_id": self.push.pk},
        }

    def _soft_delete(self, values: dict, stored: tuple | None) -> None:
        """``deleted: true`` marks the row deleted (keeping the first deletion time);
        ``false`` revives it, and so does null (CONTRACT 2.4: a null clears the value, and
        CATAPULT sends null for "not populated"); absent leaves the flag as it was.
        ``stored`` is the row as stored: (hash, deleted, deleted_at), or None when new."""
        if "deleted" not in values:
            return
        if values["deleted"] is None:
            values["deleted"] = False
        was_deleted = stored is not None and stored[1]
        if values["deleted"]:
            values["deleted_at"] = stored[2] if was_deleted and stored[2] else self.now
            if not was_deleted:
                self.result.deleted += 1
        else:
            values["deleted_at"] = None


class Pushed(models.Model):
    """Bookkeeping every pushed row carries."""

    extra = models.JSONField(
        default=dict, blank=True, help_text="Fields CATAPULT sent that this version of the hub does not know."
    )
    content_hash = models.CharField(
        max_length=32, blank=True, default="", help_text="Hash of the record as last received."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    last_push = models.ForeignKey("ecrs_hub.Push", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True
