"""`segment-connector demo`: a short flow through the connector, step by step.

With no token it starts the embedded simulator and runs a full flow there:
create a source, pick it from the `sources` picklist, get and update it,
connect it to a warehouse, read it back with a Raw Request, and clean up.
With `--real` and a token it runs only read-only steps against the real API.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from connector.connection import Connection
from connector.redact import redact
from connector.runtime import Runtime

POSTGRES = "55d3d3aea3c"  # warehouse catalog id of Postgres (simulator fixture)
JAVASCRIPT = "IqDTy1TpoU"  # source catalog id of Javascript


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--real", action="store_true",
                   help="run the read-only steps against the real API (needs a token)")
    p.add_argument("--token", help="API token for --real (default: $SEGMENT_API_TOKEN)")
    p.add_argument("--region", choices=("api", "eu1.api"))
    p.add_argument("--quiet", action="store_true", help="print step names only")


class Flow:
    def __init__(self, runtime: Runtime, quiet: bool = False) -> None:
        self.rt = runtime
        self.quiet = quiet
        self.step = 0

    def __call__(self, title: str, key: str, inputs: dict[str, Any],
                 call: Callable[[str, dict[str, Any]], Any] | None = None) -> Any:
        self.step += 1
        print(f"\n[{self.step}] {title}: {key}")
        if not self.quiet:
            print("  input:  " + redact(json.dumps(inputs)))
        result = (call or self.rt.run)(key, inputs)
        if not self.quiet:
            text = json.dumps(result, indent=2)
            lines = text.splitlines()
            if len(lines) > 24:  # keep the walk-through readable
                text = "\n".join([*lines[:24], f"  ... ({len(lines) - 24} more lines)"])
            print("  output: " + redact(text).replace("\n", "\n          "))
        return result


def simulated_flow(flow: Flow) -> None:
    source = flow("Create a source", "createSource",
                  {"slug": "demo-website", "enabled": True, "metadataId": JAVASCRIPT,
                   "settings": {"website": "https://example.com"}})["data"]["data"]["source"]
    sid = source["id"]
    options = flow("Fill the sources picklist", "sources", {}, flow.rt.picklist)["result"]
    assert any(o["key"] == sid for o in options), "new source missing from the picklist"
    flow("Get the source", "getSource", {"sourceId": sid})
    flow("Rename it", "updateSource", {"sourceId": sid, "name": "Demo website"})
    warehouse = flow("Create a warehouse", "createWarehouse",
                     {"metadataId": POSTGRES, "name": "Demo Postgres", "enabled": True,
                      "settings": {"hostname": "db.example.com", "port": 5432,
                                   "database": "analytics", "username": "segment",
                                   "password": "example"}})["data"]["data"]["warehouse"]
    wid = warehouse["id"]
    flow("Connect the source to the warehouse", "addConnectionFromSourceToWarehouse",
         {"warehouseId": wid, "sourceId": sid})
    flow("List the warehouse's sources with a Raw Request", "rawRequest",
         {"url": f"/warehouses/{wid}/connected-sources", "method": "GET"})
    flow("Disconnect", "removeSourceConnectionFromWarehouse",
         {"warehouseId": wid, "sourceId": sid})
    flow("Delete the warehouse", "deleteWarehouse", {"warehouseId": wid})
    flow("Delete the source", "deleteSource", {"sourceId": sid})


def real_flow(flow: Flow) -> None:
    flow("List sources", "listSources", {"count": 10})
    options = flow("Fill the sources picklist", "sources", {"maxItems": 20},
                   flow.rt.picklist)["result"]
    if options:
        flow("Get the first source", "getSource", {"sourceId": options[0]["key"]})
    flow("List warehouses", "listWarehouses", {"count": 10})
    flow("Raw Request: echo", "rawRequest",
         {"url": "/echo", "method": "GET", "queryParams": {"message": "hello"}})


def run(args: argparse.Namespace, _registry: Any = None) -> int:
    with ExitStack() as stack:
        if args.real:
            conn = Connection.resolve(token=args.token, region=args.region)
            if not conn.token:
                print("error: --real needs a token (--token or SEGMENT_API_TOKEN)",
                      file=sys.stderr)
                return 2
            print(f"Read-only steps against {conn.url_for()}")
        else:
            from connector.simulator import Simulator

            sim = stack.enter_context(Simulator())
            conn = Connection(token=sim.token, base_url=sim.base_url)
            print(f"Simulator at {sim.base_url} (no token given, no network used)")
        flow = Flow(Runtime(conn), quiet=args.quiet)
        (real_flow if args.real else simulated_flow)(flow)
    print(f"\nDemo finished: {flow.step} steps.")
    return 0
