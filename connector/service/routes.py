"""The `/v1` endpoints and the health checks. Handlers are plain functions: FastAPI runs
them in its thread pool, and the runtime underneath is synchronous."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from connector.service.calls import Call
from connector.service.respond import (
    answer,
    json_answer,
    keyed_service,
    problem_answer,
    service_of,
)
from connector.service.streaming import stream_items

router = APIRouter(prefix="/v1")
health = APIRouter()


class InputsBody(BaseModel):
    """`{"inputs": {...}}`: the action's or picklist's inputs by key."""

    model_config = ConfigDict(extra="forbid")
    inputs: dict[str, Any] = Field(default_factory=dict)


class PollBody(InputsBody):
    """`{"inputs": {...}, "state": ...}`: the state the last poll answered (none at first)."""

    state: dict[str, Any] | None = None


def _inputs(body: InputsBody | None) -> dict[str, Any]:
    return body.inputs if body is not None else {}


@router.get("/manifest", summary="The manifest: every action and picklist with its inputs")
def get_manifest(request: Request) -> Response:
    try:
        data = keyed_service(request).manifest_bytes()
    except Exception as exc:
        return problem_answer(exc, None, request)
    return Response(data, media_type="application/json")


@router.get("/target", summary="Where calls go: the embedded simulator or the API's address")
def get_target(request: Request) -> Response:
    try:
        data = target_of(keyed_service(request).settings)
    except Exception as exc:
        return problem_answer(exc, None, request)
    return json_answer(data, None)


def target_of(settings: Any) -> dict[str, Any]:
    """What the playground's first screen says of where calls go: an origin, no userinfo."""
    if settings.default_profile == "simulator":
        return {"kind": "simulator", "address": _origin(settings.base_url), "needsToken": False}
    if settings.base_url:
        return {"kind": "base_url", "address": _origin(settings.base_url), "needsToken": True}
    return {"kind": "api", "address": "https://api.segmentapis.com", "needsToken": True}


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


@router.get("/actions/{key}", summary="One action's manifest entry")
def get_action(key: str, request: Request) -> Response:
    return answer(request, lambda call: service_of(request).entry(call.registry, key))


@router.post("/actions/{key}/run", summary="Run an action: {\"data\": <API body>}")
def run_action(key: str, request: Request, body: InputsBody | None = None) -> Response:
    def work(call: Call) -> Any:
        action = call.action(key)
        return call.runtime.run(action.key, _inputs(body))

    return answer(request, work)


@router.post("/actions/{key}/dry-run", summary="The request run would send (token masked)")
def dry_run_action(key: str, request: Request,
                   body: InputsBody | None = None) -> Response:
    def work(call: Call) -> Any:
        action = call.action(key)
        return call.runtime.dry_run(action.key, _inputs(body))

    return answer(request, work)


@router.post("/actions/{key}/items", summary="A listing's items as NDJSON, page by page",
             response_class=Response,
             responses={200: {"content": {"application/x-ndjson": {}}}})
def list_items(key: str, request: Request, body: InputsBody | None = None) -> Response:
    return stream_items(request, key, _inputs(body))


@router.post("/picklists/{key}", summary="A picklist's options: {\"result\": [...]}")
def picklist(key: str, request: Request, body: InputsBody | None = None) -> Response:
    def work(call: Call) -> Any:
        source = call.datasource(key)
        return call.runtime.picklist(source.key, _inputs(body))

    return answer(request, work)


@router.post("/triggers/{key}/poll",
             summary="Poll a trigger: {\"events\": [...], \"state\": {...}}")
def poll_trigger(key: str, request: Request, body: PollBody | None = None) -> Response:
    def work(call: Call) -> Any:
        trigger = call.registry.trigger(key)
        state = body.state if body is not None else None
        return call.runtime.poll(trigger.key, _inputs(body), state)

    return answer(request, work)


@router.post("/check", summary="Prove the connection: the workspace it reaches")
def check(request: Request) -> Response:
    def work(call: Call) -> Any:
        from connector.check import check_connection

        runtime = call.runtime
        return check_connection(runtime.connection, registry=runtime.registry,
                                policy=runtime.policy, limiter=runtime.limiter,
                                access=runtime.access)

    return answer(request, work)


@health.get("/healthz", summary="The process answers")
def healthz() -> Response:
    return json_answer({"status": "ok"}, None)


@health.get("/readyz", summary="Plugins loaded: calls can be served")
def readyz(request: Request) -> Response:
    service = service_of(request)
    if not service.ready:
        state = "failed" if service.failed else "loading"
        return json_answer({"status": state}, None, 503)
    registry = service.registry()
    return json_answer({"status": "ready", "actions": len(registry.actions.items),
                        "picklists": len(registry.datasources.items)}, None)
