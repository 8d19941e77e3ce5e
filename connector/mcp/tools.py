"""The tools an MCP client lists, made from the registry as the manifest describes it.

Two shapes. The dynamic mode (the default) lists a few meta-tools that reach
every action: search, describe, run, dry run (which hands out confirmations),
picklist and poll; its whole list stays under 10 KB. The toolset mode lists
the actions of some areas (or `all`) as tools of their own, each with the
action's title, description, input schema, annotations from its safety
facts, and the catalogue's output schema, beside the dry-run, picklist and
poll tools. Either way, actions the credential's policy refuses are not
listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import mcp_types as types

from connector.api import catalog
from connector.cli.describe import traits
from connector.errors import InputError
from connector.manifest import inputs_schema
from connector.mcp.confirm import needs_confirmation
from connector.policy import Policy, plain_name
from connector.registry import Registry
from connector.spec import Action

SEARCH, DESCRIBE, RUN, DRY_RUN = "search_actions", "describe_action", "run_action", "dry_run_action"
PICKLIST, POLL = "picklist", "poll_trigger"
DYNAMIC = (SEARCH, DESCRIBE, RUN, DRY_RUN, PICKLIST, POLL)
ALL = "all"
# Arguments the server reads itself, beside an action's inputs.
CONFIRMATION, MAX_BYTES = "confirmation", "maxBytes"

_CONFIRMATION_SCHEMA = {
    "type": "string",
    "description": f"Token from `{DRY_RUN}` of this exact call (same inputs); used once."}
_MAX_BYTES_SCHEMA = {
    "type": "integer", "minimum": 1000,
    "description": "Largest answer wanted, in bytes (the server's cap when higher). A listing "
                   "past it is cut, with `truncated` and a `nextCursor` to pass as `cursor`."}
_INPUTS = {"type": "object", "description": "The action's inputs by key (see describe)."}


def select_areas(registry: Registry, toolsets: Sequence[str]) -> frozenset[str]:
    """The areas `--toolsets` names (`all`: every one); InputError naming an unknown one."""
    areas = {plain_name(a.area): a.area for a in registry.actions.items.values()}
    if any(plain_name(t) == ALL for t in toolsets):
        return frozenset(areas.values())
    unknown = [t for t in toolsets if plain_name(t) not in areas]
    if unknown:
        import difflib

        close = difflib.get_close_matches(plain_name(unknown[0]), list(areas), n=1)
        hint = f"; did you mean {areas[close[0]]!r}?" if close else ""
        known = ", ".join(sorted(areas.values()))
        raise InputError({"--toolsets": f"no area {unknown[0]!r}{hint} Known: all, {known}"})
    return frozenset(areas[plain_name(t)] for t in toolsets)


def permitted(action: Action, policies: Iterable[Policy]) -> bool:
    return all(p.permits(action) for p in policies)


def hints(action: Action) -> types.ToolAnnotations:
    """The MCP hints, as the manifest's safety facts say."""
    read = action.safety == "read"
    return types.ToolAnnotations(
        title=action.display, read_only_hint=read,
        destructive_hint=None if read else action.safety == "destructive",
        idempotent_hint=None if read else bool(action.idempotent),
        open_world_hint=True)  # it reaches the Segment API, outside this server


def _output_schema(action: Action) -> dict[str, Any] | None:
    """`{"data": <the catalogue's response>, "truncated", "nextCursor"}`, or None."""
    if action.run is not None or not action.response_model:
        return None
    body = dict(catalog.schema(action.response_model))
    defs = body.pop("$defs", None)
    out: dict[str, Any] = {"type": "object", "properties": {
        "data": body, "truncated": {"type": "boolean"}, "nextCursor": {"type": "string"}},
        "required": ["data"]}
    if defs:
        out["$defs"] = defs
    return out


def action_tool(action: Action) -> types.Tool:
    """One action as a tool of the toolset mode."""
    schema = inputs_schema(action.inputs)
    props = dict(schema["properties"])
    note = ""
    if action.paginated:
        props[MAX_BYTES] = _MAX_BYTES_SCHEMA
    if needs_confirmation(action, {}):
        props[CONFIRMATION] = _CONFIRMATION_SCHEMA
        note = f" Needs `{CONFIRMATION}`: a token from `{DRY_RUN}` of this exact call."
    schema["properties"] = props
    return types.Tool(name=action.key, title=action.display,
                      description=f"{action.description} ({traits(action)}).{note}",
                      input_schema=schema, annotations=hints(action),
                      output_schema=_output_schema(action))


def _schema(props: dict[str, Any], required: Sequence[str] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(required),
            "additionalProperties": False}


def _meta_tool(name: str, title: str, description: str, schema: dict[str, Any],
               read: bool) -> types.Tool:
    hints = types.ToolAnnotations(title=title, read_only_hint=read, open_world_hint=True)
    return types.Tool(name=name, title=title, description=description, input_schema=schema,
                      annotations=hints)


