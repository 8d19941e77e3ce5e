"""The workspace itself, labels, spaces and the echo test endpoint."""

from __future__ import annotations

import time
from typing import Any

from connector.simulator.errors import ApiError, conflict, invalid, not_found
from connector.simulator.handlers import DELETED, Ctx, handles, listing
from connector.simulator.handlers.sources import label_key


@handles("getWorkspace")
def get_workspace(ctx: Ctx) -> dict[str, Any]:
    return {"workspace": ctx.state.workspace}


@handles("createLabel")
def create_label(ctx: Ctx) -> dict[str, Any]:
    label = {k: v for k, v in ctx.field("label").items()
             if k in ("key", "value", "description") and v is not None}
    with ctx.state.lock:
        if label_key(label) in ctx.state["labels"]:
            raise conflict(f"Label {label_key(label)!r} already exists")
        ctx.state["labels"][label_key(label)] = label
    return {"label": label}


@handles("listLabels")
def list_labels(ctx: Ctx) -> dict[str, Any]:
    return {"labels": list(ctx.state["labels"].values())}


@handles("deleteLabel")
def delete_label(ctx: Ctx) -> dict[str, Any]:
    key = f"{ctx.arg('key')}:{ctx.arg('value')}"
    with ctx.state.lock:
        if key not in ctx.state["labels"]:
            raise not_found("Label", key)
        if any(label_key(x) == key for s in ctx.state["sources"].values() for x in s["labels"]):
            raise conflict(f"Label {key!r} is still attached to a source")
        del ctx.state["labels"][key]
    return DELETED


@handles("getSpace")
def get_space(ctx: Ctx) -> dict[str, Any]:
    return {"space": ctx.state.get("spaces", ctx.arg("spaceId"))}


@handles("listSpaces")
def list_spaces(ctx: Ctx) -> dict[str, Any]:
    return listing(ctx, "spaces", list(ctx.state["spaces"].values()))


def _flag(ctx: Ctx, name: str) -> bool:
    return (ctx.q(name) or "").lower() in ("1", "true", "yes")


@handles("echo")
def echo(ctx: Ctx) -> Any:
    delay = ctx.q("delay")
    if delay and delay.isascii() and delay.isdigit() and len(delay) < 10:
        time.sleep(min(int(delay), 30_000) / 1000)
    if _flag(ctx, "triggerUnexpectedError"):
        raise ApiError(500, "unexpected-error", "An unexpected error was triggered")
    if _flag(ctx, "triggerMultipleErrors"):
        error = ApiError(400, "echo-error", "First triggered error")
        error.errors.append({"type": "echo-error", "message": "Second triggered error"})
        raise error
    text = ctx.q("statusCode") or ""
    status = int(text) if text.isascii() and text.isdigit() and len(text) < 6 else 200
    if not 200 <= status <= 599:  # 1xx or a made-up code would not be a valid answer
        raise invalid("statusCode", f'"statusCode" must be from 200 to 599, not {status}')
    if _flag(ctx, "triggerError"):
        raise ApiError(status if status >= 400 else 400, "echo-error", "Triggered error")
    if status >= 400:
        raise ApiError(status, "echo-error", ctx.q("message") or "")
    data = {"method": "get", "message": ctx.q("message") or "",
            "headers": {k: v for k, v in ctx.headers.items() if k.lower() != "authorization"}}
    return status, data
