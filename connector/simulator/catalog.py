"""The catalogue's operations as the simulator routes them (facts from connector.api.catalog)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from connector.api.catalog import load, schema


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation as the simulator needs it."""

    op_id: str
    method: str
    path: str
    accept: tuple[str, ...]
    content_type: tuple[str, ...]
    status: int
    response_model: str
    body_model: str | None
    body_required: bool
    query: tuple[dict[str, Any], ...]
    path_params: tuple[str, ...]
    rate_limit: tuple[int, str] | None  # (limit, "minute" | "day")
    audit_events: tuple[str, ...]  # event types the operation may add to the audit trail
    regex: re.Pattern[str]

    def literal_weight(self) -> tuple[int, int]:
        # Literal segments beat parameters: /audiences/previews/{id} before /audiences/{id}.
        parts = self.path.strip("/").split("/")
        return (-sum(1 for p in parts if not p.startswith("{")), -len(parts))


__all__ = ["Operation", "match", "methods_at", "operations", "schema",
           "validator"]


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name))


def _compile(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return re.compile(f"^{pattern}/?$" if path != "/" else "^/$")


def _operation(o: dict[str, Any]) -> Operation:
    ok = next(code for code in o["responses"] if code.startswith("2"))
    body = next((p for p in o["params"] if p["in"] == "body"), None)
    limit = o.get("rate_limit")
    return Operation(
        op_id=o["operationId"], method=o["method"], path=o["path"],
        accept=tuple(o["accept"]), content_type=tuple(o.get("content_type") or ()),
        status=int(ok), response_model=o["responses"][ok],
        body_model=body["model"] if body else None,
        body_required=bool(body and body["required"]),
        query=tuple(p for p in o["params"] if p["in"] == "query"),
        path_params=tuple(p["name"] for p in o["params"] if p["in"] == "path"),
        rate_limit=(int(limit["limit"]), limit["per"]) if limit else None,
        audit_events=tuple(o.get("audit_events") or ()),
        regex=_compile(o["path"]),
    )


@cache
def operations() -> dict[str, Operation]:
    return {o["operationId"]: _operation(o) for o in load()["operations"]}


@cache
def _routes() -> dict[str, list[Operation]]:
    table: dict[str, list[Operation]] = {}
    for op in operations().values():
        table.setdefault(op.method, []).append(op)
    for ops in table.values():
        ops.sort(key=Operation.literal_weight)
    return table


def match(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """The operation serving `method path`, with its decoded path parameters."""
    from urllib.parse import unquote

    for op in _routes().get(method, ()):
        m = op.regex.match(path)
        if m:
            return op, {k: unquote(v) for k, v in m.groupdict().items()}
    return None


def methods_at(path: str) -> list[str]:
    """The methods the catalogue declares for `path` (empty: no such path)."""
    return sorted({op.method for op in operations().values() if op.regex.match(path)})
