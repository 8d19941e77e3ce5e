"""Requests not meant for this service are refused before any route runs.

A web page in the user's browser can reach a service on 127.0.0.1: by DNS
rebinding (its own name resolving to 127.0.0.1, so the request carries that
name as `Host`), or from another origin (a form post, a `fetch` without a
preflight). Loopback is no trust boundary; the request's Host, Origin and shape are:

- `Host` must name the service: a loopback name (127.0.0.1, localhost, [::1]) or
  the address the connection arrived on, with the port it arrived on, or a name
  the operator configured (`[service] hosts`, `--allow-host`). Otherwise 403 (not
  421, which browsers answer by sending the request again).
- `Origin`, when present (browsers send it on every cross-origin request and every
  POST), must be the service's own: the request's own scheme, host and port, or a
  configured name. Otherwise 403, whatever the method.
- `Sec-Fetch-Site` cross-site or same-site (another port of the same host) is
  refused too, except a top-level page load by GET: that covers the requests a
  browser sends without an Origin (scripts, images).
- A request body must be JSON (`application/json` or `+json`): a form post or
  `text/plain` is a request any page can send without a preflight. Otherwise 415.

Requests that no browser could send from another origin (those carrying a header
outside the CORS safelist) are told apart by `browser_could_forge`, so the
simulator's server-side profile serves only those.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from connector.service.asgi import RequestHeaders, Scope
from connector.service.problems import plain_problem

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# Content types a page may send to any origin without a preflight (Fetch standard).
SIMPLE_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Authority:
    """A host name (lower case, IPv6 in brackets) and a port (None: the scheme's default)."""

    name: str
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> Authority | None:
        """`name`, `name:port`, `[v6]`, `[v6]:port`; None when it is none of these."""
        # A service sees a handful of Host values, again and again; only those short
        # enough to be a real one are kept.
        return _parse_kept(text) if len(text) <= 300 else _parse_authority(text)

    def __str__(self) -> str:
        return self.name if self.port is None else f"{self.name}:{self.port}"


def _parse_authority(text: str) -> Authority | None:
    text = text.strip().lower()
    if text.startswith("["):
        name, _, rest = text.partition("]")
        name += "]"
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else None
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            return None
    else:
        name, colon, port_text_ = text.partition(":")
        port_text = port_text_ if colon else None
        if not name or not all(c.isalnum() or c in "-._" for c in name):
            return None
    if port_text is None:
        return Authority(name)
    if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
        return None
    return Authority(name, int(port_text))


_parse_kept = functools.lru_cache(maxsize=256)(_parse_authority)


def parse_hosts(entries: Iterable[str], where: str) -> tuple[Authority, ...]:
    """Configured names, each checked; ValueError naming the one at fault."""
    out = []
    for at, entry in enumerate(entries, 1):
        parsed = Authority.parse(entry) if isinstance(entry, str) else None
        if parsed is None or "*" in str(entry):
            raise ValueError(f"{where}[{at}]: must be a host name or address with an "
                             "optional :port, such as connector.example.com or "
                             "10.0.0.5:8000")
        out.append(parsed)
    return tuple(out)


def _address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return None


class RequestGuard:
    """Host, Origin, fetch metadata and body type, as the module says (`Gate` asks it)."""

    def __init__(self, hosts: tuple[Authority, ...] = ()) -> None:
        self.hosts = hosts

    def refusal(self, scope: Scope, headers: RequestHeaders) -> dict[str, object] | None:
        """The problem to answer with, or None when the request may go on."""
        if headers.hosts > 1:
            # RFC 9112 3.2: a request with more than one Host is refused, not read by
            # its first (a proxy in front may have read its last).
            return plain_problem(400, "host", "the request has more than one Host header")
        given = headers.get("host")
        host = Authority.parse(given) if given else None
        if host is None or not self._serves(host, scope):
            shown = repr(given[:100]) if given else "none"
            return plain_problem(
                403, "host", f"this service does not answer for host {shown}: it serves "
                "127.0.0.1, localhost and [::1] on its own port, and the names given by "
                "--allow-host or [service] hosts")
        origin = headers.get("origin")
        if origin is not None and not self._own_origin(origin, host, scope):
            return plain_problem(
                403, "origin", f"requests from pages of origin {origin[:100]!r} are refused: "
                "only the service's own pages, or names given by --allow-host, may call it")
        site = headers.get("sec-fetch-site")
        if site in ("cross-site", "same-site") and not _page_load(scope, headers):
            return plain_problem(
                403, "origin", "requests from another site's pages are refused")
        if scope["method"] not in _SAFE_METHODS and _has_body(headers):
            kind = (headers.get("content-type") or "").split(";")[0].strip().lower()
            if not _is_json(kind):
                return plain_problem(
                    415, "content_type", "the request body must be JSON sent as "
                    f"Content-Type: application/json, not {kind or 'no content type'!r}")
        return None

    def _serves(self, host: Authority, scope: Scope) -> bool:
        local_name, local_port = (scope.get("server") or (None, None))[:2]
        port = host.port if host.port is not None else DEFAULT_PORTS.get(scope["scheme"])
        if port == local_port:
            if host.name in LOOPBACK_NAMES:
                return True
            # An address, not a name: the one this connection arrived on (a probe by the
            # pod's address, a client of a --host address). No name can rebind to it.
            address = _address(host.name)
            if address is not None and local_name is not None and \
                    address == _address(str(local_name)):
                return True
        return self._configured(host, local_port)

    def _configured(self, host: Authority, local_port: int | None) -> bool:
        for allowed in self.hosts:
            if allowed.name == host.name and (
                    allowed.port == host.port
                    or (allowed.port is None and host.port in (None, local_port))):
                return True
        return False

    def _own_origin(self, origin: str, host: Authority, scope: Scope) -> bool:
        parts = urlsplit(origin.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path \
                or "@" in parts.netloc:
            return False  # "null" (a sandboxed frame, a file), or not an origin at all
        their = Authority.parse(parts.netloc)
        if their is None:
            return False
        local_port = (scope.get("server") or (None, None))[1]
        if self._configured(their, local_port):
            return True
        scheme = scope["scheme"]
        ours = (scheme, host.name, host.port or DEFAULT_PORTS.get(scheme))
        return (parts.scheme, their.name, their.port or DEFAULT_PORTS[parts.scheme]) == ours


def _page_load(scope: Scope, headers: RequestHeaders) -> bool:
    """A top-level navigation by GET (a link to the playground): nothing it loads is
    readable by the page that linked to it."""
    return (scope["method"] in ("GET", "HEAD")
            and headers.get("sec-fetch-mode") == "navigate"
            and headers.get("sec-fetch-dest") in (None, "document"))


def _has_body(headers: RequestHeaders) -> bool:
    length = headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return headers.get("transfer-encoding") is not None


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json"))


def browser_could_forge(headers: Mapping[str, str]) -> bool:
    """Whether a page of any origin could have sent these headers without a preflight:
    no header outside the CORS safelist (an `Authorization`, an `X-` header, a JSON
    Content-Type each need one, which this service never grants)."""
    if "authorization" in headers or any(name.lower().startswith("x-") for name in headers):
        return False
    kind = headers.get("content-type")
    return kind is None or kind.split(";")[0].strip().lower() in SIMPLE_TYPES