def meta_tools(registry: Registry, names: Sequence[str]) -> list[types.Tool]:
    """The meta-tools `names`, in that order."""
    triggers = sorted(registry.triggers.items)
    made = {
        SEARCH: _meta_tool(
            SEARCH, "Search actions",
            "Find Segment Public API actions by words (matched against key, title, description "
            "and area) and optionally one area. Answers key, title, area and safety of each; "
            f"then `{DESCRIBE}` one.",
            _schema({"query": {"type": "string", "description": "Words, e.g. 'delete source'."},
                     "area": {"type": "string", "description": "Only this area, e.g. Sources."},
                     "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 15}},
                    ["query"]), read=True),
        DESCRIBE: _meta_tool(
            DESCRIBE, "Describe an action",
            "One action's input schema, example inputs, picklists for its ids, safety, "
            "idempotency, rate limit and example answer.",
            _schema({"key": {"type": "string", "description": "Action key, e.g. listSources."}},
                    ["key"]), read=True),
        RUN: _meta_tool(
            RUN, "Run an action",
            "Run an action with its inputs. Destructive or non-idempotent writes need "
            f"`{CONFIRMATION}` from `{DRY_RUN}` of the same call. Listings answer at most "
            f"`{MAX_BYTES}`: a cut answer says `truncated` and gives `nextCursor` to pass as "
            "the `cursor` input. Errors carry code, category, retryable and retryAfter.",
            _schema({"key": {"type": "string"}, "inputs": _INPUTS,
                     CONFIRMATION: _CONFIRMATION_SCHEMA, MAX_BYTES: _MAX_BYTES_SCHEMA},
                    ["key"]), read=False),
        DRY_RUN: _meta_tool(
            DRY_RUN, "Show a call without sending it",
            "The request an action would send (secrets masked); nothing is sent. For a call "
            f"that needs one, also a `{CONFIRMATION}` token for exactly these inputs, good "
            "for one run within minutes.",
            _schema({"key": {"type": "string"}, "inputs": _INPUTS}, ["key"]), read=True),
        PICKLIST: _meta_tool(
            PICKLIST, "Picklist options",
            "Choices for an id input (an input's `picklist` in describe): "
            "[{label, key}], the key being what the input takes. Inputs: parent ids it "
            "depends on, `filter` (text), `maxItems`, `pageToken` (from `nextPageToken`).",
            _schema({"key": {"type": "string", "description": "Picklist key, e.g. sources."},
                     "inputs": _INPUTS}, ["key"]), read=True),
        POLL: _meta_tool(
            POLL, "Poll a trigger",
            "New events since the last poll, oldest first, and the state to pass to the next "
            "poll (none at first: the first poll starts from now unless `since` is given).",
            _schema({"key": {"type": "string", "enum": triggers}, "inputs": _INPUTS,
                     "state": {"type": ["object", "null"]}, MAX_BYTES: _MAX_BYTES_SCHEMA},
                    ["key"]), read=True),
    }
    return [made[n] for n in names]


def list_tools(registry: Registry, areas: frozenset[str] | None,
               policies: Sequence[Policy]) -> list[types.Tool]:
    """Every tool of the mode: dynamic when `areas` is None, else those areas' actions."""
    if areas is None:
        return meta_tools(registry, DYNAMIC)
    actions = sorted((a for a in registry.actions.items.values()
                      if a.area in areas and permitted(a, policies)), key=lambda a: a.key)
    return [*(action_tool(a) for a in actions),
            *meta_tools(registry, (DESCRIBE, DRY_RUN, PICKLIST, POLL))]


def search(registry: Registry, query: str, area: str | None, limit: int,
           policies: Sequence[Policy]) -> list[dict[str, Any]]:
    """Actions the policy permits, best match first: every word counted where it appears."""
    words = [w for w in re.split(r"\W+", query.lower()) if w]
    wanted = plain_name(area) if area else None
    scored: list[tuple[int, int, str, Action]] = []
    for action in registry.actions.items.values():
        if (wanted and plain_name(action.area) != wanted) or not permitted(action, policies):
            continue
        key_words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", action.key).lower()
        text = f"{key_words} {action.display} {action.description} {action.area}".lower()
        title = action.display.lower()
        score = sum(3 if w in key_words else 2 if w in title else 1 for w in words if w in text)
        if words and all(w in key_words for w in words):
            score += 5  # every word in the key: most likely the action meant
        if score or not words:
            scored.append((-score, len(action.key), action.key, action))  # ties: the plainest
    scored.sort(key=lambda row: row[:3])
    return [{"key": a.key, "title": a.display, "area": a.area, "safety": a.safety,
             "needsConfirmation": needs_confirmation(a, {})} for *_, a in scored[:limit]]
