"""`GET /metrics`: the service's Prometheus metrics (`connector.metrics`), behind its keys.

With service keys configured, a scrape needs `Authorization: Bearer <key>`
like any `/v1` call; without, the service listens on loopback only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from connector.service.respond import keyed_service, problem_answer

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    try:
        service = keyed_service(request)
    except Exception as exc:  # no key, or not one of ours: a problem like any refusal
        return problem_answer(exc, None, request)
    body, media_type = service.metrics.exposition()
    return Response(body, media_type=media_type)
