"""Unit prices as US shelf tags print them, and prices as the shopper reads them.

Pure functions over Decimals (no ORM). A unit price is the price of one unit of the item
(``price ÷ quantity-for``) divided by its size in the unit of comparison:

- weight (oz, lb, g, kg) → per ounce; an item **sold by weight** → per pound, from the
  price per unit of measure of its Weight profile (grams, kilograms, pounds, ounces,
  hundred grams; pounds when the profile names none);
- volume (fl oz, ml, l, pt, qt, gal) → per fluid ounce;
- count (ct, ea, each, pk, pc ...) → per each.

It is rounded half-up to the cent, or to a tenth of a cent when below $0.10 (as NIST
Handbook 130's unit pricing guide prints it). A size that cannot be read gives none."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
TENTH_OF_CENT = Decimal("0.001")
GRAMS_PER_OUNCE = Decimal("28.349523125")
GRAMS_PER_POUND = Decimal("453.59237")
ML_PER_FL_OZ = Decimal("29.5735295625")

WEIGHT_IN_OZ = {
    "oz": Decimal(1),
    "ounce": Decimal(1),
    "ounces": Decimal(1),
    "wt oz": Decimal(1),
    "lb": Decimal(16),
    "lbs": Decimal(16),
    "pound": Decimal(16),
    "pounds": Decimal(16),
    "g": 1 / GRAMS_PER_OUNCE,
    "gr": 1 / GRAMS_PER_OUNCE,
    "gram": 1 / GRAMS_PER_OUNCE,
    "grams": 1 / GRAMS_PER_OUNCE,
    "kg": 1000 / GRAMS_PER_OUNCE,
    "kilogram": 1000 / GRAMS_PER_OUNCE,
    "kilograms": 1000 / GRAMS_PER_OUNCE,
}
VOLUME_IN_FL_OZ = {
    "fl oz": Decimal(1),
    "floz": Decimal(1),
    "fz": Decimal(1),
    "fluid ounce": Decimal(1),
    "fluid ounces": Decimal(1),
    "ml": 1 / ML_PER_FL_OZ,
    "cl": 10 / ML_PER_FL_OZ,
    "l": 1000 / ML_PER_FL_OZ,
    "lt": 1000 / ML_PER_FL_OZ,
    "ltr": 1000 / ML_PER_FL_OZ,
    "liter": 1000 / ML_PER_FL_OZ,
    "liters": 1000 / ML_PER_FL_OZ,
    "litre": 1000 / ML_PER_FL_OZ,
    "pt": Decimal(16),
    "pint": Decimal(16),
    "qt": Decimal(32),
    "quart": Decimal(32),
    "gal": Decimal(128),
    "gallon": Decimal(128),
}
COUNT = {"ct", "count", "ea", "each", "pk", "pack", "pc", "pcs", "piece", "pieces", "ct.", "cnt", "units", "unit"}

# CATAPULT's unitOfMeasure (Weight profile): what the price of an item sold by weight is per.
UNIT_OF_MEASURE_PER_LB = {
    1: GRAMS_PER_POUND,  # grams
    2: GRAMS_PER_POUND / 1000,  # kilograms
    3: Decimal(1),  # pounds
    4: Decimal(16),  # ounces
    5: GRAMS_PER_POUND / 100,  # hundred grams
}

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z][a-z. ]*?)\.?\s*$")


@dataclass(frozen=True)
class UnitPrice:
    amount: Decimal
    unit: str  # "oz", "lb", "fl oz", "each"

    @property
    def text(self) -> str:
        return f"{money_text(self.amount)} per {self.unit}"


def unit_price_round(value: Decimal) -> Decimal:
    """Half-up to the cent, or to a tenth of a cent below $0.10."""
    if value < Decimal("0.10"):
        return value.quantize(TENTH_OF_CENT, rounding=ROUND_HALF_UP)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value: Decimal) -> str:
    """``$3.49``; a tenth-of-a-cent amount keeps its third decimal (``$0.031``)."""
    exponent = 3 if value != value.quantize(CENT) else 2
    return f"${value:,.{exponent}f}"


def _unit(text: str) -> str:
    return " ".join(text.lower().replace(".", " ").split())


def size_read(size_qty: Decimal | None, size_unit: str | None, size: str | None) -> tuple[Decimal, str] | None:
    """(quantity, normalised unit) from CATAPULT's sizeQty and sizeUnit, else parsed from the
    size text (``"16 OZ"``, ``"1.5LTR"``, ``"12 fl. oz"``); None when neither reads."""
    if size_qty is not None and size_unit and size_qty > 0:
        return Decimal(size_qty), _unit(size_unit)
    match = _SIZE.match((size or "").lower())
    if match is None:
        return None
    try:
        quantity = Decimal(match.group(1))
    except InvalidOperation:
        return None
    return (quantity, _unit(match.group(2))) if quantity > 0 else None


def unit_price(
    price: Decimal | None,
    *,
    quantity_for: int | None = None,
    size_qty: Decimal | None = None,
    size_unit: str | None = None,
    size: str | None = None,
    sold_by_weight: bool = False,
    unit_of_measure: int | None = None,
) -> UnitPrice | None:
    """The unit price to print for ``price`` (for ``quantity_for`` items), or None."""
    if price is None or price < 0:
        return None
    each = Decimal(price) / (quantity_for if quantity_for and quantity_for > 0 else 1)
    if sold_by_weight:
        per_lb = UNIT_OF_MEASURE_PER_LB.get(unit_of_measure or 3, Decimal(1))
        return UnitPrice(unit_price_round(each * per_lb), "lb")
    read = size_read(size_qty, size_unit, size)
    if read is None:
        return None
    quantity, unit = read
    if unit in VOLUME_IN_FL_OZ:
        return UnitPrice(unit_price_round(each / (quantity * VOLUME_IN_FL_OZ[unit])), "fl oz")
    if unit in WEIGHT_IN_OZ:
        return UnitPrice(unit_price_round(each / (quantity * WEIGHT_IN_OZ[unit])), "oz")
    if unit in COUNT:
        return UnitPrice(unit_price_round(each / quantity), "each")
    return None


def price_text(price: Decimal | None, quantity_for: int | None = None, *, sold_by_weight: bool = False) -> str:
    """The price as the shopper reads it: ``$3.49``, ``2 for $5.00``, ``$3.49/lb``."""
    if price is None:
        return ""
    amount = f"${Decimal(price).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
    if quantity_for and quantity_for > 1:
        return f"{quantity_for} for {amount}"
    return f"{amount}/lb" if sold_by_weight else amount
