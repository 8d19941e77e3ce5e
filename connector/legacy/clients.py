"""Config API calls made through the two public client libraries, for `legacy scan`.

- `segment-config-api` (Python, `SegmentConfigApi`): a fluent interface,
  `api.workspace('ws').source('js').destination('ga').get()`, also through
  variables (`ws = api.workspace('ws')` then `ws.sources.list()`).
- `@perspective-software/segment-api` (JavaScript, `SegmentApi`): one method
  per call, `segmentApi.getSourceList({...})`.

A file is read for these only when it uses the library, so a `getSource(` of
some other code is not taken for a Config API call. Arguments that are string
literals become path segments; anything else is `VAR`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VAR = "VAR"
_ARG = "ARG"  # the step's first argument

# segment-config-api: chain steps -> path segments they add.
_STEPS: dict[str, tuple[str, ...]] = {
    "workspaces": ("workspaces",), "workspace": ("workspaces", _ARG),
    "sources": ("sources",), "source": ("sources", _ARG),
    "destinations": ("destinations",), "destination": ("destinations", _ARG),
    "tracking_plans": ("tracking-plans",), "tracking_plan": ("tracking-plans", _ARG),
    "regulations": ("regulations",), "regulation": ("regulations", _ARG),
    "suppressed_users": ("suppressed-users",), "roles": ("roles",), "policies": ("-", "policies"),
    "invites": ("invites",), "invite": ("invites", _ARG),
    "destination_filters": ("filters",), "destination_filter": ("filters", _ARG),
    "event_delivery_metrics": ("metrics",), "integrations_catalog": ("catalog",),
    "role_policies": ("workspaces", VAR, "roles", _ARG, "policies"),
    "role_policy": ("workspaces", VAR, "roles", VAR, "policies", _ARG),
}
# Terminal calls -> (method, segments added, segments replaced at the end).
_CALLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "list": ("GET", ()), "get": ("GET", ()), "create": ("POST", ()), "update": ("PATCH", ()),
    "delete": ("DELETE", ()), "preview": ("POST", ("preview",)),
    "get_schema_config": ("GET", ("schema-config",)),
    "update_schema_config": ("PATCH", ("schema-config",)),
    "create_source_connection": ("POST", ("source-connections",)),
    "batch_create_source_connection": ("POST",
                                       ("source-connections:batchCreateConnections",)),
    "list_source_connections": ("GET", ("source-connections",)),
    "delete_source_connection": ("DELETE", ("source-connections", _ARG)),
    "list_timeseries": ("GET", ()), "get_timeseries": ("GET", (_ARG,)),
    "batch_get_timeseries": ("GET", (":batchGet",)),
    "get_summary": ("GET", (":getSummary",)),
    "batch_get_summary_metrics": ("GET", ("event-delivery-metrics:batchGetSummary",)),
}
# @perspective-software/segment-api: method -> (HTTP method, path).
_JS_METHODS: dict[str, tuple[str, str]] = {
    "getTokenList": ("GET", "/access-tokens"),
    "getWorkspaceList": ("GET", "/workspaces"),
    "getWorkspace": ("GET", "/workspaces/VAR"),
    "getCatalogSourceList": ("GET", "/catalog/sources"),
    "getCatalogSource": ("GET", "/catalog/sources/VAR"),
    "getCatalogDestinationList": ("GET", "/catalog/destinations"),
    "getCatalogDestination": ("GET", "/catalog/destinations/VAR"),
    "createSource": ("POST", "/workspaces/VAR/sources"),
    "getSourceList": ("GET", "/workspaces/VAR/sources"),
    "getSource": ("GET", "/workspaces/VAR/sources/VAR"),
    "deleteSource": ("DELETE", "/workspaces/VAR/sources/VAR"),
    "createDestination": ("POST", "/workspaces/VAR/sources/VAR/destinations"),
    "getDestinationList": ("GET", "/workspaces/VAR/sources/VAR/destinations"),
    "getDestination": ("GET", "/workspaces/VAR/sources/VAR/destinations/VAR"),
    "updateDestination": ("PATCH", "/workspaces/VAR/sources/VAR/destinations/VAR"),
    "deleteDestination": ("DELETE", "/workspaces/VAR/sources/VAR/destinations/VAR"),
}
_PY_CLIENT = re.compile(r"\bsegment_config_api\b|\bSegmentConfigApi\b")
_JS_CLIENT = re.compile(r"@perspective-software/segment-api|\bSegmentApi\b")
_ROOT = re.compile(r"\b([A-Za-z_]\w*)\s*=\s*(?:[\w.]+\.)?SegmentConfigApi\s*\(")
_ARGS = r"\((?:[^()]|\([^()]*\))*\)"
_CHAIN = re.compile(rf"\b([A-Za-z_]\w*)((?:\s*\.\s*[A-Za-z_]\w*(?:\s*{_ARGS})?)+)")
_STEP = re.compile(rf"\.\s*([A-Za-z_]\w*)\s*({_ARGS})?")
_LITERAL = re.compile(r"""^\(\s*(['"])([^'"/]+)\1""")
_JS_CALL = re.compile(r"\.\s*(" + "|".join(_JS_METHODS) + r")\s*\(")


@dataclass
class ClientCall:
    """One Config API call made through a client library."""

    line: int
    method: str
    path: str
    client: str


def _arg(args: str | None) -> str:
    got = _LITERAL.match(args or "")
    return got.group(2) if got else VAR


def _walk(prefix: list[str], steps: list[tuple[str, str | None]]
          ) -> tuple[list[str], tuple[str, str] | None]:
    """(path segments, (method, path) of a terminal call or None) after `steps`."""
    path = list(prefix)
    for at, (name, args) in enumerate(steps):
        if name in _CALLS and args is not None and at == len(steps) - 1:
            method, extra = _CALLS[name]
            if method == "PATCH" and path[-2:-1] == ["tracking-plans"]:
                method = "PUT"  # the library updates a tracking plan with PUT
            for seg in extra:
                if seg.startswith(":"):
                    path[-1] += seg
                else:
                    path.append(_arg(args) if seg == _ARG else seg)
            return path, (method, "/v1beta/" + "/".join(path))
        if name not in _STEPS:
            return path, None
        path += [_arg(args) if seg == _ARG else seg for seg in _STEPS[name]]
    return path, None


def scan_python(lines: list[tuple[int, str]]) -> list[ClientCall]:
    """Calls through `segment-config-api` in a Python file's logical lines."""
    if not any(_PY_CLIENT.search(text) for _, text in lines):
        return []
    known: dict[str, list[str]] = {}  # variable -> path it stands for
    out: list[ClientCall] = []
    for number, text in lines:
        for root in _ROOT.finditer(text):
            known[root.group(1)] = []
        assigned = re.match(r"\s*([A-Za-z_]\w*)\s*=\s*(.*)$", text)
        for chain in _CHAIN.finditer(text):
            if chain.group(1) not in known:
                continue
            steps = [(m.group(1), m.group(2)) for m in _STEP.finditer(chain.group(2))]
            path, call = _walk(known[chain.group(1)], steps)
            if call is not None:
                out.append(ClientCall(number, call[0], call[1], "segment-config-api"))
            elif assigned and chain.start() == assigned.start(2):
                known[assigned.group(1)] = path  # ws = api.workspace('x')
    return out


def scan_javascript(lines: list[tuple[int, str]]) -> list[ClientCall]:
    """Calls through `@perspective-software/segment-api` in a JavaScript file."""
    if not any(_JS_CLIENT.search(text) for _, text in lines):
        return []
    out = []
    for number, text in lines:
        for found in _JS_CALL.finditer(text):
            method, path = _JS_METHODS[found.group(1)]
            out.append(ClientCall(number, method, "/v1beta" + path,
                                  "@perspective-software/segment-api"))
    return out
