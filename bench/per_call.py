"""Time per call: getSource through the runtime vs bare requests and bare urllib3.

    .venv/bin/python bench/per_call.py [--calls 3000] [--rounds 5]

All three clients call the same loopback server (its own process, Nagle off),
interleaved in rounds; the best round of each is reported with both ratios.
Targets: runtime <= 0.7 x requests.Session.get, <= 1.3 x urllib3.
"""

from __future__ import annotations

import argparse
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


def measure(calls: int, rounds: int) -> dict[str, float]:
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
        best = {name: float("inf") for name in clients}
        for _ in range(rounds):
            for name, fn in clients.items():
                best[name] = min(best[name], per_call_us(fn, calls))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    t = measure(args.calls, args.rounds)
    for name, us in t.items():
        print(f"{name:<10} {us:8.1f} us/call")
    print(f"runtime / requests.Session.get: {t['runtime'] / t['requests']:.2f} (target <= 0.70)")
    print(f"runtime / urllib3 PoolManager:  {t['runtime'] / t['urllib3']:.2f} (target <= 1.30)")


if __name__ == "__main__":
    main()
