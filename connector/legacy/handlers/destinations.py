"""Destinations of a source and their filters."""

from __future__ import annotations

from typing import Any

from connector.errors import InputError
from connector.legacy import filters, settings
from connector.legacy.handlers import body_object, handles, last_segment, listed, source_name
from connector.legacy.mask import CLEAR, masked, paths
from connector.legacy.plan import Plan

_DESTINATION_FIELDS = ("enabled", "config", "display_name")
_FILTER_FIELDS = ("if", "actions", "title", "description", "enabled")


def destination_name(plan: Plan, slug: Any) -> str:
    return f"{source_name(plan, plan.params['src'])}/destinations/{slug}"


def destination(plan: Plan, item: dict[str, Any]) -> dict[str, Any]:
    meta = item.get("metadata") or {}
    name = destination_name(plan, meta.get("slug"))
    return {"name": name, "parent": source_name(plan, plan.params["src"]),
            "display_name": item.get("name") or "", "enabled": bool(item.get("enabled")),
            "config": settings.to_config(item.get("settings"), name, meta.get("options") or [])}


def target(plan: Plan) -> tuple[dict[str, Any], dict[str, Any]]:
    """(source, destination) the path names."""
    src = plan.resolver.source(plan, plan.params["src"])
    return src, plan.resolver.destination(plan, src, plan.params["dst"])


@handles("GET /workspaces/{ws}/sources/{src}/destinations")
def list_destinations(plan: Plan) -> dict[str, Any]:
    src = plan.resolver.source(plan, plan.params["src"])
    items, token = listed(plan, "listConnectedDestinationsFromSource", "destinations",
                          {"sourceId": src["id"]})
    return {"destinations": [destination(plan, i) for i in items], "next_page_token": token}


@handles("POST /workspaces/{ws}/sources/{src}/destinations")
def create_destination(plan: Plan) -> dict[str, Any]:
    given = body_object(plan, "destination")
    src = plan.resolver.source(plan, plan.params["src"])
    slug = last_segment(given.get("name"), "destination.name",
                        f"{source_name(plan, plan.params['src'])}/destinations")
    meta = plan.resolver.catalog(plan, "destinations", slug)
    if given.get("connection_mode") not in (None, "", "UNSPECIFIED", "CLOUD"):
        plan.warnings.append(f"connection_mode {given['connection_mode']} was dropped: the "
                             "Public API has no field for it")
    enabled = given.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise InputError({"destination.enabled": "must be true or false"}, "legacy")
    values = {"sourceId": src["id"], "metadataId": meta["id"],
              "enabled": bool(enabled), "name": given.get("display_name"),
              "settings": {k: v for k, v in settings.to_settings(
                  given.get("config"), plan.warnings).items() if v is not None}}
    made = plan.call("createDestination", values).get("destination") or {}
    plan.resolver.forget(f"destinations:{src['id']}")
    return destination(plan, made)


@handles("GET /workspaces/{ws}/sources/{src}/destinations/{dst}")
def get_destination(plan: Plan) -> dict[str, Any]:
    _, found = target(plan)
    data = plan.call("getDestination", {"destinationId": found["id"]})
    return destination(plan, data.get("destination") or found)


@handles("PATCH /workspaces/{ws}/sources/{src}/destinations/{dst}")
def update_destination(plan: Plan) -> dict[str, Any]:
    src, found = target(plan)
    changes = masked(body_object(plan, "destination", required=False), "destination",
                     paths(plan.body, plan.query), _DESTINATION_FIELDS, required=True)
    values: dict[str, Any] = {"destinationId": found["id"]}
    if "enabled" in changes:
        values["enabled"] = False if changes["enabled"] is CLEAR else changes["enabled"]
    if "display_name" in changes:
        values["name"] = "" if changes["display_name"] is CLEAR else changes["display_name"]
    if "config" in changes:
        if changes["config"] is CLEAR:  # every key set now is removed
            values["settings"] = {k: None for k in found.get("settings") or {}}
        else:
            values["settings"] = settings.to_settings(changes["config"], plan.warnings)
    data = plan.call("updateDestination", values)
    plan.resolver.forget(f"destinations:{src['id']}")  # its settings changed
    return destination(plan, data.get("destination") or found)


