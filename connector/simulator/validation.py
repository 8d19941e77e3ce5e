"""Request checks as the API makes them: the body against the catalogue's model (required
body, required fields, types, enums, unknown keys where the model is closed), query
parameters (required, not empty, enums, times, paging). Every problem found is listed in
one 422, each with the field it is about.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from connector.api.examples import singular
from connector.simulator import catalog, pagination
from connector.simulator.catalog import Operation
from connector.simulator.errors import ApiError, required

_KIND = {"string": "a string", "integer": "a whole number", "number": "a number",
         "boolean": "true or false", "object": "an object", "array": "a list", "null": "null"}
MAX_ERRORS = 50  # a body can be wrong in thousands of places; the first 50 say enough


def _close(node: Any) -> None:
    """Refuse unknown keys in every object model that does not say it takes any."""
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close(value)
    elif isinstance(node, list):
        for item in node:
            _close(item)


@cache
def body_validator(model: str) -> Draft202012Validator:
    closed = copy.deepcopy(catalog.schema(model))
    _close(closed)
    return Draft202012Validator(closed)


def _problems(error: ValidationError, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(field, message) for one jsonschema error; a failed `anyOf` of a nullable field
    speaks of the branch that is not null."""
    def _where(path: Any, name: str | None = None) -> str:
        parts = ([prefix] if prefix else []) + [str(p) for p in path] + ([name] if name else [])
        return ".".join(parts) or "body"

    if error.validator == "required":
        for name in error.validator_value:
            if isinstance(error.instance, dict) and name not in error.instance:
                field = _where(error.absolute_path, name)
                yield field, f'"{field}" is required'
    elif error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        for name in error.instance:
            if name not in known:
                field = _where(error.absolute_path, name)
                yield field, f'"{field}" is not allowed'
    elif error.validator == "anyOf":
        branches = [b for b in error.validator_value if b.get("type") != "null"]
        real = [e for e in error.context or () if e.schema.get("type") != "null"]
        if len(branches) == 1 and real:
            for sub in real:
                yield from _problems(sub, prefix)
        else:
            field = _where(error.absolute_path)
            yield field, f'"{field}" matches none of its allowed forms'
    elif error.validator == "type":
        field = _where(error.absolute_path)
        kinds = error.validator_value
        kinds = [kinds] if isinstance(kinds, str) else kinds
        yield field, f'"{field}" must be ' + " or ".join(_KIND.get(k, k) for k in kinds)
    elif error.validator == "enum":
        field = _where(error.absolute_path)
        yield field, f'"{field}" must be one of ' + ", ".join(map(str, error.validator_value))
    else:
        field = _where(error.absolute_path)
        yield field, f'"{field}" is invalid ({error.validator} {error.validator_value!r})'


def validation_error(problems: list[tuple[str, str]]) -> ApiError:
    """One 422 that names every problem."""
    items = [{"type": "input-validation", "message": message, "field": field}
             for field, message in problems[:MAX_ERRORS]]
    return ApiError.listing(422, items)


def problems_in(model: str, value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(field, message) for every way `value` breaks the closed `model`, fields under
    `prefix`."""
    problems: list[tuple[str, str]] = []
    for error in sorted(body_validator(model).iter_errors(value),
                        key=lambda e: [str(p) for p in e.absolute_path]):
        for problem in _problems(error, prefix):
            if problem not in problems:
                problems.append(problem)
    return problems


def check_body(op: Operation, body: Any) -> Any:
    """The body to hand on ({} when absent and optional), with the nulls that mean "not
    given" left out; 422 listing every problem."""
    if op.body_model is None:
        return body
    if body is None:
        if op.body_required:
            raise ApiError(422, "input-validation", "A request body is required", field="body")
        body = {}
    problems = problems_in(op.body_model, body)
    if problems:
        raise validation_error(problems)
    schema = catalog.schema(op.body_model)
    return _without_nulls(schema, schema, body)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):  # before int: True is an int to Python
        return "boolean"
    return _JSON_TYPES.get(type(value), "null")


_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "integer", float: "number"}
_PLAIN = frozenset({"type", "title", "description", "default"})  # keys that check no more


