"""The service's body limit at the ASGI level: a Content-Length over the limit is refused
unread; any body (chunked, a length beside a Transfer-Encoding, repeated lengths) is
counted as it arrives and cut off past the limit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from connector.service.asgi import RequestHeaders
from connector.service.bodies import BodyLimit

LIMIT = 100


def run(headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[list[Any], bytes]:
    """(what was sent back, the body the app read) for a request of `chunks`."""
    got = bytearray()
    sent: list[Any] = []
    queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
             for i, c in enumerate(chunks)]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        more = True
        while more:
            message = await receive()
            got.extend(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def receive() -> Any:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}

    async def serve() -> None:
        replay = await BodyLimit(LIMIT).read(scope, RequestHeaders(scope), receive, send)
        if replay is not None:
            await app(scope, replay, send)

    asyncio.run(serve())
    return sent, bytes(got)


def status(sent: list[Any]) -> int:
    return int(sent[0]["status"])


def test_a_declared_length_within_the_limit_reaches_the_app() -> None:
    sent, body = run([(b"content-length", b"10")], [b"x" * 10])
    assert status(sent) == 200 and body == b"x" * 10


def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    sent, body = run([(b"content-length", b"101")], [b"x" * 101])
    assert status(sent) == 413 and body == b""


def test_chunked_past_the_limit_is_cut_off() -> None:
    sent, body = run([(b"transfer-encoding", b"chunked")], [b"x" * 60, b"x" * 60])
    assert status(sent) == 413 and body == b""


def test_a_small_length_beside_transfer_encoding_does_not_lift_the_limit() -> None:
    headers = [(b"content-length", b"5"), (b"transfer-encoding", b"chunked")]
    sent, body = run(headers, [b"x" * 60, b"x" * 60])
    assert status(sent) == 413 and body == b""


def test_repeated_lengths_are_counted_as_they_arrive() -> None:
    headers = [(b"content-length", b"5"), (b"content-length", b"500")]
    sent, _ = run(headers, [b"x" * 60, b"x" * 60])
    assert status(sent) == 413


# -- the one timer that watches every body still arriving ------------------------------
def _read(limit: BodyLimit, chunks: asyncio.Queue[Any], sent: list[Any]) -> Any:
    scope = {"type": "http", "method": "POST", "path": "/",
             "headers": [(b"transfer-encoding", b"chunked")]}

    async def send(message: Any) -> None:
        sent.append(message)

    return limit.read(scope, RequestHeaders(scope), chunks.get, send)


def test_only_the_body_past_its_deadline_is_refused_and_the_watch_goes_on() -> None:
    async def main() -> dict[str, tuple[Any, list[Any]]]:
        limit = BodyLimit(LIMIT, timeout=0.2)
        queues = {name: asyncio.Queue[Any]() for name in ("first", "quick", "second")}
        sent: dict[str, list[Any]] = {name: [] for name in queues}
        tasks = {"first": asyncio.create_task(_read(limit, queues["first"], sent["first"])),
                 "quick": asyncio.create_task(_read(limit, queues["quick"], sent["quick"]))}
        await queues["quick"].put({"type": "http.request", "body": b"x", "more_body": False})
        await asyncio.sleep(0.1)  # the second starts after the watch was set for the first
        tasks["second"] = asyncio.create_task(_read(limit, queues["second"], sent["second"]))
        # Neither stalled body ever arrives; the watch, set again, cuts off the second too
        # (the bound only keeps a broken watch from hanging the test).
        got = await asyncio.wait_for(asyncio.gather(*tasks.values()), 10)
        return {name: (value, sent[name]) for name, value in zip(tasks, got, strict=True)}

    done = asyncio.run(main())
    for stalled in ("first", "second"):
        value, sent = done[stalled]
        assert value is None and sent[0]["status"] == 408
    value, sent = done["quick"]
    assert value is not None and sent == []


def test_a_cancel_from_elsewhere_is_not_taken_for_a_timeout() -> None:
    async def main() -> list[Any]:
        limit = BodyLimit(LIMIT, timeout=60)
        sent: list[Any] = []
        reading = asyncio.create_task(_read(limit, asyncio.Queue(), sent))
        await asyncio.sleep(0)
        reading.cancel()  # a shutdown
        with pytest.raises(asyncio.CancelledError):
            await reading
        assert limit._reading == {}  # nothing left watched
        return sent

    assert asyncio.run(main()) == []
