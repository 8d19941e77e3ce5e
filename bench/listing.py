"""Listing: every page of a 100,000-item listing, streaming iterator vs a bare urllib3 loop.

    .venv/bin/python bench/listing.py [--items 100000] [--count 1000] [--rounds 3]

Both walk the same cursor pages of the same loopback server (its own
process). Time: best of `rounds`, interleaved, without tracing. Memory: the
tracemalloc peak of one more walk of each, measured apart, and of the
iterator over a tenth of the items, to show its peak stays at one page.
Targets: time ratio <= 1.2; iterator peak at all items <= 1.5 x at a tenth.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback import LoopbackServer

from connector.connection import Connection
from connector.request import USER_AGENT
from connector.runtime import Runtime

TOKEN = "sgp_" + "b" * 64
HEADERS = {"Accept": "application/vnd.segment.v1+json", "User-Agent": USER_AGENT,
           "Authorization": f"Bearer {TOKEN}"}


def iterator_walk(base: str, count: int) -> Callable[[], int]:
    runtime = Runtime(Connection(token=TOKEN, base_url=base))

    def walk() -> int:
        seen = 0
        for _item in runtime.iter_items("listSources", {"count": count}):
            seen += 1
        return seen

    return walk


def urllib3_walk(base: str, count: int) -> Callable[[], int]:
    pool = urllib3.PoolManager()

    def walk() -> int:
        seen, cursor = 0, None
        while True:
            fields = {"pagination.count": str(count)}
            if cursor:
                fields["pagination.cursor"] = cursor
            data = pool.request("GET", f"{base}/sources", fields=fields,
                                headers=HEADERS).json()["data"]
            for _item in data["sources"]:
                seen += 1
            cursor = data["pagination"].get("next")
            if not cursor:
                return seen

    return walk


def timed(walk: Callable[[], int], expected: int) -> float:
    start = time.perf_counter()
    seen = walk()
    elapsed = time.perf_counter() - start
    if seen != expected:
        raise RuntimeError(f"walked {seen} items, expected {expected}")
    return elapsed


def peak_bytes(walk: Callable[[], int]) -> int:
    tracemalloc.start()
    try:
        walk()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(items: int = 100_000, count: int = 1000, rounds: int = 3) -> dict[str, float]:
    with LoopbackServer(total_items=items) as base:
        walks = {"iterator": iterator_walk(base, count), "urllib3": urllib3_walk(base, count)}
        for walk in walks.values():  # warm up connections, imports and caches
            walk()
        best = {name: float("inf") for name in walks}
        for _ in range(rounds):
            for name, walk in walks.items():
                best[name] = min(best[name], timed(walk, items))
        peaks = {name: peak_bytes(walk) for name, walk in walks.items()}
    with LoopbackServer(total_items=items // 10) as base:
        small = iterator_walk(base, count)
        small()
        small_peak = peak_bytes(small)
    return {"items": items, "iterator_s": best["iterator"], "urllib3_s": best["urllib3"],
            "ratio": best["iterator"] / best["urllib3"],
            "iterator_peak": peaks["iterator"], "urllib3_peak": peaks["urllib3"],
            "iterator_peak_tenth": small_peak, "growth": peaks["iterator"] / small_peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    r = measure(args.items, args.count, args.rounds)
    mib = 1024 * 1024
    print(f"iterator (Runtime.iter_items): {r['iterator_s']:.3f} s, "
          f"peak {r['iterator_peak'] / mib:.1f} MiB")
    print(f"bare urllib3 loop:             {r['urllib3_s']:.3f} s, "
          f"peak {r['urllib3_peak'] / mib:.1f} MiB")
    print(f"iterator peak at {args.items // 10:,} items: {r['iterator_peak_tenth'] / mib:.1f} MiB")
    print(f"listing time ratio: {r['ratio']:.2f} (target <= 1.20)")
    print(f"iterator peak growth over 10x items: {r['growth']:.2f} (target <= 1.50)")


if __name__ == "__main__":
    main()
