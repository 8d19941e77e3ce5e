"""Raw Request: any call to the Segment API, for operations no action covers.

The URL is a path on the chosen region. An absolute URL is accepted only for a
Segment API host, so the token can never be sent anywhere else; when the
connection has a base-URL override (the simulator, a proxy), such a URL is
sent there instead, path and query kept, so a token meant for the override
never reaches the real API either.

Every input is checked before anything is sent, dry runs included: header
names and values that HTTP cannot carry, text that UTF-8 cannot encode, and
bodies that JSON cannot encode are input errors that name the field and never
quote a value (a header value may well be a token).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from connector.connection import SEGMENT_HOSTS
from connector.errors import InputError
from connector.request import USER_AGENT, HttpRequest, flatten_query
from connector.retry import RetryPolicy
from connector.spec import REGION, Action, Input
from connector.validation import validate

LEGACY_HOST = "platform.segmentapis.com"

if TYPE_CHECKING:
    from connector.runtime import Runtime

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")
# `scheme://`: what makes a URL absolute here. Anything else is a path on the API
# host, so it cannot leave it (`javascript:x` becomes the path `/javascript:x`).
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# RFC 9110 token: the only characters a header name may hold.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Control characters a header value may not hold: C0 but tab, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
# Framing and routing headers the transport sets from the request itself; a
# user's copy would mis-frame the body or route a proxy by another host name.
_OWNED_HEADERS = frozenset({"host", "content-length", "transfer-encoding"})
_NOT_UTF8 = "is not valid text: it holds a lone surrogate, which UTF-8 cannot encode"

INPUTS = (
    REGION,
    Input("url", comments="Path on the API host, e.g. `/sources`; an absolute URL only for "
          "a Segment API host.", required=True, label="URL", example="/sources"),
    Input("method", comments="HTTP method.", required=True, choices=METHODS, example="GET"),
    Input("data", "any", "Request body: JSON (object or list) or text."),
    Input("formData", "object", "Fields of a multipart form upload.", label="Form Data"),
    Input("fileData", "object", "Files of a multipart form upload: field name to content.",
          label="File Data"),
    Input("fileDataFileNames", "object", "File name for each `fileData` field.",
          label="File Data File Names"),
    Input("queryParams", "object", "Query parameters: name to value (a list repeats the "
          "name).", label="Query Parameter", example={"pagination.count": 10}),
    Input("headers", "object", "Extra request headers.", label="Header"),
    Input("responseType", comments="How to read the answer: json, text or binary.",
          default="json", choices=("json", "text", "binary")),
    Input("timeout", "integer", "Milliseconds to wait for an answer; blank: 30000.",
          minimum=1),
    Input("debugRequest", "boolean", "Log the request and response (token masked).",
          default=False, label="Debug Request"),
    Input("retryDelayMS", "integer", "Milliseconds between retries.", default=0, minimum=0,
          label="Retry Delay (ms)"),
    Input("retryAllErrors", "boolean", "Retry every failed answer, 4xx and POSTs included.",
          default=False, label="Retry On All Errors"),
    Input("maxRetries", "integer", "Most retries of a failed request.", default=0, minimum=0,
          label="Max Retry Count"),
    Input("useExponentialBackoff", "boolean", "Double the wait after each failure (from "
          "200 ms when the delay is 0), with jitter.", default=False,
          label="Use Exponential Backoff"),
)


def _refuse(problem: str) -> InputError:
    return InputError({"url": problem}, "rawRequest")


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _quote_non_ascii(text: str) -> str:
    # As browsers and requests do: http.client sends request targets as ASCII only.
    return _NON_ASCII.sub(lambda m: quote(m.group(), safe=""), text)


def target_url(url: str, base_url: str, rebase: bool = False) -> str:
    """The absolute URL to call, or InputError when it could leave the Segment API.

    A path goes to `base_url`. An absolute URL must be https on a Segment API
    host; with `rebase` (the connection overrides the base URL) its path and
    query go to `base_url` instead of that host. Fragments are never sent.
    """
    if not _utf8(url):
        raise _refuse(_NOT_UTF8)
    decoded = url
    for _ in range(3):  # catch %2F%2F, %5C and doubly encoded variants
        decoded = unquote(decoded)
    if _UNSAFE.search(url) or _UNSAFE.search(decoded):
        raise _refuse("must not contain spaces, control characters or backslashes")
    if decoded.startswith("//") or url.startswith("//"):
        raise _refuse("scheme-relative URLs are not allowed; give a path like /sources")
    if not _ABSOLUTE.match(url):
        path = url.partition("#")[0]
        return base_url + ("" if path.startswith("/") else "/") + _quote_non_ascii(path)
    host, rest = _checked_parts(url)
    return (base_url.rstrip("/") if rebase else f"https://{host}") + rest


def _checked_parts(url: str) -> tuple[str, str]:
    """(host, path and query) of an absolute URL that may carry the token."""
    # Messages name the problem, never the URL: its user info or query may hold secrets.
    try:
        parts = urlsplit(url)
    except ValueError:  # a broken [IPv6] literal, characters NFKC would change
        raise _refuse("has an invalid host; give a path like /sources") from None
    try:
        port = parts.port
    except ValueError:  # not a number, or beyond 65535
        raise _refuse("the port must be a number from 1 to 65535") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _refuse("only https URLs of a Segment API host are accepted; give a path "
                      "like /sources")
    if "@" in parts.netloc:
        raise _refuse("must not contain a user name or password")
    if port == 0:
        raise _refuse("the port must be a number from 1 to 65535")
    host = (parts.hostname or "").lower()
    if not host:
        raise _refuse("has no host; give a path like /sources")
    if host == LEGACY_HOST:  # Public API tokens are refused there; the bridge translates
        raise _refuse(f"{LEGACY_HOST} is the legacy Config API, which Public API tokens "
                      "cannot call: run the call unchanged with `segment-connector legacy "
                      "run METHOD PATH` (or see `segment-connector legacy explain`)")
    if host not in SEGMENT_HOSTS:
        shown = host if _HOST_NAME.fullmatch(host) else "its host"
        raise _refuse(f"refused: {shown} is not a Segment API host; give a path like "
                      "/sources")
    if parts.scheme.lower() != "https":
        raise _refuse("must use https: the token is never sent in clear text")
    if port not in (None, 443):
        raise _refuse("a Segment API host is reached on port 443 only")
    query = f"?{parts.query}" if parts.query else ""
    return host, _quote_non_ascii((parts.path or "/") + query)


def _show(key: Any) -> str:
    """A field name fit for a message: control characters and lone surrogates escaped."""
    text = key if isinstance(key, str) else str(key)
    shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _as_object(value: Any) -> Any:
    # Object inputs may come as JSON text; validation decodes them the same way.
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return None
    return value


def _walk(field: str, value: Any) -> Iterator[tuple[str, Any, bool]]:
    """(field name, item, is a key) for every value and key below `value`, depth first."""
    stack: list[tuple[str, Any]] = [(field, value)]
    seen: set[int] = set()
    while stack:
        name, item = stack.pop()
        yield name, item, False
        if isinstance(item, Mapping | list | tuple):
            if id(item) in seen:  # a cycle (Python callers only): walk it once
                continue
            seen.add(id(item))
            pairs = list(item.items() if isinstance(item, Mapping) else enumerate(item))
            for key, sub in reversed(pairs):
                yield f"{name}.{_show(key)}", key, True
                stack.append((f"{name}.{_show(key)}", sub))


def _text_problems(field: str, value: Any, problems: dict[str, str]) -> None:
    """Lone surrogates anywhere in `value`, keys included."""
    for name, item, is_key in _walk(field, value):
        if isinstance(item, str) and not _utf8(item):
            problems.setdefault(name, ("name " if is_key else "") + _NOT_UTF8)


def _json_problems(field: str, value: Any, problems: dict[str, str]) -> None:
    """What json.dumps would fail on or write as invalid JSON, and lone surrogates."""
    _text_problems(field, value, problems)
    for name, item, is_key in _walk(field, value):
        if isinstance(item, float) and not math.isfinite(item):
            problems.setdefault(name, "is not a JSON number (NaN or infinity)")
        elif not isinstance(item, str | int | float | bool | Mapping | list | tuple) \
                and item is not None:
            what = "name" if is_key else "value"
            problems.setdefault(name, f"{what} of type {type(item).__name__} cannot be "
                                "sent as JSON")


def header_problem(name: Any, value: Any) -> str | None:
    """Why `name: value` cannot be sent as a header, without quoting the value."""
    if not isinstance(name, str) or not name:
        return "a header name must not be empty"
    if not _utf8(name):
        return "header name " + _NOT_UTF8
    if "\r" in name or "\n" in name:
        return "header name must not contain line breaks"
    if not _TOKEN.fullmatch(name):
        if ":" in name:
            return "header name must not contain ':'; give the name alone"
        if any(c.isspace() for c in name):
            return "header name must not contain spaces"
        return "header name may only hold letters, digits and !#$%&'*+-.^_`|~"
    if name.lower() in _OWNED_HEADERS:
        return f"{name} is set by the connector from the request; leave it out"
    if value is None or isinstance(value, bool | int | float):
        return None
    if not isinstance(value, str):
        return "header value must be text, a number or true/false"
    if not _utf8(value):
        return "header value " + _NOT_UTF8
    if "\r" in value or "\n" in value:
        return "header value must not contain line breaks"
    if _CONTROL.search(value):
        return "header value must not contain control characters (tab is allowed)"
    if any(ord(c) > 0xFF for c in value):
        return "header value must be Latin-1 text; percent-encode or base64 other characters"
    return None


def header_text(value: Any) -> str:
    """The text sent for a checked header value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    # Leading and trailing blanks are not part of a field value (RFC 9110 5.5).
    return value.strip(" \t") if isinstance(value, str) else str(value)


