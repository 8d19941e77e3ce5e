"""Simulator throughput: simple GETs per second over keep-alive connections.

    .venv/bin/python bench/simulator_throughput.py [--seconds 3] [--connections 4]

The simulator runs in its own process (as under the CLI or a test), and the
client threads use plain `http.client` keep-alive connections so the figure
measures the server, not the client library. Target: >= 1,000 GET/s on 2 cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import threading
import time
from multiprocessing.connection import Connection


def serve(pipe: Connection) -> None:
    from connector.simulator import Simulator

    with Simulator(seed=1) as sim:
        pipe.send((sim.port, sim.token))
        pipe.recv()  # block until the parent is done


def worker(port: int, token: str, path: str, stop_at: float, counts: list[int],
           slot: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    done = 0
    while time.perf_counter() < stop_at:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"unexpected status {response.status}")
        done += 1
    conn.close()
    counts[slot] = done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()

    parent, child = mp.Pipe()
    proc = mp.Process(target=serve, args=(child,), daemon=True)
    proc.start()
    port, token = parent.recv()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        body = json.dumps({"slug": "bench", "enabled": True, "metadataId": "IqDTy1TpoU"})
        conn.request("POST", "/sources", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        source_id = json.loads(conn.getresponse().read())["data"]["source"]["id"]
        conn.close()

        path = f"/sources/{source_id}"
        counts = [0] * args.connections
        start = time.perf_counter()
        stop_at = start + args.seconds
        threads = [threading.Thread(target=worker, args=(port, token, path, stop_at, counts, i))
                   for i in range(args.connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        total = sum(counts)
        print(f"GET {path.split('/')[1]}/{{id}}: {total} requests in {elapsed:.2f} s over "
              f"{args.connections} keep-alive connections = {total / elapsed:,.0f} req/s")
    finally:
        parent.send("stop")
        proc.join(timeout=5)


if __name__ == "__main__":
    main()
