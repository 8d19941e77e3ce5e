"""The connector over real HTTP against the embedded simulator."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest
import requests

from connector.connection import Connection
from connector.errors import ServerError
from connector.retry import RetryPolicy
from connector.runtime import Runtime
from connector.simulator import Faults, Simulator

JAVASCRIPT = "IqDTy1TpoU"
FAST = RetryPolicy(delay_ms=10, max_delay_ms=50, max_retries=6)


def runtime_for(sim: Simulator, policy: RetryPolicy | None = None) -> Runtime:
    return Runtime(Connection(token=sim.token, base_url=sim.base_url), policy=policy)


def create_sources(rt: Runtime, n: int, prefix: str = "s") -> list[str]:
    return [rt.run("createSource", {"slug": f"{prefix}-{i}", "metadataId": JAVASCRIPT})
            ["data"]["data"]["source"]["id"] for i in range(n)]


def test_follow_every_page_returns_each_source_exactly_once(simulator: Simulator) -> None:
    rt = runtime_for(simulator)
    created = create_sources(rt, 1000)
    result = rt.run("listSources", {"count": 50, "followAll": True, "maxItems": 5000})
    ids = [s["id"] for s in result["data"]["data"]["sources"]]
    assert Counter(ids) == Counter(created)
    assert "next" not in result["data"]["data"]["pagination"]


def test_streaming_iterator_and_picklist_cover_every_page(simulator: Simulator) -> None:
    rt = runtime_for(simulator)
    created = set(create_sources(rt, 120))
    assert {s["id"] for s in rt.iter_items("listSources", {"count": 50})} == created
    options = rt.picklist("sources")["result"]
    assert {o["key"] for o in options} == created
    assert {o["label"] for o in options} >= {"s-0", "s-119"}


def test_rate_limit_answers_429_then_default_policy_waits_and_succeeds(
        simulator_factory: Callable[..., Simulator]) -> None:
    # The simulator's windows last 1.2 s of real time. A slow machine may let a window
    # close before `limit + 1` requests reach it, so each part repeats its requests
    # until the server refuses one, and only the answers are checked, never the time.
    limit = 3
    sim = simulator_factory(rate_limit=limit, time_scale=0.02)  # a "minute" lasts 1.2 s
    headers = {"Authorization": f"Bearer {sim.token}"}
    answers: list[requests.Response] = []
    while not sim.limiter.refused and len(answers) < 1000:
        answers.append(requests.get(f"{sim.base_url}/sources", headers=headers, timeout=30))
    over = answers[-1]
    assert over.status_code == 429
    # The `limit` answers of its window came first, all 200, counting up to the limit.
    window = answers[-limit - 1:-1]
    assert [a.status_code for a in window] == [200] * limit
    assert [a.headers["X-RateLimit-Consumed"] for a in window] == [
        str(n) for n in range(1, limit + 1)]
    assert over.headers["X-RateLimit-Remaining"] == "0"
    assert "Retry-After" in over.headers and "X-RateLimit-Reset" in over.headers
    assert over.json()["errors"][0]["data"]["msBeforeNext"] > 0

    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    rt = Runtime(Connection(token=sim.token, base_url=sim.base_url), sleep=sleep)
    before = sim.limiter.refused
    calls = 0
    # Until one of the runtime's calls is refused.
    while sim.limiter.refused == before and calls < 1000:
        assert "sources" in rt.run("listSources", {})["data"]["data"]  # each call succeeds
        calls += 1
    refused = sim.limiter.refused - before
    assert refused >= 1
    # Every 429 the runtime met was waited out (a positive wait each) and retried.
    assert len(waits) == refused and all(w > 0 for w in waits)


def test_idempotent_calls_survive_injected_server_errors(
        simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(faults=Faults(error_5xx=0.2), seed=7)
    rt = runtime_for(sim, FAST)
    for _ in range(200):
        assert rt.run("getWorkspace", {})["data"]["data"]["workspace"]["id"]


def test_creates_under_faults_never_duplicate(
        simulator_factory: Callable[..., Simulator]) -> None:
    # Half of the injected errors come after the write was applied: the case
    # where retrying a POST would create twice.
    sim = simulator_factory(faults=Faults(error_5xx=0.1, fault_after_write=0.1), seed=11)
    rt = runtime_for(sim, FAST)
    failed = 0
    for i in range(100):
        try:
            rt.run("createSource", {"slug": f"fault-{i}", "metadataId": JAVASCRIPT})
        except ServerError:
            failed += 1
    assert failed > 0  # faults were really injected
    slugs = [s["slug"] for s in sim.state["sources"].values()]
    assert len(slugs) == len(set(slugs))


@pytest.mark.parametrize("region", ["api", "eu1.api"])
def test_raw_request_reaches_the_simulator(simulator: Simulator, region: str) -> None:
    rt = runtime_for(simulator)
    out = rt.run("rawRequest", {"url": "/echo", "method": "GET", "region": region,
                                "queryParams": {"message": "hi"}})
    assert out["data"]["data"]["message"] == "hi"
