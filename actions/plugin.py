"""Entry point of the built-in actions: one module per API area, each with ACTIONS."""

import pkgutil
from collections.abc import Callable
from importlib import import_module

import actions
from connector.hookspecs import hookimpl

# Modules of this package that are not API areas.
_NOT_AREAS = frozenset({"plugin", "ids"})


def area_modules() -> list[str]:
    names = (m.name for m in pkgutil.iter_modules(actions.__path__))
    return sorted(n for n in names if n not in _NOT_AREAS)


@hookimpl
def register_actions(register: Callable[..., None]) -> None:
    for name in area_modules():
        for action in import_module(f"actions.{name}").ACTIONS:
            register(action)
