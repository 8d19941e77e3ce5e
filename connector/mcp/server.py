"""The MCP server: the tools of `tools`, run through the same runtime as the CLI and service.

A `Gateway` says where one MCP request's calls go: over stdio, one runtime
from the environment or a profile; over HTTP, a runtime per request from its
headers (`connector.service.mcp_http`). The credential's policies are the
runtime's, checked before any request is built; a credential with none runs
under `AGENT_DEFAULT` here (reads and writes, nothing destructive), since a
model, not a person, picks the calls.

A call that needs a confirmation and came without one is put to the user
through MCP elicitation when the client offers it (a form showing the
request it would send; on 2026-07-28 connections as an input-required
answer the client retries, whose state is the confirmation token), else it
is refused until a token from `dry_run_action` comes with it.

Every tool answers structured content (JSON text beside it), secrets masked.
A failure is a tool error (`isError`) whose `error` carries the typed
error's `code`, `category`, `retryable` and `retryAfter`, and for bad input
the `fields` at fault, so an agent can act on it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio.to_thread
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from connector import __version__
from connector.errors import ConnectorError, InputError, RateLimitedError, error_record
from connector.mcp import answers, tools
from connector.mcp.confirm import (
    ConfirmationError,
    Confirmations,
    credential_id,
    needs_confirmation,
)
from connector.policy import Policy, irreversible
from connector.redact import Secrets, get_logger, redact, redact_value, scope
from connector.registry import Registry
from connector.runtime import Runtime
from connector.spec import Action
from connector.validation import as_inputs

log = get_logger("segment_connector.mcp")
ASK = "confirm"  # the key of the elicitation that asks the user
ASK_SCHEMA: dict[str, Any] = {
    "type": "object", "required": [ASK],
    "properties": {ASK: {"type": "boolean", "title": "Run it",
                         "description": "Send this request to the Segment API"}}}
AGENT_DEFAULT = Policy("write", name="the MCP default policy (the credential has none)")
DEFAULT_PICKLIST_ITEMS = 100
DEFAULT_POLL_EVENTS = 100
INSTRUCTIONS = (
    "Tools over the Segment Public API. Find an action with search_actions, read its inputs "
    "with describe_action, fill ids from picklist, then run it. Destructive or non-idempotent "
    "writes need a confirmation token from dry_run_action of the same call. Errors carry "
    "code, category, retryable and retryAfter; a refusal by the policy (code `policy`) will "
    "not change on retry.")


class Gateway(Protocol):
    """Where one MCP request's calls go."""

    def registry(self) -> Registry:
        """The plugins (waits for them while they load)."""
        ...

    def runtime(self, ctx: ServerRequestContext[Any, Any]) -> Runtime:
        """The runtime of this request (its credentials, its policies); raises when it has
        none it may use."""
        ...

    def policies(self, ctx: ServerRequestContext[Any, Any]) -> Sequence[Policy]:
        """The policies this request's calls run under (to list only what they permit)."""
        ...


def with_default(policies: Sequence[Policy]) -> tuple[Policy, ...]:
    return tuple(policies) or (AGENT_DEFAULT,)


@dataclass
class FixedGateway:
    """One runtime for every request (stdio: one user, one credential)."""

    fixed: Runtime

    def __post_init__(self) -> None:
        self.fixed.access = with_default(self.fixed.access)

    def registry(self) -> Registry:
        return self.fixed.plugins

    def runtime(self, ctx: ServerRequestContext[Any, Any]) -> Runtime:
        return self.fixed

    def policies(self, ctx: ServerRequestContext[Any, Any]) -> Sequence[Policy]:
        return self.fixed.access


