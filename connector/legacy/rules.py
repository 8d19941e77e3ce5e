"""Tracking-plan rules: the Config API's `rules` object to and from the Public API's rule list.

Config API plans keep `events[]{name, description, rules, version}`, and the
workspace-wide rules under two spellings seen in the wild: `global`,
`identify` and `group` as single JSON Schemas, or `identify_traits` and
`group_traits` as lists of them. Both are read; the answer uses the first
spelling. Public API rules are `{type, key, jsonSchema, version}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connector.errors import InputError

_SINGLE = {"global": "COMMON", "identify": "IDENTIFY", "group": "GROUP"}
_LISTS = {"identify_traits": "IDENTIFY", "group_traits": "GROUP"}
_KNOWN = {"events", *_SINGLE, *_LISTS}


def _schema(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError({where: "must be a JSON Schema object"}, "legacy")
    return dict(value)


def _version(value: Any, where: str) -> int:
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError({where: f"must be a whole number of at least 1, not {value!r}"},
                         "legacy")
    return value


def to_public(rules: Any) -> list[dict[str, Any]]:
    """Public API `RuleInputV1` list from a Config API `rules` object (either spelling)."""
    if rules is None:
        return []
    if not isinstance(rules, Mapping):
        raise InputError({"tracking_plan.rules": "must be an object with events[] and "
                                                 "global, identify, group rules"}, "legacy")
    unknown = sorted(set(rules) - _KNOWN)
    if unknown:
        raise InputError({"tracking_plan.rules": f"unknown key(s) {', '.join(unknown)}; "
                                                 f"known: {', '.join(sorted(_KNOWN))}"}, "legacy")
    for single, listed in (("identify", "identify_traits"), ("group", "group_traits")):
        if rules.get(single) is not None and rules.get(listed) is not None:
            raise InputError({f"tracking_plan.rules.{listed}": f"give either {single} or "
                                                              f"{listed}, not both"}, "legacy")
    out: list[dict[str, Any]] = []
    for key, kind in _SINGLE.items():
        if rules.get(key) is not None:
            out.append({"type": kind, "version": 1,
                        "jsonSchema": _schema(rules[key], f"tracking_plan.rules.{key}")})
    for key, kind in _LISTS.items():
        items = rules.get(key) or []
        if not isinstance(items, list):
            raise InputError({f"tracking_plan.rules.{key}": "must be a list"}, "legacy")
        for at, item in enumerate(items):
            where = f"tracking_plan.rules.{key}[{at}]"
            body = item.get("rules", item) if isinstance(item, Mapping) else item
            version = item.get("version") if isinstance(item, Mapping) else None
            out.append({"type": kind, "version": _version(version, where + ".version"),
                        "jsonSchema": _schema(body, where)})
    events = rules.get("events") or []
    if not isinstance(events, list):
        raise InputError({"tracking_plan.rules.events": "must be a list"}, "legacy")
    for at, event in enumerate(events):
        where = f"tracking_plan.rules.events[{at}]"
        if not isinstance(event, Mapping) or not isinstance(event.get("name"), str) \
                or not event["name"]:
            raise InputError({where + ".name": "every event needs a name"}, "legacy")
        rule = {"type": "TRACK", "key": event["name"],
                "version": _version(event.get("version"), where + ".version"),
                "jsonSchema": _schema(event.get("rules") or {}, where + ".rules")}
        if event.get("description"):
            rule["jsonSchema"] = {**rule["jsonSchema"], "description": event["description"]}
        out.append(rule)
    return out


def to_config(rules: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """(Config API `rules` object, warnings) from Public API rules."""
    out: dict[str, Any] = {"events": []}
    warnings: list[str] = []
    reverse = {kind: key for key, kind in _SINGLE.items()}
    for rule in rules:
        kind, schema = rule.get("type"), dict(rule.get("jsonSchema") or {})
        if kind == "TRACK":
            event: dict[str, Any] = {"name": rule.get("key"), "version": rule.get("version", 1)}
            if "description" in schema:
                event["description"] = schema.pop("description")
            event["rules"] = schema
            out["events"].append(event)
        elif kind in reverse:
            if reverse[kind] in out:
                warnings.append(f"more than one {kind} rule: only the first is shown")
                continue
            out[reverse[kind]] = schema
        else:
            warnings.append(f"{kind} rule {rule.get('key') or ''} has no Config API "
                            "counterpart and is left out".replace("  ", " "))
    return out, warnings
