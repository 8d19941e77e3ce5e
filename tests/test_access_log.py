"""Each request gets one access line, as uvicorn writes it (same logger, same arguments), and
only once its answer is on the wire; refusals by the gate are logged too."""

from __future__ import annotations

import asyncio.selector_events
import logging
import threading
from typing import Any

import pytest
import requests

from connector.service.embedded import EmbeddedService


class Writes:
    """Every socket write of the service's transports, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[bytes] = []
        transport = asyncio.selector_events._SelectorSocketTransport  # type: ignore[attr-defined]
        real = transport.write

        def counted(inner: Any, data: Any) -> None:
            self.sent.append(bytes(data))
            real(inner, data)

        monkeypatch.setattr(transport, "write", counted)


class Lines(logging.Handler):
    """Access lines, each with the writes made before it."""

    def __init__(self, writes: Writes) -> None:
        super().__init__()
        self.writes = writes
        self.seen: list[tuple[tuple[Any, ...], int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        assert isinstance(record.args, tuple)
        self.seen.append((record.args, len(self.writes.sent)))


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> Any:
    handler = Lines(Writes(monkeypatch))
    logger = logging.getLogger("uvicorn.access")
    logger.addHandler(handler)
    monkeypatch.setattr(logger, "level", logging.INFO)
    yield handler
    logger.removeHandler(handler)


def test_one_line_per_request_after_its_answer(service: EmbeddedService, lines: Lines) -> None:
    with requests.Session() as http:
        ok = http.get(service.url + "/healthz?probe=1")
        refused = http.get(service.url + "/healthz", headers={"Host": "evil.example"})
        missing = http.get(service.url + "/v1/nothing-here")
    assert (ok.status_code, refused.status_code, missing.status_code) == (200, 403, 404)
    # The line follows the answer: the client may have it before the line is written.
    waited = threading.Event()
    for _ in range(500):
        if len(lines.seen) >= 3:
            break
        waited.wait(0.01)
    args = [seen[0] for seen in lines.seen]
    assert [(a[1], a[2], a[3], a[4]) for a in args] == [
        ("GET", "/healthz?probe=1", "1.1", 200), ("GET", "/healthz", "1.1", 403),
        ("GET", "/v1/nothing-here", "1.1", 404)]
    assert all(a[0].startswith("127.0.0.1:") for a in args)
    # Each line comes after its answer's write, never before it.
    assert [written for _, written in lines.seen] == [1, 2, 3]
    assert all(sent.startswith(b"HTTP/1.1 ") for sent in lines.writes.sent)