def input_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Problems the type checks cannot see, by field: headers HTTP cannot carry, text
    UTF-8 cannot encode, bodies JSON cannot encode, form parts multipart cannot hold."""
    problems: dict[str, str] = {}
    headers = _as_object(values.get("headers"))
    if isinstance(headers, Mapping):
        _header_problems(headers, problems)
    query = _as_object(values.get("queryParams"))
    if isinstance(query, Mapping):
        _json_problems("queryParams", query, problems)
    data = values.get("data")
    if isinstance(data, str) and not _utf8(data):
        problems["data"] = _NOT_UTF8
    elif isinstance(data, str):
        _text_problems("data", _as_object(data), problems)  # JSON text: what it decodes to
    elif not isinstance(data, bytes | bytearray):
        _json_problems("data", data, problems)
    _form_problems(values, problems)
    return problems


def _header_problems(headers: Mapping[Any, Any], problems: dict[str, str]) -> None:
    seen: dict[str, str] = {}
    for name, value in headers.items():
        problem = header_problem(name, value)
        lower = str(name).lower()
        if problem is None and lower in seen:
            problem = f"given twice (as {seen[lower]} too); names ignore case"
        if problem:
            problems.setdefault(f"headers.{_show(name)}", problem)
        seen.setdefault(lower, _show(name))


def _form_problems(values: Mapping[str, Any], problems: dict[str, str]) -> None:
    form = _as_object(values.get("formData"))
    if isinstance(form, Mapping):
        _text_problems("formData", form, problems)
        for key, value in form.items():
            items = value if isinstance(value, list | tuple) else [value]
            if any(isinstance(i, Mapping | list | tuple) for i in items):
                problems.setdefault(f"formData.{_show(key)}",
                                    "must be text, a number or a list of them")
    given = values.get("fileData")
    files = _as_object(given)
    if isinstance(files, Mapping):
        _text_problems("fileData", files, problems)
        for key, content in files.items():
            if not isinstance(content, str | bytes | bytearray) and content is not None:
                problems.setdefault(f"fileData.{_show(key)}",
                                    "must be the file's content as text")
    names = _as_object(values.get("fileDataFileNames"))
    if isinstance(names, Mapping):
        _text_problems("fileDataFileNames", names, problems)
        # The seed's rule: keys match fileData's. A bad fileData is reported by itself.
        known = files if isinstance(files, Mapping) else {} if given in (None, "") else None
        for key, name in names.items():
            field = f"fileDataFileNames.{_show(key)}"
            if not isinstance(name, str):
                problems.setdefault(field, "must be a file name")
            elif known is not None and key not in known:
                problems.setdefault(field, "names no fileData field")


def _set_header(headers: dict[str, str], name: str, value: str) -> None:
    # Header names ignore case: a user's `accept` replaces our `Accept`.
    for key in [k for k in headers if k.lower() == name.lower()]:
        del headers[key]
    headers[name] = value


class RawRequest:
    """Executor of the `rawRequest` action."""

    def prepare(self, runtime: Runtime, values: Mapping[str, Any]) -> HttpRequest:
        return self._request(runtime, values, self._validated(values))

    def method(self, values: Mapping[str, Any]) -> str:
        """The method a call with `values` sends, as given ("" when none is)."""
        method = values.get("method") if isinstance(values, Mapping) else None
        return method.strip().upper() if isinstance(method, str) else ""

    def __call__(self, runtime: Runtime, values: Mapping[str, Any]) -> dict[str, Any]:
        v = self._validated(values)
        req = self._request(runtime, values, v)
        resp = runtime.send(req, self._policy(runtime, v), v["responseType"],
                            debug=v["debugRequest"] or None)
        return {"data": resp.body}

    @staticmethod
    def _validated(values: Mapping[str, Any]) -> dict[str, Any]:
        """Every input problem at once, the URL guard's first."""
        problems: dict[str, str] = {}
        url = values.get("url") if isinstance(values, Mapping) else None
        if isinstance(url, str) and url:
            try:
                target_url(url, "")
            except InputError as exc:
                problems.update(exc.fields)
        mine = input_problems(values) if isinstance(values, Mapping) else {}
        clean: dict[str, Any] = {}
        try:
            clean = validate(INPUTS, values, "rawRequest")
        except InputError as exc:
            for key, problem in exc.fields.items():
                # A problem found here names the header or item; it says more.
                if key not in problems and not any(m == key or m.startswith(key + ".")
                                                   for m in mine):
                    problems[key] = problem
        for key, problem in mine.items():
            problems.setdefault(key, problem)
        if problems:
            raise InputError(problems, "rawRequest")
        return clean

    def _request(self, runtime: Runtime, values: Mapping[str, Any], v: Mapping[str, Any]
                 ) -> HttpRequest:
        region = values.get("region") or None
        conn = runtime.connection
        url = target_url(v["url"], conn.url_for(region), rebase=bool(conn.base_url))
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if conn.token:
            headers["Authorization"] = f"Bearer {conn.token}"
        for name, value in (v.get("headers") or {}).items():
            if value is not None:  # blank: not given
                _set_header(headers, name, header_text(value))
        params = [p for k, q in (v.get("queryParams") or {}).items()
                  for p in flatten_query(str(k), q)]
        if params and "?" in url:
            # One query string: the URL's own pairs first, then queryParams.
            url, _, own = url.partition("?")
            params = [*parse_qsl(own, keep_blank_values=True), *params]
        req = HttpRequest(v["method"], url, params, headers)
        data = v.get("data")
        has_type = any(k.lower() == "content-type" for k in headers)
        if v.get("fileData") or v.get("formData"):
            names = v.get("fileDataFileNames") or {}
            req.files = {k: (names.get(k, k), c) for k, c in (v.get("fileData") or {}).items()}
            req.data = v.get("formData") or None
        elif isinstance(data, dict | list):
            req.json_body = data
            if not has_type:
                headers["Content-Type"] = "application/json"
        elif data is not None:
            req.data = data if isinstance(data, str | bytes) else str(data)
            if not has_type:
                headers["Content-Type"] = "application/json"
        return req

    def _policy(self, runtime: Runtime, v: Mapping[str, Any]) -> RetryPolicy:
        timeout = v.get("timeout")
        return RetryPolicy(
            max_retries=v["maxRetries"], delay_ms=v["retryDelayMS"],
            exponential=v["useExponentialBackoff"], retry_on_all_errors=v["retryAllErrors"],
            timeout_s=timeout / 1000 if timeout else runtime.policy.timeout_s,
            deadline_s=runtime.policy.deadline_s,
        )


ACTIONS = (
    Action(
        "rawRequest", "Raw Request", "Send any request to the Segment API with the "
        "connection's token.", area="Raw Request", inputs=INPUTS, run=RawRequest(),
        # Any method can go out, DELETE among them, and a POST is never repeated safely.
        safety="destructive", idempotent=False,
        example={"data": {"data": {"sources": [], "pagination": {"current": "MA=="}}}},
    ),
)
