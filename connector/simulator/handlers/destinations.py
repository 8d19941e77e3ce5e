"""Destinations with their subscriptions and filters."""

from __future__ import annotations

import copy
from typing import Any

from connector.simulator.errors import ApiError, not_found
from connector.simulator.handlers import (
    DELETED,
    Ctx,
    handles,
    listing,
    patch,
    upsert_settings,
)
from connector.simulator.ids import now


@handles("createDestination")
def create_destination(ctx: Ctx) -> dict[str, Any]:
    meta = ctx.state.get("destinationMetadata", ctx.field("metadataId"))
    source = ctx.state.get("sources", ctx.field("sourceId"))
    enabled = ctx.field("enabled")
    destination = {
        "id": ctx.ids.new_id(), "name": ctx.field("name") or meta["name"],
        "enabled": True if enabled is None else bool(enabled), "sourceId": source["id"],
        "metadata": copy.deepcopy(meta), "settings": upsert_settings({}, ctx.field("settings")),
    }
    with ctx.state.lock:
        ctx.state["destinations"][destination["id"]] = destination
    return {"destination": destination}


@handles("getDestination")
def get_destination(ctx: Ctx) -> dict[str, Any]:
    return {"destination": ctx.state.get("destinations", ctx.arg("destinationId"))}


@handles("listDestinations")
def list_destinations(ctx: Ctx) -> dict[str, Any]:
    return listing(ctx, "destinations", list(ctx.state["destinations"].values()))


@handles("updateDestination")
def update_destination(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        destination = ctx.state.get("destinations", ctx.arg("destinationId"))
        changes = ctx.field("settings") or {}
        read_only = {o["name"] for o in destination["metadata"]["options"]
                     if o.get("readOnly")}
        if changes and set(changes) <= read_only and not (set(ctx.body) - {"settings"}):
            raise ApiError(400, "validation", "Only read-only settings were given")
        patch(destination, ctx.body, ("name", "enabled"))
        writable = {k: v for k, v in changes.items() if k not in read_only}
        destination["settings"] = upsert_settings(destination["settings"], writable)
    return {"destination": destination}


@handles("deleteDestination")
def delete_destination(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        dest_id = ctx.state.get("destinations", ctx.arg("destinationId"))["id"]
        del ctx.state["destinations"][dest_id]
        for name in ("subscriptions", "filters"):
            for key in [k for k, v in ctx.state[name].items() if v["destinationId"] == dest_id]:
                del ctx.state[name][key]
    return DELETED


# Subscriptions -------------------------------------------------------------
def _subscription(ctx: Ctx) -> dict[str, Any]:
    dest_id = ctx.state.get("destinations", ctx.arg("destinationId"))["id"]
    sub = ctx.state["subscriptions"].get(ctx.arg("id"))
    if sub is None or sub["destinationId"] != dest_id:
        raise not_found("Subscription", ctx.arg("id"))
    return sub


@handles("createDestinationSubscription")
def create_subscription(ctx: Ctx) -> dict[str, Any]:
    dest_id = ctx.state.get("destinations", ctx.arg("destinationId"))["id"]
    sub = {"id": ctx.ids.new_id(), "destinationId": dest_id, "name": ctx.field("name"),
           "actionId": ctx.field("actionId"), "actionSlug": ctx.field("actionId"),
           "trigger": ctx.field("trigger"), "enabled": bool(ctx.field("enabled")),
           "settings": ctx.field("settings") or {}}
    if ctx.field("modelId"):
        sub["modelId"] = ctx.field("modelId")
    with ctx.state.lock:
        ctx.state["subscriptions"][sub["id"]] = sub
    return {"destinationSubscription": sub}


@handles("getSubscriptionFromDestination")
def get_subscription(ctx: Ctx) -> dict[str, Any]:
    return {"subscription": _subscription(ctx)}


def _of_destination(ctx: Ctx, collection: str) -> list[dict[str, Any]]:
    """Rows of `collection` under the path's destination (404 when it does not exist)."""
    dest_id = ctx.state.get("destinations", ctx.arg("destinationId"))["id"]
    return [row for row in ctx.state[collection].values() if row["destinationId"] == dest_id]


@handles("listSubscriptionsFromDestination")
def list_subscriptions(ctx: Ctx) -> dict[str, Any]:
    return listing(ctx, "subscriptions", _of_destination(ctx, "subscriptions"))


@handles("updateSubscriptionForDestination")
def update_subscription(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        sub = _subscription(ctx)
        changes = ctx.field("input") or {}
        patch(sub, changes, ("name", "enabled", "trigger", "settings", "reverseETLSchedule"))
        if changes.get("reverseETLModelId"):
            sub["modelId"] = changes["reverseETLModelId"]
    return {"subscription": sub}


@handles("removeSubscriptionFromDestination")
def remove_subscription(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        del ctx.state["subscriptions"][_subscription(ctx)["id"]]
    return DELETED


# Filters -------------------------------------------------------------------
def _filter(ctx: Ctx) -> dict[str, Any]:
    dest_id = ctx.state.get("destinations", ctx.arg("destinationId"))["id"]
    row = ctx.state["filters"].get(ctx.arg("filterId"))
    if row is None or row["destinationId"] != dest_id:
        raise not_found("Filter", ctx.arg("filterId"))
    return row


@handles("createFilterForDestination")
def create_filter(ctx: Ctx) -> dict[str, Any]:
    dest_id = ctx.state.get("destinations", ctx.arg("destinationId"))["id"]
    stamp = now()
    row = {"id": ctx.ids.for_family("filter"), "destinationId": dest_id,
           "sourceId": ctx.field("sourceId"), "title": ctx.field("title"), "if": ctx.field("if"),
           "actions": ctx.field("actions", []), "enabled": bool(ctx.field("enabled")),
           "createdAt": stamp, "updatedAt": stamp}
    if ctx.field("description") is not None:
        row["description"] = ctx.field("description")
    with ctx.state.lock:
        ctx.state["filters"][row["id"]] = row
    return {"filter": row}


@handles("getFilterInDestination")
def get_filter(ctx: Ctx) -> dict[str, Any]:
    return {"filter": _filter(ctx)}


@handles("listFiltersFromDestination")
def list_filters(ctx: Ctx) -> dict[str, Any]:
    return listing(ctx, "filters", _of_destination(ctx, "filters"))


@handles("updateFilterForDestination")
def update_filter(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        row = patch(_filter(ctx), ctx.body,
                    ("title", "if", "actions", "enabled", "description"))
    return {"filter": row}


@handles("removeFilterFromDestination")
def remove_filter(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        del ctx.state["filters"][_filter(ctx)["id"]]
    return DELETED