def _may_take(branch: dict[str, Any], value: Any) -> bool:
    """Whether a union's branch may hold `value` by its type alone (never its null one)."""
    declared = branch.get("type")
    if declared == "null":
        return False
    if declared is None:  # a $ref, a nested union or anything: only validation tells
        return True
    kinds = [declared] if isinstance(declared, str) else declared
    kind = _json_type(value)
    return kind in kinds or (kind == "integer" and "number" in kinds)


def _resolve(root: dict[str, Any], node: dict[str, Any], value: Any) -> dict[str, Any]:
    """Through $refs and anyOf (the branch `value` fits) to the model `value` is."""
    for _ in range(32):
        if "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in node:
            # Most unions are `X or null`: the value's JSON type picks the branch; only
            # where several branches take that type is one validated.
            kinds = [b for b in node["anyOf"] if _may_take(b, value)]
            plain = all(set(b) <= _PLAIN for b in kinds)  # `number or integer`: same node
            fits = kinds if len(kinds) < 2 or plain else [
                b for b in kinds
                if Draft202012Validator({**b, "$defs": root.get("$defs", {})}).is_valid(value)]
            if not fits:
                return {}
            node = fits[0]
        else:
            return node
    return {}


def _without_nulls(root: dict[str, Any], node: dict[str, Any], value: Any) -> Any:
    """`value` without the nulls sent for optional fields of closed models: the API takes
    them for "not given" and never answers a null there. Open objects (settings) keep
    theirs: there a null removes a key."""
    node = _resolve(root, node, value)
    if isinstance(value, dict) and "properties" in node:
        props, needed = node["properties"], set(node.get("required", ()))
        return {k: _without_nulls(root, props[k], v) if k in props else v
                for k, v in value.items() if v is not None or k in needed or k not in props}
    if isinstance(value, list) and isinstance(node.get("items"), dict):
        return [_without_nulls(root, node["items"], item) for item in value]
    return value


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
def _catalogue_enum(name: str) -> frozenset[str]:
    """The enum the catalogue's response models give a field `name`, if they all agree."""
    seen: set[frozenset[str]] = set()
    for op in catalog.operations().values():
        found: set[str] = set()
        _enums_named(catalog.schema(op.response_model), name, found)
        if found:
            seen.add(frozenset(found))
    return seen.pop() if len(seen) == 1 else frozenset()


@cache
def query_enums(op_id: str) -> dict[str, frozenset[str]]:
    """Query parameters whose field a response model echoes with an enum: the catalogue
    gives query parameters none, so that model's enum is the API's (`granularity`). The
    operation's own model first; when it has no field of that name, the one enum the whole
    catalogue has for it."""
    op = catalog.operations()[op_id]
    out = {}
    for param in op.query:
        found: set[str] = set()
        for name in {param["name"], singular(param["name"])}:  # regulationTypes: each a type
            _enums_named(catalog.schema(op.response_model), name, found)
        own = json.dumps(catalog.schema(op.response_model))
        if not found and f'"{param["name"]}":' not in own:  # the model has no such field
            found = set(_catalogue_enum(param["name"]))
        if found:
            out[param["name"]] = frozenset(found)
    return out


def _is_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return "T" in text.upper() or len(text) == 10


def check_query(op: Operation, query: pagination.Query) -> None:
    """422 listing every missing, empty or invalid query parameter."""
    enums = query_enums(op.op_id)
    problems: list[tuple[str, str]] = []
    for param in op.query:
        name = param["name"]
        present = name in query or any(k.startswith((name + ".", name + "[")) for k in query)
        values = query.get(name, [])
        if param["required"] and not present:
            problems.append((name, required(name).errors[0]["message"]))
            continue
        if "Pagination" in param["model"]:
            if present:
                try:
                    pagination.parse(query, name, pagination.numeric_cursor(param["model"]))
                except ApiError as error:
                    problems += [(e["field"], e["message"]) for e in error.errors]
            continue
        if any(value == "" for value in values):
            problems.append((name, f'"{name}" must not be empty'))
            continue
        allowed = enums.get(name)
        if allowed and any(value not in allowed for value in values):
            problems.append((name, f'"{name}" must be one of {", ".join(sorted(allowed))}'))
        elif name.endswith("Time") and not all(_is_time(value) for value in values):
            problems.append((name, f'"{name}" must be an ISO-8601 date-time'))
    if problems:
        raise validation_error(problems)
