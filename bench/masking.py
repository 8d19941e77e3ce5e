"""Cost of masking secrets in one workspace's output, after serving 1 and 10,000 workspaces.

    .venv/bin/python bench/masking.py [--workspaces 10000] [--rounds 7]

Each round masks the same work (a 4 KiB answer as text, its JSON as data, and
a log record through the package's filter) in the scope of the newest of 1,
then of 10,000, runtimes, each with its own token; the rounds alternate and
the best of each is kept. Masking is scoped to a runtime, so the ratio should
stay near 1. Target: at most 1.5.
"""

from __future__ import annotations

import argparse
import json
import logging
import time

from connector import redact
from connector.connection import Connection
from connector.runtime import Runtime

ITEMS = [{"id": f"src_{i:04d}", "name": f"Source {i}", "enabled": True,
          "settings": {"password": "hunter2", "host": "db.example.com"}} for i in range(24)]
ANSWER = {"data": {"sources": ITEMS, "pagination": {"next": "MjAyMy0wMS0wMQ=="}}}


def token(n: int) -> str:
    return f"sgp_{n:08d}_" + "x" * 56


def serve(workspaces: int) -> Runtime:
    """Make `workspaces` runtimes in turn, each masking once, and return the last."""
    runtime: Runtime | None = None
    for n in range(workspaces):
        runtime = Runtime(Connection(token=token(n), base_url="http://127.0.0.1:9"))
        with redact.scope(runtime.secrets):
            redact.redact("warm " + token(n))
    assert runtime is not None
    return runtime


def work(runtime: Runtime, repeat: int, log: logging.Logger) -> float:
    """Seconds to mask the same answer `repeat` times in the scope of `runtime`."""
    text = json.dumps(ANSWER) + runtime.connection.token  # as an API that echoes it
    start = time.perf_counter()
    with redact.scope(runtime.secrets):
        for _ in range(repeat):
            assert redact.redact(text).endswith(redact.MASK)
            redact.redact_value(ANSWER)
            log.debug("response %s", text)
    return time.perf_counter() - start


def measure(workspaces: int = 10_000, rounds: int = 7, repeat: int = 2000) -> dict[str, float]:
    log = redact.get_logger("segment_connector.bench")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.addHandler(logging.NullHandler())
    one, many = serve(1), serve(workspaces)
    best_one = best_many = float("inf")
    for _ in range(rounds):
        best_one = min(best_one, work(one, repeat, log))
        best_many = min(best_many, work(many, repeat, log))
    return {"one_us": best_one / repeat * 1e6, "many_us": best_many / repeat * 1e6,
            "ratio": best_many / best_one, "workspaces": workspaces}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    r = measure(args.workspaces, args.rounds)
    print(f"masking one answer, 1 workspace served:      {r['one_us']:.1f} us")
    print(f"masking one answer, {args.workspaces:,} workspaces served: {r['many_us']:.1f} us")
    print(f"ratio: {r['ratio']:.2f} (target <= 1.50)")


if __name__ == "__main__":
    main()
