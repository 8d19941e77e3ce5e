"""One translated Config API call: its Public API steps, warnings, and the runtime they use.

`Bridge` keeps what a run learns (slug -> id) across calls; `Plan` is one call.
With `dry` nothing is sent: each step is recorded as the request the runtime
would send, and ids that a lookup would find are shown as placeholders.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connector.legacy.resolve import Resolver

LOOKUP_PAGE = 200  # items per page when a lookup reads a whole listing
LOOKUP_CAP = 100_000  # items a lookup reads at most

if TYPE_CHECKING:
    from connector.legacy.table import Endpoint
    from connector.runtime import Runtime


@dataclass
class Plan:
    """A Config API request being answered through Public API actions."""

    runtime: Runtime
    resolver: Resolver
    endpoint: Endpoint
    params: dict[str, str]
    query: dict[str, str]
    body: dict[str, Any]
    dry: bool = False
    steps: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ws(self) -> str:
        return f"workspaces/{self.params.get('ws', '')}"

    @property
    def path(self) -> str:
        """The path called, parameters filled in (what a page token is bound to)."""
        out = self.endpoint.path
        for name, value in self.params.items():
            out = out.replace("{" + name + "}", value)
        return out

    def call(self, op: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run one action; its answer's `data` object (`{}` in a dry run)."""
        values = {k: v for k, v in (inputs or {}).items() if v is not None}
        if self.dry:
            self.steps.append({"action": op, "request": self.runtime.dry_run(op, values)})
            return {}
        step: dict[str, Any] = {"action": op}
        self.steps.append(step)
        body = self.runtime.run(op, values)["data"]
        step["done"] = True
        data = body.get("data") if isinstance(body, Mapping) else None
        return dict(data) if isinstance(data, Mapping) else {}

    def items(self, op: str, inputs: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a listing (one recorded request in a dry run).

        Through `Runtime.run` with followAll, like any other action, so every check
        the runtime makes on a run applies to lookups too.
        """
        values = {"count": LOOKUP_PAGE, "followAll": True, "maxItems": LOOKUP_CAP,
                  **(inputs or {})}
        if self.dry:
            values.pop("followAll"), values.pop("maxItems")
            self.steps.append({"action": op, "request": self.runtime.dry_run(op, values)})
            return iter(())
        key = self.runtime.plugins.action(op).items or ""
        return iter(self.call(op, values).get(key) or [])

    def writes_done(self) -> list[str]:
        """The actions that changed something and finished (for a failure part-way)."""
        from connector.spec import safety_of

        actions = [self.runtime.plugins.action(s["action"]) for s in self.steps if s.get("done")]
        return [a.key for a in actions if (a.safety or safety_of(a.method)) != "read"]

    def placeholder(self, what: str) -> str:
        return f"<{what}>"


class Bridge:
    """Answers Config API calls on one runtime, remembering slugs it resolved."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.resolver = Resolver()

    def call(self, method: str, path: str, body: Any = None, dry: bool = False
             ) -> tuple[dict[str, Any], Plan]:
        """(the Config API-shaped answer, the plan that made it) for `method path`."""
        from connector.legacy.run import answer

        return answer(self, method, path, body, dry)
