"""The label a scale prints from a resolved record: total price (Decimal, half up to cents,
tare subtracted, divider applied), the random-weight barcode, the dates."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scales.label import item_code, price_barcode, price_verifier_digit, scale_label, upc_a_modules
from scales.services.ingest import barcode_check_digit

NY = ZoneInfo("America/New_York")
PACKED = dt.datetime(2026, 3, 1, 9, 30, tzinfo=NY)


def record(**changes) -> dict:
    base = {
        "itemId": "123456789",
        "barcode": "0200123000000",
        "descLine1": "Dill Potato Salad",
        "descLine2": "",
        "descLine3": None,
        "descLine4": "Fresh daily",
        "unitPrice": Decimal("1.25"),
        "divider": 1,
        "unit": "lb",
        "tare": Decimal("0.25"),
        "forceTare": True,
        "byCountQty": None,
        "fixedWeight": None,
        "shelfLife": 4,
        "shelfLifeByHours": False,
        "useBy": 9,
        "ingredients": "Potatoes, Dill",
        "cool": "USA",
        "promoPrice": None,
        "promoEnd": None,
        "promptPrice": False,
        "nutrition": [],
    }
    base.update(changes)
    return base


def test_the_gs1_price_verifier_example():
    # GS1 General Specifications 7.9.3: price 2875 → 4 + 5 + 1 + 3 = 13; 13 × 3 = 39 → 9.
    assert price_verifier_digit("2875") == 9
    assert price_verifier_digit("0250") == 7  # 0 + 4 + 5 + 0 = 9; 27 → 7


def test_a_weighed_item_is_priced_on_its_net_weight_half_up_to_cents():
    # 0.75 lb on the scale − 0.25 lb tare = 0.5 lb × $1.25 = $0.625 → $0.63 (half up, not $0.62).
    label = scale_label(record(), packed=PACKED, weight=Decimal("0.75"))

    assert (label.gross_weight, label.net_weight, label.total) == (Decimal("0.75"), Decimal("0.5"), Decimal("0.63"))
    assert str(label.net_weight) == "0.5" and str(label.tare) == "0.25"
    assert label.description == ["Dill Potato Salad", "Fresh daily"]
    # 2 · item 00123 · verifier 6 (0 + 0 + 8 + 4 = 12; 36 → 6) · price 0063 · check digit 1
    assert label.barcode == "200123600631"
    assert barcode_check_digit(label.barcode) == (True, int(label.barcode[-1]))
    assert label.barcode_ean13 == "0" + label.barcode


def test_the_divider_divides_the_price():
    # $4.99 for 2 lb, 1.25 lb net: 4.99 × 1.25 / 2 = 3.11875 → $3.12.
    label = scale_label(record(unitPrice=Decimal("4.99"), divider=2), packed=PACKED, weight=Decimal("1.50"))

    assert label.total == Decimal("3.12")


def test_the_known_barcode_of_a_price():
    assert price_barcode("00123", Decimal("2.50")) == "200123702502"
    assert price_barcode("00123", Decimal("2.50"), "price5") == "200123002503"


def test_by_count_and_fixed_weight_items_cost_the_package_price():
    by_count = scale_label(record(byCountQty=6, unitPrice=Decimal("5.99")), packed=PACKED)
    fixed = scale_label(record(fixedWeight=3, unitPrice=Decimal("7.49")), packed=PACKED, weight=Decimal("9"))

    assert (by_count.mode, by_count.count, by_count.total) == ("by_count", 6, Decimal("5.99"))
    assert (fixed.mode, fixed.fixed_weight, fixed.total) == ("fixed_weight", 3, Decimal("7.49"))
    assert by_count.barcode[7:11] == "0599" and fixed.barcode[7:11] == "0749"


def test_the_mode_can_be_chosen_for_a_record_with_both_quantities():
    both = record(byCountQty=6, fixedWeight=3)

    assert scale_label(both, packed=PACKED).mode == "fixed_weight"
    assert scale_label(both, packed=PACKED).notes[0].startswith("Both a by-count quantity and a fixed weight")
    weighed = scale_label(both, packed=PACKED, weight=Decimal("2.25"), mode="weighed")
    assert weighed.total == Decimal("2.50")


def test_a_running_promotion_sets_the_price():
    running = record(promoPrice=Decimal("0.99"), promoEnd="2026-03-01 14:30:00")

    on_sale = scale_label(running, packed=PACKED, weight=Decimal("1.25"))
    after = scale_label(running, packed=PACKED.replace(hour=15), weight=Decimal("1.25"))

    assert (on_sale.promo, on_sale.total) == (True, Decimal("0.99"))
    assert (after.promo, after.total) == (False, Decimal("1.25"))


def test_dates_from_the_pack_time():
    by_days = scale_label(record(), packed=PACKED)
    by_hours = scale_label(record(shelfLife=36, shelfLifeByHours=True, useBy=None), packed=PACKED)

    assert (by_days.sell_by, by_days.sell_by_hours, by_days.use_by) == (
        dt.date(2026, 3, 5),
        False,
        dt.date(2026, 3, 10),
    )
    assert (by_hours.sell_by, by_hours.sell_by_hours, by_hours.use_by) == (
        dt.datetime(2026, 3, 2, 21, 30, tzinfo=NY),
        True,
        None,
    )


@pytest.mark.parametrize(
    ("changes", "weight", "problem"),
    [
        ({}, None, "Enter the weight on the scale"),
        ({}, Decimal("0.25"), "must be more than the tare (0.25)"),
        ({"unitPrice": None}, Decimal("1"), "No unit price at this store"),
        ({"unitPrice": Decimal("120")}, Decimal("1.25"), "does not fit a four-digit price (up to $99.99)"),
        ({"barcode": "", "itemId": "SALAD"}, Decimal("1"), "itemId 'SALAD' has no digits"),
    ],
)
def test_what_stops_a_price_or_barcode_is_said(changes, weight, problem):
    label = scale_label(record(**changes), packed=PACKED, weight=weight)

    assert any(problem in text for text in label.problems), label.problems
    assert label.barcode == ""


def test_a_total_over_99_99_fits_the_five_digit_layout():
    label = scale_label(record(unitPrice=Decimal("120")), packed=PACKED, weight=Decimal("1.25"), layout="price5")

    assert label.total == Decimal("120.00") and label.barcode[6:11] == "12000" and not label.problems


@pytest.mark.parametrize(
    ("barcode", "item_id", "expected"),
    [
        ("0200123456789", "123456789", "00123"),  # 13 digits with a leading zero
        ("204711000003", "4711", "04711"),  # 12-digit type 2
        ("", "4711", "04711"),  # no barcode: the PLU
        ("012345678905", "987654", "87654"),  # not type 2: the last five digits of the itemId
    ],
)
def test_the_item_code(barcode, item_id, expected):
    assert item_code(barcode, item_id) == expected


@given(st.from_regex(r"\A[0-9]{5}\Z"), st.integers(min_value=0, max_value=9999))
def test_every_price4_barcode_has_valid_check_digits(code, cents):
    barcode = price_barcode(code, Decimal(cents) / 100)

    assert len(barcode) == 12 and barcode[0] == "2" and barcode[1:6] == code
    assert barcode[7:11] == f"{cents:04d}" and barcode[6] == str(price_verifier_digit(barcode[7:11]))
    assert barcode_check_digit(barcode)[0] is True


def test_notes_for_deleted_and_inactive_records_and_dates_off_the_calendar():
    assert "the export tells the scales to remove it" in scale_label(record(deleted=True), packed=PACKED).notes[0]
    assert scale_label(record(active=False), packed=PACKED).notes == ["Inactive at this store's scales."]
    late = scale_label(record(), packed=dt.datetime(9999, 12, 30, tzinfo=NY), weight=Decimal("1"))
    assert late.problems == ["The dates fall outside the calendar: choose another pack time."]
    assert late.total == Decimal("0.94")


def decode_upc_a(modules: str) -> str:
    """An independent reading of the 95 modules, as a scanner does: guards, then 7 modules a digit."""
    assert len(modules) == 95 and modules[:3] == "101" and modules[45:50] == "01010" and modules[92:] == "101"
    left = {"0001101": 0, "0011001": 1, "0010011": 2, "0111101": 3, "0100011": 4}
    left |= {"0110001": 5, "0101111": 6, "0111011": 7, "0110111": 8, "0001011": 9}
    right = {"".join("1" if bit == "0" else "0" for bit in pattern): digit for pattern, digit in left.items()}
    digits = [left[modules[3 + 7 * n : 10 + 7 * n]] for n in range(6)]
    digits += [right[modules[50 + 7 * n : 57 + 7 * n]] for n in range(6)]
    return "".join(map(str, digits))


def test_the_label_draws_the_barcode_a_scanner_reads_back():
    label = scale_label(record(), packed=PACKED, weight=Decimal("0.75"))

    assert decode_upc_a(upc_a_modules(label.barcode)) == label.barcode == "200123600631"
    assert label.barcode_svg.startswith("<svg") and 'aria-label="UPC-A 200123600631"' in label.barcode_svg
    bars = upc_a_modules(label.barcode).count("01") + 1  # runs of bars: the symbol starts with one
    assert label.barcode_svg.count("<rect") == 1 + bars  # the white background, then one rectangle a bar
