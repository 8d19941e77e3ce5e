"""Hook specifications of the `segment_connector` plugin system.

Three kinds of plugin declaration: actions, picklists and polling triggers. A
plugin is any module or object with `@hookimpl` functions, exposed through the
`segment_connector` entry-point group (the built-in actions, picklists and
triggers are registered by the host itself, by import, through the same
hooks). Each
hook receives a `register` callback; the host completes and checks every
declaration, rejects duplicate keys and aliases, and records which plugin made
it. A declaration it refuses (an unknown input type, a path placeholder no
input fills, an input it cannot place) stops start-up with a PluginError
naming the plugin and the field. Hook implementations must not give their
arguments defaults: pluggy ignores them.

Example, in `my_package/segment_plugin.py`::

    from connector.hookspecs import hookimpl
    from connector.spec import Action

    @hookimpl
    def register_actions(register):
        register(Action("ping", "Ping", "Check the API answers.", "GET", "/echo"))

An action on a catalogue operation can declare only its words, inputs and
examples; the host takes the rest from the catalogue::

    register(Action("getSource", "Source by ID", "Fetch one source.",
                    inputs=(Input("sourceId", comments="Id of the source."),),
                    operation="getSource"), replace=True)

and in its pyproject.toml::

    [project.entry-points.segment_connector]
    my_plugin = "my_package.segment_plugin"
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import pluggy

if TYPE_CHECKING:
    from connector.spec import Action, DataSource, Trigger

PROJECT = "segment_connector"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class Register(Protocol):
    """The callback a register hook receives: `register(item)` or `register(item, replace=True)`."""

    def __call__(self, item: Action | DataSource | Trigger, replace: bool = False) -> None: ...


@hookspec
def register_actions(register: Register) -> None:
    """Declare actions: call `register(action)` once per `Action`.

    `register(action, replace=True)` overrides an existing action of the same
    key on purpose (for example to change a default); without it a duplicate
    key or alias is a start-up error naming both plugins.
    """


@hookspec
def register_datasources(register: Register) -> None:
    """Declare picklists: call `register(datasource)` once per `DataSource`.

    The same duplicate rules as `register_actions` apply.
    """


@hookspec
def register_triggers(register: Register) -> None:
    """Declare polling triggers: call `register(trigger)` once per `Trigger`.

    A trigger's `feed` does the polling (`connector.triggers.AuditFeed` over the
    audit trail, `connector.triggers.ListingFeed` over a listing, or any
    `connector.spec.EventFeed`). The same duplicate rules as `register_actions`
    apply.
    """
