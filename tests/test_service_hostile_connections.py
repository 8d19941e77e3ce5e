"""Slow, idle and hostile clients get a prompt refusal and hold bounded resources: headers
past their size, count or time, bodies past their time or the bytes all bodies may hold at
once, connections past the cap (the longest-idle makes way); each kind of refusal is
logged once per interval, never a line or a traceback per connection. The 1,100-connection
test runs `serve` in its own process and reads its memory and log from outside."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

import pytest
import requests
from hostile_connections import measure
from service_support import registry, settings

from connector.service.embedded import EmbeddedService
from connector.service.limits import MAX_HEADER_BYTES, MAX_HEADERS, EventLog
from connector.simulator import Simulator

pytestmark = pytest.mark.security
MIB = 1024 * 1024
WAIT_S = 30  # for the service's answer: an event awaited, not a window measured


def test_1100_hostile_connections_leave_healthz_memory_and_log_bounded() -> None:
    figures = measure(idle=300, slow=300, oversized=200, stalled=300)
    assert figures["connections"] == 1100
    assert figures["healthz_status"] == 200
    assert figures["rss_during_mib"] < 300, figures
    assert figures["rss_second_wave_mib"] < 300, figures
    assert figures["log_growth_bytes"] < MIB, figures
    assert "Traceback" not in figures["log"]
    assert figures["oversized_431"] == 200  # each refused at 64 KiB, and closed
    # Stalled bodies: those within the bytes bodies may hold at once wait; the rest 503.
    assert figures["stalled_refused_503"] > 0
    assert figures["stalled_refused_503"] + figures["stalled_still_open"] == 300
    assert figures["readyz_after"] == 200


_opened: list[socket.socket] = []


@pytest.fixture
def serve(sim: Simulator) -> Iterator[Any]:
    """Starts a service with changed settings; it, and every connection `_open` made,
    ends with the test."""
    started: list[EmbeddedService] = []

    def start(**changes: Any) -> tuple[str, int]:
        svc = EmbeddedService(settings(sim, **changes), registry=registry()).start()
        started.append(svc)
        return svc.url, int(svc.url.rsplit(":", 1)[1])

    yield start
    while _opened:
        _opened.pop().close()
    for svc in started:
        svc.stop()


def _open(port: int, data: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
    _opened.append(sock)
    if data:
        sock.sendall(data)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """What the service sends before closing (b"": closed with nothing, or reset)."""
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except ConnectionResetError:
        pass
    return out


def test_headers_past_their_size_or_count_get_431(serve: Any) -> None:
    _url, port = serve()
    head = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode()
    big = _open(port, head + b"X-Big: " + b"a" * MAX_HEADER_BYTES + b"\r\n\r\n")
    assert _answer(big).startswith(b"HTTP/1.1 431")
    many = "".join(f"X-{n}: v\r\n" for n in range(MAX_HEADERS + 1)).encode()
    assert _answer(_open(port, head + many + b"\r\n")).startswith(b"HTTP/1.1 431")
    enough = "".join(f"X-{n}: v\r\n" for n in range(MAX_HEADERS - 2)).encode()
    fine = _open(port, head + enough + b"Connection: close\r\n\r\n")
    assert _answer(fine).startswith(b"HTTP/1.1 200")


def test_headers_that_do_not_arrive_in_time_get_408_and_silence_is_closed(
        serve: Any) -> None:
    _url, port = serve(header_timeout=0.5)
    slow = _open(port, f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-A".encode())
    idle = _open(port)
    assert _answer(slow).startswith(b"HTTP/1.1 408")
    assert _answer(idle) == b""
    # A second request on a kept-alive connection has its own clock, from its first byte.
    kept = _open(port, f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    first = b""
    while not first.endswith(b'{"status":"ok"}'):
        first += kept.recv(65536)
    assert first.startswith(b"HTTP/1.1 200")
    kept.sendall(b"GET /healthz HTTP/1.1\r\n")
    assert _answer(kept).startswith(b"HTTP/1.1 408")


def test_at_the_cap_the_longest_idle_connection_makes_way(serve: Any) -> None:
    url, port = serve(max_connections=20)
    idle = [_open(port) for _ in range(25)]
    assert requests.get(url + "/healthz", timeout=WAIT_S).status_code == 200
    assert _answer(idle[0]) == b""  # the first ones made way for the later ones


def test_at_the_cap_with_nobody_idle_a_new_connection_gets_503(serve: Any) -> None:
    _url, port = serve(max_connections=4)
    head = (f"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nExpect: 100-continue\r\n"
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n").encode()
    for sock in [_open(port, head) for _ in range(4)]:
        assert sock.recv(64).startswith(b"HTTP/1.1 100")  # headers read, body awaited
    refused = _answer(_open(port, f"GET /healthz HTTP/1.1\r\nHost: x:{port}\r\n\r\n"
                            .encode()))
    assert refused.startswith(b"HTTP/1.1 503")


def test_a_body_that_does_not_arrive_in_time_gets_408(serve: Any) -> None:
    _url, port = serve(body_timeout=0.5)
    head = (f"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{").encode()
    answer = _answer(_open(port, head))
    assert answer.startswith(b"HTTP/1.1 408") and b'"code": "body_timeout"' in answer


def test_a_flood_of_bad_requests_is_logged_once(serve: Any,
                                                caplog: pytest.LogCaptureFixture) -> None:
    _url, port = serve()
    with caplog.at_level(logging.INFO):
        for _ in range(200):
            with suppress(OSError):
                assert _answer(_open(port, b"\x00\x01 nonsense\r\n\r\n")).startswith(
                    b"HTTP/1.1 400")
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) <= 1 and not any(r.exc_info for r in caplog.records)


def test_the_event_log_shows_one_line_per_kind_per_interval(
        caplog: pytest.LogCaptureFixture) -> None:
    now = [100.0]
    events = EventLog(every=10, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="segment_connector.service"):
        for _ in range(50):
            events.note("idle", "closed idle connections")
        events.note("header_size", "refused big headers")
        now[0] += 10
        events.note("idle", "closed idle connections")
    assert [r.getMessage() for r in caplog.records] == [
        "closed idle connections", "refused big headers",
        "closed idle connections (and 49 more in the last 10 s)"]
