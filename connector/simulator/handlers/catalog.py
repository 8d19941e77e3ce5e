"""The catalog of source, destination and warehouse types (a small fixture set)."""

from __future__ import annotations

from typing import Any

from connector.simulator.handlers import Ctx, handles, listing

_KINDS = {"Source": "source", "Destination": "destination", "Warehouse": "warehouse"}


def _get(kind: str) -> None:
    @handles(f"get{kind}Metadata")
    def get_one(ctx: Ctx) -> dict[str, Any]:
        key = f"{_KINDS[kind]}Metadata"
        return {key: ctx.state.get(key, ctx.arg(f"{key}Id"))}

    @handles(f"get{kind}sCatalog")
    def get_many(ctx: Ctx) -> dict[str, Any]:
        key = _KINDS[kind]
        return listing(ctx, f"{key}sCatalog", list(ctx.state[f"{key}Metadata"].values()))


for _kind in _KINDS:
    _get(_kind)
