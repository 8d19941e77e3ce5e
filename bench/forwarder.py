"""The bare forwarder the service is measured against: FastAPI on uvicorn (httptools),
one sync route that forwards the call as a GET with urllib3 and answers `{"data": <body>}`.

    .venv/bin/python bench/forwarder.py --target URL --port PORT

It does what any HTTP front for the API must (parse the request, run the handler in the
thread pool, call upstream over a keep-alive pool, answer JSON) and nothing else: no
validation, retries, masking or rate limits. `bench/service.py` starts it.
"""

from __future__ import annotations

import argparse

import urllib3
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response

ACCEPT = "application/vnd.segment.v1+json"


def create_app(target: str) -> FastAPI:
    """`POST /v1/actions/{key}/run` forwards to `target` with the caller's token."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    pool = urllib3.PoolManager(maxsize=64)

    @app.post("/v1/actions/{key}/run")
    def run(key: str, request: Request) -> Response:
        token = request.headers.get("x-segment-token", "")
        got = pool.request("GET", target, headers={"Authorization": f"Bearer {token}",
                                                   "Accept": ACCEPT})
        return Response(b'{"data":' + got.data + b"}", status_code=got.status,
                        media_type="application/json")

    @app.get("/readyz")
    def ready() -> Response:
        return Response(b'{"status":"ready"}', media_type="application/json")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="the URL every call is forwarded to")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.target), host="127.0.0.1", port=args.port, http="httptools",
                backlog=2048)


if __name__ == "__main__":
    main()
