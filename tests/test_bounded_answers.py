"""Every answer is bounded: in time (drip-fed bodies, endless `100 Continue`) and in size
(compression bombs, with or without `Content-Length`)."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator

import pytest

from connector.connection import Connection
from connector.errors import RequestTimeoutError, ResponseError
from connector.registry import Registry
from connector.retry import RetryPolicy
from connector.runtime import Runtime
from connector.transport import MAX_BODY_BYTES

TOKEN = "sgp_bounded_probe_0123456789abcdef"
POLICY = RetryPolicy(max_retries=0, timeout_s=0.5, deadline_s=2.0)
BODY = b'{"data": {"source": {"id": "s1", "name": "' + b"x" * 80 + b'"}}}'
Writer = Callable[[socket.socket], None]


def drip(sock: socket.socket) -> None:
    """A whole, valid answer, a byte every 20 ms: each read is quick, the answer is not."""
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(BODY))
    for byte in BODY:
        sock.sendall(bytes([byte]))
        time.sleep(0.02)


def endless_continue(sock: socket.socket) -> None:
    """`100 Continue` every 20 ms for a few seconds, then a real answer."""
    for _ in range(150):
        sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        time.sleep(0.02)
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY))


def compressed(payload_bytes: int, encoding: str) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, {"gzip": 31, "deflate": 15, "raw": -15}[encoding])
    block = b"\0" * (1 << 20)
    parts = [z.compress(block) for _ in range(payload_bytes >> 20)]
    return b"".join([*parts, z.flush()])


def bomb(body: bytes, encoding: str, with_length: bool) -> Writer:
    def write(sock: socket.socket) -> None:
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Encoding: " + encoding.encode() + b"\r\n")
        if with_length:
            head += b"Content-Length: %d\r\n" % len(body)
        else:
            head += b"Connection: close\r\n"
        sock.sendall(head + b"\r\n" + body)
    return write


@pytest.fixture
def serve() -> Iterator[Callable[[Writer], str]]:
    """A loopback server answering every connection with `writer`; yields its base URL."""
    listeners: list[socket.socket] = []

    def start(writer: Writer) -> str:
        lsock = socket.create_server(("127.0.0.1", 0))
        listeners.append(lsock)

        def loop() -> None:
            while True:
                try:
                    conn, _ = lsock.accept()
                except OSError:
                    return
                threading.Thread(target=handle, args=(conn,), daemon=True).start()

        def handle(conn: socket.socket) -> None:
            with conn:
                conn.recv(65536)
                try:
                    writer(conn)
                except OSError:
                    return  # the client cut us off: what the tests expect

        threading.Thread(target=loop, daemon=True).start()
        return f"http://127.0.0.1:{lsock.getsockname()[1]}"

    yield start
    for lsock in listeners:
        lsock.close()


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


def runtime(registry: Registry, base_url: str) -> Runtime:
    return Runtime(Connection(token=TOKEN, base_url=base_url), registry=registry, policy=POLICY)


@pytest.mark.parametrize("writer", [drip, endless_continue], ids=["drip", "100-continue"])
def test_an_answer_that_never_completes_is_cut_off_at_the_attempt_limit(
        registry: Registry, serve: Callable[[Writer], str], writer: Writer) -> None:
    # Left alone, each of these answers completes after a few seconds; cut off, it is a timeout.
    with pytest.raises(RequestTimeoutError) as caught:
        runtime(registry, serve(writer)).run("getSource", {"sourceId": "s1"})
    assert "no complete answer within 0.5s" in str(caught.value)
    assert caught.value.sent is True


def test_a_cut_off_connection_is_not_reused(registry: Registry,
                                            serve: Callable[[Writer], str]) -> None:
    rt = runtime(registry, serve(drip))
    for _ in range(2):  # the second call opens a fresh connection and is cut off again
        with pytest.raises(RequestTimeoutError):
            rt.run("getSource", {"sourceId": "s1"})


BOMB_BYTES = MAX_BODY_BYTES + (16 << 20)


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {enc: compressed(BOMB_BYTES, enc) for enc in ("gzip", "deflate", "raw")}


@pytest.mark.parametrize("with_length", [True, False], ids=["length", "no-length"])
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw"])
def test_a_compression_bomb_is_refused_past_the_decoded_cap(
        registry: Registry, serve: Callable[[Writer], str], bombs: dict[str, bytes],
        encoding: str, with_length: bool) -> None:
    body = bombs[encoding]
    assert len(body) < 1 << 20  # well under the cap on the wire
    header = "deflate" if encoding == "raw" else encoding
    rt = Runtime(Connection(token=TOKEN, base_url=serve(bomb(body, header, with_length))),
                 registry=registry, policy=POLICY.with_(timeout_s=30.0, deadline_s=60.0))
    tracemalloc.start()
    try:
        with pytest.raises(ResponseError) as caught:
            rt.run("getSource", {"sourceId": "s1"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"exceeds {MAX_BODY_BYTES} bytes once decoded" in str(caught.value)
    assert peak < MAX_BODY_BYTES + (32 << 20)  # the cap and one decoding step, no more


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw"])
def test_a_compressed_answer_under_the_cap_is_decoded(
        registry: Registry, serve: Callable[[Writer], str], encoding: str) -> None:
    if encoding == "gzip":
        body = gzip.compress(BODY)
    else:
        z = zlib.compressobj(6, zlib.DEFLATED, 15 if encoding == "deflate" else -15)
        body = z.compress(BODY) + z.flush()
    header = "deflate" if encoding == "raw" else encoding
    answer = runtime(registry, serve(bomb(body, header, True))).run(
        "getSource", {"sourceId": "s1"})
    assert answer["data"]["data"]["source"]["id"] == "s1"


def test_an_unknown_content_encoding_is_a_typed_error(
        registry: Registry, serve: Callable[[Writer], str]) -> None:
    with pytest.raises(ResponseError, match="unsupported Content-Encoding 'br'"):
        runtime(registry, serve(bomb(b"\x0b\x02\x80", "br", True))).run(
            "getSource", {"sourceId": "s1"})
