"""The `/v1` endpoints and the health checks. Handlers are plain functions, run in the
service's thread pool (`plain_route`), and the runtime underneath is synchronous.

A handler reads its JSON body itself (`read_body`) from the bytes the gate has already
read, rather than through a FastAPI body parameter: that path re-parses the content type
and walks the parameter's type on every request, most of a bare call's work in the event
loop. Its refusals are the ones FastAPI would make, and the OpenAPI document is the same.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connector.body import parse_json
from connector.service.bodies import BODY
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


BODY_MODELS = (InputsBody, PollBody)  # their schemas go into the OpenAPI document
Body = TypeVar("Body", bound=BaseModel)


def read_body(request: Request, model: type[Body]) -> Body | None:
    """The request's JSON body as `model` (None when it has none); otherwise the
    `RequestValidationError` FastAPI raises for it, answered as a problem."""
    raw = request.scope.get(BODY) or b""
    if not raw.strip():
        return None
    parsed, data = _parsed(raw)
    if not parsed:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",),
                                       "msg": "JSON decode error", "input": {}}])
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
    raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors])


def _parsed(raw: bytes) -> tuple[bool, Any]:
    """(whether `raw` is JSON, its value); the refusal is raised by the caller, outside
    this block, as json's error would keep the whole body on its chain."""
    try:
        return True, parse_json(raw)
    except ValueError:
        return False, None


def takes(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI `requestBody` of a route whose body is an optional `model`."""
    return {"requestBody": {"content": {"application/json": {"schema": {
        "anyOf": [{"$ref": f"#/components/schemas/{model.__name__}"}, {"type": "null"}],
        "title": "Body"}}}}}


def _inputs(request: Request) -> dict[str, Any]:
    body = read_body(request, InputsBody)
    return body.inputs if body is not None else {}


# First: the route most calls take is the first one matched.
@router.post("/actions/{key}/run", summary="Run an action: {\"data\": <API body>}",
             openapi_extra=takes(InputsBody))
def run_action(key: str, request: Request) -> Response:
    inputs = _inputs(request)
    return answer(request, lambda call: call.runtime.run(call.action(key).key, inputs))


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


@router.post("/actions/{key}/dry-run", summary="The request run would send (token masked)",
             openapi_extra=takes(InputsBody))
def dry_run_action(key: str, request: Request) -> Response:
    inputs = _inputs(request)
    return answer(request, lambda call: call.runtime.dry_run(call.action(key).key, inputs))


@router.post("/actions/{key}/items", summary="A listing's items as NDJSON, page by page",
             response_class=Response,
             responses={200: {"content": {"application/x-ndjson": {}}}},
             openapi_extra=takes(InputsBody))
def list_items(key: str, request: Request) -> Response:
    return stream_items(request, key, _inputs(request))


@router.post("/picklists/{key}", summary="A picklist's options: {\"result\": [...]}",
             openapi_extra=takes(InputsBody))
def picklist(key: str, request: Request) -> Response:
    inputs = _inputs(request)
    return answer(request, lambda call: call.runtime.picklist(call.datasource(key).key, inputs))


@router.post("/triggers/{key}/poll",
             summary="Poll a trigger: {\"events\": [...], \"state\": {...}}",
             openapi_extra=takes(PollBody))
def poll_trigger(key: str, request: Request) -> Response:
    body = read_body(request, PollBody)

    def work(call: Call) -> Any:
        trigger = call.registry.trigger(key)
        inputs, state = (body.inputs, body.state) if body is not None else ({}, None)
        return call.runtime.poll(trigger.key, inputs, state)

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
