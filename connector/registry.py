"""Load plugins through pluggy and keep every action, picklist and trigger by key and alias.

The built-in plugins (`actions.plugin`, `datasources.plugin`, `triggers.plugin`) are registered
by import, the way llm and datasette register their default plugins, so a
source checkout on PYTHONPATH works without installed entry points;
third-party plugins load through the `segment_connector` entry-point group, found
through a cached index (`connector.plugin_index`) rather than by reading every installed
distribution's metadata on each start.
All of them declare through the same register hooks. A third-party plugin
that fails to import is reported and skipped (fatal with `strict=True`); a
duplicate key or alias, or a declaration `connector.checks` refuses, always
stops start-up with an error naming the plugin. Loading no action at all is
an error too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

import pluggy

from connector import __version__, checks, hookspecs, overlay
from connector.errors import InputError, PluginError
from connector.plugin_index import entry_points
from connector.spec import Action, DataSource, Trigger

log = logging.getLogger("segment_connector.plugins")
# Registered by import before any entry point: (plugin name, module).
BUILTIN_PLUGINS = (("actions", "actions.plugin"), ("datasources", "datasources.plugin"),
                   ("triggers", "triggers.plugin"))
BUILTIN = frozenset(name for name, _ in BUILTIN_PLUGINS)
DISTRIBUTION = "segment-connector"  # the distribution that ships the built-ins


class UnknownKeyError(InputError):
    """A key or alias that no loaded plugin declares; `suggestions` holds close names.

    An input error (exit 2 in the CLI): the caller asked for something that is
    not there, and nothing was sent.
    """

    # By what was looked up: an action, a picklist, a trigger, or any of them (`key`).
    codes = ("unknown_action", "unknown_picklist", "unknown_trigger", "unknown_key")

    def __init__(self, field_name: str, what: str, name: str, known: Iterable[str]) -> None:
        import difflib  # deferred: only a failed lookup needs it

        self.name = name
        self.what = what
        self.field_name = field_name
        self.suggestions = difflib.get_close_matches(name, sorted(set(known)), n=3)
        hint = ""
        if self.suggestions:
            *first, last = [repr(s) for s in self.suggestions]
            hint = f"; did you mean {', '.join(first) + ' or ' if first else ''}{last}?"
        super().__init__({field_name: f"no {what} {name!r}{hint} (see `segment-connector list`)"})

    @property
    def code(self) -> str:
        return "unknown_" + self.field_name

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "suggestions": self.suggestions}


@dataclass
class LoadProblem:
    plugin: str
    error: str


@dataclass
class _Table:
    """Declarations of one kind, by key, with aliases pointing at keys."""

    kind: str
    items: dict[str, Any] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def owner(self, name: str) -> str | None:
        key = self.aliases.get(name, name)
        item = self.items.get(key)
        return item.plugin if item is not None else None

    def add(self, item: Any, plugin: str, replace_existing: bool = False) -> None:
        if replace_existing and item.key in self.items:
            old = self.items.pop(item.key)
            for alias in old.aliases:
                self.aliases.pop(alias, None)
        for name in (item.key, *item.aliases):
            other = self.owner(name)
            if other is not None:
                raise PluginError(
                    f"duplicate {self.kind} {name!r}: declared by plugin {other!r} "
                    f"and by plugin {plugin!r}")
        self.items[item.key] = item
        for alias in item.aliases:
            self.aliases[alias] = item.key

    def get(self, name: str) -> Any:
        return self.items.get(self.aliases.get(name, name))

    def names(self) -> list[str]:
        return [*self.items, *self.aliases]


class Registry:
    """Every action, picklist and trigger the loaded plugins declare."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.actions = _Table("action")
        self.datasources = _Table("picklist")
        self.triggers = _Table("trigger")
        self.problems: list[LoadProblem] = []
        # Plugin name -> (distribution, version) that ships it, where one is known.
        self.dists: dict[str, tuple[str, str]] = {}

    # -- loading -----------------------------------------------------------
    @classmethod
    def load(cls, strict: bool = False, extra: Iterable[tuple[str, object]] = (),
             installed: bool = True) -> Registry:
        """Load the built-in plugins, then the entry-point ones (and `extra` (name, plugin)
        pairs: a plugin under test, not installed). `installed=False` leaves the entry
        points out: the built-ins (and `extra`) alone, as the project's own manifest has
        them. PluginError when no action at all was declared."""
        reg = cls()
        for name, module in BUILTIN_PLUGINS:
            try:
                reg.pm.register(import_module(module), name=name)
            except Exception as exc:
                raise PluginError(f"built-in plugin {name!r} ({module}) failed to load: "
                                  f"{type(exc).__name__}: {exc}") from exc
            reg.dists[name] = (DISTRIBUTION, __version__)
        builtin_modules = {module for _, module in BUILTIN_PLUGINS}
        for ep in entry_points(group=hookspecs.PROJECT) if installed else ():
            # An older install may still list the built-ins as entry points.
            if reg.pm.has_plugin(ep.name) or ep.value in builtin_modules:
                continue
            try:
                reg.pm.register(ep.load(), name=ep.name)
            except Exception as exc:  # a broken plugin must not take the others down
                if strict or ep.name in BUILTIN:
                    raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to load: "
                                      f"{type(exc).__name__}: {exc}") from exc
                reg.problems.append(LoadProblem(ep.name, f"{type(exc).__name__}: {exc}"))
                log.warning("skipped plugin %r: %s: %s", ep.name, type(exc).__name__, exc)
                continue
            if ep.dist is not None:
                reg.dists[ep.name] = ep.dist
        for name, plugin in extra:
            if reg.pm.is_registered(plugin):  # installed too: loaded once, as installed
                continue
            reg.pm.register(plugin, name=name)
            found = distribution_of(plugin)
            if found is not None:
                reg.dists[name] = found
        reg.pm.check_pending()
        reg._collect(strict)
        if not reg.actions.items:
            raise PluginError("no plugin declared any action: the built-in `actions` plugin "
                              "registered nothing, so the package is incomplete")
        reg._check_links()
        return reg

    def _collect(self, strict: bool) -> None:
        hooks: list[tuple[Any, _Table, type]] = [
            (self.pm.hook.register_actions, self.actions, Action),
            (self.pm.hook.register_datasources, self.datasources, DataSource),
            (self.pm.hook.register_triggers, self.triggers, Trigger),
        ]
        for hook, table, kind in hooks:
            # One call per implementation, so every declaration knows its plugin; in
            # registration order (built-ins first), so a later plugin can replace=True.
            for impl in hook.get_hookimpls():
                self._call(impl.plugin_name, impl.function, table, kind, strict)

    def _call(self, plugin: str, fn: Callable[..., Any], table: _Table, kind: type,
              strict: bool) -> None:
        try:
            fn(register=_Registrar(plugin, table, kind, self.dists.get(plugin)))
        except PluginError:
            raise
        except Exception as exc:
            if strict or plugin in BUILTIN:
                raise PluginError(f"plugin {plugin!r} failed while registering: "
                                  f"{type(exc).__name__}: {exc}") from exc
            self.problems.append(LoadProblem(plugin, f"{type(exc).__name__}: {exc}"))
            log.warning("skipped plugin %r: %s", plugin, exc)

    def _check_links(self) -> None:
        checks.check_links(self.actions.items.values(), self.datasources.items.values(),
                           set(self.datasources.names()), set(self.actions.names()),
                           self.triggers.items.values())

    # -- lookup --------------------------------------------------------------
    def action(self, name: str) -> Action:
        """The action with this key or alias; UnknownKeyError (field `action`) otherwise."""
        found = self.actions.get(name)
        if found is None:
            raise UnknownKeyError("action", "action", name, self.actions.names())
        return found

    def datasource(self, name: str) -> DataSource:
        """The picklist with this key or alias; UnknownKeyError (field `picklist`) otherwise."""
        found = self.datasources.get(name)
        if found is None:
            raise UnknownKeyError("picklist", "picklist", name, self.datasources.names())
        return found

    def trigger(self, name: str) -> Trigger:
        """The trigger with this key or alias; UnknownKeyError (field `trigger`) otherwise."""
        found = self.triggers.get(name)
        if found is None:
            raise UnknownKeyError("trigger", "trigger", name, self.triggers.names())
        return found

    def find(self, name: str) -> Action | DataSource | Trigger:
        """An action, else a picklist, else a trigger, by key or alias; UnknownKeyError
        (field `key`)."""
        found = self.actions.get(name) or self.datasources.get(name) or self.triggers.get(name)
        if found is None:
            raise UnknownKeyError("key", "action, picklist or trigger", name,
                                  [*self.actions.names(), *self.datasources.names(),
                                   *self.triggers.names()])
        return found


