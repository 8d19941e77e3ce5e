"""One request from raw parts to an answer: auth, routing, limits, faults, checks, handler."""

from __future__ import annotations

import hmac
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from connector.simulator import catalog, faults, generic, media, validation
from connector.simulator.errors import ApiError
from connector.simulator.handlers import Ctx, load_all

if TYPE_CHECKING:
    from connector.simulator.server import Simulator

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
    return ApiError(status, "server-error", "Injected server error")


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
    if not hmac.compare_digest(token.encode(), sim.token.encode()):
        answer.headers.update(sim.limiter.hit("", "default", sim.rate_limit,
                                              consume=False).headers())
        raise ApiError(401, "unauthorized", "Missing or invalid bearer token")

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
        raise ApiError(404, "not-found", f"No route for {method} {url.path}")
    op, params = found

    plan = sim.fault_plan(headers.get(faults.HEADER.lower()))
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
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise ApiError(400, "bad-request", "Body is not valid JSON") from exc
    validation.check_query(op, query)
    body = validation.check_body(op, body)

    ctx = Ctx(op=op, params=params, query=query, body=body, state=sim.state, ids=sim.ids,
              gen=sim.gen, headers=headers)
    handler = load_all().get(op.op_id, generic.answer)
    result = handler(ctx)
    status, data = result if isinstance(result, tuple) else (op.status, result)
    if plan.after_write and method in WRITES:
        raise ApiError(plan.after_write, "server-error", "Injected server error after write")
    answer.status = status
    with sim.state.lock:  # records are live; encode before another request changes them
        answer.body = json.dumps({"data": data}, separators=(",", ":")).encode()
