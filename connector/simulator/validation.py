"""Request checks the catalogue allows: body schema, required query parameters, paging."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jsonschema.exceptions import best_match

from connector.api.examples import singular
from connector.simulator import catalog, pagination
from connector.simulator.catalog import Operation
from connector.simulator.errors import ApiError, invalid, required

_MISSING = re.compile(r"'(.+)' is a required property")


def check_body(op: Operation, body: Any) -> Any:
    """The body to hand on ({} when absent); 422 naming the first bad field."""
    if op.body_model is None:
        return body
    if body is None:
        body = {}
    error = best_match(catalog.validator(op.body_model).iter_errors(body))
    if error is None:
        return body
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        match = _MISSING.search(error.message)
        name = match.group(1) if match else "body"
        raise required(f"{path}.{name}" if path else name)
    field = path or "body"
    raise ApiError(422, "input-validation", f'"{field}" is invalid: {error.validator} '
                   f"{error.validator_value!r} not satisfied", field=field)


def _enums_named(node: Any, name: str, found: set[str]) -> None:
    """The enum members of every property `name` in a schema (arrays' items too)."""
    if isinstance(node, dict):
        prop = (node.get("properties") or {}).get(name)
        if isinstance(prop, dict):
            for form in (prop, *prop.get("anyOf", ()), prop.get("items") or {}):
                found.update(form.get("enum", ()))
        for key, value in node.items():
            _enums_named(list(value.values()) if key == "properties" else value, name, found)
    elif isinstance(node, list):
        for item in node:
            _enums_named(item, name, found)


@cache
def query_enums(op_id: str) -> dict[str, frozenset[str]]:
    """Query parameters whose field the response model echoes with an enum: the catalogue
    gives query parameters none, so that model's enum is the API's (`granularity`)."""
    op = catalog.operations()[op_id]
    out = {}
    for param in op.query:
        found: set[str] = set()
        for name in {param["name"], singular(param["name"])}:  # regulationTypes: each a type
            _enums_named(catalog.schema(op.response_model), name, found)
        if found:
            out[param["name"]] = frozenset(found)
    return out


def check_query(op: Operation, query: pagination.Query) -> None:
    enums = query_enums(op.op_id)
    for param in op.query:
        name = param["name"]
        present = name in query or any(k.startswith((name + ".", name + "[")) for k in query)
        if param["required"] and not present:
            raise required(name)
        if present and "Pagination" in param["model"]:
            pagination.parse(query, name, pagination.numeric_cursor(param["model"]))
        allowed = enums.get(name, frozenset())
        for value in query.get(name, []) if allowed else []:
            if value not in allowed:
                raise invalid(name, f'"{name}" must be one of {", ".join(sorted(allowed))}')
