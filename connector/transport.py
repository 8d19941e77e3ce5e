"""Send one HTTP request with requests, decode the answer, map failures to typed errors."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.cookies import cookiejar_from_dict
from requests.models import PreparedRequest
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from connector.body import parse_json, read_capped
from connector.errors import (
    ApiError,
    ConnectionFailedError,
    ConnectorError,
    InputError,
    RateLimitedError,
    RequestTimeoutError,
    ResponseError,
    error_class,
)
from connector.redact import get_logger, redact, redact_headers, redact_value
from connector.request import HttpRequest, origin_of
from connector.response_headers import FastHeadersResponse
from connector.retry import server_wait_s
from connector.watchdog import AttemptDeadline, watch

log = get_logger("segment_connector.http")
MAX_BODY_BYTES = 64 * 1024 * 1024
DEBUG_BODY_CHARS = 2000  # of each answer body in debug logs
RESPONSE_TYPES = ("json", "text", "binary")


@dataclass
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: Any


def _decode(raw: bytes, response_type: str, status: int, content_type: str,
            empty_ok: bool = False, where: str = "answer") -> Any:
    if response_type == "binary":
        return raw
    if response_type == "text":
        return raw.decode("utf-8", errors="replace")
    if not raw.strip():
        # Every API answer is a JSON envelope; an empty one would read as "no data".
        if empty_ok or status == 204:
            return None
        raise ResponseError(f"{where}: expected JSON, got an empty body (status {status})",
                            status=status)
    try:
        return parse_json(raw)
    except ValueError:
        pass
    # Raised here, not in the except block: json's error keeps the whole body (`doc`),
    # which may echo the token, and would stay on this error as its `__context__`.
    kind = content_type.split(";")[0] or "no content type"
    snippet = redact(raw[:4096].decode("utf-8", errors="replace"))[:200].strip()  # mask, cut
    raise ResponseError(
        f"{where}: expected JSON, got {kind} ({len(raw)} bytes): {snippet!r}", status=status)


def _api_error(req: HttpRequest, resp: Reply, raw: bytes) -> ApiError:
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
    if resp.status == 401:
        detail += ": check the API token (missing, expired or for another workspace)"
    path = _path(req.url)
    message = redact(f"{req.method} {path} failed with {resp.status}: {detail}")
    cls = error_class(resp.status)
    kwargs: dict[str, Any] = {"status": resp.status, "errors": errors,
                              "method": req.method, "url": redact(req.url),
                              "headers": redact_headers(resp.headers)}
    if cls is RateLimitedError:
        kwargs["retry_after"] = server_wait_s(resp.headers, body)
    return cls(message, **kwargs)


def _path(url: str) -> str:
    """`https://host:port/path?q` -> `/path` (as `urlsplit(url).path`, without its cost)."""
    return urlsplit(url).path if "#" in url else url[len(origin_of(url)):].split("?", 1)[0]


class _WatchedHTTPConnection(HTTPConnection):
    response_class = FastHeadersResponse

    def getresponse(self) -> Any:
        watch(self.sock)  # the wait for the answer counts against the attempt's time
        return super().getresponse()


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _Answer(requests.Response):
    """requests' Response without the cookie jar its constructor makes for every answer
    (the API sets no cookies); one is made if something asks for it."""

    def __init__(self) -> None:  # the base constructor is skipped on purpose
        self._content = False  # type: ignore[assignment]  # as requests sets it
        self._content_consumed = False
        self._next = None
        self.encoding = None
        self.history = []
        self.elapsed = datetime.timedelta(0)

    def __getattr__(self, name: str) -> Any:
        if name == "cookies":
            self.cookies = cookiejar_from_dict({})  # type: ignore[no-untyped-call]
            return self.cookies
        raise AttributeError(name)


class _Adapter(HTTPAdapter):
    """requests' adapter minus per-call work: no cookies (the API sets none), and the
    connection pool of each origin looked up once rather than re-parsed every call.
    Its connections let the watchdog cut an attempt off at its time limit."""

    def __init__(self, pool_size: int) -> None:
        super().__init__(pool_maxsize=pool_size)
        self._pools: dict[tuple[str, Any, Any], Any] = {}

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def pool_for(self, origin: str, verify: Any, cert: Any) -> Any:
        """The connection pool of `origin` with these TLS settings, made once (its TLS
        settings checked as requests does) and made again if the pool manager closed it."""
        key = (origin, verify, cert)
        pool = self._pools.get(key)
        if pool is None or pool.pool is None:
            prep = PreparedRequest()
            prep.url = origin
            pool = super().get_connection_with_tls_context(prep, verify, None, cert)
            self.cert_verify(pool, origin, verify, cert)  # type: ignore[no-untyped-call]
            self._pools[key] = pool
        return pool

    def get_connection_with_tls_context(self, request: PreparedRequest, verify: Any,
                                        proxies: Any = None, cert: Any = None) -> Any:
        if proxies:
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        return self.pool_for(origin_of(request.url or ""), verify, cert)

    def request_url(self, request: PreparedRequest, proxies: Any) -> str:
        if proxies:
            return super().request_url(request, proxies)
        return request.path_url

    def build_response(self, req: PreparedRequest, resp: Any) -> requests.Response:
        response = _Answer()
        response.status_code = resp.status
        response.headers = CaseInsensitiveDict(resp.headers)
        response.raw = resp
        response.reason = resp.reason
        response.url = req.url or ""
        response.request = req
        response.connection = self
        return response


@dataclass(slots=True)
class Reply:
    """An answer whose body is still unread: `raw` is urllib3's response."""

    status: int
    reason: str
    headers: Mapping[str, str]
    raw: Any

    def close(self) -> None:
        self.raw.close()


