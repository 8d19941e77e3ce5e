"""Schema-made answers for operations without a stateful handler.

The answer fits the operation's response model (enums, unions and all) and agrees
with the request: ids the path names come back as sent, fields the body (or query)
sent come back where the model has them, and what a create makes has a fresh id of
its own family.

Every id the path names must exist (connector.simulator.records): what such a create
makes is kept, a get answers the record, an update changes and keeps it, a listing
lists the owner's records, a delete removes it with its children; an id never made or
already deleted answers 404.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from connector.api.examples import singular
from connector.simulator import catalog, pagination, records
from connector.simulator.catalog import Operation
from connector.simulator.errors import not_found
from connector.simulator.handlers import Ctx
from connector.simulator.schemagen import Context

# Operations that make something: the objects of their answer get fresh ids.
_CREATES = re.compile(r"^(create|add)[A-Z]")


def _keep(ctx: Ctx, schema: dict[str, Any], made: Context, data: dict[str, Any],
          stored: dict[str, Any] | None) -> None:
    """Keep what a create made, an update changed, forget what a delete removed; list the
    owner's records."""
    created = records.created_family(ctx.op)
    named = records.named_family(ctx.op)
    listed = records.listed_family(ctx.op)
    if created is not None:
        ident = records.made_id(created, data)
        obj = data.get(created.key)
        if ident is not None:
            kept = obj if isinstance(obj, dict) else {**made.sent, "id": ident}
            records.keep(ctx.state, created, ident, kept, ctx.op, ctx.params, ctx.body)
    elif named is not None and stored is not None:
        if ctx.op.method == "DELETE":
            records.delete(ctx.state, named, records.keys(ctx.op, ctx.params)[named.name])
        elif ctx.op.method in ("PATCH", "PUT") and made.named:
            obj = data.get(made.named[0])
            if isinstance(obj, dict):
                with ctx.state.lock:
                    stored.update(copy.deepcopy(obj))
    elif listed is not None and ctx.op.method == "GET":
        rows = records.listed(ctx.state, listed, ctx.op, ctx.params)
        model = _data_model(schema)["properties"]
        for key, value in data.items():
            node = _model(schema, model[key])
            if isinstance(value, list) and isinstance(node.get("items"), dict):
                data[key] = [ctx.gen.item(schema, node["items"], key, row, made)
                             for row in rows]
                break


def _camel(segment: str) -> str:
    """`computed-traits` -> `computedTraits`."""
    head, *rest = segment.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def named_resource(op: Operation, params: dict[str, str]) -> tuple[str, str] | None:
    """(family, id) of the object a path ends at: `/spaces/{spaceId}/audiences/{id}` ->
    ("audience", id); None when the path ends at a collection or action."""
    parts = op.path.strip("/").split("/")
    last = parts[-1]
    if not (last.startswith("{") and len(parts) > 1):
        return None
    name = last[1:-1]
    if name == "id":
        return singular(_camel(parts[-2])), params[name]
    if name.endswith("Id"):
        return name[:-2], params[name]
    return None


def _same_family(key: str, family: str) -> bool:
    key, family = key.lower(), family.lower()
    return key.endswith(family) or family.endswith(key)


def sent_fields(ctx: Ctx) -> dict[str, Any]:
    """What the request sent that an answer may echo: body fields, the fields of objects
    the body wraps (`{"input": {...}}`), then query values (arrays as lists)."""
    out: dict[str, Any] = {}
    body = ctx.body if isinstance(ctx.body, dict) else {}
    for value in body.values():
        if isinstance(value, dict):
            out.update(value)
    out.update(body)
    for param in ctx.op.query:
        name = param["name"]
        if name in ctx.query and name not in out and "Pagination" not in param["model"]:
            values = ctx.query[name]
            out[name] = values if param.get("array_format") == "multi" else values[-1]
    return out


def context(ctx: Ctx, data_keys: list[str]) -> Context:
    known = {name: value for name, value in ctx.params.items() if name.endswith("Id")}
    known.setdefault("workspaceId", ctx.state.workspace["id"])
    creates = ctx.op.method == "POST" and bool(_CREATES.match(ctx.op.op_id))
    named = named_resource(ctx.op, ctx.params)
    out = Context(known=known, sent=sent_fields(ctx))
    if creates:
        out.fresh = frozenset(data_keys)
    elif named:
        key = next((k for k in data_keys if _same_family(k, named[0])), None)
        out.named = (key, named[1]) if key else None
    return out


def _data_model(schema: dict[str, Any]) -> dict[str, Any]:
    """The object model of a response's `data` (through $refs and a nullable anyOf)."""
    return _model(schema, schema["properties"]["data"])


def _model(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node or "anyOf" in node:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        else:
            node = next(b for b in node["anyOf"] if b.get("type") != "null")
    return dict(node)


def _profiles_warehouse(ctx: Ctx, data: dict[str, Any]) -> None:
    """The catalogue entry the create asked for, as createWarehouse answers it."""
    meta = ctx.state.get("warehouseMetadata", ctx.field("metadataId"))
    data["profilesWarehouse"]["metadata"] = copy.deepcopy(meta)


def _audience_connection(ctx: Ctx, data: dict[str, Any]) -> None:
    """A connection is named by the destination it connects (the path's destinationId)."""
    data["connection"]["id"] = ctx.field("destination")["id"]


# Answers whose parts come from the state, not the schema.
_FINISH: dict[str, Callable[[Ctx, dict[str, Any]], None]] = {
    "createProfilesWarehouse": _profiles_warehouse,
    "addDestinationToAudience": _audience_connection,
}


def answer(ctx: Ctx) -> Any:
    records.check_path(ctx.state, ctx.op, ctx.params)
    schema = catalog.schema(ctx.op.response_model)
    data_keys = list(_data_model(schema).get("properties", {}))
    made = context(ctx, data_keys)
    family = records.named_family(ctx.op)
    stored = None
    if family is not None:
        stored = records.get(ctx.state, family, records.keys(ctx.op, ctx.params)[family.name])
        if stored is None:  # check_path let it by: only a race with a delete gets here
            raise not_found(family.what, ctx.params[ctx.op.path_params[-1]])
        # The object as kept, with what an update sends on top.
        made.sent = copy.deepcopy(stored) | (made.sent if ctx.op.method != "GET" else {})
    # `data` is optional in many response schemas; a real answer always has it.
    data = ctx.gen.answer(schema, made)
    if not isinstance(data, dict):
        return data
    finish = _FINISH.get(ctx.op.op_id)
    if finish is not None:
        finish(ctx, data)
    if ctx.op.method == "DELETE" and data.get("deleted") is False:
        data["deleted"] = True  # a delete that answers deletes
    _keep(ctx, schema, made, data, stored)
    paged = next((p for p in ctx.op.query if "Pagination" in p["model"]), None)
    if paged and "pagination" in data_keys:
        key = next((k for k, v in data.items() if isinstance(v, list)), None)
        chunk, info = pagination.page(data[key] if key else [], ctx.query, paged["name"],
                                      pagination.numeric_cursor(paged["model"]))
        if key:
            data[key] = chunk
        # Only the fields the model has: forward-only listings have no `previous`.
        fields = _model(schema, _data_model(schema)["properties"]["pagination"])
        data["pagination"] = {k: v for k, v in info.items() if k in fields.get("properties", {})}
    return data
