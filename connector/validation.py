"""Input validation with pydantic-core, built lazily once per action and cached.

pydantic-core is pydantic's own validation engine; using its schemas directly
keeps start-up at the cost of importing pydantic, where building a model
class per action at import time would not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pydantic_core import SchemaValidator, ValidationError, core_schema

from connector.errors import InputError
from connector.spec import Input

_SCALARS = {
    "string": core_schema.str_schema,
    "integer": core_schema.int_schema,
    "number": core_schema.float_schema,
    "boolean": core_schema.bool_schema,
    "any": core_schema.any_schema,
}


def _decode_json_text(value: Any) -> Any:
    # Flow engines and the CLI often hand over objects and lists as JSON text.
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _schema_for(inp: Input) -> core_schema.CoreSchema:
    if inp.choices:
        return core_schema.literal_schema(list(inp.choices))
    if inp.type == "integer":
        return core_schema.int_schema(ge=inp.minimum, le=inp.maximum)
    if inp.type == "object":
        return core_schema.no_info_before_validator_function(
            _decode_json_text, core_schema.dict_schema(core_schema.str_schema()))
    if inp.type == "array":
        item = _SCALARS.get(inp.items or "any", core_schema.any_schema)()
        return core_schema.no_info_before_validator_function(
            _decode_json_text, core_schema.list_schema(item))
    if inp.type == "string" and inp.required:
        # An empty id would change the path (`/sources/` lists instead of getting).
        return core_schema.str_schema(min_length=1)
    return _SCALARS.get(inp.type, core_schema.any_schema)()


@lru_cache(maxsize=512)
def validator_for(inputs: tuple[Input, ...]) -> SchemaValidator:
    fields = {
        inp.key: core_schema.typed_dict_field(_schema_for(inp), required=inp.required)
        for inp in inputs
    }
    return SchemaValidator(core_schema.typed_dict_schema(fields, extra_behavior="forbid"))


def _field_of(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "input"


def as_inputs(values: Any, action: str | None = None) -> dict[str, Any]:
    """A copy of `values` as an input mapping (None: no inputs); anything else is an InputError.

    Flow engines hand over whatever JSON they hold; only an object names inputs.
    """
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise InputError({"input": "must be an object of input names to values"}, action)
    return dict(values)


def validate(inputs: tuple[Input, ...], values: Mapping[str, Any],
             action: str | None = None) -> dict[str, Any]:
    """Defaults filled in, blanks dropped, types checked; InputError names every bad field."""
    values = as_inputs(values, action)
    data: dict[str, Any] = {}
    for inp in inputs:
        value = values.get(inp.key)
        if value is None or (value == "" and inp.type != "string"):
            # A list or object default is a template for the user to edit (the
            # seeds' `["000xxx"]`); sending it unasked could overwrite real data.
            if inp.default is not None and not isinstance(inp.default, list | dict):
                data[inp.key] = inp.default
        else:
            data[inp.key] = value
    data.update({k: v for k, v in values.items() if k not in data and v is not None})
    try:
        return validator_for(inputs).validate_python(data)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for err in exc.errors(include_url=False, include_input=False):
            problems.setdefault(_field_of(err["loc"]), _message(err))
        raise InputError(problems, action) from None


def _message(err: Any) -> str:
    if err["type"] == "missing":
        return "is required"
    if err["type"] == "extra_forbidden":
        return "is not an input of this action"
    return str(err["msg"]).rstrip(".").lower()
