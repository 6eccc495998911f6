"""Turning CATAPULT's loosely typed JSON values into typed Python values (CONTRACT 2.4).

CATAPULT sends numbers as numbers or numeric strings (``"4.9900"``), booleans as
``true``/``"true"``/``"Yes"``/``"1"``, and ``null`` for "not populated". Every push parser
(items, scales) goes through this module, so every error names the JSON path, the value and
the rule in the same words.

A record is described by a :class:`Schema` of :class:`WireField`; ``Schema.coerce`` turns
the fields *present* in a JSON object into a dict of typed values (absent fields stay
absent: the caller leaves them unchanged in the database) and returns the unknown keys
separately.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import models

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "on"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "off"})


def json_safe(value: Any) -> Any:
    """``value`` with NUL characters written out as ``\\u0000``: PostgreSQL's jsonb cannot
    hold them, and an unknown field must never cost a record (the raw push keeps the exact
    bytes)."""
    if isinstance(value, str):
        return value.replace("\x00", "\\u0000") if "\x00" in value else value
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    return value


class CoercionError(ValueError):
    """A value that cannot be read as its field's type. ``rule`` is the sentence shown to
    the client after the JSON path and the value."""

    def __init__(self, rule: str):
        super().__init__(rule)
        self.rule = rule


@dataclass(frozen=True, slots=True)
class Problem:
    """One rejected value or record, as shown in the push log and the response message."""

    path: str
    rule: str
    value: Any = None

    def as_dict(self) -> dict:
        return {"path": self.path, "rule": self.rule, "value": json_safe(_short(self.value))}

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.path}: {self.rule}"
        return f"{self.path}: {_short(self.value)!r} {self.rule}"


def _short(value: Any, limit: int = 80) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    if isinstance(value, (dict, list)):
        text = repr(value)
        return text if len(text) <= limit else text[:limit] + "…"
    return value


# --- single values --------------------------------------------------------------------


def to_text(value: Any, max_length: int | None = None) -> str | None:
    """Text as sent; numbers become their decimal text (``32`` → ``"32"``)."""
    if value is None:
        return None
    if type(value) is str:
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CoercionError("is not a finite number")
        text = repr(value)
    else:
        raise CoercionError("must be text")
    if "\x00" in text:
        raise CoercionError("must not contain NUL characters")
    if max_length is not None and len(text) > max_length:
        raise CoercionError(f"is longer than {max_length} characters ({len(text)})")
    return text


def to_bool(value: Any) -> bool | None:
    """``true``/``false``, their strings in any case, ``"Yes"``/``"No"``, ``1``/``0``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise CoercionError("must be a boolean (true/false, yes/no or 1/0)")


