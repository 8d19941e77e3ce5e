"""The official Python SDK (segment-public-api 73.2.0, strict pydantic models) parses the
simulator's answer to every one of the 201 operations.

Each operation is called through the SDK's own method for its operationId, with
arguments built from the catalogue's parameters and the action's example inputs
(parent ids swapped for ones the simulator holds). The SDK is a client nobody on this
project wrote: its models raise on any value off the API's schema (enums, unions,
required fields, strict types), so an answer it parses is one the real service could
have given.
"""

from __future__ import annotations

import inspect
import json
import os
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from connector.api import catalog as api_catalog
from connector.api.examples import example_for
from connector.registry import Registry
from connector.request import build
from connector.samples import sample_inputs
from connector.simulator import Simulator, catalog
from connector.simulator.scenario import CLEANUP, KINESIS, LABEL, MEMBER, PERMS, Walk, order
from connector.spec import Action

WHEEL = "../shared/clients/segment_public_api-73.2.0-py3-none-any.whl"
try:
    import segment_public_api
    import segment_public_api.api
    from pydantic import BaseModel, ValidationError
    from segment_public_api.exceptions import ApiException
except ImportError:
    if os.environ.get("CI"):
        # .ci/run installs the SDK: there a missing SDK is a broken set-up, not a reason to skip.
        pytest.fail(f"CI is set but the official SDK is not installed (pip install {WHEEL})",
                    pytrace=False)
    pytest.skip(f"the official SDK is not installed (pip install {WHEEL})",
                allow_module_level=True)

REGISTRY = Registry.load(installed=False)
OPERATIONS = api_catalog.operations()


def _flat(name: str) -> str:
    """`listSourcesCatalog`, `list_sources_catalog` -> `listsourcescatalog` (acronyms too)."""
    return name.replace("_", "").lower()


def sdk_methods() -> dict[str, tuple[type, str]]:
    """operationId (flattened) -> (the SDK's *Api class, its snake_case method)."""
    out: dict[str, tuple[type, str]] = {}
    for name, cls in vars(segment_public_api.api).items():
        if not (name.endswith("Api") and inspect.isclass(cls)):
            continue
        for method in vars(cls):
            if not method.startswith("_") and not method.endswith(
                    ("_with_http_info", "_without_preload_content")):
                out[_flat(method)] = (cls, method)
    return out


def _coerce(hint: Any, value: Any) -> Any:
    """A JSON value as the SDK's parameter type wants it: models through `from_dict`."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
        origin = typing.get_origin(hint)
    if inspect.isclass(hint) and issubclass(hint, BaseModel):
        return hint.from_dict(value)  # type: ignore[attr-defined]
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_coerce(item, v) for v in (value if isinstance(value, list) else [value])]
    if hint is str and not isinstance(value, str):
        return json.dumps(value) if isinstance(value, dict | list) else str(value)
    if hint is float and isinstance(value, int):
        return float(value)
    return value


def _query_value(action: Action, name: str, values: dict[str, Any]) -> Any:
    """The value of query parameter `name`: a scalar or list input, or the object its
    dotted inputs (`pagination.count`) make."""
    obj: dict[str, Any] = {}
    for inp in action.inputs:
        if inp.key not in values or action.where(inp) != "query":
            continue
        if inp.wire_name == name:
            return values[inp.key]
        if inp.wire_name.startswith(name + "."):
            obj[inp.wire_name[len(name) + 1:]] = values[inp.key]
    return obj or None


# Inputs the simulator would refuse as given by the examples (unknown catalog entries,
# labels, roles, versions, invites): the walk's known values instead.
def _overrides(walk: Walk, op_id: str) -> dict[str, Any]:
    walk.serial += 1
    if op_id == "restoreFunctionVersion":
        return {"versionId": walk.path_value(catalog.operations()[op_id], "versionId")}
    table: dict[str, dict[str, Any]] = {
        "createSource": {"slug": f"sdk-{walk.serial}"},
        "createDestination": {"metadataId": KINESIS},
        "deleteInvites": {"emails": ["invitee@example.com"]},
        "deleteUsers": {"userIds": [MEMBER]},
        "addLabelsToSource": {"labels": [LABEL]},
        "replaceLabelsInSource": {"labels": [LABEL]},
        "createLabel": {"label": {"key": "sdk", "value": str(walk.serial)}},
        "createInvites": {"invites": [{"email": "invitee@example.com", "permissions": PERMS}]},
        "addPermissionsToUser": {"permissions": PERMS},
        "replacePermissionsForUser": {"permissions": PERMS},
        "addPermissionsToUserGroup": {"permissions": PERMS},
        "replacePermissionsForUserGroup": {"permissions": PERMS},
    }
    return table.get(op_id, {})


def arguments(walk: Walk, op_id: str, hints: dict[str, Any]) -> tuple[dict[str, Any],
                                                                       dict[str, str]]:
    """Keyword arguments of the SDK method for `op_id`, and the path's ids."""
    op, sim_op, action = OPERATIONS[op_id], catalog.operations()[op_id], REGISTRY.action(op_id)
    values = sample_inputs(action)
    path_ids: dict[str, str] = {}
    for inp in action.inputs:
        where = action.where(inp)
        if where == "path":
            values[inp.key] = path_ids[inp.wire_name] = walk.path_value(sim_op, inp.wire_name)
        elif where in ("query", "body") and inp.key in values and inp.key in walk.ids:
            values[inp.key] = walk.ids[inp.key]  # a parent the simulator holds
        elif where == "query" and inp.required and inp.key in ("sourceId", "functionId"):
            values[inp.key] = walk.query_value(inp.key)
    for inp in action.inputs:
        # An example the catalogue's schema refuses (test_manifest names it) would be
        # refused by the SDK before anything is sent: a synthesised one instead.
        if inp.key in values and isinstance(inp.schema, str):
            schema = api_catalog.resolve(inp.schema)
            if not Draft202012Validator(schema).is_valid(values[inp.key]):
                values[inp.key] = example_for(schema, key=inp.key)
    for key, value in _overrides(walk, op_id).items():
        if any(i.key == key for i in action.inputs):
            values[key] = value
    by_flat = {_flat(name): name for name in hints if not name.startswith("_")}
    kwargs: dict[str, Any] = {}
    for param in op["params"]:
        if param["in"] == "body":
            continue
        sdk_name = by_flat[_flat(param["name"])]
        value = path_ids[param["name"]] if param["in"] == "path" else \
            _query_value(action, param["name"], values)
        if value is not None:
            kwargs[sdk_name] = _coerce(hints[sdk_name], value)
    body_params = [n for n in by_flat.values() if n not in kwargs and n != "return"
                   and not any(_flat(p["name"]) == _flat(n) for p in op["params"]
                               if p["in"] != "body")]
    if body_params:
        (body_name,) = body_params
        body = build(action, values, "", None).json_body or {}
        kwargs[body_name] = _coerce(hints[body_name], body)
    return kwargs, path_ids


