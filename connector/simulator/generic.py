"""Schema-made answers for operations without a stateful handler."""

from __future__ import annotations

from typing import Any

from connector.simulator import catalog, pagination
from connector.simulator.handlers import Ctx

# Path parameters that name stored resources; unknown ids answer 404 everywhere.
OWNED = {"sourceId": "sources", "destinationId": "destinations", "warehouseId": "warehouses",
         "functionId": "functions", "trackingPlanId": "trackingPlans", "userId": "users",
         "userGroupId": "userGroups", "modelId": "reverseEtlModels",
         "transformationId": "transformations", "spaceId": "spaces"}


def check_parents(ctx: Ctx) -> None:
    # Under /spaces/ the other ids belong to Engage objects the simulator does not store.
    engage = ctx.op.path.startswith("/spaces/")
    for name, value in ctx.params.items():
        if name in OWNED and (not engage or name == "spaceId"):
            ctx.state.get(OWNED[name], value)


def answer(ctx: Ctx) -> Any:
    check_parents(ctx)
    # `data` is optional in many response schemas; a real answer always has it.
    data = ctx.gen.instance(catalog.schema(ctx.op.response_model), "data")
    if not isinstance(data, dict):
        return data
    last = list(ctx.params.values())[-1] if ctx.params else None
    for value in data.values():
        if isinstance(value, dict) and "id" in value and last:
            value["id"] = last
    if isinstance(data.get("pagination"), dict):
        name = next((p["name"] for p in ctx.op.query if "Pagination" in p["model"]),
                     "pagination")
        items = next((v for v in data.values() if isinstance(v, list)), [])
        data["pagination"] = pagination.page(items, ctx.query, name)[1]
    return data
