"""`GET /metrics` over real HTTP: it counts exactly the requests the simulator received, by
action and status, sits behind the service keys, and no label holds a token."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from service_support import registry, settings

from connector.service.embedded import EmbeddedService
from connector.service.settings import ServiceKey
from connector.simulator import Simulator
from connector.simulator import server as simulator_server

KEY = "a-long-metrics-scrape-key-0001"
# What each path the test reaches belongs to.
ACTIONS = {("GET", "/sources"): "listSources", ("GET", "/sources/nope"): "getSource",
           ("POST", "/labels"): "createLabel", ("GET", "/echo"): "rawRequest",
           ("GET", "/"): "getWorkspace", ("POST", "/sources"): "createSource"}


class Received:
    """Every request the simulator answered: (action, status)."""

    def __init__(self) -> None:
        self.seen: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()


@pytest.fixture()
def received() -> Iterator[Received]:
    record = Received()
    dispatch = simulator_server.dispatch

    def noting(s: Any, method: str, path: str, headers: Any, raw: bytes) -> Any:
        answer = dispatch(s, method, path, headers, raw)
        with record.lock:
            record.seen[(ACTIONS[(method, path.split("?")[0])],
                         str(answer.status))] += 1
        return answer

    simulator_server.dispatch = noting  # type: ignore[assignment]
    yield record
    simulator_server.dispatch = dispatch  # type: ignore[assignment]


def counted(text: str) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for family in text_string_to_metric_families(text):
        if family.name == "segment_connector_requests":
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    out[(sample.labels["action"], sample.labels["status"])] += int(sample.value)
    return out


def test_metrics_count_exactly_what_the_api_received(received: Received) -> None:
    with Simulator() as sim, \
            EmbeddedService(settings(sim, keys=(ServiceKey(KEY),)), registry=registry()) as svc, \
            requests.Session() as http:
        auth = {"Authorization": f"Bearer {KEY}", "X-Segment-Token": sim.token}

        def run(key: str, inputs: dict[str, Any], path: str = "run") -> requests.Response:
            return http.post(f"{svc.url}/v1/actions/{key}/{path}", json={"inputs": inputs},
                             headers=auth, timeout=30)

        assert run("listSources", {}).status_code == 200
        assert run("getSource", {"sourceId": "nope"}).status_code == 404
        assert run("createLabel", {"label": {"key": "team", "value": "a"}}).status_code == 200
        assert run("createLabel", {"label": {"key": "team", "value": "a"}}).status_code == 409
        # A 503 the API answers to a GET: retried, every attempt counted.
        failed = run("rawRequest", {"url": "/echo", "method": "GET",
                                    "headers": {"X-Simulator-Fault": "503"}, "maxRetries": 2})
        assert failed.status_code == 502
        # A listing streamed page by page: one request per page.
        for n in range(3):
            run("createSource", {"slug": f"metrics-{n}", "metadataId": "IqDTy1TpoU"})
        lines = run("listSources", {"count": 1}, "items").text.splitlines()
        assert len(lines) >= 3
        assert http.get(svc.url + "/metrics", timeout=30).status_code == 401
        scraped = http.get(svc.url + "/metrics", headers={"Authorization": f"Bearer {KEY}"},
                           timeout=30)
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    got = counted(scraped.text)
    assert got == received.seen
    assert got[("rawRequest", "503")] == 3 and got[("getSource", "404")] == 1
    # No label holds a token, an id or an input: only keys, methods, statuses, codes, hosts.
    assert sim.token not in scraped.text and "nope" not in scraped.text
    assert "metrics-0" not in scraped.text
    for family in text_string_to_metric_families(scraped.text):
        if not family.name.startswith("segment_connector"):
            continue
        for sample in family.samples:
            assert set(sample.labels) <= {"action", "method", "status", "outcome", "error",
                                          "kind", "host", "le"}, sample
