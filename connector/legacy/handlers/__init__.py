"""One function per Config API endpoint, found by `METHOD /path-template`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connector.legacy.plan import Plan

Handler = Callable[["Plan"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}
MODULES = ("workspaces", "sources", "destinations", "metrics", "tracking", "people",
           "functions")


def handles(*keys: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for key in keys:
            HANDLERS[key] = fn
        return fn

    return register


@cache
def load() -> dict[str, Handler]:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return HANDLERS


def listed(plan: Plan, op: str, key: str, inputs: dict[str, Any] | None = None
           ) -> tuple[list[Any], str]:
    """(items, next_page_token) of one page of `op`, paged as the Config call asked."""
    from connector.legacy.pages import paging_inputs, wrap

    values = {**(inputs or {}), **paging_inputs(plan.query, plan.path)}
    data = plan.call(op, values)
    items = data.get(key) or []
    cursor = (data.get("pagination") or {}).get("next")
    return [i for i in items if isinstance(i, dict | str)], wrap(cursor, plan.path)


def body_object(plan: Plan, key: str, required: bool = True) -> dict[str, Any]:
    """The object the request body wraps under `key` (InputError naming it when missing)."""
    from connector.errors import InputError

    value = plan.body.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise InputError({key: f"the body must hold a {key} object"}, "legacy")
    return value


def source_name(plan: Plan, slug: Any) -> str:
    return f"{plan.ws}/sources/{slug}"


def last_segment(name: Any, field: str, parent: str) -> str:
    """The slug at the end of a resource name, checked to sit under `parent`."""
    from connector.errors import InputError

    if not isinstance(name, str) or "/" not in name:
        raise InputError({field: f"must be a resource name such as {parent}/my-slug"}, "legacy")
    head, _, slug = name.rstrip("/").rpartition("/")
    if head != parent or not slug:
        raise InputError({field: f"must be under {parent}, not {name!r}"}, "legacy")
    return slug
