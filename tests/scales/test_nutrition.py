"""The Nutrition Facts rules of nutrition-label.md: each nutrient's rounding thresholds
(exactly at, just below, just above), %DV, and the panel a label prints."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scales.nutrition import NUTRIENTS, declare, nutrition_panel, percent_dv, servings_text


def declared(nutrient_type: str, amount: str) -> str:
    result = declare(Decimal(amount), NUTRIENTS[nutrient_type])
    return result.text or format(result.amount.normalize(), "f")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        # < 5 → 0; ≤ 50 → nearest 5; > 50 → nearest 10
        ("4.99", "0"),
        ("5", "5"),
        ("5.01", "5"),
        ("7.49", "5"),
        ("7.5", "10"),
        ("49.99", "50"),
        ("50", "50"),
        ("50.01", "50"),
        ("54.99", "50"),
        ("55", "60"),
        ("247", "250"),
    ],
)
def test_calories(amount, expected):
    assert declared("CALORIES", amount) == expected


@pytest.mark.parametrize("nutrient_type", ["TOTAL_FAT", "SATURATED_FAT", "TRANS_FATTY_ACID", "MONSAT_FAT"])
@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        # < 0.5 → 0; < 5 → nearest 0.5; ≥ 5 → nearest 1
        ("0", "0"),
        ("0.49", "0"),
        ("0.5", "0.5"),
        ("0.51", "0.5"),
        ("0.74", "0.5"),
        ("0.75", "1"),
        ("2.25", "2.5"),
        ("4.74", "4.5"),
        ("4.99", "5"),
        ("5", "5"),
        ("5.01", "5"),
        ("5.49", "5"),
        ("5.5", "6"),
    ],
)
def test_fats(nutrient_type, amount, expected):
    assert declared(nutrient_type, amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        # < 2 → 0; 2–5 → "less than 5 mg"; > 5 → nearest 5
        ("1.99", "0"),
        ("2", "less than 5"),
        ("2.01", "less than 5"),
        ("4.99", "less than 5"),
        ("5", "less than 5"),
        ("5.01", "5"),
        ("7.49", "5"),
        ("7.5", "10"),
        ("82", "80"),
    ],
)
def test_cholesterol(amount, expected):
    assert declared("CHOLESTEROL", amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        # < 5 → 0; 5–140 → nearest 5; > 140 → nearest 10
        ("4.99", "0"),
        ("5", "5"),
        ("5.01", "5"),
        ("137.49", "135"),
        ("137.5", "140"),
        ("139.99", "140"),
        ("140", "140"),
        ("140.01", "140"),
        ("144.99", "140"),
        ("145", "150"),
        ("2345", "2350"),
    ],
)
def test_sodium(amount, expected):
    assert declared("SODIUM", amount) == expected


@pytest.mark.parametrize(
    "nutrient_type", ["TOTAL_CARBOHYDRATES", "DIETARY_FIBER", "SUGARS", "ADDED_SUGAR", "PROTEIN", "SOLUBLE_FIBER"]
)
@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        # < 0.5 → 0; < 1 → "less than 1 g"; ≥ 1 → nearest 1
        ("0.49", "0"),
        ("0.5", "less than 1"),
        ("0.51", "less than 1"),
        ("0.99", "less than 1"),
        ("1", "1"),
        ("1.01", "1"),
        ("1.49", "1"),
        ("1.5", "2"),
        ("26.5", "27"),
    ],
)
def test_carbohydrate_fiber_sugars_and_protein(nutrient_type, amount, expected):
    assert declared(nutrient_type, amount) == expected


@pytest.mark.parametrize(
    ("nutrient_type", "amount", "expected"),
    [
        # daily value < 25 → nearest 0.1 (vitamin D 20 mcg, iron 18 mg, copper 0.9 mg)
        ("VITAMIN_D", "2.44", "2.4"),
        ("VITAMIN_D", "2.45", "2.5"),
        ("IRON", "0.95", "1"),
        ("COPPER", "0.06", "0.1"),
        # 25 to < 250 → nearest whole unit (vitamin C 90 mg, biotin 30 mcg)
        ("VITAMIN_C", "4.49", "4"),
        ("VITAMIN_C", "4.5", "5"),
        ("BIOTIN", "0.4", "0"),
        # ≥ 250 → nearest 10 (calcium 1,300 mg, potassium 4,700 mg)
        ("CALCIUM", "64.99", "60"),
        ("CALCIUM", "65", "70"),
        ("POTASSIUM", "235", "240"),
    ],
)
def test_vitamins_and_minerals(nutrient_type, amount, expected):
    assert declared(nutrient_type, amount) == expected


@pytest.mark.parametrize(
    ("dv", "amount", "expected"),
    [
        # The band follows the daily value: just below 25, at 25; just below 250, at 250.
        ("24.9", "3.45", "3.5"),
        ("25", "3.45", "3"),
        ("249", "3.45", "3"),
        ("250", "3.45", "0"),
        ("250", "5", "10"),
    ],
)
def test_the_vitamin_step_follows_the_daily_value(dv, amount, expected):
    nutrient = NUTRIENTS["VITAMIN_C"].__class__(**{**NUTRIENTS["VITAMIN_C"].__dict__, "dv": Decimal(dv)})
    result = declare(Decimal(amount), nutrient)
    assert format(result.amount.normalize(), "f") == expected


def dv(nutrient_type: str, amount: str) -> int | None:
    nutrient = NUTRIENTS[nutrient_type]
    return percent_dv(Decimal(amount), declare(Decimal(amount), nutrient), nutrient)


@pytest.mark.parametrize(
    ("nutrient_type", "amount", "expected"),
    [
        # Nearest whole percent of the declared amount; exact halves up.
        ("TOTAL_FAT", "8", 10),  # 8 / 78 = 10.26 %
        ("TOTAL_FAT", "12.4", 15),  # declared 12 g: 15.4 %, not 12.4 / 78 = 15.9 %
        ("SATURATED_FAT", "0.5", 3),  # 2.5 % → 3
        ("SATURATED_FAT", "0.49", 0),  # declared 0
        ("CHOLESTEROL", "30", 10),
        ("CHOLESTEROL", "4", 1),  # "less than 5 mg": from the amount sent, 1.33 %
        ("SODIUM", "115", 5),
        ("SODIUM", "143", 6),  # declared 140 mg: 6.09 %
        ("TOTAL_CARBOHYDRATES", "27.4", 10),  # declared 27 g: 9.8 %
        ("DIETARY_FIBER", "7", 25),
        ("ADDED_SUGAR", "25", 50),
        ("TRANS_FATTY_ACID", "2", None),
        ("SUGARS", "12", None),
        ("CALORIES", "200", None),
    ],
)
def test_percent_daily_value(nutrient_type, amount, expected):
    assert dv(nutrient_type, amount) == expected


@pytest.mark.parametrize(
    ("nutrient_type", "amount", "expected"),
    [
        # ≤ 10 % → nearest 2; > 10 % to 50 % → nearest 5; > 50 % → nearest 10; ties up.
        ("POTASSIUM", "235", 6),  # the regulation's example: 5.0 % printed 6 %
        ("IRON", "0.9", 6),  # 5 % exactly: a tie between 4 and 6
        ("IRON", "0.7", 4),  # 3.89 %
        ("IRON", "0.1", 0),  # 0.56 %
        ("IRON", "1.8", 10),  # 10 %: still the 2 % band
        ("IRON", "2", 10),  # 11.1 %: nearest 5
        ("IRON", "2.2", 10),  # 12.2 %
        ("IRON", "2.3", 15),  # 12.8 %
        ("VITAMIN_D", "2.5", 15),  # 12.5 %: tie up
        ("VITAMIN_D", "10", 50),
        ("VITAMIN_D", "10.2", 50),  # 51 %: nearest 10
        ("VITAMIN_D", "11", 60),  # 55 %: tie up
        ("VITAMIN_D", "30", 150),  # the ECRS sample's value
        ("CALCIUM", "260", 20),
    ],
)
def test_percent_daily_value_of_vitamins_and_minerals(nutrient_type, amount, expected):
    assert dv(nutrient_type, amount) == expected


def test_protein_percent_is_not_printed():
    assert nutrition_panel({"values": [{"type": "PROTEIN", "value": "25"}]}).lines[-1].percent is None


@given(st.decimals(min_value=0, max_value=100_000, places=3), st.sampled_from(sorted(NUTRIENTS)))
def test_declared_amounts_are_never_negative_and_stay_near_the_amount(amount, nutrient_type):
    result = declare(amount, NUTRIENTS[nutrient_type])
    if result.amount is not None:
        assert result.amount >= 0
        assert abs(result.amount - amount) <= 5 or abs(result.amount - amount) <= amount / 20 + 5


@pytest.mark.parametrize(
    ("servings", "expected"),
    [
        ("2.5", "about 2.5 servings per container"),
        ("2", "2 servings per container"),
        ("2.0", "2 servings per container"),
        ("1", "1 serving per container"),
        ("varied", "varied servings per container"),
        (None, ""),
    ],
)
def test_servings_line(servings, expected):
    assert servings_text(servings) == expected


def test_a_panel_lists_mandatory_lines_in_order_with_voluntary_ones_when_sent():
    panel = nutrition_panel(
        {
            "servingSize": "3 OZ",
            "servingsPerContainer": "2.5",
            "values": [
                {"type": "VITAMIN_C", "value": "9"},
                {"type": "CALORIES", "value": "212"},
                {"type": "TOTAL_FAT", "value": "12.4"},
                {"type": "CALORIES_FROM_FAT", "value": "110"},
                {"type": "ADDED_SUGAR", "value": "2.2"},
                {"type": "SODIUM", "value": "not a number"},
                {"type": "MONSAT_FAT", "value": "4.3"},
            ],
        }
    )

    assert (panel.servings, panel.serving_size, panel.calories) == ("about 2.5 servings per container", "3 OZ", "210")
    assert [(line.text, line.percent, line.indent) for line in panel.lines] == [
        ("Total Fat 12g", 15, 0),
        ("Saturated Fat —", None, 1),
        ("Trans Fat —", None, 1),
        ("Monounsaturated Fat 4.5g", None, 1),
        ("Cholesterol —", None, 0),
        ("Sodium —", None, 0),
        ("Total Carbohydrate —", None, 0),
        ("Dietary Fiber —", None, 1),
        ("Total Sugars —", None, 1),
        ("Includes 2g Added Sugars", 4, 2),
        ("Protein —", None, 0),
    ]
    assert [(line.text, line.percent) for line in panel.vitamins] == [
        ("Vitamin D —", None),
        ("Calcium —", None),
        ("Iron —", None),
        ("Potassium —", None),
        ("Vitamin C 9mg", 10),
    ]
    assert panel.missing == [
        "Saturated Fat",
        "Trans Fat",
        "Cholesterol",
        "Sodium",
        "Total Carbohydrate",
        "Dietary Fiber",
        "Total Sugars",
        "Protein",
        "Vitamin D",
        "Calcium",
        "Iron",
        "Potassium",
    ]
    assert panel.ignored == ["CALORIES_FROM_FAT 110", "SODIUM not a number"]


def test_less_than_declarations_read_with_their_unit():
    panel = nutrition_panel({"values": [{"type": "CHOLESTEROL", "value": "3"}, {"type": "PROTEIN", "value": "0.7"}]})

    texts = {line.type: line.text for line in panel.lines}
    assert texts["CHOLESTEROL"] == "Cholesterol less than 5 mg"
    assert texts["PROTEIN"] == "Protein less than 1 g"


def _band_result(band, amount: Decimal) -> str:
    if band.text:
        return band.text
    if band.step == 0:
        return "0"
    return format(((amount / band.step).quantize(Decimal(1), rounding="ROUND_HALF_UP") * band.step).normalize(), "f")


@pytest.mark.parametrize("nutrient_type", sorted(t for t, n in NUTRIENTS.items() if n.rounding != "vitamin"))
def test_every_threshold_of_every_nutrient_in_the_rule_table(nutrient_type):
    # For each band limit of the nutrient's rule: just below and exactly at (when the band is
    # inclusive) fall in that band; exactly at (exclusive) and just above fall in the next.
    from scales.nutrition import ROUNDING

    bands = ROUNDING[NUTRIENTS[nutrient_type].rounding]
    checked = 0
    for index, band in enumerate(bands[:-1]):
        following = bands[index + 1]
        cases = [(band.upto - Decimal("0.01"), band), (band.upto + Decimal("0.01"), following)]
        cases.append((band.upto, band if band.inclusive else following))
        for amount, expected_band in cases:
            assert declared(nutrient_type, str(amount)) == _band_result(expected_band, amount), amount
            checked += 1
    assert checked == 3 * (len(bands) - 1)