def _decimal_from(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CoercionError("must be a number, not a boolean")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CoercionError("must be a finite number")
        # repr() is the shortest text that reads back as the same float: for the values
        # CATAPULT sends (4.99, 0.25) it is exactly the text that was on the wire.
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace(",", "") if "," in value else value.strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CoercionError("must be a number") from None
        if not number.is_finite():
            raise CoercionError("must be a finite number")
        return number
    raise CoercionError("must be a number")


def to_int(value: Any, bounds: tuple[int, int] = INT32) -> int | None:
    """Whole numbers, also as strings (``"12"``, ``"12.0"``); ``""`` is null."""
    if value is None or value == "":
        return None
    if type(value) is int:
        number = value
    else:
        decimal = _decimal_from(value)
        if decimal != decimal.to_integral_value():
            raise CoercionError("must be a whole number")
        number = int(decimal)
    if not bounds[0] <= number <= bounds[1]:
        raise CoercionError(f"must be between {bounds[0]} and {bounds[1]}")
    return number


class _Quanta(dict):
    """(max_digits, places) → (the quantum 10**-places, the bound 10**(digits-places))."""

    def __missing__(self, key):
        digits, places = key
        self[key] = (Decimal(1).scaleb(-places), Decimal(10) ** (digits - places))
        return self[key]


_QUANTA = _Quanta()


def to_decimal(value: Any, max_digits: int, decimal_places: int) -> Decimal | None:
    """A Decimal rounded half-up to the column's places; ``""`` is null. Rejects values
    whose whole part does not fit the column."""
    if value is None or value == "":
        return None
    number = _decimal_from(value)
    quantum, bound = _QUANTA[(max_digits, decimal_places)]
    if not -bound < number < bound:
        raise CoercionError(f"is too large (at most {max_digits - decimal_places} digits before the point)")
    number = number.quantize(quantum, rounding=ROUND_HALF_UP)
    if number == bound or number == -bound:  # rounded up past the last representable value
        raise CoercionError(f"is too large (at most {max_digits - decimal_places} digits before the point)")
    if number == 0:
        number = Decimal(0).quantize(quantum)
    return number


# --- record descriptions --------------------------------------------------------------

MEMO_LIMIT = 20_000


def _memoized(coerce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Pages repeat the same few thousand numbers ("0", "3", "4.9900") tens of thousands of
    times: remember each result (or refusal) by type and value, so 1 and True and 1.0 never
    share an answer. Bounded, so a hostile page cannot grow it without end."""
    memo: dict[tuple[type, Any], Any] = {}

    def coerce_memoized(value):
        try:
            key = (type(value), value)
            result = memo[key]
        except KeyError:
            try:
                result = coerce(value)
            except CoercionError as exc:
                result = exc
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            memo[key] = result
        except TypeError:  # unhashable: a list or an object where a number belongs
            return coerce(value)
        if isinstance(result, CoercionError):
            raise CoercionError(result.rule)
        return result

    coerce_memoized.memo = memo
    return coerce_memoized


@dataclass(frozen=True, slots=True)
class WireField:
    """One documented field of a pushed record: its JSON name, the model attribute that
    stores it, and its type. ``kind`` is one of text, bool, int, bigint, decimal."""

    name: str
    attr: str
    kind: str
    max_length: int | None = None
    required: bool = False
    max_digits: int = 18
    decimal_places: int = 4
    coerce: Callable[[Any], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "coerce", self._coercer())

    def _coercer(self) -> Callable[[Any], Any]:
        if self.kind == "text":
            max_length = self.max_length

            def coerce_text(value):
                # The hot path of every push: plain short strings skip the general function.
                if type(value) is str and (max_length is None or len(value) <= max_length) and "\x00" not in value:
                    return value
                return to_text(value, max_length)

            return coerce_text
        if self.kind == "bool":
            return _memoized(to_bool)
        if self.kind == "int":
            return _memoized(lambda value: to_int(value, INT32))
        if self.kind == "bigint":
            return _memoized(lambda value: to_int(value, INT64))
        if self.kind == "decimal":
            digits, places = self.max_digits, self.decimal_places
            return _memoized(lambda value: to_decimal(value, digits, places))
        raise ValueError(f"unknown wire kind {self.kind!r}")

    def model_field(self) -> models.Field:
        help_text = f"CATAPULT field {self.name}"
        if self.kind == "text":
            if self.max_length is None:
                return models.TextField(null=True, blank=True, help_text=help_text)
            return models.CharField(max_length=self.max_length, null=True, blank=True, help_text=help_text)
        if self.kind == "bool":
            return models.BooleanField(null=True, blank=True, help_text=help_text)
        if self.kind == "int":
            return models.IntegerField(null=True, blank=True, help_text=help_text)
        if self.kind == "bigint":
            return models.BigIntegerField(null=True, blank=True, help_text=help_text)
        return models.DecimalField(
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
            null=True,
            blank=True,
            help_text=help_text,
        )


# Field factories for the apps' wire schemas (items, scales, cognition): one precision per kind.
def text(name: str, attr: str, max_length: int | None = None, **options) -> WireField:
    return WireField(name, attr, "text", max_length=max_length, **options)


def money(name: str, attr: str, max_digits: int = 18) -> WireField:
    """A price or amount: four places, as CATAPULT's decimal(n,4) columns."""
    return WireField(name, attr, "decimal", max_digits=max_digits, decimal_places=4)


def number(name: str, attr: str) -> WireField:
    """Quantities, tares, weights, nutrient amounts: no documented precision; six places
    keep every value CATAPULT plausibly sends."""
    return WireField(name, attr, "decimal", max_digits=20, decimal_places=6)


def integer(name: str, attr: str, **options) -> WireField:
    return WireField(name, attr, "int", **options)


def bigint(name: str, attr: str) -> WireField:
    return WireField(name, attr, "bigint")


def boolean(name: str, attr: str, **options) -> WireField:
    return WireField(name, attr, "bool", **options)


@dataclass(slots=True)
class CoercedRecord:
    values: dict[str, Any]
    unknown: dict[str, Any]


class RecordRejected(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


class Schema:
    """The documented fields of one kind of pushed record (an item, an item at a store...)."""

    def __init__(self, *fields: WireField, nested: tuple[str, ...] = ()):
        self.fields = fields
        self.names = frozenset(wire.name for wire in fields)
        # Keys holding nested records the caller parses itself: not "unknown".
        self.nested = frozenset(nested)
        self.attrs = tuple(wire.attr for wire in fields)
        # One look-up per value: (attribute, coerce, text limit, memo). The limit and the memo
        # are the loop's inline fast paths: a plain string within a text field's maximum is
        # stored as it is, and a number seen before is not coerced again.
        no_limit = 2**62
        self._by_name = {
            wire.name: (
                wire.attr,
                wire.coerce,
                (wire.max_length or no_limit) if wire.kind == "text" else None,
                getattr(wire.coerce, "memo", None),
            )
            for wire in fields
        }
        self._required = tuple(wire for wire in fields if wire.required)

    def __iter__(self):
        return iter(self.fields)

    def abstract_model(self, name: str, module: str, *, exclude: tuple[str, ...] = ()) -> type[models.Model]:
        """An abstract model with one nullable column per wire field, so the columns and
        the parser are written from one table and cannot drift apart. ``exclude`` names the
        attributes the concrete model declares itself (identities, foreign keys)."""
        attrs: dict[str, Any] = {"__module__": module, "Meta": type("Meta", (), {"abstract": True})}
        for wire in self.fields:
            if wire.attr not in exclude:
                attrs[wire.attr] = wire.model_field()
        return type(name, (models.Model,), attrs)

    def coerce(self, raw: Any, path: str) -> CoercedRecord:
        """Coerce the fields present in ``raw``; absent fields stay absent (the caller leaves
        them unchanged). Raises :class:`RecordRejected` with every problem of the record.
        Unknown keys are returned for the record's ``extra`` column and a warning."""
        if not isinstance(raw, dict):
            raise RecordRejected([Problem(path, "must be a JSON object", type(raw).__name__)])
        values: dict[str, Any] = {}
        unknown: dict[str, Any] = {}
        problems: list[Problem] = []
        by_name, nested = self._by_name, self.nested
        for name, value in raw.items():
            spec = by_name.get(name)
            if spec is None:
                if name not in nested:
                    unknown[json_safe(name)] = json_safe(value)
                continue
            attr, coerce, limit, memo = spec
            if limit is not None and type(value) is str and len(value) <= limit and "\x00" not in value:
                values[attr] = value
                continue
            if memo is not None and type(value) is not list and type(value) is not dict:
                result = memo.get((type(value), value), memo)
                if result is not memo and not isinstance(result, CoercionError):
                    values[attr] = result
                    continue
            try:
                values[attr] = coerce(value)
            except CoercionError as exc:
                problems.append(Problem(f"{path}.{name}", exc.rule, value))
        for wire in self._required:
            if wire.name not in raw:
                problems.append(Problem(f"{path}.{wire.name}", "is required"))
            elif values.get(wire.attr, "") in (None, "") and not any(
                problem.path == f"{path}.{wire.name}" for problem in problems
            ):
                problems.append(Problem(f"{path}.{wire.name}", "is required and must not be empty", raw[wire.name]))
        if problems:
            raise RecordRejected(problems)
        return CoercedRecord(values, unknown)
