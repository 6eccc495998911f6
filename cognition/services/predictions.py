"""DF3 demand forecasts and Artemis recommendations: fetched, parsed, stored.

The ECRS document names the response objects (Df3Item, RecommendedItems,
CustomerItemRecommendations, eCircularCustomer, CouponCustomer) and the top-level keys of
its samples (``items``, ``predictions``, ``customer``) but not their fields. The hub reads
each entry as ``{"id", "rank", "score"}`` or a bare id, nested lists under
``recommendations``/``items``/``coupons``/``predictions``, and DF3 entries as ``{"id",
"predictions": [{"date", "quantity"}]}``; the whole entry is kept in ``raw`` so nothing is
lost if the real shape carries more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from ecrs_hub.bulk import upsert
from ecrs_hub.coercion import INT64, CoercionError, json_safe, to_decimal, to_int

from ..client import CognitionClient, CognitionError
from ..models import Forecast, Recommendation

Kind = Recommendation.Kind

ID_KEYS = ("id", "item", "itemId", "customer", "customerId", "coupon", "couponId", "pk")
NESTED_KEYS = ("recommendations", "items", "coupons", "predictions")
PAGED = {Kind.CUSTOMER, Kind.PROMOTION, Kind.ECIRCULAR, Kind.COUPON, Kind.ALL_CUSTOMER_COUPON}
DEFAULT_PAGE_SIZE = 32
MAX_PAGES = 10_000


class UnexpectedAnswer(CognitionError):
    """An answer the hub cannot read; the message says where."""


def _entries(body: Any, keys: tuple[str, ...], where: str) -> list:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in keys:
            if isinstance(body.get(key), list):
                return body[key]
        if not body:
            return []
    raise UnexpectedAnswer(f"{where}: expected a list under {' or '.join(keys)}")


def _id(entry: Any, where: str) -> int:
    value = entry
    if isinstance(entry, dict):
        value = next((entry[key] for key in ID_KEYS if entry.get(key) is not None), None)
    try:
        number = to_int(value, INT64)
    except CoercionError as exc:
        raise UnexpectedAnswer(f"{where}: id {value!r} {exc.rule}") from None
    if number is None:
        raise UnexpectedAnswer(f"{where}: no id")
    return number


def _ranked(entries: list, *, where: str, offset: int = 0) -> list[dict[str, Any]]:
    """[{recommended, rank, score, raw}] in the order given (rank from the entry or its
    position, counted from ``offset``)."""
    result = []
    for position, entry in enumerate(entries, start=offset + 1):
        path = f"{where}[{position - 1}]"
        rank, score = position, None
        if isinstance(entry, dict):
            try:
                rank = to_int(entry.get("rank"), INT64) or position
                score = to_decimal(entry.get("score"), 20, 8)
            except CoercionError as exc:
                raise UnexpectedAnswer(f"{path}: {exc.rule}") from None
        result.append(
            {
                "recommended": _id(entry, path),
                "rank": rank,
                "score": score,
                "raw": json_safe(entry) if isinstance(entry, dict) else {"id": entry},
            }
        )
    return result


def _nested(entry: dict, where: str) -> list:
    if not isinstance(entry, dict):
        raise UnexpectedAnswer(f"{where}: expected an object")
    for key in NESTED_KEYS:
        if isinstance(entry.get(key), list):
            return entry[key]
    return []


@dataclass
class FetchResult:
    kind: str
    subjects: int = 0
    stored: int = 0
    pages: int = 0


def _fetch_pages(client: CognitionClient, kind: str, size: int, ids: dict[str, int | None]) -> tuple[list, int]:
    """Every page's entries (until a short page) and the number of pages asked."""
    entries: list = []
    top = ("customer", "predictions", "items")
    if kind not in PAGED:
        return _entries(client.recommendations(kind, **ids), top, kind), 1
    for page in range(MAX_PAGES):
        chunk = _entries(client.recommendations(kind, page=page, size=size, **ids), top, f"{kind} page {page}")
        entries.extend(chunk)
        if len(chunk) < size:
            return entries, page + 1
    return entries, MAX_PAGES


