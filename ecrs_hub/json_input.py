"""Checks every JSON body read at the edge shares (the POS, the staff and shopper APIs), so
that no value a client sends can reach code that would crash on it (CONTRACT 3.1):

- depth: JSON nested deeper than :data:`MAX_DEPTH` is refused. Python's parser raises
  ``RecursionError`` on a few thousand levels, and recursive code further on (storing a JSON
  column, rendering) on far fewer;
- lone surrogates (``"\\ud800"``): Python's json reads them, but no UTF-8 text (the
  database, a log line) can hold one.

Every check is iterative: none can itself exhaust the stack.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 32  # a POS basket is 4 levels deep, a staff API record 3


def lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone UTF-16 surrogate."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def may_nest_deeper(raw: bytes | str, depth: int = MAX_DEPTH) -> bool:
    """Cheap, from the text alone: fewer than ``depth`` brackets cannot nest deeper."""
    if isinstance(raw, str):
        return raw.count("[") + raw.count("{") > depth
    return raw.count(b"[") + raw.count(b"{") > depth


def too_deep(payload: Any, depth: int = MAX_DEPTH) -> bool:
    """Whether the parsed ``payload`` nests deeper than ``depth``."""
    stack = [(payload, 1)]
    while stack:
        value, level = stack.pop()
        if not isinstance(value, (dict, list)):
            continue
        if level > depth:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return False


def first_lone_surrogate(payload: Any) -> str | None:
    """The JSON path (``$.a[2].b``) of the first key or string holding a lone surrogate, or
    None."""
    stack: list[tuple[Any, str]] = [(payload, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if lone_surrogate(value):
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and lone_surrogate(key):
                    return path
                stack.append((item, f"{path}.{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))
    return None
