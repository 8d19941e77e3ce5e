"""Worker processes on this machine, started and stopped together (tests, benchmarks).

Each worker is a real `segment-connector worker` process (a Celery worker);
`start` returns once every one answers a ping over the broker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from connector.distributed.app import REDIS_ENV


class Fleet:
    """`with Fleet(redis_url, 6, env={"SEGMENT_CONNECTOR_CONFIG": path}) as fleet: ...`"""

    def __init__(self, redis_url: str, workers: int = 1, *, pool: str = "solo",
                 concurrency: int = 1, rate_scale: float = 1.0,
                 env: Mapping[str, str] | None = None, log_dir: str | Path | None = None,
                 start_timeout: float = 60.0, accept_data_loss: bool = False,
                 options: Sequence[str] = ()) -> None:
        """`options`: more `worker` options, given to every worker."""
        self.redis_url, self.count, self.pool = redis_url, workers, pool
        self.concurrency, self.rate_scale = concurrency, rate_scale
        # The URL goes by the environment: a password in it must not show in `ps`.
        self.env = {**os.environ, **(env or {}), REDIS_ENV: redis_url}
        self.env.pop("SEGMENT_API_TOKEN", None)  # workers take tokens from their profiles
        self.accept_data_loss = accept_data_loss
        self.log_dir = Path(log_dir) if log_dir else None
        self.start_timeout = start_timeout
        self.options = list(options)
        self.processes: list[subprocess.Popen[bytes]] = []
        self.names: list[str] = []
        self._logs: list[IO[bytes]] = []

    def command(self, name: str) -> list[str]:
        return [sys.executable, "-m", "connector.cli", "worker",
                "--pool", self.pool, "--concurrency", str(self.concurrency),
                "--rate-scale", repr(self.rate_scale), "--hostname", name,
                *(["--accept-redis-data-loss"] if self.accept_data_loss else []),
                *self.options]

    def start(self, app: Any) -> Fleet:
        for index in range(self.count):
            name = f"w{index}-{os.getpid()}@127.0.0.1"
            out: IO[bytes] | int = subprocess.DEVNULL
            if self.log_dir is not None:
                handle = open(self.log_dir / f"worker-{index}.log", "wb")  # noqa: SIM115
                self._logs.append(handle)
                out = handle
            self.processes.append(subprocess.Popen(
                self.command(name), env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True))
            self.names.append(name)
        self.wait_ready(app, self.names)
        return self

    def wait_ready(self, app: Any, names: Sequence[str]) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            dead = [p.args for p in self.processes if p.poll() is not None]
            if dead:
                raise RuntimeError(f"a worker exited at start: {dead[0]!r}")
            replies = app.control.ping(destination=list(names), timeout=0.5) or []
            answered = {name for reply in replies for name in reply}
            if answered >= set(names):
                return
        raise RuntimeError(f"workers did not answer within {self.start_timeout:g}s")

    def kill(self, index: int) -> None:
        """SIGKILL one worker (its whole process group: prefork children too)."""
        proc = self.processes[index]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for handle in self._logs:
            handle.close()
        self.processes, self.names, self._logs = [], [], []

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
