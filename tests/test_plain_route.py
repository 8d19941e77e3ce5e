"""PlainRoute serves plain handlers without FastAPI's per-request machinery, and leaves
every other handler to FastAPI."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from connector.service.app import create_app
from connector.service.plain_route import CallThreads, PlainRoute, _serve
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
        route = app.router.routes[-1]
        assert isinstance(route, PlainRoute)
        route.run_in(CallThreads(4))
    return app


def _served_plainly(app: FastAPI, path: str) -> bool:
    route = next(r for r in app.routes if isinstance(r, APIRoute) and r.path == path)
    plain = _serve(Response, None, CallThreads(1)).__qualname__
    return getattr(route.app, "__qualname__", "") == plain


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


WHO = contextvars.ContextVar("who", default="nobody")


def test_call_threads_bound_the_calls_at_once_and_keep_each_caller_s_context() -> None:
    threads = CallThreads(2)
    lock, running, most = threading.Lock(), [0], [0]
    release = threading.Event()

    def handler() -> Response:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(5)
        seen = WHO.get()
        WHO.set("changed inside")  # stays in the handler's own copy
        with lock:
            running[0] -= 1
        return Response(seen.encode())

    async def caller(name: str) -> bytes:
        WHO.set(name)
        answer = await threads.run(handler)
        assert WHO.get() == name
        return bytes(answer.body)

    async def main() -> list[bytes]:
        calls = asyncio.gather(*(caller(f"c{n}") for n in range(5)))
        while running[0] < 2:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # a third call would have started by now
        release.set()
        return await calls

    try:
        assert asyncio.run(main()) == [f"c{n}".encode() for n in range(5)]
    finally:
        threads.close()
    assert most[0] == 2


def test_call_threads_start_again_after_close() -> None:
    threads = CallThreads(1)

    async def once() -> bytes:
        return bytes((await threads.run(lambda: Response(b"ok"))).body)

    assert asyncio.run(once()) == b"ok"
    threads.close()
    assert asyncio.run(once()) == b"ok"
    threads.close()


@pytest.mark.parametrize("threads", [1, 3])
def test_the_service_runs_its_handlers_in_as_many_threads_as_set(threads: int,
                                                                 tmp_path: Path) -> None:
    config = tmp_path / "connector.toml"
    config.write_text(f"[service]\nthreads = {threads}\n")
    app = create_app(load(config, {}, base_url="http://127.0.0.1:9"))
    assert app.state.call_threads.size == threads
