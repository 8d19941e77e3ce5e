"""Sample input values for any action: declared examples first, else built from the type.

Docs show them, contract and property tests send them, and the simulator walk
runs every action with them.
"""

from __future__ import annotations

from typing import Any

from connector.spec import Action, Input

_SCALARS: dict[str, Any] = {"string": "example", "integer": 1, "number": 1.0,
                            "boolean": True, "any": "example"}


def sample_value(inp: Input) -> Any:
    if inp.example is not None:
        return inp.example
    if inp.default is not None:
        return inp.default
    if inp.choices:
        return inp.choices[0]
    if inp.type in ("object", "array") and isinstance(inp.schema, str):
        from connector.api import catalog
        from connector.api.examples import example_for

        return example_for(catalog.resolve(inp.schema), key=inp.key)
    if inp.type == "object":
        return {}
    if inp.type == "array":
        return [_SCALARS.get(inp.items or "string", "example")]
    if inp.type == "integer" and inp.minimum is not None:
        return inp.minimum
    return _SCALARS.get(inp.type, "example")


def sample_inputs(action: Action, everything: bool = False) -> dict[str, Any]:
    """Values for the inputs a user would fill: required ones and those with an example.

    `everything` fills every wire input (not runtime controls such as region).
    """
    out = {}
    for inp in action.inputs:
        wire = action.where(inp) != "control"
        if inp.required or (wire and (everything or inp.example is not None)):
            out[inp.key] = sample_value(inp)
    return out
