"""Start-up checks of what plugins declare: each problem is a PluginError naming plugin and field.

An action or picklist is checked when it registers (after an overlay has
taken its facts from the catalogue), so a mistake stops start-up instead of
failing the first call that meets it: an input type the validator does not
know, a path placeholder no input fills, an input the runtime cannot place,
a default that is not one of the choices. Links between declarations (an
input's picklist, a picklist's listing) are checked once every plugin has
registered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from connector.errors import PluginError
from connector.spec import (
    INPUT_TYPES,
    SAFETIES,
    WHERE,
    Action,
    DataSource,
    Input,
    RequestExecutor,
    Trigger,
)

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SCALARS: dict[str, type | tuple[type, ...]] = {
    "string": str, "integer": int, "number": (int, float), "boolean": bool}


def _fail(plugin: str, kind: str, key: str, problem: str, field: str | None = None) -> PluginError:
    where = f", input {field!r}" if field is not None else ""
    return PluginError(f"plugin {plugin!r}: {kind} {key!r}{where}: {problem}")


def _fits(value: Any, kind: str) -> bool:
    expected = _SCALARS.get(kind)
    if expected is None:
        return True
    return isinstance(value, expected) and not (kind != "boolean" and isinstance(value, bool))


def check_inputs(inputs: Iterable[Input], plugin: str, kind: str, key: str) -> None:
    seen: set[str] = set()
    for inp in inputs:
        if not isinstance(inp, Input):
            raise _fail(plugin, kind, key, f"{inp!r} is not an Input")

        def fail(problem: str, inp: Input = inp) -> PluginError:
            return _fail(plugin, kind, key, problem, inp.key)

        if not inp.key:
            raise _fail(plugin, kind, key, "an input has no key")
        if inp.key in seen:
            raise fail("declared twice")
        seen.add(inp.key)
        if inp.type not in INPUT_TYPES:
            raise fail(f"unknown type {inp.type!r}; one of {', '.join(sorted(INPUT_TYPES))}")
        if inp.items is not None and (inp.items not in INPUT_TYPES or inp.type != "array"):
            raise fail(f"element type {inp.items!r} needs type 'array' and one of "
                       f"{', '.join(sorted(INPUT_TYPES))}")
        if inp.where is not None and inp.where not in WHERE:
            raise fail(f"unknown placement {inp.where!r}; one of {', '.join(sorted(WHERE))}")
        if inp.choices:
            item = inp.items if inp.type == "array" else inp.type
            odd = [c for c in inp.choices if not _fits(c, item or "any")]
            if odd:
                raise fail(f"choices {odd!r} are not of type {item!r}")
            values = inp.default if isinstance(inp.default, list) else [inp.default]
            if inp.default is not None and any(v not in inp.choices for v in values):
                raise fail(f"default {inp.default!r} is not one of the choices")
        if inp.default is not None and inp.type in _SCALARS and not _fits(inp.default, inp.type):
            raise fail(f"default {inp.default!r} is not of type {inp.type!r}")


def check_action(action: Action, plugin: str) -> None:
    """One action, its facts filled in: inputs well formed, every input placeable."""
    check_inputs(action.inputs, plugin, "action", action.key)
    if action.safety is not None and action.safety not in SAFETIES:
        raise _fail(plugin, "action", action.key, f"safety {action.safety!r} is not one of "
                    f"{', '.join(sorted(SAFETIES))}")
    if action.run is not None:  # a custom executor reads its inputs itself
        check_executor(action, plugin)
        return

    def fail(problem: str, field: str | None = None) -> PluginError:
        return _fail(plugin, "action", action.key, problem, field)

    if not action.path.startswith("/"):
        raise fail(f"path {action.path!r} must start with '/'")
    placed = {inp.wire_name: inp for inp in action.inputs if action.where(inp) == "path"}
    for name in _PLACEHOLDER.findall(action.path):
        if name not in placed:
            raise fail(f"path placeholder {{{name}}} has no input placed in the path")
    for name, inp in placed.items():
        if "{" + name + "}" not in action.path:
            raise fail(f"placed in the path, but {action.path!r} has no {{{name}}}", inp.key)
    payload = [inp for inp in action.inputs if action.where(inp) == "payload"]
    if len(payload) > 1:
        raise fail("more than one input is the whole body", payload[1].key)
    body = [inp for inp in action.inputs if action.where(inp) == "body"]
    if payload and body:
        raise fail(f"is the whole body, so body field {body[0].key!r} has nowhere to go",
                   payload[0].key)


def check_executor(action: Action, plugin: str) -> None:
    """A custom executor declares what no one else can tell: what it does to the workspace,
    whether a retry is safe, and what a dry run shows when it cannot show its request."""
    missing = [name for name, value in (("safety", action.safety),
                                        ("idempotent", action.idempotent)) if value is None]
    if not isinstance(action.run, RequestExecutor) and not action.dry_run.strip():
        missing.append("dry_run")
    if missing:
        raise _fail(plugin, "action", action.key,
                    f"has a custom executor, so it must declare {', '.join(missing)} (safety: "
                    "read, write or destructive; idempotent: True or False; dry_run: what a "
                    "dry run shows, e.g. 'Runs code: 2 requests at most', unless the "
                    "executor is a RequestExecutor that prepares its request)")


def check_datasource(source: DataSource, plugin: str) -> None:
    check_inputs(source.all_inputs, plugin, "picklist", source.key)
    if not source.action:
        raise _fail(plugin, "picklist", source.key, "names no listing action")


def check_trigger(trigger: Trigger, plugin: str) -> None:
    check_inputs(trigger.all_inputs, plugin, "trigger", trigger.key)
    if not callable(getattr(trigger.feed, "poll", None)) or not getattr(trigger.feed, "kind", ""):
        raise _fail(plugin, "trigger", trigger.key,
                    f"feed {trigger.feed!r} is not an EventFeed (a `kind` and a `poll` method)")


def check_links(actions: Iterable[Action], sources: Iterable[DataSource],
                picklists: set[str], action_keys: set[str],
                triggers: Iterable[Trigger] = ()) -> None:
    """Every picklist an input names exists, and every listing a picklist or trigger reads."""
    declared: list[tuple[str, Action | DataSource | Trigger, str]] = [
        *(("action", a, "") for a in actions),
        *(("picklist", s, s.action) for s in sources),
        *(("trigger", t, t.feed.action) for t in triggers),
        *(("trigger", t, lookup[0]) for t in triggers
          if (lookup := getattr(t.feed, "lookup", None)))]
    for kind, item, reads in declared:
        for inp in item.inputs:
            if inp.picklist is not None and inp.picklist not in picklists:
                raise _fail(item.plugin, kind, item.key,
                            f"links picklist {inp.picklist!r}, which no plugin declares",
                            inp.key)
        if reads and reads not in action_keys:
            raise _fail(item.plugin, kind, item.key,
                        f"reads action {reads!r}, which no plugin declares")
