"""The JSON parser of the staff API (/api/) and the shopper API (/api/shopper/): DRF's own,
bounded. A body nested deeper than ``ecrs_hub.json_input.MAX_DEPTH``, holding a lone
surrogate, or a non-finite number (``NaN``, ``Infinity``, and ``1e400``, which Python reads
as infinity) is a 400 in DRF's error shape (``{"detail": "JSON parse error - ..."}``),
never a crash page."""

from __future__ import annotations

import json
import math

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from ecrs_hub.json_input import MAX_DEPTH, first_lone_surrogate, may_nest_deeper, too_deep


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:40]} is out of range")
    return number


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


class BoundedJsonParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - the body is not {encoding} text") from exc
        try:
            payload = json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if may_nest_deeper(text) and too_deep(payload):
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels")
        if "\\u" in text or not text.isascii():
            path = first_lone_surrogate(payload)
            if path is not None:
                raise ParseError(f"JSON parse error - {path[:100]}: a lone surrogate is not valid Unicode text")
        return payload