class _Registrar:
    """The `register` callback one plugin's hook receives (`hookspecs.Register`).

    Completes each declaration (an overlay takes its facts from the catalogue),
    checks it, and files it under the plugin's name.
    """

    def __init__(self, plugin: str, table: _Table, kind: type,
                 dist: tuple[str, str] | None = None) -> None:
        self.plugin, self.table, self.kind, self.dist = plugin, table, kind, dist

    def __call__(self, item: Any, replace: bool = False) -> None:
        if not isinstance(item, self.kind):
            raise PluginError(f"plugin {self.plugin!r} registered {item!r}, "
                              f"not a {self.kind.__name__}")
        item = _owned(item, self.plugin, self.dist)
        if isinstance(item, Action):
            item = overlay.complete(item, self.plugin)
            checks.check_action(item, self.plugin)
        elif isinstance(item, Trigger):
            checks.check_trigger(item, self.plugin)
        else:
            checks.check_datasource(item, self.plugin)
        self.table.add(item, self.plugin, replace_existing=replace)


def _owned(item: Any, plugin: str, dist: tuple[str, str] | None) -> Any:
    if item.plugin == plugin and item.distribution == dist:
        return item
    return replace(item, plugin=plugin, distribution=dist)


def distribution_of(plugin: object) -> tuple[str, str] | None:
    """(name, version) of the installed distribution holding a plugin's module, if any."""
    if not isinstance(plugin, ModuleType):
        return None
    return _distribution_of_package(plugin.__name__.split(".", 1)[0])


@cache
def _distribution_of_package(package: str) -> tuple[str, str] | None:
    # Reads every installed distribution's file list: once per package and process.
    from importlib.metadata import packages_distributions, version  # only for extra plugins

    names = packages_distributions().get(package) or []
    return (names[0], version(names[0])) if names else None


_default: Registry | None = None


def default_registry() -> Registry:
    """The process-wide registry of installed plugins, loaded on first use."""
    global _default
    if _default is None:
        _default = Registry.load()
    return _default
