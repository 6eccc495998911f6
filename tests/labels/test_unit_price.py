"""Unit prices as US shelf tags print them (labels/unit_price.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labels.unit_price import UnitPrice, money_text, price_text, size_read, unit_price, unit_price_round

D = Decimal


@pytest.mark.parametrize(
    ("price", "kwargs", "expected"),
    [
        ("2.99", {"size": "16 OZ"}, UnitPrice(D("0.19"), "oz")),  # 0.186875
        ("5.00", {"quantity_for": 2, "size": "16 oz"}, UnitPrice(D("0.16"), "oz")),  # 0.15625
        ("4.99", {"size_qty": D("2"), "size_unit": "LB"}, UnitPrice(D("0.16"), "oz")),  # 4.99 / 32 oz = 0.1559
        ("1.99", {"size": "12 FL OZ"}, UnitPrice(D("0.17"), "fl oz")),
        ("1.49", {"size": "2 L"}, UnitPrice(D("0.022"), "fl oz")),  # 1.49 / 67.628 = 0.02203
        ("3.00", {"size": "500 ml"}, UnitPrice(D("0.18"), "fl oz")),  # 3 / 16.907 = 0.1774
        ("6.00", {"size": "12 CT"}, UnitPrice(D("0.50"), "each")),
        ("0.99", {"size": "100 ct"}, UnitPrice(D("0.010"), "each")),  # 0.0099 -> tenth of a cent
        ("0.50", {"size": "1 gal"}, UnitPrice(D("0.004"), "fl oz")),  # 0.00390625
        ("3.49", {"sold_by_weight": True}, UnitPrice(D("3.49"), "lb")),
        ("1.00", {"sold_by_weight": True, "unit_of_measure": 2}, UnitPrice(D("0.45"), "lb")),  # per kg
        ("0.50", {"sold_by_weight": True, "unit_of_measure": 4}, UnitPrice(D("8.00"), "lb")),  # per oz
    ],
)
def test_unit_prices_of_weight_volume_and_count(price, kwargs, expected):
    assert unit_price(D(price), **kwargs) == expected


def test_the_ecrs_size_fields_win_over_the_size_text():
    assert unit_price(D("2.00"), size_qty=D("8"), size_unit="OZ", size="garbage") == UnitPrice(D("0.25"), "oz")


@pytest.mark.parametrize("size", [None, "", "family size", "16", "0 oz", "12 bunches"])
def test_a_size_that_cannot_be_read_gives_no_unit_price(size):
    assert unit_price(D("2.00"), size=size) is None


def test_rounding_is_half_up_and_to_a_tenth_of_a_cent_below_ten_cents():
    assert unit_price_round(D("0.125")) == D("0.13")
    assert unit_price_round(D("0.0995")) == D("0.100")  # below ten cents: a tenth of a cent
    assert unit_price_round(D("0.0315")) == D("0.032")
    assert money_text(D("0.032")) == "$0.032" and money_text(D("0.19")) == "$0.19"


def test_prices_read_as_the_shopper_reads_them():
    assert price_text(D("3.49")) == "$3.49"
    assert price_text(D("5"), 2) == "2 for $5.00"
    assert price_text(D("3.49"), 1, sold_by_weight=True) == "$3.49/lb"
    assert price_text(None) == ""


def test_sizes_read_with_and_without_spaces_and_dots():
    assert size_read(None, None, "1.5LTR") == (D("1.5"), "ltr")
    assert size_read(None, None, "12 fl. oz.") == (D("12"), "fl oz")


prices = st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2)
quantities = st.decimals(min_value=D("0.1"), max_value=D("500"), places=1)


@given(prices, quantities, st.sampled_from(["oz", "lb", "g", "kg", "fl oz", "ml", "l", "gal", "ct"]))
def test_a_unit_price_has_cents_or_tenths_below_ten_cents_and_is_near_the_exact_value(price, quantity, unit):
    result = unit_price(price, size=f"{quantity} {unit}")
    assert result is not None
    exponent = result.amount.as_tuple().exponent
    assert exponent == (-3 if result.amount < D("0.10") else -2) or (result.amount == D("0.100") and exponent == -3)
    assert result.amount >= 0


@given(prices, st.integers(min_value=1, max_value=10), quantities)
def test_more_for_the_same_price_never_costs_more_per_unit(price, quantity_for, quantity):
    one = unit_price(price, size=f"{quantity} oz")
    many = unit_price(price, quantity_for=quantity_for, size=f"{quantity} oz")
    assert many.amount <= one.amount


@given(prices, quantities)
def test_a_pound_costs_what_sixteen_ounces_cost(price, quantity):
    by_lb = unit_price(price, size=f"{quantity} lb")
    by_oz = unit_price(price, size=f"{quantity * 16} oz")
    assert by_lb == by_oz
