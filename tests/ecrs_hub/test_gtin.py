"""The canonical UPC key (CONTRACT 3.5.2): one key per product whatever form each side sent."""

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from ecrs_hub.gtin import check_digit, has_valid_check_digit, upc_key, upce_to_upca
from scales.services.ingest import barcode_check_digit
from tests.conftest import fixture_json


def test_the_sample_transaction_upc_and_the_sample_coupon_upcs():
    line_upc = fixture_json("pos-transaction-update-request.json")["items"][0]["upc"]
    coupon_upcs = fixture_json("pos-coupons-response.json")["coupons"][0]["requirementUpcs"]
    assert line_upc == 894773001193 and coupon_upcs == [894773001193, 894773001049]
    assert upc_key(line_upc) == "00894773001193"
    assert [upc_key(upc) for upc in coupon_upcs] == ["00894773001193", "00894773001049"]
    # The same codes as CATAPULT item ids: digit strings, with leading zeros, without check digit.
    assert upc_key("894773001193") == upc_key("00894773001193") == upc_key(" 0894773001193 ") == "00894773001193"
    assert upc_key(89477300119) == upc_key("89477300119") == "00894773001193"


@pytest.mark.parametrize(
    ("sent", "key"),
    [
        (36000291452, "00036000291452"),  # UPC-A 036000291452 sent as a JSON number: its zero lost
        ("036000291452", "00036000291452"),
        ("03600029145", "00036000291452"),  # the same UPC-A without its check digit
        ("4006381333931", "04006381333931"),  # EAN-13
        ("40063813339", "00040063813339"),  # 11 digits whose last is a valid check digit: kept
        ("40063813338", "00400638133383"),  # 11 digits, last not a check digit: gets one
        ("10012345678902", "10012345678902"),  # GTIN-14 kept
        ("10012345678901", "10012345678901"),  # GTIN-14 with a wrong check digit: kept, matches only itself
        (4011, "00000000040112"),  # a PLU gets a check digit like any code that lacks one
    ],
)
def test_keys_of_ordinary_codes(sent, key):
    assert upc_key(sent) == key


@pytest.mark.parametrize(
    ("upce", "upca"),
    [
        ("01234565", "012345000065"),  # last digit 5-9: manufacturer 5 digits, product digit
        ("04252614", "042100005264"),  # last digit 0-2
        ("01234531", "012300000451"),  # last digit 3
        ("01234543", "012340000053"),  # last digit 4
        ("11234562", "112345000062"),  # number system 1
    ],
)
def test_upc_e_expands_to_its_upc_a(upce, upca):
    assert upce_to_upca(upce) == upca
    assert upc_key(upce) == upc_key(upca) == "00" + upca
    # the POS sends a number: the leading zero of number system 0 is lost
    assert upc_key(int(upce)) == upc_key(upca)


def test_codes_that_are_not_upc_e():
    assert upce_to_upca("01234566") is None  # wrong check digit
    assert upce_to_upca("21234565") is None  # number system 2
    assert upce_to_upca("0123456") is None  # not 8 digits
    # An 8-digit EAN-8 that is not a valid UPC-E keeps its own digits.
    assert upc_key("96385074") == "00000096385074"


def test_random_weight_codes_match_on_their_item_whatever_the_price():
    item = "2" + "01234"  # number system 2, item 01234
    # price 5 digits (no price check digit) and 4 digits after a price check digit
    priced = [item + "01299", item + "01000", item + "7" + "1299", item + "00000"]
    keys = {upc_key(body + check_digit(body)) for body in priced}
    assert keys == {"00201234000006"}
    # the item's code as CATAPULT knows it: no price, without or with its check digit
    assert upc_key("20123400000") == upc_key("201234000006") == "00201234000006"
    # another item is another key
    assert upc_key("201235012991") != upc_key("201234012993")
    # the sample scale barcode (EAN-13 form of a UPC-A of number system 2)
    assert upc_key("0200123456788") == "00200123000004"


@pytest.mark.parametrize("value", [None, "", "   ", "abc", "12a4", "1-2", "１２３", -5, 0, "0000", True, 1.5, b"123"])
def test_no_code_has_no_key(value):
    assert upc_key(value) is None


def test_longer_than_a_gtin_has_no_key():
    assert upc_key("123456789012345") is None
    assert upc_key("000123456789012") == upc_key("123456789012")  # leading zeros do not count


def test_check_digits():
    assert check_digit("03600029145") == "2"
    assert check_digit("400638133393") == "1"
    assert check_digit("9638507") == "4"
    assert check_digit("") == "0"
    with pytest.raises(ValueError, match="digits"):
        check_digit("12a")


def test_the_scales_check_digit_is_the_same_function():
    assert barcode_check_digit("0200123456789") == (False, 8)
    assert barcode_check_digit("0200123456788") == (True, 8)
    assert barcode_check_digit("4011") == (None, None)


@given(st.text(alphabet="0123456789", min_size=1, max_size=13))
@example("03600029145")
@example("123456")  # 6 digits: with its check digit it reads as a UPC-E
def test_a_code_with_its_check_digit_has_the_key_of_the_code_without_it(body):
    significant = body.lstrip("0")
    assume(significant)
    # the rule can only see a missing check digit when the last digit is not already one...
    assume(not has_valid_check_digit(significant))
    # ...and a 7- or 8-digit body that is itself a UPC-E (its check digit included) is one
    assume(len(significant) not in (7, 8) or upce_to_upca(significant.zfill(8)) is None)
    assert upc_key(body + check_digit(body)) == upc_key(body) == upc_key(int(body))


@given(st.one_of(st.integers(min_value=0, max_value=10**14), st.text(alphabet="0123456789", max_size=16)))
def test_keys_are_gtin_14_and_their_own_keys(value):
    key = upc_key(value)
    if key is None:
        return
    assert len(key) == 14 and key.isdigit()
    assert upc_key(key) == key
    assert upc_key(int(key)) == key
    if len(key.lstrip("0")) < 14:
        assert has_valid_check_digit(key)
