"""Destination settings: the Config API's `config[]` list to and from the Public API's object.

Config API: `[{"name": ".../destinations/{dst}/config/{key}", "display_name",
"type", "value"}]`. Public API: `{"key": value}`. Secret settings stay masked
both ways: the Public API masks them on read (`"••••dada"`), reads of settings
whose catalog option is a secret are masked here too, and a masked value sent
back unchanged (a read-modify-write) is left out rather than stored as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from connector.errors import InputError

MASK = "••••"
_SECRET = re.compile(r"(api_?key|secret|password|token|private_?key|credential)", re.I)
_TYPES = {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
          dict: "map"}


def is_secret(key: str, option: Mapping[str, Any] | None = None) -> bool:
    """Whether a setting holds a secret: by its catalog type, else by its name."""
    if option and str(option.get("type", "")).lower() in ("password", "secret"):
        return True
    return bool(_SECRET.search(key))


def masked_value(value: Any) -> Any:
    """A secret as the Public API shows it: its last four characters at most."""
    if not isinstance(value, str) or value.startswith(MASK):
        return value
    return MASK + (value[-4:] if len(value) > 8 else "")


def key_of(item: Mapping[str, Any], at: str) -> str:
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError({at + ".name": "must be the setting's name, e.g. "
                                        "workspaces/ws/sources/src/destinations/dst/config/apiKey"},
                         "legacy")
    return name.rsplit("/config/", 1)[-1].strip("/")


def to_settings(config: Any, warnings: list[str] | None = None) -> dict[str, Any]:
    """`{key: value}` from a `config[]` list; a value without `value` is None (removes it)."""
    if config is None:
        return {}
    if not isinstance(config, list):
        raise InputError({"config": "must be a list of {name, value} objects"}, "legacy")
    out: dict[str, Any] = {}
    for at, item in enumerate(config):
        where = f"config[{at}]"
        if not isinstance(item, Mapping):
            raise InputError({where: "must be an object with name and value"}, "legacy")
        key = key_of(item, where)
        value = item.get("value")
        if isinstance(value, str) and value.startswith(MASK):
            if warnings is not None:  # echoing a masked secret back would store the mask
                warnings.append(f"{where} ({key}): a masked secret was sent back; it was "
                                "left unchanged")
            continue
        out[key] = value
    return out


def to_config(settings: Mapping[str, Any] | None, name: str,
              options: Iterable[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """The `config[]` list of a destination called `name`, secrets masked."""
    by_name = {str(o.get("name")): o for o in options if isinstance(o, Mapping)}
    out = []
    for key, value in sorted((settings or {}).items()):
        option = by_name.get(key, {})
        kind = option.get("type") or _TYPES.get(type(value), "string")
        shown = masked_value(value) if is_secret(key, option) else value
        out.append({"name": f"{name}/config/{key}", "display_name": option.get("label") or key,
                    "type": str(kind).lower(), "value": shown})
    return out
