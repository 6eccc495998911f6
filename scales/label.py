"""A scale label as a price computing scale prints it, from a **resolved** record
(:func:`scales.selectors.scale_item_resolve` — never resolved again here), a weight on the
scale and a pack time. Pure: no ORM, no HTTP.

Pricing (ECRS document 001, ``unitPrice`` / ``divider`` / ``tare``):
- weighed items: the scale reads the gross weight; the tare is subtracted to give the net
  weight; total = price × net weight ÷ divider (divider absent or 0 → 1), half up to cents;
- by-count and fixed-weight items: ``unitPrice`` "is the price for the entire package": the
  total is that price; no weight is needed;
- the price is ``promoPrice`` while the promotion runs at the pack time (``promoEnd``
  absent, or after the pack time, read in the hub's time zone), else ``unitPrice``.

Mode when the form leaves it to the record: fixed weight when ``fixedWeight`` > 0, else by
count when ``byCountQty`` > 0, else weighed (the document has no explicit item type; a
record with both quantities is flagged).

Dates: packed = the pack time; sell by = packed + ``shelfLife`` days (hours when
``shelfLifeByHours``); use by = packed + ``useBy`` days.

Barcode (UPC-A, number system 2, random-weight): the item code is the five digits after the
leading ``2`` of the item's type-2 ``barcode`` (a 13-digit code with a leading zero is read
as its 12-digit UPC-A), or else the last five digits of ``itemId``. Two layouts, as US scales
are configured:
- ``price4`` (default): ``2 IIIII V PPPP C`` — a four-digit price (up to $99.99) with the
  GS1 price verifier digit V (GS1 General Specifications 7.9.3: weights 2-, 2-, 3, 5-;
  the units digit of 3 × the sum);
- ``price5``: ``2 IIIII PPPPP C`` — a five-digit price (up to $999.99), no verifier.
C is the UPC-A (GS1 mod 10) check digit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ecrs_hub.gtin import check_digit

from .nutrition import Panel, nutrition_panels

CENT = Decimal("0.01")

MODES = {"weighed": "Weighed", "by_count": "By count", "fixed_weight": "Fixed weight"}
BARCODE_FORMATS = {
    "price4": "2 + item code + price verifier + 4-digit price + check digit",
    "price5": "2 + item code + 5-digit price + check digit",
}

# GS1 General Specifications 7.9.3: weighted products of a price digit.
_TWO_MINUS = (0, 2, 4, 6, 8, 9, 1, 3, 5, 7)
_THREE = (0, 3, 6, 9, 2, 5, 8, 1, 4, 7)
_FIVE_MINUS = (0, 5, 9, 4, 8, 3, 7, 2, 6, 1)


class LabelError(ValueError):
    """The inputs cannot make a label (the message says which and why)."""


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of ``body`` (all digits, the check digit not included)."""
    return int(check_digit(body))


def price_verifier_digit(price: str) -> int:
    """The price verifier digit of a four-digit price field (GS1 7.9.3): 2875 → 9."""
    if len(price) != 4 or not price.isdigit():
        raise ValueError(f"a four-digit price field, not {price!r}")
    digits = [int(char) for char in price]
    total = _TWO_MINUS[digits[0]] + _TWO_MINUS[digits[1]] + _THREE[digits[2]] + _FIVE_MINUS[digits[3]]
    return total * 3 % 10


def item_code(barcode: str | None, item_id: str) -> str:
    """The five-digit item code a random-weight barcode carries."""
    digits = barcode or ""
    if digits.isascii() and digits.isdigit():
        if len(digits) == 13 and digits[0] == "0":
            digits = digits[1:]
        if len(digits) == 12 and digits[0] == "2":
            return digits[1:6]
    plu = "".join(char for char in item_id if char.isascii() and char.isdigit())
    if not plu:
        raise LabelError(f"itemId {item_id!r} has no digits and the barcode is not a type-2 code")
    return plu[-5:].zfill(5)


