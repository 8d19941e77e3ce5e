"""The test kit for plugin authors: run a plugin's declarations by key, offline.

`Harness` runs any registered action, picklist or trigger with inputs against
one connection (a fresh simulator, a cassette, or a real workspace), with the
plugins under test registered without being installed. The pytest fixtures
(`harness`, `simulator`, `cassette`...) are in `connector.testing.plugin`,
which pytest loads by itself (entry point `pytest11`) wherever this package
is installed. `assert_matches_example` and `request_problems` save the checks
every plugin's tests repeat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import import_module
from typing import Any

from connector.connection import Connection
from connector.registry import Registry
from connector.runtime import Runtime
from connector.spec import Action, Trigger

__all__ = ["Harness", "assert_matches_example", "load_plugins", "request_problems",
           "shape_problems"]


def load_plugins(modules: Iterable[str | object], installed: bool = False) -> Registry:
    """A registry of the built-ins plus `modules` (dotted names or module objects).

    Other installed plugins are left out unless `installed`, so a test sees the
    plugin under test and nothing else the environment happens to hold.
    """
    extra = []
    for module in modules:
        loaded = import_module(module) if isinstance(module, str) else module
        extra.append((getattr(loaded, "__name__", repr(loaded)), loaded))
    return Registry.load(strict=True, extra=extra, installed=installed)


class Harness:
    """Runs a registry's actions, picklists and triggers by key against one connection.

    Waits between retries are recorded in `waits`, not slept, so a test of a
    failing call takes no time.
    """

    def __init__(self, registry: Registry, connection: Connection,
                 simulator: Any = None) -> None:
        self.registry = registry
        self.connection = connection
        self.simulator = simulator  # None when replaying a cassette or on a real workspace
        self.waits: list[float] = []
        self.runtime = Runtime(connection, registry, sleep=self.waits.append)

    def run(self, key: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run an action: `{"data": <API body>}`."""
        return self.runtime.run(key, dict(inputs or {}))

    def dry_run(self, key: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The request an action would send (token masked); nothing is sent."""
        return self.runtime.dry_run(key, dict(inputs or {}))

    def picklist(self, key: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A picklist's options: `{"result": [{"label", "key"}], "truncated"}`."""
        return self.runtime.picklist(key, dict(inputs or {}))

    def poll(self, key: str, inputs: Mapping[str, Any] | None = None,
             state: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One poll of a trigger: `{"events", "state"}`; pass the state to the next poll."""
        return self.runtime.poll(key, dict(inputs or {}), state)

    def seed(self, spec: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, list[Any]]:
        """Make resources before a test: `{"createLabel": [{"label": {...}}, ...]}` runs
        each action once per inputs object, in order; answers the `data` of each call."""
        made: dict[str, list[Any]] = {}
        for key, calls in spec.items():
            made[key] = [self.run(key, inputs)["data"] for inputs in calls]
        return made

    def action(self, key: str) -> Action:
        return self.registry.action(key)

    def assert_matches_example(self, key: str, answer: Any) -> None:
        """The answer has the shape of the action's (or trigger's) declared example."""
        found = self.registry.find(key)
        if isinstance(found, Action):
            example = found.example_payload()
        else:
            example = found.sample if isinstance(found, Trigger) else found.example
        assert_matches_example(example, answer, key)

    def assert_request_matches_schema(self, key: str, inputs: Mapping[str, Any]) -> None:
        """The body the action would send validates against the catalogue's schema."""
        problems = request_problems(self.action(key), self.dry_run(key, inputs))
        assert not problems, f"{key}: the request does not match the catalogue: {problems}"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", dict: "object", list: "array", type(None): "null"}.get(
        type(value), type(value).__name__)


def shape_problems(example: Any, answer: Any, where: str = "$",
                   strict: bool = False) -> list[str]:
    """Where `answer` holds another kind of value than `example`, or lacks its structure.

    Lists are compared item by item with the example's first item; a null in the
    example matches anything, and fields the example does not show are allowed. A
    missing object or list is a problem; a missing scalar only when `strict` (the
    API leaves out optional fields an example shows).
    """
    if example is None:
        return []
    if _kind(example) != _kind(answer):
        return [f"{where}: expected {_kind(example)}, got {_kind(answer)}"]
    problems: list[str] = []
    if isinstance(example, dict):
        for name, value in example.items():
            if name in answer:
                problems.extend(shape_problems(value, answer[name], f"{where}.{name}", strict))
            elif strict or isinstance(value, dict | list):
                problems.append(f"{where}.{name}: missing")
    elif isinstance(example, list) and example:
        for at, item in enumerate(answer):
            problems.extend(shape_problems(example[0], item, f"{where}[{at}]", strict))
    return problems


def assert_matches_example(example: Any, answer: Any, key: str = "answer",
                           strict: bool = False) -> None:
    """AssertionError listing where `answer` departs from the shape of `example`."""
    problems = shape_problems(example, answer, strict=strict)
    assert not problems, f"{key} does not match its example: " + "; ".join(problems[:10])


def request_problems(action: Action, request: Mapping[str, Any]) -> list[str]:
    """Where a dry run's JSON body breaks the catalogue's schema of the action's body."""
    if action.body_model is None or "body" not in request:
        return []
    from jsonschema import Draft202012Validator  # only for a body to check

    from connector.api import catalog

    validator = Draft202012Validator(catalog.resolve(action.body_model))
    return [f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message}"
            for e in validator.iter_errors(request["body"])]
