"""Pieces every push's ingest shares (items, scales): the bookkeeping columns of a pushed
row and the content hash that lets an unchanged record be skipped."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import orjson
from django.db import models
from django.utils import timezone

from .coercion import Problem
from .receiving import IngestResult


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
