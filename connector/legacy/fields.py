"""Plain field renames between the two APIs, driven by the mapping table's field sets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.legacy.table import field_set


def dig(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(part)
    return obj


def put(obj: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        obj = obj.setdefault(part, {})
    obj[last] = value


def renames(name: str) -> list[tuple[str, str]]:
    """(config field, public path) pairs of field set `name` that are plain renames."""
    return [(f["config"], f["public"]) for f in field_set(name) if "how" not in f
            and "[" not in f["config"]]


def to_config(name: str, public: Mapping[str, Any]) -> dict[str, Any]:
    """The Config API fields of field set `name` present in `public`."""
    out: dict[str, Any] = {}
    for config, path in renames(name):
        value = dig(public, path)
        if value is not None:
            out[config] = value
    return out


def to_public(name: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """The Public API body (nested by path) for the Config API fields given in `config`."""
    out: dict[str, Any] = {}
    lookup = dict(renames(name))
    for key, value in config.items():
        if key in lookup:
            put(out, lookup[key], value)
    return out
