"""Destination filter actions: Config API action objects to and from the Public API's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.errors import InputError

_TYPES = {"drop_event": "DROP", "sample_event": "SAMPLE", "whitelist_fields": "ALLOW_PROPERTIES",
          "blacklist_fields": "DROP_PROPERTIES"}
_BACK = {v: k for k, v in _TYPES.items()}
_FIELD_LISTS = ("whitelist_fields", "blacklist_fields")


def action_to_public(action: Any, where: str) -> dict[str, Any]:
    if not isinstance(action, Mapping) or action.get("type") not in _TYPES:
        raise InputError({where + ".type": f"must be one of {', '.join(_TYPES)}"}, "legacy")
    kind = action["type"]
    out: dict[str, Any] = {"type": _TYPES[kind]}
    if kind == "sample_event":
        out.update({k: action[k] for k in ("percent", "path") if k in action})
    elif kind in _FIELD_LISTS:
        fields = action.get("fields") or {}
        if not isinstance(fields, Mapping):
            raise InputError({where + ".fields": "must be an object of context, traits, "
                                                 "properties"}, "legacy")
        out["fields"] = {part: list((spec or {}).get("fields") or [])
                         for part, spec in fields.items()}
    return out


def action_to_config(action: Mapping[str, Any]) -> dict[str, Any]:
    kind = _BACK.get(str(action.get("type")), str(action.get("type", "")).lower())
    out: dict[str, Any] = {"type": kind}
    if kind == "sample_event":
        out.update({k: action[k] for k in ("percent", "path") if k in action})
    elif kind in _FIELD_LISTS:
        out["fields"] = {part: {"fields": list(names or [])}
                         for part, names in (action.get("fields") or {}).items()}
    return out


def actions_to_public(actions: Any) -> list[dict[str, Any]]:
    if not isinstance(actions, list):
        raise InputError({"filter.actions": "must be a list of actions"}, "legacy")
    return [action_to_public(a, f"filter.actions[{i}]") for i, a in enumerate(actions)]


def to_config(item: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A Config API filter called `name` from a Public API filter."""
    out = {"name": name, "title": item.get("title", ""), "description": item.get("description", ""),
           "if": item.get("if", ""), "enabled": bool(item.get("enabled")),
           "actions": [action_to_config(a) for a in item.get("actions") or []]}
    return out