def price_barcode(code: str, total: Decimal, layout: str = "price4") -> str:
    """The 12-digit UPC-A random-weight code for an item code and a total price."""
    cents = int((total / CENT).to_integral_value())
    if layout == "price4":
        if not 0 <= cents <= 9999:
            raise LabelError(f"a total of ${total} does not fit a four-digit price (up to $99.99)")
        price = f"{cents:04d}"
        body = f"2{code}{price_verifier_digit(price)}{price}"
    elif layout == "price5":
        if not 0 <= cents <= 99999:
            raise LabelError(f"a total of ${total} does not fit a five-digit price (up to $999.99)")
        body = f"2{code}{cents:05d}"
    else:
        raise LabelError(f"barcode layout must be one of {', '.join(BARCODE_FORMATS)}")
    return body + str(gs1_check_digit(body))


def plain(value: Decimal | None) -> Decimal | None:
    """0.250000 → 0.25 (the column's padding off), 10.000 → 10."""
    return None if value is None else Decimal(format(value.normalize(), "f"))


# UPC-A symbol: the L (left-hand, odd parity) pattern of each digit; right-hand patterns are
# their complement (GS1 General Specifications 5.2.1).
UPC_LEFT = (
    "0001101",
    "0011001",
    "0010011",
    "0111101",
    "0100011",
    "0110001",
    "0101111",
    "0111011",
    "0110111",
    "0001011",
)


def upc_a_modules(code: str) -> str:
    """The 95 modules (1 = bar) of a 12-digit UPC-A symbol."""
    if len(code) != 12 or not code.isdigit():
        raise ValueError(f"a 12-digit UPC-A, not {code!r}")
    left = "".join(UPC_LEFT[int(digit)] for digit in code[:6])
    right = "".join(UPC_LEFT[int(digit)].translate(str.maketrans("01", "10")) for digit in code[6:])
    return f"101{left}01010{right}101"


def upc_a_svg(code: str, module: int = 2, height: int = 60) -> str:
    """An SVG drawing of the UPC-A symbol (digits only go in: safe to mark as HTML)."""
    modules = upc_a_modules(code)
    quiet = 9 * module
    guards = {*range(3), *range(45, 50), *range(92, 95)}
    bars, start = [], None
    for index, bit in enumerate(modules + "0"):
        if bit == "1" and start is None:
            start = index
        elif bit != "1" and start is not None:
            tall = start in guards
            bars.append(
                f'<rect x="{quiet + start * module}" y="0" width="{(index - start) * module}" '
                f'height="{height + (8 if tall else 0)}"/>'
            )
            start = None
    width = 95 * module + 2 * quiet
    digits = (
        f'<text x="{quiet - 2}" y="{height + 8}" text-anchor="end">{code[0]}</text>'
        f'<text x="{quiet + 24 * module}" y="{height + 8}" text-anchor="middle">{code[1:6]}</text>'
        f'<text x="{quiet + 71 * module}" y="{height + 8}" text-anchor="middle">{code[6:11]}</text>'
        f'<text x="{width - quiet + 2}" y="{height + 8}">{code[11]}</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 12}" role="img" '
        f'aria-label="UPC-A {code}" font-family="monospace" font-size="10">'
        f'<rect width="100%" height="100%" fill="#fff"/><g fill="#000">{"".join(bars)}{digits}</g></svg>'
    )


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Label:
    description: list[str]
    mode: str
    price: Decimal | None  # the price used (promotion or regular)
    promo: bool
    divider: int
    unit: str
    tare: Decimal | None
    force_tare: bool
    gross_weight: Decimal | None = None
    net_weight: Decimal | None = None
    count: int | None = None
    fixed_weight: int | None = None
    total: Decimal | None = None
    barcode: str = ""
    barcode_ean13: str = ""
    barcode_svg: str = ""
    packed: dt.datetime | None = None
    sell_by: dt.datetime | dt.date | None = None
    sell_by_hours: bool = False  # sell_by is a time (shelf life in hours), not a date
    use_by: dt.date | None = None
    ingredients: str = ""
    cool: str = ""
    panels: list[Panel] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def record_mode(record: dict[str, Any]) -> str:
    if (record.get("fixedWeight") or 0) > 0:
        return "fixed_weight"
    if (record.get("byCountQty") or 0) > 0:
        return "by_count"
    return "weighed"


