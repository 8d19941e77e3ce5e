"""Config API calls on the Public API: requests per call, and time per call over a direct action.

    .venv/bin/python bench/legacy.py [--calls 200] [--rounds 5]

Against the in-process simulator on loopback. A run reads one destination by
its Config API name `calls` times: with the per-run slug cache each call after
the first is one Public API request; a fresh run per call needs four (workspace,
source, destinations of the source, the destination). Time: the cached Config
call vs the direct getDestination action, interleaved in rounds, best round of each.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from per_call import per_call_us

from connector.connection import Connection
from connector.legacy.plan import Bridge
from connector.runtime import Runtime
from connector.simulator import Simulator


def _world(sim: Simulator) -> tuple[Runtime, str, str]:
    rt = Runtime(Connection(token=sim.token, base_url=sim.base_url))
    ws = rt.run("getWorkspace")["data"]["data"]["workspace"]["slug"]
    source = rt.run("createSource", {"slug": "web", "enabled": True,
                                     "metadataId": "IqDTy1TpoU"})["data"]["data"]["source"]
    dest = rt.run("createDestination", {"sourceId": source["id"], "settings": {},
                                        "metadataId": "54521fd525e721e32a72ee91"})
    path = f"/v1beta/workspaces/{ws}/sources/web/destinations/amplitude"
    return rt, path, dest["data"]["data"]["destination"]["id"]


def measure(calls: int, rounds: int) -> dict[str, float]:
    with Simulator() as sim:
        rt, path, dest_id = _world(sim)
        cached = Bridge(rt)
        requests_cached = sum(len(cached.call("GET", path)[1].steps) for _ in range(calls))
        requests_fresh = sum(len(Bridge(rt).call("GET", path)[1].steps) for _ in range(calls))
        legacy_us, direct_us = [], []
        for _ in range(rounds):
            legacy_us.append(per_call_us(lambda: cached.call("GET", path), calls))
            direct_us.append(per_call_us(
                lambda: rt.run("getDestination", {"destinationId": dest_id}), calls))
    return {"requests_cached": requests_cached / calls, "requests_fresh": requests_fresh / calls,
            "legacy_us": min(legacy_us), "direct_us": min(direct_us),
            "ratio": min(legacy_us) / min(direct_us)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--rounds", type=int, default=5)
    a = p.parse_args()
    r = measure(a.calls, a.rounds)
    print(f"Public API requests per Config call: {r['requests_cached']:.2f} with the per-run "
          f"cache, {r['requests_fresh']:.2f} without")
    print(f"Config call {r['legacy_us']:.0f} us / direct action {r['direct_us']:.0f} us "
          f"= {r['ratio']:.2f}")


if __name__ == "__main__":
    main()
