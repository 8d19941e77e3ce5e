"""Hook specifications of the `segment_connector` plugin system.

A plugin is any module or object with `@hookimpl` functions, exposed through
the `segment_connector` entry-point group (the built-in actions and picklists
load the same way). Each hook receives a `register` callback; the host checks
every declaration, rejects duplicate keys and aliases, and records which plugin
made it. Hook implementations must not give their arguments defaults: pluggy
ignores them.

Example, in `my_package/segment_plugin.py`::

    from connector.hookspecs import hookimpl
    from connector.spec import Action

    @hookimpl
    def register_actions(register):
        register(Action("ping", "Ping", "Check the API answers.", "GET", "/echo"))

and in its pyproject.toml::

    [project.entry-points.segment_connector]
    my_plugin = "my_package.segment_plugin"
"""

from __future__ import annotations

from collections.abc import Callable

import pluggy

PROJECT = "segment_connector"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_actions(register: Callable[..., None]) -> None:
    """Declare actions: call `register(action)` once per `Action`.

    `register(action, replace=True)` overrides an existing action of the same
    key on purpose (for example to change a default); without it a duplicate
    key or alias is a start-up error naming both plugins.
    """


@hookspec
def register_datasources(register: Callable[..., None]) -> None:
    """Declare picklists: call `register(datasource)` once per `DataSource`.

    The same duplicate rules as `register_actions` apply.
    """
