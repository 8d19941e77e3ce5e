"""`segment-connector validate`: everything a plugin promises, checked before anyone uses it.

A target is an installed distribution (`segment-connector-acme`), an entry
point of the `segment_connector` group, or a module path (`acme.plugin`);
none means every plugin the environment loads. Registration errors come
first (what start-up would refuse); then, for each of the target's actions,
picklists and triggers: every example validates against its input's schema,
every default is what a blank input sends, every required input has an
example, inputs and outputs are described, picklist links and their
`dependsOn` inputs resolve, safety, idempotency and stability are declared,
and a dry run works with example inputs. Errors fail the run; warnings
(a missing description, example payload or sample event) do not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib import import_module
from importlib.metadata import PackageNotFoundError, distribution, entry_points
from typing import Any, Literal

from connector import hookspecs
from connector.errors import ConnectorError, InputError, PluginError
from connector.registry import BUILTIN_PLUGINS, DISTRIBUTION, Registry
from connector.spec import Action, DataSource, Input, Trigger

Level = Literal["error", "warning"]
STABILITIES = ("ga", "beta", "alpha")
# A dry run needs a connection; nothing is sent, so none of this goes anywhere.
DRY_RUN_TOKEN = "validate-dry-run"
DRY_RUN_URL = "http://validate.invalid"


@dataclass(frozen=True)
class Finding:
    level: Level
    where: str  # "action acmeSources, input count", or "registration"
    problem: str

    def line(self) -> str:
        return f"{self.level}: {self.where}: {self.problem}"


@dataclass
class Target:
    """What `validate` checks: plugin (name, module) pairs, and whether they are built in."""

    name: str
    plugins: list[tuple[str, object]]
    builtin: bool = False


def resolve(target: str | None) -> Target:
    """The plugins a target names; InputError (field TARGET) when it names none."""
    group = list(entry_points(group=hookspecs.PROJECT))
    if target is None:
        return Target("every installed plugin",
                      [(ep.name, ep) for ep in group], builtin=True)
    if target in (DISTRIBUTION, "builtin"):
        return Target(DISTRIBUTION, [], builtin=True)
    by_name = [ep for ep in group if ep.name == target]
    if not by_name:
        try:
            dist = distribution(target)
        except PackageNotFoundError:
            dist = None
        if dist is not None:
            by_name = [ep for ep in dist.entry_points if ep.group == hookspecs.PROJECT]
            if not by_name:
                raise InputError({"TARGET": f"distribution {target!r} declares no "
                                  f"{hookspecs.PROJECT!r} entry point"})
    if by_name:
        return Target(target, [(ep.name, ep) for ep in by_name])
    try:
        module = import_module(target)
    except ImportError as exc:
        raise InputError({"TARGET": f"{target!r} is no installed distribution, entry point "
                          f"or importable module ({exc})"}) from None
    return Target(target, [(target, module)])


def _load(target: Target) -> tuple[Registry | None, set[str], list[Finding]]:
    plugins: list[tuple[str, object]] = []
    for name, plugin in target.plugins:
        if hasattr(plugin, "load") and hasattr(plugin, "group"):  # an entry point
            try:
                plugin = plugin.load()
            except Exception as exc:
                return None, set(), [Finding("error", f"plugin {name}",
                                             f"fails to import: {type(exc).__name__}: {exc}")]
        plugins.append((name, plugin))
    names = {name for name, _ in plugins}
    if target.builtin:
        names |= {name for name, _ in BUILTIN_PLUGINS}
    try:
        registry = Registry.load(strict=True, extra=plugins, installed=False)
    except PluginError as exc:
        return None, names, [Finding("error", "registration", str(exc))]
    return registry, names, []


def validate(target: str | None = None) -> tuple[Target, list[Finding]]:
    """Every finding on the target's declarations, errors first."""
    found = resolve(target)
    registry, names, findings = _load(found)
    if registry is not None:
        findings.extend(check(registry, names))
    return found, sorted(findings, key=lambda f: f.level != "error")


def check(registry: Registry, plugins: set[str]) -> Iterator[Finding]:
    from connector.connection import Connection
    from connector.runtime import Runtime

    runtime = Runtime(Connection(token=DRY_RUN_TOKEN, base_url=DRY_RUN_URL), registry)
    for action in registry.actions.items.values():
        if action.plugin in plugins:
            yield from _action(action, registry, runtime)
    for source in registry.datasources.items.values():
        if source.plugin in plugins:
            yield from _described(f"picklist {source.key}", source)
            yield from _inputs(f"picklist {source.key}", source.inputs)
    for trigger in registry.triggers.items.values():
        if trigger.plugin in plugins:
            where = f"trigger {trigger.key}"
            yield from _described(where, trigger)
            yield from _inputs(where, trigger.inputs)
            if trigger.sample is None:
                yield Finding("warning", where, "no sample event: builders show an empty one")


def _described(where: str, item: Action | DataSource | Trigger) -> Iterator[Finding]:
    if not item.description.strip():
        yield Finding("warning", where, "no description")


