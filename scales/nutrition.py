"""The US Nutrition Facts panel a scale label prints, from the nutrient values CATAPULT
sends (spec: nutrition-label.md — 21 CFR 101.9 as amended in 2016).

Pure: no ORM, no HTTP. The rules are data: :data:`NUTRIENTS` says, for each ECRS nutrient
type, its label, unit, rounding rule, daily value and place on the panel; :data:`ROUNDING`
holds the rounding rules as bands. :func:`nutrition_panel` turns one stored panel
(``{"servingSize", "servingsPerContainer", "values": [{"type", "value"}]}``) into the lines
a label shows.

Choices where the regulation allows either way (nutrition-label.md):
- %DV is computed from the **declared** (rounded) amount; exact halves round up.
- A "less than" declaration (cholesterol 2–5 mg, carbohydrate/protein 0.5 to < 1 g) has no
  number, so its %DV is computed from the amount sent.
- Protein's %DV is optional and not printed (required only with a protein claim).
- "Nearest" means half up everywhere (0.75 g of fat to the nearest 0.5 g is 1 g).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

ZERO = Decimal(0)


@dataclass(frozen=True)
class Band:
    """Amounts up to ``upto`` (inclusive or not; ``None``: no limit) are declared as
    ``text`` when it is set, else rounded to the nearest ``step`` (a step of 0 declares 0)."""

    upto: Decimal | None
    inclusive: bool
    step: Decimal = ZERO
    text: str = ""


def _bands(*rows: tuple) -> tuple[Band, ...]:
    return tuple(
        Band(None if upto is None else Decimal(upto), inclusive, Decimal(step), text)
        for upto, inclusive, step, text in rows
    )


# name → bands, checked in order (nutrition-label.md, "rounding of the declared amount").
ROUNDING: dict[str, tuple[Band, ...]] = {
    # < 5 → 0; ≤ 50 → nearest 5; > 50 → nearest 10
    "calories": _bands(("5", False, "0", ""), ("50", True, "5", ""), (None, False, "10", "")),
    # < 0.5 → 0; < 5 → nearest 0.5; ≥ 5 → nearest 1
    "fat": _bands(("0.5", False, "0", ""), ("5", False, "0.5", ""), (None, False, "1", "")),
    # < 2 → 0; 2–5 → "less than 5 mg"; > 5 → nearest 5
    "cholesterol": _bands(("2", False, "0", ""), ("5", True, "0", "less than 5"), (None, False, "5", "")),
    # < 5 → 0; 5–140 → nearest 5; > 140 → nearest 10
    "sodium": _bands(("5", False, "0", ""), ("140", True, "5", ""), (None, False, "10", "")),
    # < 0.5 → 0; < 1 → "less than 1 g"; ≥ 1 → nearest 1 (carbohydrate, fiber, sugars, protein)
    "carbohydrate": _bands(("0.5", False, "0", ""), ("1", False, "0", "less than 1"), (None, False, "1", "")),
}

# Vitamins and minerals: the step depends on the daily value (nutrition-label.md).
VITAMIN_STEPS = ((Decimal(25), Decimal("0.1")), (Decimal(250), Decimal(1)), (None, Decimal(10)))
# %DV of vitamins and minerals: up to 10 % → nearest 2; to 50 % → nearest 5; above → nearest 10.
VITAMIN_PERCENT_STEPS = ((Decimal(10), Decimal(2)), (Decimal(50), Decimal(5)), (None, Decimal(10)))


@dataclass(frozen=True)
class Nutrient:
    """One ECRS nutrient type on the panel. ``rounding`` is a key of :data:`ROUNDING` or
    ``"vitamin"``; ``dv`` None: no %DV; ``parent``: shown indented under that type;
    ``order``: position on the panel; ``mandatory``: shown even when not sent."""

    label: str
    unit: str
    rounding: str
    dv: Decimal | None
    order: int
    mandatory: bool = False
    parent: str | None = None
    show_dv: bool = True
    template: str = "{label} {amount}"


def _n(label, unit, rounding, dv, order, **options) -> Nutrient:
    return Nutrient(label, unit, rounding, None if dv is None else Decimal(dv), order, **options)


NUTRIENTS: dict[str, Nutrient] = {
    "CALORIES": _n("Calories", "", "calories", None, 0, mandatory=True),
    "TOTAL_FAT": _n("Total Fat", "g", "fat", "78", 10, mandatory=True),
    "SATURATED_FAT": _n("Saturated Fat", "g", "fat", "20", 11, mandatory=True, parent="TOTAL_FAT"),
    "TRANS_FATTY_ACID": _n("Trans Fat", "g", "fat", None, 12, mandatory=True, parent="TOTAL_FAT"),
    "POLYSAT_FAT": _n("Polyunsaturated Fat", "g", "fat", None, 13, parent="TOTAL_FAT"),
    "OMEGA_6_POLY": _n("Omega-6 Polyunsaturated Fat", "g", "fat", None, 14, parent="TOTAL_FAT"),
    "OMEGA_3_POLY": _n("Omega-3 Polyunsaturated Fat", "g", "fat", None, 15, parent="TOTAL_FAT"),
    "MONSAT_FAT": _n("Monounsaturated Fat", "g", "fat", None, 16, parent="TOTAL_FAT"),
    "CHOLESTEROL": _n("Cholesterol", "mg", "cholesterol", "300", 20, mandatory=True),
    "SODIUM": _n("Sodium", "mg", "sodium", "2300", 30, mandatory=True),
    "TOTAL_CARBOHYDRATES": _n("Total Carbohydrate", "g", "carbohydrate", "275", 40, mandatory=True),
    "DIETARY_FIBER": _n("Dietary Fiber", "g", "carbohydrate", "28", 41, mandatory=True, parent="TOTAL_CARBOHYDRATES"),
    "SOLUBLE_FIBER": _n("Soluble Fiber", "g", "carbohydrate", None, 42, parent="DIETARY_FIBER"),
    "INSOLUBLE_FIBER": _n("Insoluble Fiber", "g", "carbohydrate", None, 43, parent="DIETARY_FIBER"),
    "SUGARS": _n("Total Sugars", "g", "carbohydrate", None, 44, mandatory=True, parent="TOTAL_CARBOHYDRATES"),
    "ADDED_SUGAR": _n(
        "Added Sugars",
        "g",
        "carbohydrate",
        "50",
        45,
        mandatory=True,
        parent="SUGARS",
        template="Includes {amount} {label}",
    ),
    "SUGAR_ALCOHOL": _n("Sugar Alcohol", "g", "carbohydrate", None, 46, parent="TOTAL_CARBOHYDRATES"),
    "STARCH": _n("Starch", "g", "carbohydrate", None, 47, parent="TOTAL_CARBOHYDRATES"),
    "OTHER_CARBS": _n("Other Carbohydrate", "g", "carbohydrate", None, 48, parent="TOTAL_CARBOHYDRATES"),
    "PROTEIN": _n("Protein", "g", "carbohydrate", "50", 50, mandatory=True, show_dv=False),
    # Vitamins and minerals: the four mandatory ones first, then the voluntary ones when sent.
    "VITAMIN_D": _n("Vitamin D", "mcg", "vitamin", "20", 60, mandatory=True),
    "CALCIUM": _n("Calcium", "mg", "vitamin", "1300", 61, mandatory=True),
    "IRON": _n("Iron", "mg", "vitamin", "18", 62, mandatory=True),
    "POTASSIUM": _n("Potassium", "mg", "vitamin", "4700", 63, mandatory=True),
    "VITAMIN_A": _n("Vitamin A", "mcg", "vitamin", "900", 70),
    "VITAMIN_C": _n("Vitamin C", "mg", "vitamin", "90", 71),
    "VITAMIN_E": _n("Vitamin E", "mg", "vitamin", "15", 72),
    "VITAMIN_K": _n("Vitamin K", "mcg", "vitamin", "120", 73),
    "THIAMIN": _n("Thiamin", "mg", "vitamin", "1.2", 74),
    "RIBOFLAVIN": _n("Riboflavin", "mg", "vitamin", "1.3", 75),
    "NIACIN": _n("Niacin", "mg", "vitamin", "16", 76),
    "VITAMIN_B6": _n("Vitamin B6", "mg", "vitamin", "1.7", 77),
    "FOLIC_ACID": _n("Folate", "mcg DFE", "vitamin", "400", 78),
    "VITAMIN_B12": _n("Vitamin B12", "mcg", "vitamin", "2.4", 79),
    "BIOTIN": _n("Biotin", "mcg", "vitamin", "30", 80),
    "PANTOTHENIC_ACID": _n("Pantothenic Acid", "mg", "vitamin", "5", 81),
    "PHOSPHORUS": _n("Phosphorus", "mg", "vitamin", "1250", 82),
    "IODINE": _n("Iodine", "mcg", "vitamin", "150", 83),
    "MAGNESIUM": _n("Magnesium", "mg", "vitamin", "420", 84),
    "ZINC": _n("Zinc", "mg", "vitamin", "11", 85),
    "SELENIUM": _n("Selenium", "mcg", "vitamin", "55", 86),
    "COPPER": _n("Copper", "mg", "vitamin", "0.9", 87),
    "MANGANESE": _n("Manganese", "mg", "vitamin", "2.3", 88),
    "CHROMIUM": _n("Chromium", "mcg", "vitamin", "35", 89),
    "MOLYBDENUM": _n("Molybdenum", "mcg", "vitamin", "45", 90),
    "CHLORIDE": _n("Chloride", "mg", "vitamin", "2300", 91),
}

# Types CATAPULT may send that the 2016 panel has no line for (CALORIES_FROM_FAT was
# removed; BETA_CAROTENE has no daily value; ENERGY is a kilojoule figure; the combined
# saturated + trans figures are not declared on US labels) are listed as ignored.
FOOTNOTE = (
    "The % Daily Value (DV) tells you how much a nutrient in a serving of food contributes to a daily diet. "
    "2,000 calories a day is used for general nutrition advice."
)


def nearest(amount: Decimal, step: Decimal) -> Decimal:
    """``amount`` rounded to the nearest multiple of ``step``, halves up."""
    if step == 0:
        return ZERO
    return (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


@dataclass(frozen=True)
class Declared:
    """A declared amount: ``amount`` (a number) or ``text`` ("less than 5")."""

    amount: Decimal | None
    text: str = ""


def vitamin_step(dv: Decimal) -> Decimal:
    for limit, step in VITAMIN_STEPS:
        if limit is None or dv < limit:
            return step
    raise AssertionError("unreachable")  # pragma: no cover


def declare(amount: Decimal, nutrient: Nutrient) -> Declared:
    """The amount the panel declares for ``amount`` (per serving, in the nutrient's unit)."""
    if amount < 0:
        amount = ZERO
    if nutrient.rounding == "vitamin":
        return Declared(nearest(amount, vitamin_step(nutrient.dv)))
    for band in ROUNDING[nutrient.rounding]:
        if band.upto is None or amount < band.upto or (band.inclusive and amount == band.upto):
            if band.text:
                return Declared(None, band.text)
            return Declared(nearest(amount, band.step))
    raise AssertionError("unreachable")  # pragma: no cover


def percent_dv(amount: Decimal, declared: Declared, nutrient: Nutrient) -> int | None:
    """The %DV printed for a nutrient: from the declared amount (from the amount sent for a
    "less than" declaration); None when the nutrient has no daily value."""
    if nutrient.dv is None:
        return None
    base = declared.amount if declared.amount is not None else max(amount, ZERO)
    percent = base * 100 / nutrient.dv
    if nutrient.rounding != "vitamin":
        return int(nearest(percent, Decimal(1)))
    for limit, step in VITAMIN_PERCENT_STEPS:
        if limit is None or percent <= limit:
            return int(nearest(percent, step))
    raise AssertionError("unreachable")  # pragma: no cover


def number_text(value: Decimal) -> str:
    """0.50 → "0.5", 1E+1 → "10"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


@dataclass
class PanelLine:
    type: str
    label: str
    text: str  # e.g. "Total Fat 8g", "Includes 2g Added Sugars", "Cholesterol less than 5mg"
    amount: Declared | None  # None: a mandatory nutrient CATAPULT did not send
    percent: int | None
    indent: int
    vitamin: bool


@dataclass
class Panel:
    servings: str  # "about 2.5 servings per container"
    serving_size: str
    calories: str  # declared calories, "" when not sent
    lines: list[PanelLine] = field(default_factory=list)  # fats to protein
    vitamins: list[PanelLine] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # mandatory nutrients not sent
    ignored: list[str] = field(default_factory=list)  # sent, but not on a US panel (or unreadable)
    footnote: str = FOOTNOTE


def _depth(nutrient_type: str) -> int:
    depth, parent = 0, NUTRIENTS[nutrient_type].parent
    while parent:
        depth, parent = depth + 1, NUTRIENTS[parent].parent
    return depth


def _amount(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def servings_text(servings: str | None) -> str:
    """ "2" → "2 servings per container", "2.5" → "about 2.5 servings per container"."""
    if not servings:
        return ""
    amount = _amount(servings.strip())
    if amount is None:
        return f"{servings} servings per container"
    if amount == amount.to_integral_value():
        count = number_text(amount)
        return f"{count} serving per container" if count == "1" else f"{count} servings per container"
    return f"about {number_text(amount)} servings per container"


def _line(nutrient_type: str, amount: Decimal | None) -> PanelLine:
    nutrient = NUTRIENTS[nutrient_type]
    if amount is None:
        declared, percent, shown = None, None, "—"
    else:
        declared = declare(amount, nutrient)
        percent = percent_dv(amount, declared, nutrient) if nutrient.show_dv else None
        shown = declared.text if declared.text else number_text(declared.amount)
        shown = f"{shown} {nutrient.unit}" if " " in nutrient.unit or declared.text else f"{shown}{nutrient.unit}"
    return PanelLine(
        type=nutrient_type,
        label=nutrient.label,
        text=nutrient.template.format(label=nutrient.label, amount=shown),
        amount=declared,
        percent=percent,
        indent=_depth(nutrient_type),
        vitamin=nutrient.rounding == "vitamin",
    )


def nutrition_panel(panel: dict) -> Panel:
    """The Nutrition Facts panel of one stored nutrition panel. Values of an unknown or
    panel-less type, or that are not numbers, are listed in ``ignored``; a later value of
    the same type wins."""
    amounts: dict[str, Decimal] = {}
    ignored: list[str] = []
    for row in panel.get("values") or ():
        nutrient_type = str(row.get("type") or "")
        amount = _amount(row.get("value"))
        if nutrient_type not in NUTRIENTS or amount is None:
            ignored.append(f"{nutrient_type} {row.get('value')}".strip())
            continue
        amounts[nutrient_type] = amount
    result = Panel(
        servings=servings_text(panel.get("servingsPerContainer")),
        serving_size=panel.get("servingSize") or "",
        calories="",
        ignored=ignored,
    )
    for nutrient_type, nutrient in sorted(NUTRIENTS.items(), key=lambda pair: pair[1].order):
        amount = amounts.get(nutrient_type)
        if amount is None and not nutrient.mandatory:
            continue
        if amount is None:
            result.missing.append(nutrient.label)
        if nutrient_type == "CALORIES":
            result.calories = "" if amount is None else number_text(declare(amount, nutrient).amount)
            continue
        line = _line(nutrient_type, amount)
        (result.vitamins if line.vitamin else result.lines).append(line)
    return result


def nutrition_panels(panels: list[dict] | None) -> list[Panel]:
    return [nutrition_panel(panel) for panel in panels or () if isinstance(panel, dict)]