@dataclass
class ToolServer:
    """The tools of one mode over a registry; `build()` makes the SDK's server of them."""

    gateway: Gateway
    areas: frozenset[str] | None = None  # None: the dynamic mode
    max_bytes: int = answers.DEFAULT_MAX_BYTES
    confirmations: Confirmations = field(default_factory=Confirmations)

    def build(self) -> Server[Any]:
        return Server("segment-connector", version=__version__, title="Segment Public API",
                      instructions=INSTRUCTIONS, on_list_tools=self._list_tools,
                      on_call_tool=self._call_tool)

    # -- MCP handlers (async: the runtime's work runs in a worker thread) ----------
    @property
    def registry(self) -> Registry:
        return self.gateway.registry()

    async def _list_tools(self, ctx: ServerRequestContext[Any, Any],
                          params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        def work() -> list[types.Tool]:
            policies = with_default(self.gateway.policies(ctx))
            return tools.list_tools(self.registry, self.areas, policies)

        return types.ListToolsResult(tools=await anyio.to_thread.run_sync(work))

    async def _call_tool(self, ctx: ServerRequestContext[Any, Any],
                         params: types.CallToolRequestParams
                         ) -> types.CallToolResult | types.InputRequiredResult:
        args = dict(params.arguments or {})
        secrets = Secrets()
        try:
            runtime = self.gateway.runtime(ctx)
            secrets = runtime.secrets
            handler = self._handler(params.name)
            asked = await self._ask_user(ctx, params, runtime, args)
            if asked is not None:
                return asked

            def work() -> dict[str, Any]:
                with scope(secrets):
                    return handler(runtime, args)

            result = await anyio.to_thread.run_sync(work)
            return success(result, secrets)
        except Exception as exc:  # every failure is a tool error the agent can read
            return failure(exc, secrets)

    # -- confirmation by the user (elicitation) ------------------------------------
    def _unconfirmed(self, name: str, args: Mapping[str, Any]
                     ) -> tuple[Action, dict[str, Any]] | None:
        """The action and inputs of a run that needs a confirmation and brings none."""
        if tools.CONFIRMATION in args:
            return None
        if self.areas is None and name == tools.RUN:
            key, inputs = args.get("key"), args.get("inputs") or {}
        elif self.areas is not None:
            key, inputs = name, {k: v for k, v in args.items() if k != tools.MAX_BYTES}
        else:
            return None
        action = self.registry.actions.get(key) if isinstance(key, str) else None
        if action is None or not isinstance(inputs, Mapping):
            return None
        values = dict(inputs)
        return (action, values) if needs_confirmation(action, values) else None

    async def _ask_user(self, ctx: ServerRequestContext[Any, Any],
                        params: types.CallToolRequestParams, runtime: Runtime,
                        args: dict[str, Any]) -> types.InputRequiredResult | None:
        """Put an unconfirmed dangerous call to the user, when the client can ask one.

        None: go on (confirmed now, or nothing to ask: the call then needs its token);
        an InputRequiredResult: the question, for a 2026-07-28 client to retry with.
        """
        found = self._unconfirmed(params.name, args)
        modern = ctx.protocol_version in MODERN_PROTOCOL_VERSIONS
        wanted = types.ClientCapabilities(elicitation=types.ElicitationCapability())
        if found is None or not ctx.session.check_client_capability(wanted) or \
                not (modern or ctx.session.can_send_request):
            return None
        action, values = found
        credential = credential_id(runtime.connection.token)
        if modern and params.request_state is not None:  # the retry, with the user's answer
            reply = (params.input_responses or {}).get(ASK)
            if not _accepted(reply):
                raise ConfirmationError(action.key, "the user did not confirm the call")
            args[tools.CONFIRMATION] = params.request_state  # redeemed as any token is
            return None

        def show() -> str:  # the policy first: a refused call is never put to the user
            with scope(runtime.secrets):
                runtime.allowed(action, values)
                return question(action, runtime.dry_run(action.key, values))

        message = redact(await anyio.to_thread.run_sync(show), runtime.secrets)
        if modern:
            token, _ = self.confirmations.issue(action.key, values, credential)
            form = types.ElicitRequestFormParams(message=message, requested_schema=ASK_SCHEMA)
            return types.InputRequiredResult(
                input_requests={ASK: types.ElicitRequest(params=form)}, request_state=token)
        reply = await ctx.session.elicit_form(message, ASK_SCHEMA,
                                              related_request_id=ctx.request_id)
        if not _accepted(reply):
            raise ConfirmationError(action.key, "the user did not confirm the call")
        args[tools.CONFIRMATION] = self.confirmations.issue(action.key, values, credential)[0]
        return None

    # -- tools -------------------------------------------------------------------
    def _handler(self, name: str) -> Callable[[Runtime, dict[str, Any]], dict[str, Any]]:
        handlers: dict[str, Callable[[Runtime, dict[str, Any]], dict[str, Any]]] = {
            tools.SEARCH: self._search, tools.DESCRIBE: self._describe,
            tools.DRY_RUN: self._dry_run, tools.PICKLIST: self._picklist,
            tools.POLL: self._poll}
        if self.areas is None:
            handlers[tools.RUN] = self._run_tool
        if name in handlers:
            return handlers[name]
        action = self.registry.actions.get(name)
        if self.areas is not None and action is not None and action.area in self.areas:
            return lambda runtime, args: self._run_action(runtime, action.key, args)
        raise InputError({"name": f"no tool {name!r} on this server"})

    def _search(self, runtime: Runtime, args: dict[str, Any]) -> dict[str, Any]:
        query = _text(args, "query")
        limit = args.get("limit", 15)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 50:
            raise InputError({"limit": "must be a whole number from 1 to 50"})
        area = args.get("area") or None
        found = tools.search(self.registry, query, area, limit, runtime.access)
        return {"actions": found}

    def _describe(self, runtime: Runtime, args: dict[str, Any]) -> dict[str, Any]:
        from connector import manifest
        from connector.samples import sample_inputs

        action = self.registry.action(_text(args, "key"))
        entry = manifest.describe_action(action)
        for hidden in ("plugin", "inputs", "aliases"):
            entry.pop(hidden, None)
        refusals = [r for p in runtime.access if (r := p.refusal(action)) is not None]
        entry.update(exampleInputs=sample_inputs(action),
                     picklists={i.key: i.picklist for i in action.inputs if i.picklist},
                     needsConfirmation=needs_confirmation(action, {}),
                     irreversible=irreversible(action), permitted=not refusals)
        if refusals:
            entry["refusedBecause"] = refusals[0]
        return answers.fitted(entry, self.max_bytes, action.key)

    def _run_tool(self, runtime: Runtime, args: dict[str, Any]) -> dict[str, Any]:
        key = _text(args, "key")
        inputs = _object(args, "inputs")
        extra = sorted(set(args) - {"key", "inputs", tools.CONFIRMATION, tools.MAX_BYTES})
        if extra:
            raise InputError({extra[0]: "unknown argument; the action's inputs go in `inputs`"})
        return self._run_action(runtime, key, {**inputs, **{
            k: args[k] for k in (tools.CONFIRMATION, tools.MAX_BYTES) if k in args}})

    def _run_action(self, runtime: Runtime, key: str, args: dict[str, Any]) -> dict[str, Any]:
        action = self.registry.action(key)
        token = args.pop(tools.CONFIRMATION, None)
        cap = answers.cap_from(args.pop(tools.MAX_BYTES, None), self.max_bytes)
        values = as_inputs(args, action.key)
        runtime.allowed(action, values)  # a refused call is refused before its confirmation
        if needs_confirmation(action, values):
            self.confirmations.redeem(token, action.key, values,
                                      credential_id(runtime.connection.token))
        if action.paginated and action.run is None:
            return answers.listing(runtime, action, values, cap)
        return answers.fitted(runtime.run(action.key, values), cap, action.key)

    def _dry_run(self, runtime: Runtime, args: dict[str, Any]) -> dict[str, Any]:
        action = self.registry.action(_text(args, "key"))
        values = as_inputs(_object(args, "inputs"), action.key)
        out: dict[str, Any] = {"request": runtime.dry_run(action.key, values)}
        if needs_confirmation(action, values):
            token, expires = self.confirmations.issue(
                action.key, values, credential_id(runtime.connection.token))
            out.update(confirmation=token, expiresAt=expires,
                       howToConfirm=f"run {action.key} with exactly these inputs and "
                                    f"`confirmation`; the token works once")
        return answers.fitted(out, self.max_bytes, action.key)

    def _picklist(self, runtime: Runtime, args: dict[str, Any]) -> dict[str, Any]:
        source = self.registry.datasource(_text(args, "key"))
        values = as_inputs(_object(args, "inputs"), source.key)
        values.setdefault("maxItems", DEFAULT_PICKLIST_ITEMS)
        answer = runtime.picklist(source.key, values)
        size = answers.size_of(answer)
        if size > self.max_bytes and len(answer["result"]) > 1:  # ask again for what fits
            fits = max(1, len(answer["result"]) * self.max_bytes // (size * 2))
            answer = runtime.picklist(source.key, {**values, "maxItems": fits})
        return answers.fitted(answer, self.max_bytes, source.key)

    def _poll(self, runtime: Runtime, args: dict[str, Any]) -> dict[str, Any]:
        trigger = self.registry.trigger(_text(args, "key"))
        values = as_inputs(_object(args, "inputs"), trigger.key)
        values.setdefault("maxEvents", DEFAULT_POLL_EVENTS)
        state = args.get("state")
        if state is not None and not isinstance(state, Mapping):
            raise InputError({"state": "must be the `state` object of the last poll, or null"})
        cap = answers.cap_from(args.get(tools.MAX_BYTES), self.max_bytes)
        return answers.fitted(runtime.poll(trigger.key, values, state), cap, trigger.key)


def question(action: Action, request: Mapping[str, Any]) -> str:
    """What the user is asked: the action, what it does, and the request it sends."""
    body = request.get("body")
    shown = "" if body in (None, "", {}) else \
        " with " + json.dumps(body, ensure_ascii=False, default=str)[:500]
    return (f"Run {action.display} ({action.key}, {action.safety}"
            f"{'' if action.idempotent else ', not safe to repeat'})? It sends "
            f"{request.get('method', '')} {request.get('url', '')}{shown}.")


def _accepted(reply: Any) -> bool:
    return isinstance(reply, types.ElicitResult) and reply.action == "accept" and \
        (reply.content or {}).get(ASK) is True


def _text(args: Mapping[str, Any], name: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InputError({name: "is required: a non-empty string"})
    return value.strip()


def _object(args: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = args.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError({name: "must be an object of inputs by key"})
    return dict(value)


def _masked_json(data: Any, secrets: Secrets) -> tuple[Any, str]:
    masked = redact_value(data, secrets)
    text = json.dumps(masked, ensure_ascii=False, separators=(",", ":"), default=str)
    return masked, redact(text, secrets)


def success(result: dict[str, Any], secrets: Secrets) -> types.CallToolResult:
    masked, text = _masked_json(result, secrets)
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                structured_content=masked)


def error_object(exc: BaseException) -> dict[str, Any]:
    """The typed error as an agent reads it: code, category, retryable, retryAfter, ..."""
    if not isinstance(exc, ConnectorError):
        return {"code": "internal", "category": "internal", "retryable": False,
                "message": "the server failed to answer; see its log"}
    record = error_record(exc)
    record.pop("type", None)
    retry_after = record.pop("retry_after", None)
    if isinstance(exc, RateLimitedError) and isinstance(retry_after, int | float) \
            and math.isfinite(retry_after):
        record["retryAfter"] = max(0.0, float(retry_after))
    return record


def failure(exc: BaseException, secrets: Secrets) -> types.CallToolResult:
    if not isinstance(exc, ConnectorError):
        import traceback

        log.error("internal error: %s", redact("".join(traceback.format_exception(exc)),
                                               secrets))
    masked, text = _masked_json({"error": error_object(exc)}, secrets)
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                structured_content=masked, is_error=True)
