"""Input validation with pydantic-core, built lazily once per action and cached.

pydantic-core is pydantic's own validation engine; using its schemas directly
keeps start-up at the cost of importing pydantic, where building a model
class per action at import time would not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from pydantic_core import PydanticCustomError, SchemaValidator, ValidationError, core_schema

from connector import nested
from connector.errors import InputError
from connector.spec import Input

# Deeper than any payload of the API, well inside what json and the runtime can
# encode without hitting Python's recursion limit.
MAX_DEPTH = 100


def _integral(value: Any) -> Any:
    # Strict integers, but 10.0 is the same JSON number as 10 (JavaScript engines
    # send it); a boolean is not a count, though Python would take True as 1.
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "should be a whole number, not a boolean "
                                  "({value})", {"value": json.dumps(value)})
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise PydanticCustomError("int_from_float", "should be a whole number, not {value}",
                                  {"value": value})
    if isinstance(value, str):
        # Form-based flow builders hand every field over as text: "10" is a count.
        try:
            return int(value.strip())
        except ValueError:
            raise PydanticCustomError("int_type", "should be a whole number, not the text "
                                      "{value}", {"value": repr(value)}) from None
    return value


def _numeric(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("float_type", "should be a number, not a boolean ({value})",
                                  {"value": json.dumps(value)})
    if isinstance(value, str):
        try:
            return float(value.strip())  # text from a form; inf and nan are refused below
        except ValueError:
            raise PydanticCustomError("float_type", "should be a number, not the text "
                                      "{value}", {"value": repr(value)}) from None
    return value


def _integer_schema(ge: int | None = None, le: int | None = None) -> core_schema.CoreSchema:
    return core_schema.no_info_before_validator_function(
        _integral, core_schema.int_schema(strict=True, ge=ge, le=le))


def _number_schema() -> core_schema.CoreSchema:
    return core_schema.no_info_before_validator_function(
        _numeric, core_schema.float_schema(strict=True, allow_inf_nan=False))


_SCALARS: dict[str, Callable[[], core_schema.CoreSchema]] = {
    "string": core_schema.str_schema,
    "integer": _integer_schema,
    "number": _number_schema,
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
        except RecursionError:
            raise PydanticCustomError("json_too_deep", "is nested too deeply to read as "
                                      "JSON") from None
    return value


def _schema_for(inp: Input) -> core_schema.CoreSchema:
    if inp.type == "array":
        # The catalogue's enum of an array input restricts its elements.
        item = (core_schema.literal_schema(list(inp.choices)) if inp.choices
                else _scalar(inp.items or "any"))
        return core_schema.no_info_before_validator_function(
            _decode_json_text, core_schema.list_schema(item))
    if inp.choices:
        return core_schema.literal_schema(list(inp.choices))
    if inp.type == "integer":
        return _integer_schema(ge=inp.minimum, le=inp.maximum)
    if inp.type == "object":
        return core_schema.no_info_before_validator_function(
            _decode_json_text, core_schema.dict_schema(core_schema.str_schema()))
    if inp.type == "string" and inp.required:
        # An empty id would change the path (`/sources/` lists instead of getting).
        return core_schema.str_schema(min_length=1)
    return _scalar(inp.type)


def _scalar(name: str) -> core_schema.CoreSchema:
    make = _SCALARS.get(name)
    return make() if make is not None else core_schema.any_schema()


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


def is_blank(inp: Input, value: Any) -> bool:
    """Left blank: None, or empty text where empty text is no value (a number, a choice)."""
    if value is None:
        return True
    return value == "" and (inp.type != "string" or (bool(inp.choices) and "" not in inp.choices))


def validate(inputs: tuple[Input, ...], values: Mapping[str, Any],
             action: str | None = None) -> dict[str, Any]:
    """Defaults filled in, blanks dropped, types checked; InputError names every bad field.

    Structured values are checked against their schema too (`connector.nested`),
    a problem inside one named by its path (`label.value`).

    A blank input takes its default, whatever it is: the manifest's `default` is
    exactly what is sent. Templates the user edits are `placeholder`s, never sent.
    """
    values = as_inputs(values, action)
    data: dict[str, Any] = {}
    for inp in inputs:
        value = values.get(inp.key)
        if is_blank(inp, value):
            if inp.default is not None:
                data[inp.key] = inp.default
        else:
            data[inp.key] = value
    # Names no input declares, so that the validator reports them.
    declared = {inp.key for inp in inputs}
    data.update({k: v for k, v in values.items() if k not in declared and v is not None})
    # Before pydantic, whose message for a lone surrogate does not say where it is.
    problems = _text_problems(data)
    try:
        clean: dict[str, Any] = validator_for(inputs).validate_python(data)
    except ValidationError as exc:
        known = [inp.key for inp in inputs]
        for err in exc.errors(include_url=False, include_input=False):
            problems.setdefault(_field_of(err["loc"]), _message(err, known))
        raise InputError(problems, action) from None
    if problems:
        raise InputError(problems, action)
    # Objects and lists given as JSON text are only seen once decoded.
    decoded = {k: v for k, v in clean.items() if isinstance(data.get(k), str | bytes)
               and not isinstance(v, str | bytes)}
    problems = _text_problems(decoded) or nested.problems(inputs, clean)
    if problems:
        raise InputError(problems, action)
    return clean


def _message(err: Any, known: list[str]) -> str:
    if err["type"] == "missing":
        return "is required"
    if err["type"] == "extra_forbidden":
        import difflib  # deferred: only a misspelt name needs it

        close = difflib.get_close_matches(str(err["loc"][-1]), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"is not an input of this action{hint}"
    # Only the first letter: the rest may quote the user or the API ('GET', 'sourceId').
    msg = str(err["msg"]).rstrip(".")
    return msg[:1].lower() + msg[1:]


def _text_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Strings that cannot go on the wire as UTF-8, and nesting too deep to encode.

    Lone surrogates come from undecodable bytes in a command line or a `\\ud800`
    escape in JSON; they would fail deep inside the HTTP layer instead of here.
    """
    problems: dict[str, str] = {}
    # Iterative: the point is to refuse deep nesting, not to overflow on it.
    # Entries: (input key, path inside it, value, depth).
    stack: list[tuple[str, str, Any, int]] = [(k, "", v, 1) for k, v in values.items()]
    while stack:
        field, path, value, depth = stack.pop()
        if field in problems:
            continue
        where = f"at {path[1:]}: " if path else ""
        if isinstance(value, str):
            bad = _unencodable(value)
            if bad is not None:
                problems[field] = where + bad
        elif depth > MAX_DEPTH:
            problems[field] = f"is nested more than {MAX_DEPTH} levels deep"
        elif isinstance(value, Mapping):
            for key, item in value.items():
                bad = _unencodable(key) if isinstance(key, str) else None
                if bad is not None:
                    problems[field] = f"{where}a key {bad}"
                    break
                stack.append((field, f"{path}.{key}", item, depth + 1))
        elif isinstance(value, list | tuple):
            stack.extend((field, f"{path}.{i}", item, depth + 1)
                         for i, item in enumerate(value))
    return problems


def _unencodable(text: str) -> str | None:
    if text.isascii():  # the common case, and cheap
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = text[exc.start]
        return (f"contains {char!a} at position {exc.start}, which cannot be encoded "
                "as UTF-8 (a lone surrogate: undecodable bytes or a broken \\u escape)")
    return None