# Keys that hold the id of what a create made: `data.<object>.id`, `data.regulateId`,
# `data.reverseETLManualSync.syncId`.
CREATED_ID_KEYS = ("id", "regulateId", "syncId")
# Creates that make no object with an id of its own: a download link, a deployment,
# invitations (emails), a label (key and value), a validation. createWriteKeyForSource
# answers the source it added a key to, whose id is the path's by design.
NO_NEW_ID = frozenset({"createDownload", "createFunctionDeployment", "createInvites",
                       "createLabel", "createValidationInWarehouse", "createWriteKeyForSource"})
CREATES = sorted(o for o in OPERATIONS if o.startswith("create"))


def _ids(data: Any) -> Iterator[str]:
    """Ids of what a create made: under `data` or one level down (lists too)."""
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if key in CREATED_ID_KEYS and isinstance(value, str):
            yield value
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                yield from (item[k] for k in CREATED_ID_KEYS if isinstance(item.get(k), str))


def run_all(sim: Simulator) -> tuple[dict[str, str], dict[str, tuple[list[str], list[str]]]]:
    """Call every operation through the SDK: failures by operationId, and for creates the
    ids of what was made and the ids of the path."""
    config = segment_public_api.Configuration(host=sim.base_url, access_token=sim.token)
    client = segment_public_api.ApiClient(config)
    methods = sdk_methods()
    walk = Walk(sim)
    walk.setup()
    failures: dict[str, str] = {}
    created: dict[str, tuple[list[str], list[str]]] = {}
    for op_id in order():
        cls, name = methods[_flat(op_id)]
        call: Callable[..., Any] = getattr(cls(client), name + "_with_http_info")
        hints = typing.get_type_hints(call)
        try:
            kwargs, path_ids = arguments(walk, op_id, hints)
            answer = call(**kwargs)
        except (ApiException, ValidationError, ValueError, TypeError) as exc:
            failures[op_id] = f"{type(exc).__name__}: {str(exc)[:300]}"
            continue
        status = catalog.operations()[op_id].status
        if answer.status_code != status or answer.data is None:
            failures[op_id] = f"status {answer.status_code}, parsed {answer.data!r:.100}"
            continue
        data = json.loads(answer.raw_data)["data"]
        if op_id in CREATES:
            created[op_id] = (list(_ids(data)), list(path_ids.values()))
        if op_id in CLEANUP:
            undo, param, key = CLEANUP[op_id]
            assert walk.call(undo, params={param: data[key]["id"]}).status_code == 200
    return failures, created


@pytest.fixture(scope="module")
def outcome() -> Iterator[tuple[dict[str, str], dict[str, tuple[list[str], list[str]]]]]:
    with Simulator(seed=5) as sim:
        yield run_all(sim)


def test_every_operation_has_an_sdk_method() -> None:
    methods = sdk_methods()
    assert len(OPERATIONS) == 201
    assert [op_id for op_id in OPERATIONS if _flat(op_id) not in methods] == []


def test_the_sdk_parses_every_answer(outcome: Any) -> None:
    failures, _ = outcome
    lines = [f"{op_id}: {why}" for op_id, why in sorted(failures.items())]
    assert not failures, (f"{len(OPERATIONS) - len(failures)} of {len(OPERATIONS)} parsed; "
                          "not parsed:\n" + "\n".join(lines))


@pytest.mark.parametrize("op_id", CREATES)
def test_a_create_answers_a_fresh_id_not_its_parents(op_id: str, outcome: Any) -> None:
    failures, created = outcome
    if op_id in failures:
        pytest.fail(f"{op_id} did not parse: {failures[op_id]}")
    if op_id in NO_NEW_ID:
        return
    made, path = created[op_id]
    assert made, f"{op_id} answers no object with an id"
    assert not set(made) & set(path), f"{op_id} answers an id from its request path {path}"
