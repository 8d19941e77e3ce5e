"""The pieces that make `/openapi.json` a document a validator and a generated client accept.

- Nested `$defs` of an input schema (pydantic writes them under the property that
  uses them, with `#/$defs/<Name>` references that resolve nowhere in an OpenAPI
  document) move to `components.schemas` as `<Owner>.<Name>`, references rewritten.
- An optional input may be `null`, which means blank (its default is taken), as the
  runtime reads it; a required one may not.
- A request body is required when the action has a required input.
- Every operation documents its failures as problem details (`Problem`), and the
  health check's 503 as the JSON it is.
"""

from __future__ import annotations

import json
from typing import Any

_DEFS_REF = "#/$defs/"
NULL = {"type": "null"}
PROBLEM = "Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "description": "An RFC 9457 problem, with the fields a flow routes on.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "code": {"type": "string"}, "category": {"type": "string"},
        "retryable": {"type": "boolean"}, "instance": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        "retryAfter": {"type": "number"}, "apiStatus": {"type": "integer"},
    },
}
_PROBLEM_ANSWER = {"description": "A problem (RFC 9457)", "content": {
    "application/problem+json": {"schema": {"$ref": f"#/components/schemas/{PROBLEM}"}}}}
# What each kind of manifest entry answers with on success.
ANSWERS: dict[str, dict[str, Any]] = {
    "": {"type": "object", "required": ["data"], "properties": {"data": {}}},
    "picklist": {"type": "object", "required": ["result"], "properties": {
        "result": {"type": "array", "items": {
            "type": "object", "required": ["label", "key"],
            "properties": {"label": {"type": "string"}, "key": {}}}},
        "truncated": {"type": "boolean"}, "nextPageToken": {"type": "string"}}},
    "trigger": {"type": "object", "required": ["events", "state"], "properties": {
        "events": {"type": "array"}, "state": {"type": "object"}}},
}


def hoist_defs(schema: dict[str, Any], owner: str,
               schemas: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every nested `$defs` moved into `schemas` as `<owner>.<Name>`; a
    group of definitions repeated under several properties is placed once."""
    hoisted: dict[str, Any] = _hoist(schema, owner, schemas, {}, {})
    return hoisted


def _hoist(node: Any, owner: str, schemas: dict[str, Any], scope: dict[str, str],
           placed: dict[str, dict[str, str]]) -> Any:
    if isinstance(node, list):
        return [_hoist(item, owner, schemas, scope, placed) for item in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)  # the manifest's schema, whose parts may be shared, stays as it is
    defs = node.pop("$defs", None)
    if isinstance(defs, dict):
        group = json.dumps(defs, sort_keys=True)
        names = placed.get(group)
        if names is None:
            names = placed[group] = {}
            for name in defs:  # named first: definitions refer to each other
                taken, at = f"{owner}.{name}", 2
                while taken in schemas:
                    taken, at = f"{owner}.{name}_{at}", at + 1
                schemas[taken] = {}
                names[name] = taken
            inner = {**scope, **names}
            for name, body in defs.items():
                schemas[names[name]] = _hoist(body, owner, schemas, inner, placed)
        scope = {**scope, **names}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFS_REF):
        name = ref[len(_DEFS_REF):]
        if name not in scope:
            raise ValueError(f"{owner}: {ref} names no definition")
        node["$ref"] = f"#/components/schemas/{scope[name]}"
    return {key: _hoist(value, owner, schemas, scope, placed) for key, value in node.items()}


def blank_allowed(schema: dict[str, Any]) -> dict[str, Any]:
    """An input schema whose optional inputs also take `null` (blank), and whose required
    inputs do not (blank is missing), whatever the model that made it said."""
    out = dict(schema)
    required = set(schema.get("required", []))
    out["properties"] = {key: _not_null(prop) if key in required else _or_null(prop)
                         for key, prop in schema.get("properties", {}).items()}
    return out


def _not_null(prop: dict[str, Any]) -> dict[str, Any]:
    parts = prop.get("anyOf")
    if not isinstance(parts, list) or NULL not in parts:
        return prop
    rest = [part for part in parts if part != NULL]
    out = {k: v for k, v in prop.items() if k != "anyOf" and not (k == "default" and v is None)}
    if len(rest) == 1 and not set(rest[0]) & set(out):
        return {**rest[0], **out}
    return {**out, "anyOf": rest}


def _or_null(prop: dict[str, Any]) -> dict[str, Any]:
    kept = ("description", "title", "default", "examples")
    inner = {k: v for k, v in prop.items() if k not in kept}
    if NULL in inner.get("anyOf", []):
        return prop
    outer = {k: v for k, v in prop.items() if k in kept}
    parts = inner["anyOf"] if list(inner) == ["anyOf"] else [inner]
    return {"anyOf": [*parts, NULL], **outer}


def request_body(kind: str, ref: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The request body of an entry's own path: `{"inputs"}` (plus `state` for a
    trigger), required when the entry has a required input."""
    needed = bool(schema.get("required"))
    body: dict[str, Any] = {
        "type": "object", "additionalProperties": False,
        "properties": {"inputs": {"$ref": f"#/components/schemas/{ref}"}}}
    if needed:
        body["required"] = ["inputs"]
    if kind == "trigger":
        body["properties"]["state"] = {
            "type": ["object", "null"],
            "description": "The state the previous poll answered; null the first time."}
    return {"required": needed, "content": {"application/json": {"schema": body}}}


def answers(kind: str) -> dict[str, Any]:
    return {"200": {"description": "The answer",
                    "content": {"application/json": {"schema": ANSWERS[kind]}}},
            "default": _PROBLEM_ANSWER}


def document_problems(schema: dict[str, Any]) -> None:
    """Failures as problems on every operation, in place of FastAPI's validation error
    shape (the service answers those as problems too)."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas[PROBLEM] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses.setdefault("default", _PROBLEM_ANSWER)
            if path == "/readyz":
                responses["503"] = {"description": "Still loading, or loading failed",
                                    "content": {"application/json": {"schema": {
                                        "type": "object", "required": ["status"],
                                        "properties": {"status": {"type": "string"}}}}}}
