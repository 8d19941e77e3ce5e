"""Raw Request: any call to the Segment API, for operations no action covers.

The URL is a path on the chosen region. An absolute URL is accepted only for a
Segment API host, so the token can never be sent anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from connector.connection import SEGMENT_HOSTS
from connector.errors import InputError
from connector.request import USER_AGENT, HttpRequest, flatten_query
from connector.retry import RetryPolicy
from connector.spec import REGION, Action, Input
from connector.validation import validate

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")

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


def target_url(url: str, base_url: str) -> str:
    """The absolute URL to call, or InputError when it could leave the Segment API."""
    decoded = url
    for _ in range(3):  # catch %2F%2F, %5C and doubly encoded variants
        decoded = unquote(decoded)
    if _UNSAFE.search(url) or _UNSAFE.search(decoded):
        raise InputError({"url": "must not contain spaces, control characters or "
                          "backslashes"}, "rawRequest")
    if decoded.startswith("//") or url.startswith("//"):
        raise InputError({"url": "scheme-relative URLs are not allowed; give a path like "
                          "/sources"}, "rawRequest")
    if "://" not in url:
        return base_url + ("" if url.startswith("/") else "/") + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or parts.username is not None or parts.password is not None \
            or parts.port not in (None, 443) or host not in SEGMENT_HOSTS:
        raise InputError({"url": f"refused: {parts.scheme}://{parts.netloc or ''} is not a "
                          "Segment API host; give a path like /sources"}, "rawRequest")
    return url


class RawRequest:
    """Executor of the `rawRequest` action."""

    def prepare(self, runtime: Any, values: Mapping[str, Any]) -> HttpRequest:
        return self._request(runtime, values, self._validated(values))

    def __call__(self, runtime: Any, values: Mapping[str, Any]) -> dict[str, Any]:
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
        try:
            clean = validate(INPUTS, values, "rawRequest")
        except InputError as exc:
            problems.update({k: v for k, v in exc.fields.items() if k not in problems})
        if problems:
            raise InputError(problems, "rawRequest")
        return clean

    def _request(self, runtime: Any, values: Mapping[str, Any], v: Mapping[str, Any]
                 ) -> HttpRequest:
        region = values.get("region") or None
        url = target_url(v["url"], runtime.connection.url_for(region))
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if runtime.connection.token:
            headers["Authorization"] = f"Bearer {runtime.connection.token}"
        headers.update({str(k): str(h) for k, h in (v.get("headers") or {}).items()})
        params = [p for k, q in (v.get("queryParams") or {}).items()
                  for p in flatten_query(str(k), q)]
        req = HttpRequest(v["method"], url, params, headers)
        data = v.get("data")
        if v.get("fileData") or v.get("formData"):
            names = v.get("fileDataFileNames") or {}
            req.files = {k: (names.get(k, k), c) for k, c in (v.get("fileData") or {}).items()}
            req.data = v.get("formData") or None
        elif isinstance(data, dict | list):
            req.json_body = data
            headers.setdefault("Content-Type", "application/json")
        elif data is not None:
            req.data = data if isinstance(data, str | bytes) else str(data)
            headers.setdefault("Content-Type", "application/json")
        return req

    def _policy(self, runtime: Any, v: Mapping[str, Any]) -> RetryPolicy:
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
        example={"data": {"data": {"sources": [], "pagination": {"current": "MA=="}}}},
    ),
)
