"""The HTTP server: a threading, keep-alive HTTP/1.1 server around `dispatch`."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import sys
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from connector.simulator.dispatch import dispatch
from connector.simulator.faults import Faults, Plan, parse_header, roll
from connector.simulator.ids import IdSource, new_token
from connector.simulator.ratelimit import RateLimiter
from connector.simulator.schemagen import Generator
from connector.simulator.state import State


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    sim: Simulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timed out, closed) is not a server fault: stay quiet.
        if isinstance(sys.exc_info()[1], ConnectionError):
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

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = dispatch(self.server.sim, self.command, self.path, headers, raw)
        if answer.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        body = answer.body
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.media)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class Simulator:
    """A local Segment Public API. `with Simulator() as sim: requests.get(sim.base_url + ...)`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
                 seed: int = 0, state_file: str | Path | None = None,
                 rate_limit: int | None = None, endpoint_limits: bool = True,
                 time_scale: float = 1.0, faults: Faults | None = None) -> None:
        self.host, self.port = host, port
        self.token = token or new_token()
        self.ids = IdSource(seed)
        self._fault_rng = IdSource(seed + 1)
        self.state = State(self.ids)
        self.state_file = Path(state_file) if state_file else None
        if self.state_file and self.state_file.exists():
            self.state.load(self.state_file)
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

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def fault_plan(self, header: str | None) -> Plan:
        if header:
            plan = parse_header(header)
        elif self.faults == Faults():
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
        server = _Server((self.host, self.port), _Handler)
        server.sim = self
        self.port = server.server_address[1]
        self._server = server
        return server

    def start(self) -> Simulator:
        server = self._bind()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="segment-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            if self._thread is not None:
                server.shutdown()
                self._thread.join(timeout=5)
                self._thread = None
            server.server_close()
        if self.state_file:
            self.state.save(self.state_file)

    def serve_forever(self, on_ready: Callable[[Simulator], None] | None = None) -> None:
        """Serve in this thread until SIGINT or SIGTERM, then save state and return."""
        server = self._bind()
        if on_ready is not None:
            on_ready(self)

        def _shutdown(signum: int, frame: Any) -> None:
            # shutdown() waits for the loop, so it must run outside the loop's thread.
            threading.Thread(target=server.shutdown, daemon=True).start()

        previous = {sig: signal.signal(sig, _shutdown) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.stop()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
