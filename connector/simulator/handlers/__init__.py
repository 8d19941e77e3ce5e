"""Stateful handlers by operationId; operations without one get a schema-made answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connector.simulator.catalog import Operation
from connector.simulator.ids import IdSource, now
from connector.simulator.pagination import Query, page
from connector.simulator.schemagen import Generator
from connector.simulator.state import State

DELETED = {"status": "SUCCESS"}


@dataclass(slots=True)
class Ctx:
    """Everything a handler may read about one request."""

    op: Operation
    params: dict[str, str]
    query: Query
    body: Any
    state: State
    ids: IdSource
    gen: Generator
    headers: dict[str, str]

    def arg(self, name: str) -> str:
        return self.params[name]

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def qlist(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    def field(self, name: str, default: Any = None) -> Any:
        return (self.body or {}).get(name, default)


Handler = Callable[[Ctx], Any]
HANDLERS: dict[str, Handler] = {}


def handles(*op_ids: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for op_id in op_ids:
            HANDLERS[op_id] = fn
        return fn
    return register


def listing(ctx: Ctx, key: str, items: list[Any], name: str = "pagination") -> dict[str, Any]:
    chunk, info = page(items, ctx.query, name)
    return {key: chunk, "pagination": info}


def patch(record: dict[str, Any], changes: dict[str, Any] | None, fields: tuple[str, ...]
          ) -> dict[str, Any]:
    """Copy the given fields when present and not null; stamp `updatedAt` if tracked."""
    for name in fields:
        if changes and changes.get(name) is not None:
            record[name] = changes[name]
    if "updatedAt" in record:
        record["updatedAt"] = now()
    return record


def upsert_settings(current: dict[str, Any] | None, changes: dict[str, Any] | None
                    ) -> dict[str, Any]:
    """Settings updates merge key by key; a null value removes the key."""
    merged = dict(current or {})
    for key, value in (changes or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def load_all() -> dict[str, Handler]:
    # Importing the modules fills HANDLERS through @handles.
    from connector.simulator.handlers import (  # noqa: F401
        audit,
        catalog,
        destinations,
        functions,
        iam,
        sources,
        tracking,
        warehouses,
        workspace,
    )
    return HANDLERS
