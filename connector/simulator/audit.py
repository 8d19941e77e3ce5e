"""The audit trail: the events each operation's description says it may generate
(vendored as `audit_events`), recorded as its requests succeed, listed newest first by
listAuditEvents.

Of an operation's events, those that name a state change happen only when the request
makes it: `... Enabled`/`... Disabled` (and `Model State Change Toggled`) when the
body sets `enabled` that way, `... Settings Modified` when it sends `settings`.
"""

from __future__ import annotations

from typing import Any

from connector.simulator import fixtures
from connector.simulator.catalog import Operation
from connector.simulator.generic import named_resource
from connector.simulator.ids import IdSource, now
from connector.simulator.state import State

# The simulator has one user per token: the workspace owner acts.
ACTOR = fixtures.USERS[0]
NAME_KEYS = ("name", "displayName", "title", "slug", "key", "email")


def _sent(body: Any) -> dict[str, Any]:
    """Body fields, and the fields of an object the body wraps (`{"input": {...}}`)."""
    if not isinstance(body, dict):
        return {}
    out: dict[str, Any] = {}
    for value in body.values():
        if isinstance(value, dict):
            out.update(value)
    return out | body


def events_for(op: Operation, body: Any) -> list[str]:
    """The event types this request generates, in the order the catalogue lists them."""
    sent = _sent(body)
    out = []
    for name in op.audit_events:
        if name.endswith(("Enabled", "Disabled", "Toggled")):
            enabled = sent.get("enabled")
            if not isinstance(enabled, bool):
                continue
            if name.endswith("Enabled" if not enabled else "Disabled"):
                continue
        elif name.endswith("Settings Modified") and "settings" not in sent:
            continue
        out.append(name)
    return out


def resource(op: Operation, params: dict[str, str], data: Any) -> tuple[str, str, str]:
    """(id, type, name) of what a request acted on: the object its answer carries, else
    the object its path names, else the path's last parameter (or the workspace)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(value, dict):
                continue
            ident = value.get("id")
            if not isinstance(ident, str) and {"key", "value"} <= value.keys():
                ident = f"{value['key']}:{value['value']}"  # a label
            if isinstance(ident, str):
                name = next((value[k] for k in NAME_KEYS
                             if isinstance(value.get(k), str) and value[k]), ident)
                return ident, key, name
    named = named_resource(op, params)
    if named:
        return named[1], named[0], named[1]
    if params:
        last = list(params)[-1]
        ident = ":".join(params.values())
        return ident, last.removesuffix("Id"), ident
    return "", "workspace", ""


def record(state: State, ids: IdSource, op: Operation, params: dict[str, str], body: Any,
           data: Any, workspace: dict[str, Any]) -> None:
    """Add the events `op` generates for this request (call under `state.lock`)."""
    names = events_for(op, body)
    if not names:
        return
    ident, kind, name = resource(op, params, data)
    if not ident:
        ident, name = workspace["id"], workspace["name"]
    for event_type in names:
        event = {"id": ids.for_family("event"), "timestamp": now(), "type": event_type,
                 "actor": ACTOR["id"], "actorEmail": ACTOR["email"], "resourceId": ident,
                 "resourceType": kind, "resourceName": name}
        state["auditEvents"][event["id"]] = event
