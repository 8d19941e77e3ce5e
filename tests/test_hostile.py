"""Hostile URLs and hostile answers: each ends in a typed error, nothing leaves the API host."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
from hardening.cases import HOSTILE_URLS
from loopback_support import Canned

from connector import transport
from connector.connection import Connection
from connector.errors import (
    ApiError,
    ConnectionFailedError,
    ConnectorError,
    InputError,
    RequestTimeoutError,
    ResponseError,
    ServerError,
)
from connector.registry import Registry
from connector.request import HttpRequest
from connector.retry import RetryPolicy
from connector.runtime import Runtime
from connector.transport import HttpClient, send

TOKEN = "sgp_hostile_probe_d41d8cd98f00b204e9800998ecf8427e"
POLICY = RetryPolicy(max_retries=1, delay_ms=0, exponential=False, timeout_s=1.0,
                     deadline_s=3.0)
ANY_URL = re.compile(r".*")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


# -- hostile URLs -----------------------------------------------------------------------
@pytest.mark.parametrize("url", HOSTILE_URLS)
@responses.activate
def test_hostile_url_is_refused_or_stays_on_the_api_host(registry: Registry, url: str) -> None:
    responses.add(responses.GET, ANY_URL, json={"data": {}})
    rt = Runtime(Connection(token=TOKEN), registry=registry, policy=POLICY)
    try:
        rt.run("rawRequest", {"url": url, "method": "GET"})
    except InputError as exc:
        assert set(exc.fields) == {"url"}
        assert len(responses.calls) == 0
        return
    sent = responses.calls[0].request.url
    assert sent.startswith("https://api.segmentapis.com/"), sent


# -- a loopback server that answers with fixed bytes (`loopback_support.Canned`) ----
@pytest.fixture
def canned() -> Iterator[Callable[..., Canned]]:
    made: list[Canned] = []

    def make(reply: bytes, then: str = "close") -> Canned:
        server = Canned(reply, then)
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


def answer(status: str, body: bytes, content_type: str = "application/json",
           length: int | None = None, extra: str = "") -> bytes:
    size = len(body) if length is None else length
    head = (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {size}\r\n{extra}Connection: close\r\n\r\n")
    return head.encode() + body


def runtime(registry: Registry, base_url: str) -> Runtime:
    return Runtime(Connection(token=TOKEN, base_url=base_url), registry=registry,
                   policy=POLICY, sleep=lambda _s: None)


class AttemptsClient(HttpClient):
    """Records the time limit each attempt is sent with."""

    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[float] = []

    def send(self, req: HttpRequest, timeout_s: float) -> Any:
        self.timeouts.append(timeout_s)
        return super().send(req, timeout_s)


def fails(rt: Runtime, key: str, inputs: dict[str, Any], cls: type[ConnectorError]
          ) -> ConnectorError:
    client = AttemptsClient()
    rt.http.set(client)
    with pytest.raises(cls) as caught:
        rt.run(key, inputs)
    # The call stopped on its own: no more attempts than the policy allows, none given
    # longer than one attempt's time or the deadline (the watchdog holds each to it).
    assert 1 <= len(client.timeouts) <= POLICY.max_retries + 1
    assert all(0 < t <= min(POLICY.timeout_s, POLICY.deadline_s) for t in client.timeouts)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    return caught.value


# -- redirects ---------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "key", "inputs"), [
    ("302 Found", "getSource", {"sourceId": "s1"}),
    ("301 Moved Permanently", "rawRequest", {"url": "/sources", "method": "GET"}),
    ("307 Temporary Redirect", "createSource", {"slug": "w", "metadataId": "m"}),
    ("308 Permanent Redirect", "rawRequest", {"url": "/sources", "method": "POST",
                                              "data": {"a": 1}}),
])
def test_redirect_to_another_host_is_not_followed(registry: Registry,
                                                  canned: Callable[..., Canned], status: str,
                                                  key: str, inputs: dict[str, Any]) -> None:
    other = canned(answer("200 OK", b'{"data": {}}'))
    # "localhost" is another host name than the 127.0.0.1 the API is reached on.
    target = other.base_url.replace("127.0.0.1", "localhost") + "/steal"
    api = canned(answer(status, b"", extra=f"Location: {target}\r\n"))
    err = fails(runtime(registry, api.base_url), key, inputs, ApiError)
    assert isinstance(err, ApiError) and err.status == int(status[:3])
    assert "redirect" in str(err) and "not followed" in str(err)
    assert len(api.requests) == 1  # a redirect is not retried either
    assert b"authorization: bearer" in api.requests[0].lower()
    time.sleep(0.2)
    assert other.connections == 0 and other.requests == []


# -- hostile answers ---------------------------------------------------------------------
@pytest.mark.parametrize(("reply", "cls", "words"), [
    (answer("200 OK", b'{"data": {"source": '), ResponseError, "expected JSON"),
    (answer("200 OK", b"<html><body>Oops</body></html>", "text/html"), ResponseError,
     "got text/html"),
    (answer("502 Bad Gateway", b"<html><h1>502 Bad Gateway</h1></html>", "text/html"),
     ServerError, "502"),
    (answer("200 OK", b""), ResponseError, "empty body"),
    (answer("200 OK", b"all good", "text/plain"), ResponseError, "got text/plain"),
    (answer("200 OK", b'{"data": {}}', length=5000), ConnectionFailedError,
     "connection failed"),
    (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
     b"\r\n\r\n10\r\n{\"data\": {\"sou", ConnectionFailedError, "IncompleteRead"),
    (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"data\": {\"sour",
     ResponseError, "expected JSON"),
    (b"NOT HTTP AT ALL\r\n\r\n", ConnectionFailedError, "connection failed"),
    (b"", ConnectionFailedError, "connection failed"),
])
def test_hostile_answer_ends_in_a_typed_error(registry: Registry,
                                              canned: Callable[..., Canned], reply: bytes,
                                              cls: type[ConnectorError], words: str) -> None:
    server = canned(reply)
    err = fails(runtime(registry, server.base_url), "getSource", {"sourceId": "s1"}, cls)
    assert words in str(err)
    assert "/sources/s1" in str(err)  # says which call failed


def test_body_cut_short_and_then_silence_times_out_within_the_deadline(
        registry: Registry, canned: Callable[..., Canned]) -> None:
    server = canned(answer("200 OK", b'{"data": ', length=5000), then="stall")
    err = fails(runtime(registry, server.base_url), "getSource", {"sourceId": "s1"},
                RequestTimeoutError)
    assert "no complete answer within" in str(err)


def test_headers_and_then_silence_on_a_post_fail_once(registry: Registry,
                                                      canned: Callable[..., Canned]) -> None:
    server = canned(b"HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n", then="stall")
    fails(runtime(registry, server.base_url), "createSource",
          {"slug": "w", "metadataId": "m"}, RequestTimeoutError)
    assert len(server.requests) == 1  # a POST that may have been applied is not resent


@pytest.mark.parametrize("declared", [True, False])
def test_body_over_the_cap_is_refused(canned: Callable[..., Canned], declared: bool) -> None:
    body = b'{"data": "' + b"x" * 5000 + b'"}'
    if declared:
        reply = answer("200 OK", body)
    else:  # no Content-Length: read until the connection closes
        reply = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + body
    server = canned(reply)
    req = HttpRequest("GET", server.base_url + "/sources",
                      headers={"Authorization": f"Bearer {TOKEN}"})
    with pytest.raises(ResponseError, match="exceeds 1000 bytes") as caught:
        send(HttpClient(), req, 2.0, max_body_bytes=1000)
    assert TOKEN not in str(caught.value)


def test_body_at_the_cap_is_read(canned: Callable[..., Canned]) -> None:
    body = b'{"data": "' + b"x" * 500 + b'"}'
    server = canned(answer("200 OK", body))
    req = HttpRequest("GET", server.base_url + "/sources")
    assert send(HttpClient(), req, 2.0, max_body_bytes=len(body)).body == {"data": "x" * 500}


def test_empty_answer_to_head_is_fine(registry: Registry, canned: Callable[..., Canned]) -> None:
    server = canned(answer("200 OK", b"", length=0))
    rt = runtime(registry, server.base_url)
    assert rt.run("rawRequest", {"url": "/sources", "method": "HEAD"}) == {"data": None}


def test_body_cap_applies_to_every_action(registry: Registry, canned: Callable[..., Canned],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "MAX_BODY_BYTES", 1000)
    server = canned(answer("200 OK", b'{"data": "' + b"x" * 5000 + b'"}'))
    err = fails(runtime(registry, server.base_url), "getSource", {"sourceId": "s1"},
                ResponseError)
    assert "GET /sources/s1: response body exceeds 1000 bytes" in str(err)
