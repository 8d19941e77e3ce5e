"""Sources: CRUD, labels, write keys, schema settings, connected destinations and warehouses."""

from __future__ import annotations

import copy
from typing import Any

from connector.simulator.errors import ApiError, conflict, not_found
from connector.simulator.handlers import (
    DELETED,
    Ctx,
    handles,
    listing,
    patch,
    upsert_settings,
)


def label_key(label: dict[str, Any]) -> str:
    return f"{label['key']}:{label['value']}"


def _known_labels(ctx: Ctx, labels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for label in labels:
        stored = ctx.state["labels"].get(label_key(label))
        if stored is None:
            raise not_found("Label", label_key(label))
        out.append(copy.deepcopy(stored))
    return out


def _slug_free(ctx: Ctx, slug: Any, source_id: str | None) -> None:
    """409 when another source has `slug` (the API's answer to a conflict)."""
    if any(s["slug"] == slug and s["id"] != source_id for s in ctx.state["sources"].values()):
        raise ApiError(409, "conflict", f"Source slug {slug!r} is already in use", field="slug")


@handles("createSource")
def create_source(ctx: Ctx) -> dict[str, Any]:
    meta = ctx.state.get("sourceMetadata", ctx.field("metadataId"))
    slug = ctx.field("slug")
    with ctx.state.lock:
        _slug_free(ctx, slug, None)
        source = {
            "id": ctx.ids.new_id(), "slug": slug, "name": "",  # create takes no name
            "workspaceId": ctx.state.workspace["id"], "enabled": bool(ctx.field("enabled")),
            "writeKeys": [ctx.ids.write_key()], "labels": [],
            "metadata": copy.deepcopy(meta),
            "settings": upsert_settings({}, ctx.field("settings")),
        }
        ctx.state["sources"][source["id"]] = source
    return {"source": source}


@handles("getSource")
def get_source(ctx: Ctx) -> dict[str, Any]:
    source = ctx.state.get("sources", ctx.arg("sourceId"))
    plan = next((tp for tp, ids in ctx.state["trackingPlanSources"].items()
                 if source["id"] in ids), None)
    return {"source": source, "trackingPlanId": plan}


@handles("listSources")
def list_sources(ctx: Ctx) -> dict[str, Any]:
    return listing(ctx, "sources", list(ctx.state["sources"].values()))


@handles("updateSource")
def update_source(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        source = ctx.state.get("sources", ctx.arg("sourceId"))
        if ctx.field("slug") is not None:
            _slug_free(ctx, ctx.field("slug"), source["id"])
        patch(source, ctx.body, ("slug", "name", "enabled"))
        if "settings" in (ctx.body or {}):
            source["settings"] = upsert_settings(source.get("settings"), ctx.field("settings"))
    return {"source": source}


@handles("deleteSource")
def delete_source(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        source_id = ctx.state.get("sources", ctx.arg("sourceId"))["id"]
        if any(d["sourceId"] == source_id for d in ctx.state["destinations"].values()):
            raise conflict(f"Source {source_id!r} still has connected destinations")
        del ctx.state["sources"][source_id]
        for relation in ("warehouseSources", "trackingPlanSources"):
            for ids in ctx.state[relation].values():
                if source_id in ids:
                    ids.remove(source_id)
        ctx.state["schemaSettings"].pop(source_id, None)
    return DELETED


@handles("addLabelsToSource")
def add_labels(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        source = ctx.state.get("sources", ctx.arg("sourceId"))
        have = {label_key(x) for x in source["labels"]}
        for label in _known_labels(ctx, ctx.field("labels", [])):
            if label_key(label) not in have:
                source["labels"].append(label)
                have.add(label_key(label))
    return {"labels": source["labels"]}


@handles("replaceLabelsInSource")
def replace_labels(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        source = ctx.state.get("sources", ctx.arg("sourceId"))
        source["labels"] = _known_labels(ctx, ctx.field("labels", []))
    return {"labels": source["labels"]}


@handles("createWriteKeyForSource")
def create_write_key(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        source = ctx.state.get("sources", ctx.arg("sourceId"))
        source["writeKeys"].append(ctx.ids.write_key())
    return {"source": source}


@handles("removeWriteKeyFromSource")
def remove_write_key(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        source = ctx.state.get("sources", ctx.arg("sourceId"))
        key = ctx.arg("writeKey")
        if key not in source["writeKeys"]:
            raise not_found("Write key", key)
        source["writeKeys"].remove(key)
    return DELETED


_SCHEMA_DEFAULTS: dict[str, Any] = {
    "track": {"allowUnplannedEvents": True, "allowUnplannedEventProperties": True,
              "allowEventOnViolations": True, "allowPropertiesOnViolations": True,
              "commonEventOnViolations": "ALLOW"},
    "identify": {"allowTraitsOnViolations": True, "allowUnplannedTraits": True,
                 "commonEventOnViolations": "ALLOW"},
    "group": {"allowTraitsOnViolations": True, "allowUnplannedTraits": True,
              "commonEventOnViolations": "ALLOW"},
}


def _schema_settings(ctx: Ctx, source_id: str) -> dict[str, Any]:
    return ctx.state["schemaSettings"].setdefault(source_id, copy.deepcopy(_SCHEMA_DEFAULTS))


@handles("listSchemaSettingsInSource")
def list_schema_settings(ctx: Ctx) -> dict[str, Any]:
    source_id = ctx.state.get("sources", ctx.arg("sourceId"))["id"]
    with ctx.state.lock:
        return {"sourceId": source_id, "settings": _schema_settings(ctx, source_id)}


@handles("updateSchemaSettingsInSource")
def update_schema_settings(ctx: Ctx) -> dict[str, Any]:
    source_id = ctx.state.get("sources", ctx.arg("sourceId"))["id"]
    with ctx.state.lock:
        settings = _schema_settings(ctx, source_id)
        for key, value in (ctx.body or {}).items():
            if isinstance(value, dict):
                current = settings.get(key)  # a state file may hold a scalar here
                settings[key] = upsert_settings(current if isinstance(current, dict) else {},
                                                value)
            elif value is not None:
                settings[key] = value
        return {"sourceId": source_id, "settings": settings}


@handles("listConnectedDestinationsFromSource")
def connected_destinations(ctx: Ctx) -> dict[str, Any]:
    source_id = ctx.state.get("sources", ctx.arg("sourceId"))["id"]
    rows = [d for d in ctx.state["destinations"].values() if d["sourceId"] == source_id]
    return listing(ctx, "destinations", rows)


@handles("listConnectedWarehousesFromSource")
def connected_warehouses(ctx: Ctx) -> dict[str, Any]:
    source_id = ctx.state.get("sources", ctx.arg("sourceId"))["id"]
    rows = [ctx.state["warehouses"][w] for w, ids in ctx.state["warehouseSources"].items()
            if source_id in ids and w in ctx.state["warehouses"]]
    return listing(ctx, "warehouses", rows)
