"""What the HTTP service adds to a call, beside a bare FastAPI forwarder, and how many calls
each carries at 32 clients.

    .venv/bin/python bench/service.py [--calls 50] [--rounds 30] [--clients 32]

The simulator, `segment-connector serve` and the bare forwarder
(`bench/forwarder.py`: FastAPI on uvicorn with httptools, forwarding the GET
with urllib3) each run in their own process; this process is the client
(urllib3, keep-alive). In alternating rounds it calls `getWorkspace` straight
at the simulator (the GET the action sends), through the service (`POST
/v1/actions/getWorkspace/run`) and through the forwarder (the same POST), and
reports each median; what the service and the forwarder add is their median
less the direct one, and their ratio the median of each round's. Then 32
client threads, kept for the whole run and sharing a pool of keep-alive
connections (one each), call the service and the forwarder at once, in
alternating rounds of `--per-client` calls each: calls per second of each, and
the median of the rounds' ratios. A round's rate varies by about a tenth on a
small shared machine, so there are many rounds.
Targets: the service adds <= 1.2 x what the forwarder adds; carries >= 0.8 x
its calls per second.
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

ACCEPT = "application/vnd.segment.v1+json"

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
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
    proc = subprocess.Popen(args, cwd=ROOT, stdout=out,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _ready(url: str, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(url + "/readyz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the {what} did not become ready")
        time.sleep(0.1)


@contextmanager
def stack() -> Iterator[tuple[str, str, str, str]]:
    """(simulator URL, its token, service URL, forwarder URL), each server in its own
    process."""
    with _process([*CLI, "simulator", "--port", "0"], read=True) as sim:
        assert sim.stdout is not None
        base = sim.stdout.readline().rsplit(" ", 1)[-1].strip()
        token = sim.stdout.readline().split(":", 1)[1].strip()
        target = Runtime(Connection(token=token, base_url=base)).dry_run("getWorkspace")["url"]
        port, forward_port = _free_port(), _free_port()
        with _process([*CLI, "serve", "--port", str(port), "--base-url", base]), \
                _process([sys.executable, str(HERE / "forwarder.py"), "--target", target,
                          "--port", str(forward_port)]):
            url, forwarder = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{forward_port}"
            _ready(url, "service")
            _ready(forwarder, "forwarder")
            yield base, token, url, forwarder


def _timed(fn: Callable[[], object], calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _load(pool: ThreadPoolExecutor, call: Callable[[], object], clients: int,
          per_client: int) -> float:
    """Calls per second with `clients` threads of `pool` making `per_client` calls each."""
    def client(_n: int) -> int:
        for _ in range(per_client):
            call()
        return per_client

    start = time.perf_counter()
    done = sum(pool.map(client, range(clients)))
    return done / (time.perf_counter() - start)


def measure(calls: int = 50, rounds: int = 30, clients: int = 32,
            load_rounds: int = 24, per_client: int = 5) -> dict[str, float]:
    with stack() as (base, token, url, forwarder):
        runtime = Runtime(Connection(token=token, base_url=base))
        target = runtime.dry_run("getWorkspace")["url"]
        # A lean client (urllib3, keep-alive) so the figure is the servers' cost, not the
        # client's: requests re-reads proxy settings from the environment on every call.
        http = urllib3.PoolManager(maxsize=clients)
        headers = {"X-Segment-Token": token, "Content-Type": "application/json"}
        upstream = {"Authorization": f"Bearer {token}", "Accept": ACCEPT}
        body = json.dumps({"inputs": {}}).encode()

        def post(endpoint: str) -> Callable[[], object]:
            def call() -> object:
                got = http.request("POST", endpoint, body=body, headers=headers)
                if got.status != 200:
                    raise RuntimeError(f"{endpoint} answered {got.status}")
                return got.data
            return call

        def direct() -> object:
            got = http.request("GET", target, headers=upstream)
            if got.status != 200:
                raise RuntimeError(f"the simulator answered {got.status}")
            return got.data

        sides = {"direct": direct, "service": post(url + "/v1/actions/getWorkspace/run"),
                 "forwarder": post(forwarder + "/v1/actions/getWorkspace/run")}
        for call in sides.values():  # warm every path
            _timed(call, 20)
        times: dict[str, list[float]] = {name: [] for name in sides}
        added: list[float] = []  # each round's ratio of what the service and forwarder add
        for _ in range(rounds):
            medians = {}
            for name, call in sides.items():
                took = _timed(call, calls)
                times[name] += took
                medians[name] = statistics.median(took)
            added.append((medians["service"] - medians["direct"])
                         / (medians["forwarder"] - medians["direct"]))
        rates: dict[str, list[float]] = {"service": [], "forwarder": []}
        with ThreadPoolExecutor(clients) as pool:
            for name in rates:  # every client thread started, and each side warm
                _load(pool, sides[name], clients, 1)
            for _ in range(load_rounds):
                for name in rates:
                    rates[name].append(_load(pool, sides[name], clients, per_client))
    med = {name: statistics.median(t) * 1000 for name, t in times.items()}
    out = {f"{name}_median_ms": m for name, m in med.items()}
    out.update({f"{name}_p95_ms": _p95(t) * 1000 for name, t in times.items()})
    out["service_added_ms"] = med["service"] - med["direct"]
    out["forwarder_added_ms"] = med["forwarder"] - med["direct"]
    # The ratios are the medians of each round's: both sides of a round met the same load.
    out["added_ratio"] = statistics.median(added)
    out["service_calls_per_s"] = statistics.median(rates["service"])
    out["forwarder_calls_per_s"] = statistics.median(rates["forwarder"])
    out["rate_ratio"] = statistics.median(
        s / f for s, f in zip(rates["service"], rates["forwarder"], strict=True))
    out["clients"] = clients
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50, help="calls per round and side")
    parser.add_argument("--rounds", type=int, default=30,
                        help="rounds, alternating runtime and service (short rounds: a burst "
                             "of load elsewhere hits both sides alike)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--load-rounds", type=int, default=24,
                        help="rounds at --clients at once, alternating service and forwarder")
    parser.add_argument("--per-client", type=int, default=5,
                        help="calls each client makes per load round")
    args = parser.parse_args()
    r = measure(args.calls, args.rounds, args.clients, args.load_rounds, args.per_client)
    for name in ("direct", "service", "forwarder"):
        print(f"{name:<10} median {r[name + '_median_ms']:.3f} ms, "
              f"p95 {r[name + '_p95_ms']:.3f} ms")
    print(f"added per call: service {r['service_added_ms']:.3f} ms, forwarder "
          f"{r['forwarder_added_ms']:.3f} ms, ratio {r['added_ratio']:.2f} (target <= 1.20)")
    print(f"{r['clients']} concurrent clients: service {r['service_calls_per_s']:,.0f} calls/s, "
          f"forwarder {r['forwarder_calls_per_s']:,.0f} calls/s, ratio {r['rate_ratio']:.2f} "
          f"(target >= 0.80)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
