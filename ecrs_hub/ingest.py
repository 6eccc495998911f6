"""Pieces every push's ingest shares (items, scales): the bookkeeping columns of a pushed
row and the content hash that lets an unchanged record be skipped."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from django.db import models
from django.utils import timezone


def content_hash(record: Any) -> str:
    # Keys are hashed in the order they arrived (CATAPULT's order is stable): a record whose
    # keys come reordered is merely rewritten with the same values, and hashing a 30 MB
    # page is a third faster than with sorted keys.
    return hashlib.blake2b(orjson.dumps(record), digest_size=16).hexdigest()


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
