"""One request from raw parts to an answer: auth, routing, limits, faults, checks, handler."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from connector.simulator import audit, catalog, faults, generic, media, validation
from connector.simulator.errors import ApiError, StateFileError
from connector.simulator.handlers import Ctx, load_all
from connector.simulator.state import StateFile, StoreClosed

if TYPE_CHECKING:
    from connector.simulator.server import Simulator

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Deeper bodies are refused before validation, whose recursion would otherwise hit
# Python's limit; real bodies nest well under ten levels.
MAX_DEPTH = 64


@dataclass(slots=True)
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    media: str = media.JSON


def _fault_error(status: int) -> ApiError:
    if status == 429:
        return ApiError(429, "RequestError", "Too many requests",
                        data={"remainingPoints": 0, "msBeforeNext": 1000, "consumedPoints": 0},
                        headers={"Retry-After": "1"})
    if status < 500:
        return ApiError(status, "injected-error", "Injected client error")
    return ApiError(status, "server-error", "Injected server error")


def _too_deep(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit` (iterative: no recursion to blow)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
    return False


def parse_json(raw: bytes) -> Any:
    """The body as JSON; 422 (the API's answer to a bad input) when it is not JSON or
    nests deeper than MAX_DEPTH."""
    try:
        body = json.loads(raw)
    except RecursionError:  # json's own guard, far past MAX_DEPTH
        raise _nested_error() from None
    except ValueError as exc:
        raise ApiError(422, "input-validation", "Body is not valid JSON", field="body") from exc
    # Counting brackets is cheap; only a body with enough of them can be too deep.
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and isinstance(body, dict | list) \
            and _too_deep(body, MAX_DEPTH):
        raise _nested_error()
    return body


def _nested_error() -> ApiError:
    return ApiError(422, "input-validation",
                    f"Body nests arrays and objects deeper than {MAX_DEPTH}", field="body")


def dispatch(sim: Simulator, method: str, target: str, headers: dict[str, str],
             raw: bytes) -> Answer:
    answer = Answer()
    try:
        _run(sim, method, target, headers, raw, answer)
    except ApiError as error:
        answer.status, answer.body, answer.media = error.status, error.body(), media.JSON
        answer.headers.update(error.headers)
    return answer


def _bearer(headers: dict[str, str]) -> str:
    value = headers.get("authorization", "")
    return value[7:].strip() if value[:7].lower() == "bearer " else ""


def _run(sim: Simulator, method: str, target: str, headers: dict[str, str], raw: bytes,
         answer: Answer) -> None:
    url = urlsplit(target)
    query = parse_qs(url.query, keep_blank_values=True)
    token = _bearer(headers)
    if not sim.accepts(token):
        answer.headers.update(sim.limiter.hit("", "default", sim.rate_limit,
                                              consume=False).headers())
        raise ApiError(401, "unauthorized", "Missing or invalid bearer token")
    sim.count(method)

    found = catalog.match(method, url.path)
    op = found[0] if found else None
    bucket, limit, per = "default", sim.rate_limit, "minute"
    if op and op.rate_limit and sim.endpoint_limits:
        bucket, (limit, per) = op.op_id, op.rate_limit
    verdict = sim.limiter.hit(token, bucket, limit, per)
    answer.headers.update(verdict.headers())
    if not verdict.allowed:
        raise ApiError(429, "RequestError", "Too many requests", data=verdict.error_data())
    if found is None:
        allowed = catalog.methods_at(url.path)
        if allowed:
            raise ApiError(405, "method-not-allowed",
                           f"{method} is not allowed here; use {', '.join(allowed)}",
                           headers={"Allow": ", ".join(allowed)})
        raise ApiError(404, "not-found", f"No route for {method} {url.path}")
    op, params = found

    try:
        plan = sim.fault_plan(headers.get(faults.HEADER.lower()))
    except ValueError as exc:
        raise ApiError(400, "bad-request", str(exc), field=faults.HEADER) from None
    if plan.latency_ms:
        time.sleep(plan.latency_ms / 1000)
    if plan.drop:
        answer.drop = True
        return
    if plan.status:
        raise _fault_error(plan.status)

    answer.media = media.negotiate(op, headers.get("accept"))
    body = None
    if raw:
        media.check_body_type(op, headers.get("content-type"))
        body = parse_json(raw)
    validation.check_query(op, query)
    body = validation.check_body(op, body)

    state = sim.state_for(token)
    ctx = Ctx(op=op, params=params, query=query, body=body, state=state, ids=sim.ids,
              gen=sim.gen, headers=headers)
    handler = load_all().get(op.op_id, generic.answer)
    result = handler(ctx)
    status, data = result if isinstance(result, tuple) else (op.status, result)
    with state.lock:  # records are live; encode before another request changes them
        audit.record(state, sim.ids, op, params, body, data, state.workspace)
        payload = json.dumps({"data": data}, separators=(",", ":")).encode()
    if method in WRITES and sim.store is not None and state is sim.state:
        _commit(sim.store)  # on disk before it is acknowledged
    if plan.after_write and method in WRITES:
        raise ApiError(plan.after_write, "server-error", "Injected server error after write")
    answer.status = status
    answer.body = payload


def _commit(store: StateFile) -> None:
    try:
        store.commit()
    except StoreClosed:
        raise ApiError(503, "server-error", "The simulator is stopping; the change was not saved",
                       headers={"Retry-After": "1"}) from None
    except StateFileError as exc:
        # The operator needs the path and reason; the client only that the change may not
        # survive a restart (it stays in memory and goes out with the next save).
        print(f"simulator: {exc}", file=sys.stderr, flush=True)
        raise ApiError(500, "server-error", "The simulator could not save the change") from None
