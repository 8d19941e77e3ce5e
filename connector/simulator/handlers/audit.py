"""The audit trail's listing: newest first, filtered by time window and resource."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connector.simulator.errors import invalid
from connector.simulator.handlers import Ctx, handles, listing


def _time(ctx: Ctx, name: str) -> datetime | None:
    text = ctx.q(name)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise invalid(name, f'"{name}" must be an ISO-8601 date-time') from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@handles("listAuditEvents")
def list_audit_events(ctx: Ctx) -> dict[str, Any]:
    start, end = _time(ctx, "startTime"), _time(ctx, "endTime")
    resource_id, kind = ctx.q("resourceId"), (ctx.q("resourceType") or "").lower()
    with ctx.state.lock:
        events = list(ctx.state["auditEvents"].values())
    rows = []
    for event in reversed(events):  # recorded oldest first
        moment = datetime.fromisoformat(event["timestamp"])
        if (start and moment < start) or (end and moment > end) \
                or (resource_id and event["resourceId"] != resource_id) \
                or (kind and event["resourceType"].lower() != kind):
            continue
        rows.append(event)
    return listing(ctx, "events", rows)
