"""Tracking plans, their rules and their connected sources."""

from __future__ import annotations

from typing import Any

from connector.errors import InputError
from connector.legacy import rules
from connector.legacy.handlers import body_object, handles, last_segment, listed, source_name
from connector.legacy.mask import CLEAR, masked, paths
from connector.legacy.plan import Plan

_PLAN_FIELDS = ("display_name", "rules")


def tracking_plan(plan: Plan, item: dict[str, Any],
                  rule_list: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out = {"name": f"{plan.ws}/tracking-plans/{item.get('id')}",
           "display_name": item.get("name") or "", "create_time": item.get("createdAt"),
           "update_time": item.get("updatedAt")}
    if rule_list is not None:
        out["rules"], warnings = rules.to_config(rule_list)
        plan.warnings.extend(warnings)
    return out


def _rules_of(plan: Plan, plan_id: str) -> list[dict[str, Any]]:
    return [r for r in plan.items("listRulesFromTrackingPlan", {"trackingPlanId": plan_id})
            if isinstance(r, dict)]


@handles("GET /workspaces/{ws}/tracking-plans")
def list_plans(plan: Plan) -> dict[str, Any]:
    items, token = listed(plan, "listTrackingPlans", "trackingPlans")
    return {"tracking_plans": [tracking_plan(plan, i, _rules_of(plan, str(i.get("id"))))
                               for i in items],
            "next_page_token": token}


@handles("POST /workspaces/{ws}/tracking-plans")
def create_plan(plan: Plan) -> dict[str, Any]:
    given = body_object(plan, "tracking_plan")
    name = given.get("display_name")
    if not isinstance(name, str) or not name.strip():
        raise InputError({"tracking_plan.display_name": "is required"}, "legacy")
    converted = rules.to_public(given.get("rules"))  # checked before anything is sent
    made = plan.call("createTrackingPlan", {"name": name, "type": "LIVE"}).get(
        "trackingPlan") or {}
    plan_id = made.get("id") or plan.placeholder("id of the new tracking plan")
    if converted:
        plan.call("replaceRulesInTrackingPlan", {"trackingPlanId": plan_id, "rules": converted})
    plan.resolver.forget("plans")
    return tracking_plan(plan, made, converted)  # the rules as stored: no read back


@handles("GET /workspaces/{ws}/tracking-plans/{plan}")
def get_plan(plan: Plan) -> dict[str, Any]:
    found = plan.resolver.tracking_plan(plan, plan.params["plan"])
    item = plan.call("getTrackingPlan", {"trackingPlanId": found["id"]}).get("trackingPlan")
    return tracking_plan(plan, item or found, _rules_of(plan, found["id"]))


@handles("PUT /workspaces/{ws}/tracking-plans/{plan}",
         "PATCH /workspaces/{ws}/tracking-plans/{plan}")
def update_plan(plan: Plan) -> dict[str, Any]:
    found = plan.resolver.tracking_plan(plan, plan.params["plan"])
    changes = masked(body_object(plan, "tracking_plan", required=False), "tracking_plan",
                     paths(plan.body, plan.query), _PLAN_FIELDS)
    converted = None
    if "rules" in changes:
        converted = [] if changes["rules"] is CLEAR else rules.to_public(changes["rules"])
    if "display_name" in changes:
        if changes["display_name"] is CLEAR:
            raise InputError({"tracking_plan.display_name": "cannot be cleared: the Public "
                                                            "API needs a name"}, "legacy")
        plan.call("updateTrackingPlan", {"trackingPlanId": found["id"],
                                         "name": changes["display_name"]})
        plan.resolver.forget("plans")
    if converted is not None:
        plan.call("replaceRulesInTrackingPlan", {"trackingPlanId": found["id"],
                                                 "rules": converted})
    item = plan.call("getTrackingPlan", {"trackingPlanId": found["id"]}).get("trackingPlan")
    return tracking_plan(plan, item or found, _rules_of(plan, found["id"]))


@handles("DELETE /workspaces/{ws}/tracking-plans/{plan}")
def delete_plan(plan: Plan) -> dict[str, Any]:
    found = plan.resolver.tracking_plan(plan, plan.params["plan"])
    plan.call("deleteTrackingPlan", {"trackingPlanId": found["id"]})
    plan.resolver.forget("plans")
    return {}


def _source_of(plan: Plan, name: Any, field: str) -> dict[str, Any]:
    return plan.resolver.source(plan, last_segment(name, field, f"{plan.ws}/sources"))


@handles("POST /workspaces/{ws}/tracking-plans/{plan}/source-connections")
def connect_source(plan: Plan) -> dict[str, Any]:
    found = plan.resolver.tracking_plan(plan, plan.params["plan"])
    src = _source_of(plan, plan.body.get("source_name"), "source_name")
    plan.call("addSourceToTrackingPlan", {"trackingPlanId": found["id"], "sourceId": src["id"]})
    return {"source_name": plan.body["source_name"], "tracking_plan_id": found["id"]}


@handles("POST /workspaces/{ws}/tracking-plans/{plan}/source-connections"
         ":batchCreateConnections")
def connect_sources(plan: Plan) -> dict[str, Any]:
    found = plan.resolver.tracking_plan(plan, plan.params["plan"])
    names = plan.body.get("source_names")
    if not isinstance(names, list) or not names:
        raise InputError({"source_names": "must be a list of source names"}, "legacy")
    # Every name is resolved before the first connection is made: one unknown source
    # fails the call with nothing changed.
    sources = [_source_of(plan, n, f"source_names[{at}]") for at, n in enumerate(names)]
    for src in sources:
        plan.call("addSourceToTrackingPlan", {"trackingPlanId": found["id"],
                                              "sourceId": src["id"]})
    return {"connections": [{"source_name": n, "tracking_plan_id": found["id"]}
                            for n in names]}


@handles("GET /workspaces/{ws}/tracking-plans/{plan}/source-connections")
def list_connections(plan: Plan) -> dict[str, Any]:
    found = plan.resolver.tracking_plan(plan, plan.params["plan"])
    items, token = listed(plan, "listSourcesFromTrackingPlan", "sources",
                          {"trackingPlanId": found["id"]})
    return {"connections": [{"source_name": source_name(plan, i.get("slug")),
                             "tracking_plan_id": found["id"]} for i in items],
            "next_page_token": token}


@handles("DELETE /workspaces/{ws}/tracking-plans/{plan}/source-connections/{src}")
def disconnect_source(plan: Plan) -> dict[str, Any]:
    found = plan.resolver.tracking_plan(plan, plan.params["plan"])
    src = plan.resolver.source(plan, plan.params["src"])
    plan.call("removeSourceFromTrackingPlan", {"trackingPlanId": found["id"],
                                               "sourceId": src["id"]})
    return {}
