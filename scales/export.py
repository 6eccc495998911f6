"""GET /ecrs/scale-export/<scale_store_id>/ — what a store's scales must print (CONTRACT 2.9).

The cursor is the last change sequence number the client has seen (plus whether it is still
walking a full export, which leaves tombstones out). Each call reads the committed
watermark first and returns only rows numbered at or below it: writers number rows under
the counter's row lock, so every such row is committed and visible, and a row a concurrent
writer is numbering now gets a number above the watermark — the next call returns it.
"""

from __future__ import annotations

import base64
import csv
import io

import orjson
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ecrs_hub.models import Integration
from ecrs_hub.receiving import authenticate, envelope, refuse
from items.models import Store

from .selectors import (
    RESOLVED_FIELDS,
    decimal_text,
    resolved_json,
    scale_change_watermark,
    scale_default_lines,
    scale_export_rows,
    scale_item_resolve,
)

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000


class BadCursor(ValueError):
    pass


def cursor_encode(seq: int, full: bool) -> str:
    raw = orjson.dumps({"s": seq, "f": full})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(text: str) -> tuple[int, bool]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        seq, full = data["s"], data["f"]
    except (ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        raise BadCursor(text) from None
    if type(seq) is not int or seq < 0 or type(full) is not bool:
        raise BadCursor(text)
    return seq, full


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    if hasattr(value, "normalize"):
        return decimal_text(value)
    return str(value)


@csrf_exempt
def scale_export(request: HttpRequest, scale_store_id: str) -> HttpResponse:
    if request.method != "GET":
        return envelope(False, f"Method {request.method} not allowed: GET the export here.", 405, Allow="GET")
    integration, reason = authenticate(request, Integration.Kind.SCALES)
    if integration is None:
        return refuse(request, reason)
    store = Store.objects.filter(scale_store_id=scale_store_id).first()
    if store is None:
        return envelope(False, f"No store has scale store id {scale_store_id!r}.", 404)
    try:
        limit = int(request.GET.get("limit") or DEFAULT_LIMIT)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        return envelope(False, f"limit must be a whole number from 1 to {MAX_LIMIT}.", 400)
    cursor = request.GET.get("cursor")
    try:
        after, full = cursor_decode(cursor) if cursor else (0, True)
    except BadCursor:
        return envelope(False, "cursor is not one this endpoint returned.", 400)
    output = request.GET.get("format", "json")
    if output not in ("json", "csv"):
        return envelope(False, "format must be json or csv.", 400)

    watermark = scale_change_watermark()
    rows = scale_export_rows(store, after=after, up_to=watermark, tombstones=not full, limit=limit)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = cursor_encode(rows[-1].change_seq, full) if more else cursor_encode(watermark, False)
    lines = scale_default_lines()
    records = [scale_item_resolve(row.item, row.at_store, lines) for row in rows]

    if output == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(RESOLVED_FIELDS)
        for record in records:
            writer.writerow([_csv_value(record[name]) for name in RESOLVED_FIELDS])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["X-Scale-Cursor"] = next_cursor
        response["X-Scale-More"] = "true" if more else "false"
        return response
    body = b'{"items":[' + b",".join(resolved_json(record) for record in records) + b"],"
    body += orjson.dumps({"cursor": next_cursor, "more": more})[1:]
    return HttpResponse(body, content_type="application/json")
