"""MCP on the service: the same tools at `/mcp`, as MCP's streamable HTTP transport.

Mounted when the `mcp` extra is installed. Each HTTP request brings its own
credentials in the service's headers (`X-Segment-Token`, or
`X-Segment-Profile` with the service key that may use it) and runs on a
runtime of its own, under the policies of `access` (with the MCP default
when none applies); a request with no valid service key, where keys are
configured, is refused before the MCP layer reads it. The transport is
stateless: no session ties one request's credentials to another's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from connector.policy import Policy
from connector.redact import get_logger
from connector.registry import Registry
from connector.runtime import Runtime
from connector.service.access import policies_for
from connector.service.context import Service
from connector.service.problems import problem
from connector.service.respond import dumps

log = get_logger("segment_connector.service")
PATH = "/mcp"


class ServiceGateway:
    """A runtime per MCP request, from that request's headers."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def registry(self) -> Registry:
        return self.service.registry()

    @staticmethod
    def _headers(ctx: Any) -> dict[str, str]:
        request = getattr(ctx, "request", None)
        headers = getattr(request, "headers", None)
        return {k.lower(): v for k, v in headers.items()} if headers is not None else {}

    def runtime(self, ctx: Any) -> Runtime:
        from connector.mcp.server import with_default

        runtime = self.service.call(self._headers(ctx)).runtime
        runtime.access = with_default(runtime.access)
        return runtime

    def policies(self, ctx: Any) -> Sequence[Policy]:
        headers = self._headers(ctx)
        key = self.service.keys.identify(headers.get("authorization"))
        return policies_for(headers, self.service.settings, key)


class _KeyCheck:
    """Refuses a request without a valid service key (where keys are configured) with the
    service's problem, before the MCP transport reads it."""

    def __init__(self, app: Any, service: Service) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                       for k, v in scope.get("headers", [])}
            try:
                self.service.keys.identify(headers.get("authorization"))
            except Exception as exc:
                status, body, extra = problem(exc, None, PATH)
                raw = dumps(body, None).encode()
                head = [(b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(raw)).encode()),
                        *((k.lower().encode(), v.encode()) for k, v in extra.items())]
                await send({"type": "http.response.start", "status": status, "headers": head})
                await send({"type": "http.response.body", "body": raw})
                return
        await self.app(scope, receive, send)


def mount_mcp(app: FastAPI, service: Service) -> bool:
    """Mount `/mcp` on `app` and run its session manager in the app's lifespan; False when
    the mcp extra is not installed (the service runs without it)."""
    try:
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    except ImportError:
        return False
    from connector.mcp.server import ToolServer

    server = ToolServer(ServiceGateway(service)).build()
    manager = StreamableHTTPSessionManager(
        server, stateless=True, json_response=True, security_settings=_security(service),
        max_request_body_size=service.settings.body_limit)

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        await manager.handle_request(scope, receive, send)

    app.router.routes.append(Route(PATH, endpoint=_KeyCheck(endpoint, service),
                                   methods=["GET", "POST", "DELETE"]))
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with manager.run(), inner(a) as state:
            yield state

    app.router.lifespan_context = lifespan
    return True


def _security(service: Service) -> Any:
    """The SDK's own Host and Origin checks stay off: the service's RequestGuard
    (`connector.service.guard`) already refused every request not meant for it, with the
    names the operator allowed (`--allow-host`), which the SDK's list would not know."""
    from mcp.server.transport_security import TransportSecuritySettings

    return TransportSecuritySettings(enable_dns_rebinding_protection=False)
