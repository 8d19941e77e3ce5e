"""PlainRoute serves plain handlers without FastAPI's per-request machinery, and leaves
every other handler to FastAPI."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from connector.service.app import create_app
from connector.service.plain_route import PlainRoute, _serve
from connector.service.settings import load


def _app() -> FastAPI:
    app = FastAPI()
    add = app.router.add_api_route

    def echo(key: str, request: Request) -> Response:
        return Response(f"{key} {request.method} {request.url.path}".encode())

    def refuse(key: str) -> Response:
        raise HTTPException(409, f"{key} is taken")

    def counted(key: str, n: int) -> Response:  # a query parameter: FastAPI's to read
        return Response(f"{key} x{n}".encode())

    def data(key: str) -> dict[str, Any]:  # not a Response: FastAPI's to encode
        return {"key": key}

    async def waited(key: str) -> Response:  # a coroutine: FastAPI's to await
        return Response(key.encode())

    for path, endpoint in (("/echo/{key}", echo), ("/refuse/{key}", refuse),
                           ("/counted/{key}", counted), ("/data/{key}", data),
                           ("/waited/{key}", waited)):
        add(path, endpoint, methods=["GET"], route_class_override=PlainRoute)
    return app


def _served_plainly(app: FastAPI, path: str) -> bool:
    route = next(r for r in app.routes if isinstance(r, APIRoute) and r.path == path)
    return getattr(route.app, "__qualname__", "") == _serve(Response, None).__qualname__


def test_a_plain_handler_gets_the_path_value_and_the_request() -> None:
    app = _app()
    assert _served_plainly(app, "/echo/{key}")
    got = TestClient(app).get("/echo/getWorkspace")
    assert got.status_code == 200
    assert got.text == "getWorkspace GET /echo/getWorkspace"


def test_what_a_plain_handler_raises_reaches_the_app_s_handlers() -> None:
    got = TestClient(_app()).get("/refuse/abc")
    assert got.status_code == 409
    assert got.json() == {"detail": "abc is taken"}


def test_handlers_of_other_shapes_are_left_to_fastapi() -> None:
    app = _app()
    client = TestClient(app)
    for path in ("/counted/{key}", "/data/{key}", "/waited/{key}"):
        assert not _served_plainly(app, path), path
    assert client.get("/counted/a?n=3").text == "a x3"
    refused = client.get("/counted/a?n=many")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "n"]
    assert client.get("/data/a").json() == {"key": "a"}
    assert client.get("/waited/a").text == "a"


def test_a_wrong_method_is_still_refused_by_the_route() -> None:
    assert TestClient(_app()).post("/echo/a").status_code == 405


def test_every_service_endpoint_is_served_plainly() -> None:
    app = create_app(load(None, {}, base_url="http://127.0.0.1:9"))
    plain = [route.path for route in app.routes
             if isinstance(route, PlainRoute) and _served_plainly(app, route.path)]
    assert "/v1/actions/{key}/run" in plain
    assert "/v1/picklists/{key}" in plain
    assert {"/healthz", "/readyz", "/metrics"} <= set(plain)
