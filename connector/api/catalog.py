"""The vendored facts of the Public API catalogue (connector/api/catalog.json), read lazily."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("catalog.json")


@cache
def load() -> dict[str, Any]:
    return json.loads(PATH.read_text(encoding="utf-8"))


@cache
def operations() -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for op in load()["operations"]}


def schema(name: str) -> dict[str, Any]:
    """A request or response model, self-contained (`$defs` inside)."""
    return load()["schemas"][name]


def resolve(ref: str) -> dict[str, Any]:
    """`"Model"`, `"Model.property"` or `"Model[]"` (a list) -> a self-contained JSON Schema."""
    if ref.endswith("[]"):
        return {"type": "array", "items": resolve(ref[:-2])}
    model, _, prop = ref.partition(".")
    root = schema(model)
    if not prop:
        return root
    sub = dict(root["properties"][prop])
    if "$defs" in root and "$ref" in json.dumps(sub):
        sub["$defs"] = root["$defs"]
    return sub
