"""The transport's two ways out: straight to the origin's urllib3 pool, or through
requests' adapter where a user's setup needs it (a proxy in the environment, a form, a
replaced adapter as `responses` makes). Either way the bytes on the wire are the same,
failures are the same typed errors, and the watchdog keeps nothing of an attempt that
ended."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import responses
from loopback_support import Canned

from connector import watchdog
from connector.connection import Connection
from connector.errors import ConnectionFailedError
from connector.registry import Registry
from connector.request import HttpRequest
from connector.retry import RetryPolicy
from connector.runtime import Runtime
from connector.transport import HttpClient, send

TOKEN = "sgp_transport_paths_token_0123456789"
OK = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
      b'{"data":{}}')


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


@pytest.fixture
def server() -> Iterator[Canned]:
    """Answers every request with `OK` on a keep-alive connection; keeps what it received."""
    made = Canned(OK, then="keep")
    yield made
    made.close()


def _runtime(registry: Registry, base_url: str) -> Runtime:
    return Runtime(Connection(token=TOKEN, base_url=base_url), registry=registry,
                   policy=RetryPolicy(max_retries=0), sleep=lambda _s: None)


def test_both_ways_put_the_same_request_on_the_wire(server: Canned, registry: Registry,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = _runtime(registry, server.base_url)
    inputs = {"sourceId": "src1", "name": "a b", "enabled": True}
    runtime.run("updateSource", inputs)
    direct = server.requests[-1]
    # A session of the caller's goes through requests' adapter.
    runtime.http.set(HttpClient(session=_session()))
    runtime.run("updateSource", inputs)
    adapted = server.requests[-1]
    assert _lines(direct) == _lines(adapted)
    assert b'"name":"a b"' in direct and b"Content-Length: " in direct


def _session() -> object:
    import requests

    return requests.Session()


def _lines(raw: bytes) -> tuple[bytes, set[bytes], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    first, *headers = head.split(b"\r\n")
    # requests' own session adds its default headers; the runtime's are compared.
    ours = {h for h in headers if h.split(b":")[0].lower() in (
        b"host", b"accept", b"authorization", b"content-type", b"content-length",
        b"user-agent")}
    return first, ours, body


def test_a_proxy_in_the_environment_is_used(server: Canned, registry: Registry,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # The recorder stands in for the proxy: the request line then names the whole URL.
    monkeypatch.setenv("HTTP_PROXY", server.base_url)
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    runtime = _runtime(registry, "http://api.example.invalid:8080")
    assert runtime.run("getSource", {"sourceId": "src1"}) == {"data": {"data": {}}}
    line = server.requests[-1].split(b"\r\n", 1)[0]
    assert line == b"GET http://api.example.invalid:8080/sources/src1 HTTP/1.1"


@responses.activate
def test_responses_sees_every_request(registry: Registry) -> None:
    responses.get("http://127.0.0.1:9/sources/src1", json={"data": {"source": {}}})
    runtime = _runtime(registry, "http://127.0.0.1:9")
    assert runtime.run("getSource", {"sourceId": "src1"}) == {"data": {"data": {"source": {}}}}
    assert len(responses.calls) == 1


def test_a_refused_connection_is_a_connection_failure_that_sent_nothing(
        registry: Registry) -> None:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    runtime = _runtime(registry, f"http://127.0.0.1:{port}")
    with pytest.raises(ConnectionFailedError) as caught:
        runtime.run("getSource", {"sourceId": "src1"})
    assert caught.value.sent is False
    assert f"cannot connect to 127.0.0.1:{port}" in str(caught.value)
    assert TOKEN not in repr(caught.value.__context__) + repr(caught.value.__cause__)


def test_the_watchdog_keeps_no_attempt_that_ended(server: Canned) -> None:
    client = HttpClient()
    req = HttpRequest("GET", server.base_url + "/workspace", headers={"Accept": "*/*"})
    for _ in range(200):
        send(client, req, 30.0)
    assert len(server.requests) == 200
    assert watchdog.WATCHDOG._live == {}  # ended attempts are gone at once, not at 30 s


def test_a_disarmed_alarm_never_fires() -> None:
    now = [0.0]
    dog = watchdog.Watchdog(clock=lambda: now[0])
    first, first_peer = socket.socketpair()
    second, second_peer = socket.socketpair()
    with first, first_peer, second, second_peer:
        ended = dog.arm(1.0, first)
        dog.disarm(ended)
        running = dog.arm(2.0, second)
        now[0] = 5.0  # past both deadlines
        with dog._cond:
            dog._cond.notify()
        fired = threading.Event()
        while not fired.wait(0.01):  # the watch thread has looked once the second fires
            if running.fired:
                fired.set()
        assert not ended.fired
        first_peer.sendall(b"x")
        assert first.recv(1) == b"x"  # nothing shut the disarmed one's socket down
        assert second.recv(1) == b""  # the running one's was


def test_a_query_after_no_path_keeps_its_query(server: Canned) -> None:
    req = HttpRequest("GET", server.base_url, params=[("x", "1")], headers={"Accept": "*/*"})
    send(HttpClient(), req, 30.0)
    assert server.requests[-1].split(b"\r\n", 1)[0] == b"GET /?x=1 HTTP/1.1"


def test_threads_share_keep_alive_connections(server: Canned, registry: Registry) -> None:
    """Calls made one after another on new threads (a thread pool that shrank and grew)
    reuse the connection the first opened; calls at once each get their own, and all of
    them are kept for the next."""
    runtime = _runtime(registry, server.base_url)
    for _ in range(4):
        worker = threading.Thread(target=runtime.run, args=("getWorkspace", {}))
        worker.start()
        worker.join()
    assert (len(server.requests), server.connections) == (4, 1)

    start = threading.Barrier(3)

    def at_once() -> None:
        start.wait()
        for _ in range(5):
            runtime.run("getWorkspace", {})

    workers = [threading.Thread(target=at_once) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(server.requests) == 19
    assert server.connections <= 3
    derived = runtime.with_(policy=RetryPolicy(max_retries=1))
    derived.run("getWorkspace", {})
    assert server.connections <= 3  # a runtime made from another sends on its pools
