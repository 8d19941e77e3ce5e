"""Turn an action and its validated inputs into an HTTP request description."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from connector import __version__
from connector.redact import MASK, is_secret_name, redact, redact_headers, redact_value
from connector.spec import Action

USER_AGENT = f"segment-connector/{__version__}"


@dataclass
class HttpRequest:
    method: str
    url: str  # without the query string
    params: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    data: Any = None  # form fields (Raw Request)
    files: Any = None  # multipart files (Raw Request)

    @property
    def full_url(self) -> str:
        return f"{self.url}?{urlencode(self.params)}" if self.params else self.url

    def describe(self) -> dict[str, Any]:
        """What would be sent, as JSON-ready data with secrets masked (dry-run, debug):
        the token wherever it appears, and the values of secret fields (passwords...)."""
        params = [(k, MASK if is_secret_name(k) else v) for k, v in self.params]
        url = redact(f"{self.url}?{urlencode(params)}" if params else self.url)
        out: dict[str, Any] = {"method": self.method, "url": url,
                               "headers": redact_headers(self.headers)}
        if self.json_body is not None:
            out["body"] = redact_value(self.json_body)
        if self.data:
            out["form"] = redact_value(self.data)
        if self.files:
            out["files"] = sorted(self.files) if isinstance(self.files, Mapping) else "..."
        return out


def origin_of(url: str) -> str:
    """`https://host:port/path?q` -> `https://host:port` (also with no path before `?`)."""
    end = len(url)
    start = url.find("//") + 2
    for mark in "/?#":  # asked of every request several times: no generator frames
        at = url.find(mark, start, end)
        if at >= 0:
            end = at
    return url[:end]


def quote_segment(value: Any) -> str:
    """URL-quote a path parameter so that it stays one segment, whatever it holds."""
    text = str(value)
    if text.strip(".") == "":  # "." and ".." would be resolved as dot-segments
        return text.replace(".", "%2E")
    return quote(text, safe="")


def flatten_query(name: str, value: Any) -> Iterator[tuple[str, str]]:
    """Objects in dot notation (`pagination.count=50`), lists as repeated keys."""
    if isinstance(value, Mapping):
        for key, sub in value.items():
            yield from flatten_query(f"{name}.{key}", sub)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from flatten_query(name, item)
    elif isinstance(value, bool):
        yield name, "true" if value else "false"
    elif value is not None:
        yield name, value if isinstance(value, str) else json.dumps(value)


def _put(body: dict[str, Any], name: str, value: Any) -> None:
    """Set a body field; a dotted name (`input.name`) nests, for bodies wrapped in one object."""
    *parents, leaf = name.split(".")
    for part in parents:
        body = body.setdefault(part, {})
    body[leaf] = value


def build(action: Action, values: Mapping[str, Any], base_url: str,
          token: str | None) -> HttpRequest:
    path = action.path
    params: list[tuple[str, str]] = []
    body: dict[str, Any] = {}
    payload: Any = None
    for inp in action.inputs:
        if inp.key not in values:
            continue
        value = values[inp.key]
        where = action.where(inp)
        if where == "path":
            path = path.replace("{" + inp.wire_name + "}", quote_segment(value))
        elif where == "query":
            params.extend(flatten_query(inp.wire_name, value))
        elif where == "body":
            _put(body, inp.wire_name, value)
        elif where == "payload":
            payload = value
    headers = {"Accept": action.media, "User-Agent": USER_AGENT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    json_body = payload if payload is not None else (body or None)
    if json_body is None and action.method in ("POST", "PUT", "PATCH") and action.body_model:
        json_body = {}
    if json_body is not None:
        headers["Content-Type"] = action.media
    return HttpRequest(action.method, base_url + path, params, headers, json_body)
