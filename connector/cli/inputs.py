"""Inputs from the command line: `--input name=value` pairs and `--input-json FILE`.

Strings are taken as typed; other declared types are read as JSON. A file that
cannot be read, bad JSON or a repeated name is an InputError naming the option.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connector.errors import InputError
from connector.spec import Input

_KIND_HINTS = {
    "integer": "give a whole number, e.g. 10",
    "number": "give a number, e.g. 1.5",
    "boolean": "give true or false",
    "object": 'give a JSON object, e.g. {"name": "value"}',
    "array": 'give a JSON array, e.g. ["a", "b"]',
}


def parse_inputs(pairs: Sequence[str], json_file: str | None,
                 declared: tuple[Input, ...], action: str | None = None) -> dict[str, Any]:
    """`--input-json FILE` (or `-` for stdin) first, then `--input name=value` pairs."""
    values: dict[str, Any] = {}
    if json_file:
        loaded = _read_json(json_file, "--input-json", action)
        if not isinstance(loaded, dict):
            raise InputError({"--input-json": "must hold a JSON object of input names to "
                              f"values, not {_json_kind(loaded)}"}, action)
        values.update(loaded)
    types = {inp.key: inp.type for inp in declared}
    given: set[str] = set()
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise InputError({"--input": f"expected name=value, got {pair!r}"}, action)
        if name in given:  # the second would silently win: say so instead
            raise InputError({"--input": f"{name!r} is given more than once"}, action)
        given.add(name)
        values[name] = _typed(name, raw, types.get(name, "string"), action)
    return values


def _typed(name: str, raw: str, kind: str, action: str | None) -> Any:
    # Strings stay as typed; other kinds take JSON (`count=10`, `settings={"a":1}`).
    if kind == "string" or raw == "":  # blank: the input's default
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        if kind == "any":  # text is a fine value of an input of any type
            return raw
        hint = _KIND_HINTS.get(kind, "give JSON")
        raise InputError({name: f"not valid JSON ({_where_in_json(exc)}); {hint}"},
                         action) from None
    except RecursionError:
        raise InputError({name: "is nested too deeply to read as JSON"}, action) from None


def _where_in_json(exc: json.JSONDecodeError) -> str:
    return f"{exc.msg} at line {exc.lineno} column {exc.colno}"


def _json_kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


def _read_json(path: str, option: str, action: str | None) -> Any:
    text = _read_text(path, option, action)
    where = "stdin" if path == "-" else path
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError({option: f"{where} is not valid JSON: {_where_in_json(exc)}"},
                         action) from None
    except RecursionError:
        raise InputError({option: f"{where} is nested too deeply to read as JSON"},
                         action) from None


def _read_text(path: str, option: str, action: str | None) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError({option: unreadable(path, exc)}, action) from None


def unreadable(path: str, exc: OSError | UnicodeDecodeError) -> str:
    """Why a file given on the command line cannot be read, in words."""
    where = "stdin" if path == "-" else path
    if isinstance(exc, UnicodeDecodeError):
        return f"{where} is not UTF-8 text (byte {exc.start} cannot be decoded)"
    if isinstance(exc, FileNotFoundError):
        return f"no such file: {where}"
    if isinstance(exc, IsADirectoryError):
        return f"{where} is a directory, not a file"
    if isinstance(exc, PermissionError):
        return f"cannot read {where}: permission denied"
    return f"cannot read {where}: {exc.strerror or exc}"
