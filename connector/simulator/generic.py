"""Schema-made answers for operations without a stateful handler.

The answer fits the operation's response model (enums, unions and all) and agrees
with the request: ids the path names come back as sent, fields the body (or query)
sent come back where the model has them, and what a create makes has a fresh id of
its own family.

What such a create makes is kept (state `records`, by the collection path it was
made under), so that a later get, update, listing or delete of that collection meets
it: a get answers the record, an update changes and keeps it, a listing lists the
collection's records, a delete removes it. Ids the simulator never made still get a
schema-made answer, so Engage objects it cannot create stay reachable.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from connector.api.examples import singular
from connector.simulator import catalog, pagination
from connector.simulator.catalog import Operation
from connector.simulator.handlers import Ctx
from connector.simulator.schemagen import Context

# Path parameters that name stored resources; unknown ids answer 404 everywhere.
OWNED = {"sourceId": "sources", "destinationId": "destinations", "warehouseId": "warehouses",
         "functionId": "functions", "trackingPlanId": "trackingPlans", "userId": "users",
         "userGroupId": "userGroups", "modelId": "reverseEtlModels",
         "transformationId": "transformations", "spaceId": "spaces"}

# Operations that make something: the objects of their answer get fresh ids.
_CREATES = re.compile(r"^(create|add)[A-Z]")


def _keep(ctx: Ctx, schema: dict[str, Any], made: Context, where: str, item: str | None,
          stored: dict[str, Any] | None, data: dict[str, Any]) -> None:
    """Keep what a create made, an update changed, forget what a delete removed; list a
    collection's records."""
    with ctx.state.lock:
        records = ctx.state["records"]
        if made.fresh and not item:
            for key in made.fresh:
                obj = data.get(key)
                if isinstance(obj, dict) and isinstance(obj.get("id"), str):
                    records.setdefault(where, {})[obj["id"]] = copy.deepcopy(obj)
                elif isinstance(obj, str) and key.endswith("Id"):  # only the new id
                    records.setdefault(where, {})[obj] = {**copy.deepcopy(made.sent),
                                                          "id": obj}
        elif stored is not None and item and ctx.op.method == "DELETE":
            del records[where][item]
        elif stored is not None and made.named and ctx.op.method in ("PATCH", "PUT"):
            obj = data.get(made.named[0])
            if isinstance(obj, dict):
                stored.update(copy.deepcopy(obj))
        elif ctx.op.method == "GET" and not item and records.get(where):
            model = _data_model(schema)["properties"]
            for key, value in data.items():
                node = _model(schema, model[key])
                if isinstance(value, list) and isinstance(node.get("items"), dict):
                    data[key] = [ctx.gen.item(schema, node["items"], key, record, made)
                                 for record in records[where].values()]
                    break


def check_parents(ctx: Ctx) -> None:
    # Under /spaces/ the other ids belong to Engage objects the simulator does not store.
    engage = ctx.op.path.startswith("/spaces/")
    for name, value in ctx.params.items():
        if name in OWNED and (not engage or name == "spaceId"):
            ctx.state.get(OWNED[name], value)


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


def collection_of(op: Operation, params: dict[str, str]) -> str | None:
    """The collection path an operation acts on, its ids filled in:
    `/spaces/{spaceId}/audiences/{id}` -> `/spaces/spa_1/audiences`; None when the path
    does not end at a collection or one of its items."""
    parts = op.path.strip("/").split("/")
    if parts[-1].startswith("{"):
        parts = parts[:-1]
    if not parts or parts[-1].startswith("{"):
        return None
    return "/" + "/".join(params[p[1:-1]] if p.startswith("{") else p for p in parts)


def answer(ctx: Ctx) -> Any:
    check_parents(ctx)
    schema = catalog.schema(ctx.op.response_model)
    data_keys = list(_data_model(schema).get("properties", {}))
    made = context(ctx, data_keys)
    where = collection_of(ctx.op, ctx.params)
    named = named_resource(ctx.op, ctx.params)
    item = named[1] if named and ctx.op.path.endswith("}") else None
    stored = ctx.state["records"].get(where or "", {}).get(item) if item else None
    if stored is not None:
        # The object as kept, with what an update sends on top.
        made.sent = copy.deepcopy(stored) | (made.sent if ctx.op.method != "GET" else {})
    # `data` is optional in many response schemas; a real answer always has it.
    data = ctx.gen.answer(schema, made)
    if not isinstance(data, dict):
        return data
    if where is not None:
        _keep(ctx, schema, made, where, item, stored, data)
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
