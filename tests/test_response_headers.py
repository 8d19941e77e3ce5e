"""Answer headers read without the email parser are exactly what http.client reads with it,
whatever the server sends, and the body after them is left where it was."""

from __future__ import annotations

import http.client
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.response_headers import FastHeadersResponse, parse_headers

NAME = st.text(st.sampled_from("abcXYZ-_.09!~:; \t"), min_size=0, max_size=8)
VALUE = st.text(st.sampled_from("ab 19\t:;\r\n\x0b\x0c\x1c\x85\xe9\xff\x00"), max_size=12)
LINE = st.one_of(
    st.builds(lambda n, v, e: f"{n}:{v}{e}", NAME, VALUE, st.sampled_from(["\r\n", "\n"])),
    st.builds(lambda v: f" {v}\r\n", VALUE),  # a folded line
    st.sampled_from(["From nobody\r\n", "no colon here\r\n", ":empty name\r\n"]),
)
END = st.sampled_from(["\r\n", "\n", ""])


def _both(block: bytes) -> tuple[tuple[object, ...], tuple[object, ...]]:
    def seen(parse: object) -> tuple[object, ...]:
        fp = io.BytesIO(block + b"BODY")
        try:
            message = parse(fp)  # type: ignore[operator]
        except http.client.HTTPException as exc:
            return ("refused", type(exc).__name__)
        return (message.items(), [type(d).__name__ for d in message.defects],
                message.get_payload(), message.get_unixfrom(), fp.read())
    return seen(parse_headers), seen(http.client.parse_headers)


@settings(max_examples=400, deadline=None)
@given(st.lists(LINE, max_size=6), END)
def test_any_header_block_reads_as_http_client_reads_it(lines: list[str], end: str) -> None:
    ours, theirs = _both(("".join(lines) + end).encode("iso-8859-1"))
    assert ours == theirs


@pytest.mark.parametrize("block", [
    b"Content-Type: application/json\r\nX-Empty:\r\nX-Pad:  \t v  \r\n\r\n",
    b"Set-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 2\r\n\r\n",  # repeated names
    b"X-Latin: caf\xe9\r\n\r\n",
    b"X-Folded: one\r\n two\r\n\r\n",
    b"X-Vertical: a\x0bb\r\n\r\n",
    b"\r\n",  # no headers at all
    b"X-Cut: short",  # the answer ended inside its headers
])
def test_plain_and_unusual_blocks(block: bytes) -> None:
    ours, theirs = _both(block)
    assert ours == theirs


def test_the_limits_http_client_sets_still_hold() -> None:
    too_many = b"".join(b"X-%d: v\r\n" % i for i in range(http.client._MAXHEADERS + 1))  # type: ignore[attr-defined]
    with pytest.raises(http.client.HTTPException, match="more than"):
        parse_headers(io.BytesIO(too_many + b"\r\n"))
    with pytest.raises(http.client.LineTooLong):
        parse_headers(io.BytesIO(b"X-Long: " + b"v" * 70000 + b"\r\n\r\n"))


def test_a_response_reads_its_status_headers_and_body() -> None:
    raw = (b"HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
           b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")

    class Sock:
        def makefile(self, _mode: str) -> io.BytesIO:
            return io.BytesIO(raw)

    response = FastHeadersResponse(Sock())  # type: ignore[arg-type]
    response.begin()
    assert (response.status, response.getheader("content-type"), response.read()) == (
        200, "application/json", b"{}")
