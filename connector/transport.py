"""Send one HTTP request with requests, decode the answer, map failures to typed errors."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from connector.errors import (
    ApiError,
    ConnectionFailedError,
    RateLimitedError,
    RequestTimeoutError,
    ResponseError,
    error_class,
)
from connector.redact import redact, redact_value
from connector.request import HttpRequest
from connector.retry import server_wait_s

log = logging.getLogger("segment_connector.http")
MAX_BODY_BYTES = 64 * 1024 * 1024
RESPONSE_TYPES = ("json", "text", "binary")


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: Any


def _read_capped(resp: requests.Response, cap: int) -> bytes:
    chunks, size = [], 0
    for chunk in resp.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > cap:
            resp.close()
            raise ResponseError(f"response body exceeds {cap} bytes", status=resp.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(raw: bytes, response_type: str, status: int, content_type: str) -> Any:
    if response_type == "binary":
        return raw
    if response_type == "text":
        return raw.decode("utf-8", errors="replace")
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        kind = content_type.split(";")[0] or "no content type"
        snippet = redact(raw[:200].decode("utf-8", errors="replace")).strip()
        raise ResponseError(
            f"expected JSON, got {kind} ({len(raw)} bytes): {snippet!r}", status=status
        ) from None


def _api_error(req: HttpRequest, resp: requests.Response, raw: bytes) -> ApiError:
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        body = None
    errors = body.get("errors") if isinstance(body, dict) else None
    errors = redact_value(errors) if isinstance(errors, list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    detail = first.get("message") or resp.reason or "error"
    if first.get("field"):
        detail = f"{detail} (field {first['field']})"
    if resp.status_code == 401:
        detail += ": check the API token (missing, expired or for another workspace)"
    path = urlsplit(req.url).path
    message = redact(f"{req.method} {path} failed with {resp.status_code}: {detail}")
    cls = error_class(resp.status_code)
    kwargs: dict[str, Any] = {"status": resp.status_code, "errors": errors,
                              "method": req.method, "url": redact(req.url),
                              "headers": dict(resp.headers)}
    if cls is RateLimitedError:
        kwargs["retry_after"] = server_wait_s(resp.headers, body)
    return cls(message, **kwargs)


def send(
    session: requests.Session,
    req: HttpRequest,
    timeout_s: float,
    response_type: str = "json",
    debug: bool = False,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> HttpResponse:
    if debug:
        log.info("request %s", json.dumps(req.describe(), default=str))
    try:
        resp = session.request(
            req.method, req.url, params=req.params or None, headers=req.headers,
            json=req.json_body, data=req.data, files=req.files,
            timeout=timeout_s, stream=True,
        )
        raw = _read_capped(resp, max_body_bytes)
    # `from None`: the cause chain of requests' errors holds the prepared request,
    # Authorization header included; tracebacks must not carry it.
    except requests.Timeout:
        raise RequestTimeoutError(f"{req.method} {urlsplit(req.url).path}: no answer within "
                                  f"{timeout_s:g}s", req.method, redact(req.url)) from None
    except requests.ConnectionError as exc:
        raise ConnectionFailedError(f"{req.method} {urlsplit(req.url).path}: connection failed: "
                                    f"{redact(_reason(exc))}", req.method,
                                    redact(req.url)) from None
    except requests.RequestException as exc:
        raise ConnectionFailedError(f"{req.method} {urlsplit(req.url).path}: "
                                    f"{redact(_reason(exc))}", req.method,
                                    redact(req.url)) from None
    if debug:
        log.info("response %s %s %s", resp.status_code, urlsplit(req.url).path,
                 redact(raw[:2000].decode("utf-8", errors="replace")))
    if resp.status_code >= 400:
        raise _api_error(req, resp, raw)
    body = _decode(raw, response_type, resp.status_code, resp.headers.get("Content-Type", ""))
    return HttpResponse(resp.status_code, dict(resp.headers), body)


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 300 else text[:300] + "..."

