"""Functions: list, get, create, update (by mask), delete, deploy."""

from __future__ import annotations

from typing import Any

from connector.errors import InputError
from connector.legacy import fields
from connector.legacy.handlers import body_object, handles, listed
from connector.legacy.mask import CLEAR, masked, paths
from connector.legacy.plan import Plan

_TYPES = ("SOURCE", "DESTINATION", "INSERT_SOURCE", "INSERT_DESTINATION")
_WRITABLE = ("display_name", "description", "code", "settings", "logo_url")


def function(plan: Plan, item: dict[str, Any]) -> dict[str, Any]:
    out = fields.to_config("function", item)
    out["name"] = f"{plan.ws}/functions/{item.get('id')}"
    return out


def _type(value: Any) -> str:
    kind = str(value or "SOURCE").upper()
    if kind not in _TYPES:
        raise InputError({"type": f"must be one of {', '.join(_TYPES)}"}, "legacy")
    return kind


@handles("GET /workspaces/{ws}/functions")
def list_functions(plan: Plan) -> dict[str, Any]:
    items, token = listed(plan, "listFunctions", "functions",
                          {"resourceType": _type(plan.query.get("type"))})
    return {"functions": [function(plan, i) for i in items], "next_page_token": token}


@handles("GET /workspaces/{ws}/functions/{function}")
def get_function(plan: Plan) -> dict[str, Any]:
    data = plan.call("getFunction", {"functionId": plan.params["function"]})
    return function(plan, data.get("function") or {})


@handles("POST /workspaces/{ws}/functions")
def create_function(plan: Plan) -> dict[str, Any]:
    given = body_object(plan, "function")
    for need in ("display_name", "code"):
        if not isinstance(given.get(need), str) or not given[need]:
            raise InputError({f"function.{need}": "is required"}, "legacy")
    values = fields.to_public("function", {k: given[k] for k in _WRITABLE if k in given})
    values["resourceType"] = _type(given.get("type"))
    data = plan.call("createFunction", values)
    return function(plan, data.get("function") or {})


@handles("PATCH /workspaces/{ws}/functions/{function}")
def update_function(plan: Plan) -> dict[str, Any]:
    changes = masked(body_object(plan, "function", required=False), "function",
                     paths(plan.body, plan.query), _WRITABLE, required=True)
    cleared = {k: ([] if k == "settings" else "") for k, v in changes.items() if v is CLEAR}
    values = fields.to_public("function", {**changes, **cleared})
    data = plan.call("updateFunction", {"functionId": plan.params["function"], **values})
    return function(plan, data.get("function") or {})


@handles("DELETE /workspaces/{ws}/functions/{function}")
def delete_function(plan: Plan) -> dict[str, Any]:
    plan.call("deleteFunction", {"functionId": plan.params["function"]})
    return {}


@handles("GET /workspaces/{ws}/functions/{function}/deploy",
         "POST /workspaces/{ws}/functions/{function}/deploy")
def deploy_function(plan: Plan) -> dict[str, Any]:
    data = plan.call("createFunctionDeployment", {"functionId": plan.params["function"]})
    return {"name": f"{plan.ws}/functions/{plan.params['function']}",
            "deployment": data}
