"""The service in a background thread of this process, on a free loopback port.

For tests and benchmarks: `with EmbeddedService(settings) as svc: requests.get(svc.url + ...)`.
It is the real uvicorn server over real sockets; only the process is shared.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any

from connector.service.settings import Settings


class EmbeddedService:
    def __init__(self, settings: Settings, **app_options: Any) -> None:
        """`app_options` go to `create_app` (a shared registry, a limiter pool)."""
        self.settings = settings
        self.app_options = app_options
        self.url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 30.0) -> EmbeddedService:
        import uvicorn

        from connector.service.app import create_app
        from connector.service.cli import listening_socket
        from connector.service.limits import limits_for, server_options

        sock = listening_socket(self.settings.host, 0)
        port = sock.getsockname()[1]
        self.url = f"http://{self.settings.host}:{port}"
        app = create_app(self.settings, **self.app_options)
        config = uvicorn.Config(app, log_config=None, lifespan="on", backlog=256,
                                timeout_graceful_shutdown=5,
                                **server_options(limits_for(self.settings.header_timeout,
                                                            self.settings.max_connections)))
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="segment-service", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the service did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> EmbeddedService:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
