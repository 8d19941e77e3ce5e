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


def parse(query: Query, name: str = "pagination") -> tuple[int, int]:
    """(offset, count) requested by the `name` object; 422 for a bad count or cursor."""
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
    offset = decode_cursor(cursor, f"{name}.cursor") if cursor not in (None, "") else 0
    return offset, count


def page(items: Sequence[Any], query: Query, name: str = "pagination"
         ) -> tuple[list[Any], dict[str, Any]]:
    """The requested slice of `items` and its `pagination` object."""
    offset, count = parse(query, name)
    chunk = list(items[offset: offset + count])
    info: dict[str, Any] = {"current": encode_cursor(offset), "totalEntries": len(items)}
    if offset + count < len(items):
        info["next"] = encode_cursor(offset + count)
    if offset > 0:
        info["previous"] = encode_cursor(max(0, offset - count))
    return chunk, info
