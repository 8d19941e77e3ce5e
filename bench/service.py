"""What the HTTP service adds to a call, and how many calls it carries at 32 clients.

    .venv/bin/python bench/service.py [--calls 50] [--rounds 30] [--clients 32]

The simulator and `segment-connector serve` each run in their own process;
this process is the client. In alternating rounds it calls `getWorkspace`
through the in-process Runtime and through the service (`POST
/v1/actions/getWorkspace/run`, keep-alive), both against the same simulator,
and reports the median and 95th percentile of each and their difference: the
latency the service adds. Then 32 threads, sharing a pool of keep-alive
connections (one each), call the service at once: calls per second.
Targets: adds <= 5 ms per call (median); >= 200 calls/s at 32 clients.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
import urllib3

from connector.connection import Connection
from connector.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "connector.cli"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _process(args: list[str], read: bool = False) -> Iterator[subprocess.Popen[str]]:
    # Only a process whose first lines are read gets a pipe: an unread pipe fills with
    # the access log and stalls the server.
    out = subprocess.PIPE if read else subprocess.DEVNULL
    proc = subprocess.Popen([*CLI, *args], cwd=ROOT, stdout=out,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def stack() -> Iterator[tuple[str, str, str]]:
    """(simulator URL, its token, service URL), each server in its own process."""
    with _process(["simulator", "--port", "0"], read=True) as sim:
        assert sim.stdout is not None
        base = sim.stdout.readline().rsplit(" ", 1)[-1].strip()
        token = sim.stdout.readline().split(":", 1)[1].strip()
        port = _free_port()
        with _process(["serve", "--port", str(port), "--base-url", base]):
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(url + "/readyz", timeout=1).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the service did not become ready")
                time.sleep(0.1)
            yield base, token, url


def _timed(fn: Callable[[], object], calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def measure(calls: int = 50, rounds: int = 30, clients: int = 32) -> dict[str, float]:
    with stack() as (base, token, url):
        runtime = Runtime(Connection(token=token, base_url=base))
        # A lean client (urllib3, keep-alive) so the figure is the service's cost, not the
        # client's: requests re-reads proxy settings from the environment on every call.
        http = urllib3.PoolManager(maxsize=clients)
        headers = {"X-Segment-Token": token, "Content-Type": "application/json"}
        endpoint = url + "/v1/actions/getWorkspace/run"
        body = json.dumps({"inputs": {}}).encode()

        def direct() -> object:
            return runtime.run("getWorkspace", {})

        def served() -> object:
            got = http.request("POST", endpoint, body=body, headers=headers)
            if got.status != 200:
                raise RuntimeError(f"the service answered {got.status}")
            return got.json()

        direct(), served()  # warm both paths
        times: dict[str, list[float]] = {"direct": [], "served": []}
        for _ in range(rounds):
            times["direct"] += _timed(direct, calls)
            times["served"] += _timed(served, calls)

        per_client = max(1, calls * rounds // clients)

        def client(_n: int) -> int:
            for _ in range(per_client):
                served()
            return per_client

        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            done = sum(pool.map(client, range(clients)))
        elapsed = time.perf_counter() - start
    d, s = times["direct"], times["served"]
    return {"direct_median_ms": statistics.median(d) * 1000, "direct_p95_ms": _p95(d) * 1000,
            "served_median_ms": statistics.median(s) * 1000, "served_p95_ms": _p95(s) * 1000,
            "added_median_ms": (statistics.median(s) - statistics.median(d)) * 1000,
            "added_p95_ms": (_p95(s) - _p95(d)) * 1000,
            "calls_per_s": done / elapsed, "clients": clients}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50, help="calls per round and side")
    parser.add_argument("--rounds", type=int, default=30,
                        help="rounds, alternating runtime and service (short rounds: a burst "
                             "of load elsewhere hits both sides alike)")
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    r = measure(args.calls, args.rounds, args.clients)
    print(f"runtime in process: median {r['direct_median_ms']:.2f} ms, "
          f"p95 {r['direct_p95_ms']:.2f} ms")
    print(f"through the service: median {r['served_median_ms']:.2f} ms, "
          f"p95 {r['served_p95_ms']:.2f} ms")
    print(f"added by the service: median {r['added_median_ms']:.2f} ms, "
          f"p95 {r['added_p95_ms']:.2f} ms")
    print(f"{r['clients']} concurrent clients: {r['calls_per_s']:,.0f} calls/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