def recommendations_fetch(
    *,
    client: CognitionClient,
    kind: str,
    customer: int | None = None,
    store: int | None = None,
    worksheet: int | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> FetchResult:
    """Fetch every page of one recommendation endpoint and replace the stored
    recommendations of the subjects it answered for."""
    kind = Kind(kind)
    needs = {
        Kind.CUSTOMER: ("customer",),
        Kind.PROMOTION: ("customer", "store"),
        Kind.ECIRCULAR: ("worksheet",),
        Kind.COUPON: ("customer",),
    }.get(kind, ())
    given = {"customer": customer, "store": store, "worksheet": worksheet}
    missing = [name for name in needs if given[name] is None]
    if missing:
        raise ValueError(f"{kind.value} recommendations need --{' and --'.join(missing)}")
    ids = {name: given[name] for name in needs}
    entries, pages = _fetch_pages(client, kind.value, size, ids)
    scope = store if kind == Kind.PROMOTION else worksheet if kind == Kind.ECIRCULAR else 0

    per_subject: dict[int, list[dict]] = {}
    if kind in (Kind.CUSTOMER, Kind.PROMOTION):
        per_subject[customer] = _ranked(entries, where=kind.value)
    else:
        for index, entry in enumerate(entries):
            where = f"{kind.value}[{index}]"
            subject = _id(entry, where)
            per_subject.setdefault(subject, []).extend(_ranked(_nested(entry, where), where=where))
    now = timezone.now()
    rows = [
        {"kind": kind.value, "scope": scope, "subject": subject, "fetched_at": now, "targeted_at": None, **row}
        for subject, ranked in per_subject.items()
        for row in ranked
    ]
    with transaction.atomic():
        Recommendation.objects.filter(kind=kind.value, scope=scope, subject__in=list(per_subject)).delete()
        if rows:
            upsert(Recommendation, rows, unique=("kind", "scope", "subject", "recommended"))
    return FetchResult(kind=kind.value, subjects=len(per_subject), stored=len(rows), pages=pages)


def forecasts_fetch(*, client: CognitionClient, store: int, start: date, end: date, items: list[int]) -> int:
    """Fetch DF3 predictions for ``items`` at ``store`` from ``start`` to ``end`` and upsert
    them by (store, item, date). Returns the number of predictions stored."""
    if end < start:
        raise ValueError("the end date must not be before the start date")
    if not items:
        raise ValueError("give at least one item")
    body = client.df3(store=store, start=start.isoformat(), end=end.isoformat(), items=items)
    now = timezone.now()
    rows = []
    for index, entry in enumerate(_entries(body, ("items", "predictions"), "df3")):
        where = f"df3[{index}]"
        item = _id(entry, where)
        entry_store = entry.get("store", store) if isinstance(entry, dict) else store
        for position, prediction in enumerate(_nested(entry, where)):
            path = f"{where}.predictions[{position}]"
            if not isinstance(prediction, dict):
                raise UnexpectedAnswer(f"{path}: expected an object")
            try:
                day = date.fromisoformat(str(prediction.get("date"))[:10])
            except ValueError:
                raise UnexpectedAnswer(f"{path}.date: {prediction.get('date')!r} is not a date") from None
            value = next(
                (prediction[key] for key in ("quantity", "demand", "prediction", "value") if key in prediction), None
            )
            try:
                quantity = to_decimal(value, 20, 6)
                entry_store = to_int(entry_store, INT64)
            except CoercionError as exc:
                raise UnexpectedAnswer(f"{path}: {exc.rule}") from None
            rows.append(
                {
                    "store": entry_store,
                    "item": item,
                    "date": day,
                    "quantity": quantity,
                    "raw": json_safe(prediction),
                    "fetched_at": now,
                }
            )
    with transaction.atomic():
        if rows:
            upsert(Forecast, rows, unique=("store", "item", "date"))
    return len(rows)
