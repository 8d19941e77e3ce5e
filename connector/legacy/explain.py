"""What a Config API call becomes, from the mapping table alone: nothing is sent."""

from __future__ import annotations

from typing import Any

from connector.legacy.errors import NoCounterpartError
from connector.legacy.table import Endpoint, endpoints, find

WORKSPACE_CHECK = ("the workspace in the path is checked once per run against the token's "
                   "own (getWorkspace); another workspace answers 404")


def describe(endpoint: Endpoint, method: str | None = None) -> dict[str, Any]:
    """The plan of `endpoint` as data: the actions in order, the fields, what is dropped."""
    out: dict[str, Any] = {
        "endpoint": f"{method or '|'.join(endpoint.methods)} /v1beta{endpoint.path}",
        "row": endpoint.row, "summary": endpoint.summary, "mapping": endpoint.kind,
    }
    if endpoint.kind == "none":
        out.update(why=endpoint.why, alternative=endpoint.alternative)
        return out
    steps = list(endpoint.public)
    checks = [WORKSPACE_CHECK] if "{ws}" in endpoint.path else []
    out.update(actions=steps, checks=checks,
               fields=[dict(f) for f in endpoint.fields],
               dropped=dict(endpoint.dropped))
    if endpoint.notes:
        out["notes"] = endpoint.notes
    if endpoint.items:
        out["paging"] = (f"page_size -> count, page_token -> cursor (wrapped); the answer "
                         f"lists {endpoint.items} with next_page_token")
    return out


def explain(method: str, path: str) -> dict[str, Any]:
    """The plan of the call `method path`; NoCounterpartError when the table has none."""
    endpoint, params = find(method, path)
    if endpoint.kind == "none":
        raise NoCounterpartError(method.upper(), endpoint.path, endpoint.why,
                                 endpoint.alternative)
    out = describe(endpoint, method.upper())
    if params:
        out["path_parameters"] = params
    return out


def explain_all() -> list[dict[str, Any]]:
    return [describe(e) for e in endpoints()]


def as_text(plan: dict[str, Any]) -> str:
    """A plan for a person: the endpoint, its actions in order, the field table."""
    lines = [f"{plan['endpoint']}  (row {plan['row']}: {plan['summary']}; "
             f"{plan['mapping']} mapping)"]
    if plan["mapping"] == "none":
        lines += [f"  no Public API counterpart: {plan['why']}",
                  f"  instead: {plan['alternative']}"]
        return "\n".join(lines)
    for at, action in enumerate(plan["actions"], 1):
        lines.append(f"  {at}. {action}")
    for check in plan.get("checks", []):
        lines.append(f"  check: {check}")
    if plan.get("path_parameters"):
        shown = ", ".join(f"{k}={v}" for k, v in plan["path_parameters"].items())
        lines.append(f"  path: {shown}")
    if plan.get("paging"):
        lines.append(f"  paging: {plan['paging']}")
    if plan["fields"]:
        lines.append("  fields (Config API <-> Public API):")
        for f in plan["fields"]:
            how = f"  ({f['how']})" if f.get("how") else ""
            lines.append(f"    {f['config']} <-> {f['public']}{how}")
    for name, why in plan["dropped"].items():
        lines.append(f"  dropped: {name}: {why}")
    if plan.get("notes"):
        lines.append(f"  note: {plan['notes']}")
    return "\n".join(lines)
