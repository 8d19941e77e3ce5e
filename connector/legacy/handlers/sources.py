"""Sources and their schema controls."""

from __future__ import annotations

from typing import Any

from connector.errors import InputError
from connector.legacy import fields
from connector.legacy.handlers import body_object, handles, last_segment, listed, source_name
from connector.legacy.mask import CLEAR, masked, paths
from connector.legacy.plan import Plan

# A masked schema control sent without a value goes back to the API's default: allow.
_CLEARED_ENUM = "ALLOW"
_FORWARDING = ("forwarding_blocked_events_to", "forwarding_violations_to")


def source(plan: Plan, item: dict[str, Any]) -> dict[str, Any]:
    return {"name": source_name(plan, item.get("slug")), "parent": plan.ws,
            "display_name": item.get("name") or "",
            "catalog_name": f"catalog/sources/{(item.get('metadata') or {}).get('slug')}",
            "write_keys": list(item.get("writeKeys") or []),
            "enabled": bool(item.get("enabled"))}


@handles("GET /workspaces/{ws}/sources")
def list_sources(plan: Plan) -> dict[str, Any]:
    items, token = listed(plan, "listSources", "sources")
    return {"sources": [source(plan, i) for i in items], "next_page_token": token}


@handles("POST /workspaces/{ws}/sources")
def create_source(plan: Plan) -> dict[str, Any]:
    given = body_object(plan, "source")
    slug = last_segment(given.get("name"), "source.name", f"{plan.ws}/sources")
    kind = last_segment(given.get("catalog_name"), "source.catalog_name", "catalog/sources")
    meta = plan.resolver.catalog(plan, "sources", kind)
    made = plan.call("createSource", {"slug": slug, "enabled": True, "metadataId": meta["id"],
                                      "settings": {}}).get("source") or {}
    plan.resolver.forget("sources")
    display = given.get("display_name")
    if display:  # createSource takes no name: a second call sets it
        made = plan.call("updateSource", {"sourceId": made.get("id") or plan.placeholder(
            "id of the new source"), "name": display}).get("source") or made
    return source(plan, made)


@handles("GET /workspaces/{ws}/sources/{src}")
def get_source(plan: Plan) -> dict[str, Any]:
    found = plan.resolver.source(plan, plan.params["src"])
    return source(plan, plan.call("getSource", {"sourceId": found["id"]}).get("source") or found)


@handles("DELETE /workspaces/{ws}/sources/{src}")
def delete_source(plan: Plan) -> dict[str, Any]:
    found = plan.resolver.source(plan, plan.params["src"])
    plan.call("deleteSource", {"sourceId": found["id"]})
    plan.resolver.forget("sources", f"destinations:{found['id']}")
    return {}


def _schema_config(plan: Plan, settings: dict[str, Any]) -> dict[str, Any]:
    name = f"{source_name(plan, plan.params['src'])}/schema-config"
    out: dict[str, Any] = {"name": name, "parent": source_name(plan, plan.params["src"])}
    out.update(fields.to_config("schema_config", settings))
    for config_key, public_key in zip(_FORWARDING, ("forwardingBlockedEventsTo",
                                                   "forwardingViolationsTo"), strict=True):
        source_id = settings.get(public_key)
        slug = plan.resolver.source_slug(plan, source_id) if source_id else None
        out[config_key] = source_name(plan, slug) if slug else (source_id or "")
    return out


@handles("GET /workspaces/{ws}/sources/{src}/schema-config")
def get_schema_config(plan: Plan) -> dict[str, Any]:
    found = plan.resolver.source(plan, plan.params["src"])
    data = plan.call("listSchemaSettingsInSource", {"sourceId": found["id"]})
    return _schema_config(plan, data.get("settings") or {})


@handles("PATCH /workspaces/{ws}/sources/{src}/schema-config")
def update_schema_config(plan: Plan) -> dict[str, Any]:
    found = plan.resolver.source(plan, plan.params["src"])
    known = [c for c, _ in fields.renames("schema_config")] + list(_FORWARDING)
    changes = masked(body_object(plan, "schema_config", required=False), "schema_config",
                     paths(plan.body, plan.query), known, required=True)
    body: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if key in _FORWARDING:
            body[key] = "" if value is CLEAR else _forward_id(plan, key, value)
        elif value is CLEAR:
            values[key] = _CLEARED_ENUM if key.startswith("common_") else False
        else:
            values[key] = value
    out = fields.to_public("schema_config", values)
    for key, value in body.items():
        out["forwardingBlockedEventsTo" if key == _FORWARDING[0] else "forwardingViolationsTo"] \
            = value
    data = plan.call("updateSchemaSettingsInSource", {"sourceId": found["id"], **out})
    return _schema_config(plan, data.get("settings") or {})


def _forward_id(plan: Plan, key: str, value: Any) -> str:
    slug = last_segment(value, f"schema_config.{key}", f"{plan.ws}/sources")
    if not slug:
        raise InputError({f"schema_config.{key}": "must name a source"}, "legacy")
    return str(plan.resolver.source(plan, slug)["id"])