def promo_active(record: dict[str, Any], packed: dt.datetime) -> bool:
    """Whether the promotion price applies at ``packed`` (promoEnd is the store's local
    time without a zone, "2025-07-21 14:30:00"; read in the pack time's zone)."""
    if record.get("promoPrice") is None:
        return False
    end_text = (record.get("promoEnd") or "").strip()
    if not end_text:
        return True
    try:
        end = dt.datetime.fromisoformat(end_text)
    except ValueError:
        return False
    if end.tzinfo is None:
        end = end.replace(tzinfo=packed.tzinfo)
    return packed < end


def scale_label(
    record: dict[str, Any],
    *,
    packed: dt.datetime,
    weight: Decimal | None = None,
    mode: str | None = None,
    layout: str = "price4",
) -> Label:
    """The label of a resolved record packed at ``packed`` (aware), ``weight`` being what
    the scale reads (gross, in the record's unit) for a weighed item. Problems that stop a
    price or barcode being printed are listed in ``problems``; nothing raises."""
    mode = mode or record_mode(record)
    promo = promo_active(record, packed)
    price = record.get("promoPrice") if promo else record.get("unitPrice")
    label = Label(
        description=[record[f"descLine{n}"] for n in range(1, 5) if record.get(f"descLine{n}")],
        mode=mode,
        price=price,
        promo=promo,
        divider=record.get("divider") or 1,
        unit=record.get("unit") or "",
        tare=plain(record.get("tare")),
        force_tare=bool(record.get("forceTare")),
        packed=packed,
        ingredients=record.get("ingredients") or "",
        cool=record.get("cool") or "",
        panels=nutrition_panels(record.get("nutrition")),
    )
    if (record.get("fixedWeight") or 0) > 0 and (record.get("byCountQty") or 0) > 0:
        label.notes.append("Both a by-count quantity and a fixed weight are set; the scale decides which applies.")
    if record.get("promptPrice"):
        label.notes.append("The scale prompts the operator for the price of this item.")
    if record.get("deleted"):
        label.notes.append("Deleted (as an item or at this store): the export tells the scales to remove it.")
    elif record.get("active") is False:
        label.notes.append("Inactive at this store's scales.")
    try:
        _dates(label, record, packed)
    except OverflowError:
        label.problems.append("The dates fall outside the calendar: choose another pack time.")
    if price is None:
        label.problems.append("No unit price at this store: the scale cannot price this item.")
        return label
    if mode == "weighed":
        if weight is None:
            label.problems.append("Enter the weight on the scale to see the total price and barcode.")
            return label
        tare = label.tare or Decimal(0)
        if weight <= tare:
            label.problems.append(f"The weight ({weight} {label.unit}) must be more than the tare ({tare}).")
            return label
        label.gross_weight, label.net_weight = plain(weight), plain(weight - tare)
        label.total = money(price * label.net_weight / label.divider)
    elif mode == "by_count":
        label.count = record.get("byCountQty")
        label.total = money(price)
    else:
        label.fixed_weight = record.get("fixedWeight")
        label.total = money(price)
    try:
        label.barcode = price_barcode(item_code(record.get("barcode"), record["itemId"]), label.total, layout)
    except LabelError as exc:
        label.problems.append(str(exc))
    else:
        label.barcode_ean13 = "0" + label.barcode
        label.barcode_svg = upc_a_svg(label.barcode)
    return label


def _dates(label: Label, record: dict[str, Any], packed: dt.datetime) -> None:
    shelf_life = record.get("shelfLife")
    if shelf_life is not None:
        if record.get("shelfLifeByHours"):
            label.sell_by, label.sell_by_hours = packed + dt.timedelta(hours=shelf_life), True
        else:
            label.sell_by = packed.date() + dt.timedelta(days=shelf_life)
    if record.get("useBy") is not None:
        label.use_by = packed.date() + dt.timedelta(days=record["useBy"])
