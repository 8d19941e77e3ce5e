"""Connection limits: what a slow, idle or hostile client may hold, and for how long.

uvicorn bounds idle keep-alive connections (`timeout_keep_alive`) and little else:
with httptools a request's headers may grow without end, and a connection that
never sends a byte, or never finishes its headers, is kept for ever. Each
connection also holds a file descriptor, and once they run out the server cannot
even accept `/healthz`. `GuardedHttpProtocol` adds, per connection:

- headers: at most `MAX_HEADER_BYTES` and `MAX_HEADERS` lines (431 and close),
  complete within `header_timeout` seconds of the connection opening or of the
  request's first byte (408 and close; a connection that sent nothing is closed);
- a cap on open connections below the file-descriptor limit: at the cap, the
  connection that has waited longest for its headers makes way for the new one
  (so idle and slow clients cannot lock others out); with none such, the new one
  gets 503 and is closed.

Request bodies are bounded in `bodies` (size, time to arrive, bytes held at once by
every request together). Each kind of refusal is logged once per `LOG_EVERY_S`
seconds with a count (`EventLog`), never a line or a traceback per connection.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from connector.service import access_log
from connector.service.joined_writes import JoinedWrites

MAX_HEADER_BYTES = 64 * 1024  # request line and headers together
MAX_HEADERS = 100
DEFAULT_MAX_CONNECTIONS = 4096
FD_RESERVE = 256  # descriptors kept for the API's connections, files and the log
LOG_EVERY_S = 10.0
KEEP_ALIVE_S = 5

log = logging.getLogger("segment_connector.service")


@dataclass(frozen=True)
class Limits:
    header_timeout: float = 10.0
    max_connections: int = DEFAULT_MAX_CONNECTIONS


class EventLog:
    """One log line per kind of event per `every` seconds, counting the ones not shown."""

    def __init__(self, every: float = LOG_EVERY_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.clock = clock
        self._last: dict[str, float] = {}
        self._unshown: dict[str, int] = {}

    def note(self, kind: str, message: str) -> None:
        now = self.clock()
        last = self._last.get(kind)
        if last is not None and now - last < self.every:
            self._unshown[kind] = self._unshown.get(kind, 0) + 1
            return
        more = self._unshown.pop(kind, 0)
        self._last[kind] = now
        suffix = f" (and {more} more in the last {now - last:.0f} s)" if more and last else ""
        log.warning("%s%s", message, suffix)


events = EventLog()
_default = Limits()


def configure(limits: Limits) -> None:
    """The limits of `GuardedHttpProtocol` itself in this process (a worker process of
    `serve --workers N`, which gets the class by name)."""
    global _default
    _default = limits


def fd_headroom() -> int:
    """Raise this process's soft limit on open files to its hard limit (as far as 65,536),
    and return how many connections fit below it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return max(16, (soft if soft != resource.RLIM_INFINITY else 65536) - FD_RESERVE)


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits above."""

    server_limits: Limits | None = None  # None: this process's (`configure`)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The access line is the gate's to write, once the answer is out (`access_log`).
        self._log_access, self.access_log = self.access_log, False
        self.limits: Limits = self.server_limits or _default
        self._awaiting_headers = True
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._waiting_since = 0.0
        self._sent_anything = False
        self._served = False  # a request was answered on this connection

    # -- connection --------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        full = len(self.connections) >= self.limits.max_connections
        super().connection_made(JoinedWrites(transport, self.loop))
        if full and not self._make_way():
            events.note("connections", f"refused connections: {len(self.connections) - 1} "
                        f"open, the limit is {self.limits.max_connections}")
            self._refuse(503, "too many connections; retry shortly")
            return
        self._start_header_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_clock()
        super().connection_lost(exc)

    def _make_way(self) -> bool:
        """Close the connection that has waited longest for its headers, if any."""
        waiting = [c for c in self.connections if isinstance(c, GuardedHttpProtocol)
                   and c is not self and c._awaiting_headers and not c.transport.is_closing()]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda c: c._waiting_since)
        events.note("evicted", "closed connections still waiting for their headers to make "
                    f"way for new ones (the limit is {self.limits.max_connections})")
        oldest._refuse(408 if oldest._sent_anything else None, "connection limit reached")
        return True

    # -- headers -----------------------------------------------------------------
    # One timer per connection, not one per request: it looks when the wait for the
    # current headers could first be too long, and is set again from what it finds.
    def _start_header_clock(self) -> None:
        self._waiting_since = self.loop.time()
        self._arm_header_timer(self.limits.header_timeout)

    def _arm_header_timer(self, delay: float) -> None:
        self._header_timer = self.loop.call_later(delay, self._check_headers)

    def _stop_header_clock(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _check_headers(self) -> None:
        self._header_timer = None
        if not self._awaiting_headers or self.transport.is_closing():
            return  # a request is being served: the next one sets the timer again
        left = self._waiting_since + self.limits.header_timeout - self.loop.time()
        if left > 0:  # these headers began after the timer was set
            self._arm_header_timer(left)
        elif self._sent_anything:
            events.note("header_timeout", "closed connections whose headers did not "
                        f"arrive within {self.limits.header_timeout:g} s (408)")
            self._refuse(408, "the request's headers did not arrive in time")
        else:
            events.note("idle", "closed connections that sent nothing within "
                        f"{self.limits.header_timeout:g} s")
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._awaiting_headers = True
        if self._served:  # a request after another: its clock starts at its first byte
            self._waiting_since = self.loop.time()
        if self._header_timer is None:
            self._arm_header_timer(self.limits.header_timeout)

    def on_headers_complete(self) -> None:
        # Counted once they are in (MAX_HEADER_BYTES bounds how many can come), not one
        # by one as each is parsed: either way no app sees more than MAX_HEADERS.
        if len(self.headers) > MAX_HEADERS:
            raise _TooLarge(f"more than {MAX_HEADERS} header lines")
        self._awaiting_headers = False  # the timer, when it looks, finds nothing to do
        super().on_headers_complete()
        if self._log_access:
            self.scope[access_log.LOGGER] = self.access_logger  # type: ignore[literal-required]

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.pipeline and not self.transport.is_closing():
            # Idle under uvicorn's keep-alive timer: what comes next is headers, and the
            # connection may make way for a new one meanwhile.
            self._awaiting_headers, self._sent_anything, self._served = True, False, True
            self._header_bytes = 0
            self._waiting_since = self.loop.time()

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        self._sent_anything = True
        try:
            # Headers are fed no further than their limit, so that no more than that is
            # ever held; whatever follows them goes on at once.
            while data and self._awaiting_headers:
                room = MAX_HEADER_BYTES - self._header_bytes
                if room <= 0:
                    raise _TooLarge(f"headers larger than {MAX_HEADER_BYTES} bytes")
                piece, data = data[:room], data[room:]
                self._header_bytes += len(piece)
                self.parser.feed_data(piece)
            if data:
                self.parser.feed_data(data)
        except _TooLarge as exc:
            self._too_large(exc)
        except httptools.HttpParserUpgrade:
            self._refuse(400, "protocol upgrades are not served")
        except httptools.HttpParserError as exc:
            if isinstance(exc.__context__, _TooLarge):
                self._too_large(exc.__context__)
                return
            events.note("malformed", "refused malformed HTTP requests (400)")
            self._refuse(400, "invalid HTTP request")

    def _too_large(self, exc: _TooLarge) -> None:
        events.note("header_size", f"refused requests with {exc} (431)")
        self._refuse(431, f"request {exc}")

    def _refuse(self, status: int | None, message: str) -> None:
        """Answer `status` (None: nothing) and close the connection."""
        self._awaiting_headers = False
        self._stop_header_clock()
        if self.transport.is_closing():
            return
        if status is not None and (self.cycle is None or self.cycle.response_complete
                                   or not self.cycle.response_started):
            body = message.encode()
            self.transport.write(b"".join([
                STATUS_LINE[status], b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: ", str(len(body)).encode(), b"\r\n",
                b"connection: close\r\n\r\n", body]))
        self.transport.close()


class _TooLarge(Exception):
    pass


def limits_for(header_timeout: float, max_connections: int | None) -> Limits:
    """Limits from settings; None connections: as many as this process's open-files limit
    allows, raised to its hard limit."""
    room = fd_headroom()
    return Limits(header_timeout, min(max_connections or DEFAULT_MAX_CONNECTIONS, room))


def server_options(limits: Limits | None) -> dict[str, Any]:
    """uvicorn's settings for these limits (its own where it has them). `limits` None: the
    protocol class by name, each process's own (`configure`), as worker processes need."""
    protocol = GuardedHttpProtocol if limits is None else type(
        "GuardedHttpProtocol", (GuardedHttpProtocol,), {"server_limits": limits})
    return {"http": protocol, "timeout_keep_alive": KEEP_ALIVE_S,
            "h11_max_incomplete_event_size": MAX_HEADER_BYTES}