def _inputs(where: str, inputs: tuple[Input, ...]) -> Iterator[Finding]:
    from jsonschema import Draft202012Validator

    from connector.manifest import input_schema

    for inp in inputs:
        at = f"{where}, input {inp.key}"
        if not inp.comments.strip():
            yield Finding("warning", at, "no comments: builders show the field unexplained")
        if inp.required and inp.example is None and inp.default is None:
            yield Finding("error", at, "required, yet has no example")
        if inp.example is not None:
            schema = {k: v for k, v in input_schema(inp).items() if k != "examples"}
            for err in Draft202012Validator(schema).iter_errors(inp.example):
                yield Finding("error", at, f"example {json.dumps(inp.example)} does not "
                              f"validate: {err.message}")


def _action(action: Action, registry: Registry, runtime: Any) -> Iterator[Finding]:
    where = f"action {action.key}"
    yield from _described(where, action)
    yield from _inputs(where, action.inputs)
    payload = action.example_payload()
    if payload is None:
        yield Finding("warning", where, "no example payload: builders cannot show the output")
    elif action.response_model is not None:
        yield from _payload(where, payload, action.response_model)
    if action.safety is None or action.idempotent is None:
        yield Finding("error", where, "safety and idempotent must be declared")
    if action.stability not in STABILITIES:
        yield Finding("error", where, f"stability {action.stability!r} is not one of "
                      f"{', '.join(STABILITIES)}")
    yield from _links(where, action, registry)
    yield from _defaults(where, action)
    from connector.samples import sample_inputs

    try:
        runtime.dry_run(action.key, sample_inputs(action))
    except (ConnectorError, ValueError, TypeError, KeyError) as exc:
        yield Finding("error", where, f"dry run with example inputs fails: {exc}")


def _payload(where: str, payload: Any, model: str) -> Iterator[Finding]:
    """An overlay's example payload, `{"data": <API body>}`, against the catalogue's answer."""
    from jsonschema import Draft202012Validator

    from connector.api import catalog

    if not isinstance(payload, dict) or set(payload) != {"data"}:
        yield Finding("error", where, "example payload must be {\"data\": <the API's answer>}")
        return
    for err in Draft202012Validator(catalog.schema(model)).iter_errors(payload["data"]):
        at = "/".join(map(str, err.absolute_path)) or "data"
        yield Finding("error", where, f"example payload at {at} does not fit {model}: "
                      f"{err.message}")


def _links(where: str, action: Action, registry: Registry) -> Iterator[Finding]:
    keys = {inp.key for inp in action.inputs}
    for inp in action.inputs:
        if inp.picklist is None:
            continue
        source = registry.datasources.get(inp.picklist)
        if source is None:
            yield Finding("error", f"{where}, input {inp.key}",
                          f"links picklist {inp.picklist!r}, which no plugin declares")
            continue
        for parent in source.inputs:
            if parent.required and parent.default is None and parent.key not in keys:
                yield Finding("warning", f"{where}, input {inp.key}",
                              f"picklist {source.key!r} depends on {parent.key!r}, which "
                              "the action has no input for: builders ask for it apart")


def _defaults(where: str, action: Action) -> Iterator[Finding]:
    """Each default is what a blank input sends: validated, and placed on the wire."""
    if action.run is not None:  # a custom executor reads its inputs itself
        return
    from connector.request import build
    from connector.samples import sample_value
    from connector.validation import validate as validate_inputs

    blank = {inp.key: sample_value(inp) for inp in action.inputs
             if inp.required and inp.default is None}
    try:
        clean = validate_inputs(action.inputs, blank, action.key)
    except InputError as exc:
        yield Finding("error", where, f"blank inputs do not validate: {exc}")
        return
    request = build(action, clean, DRY_RUN_URL, None)
    query = {name for name, _ in request.params}
    body = request.json_body if isinstance(request.json_body, dict) else {}
    for inp in action.inputs:
        if inp.default is None:
            continue
        at = f"{where}, input {inp.key}"
        if clean.get(inp.key) != inp.default:
            yield Finding("error", at, f"default {inp.default!r} becomes "
                          f"{clean.get(inp.key)!r} when the input is left blank")
            continue
        placed = action.where(inp)
        sent = (placed == "query" and any(q == inp.wire_name or q.startswith(inp.wire_name + ".")
                                          for q in query)) or \
            (placed == "body" and inp.wire_name.split(".")[0] in body) or \
            placed in ("path", "payload") or \
            (placed == "control" and inp.key in RUNTIME_CONTROLS)
        if not sent:
            yield Finding("error", at, f"default {inp.default!r} is not sent: a blank input "
                          f"sends nothing ({placed} input the runtime does not read)")


# Control inputs the runtime itself reads: their defaults act without being sent.
RUNTIME_CONTROLS = frozenset({"region", "followAll", "maxItems"})


def report(target: Target, findings: list[Finding]) -> dict[str, Any]:
    return {"target": target.name,
            "errors": [asdict(f) for f in findings if f.level == "error"],
            "warnings": [asdict(f) for f in findings if f.level == "warning"]}