# Errors are raised as they come (the runtime retries); redirects are answered, not followed.
_NO_RETRIES = urllib3.Retry(total=False, redirect=False)


def _adapter_replaced() -> bool:
    """Whether something replaced requests' `HTTPAdapter.send` (`responses`, a cassette, a
    test double): every request then goes through it, so it sees them all."""
    return getattr(HTTPAdapter.send, "__module__", None) != "requests.adapters"


class HttpClient:
    """requests' transport, minus the work `Session.request` repeats on every call.

    `Session.request` re-reads proxy settings, netrc and CA bundles from the
    environment and re-parses the URL each time; here those environment
    settings are resolved once per origin and the URL we built is sent exactly
    as built (so a quoted `%2E%2E` id stays quoted). A request with a body of
    bytes or JSON and no proxy goes straight to the origin's urllib3 pool (the
    one requests' adapter keeps, TLS settings and all); forms, files, proxies,
    a session of the caller's, or an adapter's `send` replaced (as `responses`
    does in tests) go through requests' adapter. One client serves every thread:
    urllib3's pools are thread-safe, and nothing here changes per call.
    """

    def __init__(self, session: requests.Session | None = None, pool_size: int = 64) -> None:
        self.direct = session is None  # our own adapters: their pools may be used directly
        if session is None:
            session = requests.Session()
            for prefix in ("https://", "http://"):
                session.mount(prefix, _Adapter(pool_size))
        self.session = session
        self._origins: dict[str, dict[str, Any]] = {}
        self._timeout: urllib3.Timeout | None = None  # the last one, most often the next too

    def _settings(self, origin: str) -> dict[str, Any]:
        """Proxies, CA bundle, client certificate and adapter for `origin`."""
        found = self._origins.get(origin)
        if found is None:
            env = self.session.merge_environment_settings(origin, {}, None, None, None)
            found = self._origins[origin] = {"proxies": env["proxies"], "verify": env["verify"],
                                             "cert": env["cert"],
                                             "adapter": self.session.get_adapter(origin)}
        return found

    def prepare(self, req: HttpRequest) -> PreparedRequest:
        if req.files is not None or isinstance(req.data, dict):
            # Multipart and form bodies: let requests encode them.
            prep = PreparedRequest()
            prep.prepare(method=req.method, url=req.url, params=req.params or None,
                         headers=req.headers, data=req.data, files=req.files)
            return prep
        prep = PreparedRequest()
        prep.method = req.method
        prep.url = req.full_url
        prep.headers = CaseInsensitiveDict(req.headers)
        body = _body(req)
        prep.body = body
        length = _length(req.method, body)
        if length is not None:
            prep.headers["Content-Length"] = length
        prep.hooks = {"response": []}
        return prep

    def send(self, req: HttpRequest, timeout_s: float) -> Reply:
        url = req.full_url
        if self.direct and not _adapter_replaced() and req.files is None \
                and (req.data is None or isinstance(req.data, str | bytes)):
            origin = origin_of(url)
            settings = self._settings(origin)
            if not settings["proxies"]:
                return self._send_direct(req, url, origin, settings, timeout_s)
        prep = self.prepare(req)
        url = prep.url or url
        adapter = self.session.get_adapter(url)
        env = self._settings(origin_of(url))
        resp = adapter.send(prep, stream=True, timeout=timeout_s, proxies=env["proxies"],
                            verify=env["verify"], cert=env["cert"])
        return Reply(resp.status_code, resp.reason, resp.headers, resp.raw)

    def _send_direct(self, req: HttpRequest, url: str, origin: str, settings: dict[str, Any],
                     timeout_s: float) -> Reply:
        # Our _Adapter (`self.direct`): the pool requests' own sends would use.
        pool = settings["adapter"].pool_for(origin, settings["verify"], settings["cert"])
        body = _body(req)
        headers = dict(req.headers)
        length = _length(req.method, body)
        if length is not None:
            for name in [n for n in headers if n.lower() == "content-length"]:
                del headers[name]
            headers["Content-Length"] = length
        timeout = self._timeout  # read once: another thread may replace it
        if timeout is None or timeout.read_timeout != timeout_s:
            timeout = self._timeout = urllib3.Timeout(connect=timeout_s, read=timeout_s)
        target = url[len(origin):]
        if not target.startswith("/"):
            target = "/" + target  # `?q` after no path at all
        raw = pool.urlopen(req.method, target, body=body, headers=headers,
                           retries=_NO_RETRIES, redirect=False, assert_same_host=False,
                           preload_content=False, decode_content=False, chunked=False,
                           timeout=timeout)
        return Reply(raw.status, raw.reason or "", raw.headers, raw)


