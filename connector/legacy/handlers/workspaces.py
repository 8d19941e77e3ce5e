"""Workspaces and the catalog."""

from __future__ import annotations

from typing import Any

from connector.legacy.handlers import handles, listed
from connector.legacy.plan import Plan


def _workspace(ws: dict[str, Any]) -> dict[str, Any]:
    return {"name": f"workspaces/{ws.get('slug')}", "display_name": ws.get("name"),
            "id": ws.get("id")}


@handles("GET /workspaces")
def list_workspaces(plan: Plan) -> dict[str, Any]:
    ws = plan.call("getWorkspace").get("workspace") or {}
    return {"workspaces": [_workspace(ws)] if ws else [], "next_page_token": ""}


@handles("GET /workspaces/{ws}")
def get_workspace(plan: Plan) -> dict[str, Any]:
    return _workspace(plan.resolver.workspace(plan, plan.params["ws"]))


def catalog_source(item: dict[str, Any]) -> dict[str, Any]:
    return {"name": f"catalog/sources/{item.get('slug')}", "display_name": item.get("name"),
            "description": item.get("description", ""),
            "categories": list(item.get("categories") or []), "logos": item.get("logos") or {}}


def catalog_destination(item: dict[str, Any]) -> dict[str, Any]:
    cats = list(item.get("categories") or [])
    features = item.get("supportedFeatures") or {}
    return {
        "name": f"catalog/destinations/{item.get('slug')}", "display_name": item.get("name"),
        "slug": item.get("slug"), "id": item.get("id"),
        "description": item.get("description", ""), "status": item.get("status"),
        "previous_names": list(item.get("previousNames") or []),
        "website": item.get("website", ""), "logos": item.get("logos") or {},
        "categories": {"primary": cats[0] if cats else "",
                       "secondary": cats[1] if len(cats) > 1 else "",
                       "additional": cats[2:]},
        "components": list(item.get("components") or []),
        "methods": item.get("supportedMethods") or {},
        "platforms": item.get("supportedPlatforms") or {},
        "browserUnbundlingSupported": bool(features.get("browserUnbundling")),
        "browserUnbundlingPublic": bool(features.get("browserUnbundlingPublic")),
        "settings": [{"name": o.get("name"), "display_name": o.get("label") or o.get("name"),
                      "type": str(o.get("type", "string")).lower(),
                      "required": bool(o.get("required"))}
                     for o in item.get("options") or []],
    }


@handles("GET /catalog/sources")
def list_source_types(plan: Plan) -> dict[str, Any]:
    items, token = listed(plan, "getSourcesCatalog", "sourcesCatalog")
    return {"sources": [catalog_source(i) for i in items], "next_page_token": token}


@handles("GET /catalog/sources/{slug}")
def get_source_type(plan: Plan) -> dict[str, Any]:
    entry = plan.resolver.catalog(plan, "sources", plan.params["slug"])
    data = plan.call("getSourceMetadata", {"sourceMetadataId": entry["id"]})
    return catalog_source(data.get("sourceMetadata") or entry)


@handles("GET /catalog/destinations")
def list_destination_types(plan: Plan) -> dict[str, Any]:
    items, token = listed(plan, "getDestinationsCatalog", "destinationsCatalog")
    return {"destinations": [catalog_destination(i) for i in items], "next_page_token": token}


@handles("GET /catalog/destinations/{slug}")
def get_destination_type(plan: Plan) -> dict[str, Any]:
    entry = plan.resolver.catalog(plan, "destinations", plan.params["slug"])
    data = plan.call("getDestinationMetadata", {"destinationMetadataId": entry["id"]})
    return catalog_destination(data.get("destinationMetadata") or entry)
