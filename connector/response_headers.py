"""An answer's headers read without the email parser, where that changes nothing.

http.client hands every header block to `email.parser`, a general MIME parser
that costs more than the rest of reading a small answer. The headers the API
and its proxies send are plain `Name: value` lines; those are split here into
the same `HTTPMessage` the email parser makes. A block with anything else in it
(a folded line, a line without a name, a character the email parser breaks
lines at) goes to the email parser as before, so the result never differs.
"""

from __future__ import annotations

import email.parser
import http.client
import re
import types
from typing import Any

# What the email parser reads as one `Name: value` line and nothing more: a name of
# the characters it allows, and a value without a character it starts a new line at.
_LINE_END = "\r\n\x0b\x0c\x1c\x1d\x1e\x85"
_PLAIN_BLOCK = re.compile(f"(?:[!-9;-~]+:[^{_LINE_END}]*\r?\n)*")
_FIELD = re.compile(f"([!-9;-~]+):[ \t]*([^{_LINE_END}]*)\r?\n")


def parse_headers(fp: Any, _class: type[http.client.HTTPMessage] = http.client.HTTPMessage
                  ) -> http.client.HTTPMessage:
    """`http.client.parse_headers`, the same message from the same bytes."""
    lines = http.client._read_headers(fp)  # type: ignore[attr-defined]  # its limits too
    text = b"".join(lines).decode("iso-8859-1")
    end = lines[-1]  # the blank line, or b"" when the answer ended first
    if end not in (b"\r\n", b"\n") or not _PLAIN_BLOCK.fullmatch(head := text[:-len(end)]):
        return email.parser.Parser(_class=_class).parsestr(text)
    message = _class()
    for name, value in _FIELD.findall(head):
        message.set_raw(name, value)  # as the email parser stores each field
    message.set_payload("")  # the empty body it finds after them
    return message


def _begin_with(parser: Any) -> Any:
    """http.client's own `HTTPResponse.begin`, reading headers with `parser`."""
    begin = http.client.HTTPResponse.begin
    if "parse_headers" not in begin.__code__.co_names:  # a Python that reads them otherwise
        return begin
    return types.FunctionType(begin.__code__, {**vars(http.client), "parse_headers": parser},
                              begin.__name__, begin.__defaults__, begin.__closure__)


class FastHeadersResponse(http.client.HTTPResponse):
    """http.client's response, its headers read by `parse_headers`."""

    begin = _begin_with(parse_headers)
