"""Value coercion (CONTRACT 2.4): what CATAPULT sends, and what the hub stores."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecrs_hub.coercion import (
    INT32,
    CoercionError,
    RecordRejected,
    Schema,
    WireField,
    to_bool,
    to_decimal,
    to_int,
    to_text,
)


@pytest.mark.parametrize("sent", [True, "true", "True", "TRUE", "1", 1, "Yes", "yes", "Y", "on"])
def test_true_in_every_spelling_catapult_uses(sent):
    assert to_bool(sent) is True


@pytest.mark.parametrize("sent", [False, "false", "False", "0", 0, "No", "no", "N", "off"])
def test_false_in_every_spelling_catapult_uses(sent):
    assert to_bool(sent) is False


@pytest.mark.parametrize("sent", [None, ""])
def test_null_and_empty_string_are_null_for_booleans(sent):
    assert to_bool(sent) is None


@pytest.mark.parametrize("sent", ["maybe", 2, 1.5, [], {}])
def test_a_word_that_is_not_a_boolean_is_refused(sent):
    with pytest.raises(CoercionError, match="boolean"):
        to_bool(sent)


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("4.9900", Decimal("4.9900")),
        (4.99, Decimal("4.9900")),
        ("0.250", Decimal("0.2500")),
        (5, Decimal("5.0000")),
        ("  12 ", Decimal("12.0000")),
        ("1,299.50", Decimal("1299.5000")),
        ("0.00005", Decimal("0.0001")),
        ("-1.5", Decimal("-1.5000")),
    ],
)
def test_money_arrives_as_numbers_or_numeric_strings_and_is_stored_as_decimal(sent, stored):
    value = to_decimal(sent, 18, 4)
    assert value == stored and isinstance(value, Decimal)
    assert str(value) == str(stored)


@pytest.mark.parametrize("sent", ["abc", "NaN", "Infinity", True, [1], {"a": 1}, float("nan")])
def test_what_is_not_a_number_is_refused(sent):
    with pytest.raises(CoercionError):
        to_decimal(sent, 18, 4)


def test_a_number_too_large_for_its_column_is_refused():
    with pytest.raises(CoercionError, match="too large"):
        to_decimal("12345678901234567", 18, 4)


@pytest.mark.parametrize(("sent", "stored"), [("12", 12), (12, 12), ("12.0", 12), (12.0, 12), ("", None), (None, None)])
def test_integers(sent, stored):
    assert to_int(sent) == stored


@pytest.mark.parametrize("sent", ["12.5", 12.5, "twelve", True, str(2**31)])
def test_integers_refuse_fractions_words_booleans_and_overflow(sent):
    with pytest.raises(CoercionError):
        to_int(sent)


def test_text_keeps_strings_and_reads_numbers_as_their_text():
    assert to_text("Aisle 9", 30) == "Aisle 9"
    assert to_text(32, 30) == "32"
    assert to_text("", 30) == ""
    assert to_text(None, 30) is None


def test_text_over_the_documented_maximum_is_refused_with_the_limit():
    with pytest.raises(CoercionError, match="longer than 2 characters"):
        to_text("ABC", 2)


# --- properties ------------------------------------------------------------------------

decimals = st.decimals(
    min_value=Decimal("-99999999999999"), max_value=Decimal("99999999999999"), places=4, allow_nan=False
)


@given(decimals)
def test_any_decimal_sent_as_text_is_stored_exactly(value):
    assert to_decimal(str(value), 18, 4) == value


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_a_json_float_is_stored_as_the_decimal_it_was_written_as(value):
    stored = to_decimal(value, 20, 6)
    # The decimal text of the float (its shortest repr) rounded half-up to six places.
    assert stored == Decimal(repr(value)).quantize(Decimal("0.000001"), rounding="ROUND_HALF_UP")


@given(st.integers(min_value=INT32[0], max_value=INT32[1]))
def test_integers_round_trip_as_numbers_and_strings(value):
    assert to_int(value) == value
    assert to_int(str(value)) == value
    assert to_int(f"{value}.0") == value


@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(),
        st.lists(st.integers()),
        st.dictionaries(st.text(), st.integers()),
    )
)
def test_coercion_either_returns_a_typed_value_or_refuses_with_a_rule(value):
    for coerce, expected in (
        (lambda v: to_decimal(v, 18, 4), Decimal),
        (to_int, int),
        (to_bool, bool),
        (lambda v: to_text(v, 30), str),
    ):
        try:
            result = coerce(value)
        except CoercionError as exc:
            assert exc.rule
        else:
            assert result is None or isinstance(result, expected)


SCHEMA = Schema(
    WireField("recordID", "record_id", "text", max_length=64, required=True),
    WireField("price1", "price1", "decimal"),
    WireField("local", "local", "bool"),
    nested=("stores",),
)


def test_a_record_keeps_only_present_fields_and_reports_unknown_ones():
    coerced = SCHEMA.coerce({"recordID": "1", "local": "Yes", "stores": [], "newField": 7}, "[0]")
    assert coerced.values == {"record_id": "1", "local": True}
    assert "price1" not in coerced.values  # absent: leave the stored value alone
    assert coerced.unknown == {"newField": 7}


def test_a_present_null_is_kept_as_null_so_it_clears_the_stored_value():
    assert SCHEMA.coerce({"recordID": "1", "price1": None}, "[0]").values == {"record_id": "1", "price1": None}


def test_every_problem_of_a_record_names_its_json_path_value_and_rule():
    with pytest.raises(RecordRejected) as caught:
        SCHEMA.coerce({"price1": "abc", "local": "maybe"}, "[3].stores[1]")
    messages = [str(problem) for problem in caught.value.problems]
    assert "[3].stores[1].price1: 'abc' must be a number" in messages
    assert "[3].stores[1].local: 'maybe' must be a boolean (true/false, yes/no or 1/0)" in messages
    assert "[3].stores[1].recordID: is required" in messages
