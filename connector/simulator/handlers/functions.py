"""Functions (with versions and deployments), insert-function instances, transformations."""

from __future__ import annotations

from typing import Any

from connector.simulator.errors import conflict, not_found
from connector.simulator.handlers import DELETED, Ctx, handles, listing, patch
from connector.simulator.ids import now

_FUNCTION_FIELDS = ("displayName", "description", "code", "logoUrl", "settings")


def _add_version(ctx: Ctx, function: dict[str, Any]) -> dict[str, Any]:
    versions = ctx.state.relation("functionVersions", function["id"])
    for old in versions:
        old["isDeployed"] = False
    stamp = now()
    version = {"id": ctx.ids.for_family("version"), "code": function["code"],
               "author": "owner@example.com", "createdAt": stamp, "updatedAt": stamp,
               "isDeployed": False}
    versions.append(version)
    return version


@handles("createFunction")
def create_function(ctx: Ctx) -> dict[str, Any]:
    function = {"id": ctx.ids.for_family("function"), "resourceType": ctx.field("resourceType"),
                "createdAt": now(), "createdBy": "owner@example.com", "isLatestVersion": True,
                "settings": []}
    patch(function, ctx.body, _FUNCTION_FIELDS)
    with ctx.state.lock:
        ctx.state["functions"][function["id"]] = function
        _add_version(ctx, function)
    return {"function": function}


@handles("getFunction")
def get_function(ctx: Ctx) -> dict[str, Any]:
    return {"function": ctx.state.get("functions", ctx.arg("functionId"))}


@handles("listFunctions")
def list_functions(ctx: Ctx) -> dict[str, Any]:
    kind = ctx.q("resourceType")
    rows = [f for f in ctx.state["functions"].values() if f["resourceType"] == kind]
    return listing(ctx, "functions", rows)


@handles("updateFunction")
def update_function(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        function = ctx.state.get("functions", ctx.arg("functionId"))
        old_code = function.get("code")
        patch(function, ctx.body, _FUNCTION_FIELDS)
        if function.get("code") != old_code:
            _add_version(ctx, function)
    return {"function": function}


@handles("deleteFunction")
def delete_function(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        function_id = ctx.state.get("functions", ctx.arg("functionId"))["id"]
        if any(i["classId"] == function_id
               for i in ctx.state["insertFunctionInstances"].values()):
            raise conflict(f"Function {function_id!r} still has instances")
        del ctx.state["functions"][function_id]
        ctx.state["functionVersions"].pop(function_id, None)
    return DELETED


@handles("createFunctionDeployment")
def deploy_function(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        function = ctx.state.get("functions", ctx.arg("functionId"))
        function["deployedAt"] = now()
        versions = ctx.state.relation("functionVersions", function["id"])
        if versions:
            versions[-1]["isDeployed"] = True
            versions[-1]["deployedAt"] = function["deployedAt"]
    return {"functionDeployment": {"status": "SUCCESS"}}


def _version(ctx: Ctx, function_id: str, version_id: str) -> dict[str, Any]:
    for version in ctx.state.relation("functionVersions", function_id):
        if version["id"] == version_id:
            return version
    raise not_found("Function version", version_id)


@handles("listFunctionVersions")
def list_versions(ctx: Ctx) -> dict[str, Any]:
    function_id = ctx.state.get("functions", ctx.arg("functionId"))["id"]
    return listing(ctx, "versions", list(ctx.state.relation("functionVersions", function_id)))


@handles("getFunctionVersion")
def get_version(ctx: Ctx) -> dict[str, Any]:
    function_id = ctx.state.get("functions", ctx.arg("functionId"))["id"]
    return {"version": _version(ctx, function_id, ctx.arg("versionId"))}


@handles("restoreFunctionVersion")
def restore_version(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        function = ctx.state.get("functions", ctx.arg("functionId"))
        function["code"] = _version(ctx, function["id"], ctx.field("versionId"))["code"]
        return {"version": _add_version(ctx, function)}


# Insert-function instances -------------------------------------------------
@handles("createInsertFunctionInstance")
def create_instance(ctx: Ctx) -> dict[str, Any]:
    function_id = ctx.state.get("functions", ctx.field("functionId"))["id"]
    enabled = ctx.field("enabled")
    stamp = now()
    row = {"id": ctx.ids.new_id(), "classId": function_id, "name": ctx.field("name"),
           "integrationId": ctx.field("integrationId"),
           "enabled": True if enabled is None else bool(enabled),
           "settings": ctx.field("settings") or {}, "encryptedSettings": {},
           "createdAt": stamp, "updatedAt": stamp}
    with ctx.state.lock:
        ctx.state["insertFunctionInstances"][row["id"]] = row
    return {"insertFunctionInstance": row}


def _instance(ctx: Ctx) -> dict[str, Any]:
    row = ctx.state["insertFunctionInstances"].get(ctx.arg("instanceId"))
    if row is None:
        raise not_found("Insert function instance", ctx.arg("instanceId"))
    return row


@handles("getInsertFunctionInstance")
def get_instance(ctx: Ctx) -> dict[str, Any]:
    return {"insertFunctionInstance": _instance(ctx)}


@handles("listInsertFunctionInstances")
def list_instances(ctx: Ctx) -> dict[str, Any]:
    function_id = ctx.state.get("functions", ctx.q("functionId") or "")["id"]
    rows = [i for i in ctx.state["insertFunctionInstances"].values()
            if i["classId"] == function_id]
    return listing(ctx, "instances", rows)


@handles("updateInsertFunctionInstance")
def update_instance(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        row = patch(_instance(ctx), ctx.body, ("name", "enabled", "settings"))
    return {"insertFunctionInstance": row}


@handles("deleteInsertFunctionInstance")
def delete_instance(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        del ctx.state["insertFunctionInstances"][_instance(ctx)["id"]]
    return DELETED


# Transformations -----------------------------------------------------------
_TRANSFORMATION_FIELDS = (
    "name", "sourceId", "destinationMetadataId", "enabled", "if", "drop", "newEventName",
    "propertyRenames", "propertyValueTransformations", "fqlDefinedProperties",
    "allowProperties", "hashPropertiesConfiguration",
)


@handles("createTransformation")
def create_transformation(ctx: Ctx) -> dict[str, Any]:
    ctx.state.get("sources", ctx.field("sourceId"))
    row = patch({"id": ctx.ids.for_family("transformation")}, ctx.body,
                _TRANSFORMATION_FIELDS)
    with ctx.state.lock:
        ctx.state["transformations"][row["id"]] = row
    return {"transformation": row}


@handles("getTransformation")
def get_transformation(ctx: Ctx) -> dict[str, Any]:
    return {"transformation": ctx.state.get("transformations", ctx.arg("transformationId"))}


@handles("listTransformations")
def list_transformations(ctx: Ctx) -> dict[str, Any]:
    return listing(ctx, "transformations", list(ctx.state["transformations"].values()))


@handles("updateTransformation")
def update_transformation(ctx: Ctx) -> dict[str, Any]:
    if ctx.field("sourceId"):
        ctx.state.get("sources", ctx.field("sourceId"))
    with ctx.state.lock:
        row = ctx.state.get("transformations", ctx.arg("transformationId"))
        patch(row, ctx.body, _TRANSFORMATION_FIELDS)
    return {"transformation": row}


@handles("deleteTransformation")
def delete_transformation(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        row_id = ctx.state.get("transformations", ctx.arg("transformationId"))["id"]
        del ctx.state["transformations"][row_id]
    return DELETED