@handles("DELETE /workspaces/{ws}/sources/{src}/destinations/{dst}")
def delete_destination(plan: Plan) -> dict[str, Any]:
    src, found = target(plan)
    plan.call("deleteDestination", {"destinationId": found["id"]})
    plan.resolver.forget(f"destinations:{src['id']}")
    return {}


def _filter(plan: Plan, item: dict[str, Any]) -> dict[str, Any]:
    name = f"{destination_name(plan, plan.params['dst'])}/filters/{item.get('id')}"
    return filters.to_config(item, name)


@handles("GET /workspaces/{ws}/sources/{src}/destinations/{dst}/filters")
def list_filters(plan: Plan) -> dict[str, Any]:
    _, found = target(plan)
    items, token = listed(plan, "listFiltersFromDestination", "filters",
                          {"destinationId": found["id"]})
    return {"filters": [_filter(plan, i) for i in items], "next_page_token": token}


def _filter_values(changes: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if value is CLEAR:
            values[key] = {"enabled": False, "actions": []}.get(key, "")
        elif key == "actions":
            values[key] = filters.actions_to_public(value)
        else:
            values[key] = value
    return values


@handles("POST /workspaces/{ws}/sources/{src}/destinations/{dst}/filters")
def create_filter(plan: Plan) -> dict[str, Any]:
    src, found = target(plan)
    given = body_object(plan, "filter")
    values = _filter_values(masked(given, "filter", None, _FILTER_FIELDS))
    values.setdefault("actions", [])
    values.setdefault("enabled", False)
    data = plan.call("createFilterForDestination",
                     {"destinationId": found["id"], "sourceId": src["id"], **values})
    return _filter(plan, data.get("filter") or {})


def _filter_id(plan: Plan) -> str:
    return plan.params["filter"]


@handles("GET /workspaces/{ws}/sources/{src}/destinations/{dst}/filters/{filter}")
def get_filter(plan: Plan) -> dict[str, Any]:
    _, found = target(plan)
    data = plan.call("getFilterInDestination",
                     {"destinationId": found["id"], "filterId": _filter_id(plan)})
    return _filter(plan, data.get("filter") or {})


@handles("PATCH /workspaces/{ws}/sources/{src}/destinations/{dst}/filters/{filter}")
def update_filter(plan: Plan) -> dict[str, Any]:
    _, found = target(plan)
    changes = masked(body_object(plan, "filter", required=False), "filter",
                     paths(plan.body, plan.query), _FILTER_FIELDS, required=True)
    data = plan.call("updateFilterForDestination",
                     {"destinationId": found["id"], "filterId": _filter_id(plan),
                      **_filter_values(changes)})
    return _filter(plan, data.get("filter") or {})


@handles("DELETE /workspaces/{ws}/sources/{src}/destinations/{dst}/filters/{filter}")
def delete_filter(plan: Plan) -> dict[str, Any]:
    _, found = target(plan)
    plan.call("removeFilterFromDestination",
              {"destinationId": found["id"], "filterId": _filter_id(plan)})
    return {}


@handles("POST /filters/preview")
def preview_filter(plan: Plan) -> dict[str, Any]:
    given = body_object(plan, "filter")
    payload = plan.body.get("payload")
    if not isinstance(payload, dict):
        raise InputError({"payload": "must be the sample event, an object"}, "legacy")
    spec = {"if": given.get("if", ""),
            "actions": filters.actions_to_public(given.get("actions") or [])}
    data = plan.call("previewDestinationFilter", {"filter": spec, "payload": payload})
    return {"result": data.get("result")}
