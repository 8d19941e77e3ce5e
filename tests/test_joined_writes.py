"""An answer's head and body leave the service in one write; nothing is reordered, held past
the loop's turn, or lost when the connection closes."""

from __future__ import annotations

import asyncio
import asyncio.selector_events
import socket
from typing import Any

import pytest

from connector.service.embedded import EmbeddedService
from connector.service.joined_writes import JOIN_MAX, JoinedWrites


class Recording(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.sent.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def _in_loop(body: Any) -> Any:
    async def run() -> Any:
        return await body(asyncio.get_running_loop())
    return asyncio.run(run())


def test_head_and_body_go_out_together() -> None:
    async def body(loop: asyncio.AbstractEventLoop) -> list[bytes]:
        inner = Recording()
        joined = JoinedWrites(inner, loop)
        joined.write(b"HTTP/1.1 200 OK\r\n\r\n")
        assert inner.sent == []  # held for the body
        joined.write(bytearray(b'{"data":1}'))
        await asyncio.sleep(0)
        return inner.sent
    assert _in_loop(body) == [b'HTTP/1.1 200 OK\r\n\r\n{"data":1}']


def test_a_lone_write_leaves_at_the_end_of_the_turn_and_order_holds() -> None:
    async def body(loop: asyncio.AbstractEventLoop) -> list[bytes]:
        inner = Recording()
        joined = JoinedWrites(inner, loop)
        joined.write(b"head")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        first = list(inner.sent)
        for chunk in (b"a", b"b", b"c"):
            joined.write(chunk)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert first == [b"head"]
        return inner.sent
    assert b"".join(_in_loop(body)) == b"headabc"


def test_close_sends_what_is_held_and_abort_drops_it() -> None:
    async def body(loop: asyncio.AbstractEventLoop) -> tuple[list[bytes], list[bytes]]:
        closed, aborted = Recording(), Recording()
        JoinedWrites(closed, loop).write(b"bye")
        joined = JoinedWrites(closed, loop)
        joined.write(b"last words")
        joined.close()
        dropped = JoinedWrites(aborted, loop)
        dropped.write(b"never")
        dropped.abort()
        await asyncio.sleep(0)
        return closed.sent, aborted.sent
    closed, aborted = _in_loop(body)
    assert b"last words" in closed and aborted == []


def test_a_large_body_is_not_copied_onto_its_head() -> None:
    async def body(loop: asyncio.AbstractEventLoop) -> list[bytes]:
        inner = Recording()
        joined = JoinedWrites(inner, loop)
        joined.write(b"head")
        joined.write(b"x" * (JOIN_MAX + 1))
        return inner.sent
    sent = _in_loop(body)
    assert [len(s) for s in sent] == [4, JOIN_MAX + 1]


def test_the_service_answers_in_one_write(service: EmbeddedService,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Each small answer on a keep-alive connection is one send on the socket, head and
    body together, and reads back whole."""
    writes: list[bytes] = []
    transport = asyncio.selector_events._SelectorSocketTransport  # type: ignore[attr-defined]
    real = transport.write

    def counted(self: Any, data: Any) -> None:
        writes.append(bytes(data))
        real(self, data)

    monkeypatch.setattr(transport, "write", counted)
    host, port = service.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        for n in range(1, 4):
            sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
            got = b""
            while b"\r\n\r\n" not in got or not got.endswith(b"}"):
                got += sock.recv(65536)
            assert got.startswith(b"HTTP/1.1 200") and len(writes) == n
            assert writes[-1] == got
