"""Time per call: getSource through the runtime vs bare requests and bare urllib3.

    .venv/bin/python bench/per_call.py [--calls 300] [--rounds 30]

All three clients call the same loopback server (its own process, Nagle off),
in many short rounds, one client after another in each; each ratio is the
median of the rounds' ratios (both sides of a round met the same load), and
each time the median of its rounds.
Targets: runtime <= 0.7 x requests.Session.get, <= 1.1 x urllib3.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback import LoopbackServer

from connector.connection import Connection
from connector.request import USER_AGENT
from connector.runtime import Runtime

TOKEN = "sgp_" + "b" * 64
SOURCE_ID = "rh5BDZp6QDHvXFCkibm1pR"
HEADERS = {"Accept": "application/vnd.segment.v1+json", "User-Agent": USER_AGENT,
           "Authorization": f"Bearer {TOKEN}"}


def per_call_us(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def measure(calls: int = 300, rounds: int = 30) -> dict[str, float]:
    with LoopbackServer() as base:
        url = f"{base}/sources/{SOURCE_ID}"
        session = requests.Session()
        pool = urllib3.PoolManager()
        runtime = Runtime(Connection(token=TOKEN, base_url=base))
        clients = {
            "runtime": lambda: runtime.run("getSource", {"sourceId": SOURCE_ID}),
            "requests": lambda: session.get(url, headers=HEADERS).json(),
            "urllib3": lambda: pool.request("GET", url, headers=HEADERS).json(),
        }
        for fn in clients.values():  # warm up connections and caches
            per_call_us(fn, 200)
        times: dict[str, list[float]] = {name: [] for name in clients}
        for _ in range(rounds):
            for name, fn in clients.items():
                times[name].append(per_call_us(fn, calls))
    out = {name: statistics.median(t) for name, t in times.items()}
    for other in ("requests", "urllib3"):
        out[f"runtime_per_{other}"] = statistics.median(
            r / o for r, o in zip(times["runtime"], times[other], strict=True))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300, help="calls per round and client")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    t = measure(args.calls, args.rounds)
    for name in ("runtime", "requests", "urllib3"):
        print(f"{name:<10} {t[name]:8.1f} us/call")
    print(f"runtime / requests.Session.get: {t['runtime_per_requests']:.2f} (target <= 0.70)")
    print(f"runtime / urllib3 PoolManager:  {t['runtime_per_urllib3']:.2f} (target <= 1.10)")


if __name__ == "__main__":
    main()
