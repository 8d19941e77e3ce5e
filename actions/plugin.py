"""The built-in actions: one module per API area, each with ACTIONS, and Raw Request.

The registry registers this module itself, by import, before any entry point
(as llm and datasette register their default plugins), so the actions load
from a source checkout that was never installed. The module list is explicit,
not a scan of the package directory, for the same reason.
"""

from importlib import import_module

from connector.api.areas import TAG_MODULES
from connector.hookspecs import Register, hookimpl

# One module per catalogue tag, plus the escape hatch.
MODULES = (*sorted(TAG_MODULES.values()), "raw_request")


@hookimpl
def register_actions(register: Register) -> None:
    for name in MODULES:
        for action in import_module(f"actions.{name}").ACTIONS:
            register(action)