def _body(req: HttpRequest) -> Any:
    if req.json_body is not None:
        return json.dumps(req.json_body, separators=(",", ":")).encode()
    return req.data.encode() if isinstance(req.data, str) else req.data


def _length(method: str, body: Any) -> str | None:
    """The Content-Length a request of `method` with `body` is sent with (None: none)."""
    if body is not None:
        return str(len(body))
    return "0" if method in ("POST", "PUT", "PATCH") else None


def send(
    client: HttpClient,
    req: HttpRequest,
    timeout_s: float,
    response_type: str = "json",
    debug: bool = False,
    max_body_bytes: int | None = None,
) -> HttpResponse:
    if debug:
        log.info("request %s", json.dumps(req.describe(), default=str))
    where = f"{req.method} {_path(req.url)}"
    cap = max_body_bytes or MAX_BODY_BYTES
    failure: ConnectorError | None = None
    watched = AttemptDeadline(timeout_s)
    with watched as alarms:
        try:
            resp = client.send(req, timeout_s)
            try:
                raw = read_capped(resp.raw, resp.headers, cap, where, resp.status)
            except BaseException:
                resp.close()  # a half-read connection must not go back to the pool
                raise
        except ResponseError as exc:
            failure = exc
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            failure = _failure(exc, where, timeout_s, req, any(a.fired for a in alarms))
        except (ValueError, UnicodeError) as exc:  # http.client refuses a header or URL
            # Nothing left this machine: an input problem, not a lost connection.
            failure = InputError({"request": f"{where} could not be encoded: {_reason(exc)}"})
    if failure is None and watched.fired:
        failure = _timeout(where, timeout_s, req, True)  # cut off, yet the read ended quietly
    if failure is not None:
        # Raised here, outside the except blocks, so that no `__context__` keeps the
        # library's exception: it holds the prepared request, Authorization header included.
        raise failure
    if debug:
        log.info("response %s %s %s", resp.status, _path(req.url),
                 _shown(raw)[:DEBUG_BODY_CHARS])
    if resp.status >= 400:
        raise _api_error(req, resp, raw)
    if 300 <= resp.status < 400:
        # Redirects are not followed: the token must not travel to where they point.
        where = redact(resp.headers.get("Location", "?"))
        raise ApiError(f"{where} answered "
                       f"{resp.status}, a redirect to {where}; not followed",
                       status=resp.status, method=req.method, url=redact(req.url))
    body = _decode(raw, response_type, resp.status, resp.headers.get("Content-Type", ""),
                   empty_ok=req.method == "HEAD", where=where)
    return HttpResponse(resp.status, resp.headers, body)


