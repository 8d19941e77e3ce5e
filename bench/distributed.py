"""Distributed bulk run at the API's own limit: 6 worker processes, one token, 200 creates.

    .venv/bin/python bench/distributed.py [--calls 200] [--workers 6] [--scale 0.1]

Six `segment-connector worker` processes (Celery, solo pool) share one token
through a profile and one rate limit on a local Redis-compatible server. The
simulator enforces the catalogue's 60 requests per minute on createLabel, a
minute lasting `60 * scale` seconds, in windows that open with their first
request: the fastest any client can finish is (ceil(calls / 60) - 1) windows.
Targets: zero 429 answers, every line created once, elapsed <= 1.15 x that
minimum (measured from the first line queued, the workers already running).
A minute lasts 6 s by default: the fleet's fixed start (the first broker
connection, each worker's first message) is a fraction of a second on two
cores, which a shorter window would magnify.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path
from typing import Any

from connector.distributed.app import make_app
from connector.distributed.coordinator import run_distributed
from connector.distributed.fleet import Fleet
from connector.distributed.local_server import LocalRedis
from connector.simulator import Simulator

LIMIT = 60  # createLabel, per minute, from the catalogue


def measure(calls: int = 200, workers: int = 6, scale: float = 0.1) -> dict[str, Any]:
    window = 60 * scale
    with Simulator(time_scale=scale) as sim, tempfile.TemporaryDirectory() as tmp, \
            LocalRedis() as server:
        config = Path(tmp) / "config.toml"
        config.write_text(f'[profiles.bench]\ntoken = "{sim.token}"\n'
                          f'base_url = "{sim.base_url}"\n')
        app = make_app(server.url)
        lines = [{"label": {"key": "bench", "value": f"v{i}"}} for i in range(calls)]
        with Fleet(server.url, workers, rate_scale=scale,
                   env={"SEGMENT_CONNECTOR_CONFIG": str(config)}) as fleet:
            fleet.start(app)
            start = time.monotonic()
            summary = run_distributed("createLabel", lines, Path(tmp) / "results.jsonl",
                                      "bench", redis=server.url, app=app, progress=False,
                                      handle_signals=False)
            elapsed = time.monotonic() - start
        values = [label["value"] for label in sim.state["labels"].values()
                  if label.get("key") == "bench"]
    fastest = (math.ceil(calls / LIMIT) - 1) * window
    return {"calls": calls, "workers": workers, "window_s": window, "elapsed_s": elapsed,
            "fastest_s": fastest, "ratio": elapsed / fastest, "responses_429": sim.limiter.refused,
            "ok": summary.ok, "created": len(values), "distinct": len(set(values))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--scale", type=float, default=0.1)
    args = parser.parse_args()
    r = measure(args.calls, args.workers, args.scale)
    print(f"{r['ok']}/{r['calls']} createLabel calls ok over {r['workers']} worker processes, "
          f"{r['created']} labels created ({r['distinct']} distinct), "
          f"window {r['window_s']:.2f} s")
    print(f"elapsed {r['elapsed_s']:.2f} s, fastest the limit allows {r['fastest_s']:.2f} s")
    print(f"distributed batch time ratio: {r['ratio']:.3f} (target <= 1.15)")
    print(f"distributed 429 responses: {r['responses_429']} (target 0)")


if __name__ == "__main__":
    main()
