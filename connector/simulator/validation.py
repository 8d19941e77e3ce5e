"""Request checks the catalogue allows: body schema, required query parameters, paging."""

from __future__ import annotations

import re
from typing import Any

from jsonschema.exceptions import best_match

from connector.simulator import catalog, pagination
from connector.simulator.catalog import Operation
from connector.simulator.errors import ApiError, required

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


def check_query(op: Operation, query: pagination.Query) -> None:
    for param in op.query:
        name = param["name"]
        present = name in query or any(k.startswith((name + ".", name + "[")) for k in query)
        if param["required"] and not present:
            raise required(name)
        if present and "Pagination" in param["model"]:
            pagination.parse(query, name, pagination.numeric_cursor(param["model"]))
