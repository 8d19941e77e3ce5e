"""Cursor pagination: the three encodings of an object query parameter and the page window."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from connector.simulator.errors import invalid

DEFAULT_COUNT = 200
MAX_COUNT = 1000

Query = dict[str, list[str]]


def object_param(query: Query, name: str) -> dict[str, Any] | None:
    """`name.key=v`, `name[key]=v` or `name={"key": v}`; None when absent."""
    out: dict[str, Any] = {}
    if name in query:
        try:
            value = json.loads(query[name][-1])
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
            raise invalid(name, f'"{name}" must be a JSON object') from exc
        if not isinstance(value, dict):
            raise invalid(name, f'"{name}" must be a JSON object')
        out.update(value)
    for key, values in query.items():
        for prefix, close in ((name + ".", ""), (name + "[", "]")):
            if key.startswith(prefix) and key.endswith(close) and len(key) > len(prefix):
                out[key[len(prefix): len(key) - len(close)]] = values[-1]
    return out if out or name in query else None


def encode_cursor(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


def decode_cursor(cursor: Any, field: str) -> int:
    try:
        offset = int(base64.b64decode(str(cursor), validate=True).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid(field, f'"{field}" is not a valid cursor') from exc
    if offset < 0:
        raise invalid(field, f'"{field}" is not a valid cursor')
    return offset


def numeric_cursor(model: str) -> bool:
    """Whether the paging input `model` takes a number as its cursor (space filters page
    by number) rather than an opaque string."""
    from connector.simulator.catalog import schema

    try:
        cursor = schema(model)["properties"]["cursor"]
    except KeyError:
        return False
    kinds = {b.get("type") for b in cursor.get("anyOf", [cursor])}
    return "string" not in kinds and bool(kinds & {"number", "integer"})


def parse(query: Query, name: str = "pagination", numeric: bool = False) -> tuple[int, int]:
    """(offset, count) requested by the `name` object; 422 for a bad count or cursor.
    A `numeric` cursor is the offset itself, not an encoded one."""
    params = object_param(query, name) or {}
    raw_count = params.get("count", DEFAULT_COUNT)
    try:
        count = int(raw_count)
    except (TypeError, ValueError) as exc:
        raise invalid(f"{name}.count", f'"{name}.count" must be an integer') from exc
    if not 1 <= count <= MAX_COUNT:
        raise invalid(f"{name}.count",
                      f'"{name}.count" must be between 1 and {MAX_COUNT}')
    cursor = params.get("cursor")
    if cursor in (None, ""):
        return 0, count
    if numeric:
        text = str(cursor)
        if not (text.isascii() and text.isdigit() and len(text) < 10):
            raise invalid(f"{name}.cursor", f'"{name}.cursor" must be a whole number')
        return int(text), count
    return decode_cursor(cursor, f"{name}.cursor"), count


def page(items: Sequence[Any], query: Query, name: str = "pagination", numeric: bool = False
         ) -> tuple[list[Any], dict[str, Any]]:
    """The requested slice of `items` and its `pagination` object (numbers for cursors
    when `numeric`)."""
    offset, count = parse(query, name, numeric)
    cursor: Any = (lambda n: n) if numeric else encode_cursor
    chunk = list(items[offset: offset + count])
    info: dict[str, Any] = {"current": cursor(offset), "totalEntries": len(items)}
    if offset + count < len(items):
        info["next"] = cursor(offset + count)
    if offset > 0:
        info["previous"] = cursor(max(0, offset - count))
    return chunk, info
