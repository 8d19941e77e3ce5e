"""Tracking plans (rules, connected sources) and reverse ETL models."""

from __future__ import annotations

import ast
import json
from typing import Any

from connector.simulator.errors import conflict, not_found
from connector.simulator.handlers import DELETED, Ctx, handles, listing, patch
from connector.simulator.ids import now
from connector.simulator.validation import problems_in, validation_error


def _rule_id(rule: dict[str, Any]) -> tuple[Any, ...]:
    return (rule.get("type"), rule.get("key"), rule.get("version"))


@handles("createTrackingPlan")
def create_plan(ctx: Ctx) -> dict[str, Any]:
    stamp = now()
    plan = {"id": ctx.ids.for_family("trackingPlan"), "name": ctx.field("name"),
            "slug": str(ctx.field("name")).lower().replace(" ", "-"), "type": ctx.field("type"),
            "createdAt": stamp, "updatedAt": stamp}
    if ctx.field("description") is not None:
        plan["description"] = ctx.field("description")
    with ctx.state.lock:
        ctx.state["trackingPlans"][plan["id"]] = plan
    return {"trackingPlan": plan}


@handles("getTrackingPlan")
def get_plan(ctx: Ctx) -> dict[str, Any]:
    return {"trackingPlan": ctx.state.get("trackingPlans", ctx.arg("trackingPlanId"))}


@handles("listTrackingPlans")
def list_plans(ctx: Ctx) -> dict[str, Any]:
    kind = ctx.q("type")
    rows = [p for p in ctx.state["trackingPlans"].values() if kind in (None, p["type"])]
    return listing(ctx, "trackingPlans", rows)


