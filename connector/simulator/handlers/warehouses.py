"""Warehouses and their source connections."""

from __future__ import annotations

import copy
from typing import Any

from connector.simulator.errors import not_found
from connector.simulator.handlers import (
    DELETED,
    Ctx,
    handles,
    listing,
    patch,
    upsert_settings,
)


@handles("createWarehouse")
def create_warehouse(ctx: Ctx) -> dict[str, Any]:
    meta = ctx.state.get("warehouseMetadata", ctx.field("metadataId"))
    enabled = ctx.field("enabled")
    warehouse: dict[str, Any] = {
        "id": ctx.ids.new_id(), "workspaceId": ctx.state.workspace["id"],
        "enabled": True if enabled is None else bool(enabled),
        "metadata": copy.deepcopy(meta), "settings": upsert_settings({}, ctx.field("settings")),
    }
    if ctx.field("name"):
        warehouse["settings"]["name"] = ctx.field("name")
    with ctx.state.lock:
        ctx.state["warehouses"][str(warehouse["id"])] = warehouse
    return {"warehouse": warehouse}


@handles("getWarehouse")
def get_warehouse(ctx: Ctx) -> dict[str, Any]:
    return {"warehouse": ctx.state.get("warehouses", ctx.arg("warehouseId"))}


@handles("listWarehouses")
def list_warehouses(ctx: Ctx) -> dict[str, Any]:
    return listing(ctx, "warehouses", list(ctx.state["warehouses"].values()))


@handles("updateWarehouse")
def update_warehouse(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        warehouse = ctx.state.get("warehouses", ctx.arg("warehouseId"))
        patch(warehouse, ctx.body, ("enabled",))
        warehouse["settings"] = upsert_settings(warehouse["settings"], ctx.field("settings"))
        if ctx.field("name"):
            warehouse["settings"]["name"] = ctx.field("name")
    return {"warehouse": warehouse}


@handles("deleteWarehouse")
def delete_warehouse(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        warehouse_id = ctx.state.get("warehouses", ctx.arg("warehouseId"))["id"]
        del ctx.state["warehouses"][warehouse_id]
        ctx.state["warehouseSources"].pop(warehouse_id, None)
    return DELETED


@handles("addConnectionFromSourceToWarehouse")
def connect(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        warehouse_id = ctx.state.get("warehouses", ctx.arg("warehouseId"))["id"]
        source_id = ctx.state.get("sources", ctx.arg("sourceId"))["id"]
        linked = ctx.state.relation("warehouseSources", warehouse_id)
        if source_id not in linked:
            linked.append(source_id)
    return {"status": "CONNECTED"}


@handles("removeSourceConnectionFromWarehouse")
def disconnect(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        warehouse_id = ctx.state.get("warehouses", ctx.arg("warehouseId"))["id"]
        source_id = ctx.state.get("sources", ctx.arg("sourceId"))["id"]
        linked = ctx.state.relation("warehouseSources", warehouse_id)
        if source_id not in linked:
            raise not_found("Connection", f"{warehouse_id}/{source_id}")
        linked.remove(source_id)
    return DELETED


@handles("listConnectedSourcesFromWarehouse")
def connected_sources(ctx: Ctx) -> dict[str, Any]:
    warehouse_id = ctx.state.get("warehouses", ctx.arg("warehouseId"))["id"]
    sources = ctx.state["sources"]
    rows = [sources[s] for s in ctx.state["warehouseSources"].get(warehouse_id, [])
            if s in sources]
    return listing(ctx, "sources", rows)


@handles("getConnectionStateFromWarehouse")
def connection_state(ctx: Ctx) -> dict[str, Any]:
    warehouse = ctx.state.get("warehouses", ctx.arg("warehouseId"))
    return {"connectionState": "CONNECTED" if warehouse["enabled"] else "DISCONNECTED"}
