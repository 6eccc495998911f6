"""What a shelf label shows of an item at a store on a given day: the resolved shelf record
the tags, the label export and the batch entries all use. Pure functions over objects with
the item-store's attributes (a model instance or the values a label change recorded)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from ecrs_hub.gtin import upc_key

from .unit_price import price_text, unit_price

LEVELS = (1, 2, 3, 4)

# The shelf record, flat (the CSV header of the label export, in this order).
SHELF_FIELDS = (
    "storeNumber",
    "itemId",
    "recordId",
    "deleted",
    "itemName",
    "size",
    "sizeQty",
    "sizeUnit",
    "deptNumber",
    "deptName",
    "location",
    "sequenceNumber",
    "barcode",
    "soldByWeight",
    *(f"{name}{n}" for n in LEVELS for name in ("price", "quantityFor", "labelType", "promoLabelType")),
    "priceText",
    "unitPrice",
    "unitPriceUnit",
    "unitPriceText",
    "promoActive",
    "promoPrice",
    "promoQuantityFor",
    "promoPriceText",
    "promoUnitPrice",
    "promoUnitPriceText",
    "promoStart",
    "promoEnd",
    "shelfPrice",
    "shelfPriceText",
    "labelType",
)


def promo_date(text: str | None) -> dt.date | None:
    """The date of CATAPULT's promoStart / promoEnd text (``2026-12-01``,
    ``2026-12-01T00:00:00``, ``12/01/2026``), or None."""
    if not text:
        return None
    text = text.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for layout in ("%m/%d/%Y", "%m/%d/%y"):
        try:
            return dt.datetime.strptime(text.split()[0], layout).date()
        except (ValueError, IndexError):
            continue
    return None


def has_promotion(row: Any) -> bool:
    return row.promo_price1 is not None and row.promo_price1 > 0


def promotion_active(row: Any, on: dt.date) -> bool:
    """A promotion price is set and ``on`` is within its dates (open ends allowed)."""
    if not has_promotion(row):
        return False
    start, end = promo_date(row.promo_start), promo_date(row.promo_end)
    return (start is None or start <= on) and (end is None or on <= end)


def sold_by_weight(at_store: Any) -> bool:
    return bool(getattr(at_store, "weight", None)) or getattr(at_store, "unit_of_measure", None) is not None


def barcode_digits(item_id: str | None) -> tuple[str, str] | None:
    """("UPCA", 12 digits) or ("EAN13", 13 digits) for an item id that can print as one (a
    PLU or a UPC without its check digit gets it), else None."""
    key = upc_key(item_id)
    if key is None:
        return None
    if key.startswith("00"):
        return "UPCA", key[2:]
    if key.startswith("0"):
        return "EAN13", key[1:]
    return None


def shelf_price(row: Any, on: dt.date) -> tuple[Decimal | None, int | None, bool]:
    """(price, quantity-for, is a promotion) of price level 1 as the shelf shows it on ``on``."""
    if promotion_active(row, on):
        return row.promo_price1, row.promo_divider1, True
    return row.price1, row.divider1, False


def shelf_record(at_store: Any, item: Any, store_number: str | None, on: dt.date) -> dict[str, Any]:
    """The shelf record of ``item`` at a store on ``on`` (see :data:`SHELF_FIELDS`)."""
    by_weight = sold_by_weight(at_store)
    size = {"size_qty": item.size_qty, "size_unit": item.size_unit, "size": item.size}
    uom = getattr(at_store, "unit_of_measure", None)
    regular = unit_price(
        at_store.price1, quantity_for=at_store.divider1, sold_by_weight=by_weight, unit_of_measure=uom, **size
    )
    active = promotion_active(at_store, on)
    promo_unit = (
        unit_price(
            at_store.promo_price1,
            quantity_for=at_store.promo_divider1,
            sold_by_weight=by_weight,
            unit_of_measure=uom,
            **size,
        )
        if active
        else None
    )
    barcode = barcode_digits(item.item_id)
    price, quantity_for, _promo = shelf_price(at_store, on)
    record = {
        "storeNumber": store_number,
        "itemId": item.item_id,
        "recordId": getattr(item, "record_id", None),
        "deleted": bool(at_store.deleted),
        "itemName": item.item_name,
        "size": item.size,
        "sizeQty": item.size_qty,
        "sizeUnit": item.size_unit,
        "deptNumber": getattr(item, "dept_number", None),
        "deptName": getattr(item, "dept_name", None),
        "location": getattr(at_store, "location", None),
        "sequenceNumber": getattr(at_store, "sequence_number", None),
        "barcode": barcode[1] if barcode else None,
        "soldByWeight": by_weight,
    }
    for n in LEVELS:
        record[f"price{n}"] = getattr(at_store, f"price{n}")
        record[f"quantityFor{n}"] = getattr(at_store, f"divider{n}")
        record[f"labelType{n}"] = getattr(at_store, f"pl{n}_settings_id", None)
        record[f"promoLabelType{n}"] = getattr(at_store, f"pl{n}_promo_settings_id", None)
    record.update(
        priceText=price_text(at_store.price1, at_store.divider1, sold_by_weight=by_weight),
        unitPrice=regular.amount if regular else None,
        unitPriceUnit=regular.unit if regular else None,
        unitPriceText=regular.text if regular else None,
        promoActive=active,
        promoPrice=at_store.promo_price1 if active else None,
        promoQuantityFor=at_store.promo_divider1 if active else None,
        promoPriceText=price_text(at_store.promo_price1, at_store.promo_divider1, sold_by_weight=by_weight)
        if active
        else None,
        promoUnitPrice=promo_unit.amount if promo_unit else None,
        promoUnitPriceText=promo_unit.text if promo_unit else None,
        promoStart=at_store.promo_start if has_promotion(at_store) else None,
        promoEnd=at_store.promo_end if has_promotion(at_store) else None,
        shelfPrice=price,
        shelfPriceText=price_text(price, quantity_for, sold_by_weight=by_weight),
        labelType=record["promoLabelType1"] if active and record["promoLabelType1"] else record["labelType1"],
    )
    return record


_DECIMALS = {"size_qty", *(f"price{n}" for n in LEVELS), *(f"promo_price{n}" for n in LEVELS)}


def change_values(values: dict[str, Any] | None) -> SimpleNamespace | None:
    """The label fields a change recorded (decimals as strings) as an object the functions
    above read."""
    if values is None:
        return None
    typed = {
        name: (Decimal(value) if name in _DECIMALS and value is not None else value) for name, value in values.items()
    }
    return SimpleNamespace(**typed)
