"""The HTTP server: a threading, keep-alive HTTP/1.1 server around `dispatch`.

Hostile or broken clients get an answer in the API's error envelope and a closed
connection, never a traceback: bodies are capped (413 unread), framing is checked (400),
and every read has a timeout. A stop refuses new connections, closes idle keep-alive
ones, lets requests in flight answer, then saves the state a last time.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import hmac
import json
import math
import re
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from connector.simulator import ids, media
from connector.simulator.dispatch import dispatch
from connector.simulator.errors import ApiError, ListenError
from connector.simulator.faults import Faults, Plan, parse_header, roll
from connector.simulator.ids import IdSource, new_token
from connector.simulator.ratelimit import RateLimiter
from connector.simulator.schemagen import Generator
from connector.simulator.state import State, StateFile

MAX_BODY_BYTES = 1024 * 1024  # a longer body is refused with 413 before it is read, as the API does
MAX_LINE = 65536  # request line, header line or chunk-size line (as http.server allows)
MAX_TRAILERS = 64  # trailer lines after a chunked body
# After refusing a request whose body is still on its way, read and drop what follows for
# this long (or this much): closing with unread input makes the kernel send a reset, which
# can destroy the answer before the client reads it.
LINGER_SECONDS = 2.0
LINGER_BYTES = 16 * 1024 * 1024
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")
_NO_FAULTS = Faults()  # made once: each request compares against it


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Bad Request"


def _error_type(status: int) -> str:
    """`payload-too-large`, `bad-request`, ... from the status' reason phrase."""
    return _phrase(status).lower().replace(" ", "-")


def _envelope(error: ApiError) -> bytes:
    return json.dumps(error.body(), separators=(",", ":")).encode()


def _limit_waits(sock: socket.socket, seconds: float) -> None:
    """Let each read or write on `sock` block at most `seconds`, so no client holds a thread
    forever. The kernel's own socket timeouts cost nothing per call; Python's settimeout
    would add a poll() before every read and write (used only where those are missing)."""
    if sys.platform != "win32":
        whole = int(seconds)
        timeval = struct.pack("ll", whole, int((seconds - whole) * 1_000_000))
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
            return
        except (OSError, AttributeError):
            pass
    sock.settimeout(seconds)


class _LineReader:
    """The request's reader for http.server's header parsing, noting if the last line read
    was whole (ended with a newline)."""

    __slots__ = ("complete", "rfile")

    def __init__(self, rfile: Any) -> None:
        self.rfile = rfile
        self.complete = False

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self.rfile.readline(limit)
        self.complete = line.endswith(b"\n")
        return line


