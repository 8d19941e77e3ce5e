"""Retries against a real loopback HTTP server: real waits, real sockets, counted requests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from connector.connection import Connection
from connector.errors import ServerError
from connector.registry import Registry
from connector.retry import RetryPolicy
from connector.runtime import Runtime


class Script:
    """Answers to give, in order (the last one repeats), and the requests seen."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], dict]] = []
        self.seen: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def next(self, method: str, path: str) -> tuple[int, dict[str, str], dict]:
        with self.lock:
            self.seen.append((method, path))
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            status, headers, body = script.next(self.command, self.path)
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", script
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


def _runtime(base_url: str, registry: Registry, **policy: Any) -> Runtime:
    return Runtime(Connection(token="sgp_local_server_token", base_url=base_url),
                   registry=registry, policy=RetryPolicy(delay_ms=10, **policy))


DOWN = (503, {}, {"errors": [{"type": "server", "message": "unavailable"}]})


def test_get_waits_for_retry_after_then_succeeds(server: tuple[str, Script],
                                                 registry: Registry) -> None:
    base_url, script = server
    script.answers = [
        (429, {"Retry-After": "1"}, {"errors": [{"message": "Too many requests"}]}),
        (200, {}, {"data": {"source": {"id": "src1", "slug": "web"}}}),
    ]
    slept: list[float] = []
    rt = Runtime(Connection(token="sgp_local_server_token", base_url=base_url),
                 registry=registry, policy=RetryPolicy(delay_ms=10), sleep=slept.append)
    out = rt.run("getSource", {"sourceId": "src1"})
    assert out["data"]["data"]["source"]["id"] == "src1"
    assert script.seen == [("GET", "/sources/src1"), ("GET", "/sources/src1")]
    assert slept == [1.0]  # the second request came after the asked-for wait, and only it


def test_post_503_is_not_retried_by_default(server: tuple[str, Script],
                                            registry: Registry) -> None:
    base_url, script = server
    script.answers = [DOWN, (201, {}, {"data": {"source": {"id": "new"}}})]
    rt = _runtime(base_url, registry, max_retries=3)
    with pytest.raises(ServerError) as caught:
        rt.run("createSource", {"slug": "web", "metadataId": "IqDTy1TpoU"})
    assert caught.value.status == 503
    assert script.seen == [("POST", "/sources")]


def test_post_503_is_retried_with_retry_on_all_errors(server: tuple[str, Script],
                                                      registry: Registry) -> None:
    base_url, script = server
    script.answers = [DOWN, (201, {}, {"data": {"source": {"id": "new"}}})]
    rt = _runtime(base_url, registry, max_retries=3, retry_on_all_errors=True)
    out = rt.run("createSource", {"slug": "web", "metadataId": "IqDTy1TpoU"})
    assert out["data"]["data"]["source"]["id"] == "new"
    assert script.seen == [("POST", "/sources"), ("POST", "/sources")]


def test_raw_request_retry_on_all_errors_over_a_socket(server: tuple[str, Script],
                                                       registry: Registry) -> None:
    base_url, script = server
    script.answers = [DOWN, (200, {}, {"data": {"ok": True}})]
    rt = _runtime(base_url, registry)
    inputs = {"url": "/sources", "method": "POST", "data": {"slug": "web"},
              "maxRetries": 1, "retryDelayMS": 10}
    with pytest.raises(ServerError):
        rt.run("rawRequest", inputs)
    assert len(script.seen) == 1
    script.seen.clear()
    script.answers = [DOWN, (200, {}, {"data": {"ok": True}})]
    assert rt.run("rawRequest", {**inputs, "retryAllErrors": True}) == {
        "data": {"data": {"ok": True}}}
    assert len(script.seen) == 2
