"""Minimal valid instances of the catalogue's JSON Schemas.

The schemas use only type, anyOf, $ref, required, items, additionalProperties,
enum and uniqueItems, so a small walker suffices: required properties only,
the first non-null branch of an anyOf, one item per array.
"""

from __future__ import annotations

from typing import Any

from connector.simulator.ids import IdSource, now

_MAX_DEPTH = 12


class Generator:
    def __init__(self, ids: IdSource) -> None:
        self.ids = ids

    def instance(self, schema: dict[str, Any], prop: str | None = None) -> Any:
        """An instance of `schema`, or of its property `prop` (even an optional one)."""
        node = schema["properties"][prop] if prop else schema
        return self._gen(node, schema.get("$defs", {}), prop or "", 0)

    def _gen(self, node: dict[str, Any], defs: dict[str, Any], key: str, depth: int) -> Any:
        if "$ref" in node:
            return self._gen(defs[node["$ref"].rsplit("/", 1)[-1]], defs, key, depth + 1)
        if "enum" in node:
            return node["enum"][0]
        if "anyOf" in node:
            branches = [b for b in node["anyOf"] if b.get("type") != "null"]
            if not branches:
                return None
            return self._gen(branches[0], defs, key, depth)
        kind = node.get("type")
        if kind == "object" or "properties" in node:
            if depth > _MAX_DEPTH:
                return {}
            props = node.get("properties", {})
            return {k: self._gen(props[k], defs, k, depth + 1)
                    for k in node.get("required", []) if k in props}
        if kind == "array":
            if depth > _MAX_DEPTH:
                return []
            return [self._gen(node.get("items", {}), defs, _singular(key), depth + 1)]
        if kind in ("number", "integer"):
            return 1
        if kind == "boolean":
            return True
        return self._string(key)

    def _string(self, key: str) -> str:
        low = key.lower()
        if low == "id" or low.endswith("id"):
            return self.ids.new_id()
        if low.endswith("at") or "time" in low or low in ("date", "timestamp"):
            return now()
        if "email" in low:
            return "user@example.com"
        if "url" in low or low == "website":
            return "https://example.com"
        if low == "status":
            return "SUCCESS"
        if low == "slug":
            return "example"
        if low in ("name", "displayname", "title"):
            return "Example"
        return "example"


def _singular(key: str) -> str:
    return key[:-1] if key.endswith("s") else key
