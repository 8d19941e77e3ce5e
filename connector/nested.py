"""Structured inputs checked all the way down against the catalogue's request schemas.

`connector.validation` checks each input's top-level type; an object, a list of
objects or a union (`label`, `syncOverrides`, `schedule`) carries a schema
reference (`Input.schema`), and its value is checked here against that schema,
so `{"label": {"key": "team", "value": 5}}` is refused as `label.value` before
anything is sent instead of coming back from the API as a 422.

Validators are compiled on first use and cached per input; jsonschema is
imported only then, so start-up does not pay for it. Messages name the path
and the expected type or choices, never the value given: a nested value may be
a password inside settings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from connector.spec import Input

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

# Enough choices to act on; a longer enum is cut with its count.
MAX_CHOICES = 12
_KINDS = {"string": "text", "integer": "a whole number", "number": "a number",
          "boolean": "true or false", "object": "an object", "array": "a list",
          "null": "null"}


def schema_of(inp: Input) -> dict[str, Any] | None:
    """The JSON Schema an input's value must meet, or None when it has none."""
    if inp.schema is None:
        return None
    if isinstance(inp.schema, str):
        from connector.api import catalog

        schema = dict(catalog.resolve(inp.schema))
    else:
        schema = dict(inp.schema)
    # A blank input is never sent, so a top-level "or null" only blurs the message
    # jsonschema picks ("is not valid under any of the given schemas").
    members = schema.get("anyOf")
    if isinstance(members, list):
        real = [m for m in members if not (isinstance(m, Mapping) and m.get("type") == "null")]
        if len(real) == 1 and isinstance(real[0], Mapping):
            schema = {**{k: v for k, v in schema.items() if k not in ("anyOf", "default")},
                      **real[0]}
        elif len(real) != len(members):
            schema["anyOf"] = real
    return schema


@lru_cache(maxsize=1024)  # Input hashes by identity: one entry per declared input
def validator_for(inp: Input) -> Validator | None:
    schema = schema_of(inp)
    if not schema:
        return None
    from jsonschema import Draft202012Validator

    return Draft202012Validator(inlined(schema))


def inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its local `$ref`s replaced by what they name, once, at compile time:
    resolving them on every check costs ten times the check. A recursive model keeps its
    `$ref` (and `$defs`) where it recurs."""
    defs = schema.get("$defs", {})
    recursive = False

    def walk(node: Any, seen: tuple[str, ...]) -> Any:
        nonlocal recursive
        if isinstance(node, list):
            return [walk(item, seen) for item in node]
        if not isinstance(node, Mapping):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.rsplit("/", 1)[-1]
            if name in seen or name not in defs:
                recursive = True
                return dict(node)
            rest = {k: walk(v, seen) for k, v in node.items() if k not in ("$ref", "$defs")}
            return {**walk(defs[name], (*seen, name)), **rest}
        return {k: walk(v, seen) for k, v in node.items() if k != "$defs"}

    out = walk(schema, ())
    if recursive:
        out["$defs"] = defs
    return out


def problems(inputs: tuple[Input, ...], values: Mapping[str, Any]) -> dict[str, str]:
    """`{"label.value": "should be text, not a number"}` for every structured input that fails."""
    out: dict[str, str] = {}
    for inp in inputs:
        if inp.schema is None or values.get(inp.key) is None:
            continue
        validator = validator_for(inp)
        if validator is None or validator.is_valid(values[inp.key]):
            continue  # the common case: no error to pick among
        from jsonschema.exceptions import best_match

        error = best_match(validator.iter_errors(values[inp.key]))
        if error is not None:
            path, message = _describe(error)
            out[".".join([inp.key, *path])] = message
    return out


def _describe(error: ValidationError) -> tuple[list[str], str]:
    """(path inside the input, message) of one schema error, without the value given."""
    path = [str(p) for p in error.absolute_path]
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        given = error.instance if isinstance(error.instance, Mapping) else {}
        missing = next((name for name in expected if name not in given), None)
        return ([*path, str(missing)] if missing else path), "is required"
    if kind == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        names = " or ".join(_KINDS.get(str(t), str(t)) for t in wanted)
        return path, f"should be {names}, not {_kind_of(error.instance)}"
    if kind in ("enum", "const"):
        choices = list(expected) if kind == "enum" else [expected]
        shown = ", ".join(json.dumps(c) for c in choices[:MAX_CHOICES])
        more = f" (and {len(choices) - MAX_CHOICES} more)" if len(choices) > MAX_CHOICES else ""
        return path, f"should be one of {shown}{more}"
    if kind == "additionalProperties":
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
        given = error.instance if isinstance(error.instance, Mapping) else {}
        extra = next((k for k in given if k not in allowed), None)
        return ([*path, str(extra)] if extra else path), "is not a field of this object"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most",
                 "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}
        return path, f"should be {words[str(kind)]} {expected}"
    if kind in ("minLength", "minItems"):
        unit = "character" if kind == "minLength" else "item"
        return path, f"should have at least {expected} {unit}{'s' * (expected != 1)}"
    if kind in ("maxLength", "maxItems"):
        unit = "character" if kind == "maxLength" else "item"
        return path, f"should have at most {expected} {unit}{'s' * (expected != 1)}"
    if kind in ("anyOf", "oneOf"):
        # Every form refused the type (`number` or `integer`): say which types it takes.
        tried = [e for e in error.context or () if not e.relative_path]
        if tried and all(e.validator == "type" for e in tried):
            wanted = [t for e in tried for t in (e.validator_value if isinstance(
                e.validator_value, list) else [e.validator_value]) if t != "null"]
            names = " or ".join(dict.fromkeys(_KINDS.get(str(t), str(t)) for t in wanted))
            return path, f"should be {names}, not {_kind_of(error.instance)}"
        return path, "matches none of the forms this field takes"
    return path, f"does not meet the schema's {kind!r} rule"


# Checked in this order: a bool is an int to Python, and not a count here.
_VALUE_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "true or false"), (int, "a whole number"), (float, "a number"), (str, "text"),
    (list, "a list"), (Mapping, "an object"), (type(None), "null"))


def _kind_of(value: Any) -> str:
    return next((name for kind, name in _VALUE_KINDS if isinstance(value, kind)),
                type(value).__name__)
