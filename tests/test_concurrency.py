"""One runtime shared by 8 threads, 500 calls each: no error, no answer to another call's inputs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from connector.connection import Connection
from connector.registry import Registry
from connector.runtime import Runtime
from connector.simulator import Simulator

THREADS, CALLS = 8, 500
JAVASCRIPT = "IqDTy1TpoU"


def test_eight_threads_share_one_runtime_without_crossed_wires(
        simulator: Simulator) -> None:
    rt = Runtime(Connection(token=simulator.token, base_url=simulator.base_url),
                 registry=Registry.load(installed=False))
    errors: list[str] = []
    last_name: dict[str, str] = {}
    counts: dict[int, int] = {}
    start = threading.Barrier(THREADS)

    def check(ok: bool, what: str) -> None:
        if not ok:
            errors.append(what)

    def worker(t: int) -> None:
        try:
            slug = f"thread-{t}"
            created = rt.run("createSource", {"slug": slug, "metadataId": JAVASCRIPT})
            own = created["data"]["data"]["source"]["id"]
            start.wait()
            calls: list[Callable[[int], None]] = [
                lambda i: check(rt.run("rawRequest", {
                    "url": "/echo", "method": "GET",
                    "queryParams": {"message": f"t{t}-{i}"}})["data"]["data"]["message"]
                    == f"t{t}-{i}", f"echo {t}/{i}"),
                lambda i: check(rt.run("getSource", {"sourceId": own})["data"]["data"]
                                ["source"]["slug"] == slug, f"get {t}/{i}"),
                lambda i: check(_renamed(rt, own, f"t{t}-{i}", last_name), f"update {t}/{i}"),
                lambda i: check(rt.run("rawRequest", {"url": f"/sources/{own}", "method": "GET"})
                                ["data"]["data"]["source"]["id"] == own, f"raw get {t}/{i}"),
                lambda i: check(own in {o["key"] for o in rt.picklist("sources")["result"]},
                                f"picklist {t}/{i}"),
            ]
            for i in range(CALLS):
                calls[i % len(calls)](i)
            counts[t] = CALLS
        except Exception as exc:  # reported below with the thread that met it
            errors.append(f"thread {t}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert counts == dict.fromkeys(range(THREADS), CALLS)
    # The simulator holds, for each thread's source, that thread's last rename.
    held = {s["id"]: s["name"] for s in simulator.state["sources"].values()}
    assert len(held) == THREADS
    for ident, name in last_name.items():
        assert held[ident] == name


def _renamed(rt: Runtime, ident: str, name: str, last: dict[str, str]) -> bool:
    out: Any = rt.run("updateSource", {"sourceId": ident, "name": name})
    source = out["data"]["data"]["source"]
    last[ident] = name
    return source["id"] == ident and source["name"] == name