@handles("updateTrackingPlan")
def update_plan(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        patch(ctx.state.get("trackingPlans", ctx.arg("trackingPlanId")), ctx.body,
              ("name", "description"))
    return DELETED


@handles("deleteTrackingPlan")
def delete_plan(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        plan_id = ctx.state.get("trackingPlans", ctx.arg("trackingPlanId"))["id"]
        if ctx.state["trackingPlanSources"].get(plan_id):
            raise conflict(f"Tracking plan {plan_id!r} is still connected to sources")
        del ctx.state["trackingPlans"][plan_id]
        ctx.state["trackingPlanRules"].pop(plan_id, None)
    return DELETED


@handles("listRulesFromTrackingPlan")
def list_rules(ctx: Ctx) -> dict[str, Any]:
    plan_id = ctx.state.get("trackingPlans", ctx.arg("trackingPlanId"))["id"]
    return listing(ctx, "rules", list(ctx.state["trackingPlanRules"].get(plan_id, [])))


def _stored_rule(rule: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    stamp = now()
    out = {"type": rule["type"], "version": rule["version"],
           "jsonSchema": rule.get("jsonSchema"), "createdAt": stamp, "updatedAt": stamp}
    if key or rule.get("key"):
        out["key"] = key or rule["key"]
    return out


@handles("replaceRulesInTrackingPlan")
def replace_rules(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        plan_id = ctx.state.get("trackingPlans", ctx.arg("trackingPlanId"))["id"]
        ctx.state["trackingPlanRules"][plan_id] = [_stored_rule(r) for r in ctx.field("rules")]
    return DELETED


@handles("updateRulesInTrackingPlan")
def upsert_rules(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        plan_id = ctx.state.get("trackingPlans", ctx.arg("trackingPlanId"))["id"]
        rules = ctx.state.relation("trackingPlanRules", plan_id)
        for rule in ctx.field("rules"):
            kept = [r for r in rules if _rule_id(r) != _rule_id(rule)]
            kept.append(_stored_rule(rule, rule.get("newKey")))
            rules[:] = kept
    return DELETED


def _rule_value(raw: str) -> Any:
    """A `rules` query value: JSON, or the Python literal the official SDK sends
    (`{'type': 'TRACK', ...}`, its `str()` of the rule); None when it is neither."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        pass
    if len(raw) > 10_000:  # a rule is a few fields; literal_eval of a huge one is costly
        return None
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError, RecursionError, MemoryError, TypeError):
        return None


@handles("removeRulesFromTrackingPlan")
def remove_rules(ctx: Ctx) -> dict[str, Any]:
    doomed, problems = set(), []
    for index, raw in enumerate(ctx.qlist("rules")):
        where = f"rules.{index}"
        rule = _rule_value(raw)
        if rule is None:
            problems.append((where, f'"{where}" must be a rule as JSON'))
            continue
        found = problems_in("RemoveRuleV1", rule, where)
        problems += found
        if not found:
            doomed.add(_rule_id(rule))
    if problems:  # a delete that cannot tell what to remove removes nothing
        raise validation_error(problems)
    with ctx.state.lock:
        plan_id = ctx.state.get("trackingPlans", ctx.arg("trackingPlanId"))["id"]
        rules = ctx.state.relation("trackingPlanRules", plan_id)
        rules[:] = [r for r in rules if _rule_id(r) not in doomed]
    return DELETED


@handles("addSourceToTrackingPlan")
def add_source(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        plan_id = ctx.state.get("trackingPlans", ctx.arg("trackingPlanId"))["id"]
        source_id = ctx.state.get("sources", ctx.field("sourceId"))["id"]
        for ids in ctx.state["trackingPlanSources"].values():
            if source_id in ids:
                ids.remove(source_id)  # a source follows one plan at a time
        ctx.state.relation("trackingPlanSources", plan_id).append(source_id)
    return DELETED


@handles("listSourcesFromTrackingPlan")
def list_plan_sources(ctx: Ctx) -> dict[str, Any]:
    plan_id = ctx.state.get("trackingPlans", ctx.arg("trackingPlanId"))["id"]
    sources = ctx.state["sources"]
    rows = [sources[s] for s in ctx.state["trackingPlanSources"].get(plan_id, [])
            if s in sources]
    return listing(ctx, "sources", rows)


@handles("removeSourceFromTrackingPlan")
def remove_plan_source(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        plan_id = ctx.state.get("trackingPlans", ctx.arg("trackingPlanId"))["id"]
        ids = ctx.state.relation("trackingPlanSources", plan_id)
        source_id = ctx.q("sourceId") or ""
        if source_id not in ids:
            raise not_found("Source", source_id)
        ids.remove(source_id)
    return DELETED


# Reverse ETL models ----------------------------------------------------------
_MODEL_FIELDS = ("name", "description", "enabled", "query", "queryIdentifierColumn")


@handles("createReverseEtlModel")
def create_model(ctx: Ctx) -> dict[str, Any]:
    source_id = ctx.state.get("sources", ctx.field("sourceId"))["id"]
    model = patch({"id": ctx.ids.new_id(), "sourceId": source_id}, ctx.body, _MODEL_FIELDS)
    with ctx.state.lock:
        ctx.state["reverseEtlModels"][model["id"]] = model
    return {"reverseEtlModel": model}


@handles("getReverseEtlModel")
def get_model(ctx: Ctx) -> dict[str, Any]:
    return {"reverseEtlModel": ctx.state.get("reverseEtlModels", ctx.arg("modelId"))}


@handles("listReverseEtlModels")
def list_models(ctx: Ctx) -> dict[str, Any]:
    return listing(ctx, "models", list(ctx.state["reverseEtlModels"].values()))


@handles("updateReverseEtlModel")
def update_model(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        model = patch(ctx.state.get("reverseEtlModels", ctx.arg("modelId")), ctx.body,
                      _MODEL_FIELDS)
    return {"reverseEtlModel": model}


@handles("deleteReverseEtlModel")
def delete_model(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        model_id = ctx.state.get("reverseEtlModels", ctx.arg("modelId"))["id"]
        if any(s.get("modelId") == model_id for s in ctx.state["subscriptions"].values()):
            raise conflict(f"Reverse ETL model {model_id!r} is used by a subscription")
        del ctx.state["reverseEtlModels"][model_id]
    return DELETED
