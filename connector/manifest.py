"""manifest.json: everything a flow builder needs to render forms, made from the registry.

What it says is what happens: an input's `default` is exactly what the runtime
sends when the input is left blank (templates a user edits are `placeholder`s),
`choices` and the schema's `enum` are what validation accepts, a union-typed
input carries the catalogue's `anyOf`, and each action says what it does to
the workspace (`safety`), whether a retry is safe (`idempotent`), its
`stability`, its endpoint's `rateLimit` and the workspace `feature` it needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connector import __version__
from connector.api import catalog
from connector.api.areas import title_for
from connector.errors import ConnectorError
from connector.registry import Registry
from connector.spec import REGION, Action, DataSource, Input, RequestExecutor, Trigger

_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number",
               "boolean": "boolean", "object": "object", "array": "array"}

CONNECTION_INPUTS = (
    Input("token", comments="Public API token of the workspace (Settings > Access Management "
          "> Tokens). Secret.", required=True, secret=True, label="API Token"),
    Input("region", comments="API region: `api` (US) or `eu1.api` (EU).", default="api",
          choices=("api", "eu1.api")),
    Input("baseUrl", comments="Send requests here instead (a simulator or proxy).",
          label="Base URL"),
)


def input_schema(inp: Input) -> dict[str, Any]:
    """JSON Schema of one input's value."""
    if isinstance(inp.schema, str):
        out = dict(catalog.resolve(inp.schema))
    elif inp.schema is not None:
        out = dict(inp.schema)
    else:
        out = {}
        if inp.type in _JSON_TYPES:
            out["type"] = _JSON_TYPES[inp.type]
        if inp.type == "array" and inp.items in _JSON_TYPES:
            out["items"] = {"type": _JSON_TYPES[inp.items]}
    if inp.choices and inp.type == "array":  # the enum restricts the elements
        out["items"] = {**out.get("items", {}), "enum": list(inp.choices)}
    elif inp.choices:
        out["enum"] = list(inp.choices)
    if inp.minimum is not None:
        out["minimum"] = inp.minimum
    if inp.maximum is not None:
        out["maximum"] = inp.maximum
    if inp.required and inp.type == "string" and not inp.choices:
        out["minLength"] = 1
    if inp.default is not None:
        out["default"] = inp.default
    if inp.example is not None:
        out["examples"] = [inp.example]
    if inp.comments:
        out["description"] = inp.comments
    if inp.secret:
        out["writeOnly"] = True
    return out


def inputs_schema(inputs: tuple[Input, ...]) -> dict[str, Any]:
    """One JSON Schema (an object) for all of a plugin's inputs."""
    return {
        "type": "object",
        "properties": {inp.key: input_schema(inp) for inp in inputs},
        "required": [inp.key for inp in inputs if inp.required],
        "additionalProperties": False,
    }


def describe_input(inp: Input, where: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"key": inp.key, "label": inp.display, "type": inp.type,
                           "required": inp.required, "default": inp.default,
                           "comments": inp.comments}
    if where:
        out["in"] = where
        if inp.name:
            out["name"] = inp.name
    for attr in ("example", "placeholder", "picklist", "items"):
        value = getattr(inp, attr)
        if value is not None:
            out[attr] = value
    if inp.choices:
        out["choices"] = list(inp.choices)
    if inp.secret:
        out["secret"] = True
    return out


def distribution(dist: tuple[str, str] | None) -> dict[str, str] | None:
    """The distribution (package) and version that declared an item, when known."""
    return None if dist is None else {"name": dist[0], "version": dist[1]}


def dry_run_of(action: Action) -> str:
    """What a dry run of the action shows, in words."""
    if action.run is None or isinstance(action.run, RequestExecutor):
        return "the request it would send"
    return action.dry_run


def describe_action(action: Action) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": action.key, "display": action.display, "description": action.description,
        "area": action.area, "areaName": title_for(action.area),
        "aliases": list(action.aliases), "plugin": action.plugin,
        "distribution": distribution(action.distribution),
    }
    if action.run is None:
        out.update(method=action.method, path=action.path, media=action.media,
                   status=action.status, paginated=action.paginated)
        if action.items:
            out["items"] = action.items
    else:  # code of its own: what it declares a dry run shows
        out.update(executor="custom", dryRun=dry_run_of(action))
    out.update(safety=action.safety, idempotent=action.idempotent,
               stability=action.stability, rateLimit=_rate_limit(action),
               feature=action.feature)
    out["inputs"] = [describe_input(i, action.where(i)) for i in action.inputs]
    out["inputSchema"] = inputs_schema(action.inputs)
    out["examplePayload"] = action.example_payload()
    return out


