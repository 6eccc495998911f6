"""One canonical key per product code, so that a coupon's UPCs and a basket's lines match
whatever form each side sent (CONTRACT 3.5.2).

The key is a GTIN-14: digits only, zero-filled to 14, ending in a valid GS1 check digit.
The POS sends UPCs as JSON numbers (leading zeros lost), CATAPULT's item ids may lack their
check digit, UPC-E is the short form of a UPC-A, and a random-weight (type-2) label carries
the price of the piece inside the code: :func:`upc_key` folds all of these onto one key.

Pure functions, no Django: the engine, the coupon import and the scales app use them.
"""

from __future__ import annotations

GTIN_LENGTH = 14


def check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of ``body`` (the code without its check digit): digits are
    weighted 3, 1, 3, … from the right. Works for every GTIN length (8, 12, 13, 14) and for
    a UPC-E's expanded UPC-A body. ``body`` must be ASCII digits (an empty body gives "0")."""
    if body and not (body.isascii() and body.isdigit()):
        raise ValueError(f"a check digit needs a body of digits, got {body!r}")
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def has_valid_check_digit(code: str) -> bool:
    """Whether the last digit of ``code`` (at least two digits) is the check digit of the rest."""
    return len(code) >= 2 and check_digit(code[:-1]) == code[-1]


def upce_to_upca(code: str) -> str | None:
    """The 12-digit UPC-A of an 8-digit UPC-E (number system 0 or 1, six digits, check digit
    of the expanded UPC-A), or None when ``code`` is not one (wrong length, number system, or
    check digit). ``01234565`` → ``012345000065``."""
    if len(code) != 8 or not (code.isascii() and code.isdigit()) or code[0] not in "01":
        return None
    system, digits, check = code[0], code[1:7], code[7]
    d1, d2, d3, d4, d5, d6 = digits
    if d6 in "012":
        body = f"{system}{d1}{d2}{d6}0000{d3}{d4}{d5}"
    elif d6 == "3":
        body = f"{system}{d1}{d2}{d3}00000{d4}{d5}"
    elif d6 == "4":
        body = f"{system}{d1}{d2}{d3}{d4}00000{d5}"
    else:
        body = f"{system}{d1}{d2}{d3}{d4}{d5}0000{d6}"
    return body + check if check_digit(body) == check else None


def _upce_expanded(significant: str) -> str | None:
    """The significant digits of the UPC-A that a 7- or 8-digit code stands for, if it
    reads as a UPC-E (7 digits: number system 0 with its zero lost)."""
    if len(significant) not in (7, 8):
        return None
    upca = upce_to_upca(significant.zfill(8))
    return upca.lstrip("0") if upca is not None else None


def _digits(value: int | str | None) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if text and text.isascii() and text.isdigit() else None


def upc_key(value: int | str | None) -> str | None:
    """The canonical GTIN-14 key of a UPC/EAN/PLU, or None for no code (None, empty, zero,
    anything but digits, negative, or longer than 14 significant digits).

    1. Leading zeros are not significant (the POS sends JSON numbers).
    2. A code of 7 or 8 significant digits that reads as a UPC-E with a valid check digit
       (number system 0 or 1; 7 digits means number system 0 lost its zero) is expanded to
       its UPC-A.
    3. Otherwise a code whose last digit is a valid check digit is kept; any other is taken
       as lacking one and gets it computed (a 14-digit code with a wrong one is kept as sent:
       it can only match itself). If the code with its new check digit reads as a UPC-E
       (step 2), it is expanded too, so a key is its own key (``upc_key(upc_key(x)) ==
       upc_key(x)``) and a code with or without its check digit gives one key.
    4. A random-weight code (UPC-A of number system 2: ``2 IIIII PPPPP C``) keeps its item
       part; the five digits after it (the price, with or without its own price check digit)
       become zeros and the check digit is recomputed, so every weighed piece of one item
       and the item's own code share a key.
    """
    digits = _digits(value)
    if digits is None:
        return None
    significant = digits.lstrip("0")
    if not significant or len(significant) > GTIN_LENGTH:
        return None
    upca = _upce_expanded(significant)
    if upca is not None:
        significant = upca
    elif not has_valid_check_digit(significant) and len(significant) < GTIN_LENGTH:
        significant += check_digit(significant)
        significant = _upce_expanded(significant) or significant
    key = significant.zfill(GTIN_LENGTH)
    if key.startswith("002"):  # UPC-A, number system 2: random weight
        body = key[:8] + "00000"
        key = body + check_digit(body)
    return key