class _Connections:
    """Open connections and whether each is answering a request, so that a stop can close
    the idle ones at once and wait for the busy ones to answer."""

    def __init__(self) -> None:
        # Per-request calls take the plain lock (cheaper than entering the Condition).
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._busy: dict[_Handler, bool] = {}
        self._shut: set[_Handler] = set()
        self.draining = False
        self.hurry = False  # set from a signal handler: stop waiting for busy connections

    def opened(self, handler: _Handler) -> bool:
        """Track a new connection; False once a stop began (it is closed unanswered)."""
        with self._lock:
            if self.draining:
                return False
            self._busy[handler] = False
            return True

    def begin(self, handler: _Handler) -> bool:
        """A request line (or end of input) arrived; False if a stop closed the connection
        while it was idle, since the client cannot get an answer on it any more."""
        with self._lock:
            if handler in self._shut:
                return False
            self._busy[handler] = True
            return True

    def end(self, handler: _Handler) -> bool:
        """The answer is out; False when the connection must close because a stop began."""
        with self._lock:
            self._busy[handler] = False
            return not self.draining

    def closed(self, handler: _Handler) -> None:
        with self._cond:
            self._busy.pop(handler, None)
            self._shut.discard(handler)
            self._cond.notify_all()

    def drain(self, timeout: float) -> bool:
        """Close idle connections, wait for busy ones; True if all closed within `timeout`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self.draining = True
            for handler, busy in self._busy.items():
                if not busy:
                    self._shut.add(handler)
                    handler.shut()
            while self._busy:
                left = deadline - time.monotonic()
                if left <= 0 or self.hurry:
                    return False
                self._cond.wait(min(left, 0.1))  # short waits notice `hurry` soon
            return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    sim: Simulator
    connections: _Connections

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that reset, timed out or closed is not a server fault: stay quiet.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SegmentSimulator/0.1"
    # Headers and body go out in separate writes; without this, delayed ACKs cost 40 ms each.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and benches
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` header on the simulated API's clock (`ids.clock_offset`)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        return email.utils.format_datetime(ids.clock(), usegmt=True)

    def setup(self) -> None:
        super().setup()
        _limit_waits(self.connection, self.server.sim.timeout)

    def shut(self) -> None:
        """End the connection from another thread (a stop): a blocked read returns at once."""
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def handle(self) -> None:
        connections = self.server.connections
        if not connections.opened(self):
            return
        try:
            self.close_connection = True
            self.handle_one_request()
            while not self.close_connection:
                self.handle_one_request()
        finally:
            connections.closed(self)

    def handle_one_request(self) -> None:
        connections = self.server.connections
        try:
            line = self.rfile.readline(MAX_LINE + 1)
        except OSError:  # reset by the client
            line = b""
        if len(line) <= MAX_LINE and not line.endswith(b"\n"):
            # End of input or idle past the timeout, perhaps in the middle of a line.
            self.close_connection = True
            return
        self.raw_requestline = line
        if not connections.begin(self):
            self.close_connection = True
            return
        try:
            self._one_request()
        except OSError:  # the client reset, or took longer than the timeout to read or send
            self.close_connection = True
        finally:
            if not connections.end(self):
                self.close_connection = True

    def _one_request(self) -> None:
        # http.server's handle_one_request after the request line, with our own answers.
        if len(self.raw_requestline) > MAX_LINE:
            self.requestline = self.request_version = self.command = ""
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return
        if not self.parse_request():
            return  # parse_request answered already
        # Every method reaches the router, which answers an undeclared one with 405 and
        # `Allow` (a 501 would be a 5xx that clients retry).
        self._serve()
        self.wfile.flush()

    def parse_request(self) -> bool:
        # http.client's header reader takes a line cut short (end of input, a client past the
        # timeout) for the end of the headers; such a request is incomplete: no answer.
        reader = _LineReader(self.rfile)
        self.rfile = reader  # type: ignore[assignment]
        try:
            ok = super().parse_request()
        finally:
            self.rfile = reader.rfile
        if ok and not reader.complete:
            self.close_connection = True
            return False
        return ok

    # Answers -----------------------------------------------------------------
    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """http.server's own refusals (request line, headers, method) in the API's envelope."""
        if self.request_version == "HTTP/0.9":  # a line too broken to tell: answer in 1.1
            self.request_version = "HTTP/1.1"
        self._refuse(ApiError(code, _error_type(code), message or _phrase(code)))

    def _refuse(self, error: ApiError) -> None:
        """Answer an error and close: after a framing error the rest of the input is noise."""
        self._send(error.status, _envelope(error), media.JSON, error.headers, close=True)
        self._linger()

    def _linger(self) -> None:
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)  # the client sees the end of our answer
            deadline, left = time.monotonic() + LINGER_SECONDS, LINGER_BYTES
            while left > 0:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    break
                self.connection.settimeout(wait)
                chunk = self.connection.recv(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)

    def _send(self, status: int, payload: bytes, media_type: str, headers: dict[str, str],
              close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        if self.command == "HEAD":
            payload, close = b"", True  # a HEAD answer has no body; the length says nothing
        if close or self.server.connections.draining:
            self.send_header("Connection", "close")  # also ends the keep-alive loop
        self.end_headers()
        self.wfile.write(payload)

    # Bodies ------------------------------------------------------------------
    def handle_expect_100(self) -> bool:
        # Refuse a bad or oversized body before the client starts sending it.
        try:
            self._content_length()
        except ApiError as error:
            self._refuse(error)
            return False
        return super().handle_expect_100()

    def _content_length(self) -> int | None:
        """The declared body length, None for a chunked body; ApiError for bad framing."""
        codings = self.headers.get_all("Transfer-Encoding") or []
        lengths = self.headers.get_all("Content-Length") or []
        if codings:
            if lengths:  # the classic request-smuggling shape: refuse rather than guess
                raise ApiError(400, "bad-request",
                               "Send Content-Length or Transfer-Encoding, not both")
            names = [c.strip().lower() for value in codings for c in value.split(",")]
            if names != ["chunked"]:
                raise ApiError(501, "not-implemented",
                               "Transfer-Encoding must be chunked; no other coding is supported")
            return None
        values = {value.strip() for value in lengths}
        if len(values) > 1:
            raise ApiError(400, "bad-request", "Content-Length headers disagree")
        text = values.pop() if values else "0"
        if not (text.isascii() and text.isdigit()):
            raise ApiError(400, "bad-request",
                           f"Content-Length must be a number of bytes, not {text[:40]!r}")
        if len(text.lstrip("0")) > 12 or int(text) > MAX_BODY_BYTES:
            raise self._too_large()
        return int(text)

    @staticmethod
    def _too_large() -> ApiError:
        return ApiError(413, "payload-too-large",
                        f"Request body is larger than {MAX_BODY_BYTES} bytes")

    def _read_body(self, headers: dict[str, str]) -> bytes:
        if "content-length" not in headers and "transfer-encoding" not in headers:
            return b""  # most GETs: skip the framing checks
        length = self._content_length()
        deadline = time.monotonic() + self.server.sim.timeout
        if length is None:
            return self._read_chunked(deadline)
        return self._read_exactly(length, deadline) if length else b""

    def _read_exactly(self, length: int, deadline: float) -> bytes:
        # Each read waits at most `timeout` (the socket's); the deadline bounds a slow drip.
        data = bytearray()
        while len(data) < length:
            try:
                chunk = self.rfile.read1(length - len(data))
            except OSError:  # timed out (settimeout fallback) or reset
                chunk = b""
            data += chunk
            if not chunk or (len(data) < length and time.monotonic() > deadline):
                raise ApiError(400, "bad-request",
                               f"Request body stopped after {len(data)} of {length} bytes "
                               "(the connection ended or went quiet)")
        return bytes(data)

    def _read_line(self, deadline: float) -> bytes:
        try:
            line = self.rfile.readline(MAX_LINE + 1)
        except OSError:
            line = b""
        if not line.endswith(b"\n") or time.monotonic() > deadline:
            raise ApiError(400, "bad-request",
                           "Chunked body stopped early or has a line that is too long")
        return line

    def _read_chunked(self, deadline: float) -> bytes:
        body = bytearray()
        while True:
            size_text = self._read_line(deadline).split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(size_text):
                raise ApiError(400, "bad-request", "Chunked body has a bad chunk size")
            size = int(size_text, 16)
            if size == 0:
                break
            if len(body) + size > MAX_BODY_BYTES:
                raise self._too_large()
            body += self._read_exactly(size, deadline)
            if self._read_line(deadline).strip():
                raise ApiError(400, "bad-request", "Chunk is longer than its size says")
        for _ in range(MAX_TRAILERS):
            if not self._read_line(deadline).strip():
                return bytes(body)
        raise ApiError(400, "bad-request", "Chunked body has too many trailer lines")

    # Requests ----------------------------------------------------------------
    def _serve(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            raw = self._read_body(headers)
        except ApiError as error:
            self._refuse(error)
            return
        try:
            answer = dispatch(self.server.sim, self.command, self.path, headers, raw)
        except Exception:
            # A simulator bug, not the client's fault: answer in the envelope, and keep the
            # traceback for whoever fixes it.
            print(f"simulator: internal error answering {self.command} {self.path[:200]!r}",
                  file=sys.stderr, flush=True)
            traceback.print_exc()
            failure = ApiError(500, "internal-error", "The simulator failed to answer")
            self._send(500, _envelope(failure), media.JSON, {}, close=True)
            return
        if answer.drop:
            self.close_connection = True
            self.shut()
            return
        body = answer.body
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self._send(answer.status, payload, answer.media, answer.headers)


def _check_options(port: int, rate_limit: int | None, time_scale: float,
                   timeouts: dict[str, float]) -> None:
    # ValueError naming the option, before anything is bound or written.
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be from 0 to 65535, not {port!r}")
    if rate_limit is not None and (isinstance(rate_limit, bool) or not isinstance(rate_limit, int)
                                   or rate_limit < 1):
        raise ValueError(f"rate_limit must be a positive whole number, not {rate_limit!r}")
    for name, value in {"time_scale": time_scale, **timeouts}.items():
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")


class Simulator:
    """A local Segment Public API. `with Simulator() as sim: requests.get(sim.base_url + ...)`.

    With `state_file`, the state is loaded from it at start (StateFileError when it is
    unreadable or misshapen; the file is then left alone) and saved to it after every
    write, before the write is acknowledged, so a stop or even a kill loses nothing that a
    client saw succeed.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
                 seed: int = 0, state_file: str | Path | None = None,
                 rate_limit: int | None = None, endpoint_limits: bool = True,
                 time_scale: float = 1.0, faults: Faults | None = None,
                 timeout: float = 30.0, stop_timeout: float = 10.0,
                 tokens: Iterable[str] = (), workspaces: Iterable[str] = ()) -> None:
        """`timeout`: the longest wait for a client's next bytes (an idle keep-alive
        connection, a slow body); `stop_timeout`: how long a stop waits for requests in
        flight to answer; `tokens`: more tokens accepted besides `token`, each rate-limited
        on its own, all on the one workspace (a service carrying many clients' tokens);
        `workspaces`: tokens that each grant a workspace of their own, kept in memory only
        (`state_for`), as tokens of different customers do."""
        _check_options(port, rate_limit, time_scale,
                       {"timeout": timeout, "stop_timeout": stop_timeout})
        self.host, self.port = host, port
        self.tokens = frozenset(tokens)
        self.timeout, self.stop_timeout = float(timeout), float(stop_timeout)
        self.ids = IdSource(seed)
        self._fault_rng = IdSource(seed + 1)
        self.state = State(self.ids)
        self.workspaces = {token: State(self.ids) for token in workspaces}
        # Requests that passed auth, by method: what tests check "nothing was sent" with.
        self.received: Counter[str] = Counter()
        self._received_lock = threading.Lock()
        self.state_file = Path(state_file) if state_file else None
        self.store: StateFile | None = None
        if self.state_file:
            text = self.state.load(self.state_file)
            if text is not None:
                # Continue from a sequence of ids of its own, not the one that made the
                # loaded ones: the same seed would hand out their ids again.
                digest = hashlib.sha256(text.encode()).hexdigest()
                self.ids.reseed(f"{seed}:{digest}")
            self.store = StateFile(self.state, self.state_file)
        if token:  # the caller's own: it stays out of files (it is given at every start)
            self.token = token
        else:  # one it made, kept with the state: a restart on the same file accepts it
            self.token = self.state.token or new_token()
            self.state.token = self.token
        self.rate_limit = rate_limit
        self.endpoint_limits = endpoint_limits
        self.limiter = RateLimiter(rate_limit, time_scale)
        self.faults = faults or Faults()
        # Faults planned so far, by kind, so fault suites can report what they injected.
        self.injected: Counter[str] = Counter()
        self._injected_lock = threading.Lock()
        self.gen = Generator(self.ids)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def accepts(self, token: str) -> bool:
        return (hmac.compare_digest(token.encode(), self.token.encode()) or token in self.tokens
                or token in self.workspaces)

    def count(self, method: str) -> None:
        with self._received_lock:
            self.received[method] += 1

    def state_for(self, token: str) -> State:
        """The workspace a token it accepts grants."""
        return self.workspaces.get(token, self.state)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def fault_plan(self, header: str | None) -> Plan:
        if header:
            plan = parse_header(header)
        elif self.faults == _NO_FAULTS:
            return Plan()
        else:
            plan = roll(self.faults, self._fault_rng.random(), self._fault_rng.random())
        kinds = [name for name, on in (("drop", plan.drop), ("latency", plan.latency_ms),
                                       ("after-write", plan.after_write)) if on]
        if plan.status:
            kinds.append(str(plan.status))
        with self._injected_lock:
            self.injected.update(kinds)
        return plan

    def _bind(self) -> _Server:
        try:
            server = _Server((self.host, self.port), _Handler)
        except OSError as exc:  # in use, no such interface, not allowed
            reason = exc.strerror or str(exc)
            raise ListenError(f"cannot listen on {self.host}:{self.port}: {reason}") from None
        server.sim = self
        server.connections = _Connections()
        try:
            if self.store is not None:
                self.store.open()  # an unwritable state file fails now, not at the first write
        except BaseException:
            server.server_close()
            raise
        self.port = server.server_address[1]
        self._server = server
        return server

    def start(self) -> Simulator:
        server = self._bind()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="segment-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> bool:
        """Stop accepting connections, close idle ones, let requests in flight answer (for up
        to `stop_timeout`), then save the state a last time. True if none was cut short."""
        server, self._server = self._server, None
        finished = True
        if server is not None:
            if self._thread is not None:
                server.shutdown()
                self._thread.join(timeout=5)
                self._thread = None
            server.server_close()  # from here new connections are refused
            finished = server.connections.drain(self.stop_timeout)
        if self.store is not None:
            # Writes that finish after this answer 503: they are not in the file.
            self.store.close()
        return finished

    def serve_forever(self, on_ready: Callable[[Simulator], None] | None = None) -> None:
        """Serve in this thread until SIGINT or SIGTERM, then stop as `stop` does; a second
        signal stops waiting for slow requests."""
        server = self._bind()
        stopping = False

        def _on_signal(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            if stopping:
                server.connections.hurry = True
                return
            stopping = True
            # shutdown() waits for the loop, so it must run outside the loop's thread.
            threading.Thread(target=server.shutdown, daemon=True).start()

        # Installed before on_ready, so a signal sent as soon as the address shows is ours.
        previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            if on_ready is not None:
                on_ready(self)
            server.serve_forever(poll_interval=0.2)
        finally:
            try:
                self.stop()
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
