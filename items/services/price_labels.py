"""Ingesting Item Price Label Type Settings (CONTRACT 2.7): each record replaces the whole
key/value set of one price label type."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ecrs_hub.coercion import Problem, RecordRejected
from ecrs_hub.ingest import IngestResult, push_lock_timeout, records_of
from ecrs_hub.models import Push

from .. import lock_objects, wire
from ..models import PriceLabelType
from .catalog import content_hash


def price_label_settings_ingest(*, push: Push, payload: Any) -> IngestResult:
    result = IngestResult(noun="price label types")
    raws = records_of(payload, "price label types")
    result.records = len(raws)
    parsed: dict[int, tuple[str, dict]] = {}
    for index, raw in enumerate(raws):
        path = f"[{index}]"
        try:
            coerced = wire.PRICE_LABEL_TYPE.coerce(raw, path)
            values = {"record_id": coerced.values["record_id"], "content_hash": content_hash(raw)}
            if coerced.unknown:
                values["extra"] = coerced.unknown
                result.warn(f"{path}: unknown fields kept: {', '.join(sorted(coerced.unknown))}")
            if "settings" in raw:
                values["settings"] = _settings(raw["settings"], f"{path}.settings")
        except RecordRejected as exc:
            result.reject(exc.problems)
            continue
        if values["record_id"] in parsed:
            result.warn(f"{path}: recordId {values['record_id']} appears again in the request; the later one wins")
            result.records -= 1
        parsed[values["record_id"]] = (path, values)

    now = timezone.now()
    with transaction.atomic():
        push_lock_timeout()
        existing = {label.record_id: label for label in lock_objects.price_label_types_for_update(record_ids=parsed)}
        for record_id, (_path, values) in parsed.items():
            label = existing.get(record_id)
            if label is None:
                PriceLabelType.objects.create(**values, last_push=push, created_at=now, updated_at=now)
                result.created += 1
            elif label.content_hash == values["content_hash"]:
                result.unchanged += 1
            else:
                for attr, value in values.items():
                    setattr(label, attr, value)
                label.updated_at, label.last_push = now, push
                label.save(update_fields=[*values, "updated_at", "last_push"])
                result.updated += 1
    return result


def _settings(raw: Any, path: str) -> list[dict]:
    """The key/value list as sent (null means an empty set). Every entry is checked."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise RecordRejected([Problem(path, "must be an array of {key, value}", type(raw).__name__)])
    settings, problems = [], []
    for index, entry in enumerate(raw):
        try:
            coerced = wire.SETTING.coerce(entry, f"{path}[{index}]")
        except RecordRejected as exc:
            problems.extend(exc.problems)
            continue
        settings.append({"key": coerced.values["key"], "value": coerced.values.get("value")})
    if problems:
        raise RecordRejected(problems)
    return settings
