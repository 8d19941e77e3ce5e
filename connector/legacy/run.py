"""Answer one Config API call: find its endpoint, check it, run its handler, shape the answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from connector.errors import ConnectorError, InputError
from connector.legacy.errors import NoCounterpartError, unknown_endpoint
from connector.legacy.handlers import load
from connector.legacy.plan import Plan
from connector.legacy.table import find, split_path

if TYPE_CHECKING:
    from connector.legacy.plan import Bridge


def answer(bridge: Bridge, method: str, path: str, body: Any = None, dry: bool = False
           ) -> tuple[dict[str, Any], Plan]:
    """(the Config API-shaped answer, its plan); errors before any I/O for bad requests."""
    method = (method or "").upper()
    endpoint, params = find(method, path)
    if endpoint.kind == "none":
        raise NoCounterpartError(method, endpoint.path, endpoint.why, endpoint.alternative)
    if body is not None and not isinstance(body, Mapping):
        raise InputError({"body": "must be a JSON object"}, "legacy")
    query_text, _ = split_path(path)
    query = dict(parse_qsl(query_text, keep_blank_values=True))
    handler = load().get(f"{method} {endpoint.path}")
    if handler is None:  # the table names an endpoint no handler serves: a bug, said plainly
        raise unknown_endpoint(method, endpoint.path)
    plan = Plan(bridge.runtime, bridge.resolver, endpoint, params, query, dict(body or {}), dry)
    if "ws" in params:
        bridge.resolver.workspace(plan, params["ws"])
    try:
        result = handler(plan)
    except ConnectorError as exc:
        done = plan.writes_done()
        if done and exc.args:  # a rerun would repeat these: say so in the one error line
            exc.args = (f"{exc.args[0]} (already done before this failed, not undone: "
                        f"{', '.join(done)})", *exc.args[1:])
            exc.writes_done = done  # type: ignore[attr-defined]
        raise
    if plan.warnings or endpoint.kind == "partial":
        result["warnings"] = list(dict.fromkeys(plan.warnings))
    return result, plan