def _failure(exc: Exception, where: str, timeout_s: float, req: HttpRequest,
             cut_off: bool) -> ConnectorError:
    """The error a request that met `exc` ends with; `cut_off`: the watchdog ended it."""
    # urllib3's refused connection is a kind of its TimeoutError, yet no timeout.
    refused = isinstance(exc, urllib3.exceptions.NewConnectionError)
    if isinstance(exc, requests.Timeout | urllib3.exceptions.TimeoutError) and not refused:
        return _timeout(where, timeout_s, req, _may_have_sent(exc))
    if cut_off:
        return _timeout(where, timeout_s, req, True)
    connection = refused or isinstance(exc, requests.ConnectionError
                                       | urllib3.exceptions.ProtocolError
                                       | urllib3.exceptions.SSLError)
    return ConnectionFailedError(
        f"{where}: " + ("connection failed: " if connection else "") + _reason(exc),
        req.method, redact(req.url), sent=_may_have_sent(exc))


def _may_have_sent(exc: Exception) -> bool:
    """False only when the request surely never left: no connection was made, or it
    was refused while being built. Anything after connecting may have reached the API."""
    if isinstance(exc, requests.ConnectTimeout | urllib3.exceptions.ConnectTimeoutError):
        return False
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    if isinstance(exc, urllib3.exceptions.NewConnectionError) or isinstance(
            reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError):
        return False
    # Refused while being prepared (bad header, URL or scheme): nothing went out.
    return not isinstance(exc, requests.exceptions.InvalidHeader | requests.exceptions.InvalidURL
                          | requests.exceptions.InvalidSchema | requests.exceptions.MissingSchema
                          | urllib3.exceptions.LocationValueError)


def _shown(raw: bytes) -> str:
    """A body as the debug log shows it: secret fields and the token masked, before any cut."""
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.dumps(redact_value(json.loads(text)), ensure_ascii=False)
    except (ValueError, RecursionError):
        return redact(text)


def _timeout(where: str, timeout_s: float, req: HttpRequest, sent: bool) -> RequestTimeoutError:
    return RequestTimeoutError(f"{where}: no complete answer within {timeout_s:g}s",
                               req.method, redact(req.url), sent=sent)


def _reason(exc: Exception) -> str:
    text = redact(_innermost(exc))  # mask first, then cut: a cut can split a secret
    return text if len(text) < 300 else text[:300] + "..."


def _innermost(exc: Exception) -> str:
    """The cause in words, without the pool and class names the libraries wrap it in."""
    reason: Any = exc
    if isinstance(exc, requests.RequestException) or not isinstance(
            exc, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ProtocolError):
        reason = exc.args[0] if exc.args else exc  # requests wraps urllib3's error
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return f"cannot resolve host {reason.conn.host!r}"
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        where = f"{reason.conn.host}:{reason.conn.port}"
        cause = str(reason).rsplit("] ", 1)[-1] if "] " in str(reason) else str(reason)
        return f"cannot connect to {where}: {cause}"
    if isinstance(reason, urllib3.exceptions.ProtocolError) and len(reason.args) > 1 \
            and repr(reason.args[1]) not in str(reason.args[0]):
        return f"{reason.args[0]} ({reason.args[1]})"
    if isinstance(reason, urllib3.exceptions.ProtocolError) and reason.args:
        return str(reason.args[0])
    return str(reason)
