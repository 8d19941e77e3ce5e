"""Bulk run at the API's own limit: 200 createLabel calls at 60 per (time-scaled) minute.

    .venv/bin/python bench/batch_rate.py [--calls 200] [--scale 0.05] [--concurrency 4]

The simulator enforces the catalogue's 60 requests per minute on createLabel,
with a minute lasting `60 * scale` seconds. Its windows open with their first
request, so the fastest any client can finish is (ceil(calls / 60) - 1)
windows. Targets: zero 429 answers, elapsed <= 1.15 x that minimum.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path
from typing import Any

from connector.batch import run_batch
from connector.connection import Connection
from connector.ratelimit import RateLimiter
from connector.runtime import Runtime
from connector.simulator import Simulator

LIMIT = 60  # createLabel, per minute, from the catalogue


def measure(calls: int = 200, scale: float = 0.05, concurrency: int = 4) -> dict[str, Any]:
    window = 60 * scale
    with Simulator(time_scale=scale) as sim, tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(Connection(token=sim.token, base_url=sim.base_url))
        lines = [{"label": {"key": "bench", "value": f"v{i}"}} for i in range(calls)]
        start = time.monotonic()
        summary = run_batch(runtime, "createLabel", lines, Path(tmp) / "results.jsonl",
                            concurrency=concurrency, limiter=RateLimiter(time_scale=scale),
                            progress=False, handle_signals=False)
        elapsed = time.monotonic() - start
        created = len(sim.state["labels"])
    fastest = (math.ceil(calls / LIMIT) - 1) * window
    return {"calls": calls, "window_s": window, "elapsed_s": elapsed, "fastest_s": fastest,
            "ratio": elapsed / fastest, "responses_429": sim.limiter.refused, "ok": summary.ok,
            "created": created}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    r = measure(args.calls, args.scale, args.concurrency)
    print(f"{r['ok']}/{r['calls']} createLabel calls ok, {r['created']} labels created, "
          f"window {r['window_s']:.2f} s")
    print(f"elapsed {r['elapsed_s']:.2f} s, fastest the limit allows {r['fastest_s']:.2f} s")
    print(f"batch time ratio: {r['ratio']:.3f} (target <= 1.15)")
    print(f"429 responses: {r['responses_429']} (target 0)")


if __name__ == "__main__":
    main()
