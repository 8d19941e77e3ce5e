"""The FastAPI application: `create_app(settings)` puts the service's pieces together.

One middleware (`gate`) refuses requests not meant for the service, adds security
headers to every answer and caps request bodies; routes serve
`/v1` and the health checks;
FastAPI's own refusals (a body that is not JSON, a wrong shape, no such
route) are answered as problems like every other failure; `/` serves the
playground page from `static/`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from connector import __version__
from connector.registry import Registry
from connector.service.api_docs import TITLE, mount_docs
from connector.service.context import Service
from connector.service.gate import Gate
from connector.service.guard import parse_hosts
from connector.service.limiters import LimiterPool
from connector.service.logs import install_filters
from connector.service.mcp_http import mount_mcp
from connector.service.metrics import router as metrics_router
from connector.service.plain_route import CallThreads, PlainRoute
from connector.service.problems import MEDIA_TYPE, input_problem, plain_problem
from connector.service.respond import dumps
from connector.service.routes import health, router
from connector.service.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings, registry: Registry | None = None,
               limiters: LimiterPool | None = None) -> FastAPI:
    """The service as an ASGI app; `registry` given: no background load (tests)."""
    install_filters()
    service = Service(settings, registry, limiters)
    threads = CallThreads(settings.threads)  # room for every client the service should carry

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        # Other sync work (FastAPI's own routes, streamed answers) runs in anyio's pool.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        service.start_loading()
        try:
            yield
        finally:
            threads.close()

    app = FastAPI(title=TITLE, version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json", lifespan=lifespan)
    app.state.service = service
    app.state.call_threads = threads
    app.add_middleware(Gate, hosts=parse_hosts(settings.hosts, "hosts"),
                       body_limit=settings.body_limit, body_timeout=settings.body_timeout)
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_refusal)  # type: ignore[arg-type]
    _add_routes(app, threads, router, health, metrics_router)
    mount_docs(app, service)
    mount_mcp(app, service)
    _mount_playground(app)
    return app


def _add_routes(app: FastAPI, threads: CallThreads, *routers: APIRouter) -> None:
    """Each router's routes added to the app itself, as `PlainRoute`s running in `threads`:
    FastAPI serves an included router through a matching layer of its own on every
    request, which a few fixed routes do not need."""
    for group in routers:
        for route in group.routes:
            assert isinstance(route, APIRoute), route
            app.router.add_api_route(
                route.path, route.endpoint, methods=sorted(route.methods or ()),
                name=route.name, summary=route.summary, description=route.description,
                response_class=route.response_class, responses=route.responses,
                response_model=route.response_model, status_code=route.status_code,
                include_in_schema=route.include_in_schema, openapi_extra=route.openapi_extra,
                route_class_override=PlainRoute)
            added = app.router.routes[-1]
            assert isinstance(added, PlainRoute), added
            added.run_in(threads)


def _problem(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(body, None), status_code=body["status"], media_type=MEDIA_TYPE,
                    headers=headers)


async def _invalid_request(_request: Request, exc: RequestValidationError) -> Response:
    fields: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if part != "body"]
        if error.get("type") == "json_invalid":
            return _problem(input_problem({"body": "is not valid JSON"}, 400))
        if not loc:  # the body as a whole: not an object, or not sent as JSON
            fields.setdefault("body", 'must be a JSON object such as {"inputs": {...}}, sent '
                              "as application/json")
            continue
        fields.setdefault(".".join(loc), str(error.get("msg", "is invalid")))
    return _problem(input_problem(fields, 422))


async def _http_refusal(_request: Request, exc: HTTPException) -> Response:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http")
    return _problem(plain_problem(exc.status_code, code, str(exc.detail)),
                    dict(exc.headers or {}))


def _mount_playground(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(STATIC), check_dir=False), name="static")

    @app.get("/", include_in_schema=False)
    def playground() -> Response:
        page = STATIC / "index.html"
        if not page.is_file():
            return _problem(plain_problem(404, "not_found", "the playground page is not "
                                          "installed"))
        return FileResponse(page, media_type="text/html")