def _rate_limit(action: Action) -> dict[str, Any] | None:
    """The endpoint's own limit, as the catalogue states it; None: the API's default."""
    if action.rate_limit is None:
        return None
    limit, per = action.rate_limit
    return {"limit": limit, "per": per}


def describe_datasource(source: DataSource) -> dict[str, Any]:
    return {
        "key": source.key, "display": source.display, "description": source.description,
        "type": "picklist", "action": source.action, "aliases": list(source.aliases),
        "plugin": source.plugin, "distribution": distribution(source.distribution),
        # The inputs a builder must fill before it can load the options (parent ids).
        "dependsOn": [i.key for i in source.inputs
                      if i.required and i.default is None and i is not REGION],
        "inputs": [describe_input(i) for i in source.all_inputs],
        "inputSchema": inputs_schema(source.all_inputs),
        "examplePayload": source.example,
    }


def describe_trigger(trigger: Trigger) -> dict[str, Any]:
    return {
        "key": trigger.key, "display": trigger.display, "description": trigger.description,
        "type": "polling", "feed": trigger.feed.kind, "reads": trigger.feed.action or None,
        "aliases": list(trigger.aliases), "plugin": trigger.plugin,
        "distribution": distribution(trigger.distribution),
        "inputs": [describe_input(i) for i in trigger.all_inputs],
        "inputSchema": inputs_schema(trigger.all_inputs),
        "sampleEvent": trigger.sample,
    }


# How a flow engine polls: the call, what it takes and what it answers.
POLLING = {
    "command": "segment-connector poll KEY --state FILE",
    "python": "connector.triggers.poll_trigger",
    "takes": {"inputs": "object", "state": "the `state` of the previous poll; none at first"},
    "returns": {"events": "array, oldest first, each event once", "state": "object"},
    "firstPoll": "starts from now (returns nothing earlier) unless the `since` input is given",
}


def build(registry: Registry) -> dict[str, Any]:
    actions = sorted(registry.actions.items.values(), key=lambda a: a.key)
    sources = sorted(registry.datasources.items.values(), key=lambda d: d.key)
    triggers = sorted(registry.triggers.items.values(), key=lambda t: t.key)
    return {
        "name": "segment",
        "display": "Segment",
        "version": __version__,
        "apiVersion": catalog.load()["api_version"],
        "connection": {
            "inputs": [describe_input(i) for i in CONNECTION_INPUTS],
            "inputSchema": inputs_schema(CONNECTION_INPUTS),
            "environment": {"token": "SEGMENT_API_TOKEN", "region": "SEGMENT_REGION",
                            "baseUrl": "SEGMENT_BASE_URL"},
            # How to test a connection when it is saved: the cheapest read.
            "test": {"operation": "getWorkspace", "command": "segment-connector check",
                     "python": "connector.check.check_connection",
                     "returns": {"workspace": ["id", "name", "slug"], "region": "string",
                                 "baseUrl": "string"},
                     "errors": ["token_refused", "wrong_region", "unreachable"]},
        },
        "errors": error_codes(),
        "actions": [describe_action(a) for a in actions],
        "picklists": [describe_datasource(d) for d in sources],
        "polling": POLLING,
        "triggers": [describe_trigger(t) for t in triggers],
    }


# The modules that define error classes of their own, so that each is listed: gathered
# here, where the manifest is built, so that the errors module depends on nothing.
ERROR_MODULES = ("connector.batch", "connector.check", "connector.legacy.errors",
                 "connector.mcp.answers", "connector.mcp.confirm", "connector.paging",
                 "connector.ratelimit", "connector.registry", "connector.retry",
                 "connector.service.errors", "connector.triggers.state")


def error_codes() -> list[dict[str, Any]]:
    """Every `code` a typed error can carry, with its category, retry flag and exit code:
    the table flow builders route on (manifest and docs)."""
    import importlib

    for name in ERROR_MODULES:
        importlib.import_module(name)
    rows: dict[str, dict[str, Any]] = {}
    stack: list[type[ConnectorError]] = [ConnectorError]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        codes = getattr(cls, "codes", (cls.kind,))
        doc = (cls.__doc__ or "").strip().splitlines()
        for code in codes:
            rows.setdefault(code, {"code": code, "category": cls.category,
                                   "retryable": cls.retryable, "exitCode": cls.exit_code,
                                   "class": cls.__name__, "meaning": doc[0] if doc else ""})
    return sorted(rows.values(), key=lambda r: (r["category"], r["code"]))


def render(registry: Registry) -> str:
    return json.dumps(build(registry), indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def write(registry: Registry, path: Path) -> None:
    path.write_text(render(registry), encoding="utf-8")


def is_current(registry: Registry, path: Path) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == render(registry)
