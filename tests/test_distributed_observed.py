"""A fleet watched as one: six real workers keep their retries within one budget on Redis
against an API failing every request, and a distributed line is one trace from the
coordinator through the Celery message to the worker's attempts, with no token in it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from redis_support import local_redis

from connector.budget import RetryBudget
from connector.connection import Connection
from connector.distributed import tasks
from connector.distributed.app import make_app
from connector.distributed.coordinator import run_distributed
from connector.distributed.fleet import Fleet
from connector.distributed.local_server import LocalRedis
from connector.distributed.shared_budget import SharedRetryBudget
from connector.errors import ServerError
from connector.runtime import Runtime
from connector.simulator import Faults, Simulator
from connector.simulator.faults import Plan

CALLS = 200
WORKERS = 6


@pytest.fixture(scope="module")
def server() -> Iterator[LocalRedis]:
    yield from local_redis()


def profile(sim: Simulator, tmp: Path) -> Path:
    path = tmp / "config.toml"
    path.write_text(f'[profiles.sim]\ntoken = "{sim.token}"\nbase_url = "{sim.base_url}"\n')
    return path


def test_two_processes_sharing_a_budget_on_redis_retry_as_one(server: LocalRedis) -> None:
    client = redis.Redis.from_url(server.url)
    client.flushdb()
    with Simulator(faults=Faults(error_5xx=1.0)) as sim:
        conn = Connection(token=sim.token, base_url=sim.base_url)
        # Two budgets on one Redis: two workers' processes, with a window that holds the run.
        runtimes = [Runtime(conn, sleep=lambda _s: None,
                            events=[SharedRetryBudget(client, window_s=600)]) for _ in range(2)]
        for n in range(CALLS):
            with pytest.raises(ServerError):
                runtimes[n % 2].run("getWorkspace")
        shared = sim.injected["503"]
    assert shared <= 1.2 * CALLS
    # Apart, each process would have had a floor of its own.
    with Simulator(faults=Faults(error_5xx=1.0)) as sim:
        conn = Connection(token=sim.token, base_url=sim.base_url)
        apart = [Runtime(conn, sleep=lambda _s: None, events=[RetryBudget(window_s=600)])
                 for _ in range(2)]
        for n in range(CALLS):
            with pytest.raises(ServerError):
                apart[n % 2].run("getWorkspace")
        assert sim.injected["503"] > shared


def test_six_workers_send_at_most_1_2_requests_a_line_against_a_failing_api(
        server: LocalRedis, tmp_path: Path) -> None:
    redis.Redis.from_url(server.url).flushdb()
    app = make_app(server.url)
    with Simulator(faults=Faults(error_5xx=1.0)) as sim:
        config = profile(sim, tmp_path)
        # The budget alone (no circuit), over a window longer than the run.
        fleet = Fleet(server.url, WORKERS, log_dir=tmp_path, env={
            "SEGMENT_CONNECTOR_CONFIG": str(config)},
            options=["--retry-budget-window", "600", "--circuit-failures", "off"])
        with fleet:
            fleet.start(app)
            lines = [{"sourceId": f"src-{n}"} for n in range(CALLS)]
            summary = run_distributed("getSource", lines, tmp_path / "results.jsonl", "sim",
                                      redis=server.url, app=app, handle_signals=False)
        received = sim.injected["503"]
    assert summary.errors == CALLS and summary.total == CALLS
    assert CALLS <= received <= 1.2 * CALLS


# -- traces --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def spans() -> Iterator[Any]:
    trace = pytest.importorskip("opentelemetry.trace")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    yield exporter
    exporter.clear()


def test_a_distributed_line_is_one_trace_with_a_span_per_attempt_and_no_token(
        server: LocalRedis, spans: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from celery.contrib.testing.worker import start_worker

    from connector.distributed.presence import announced

    redis.Redis.from_url(server.url).flushdb()
    app = make_app(server.url)
    with Simulator() as sim:
        monkeypatch.setenv("SEGMENT_CONNECTOR_CONFIG", str(profile(sim, tmp_path)))
        monkeypatch.setattr(tasks.settings, "redis_url", server.url)
        monkeypatch.setattr(tasks, "_observers", {})
        monkeypatch.setattr(tasks, "_runtimes", {})
        created = Runtime(Connection(token=sim.token, base_url=sim.base_url)).run(
            "createSource", {"slug": "traced", "metadataId": "IqDTy1TpoU"})
        source = created["data"]["data"]["source"]["id"]
        first = {"seen": False}
        original = sim.fault_plan

        def once(header: str | None) -> Plan:  # the line's first attempt meets a 503
            if not first["seen"]:
                first["seen"] = True
                return Plan(status=503)
            return original(header)

        sim.fault_plan = once  # type: ignore[method-assign]
        spans.clear()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30), \
                announced(tasks.redis_client(), "traced-worker"):
            summary = run_distributed("getSource", [{"sourceId": source}],
                                      tmp_path / "results.jsonl", "sim", redis=server.url,
                                      app=app, handle_signals=False)
        assert summary.ok == 1
    finished = spans.get_finished_spans()
    assert len({s.context.trace_id for s in finished}) == 1
    by_name: dict[str, list[Any]] = {}
    for span in finished:
        by_name.setdefault(span.name, []).append(span)
    producer = by_name["segment_connector.line getSource"]
    assert {s.kind.name for s in producer} == {"PRODUCER", "CONSUMER"}
    sent = next(s for s in producer if s.kind.name == "PRODUCER")
    received = next(s for s in producer if s.kind.name == "CONSUMER")
    assert sent.parent is None and received.parent.span_id == sent.context.span_id
    (call,) = by_name["getSource"]
    assert call.parent.span_id == received.context.span_id
    attempts = sorted(by_name["GET /sources/{sourceId}"], key=lambda s: s.start_time)
    assert [a.attributes["http.response.status_code"] for a in attempts] == [503, 200]
    assert all(a.parent.span_id == call.context.span_id for a in attempts)
    assert [a.attributes.get("http.request.resend_count") for a in attempts] == [None, 1]
    assert attempts[0].attributes["error.type"] == "server"
    assert attempts[1].attributes["url.template"] == "/sources/{sourceId}"
    dumped = json.dumps([json.loads(s.to_json()) for s in finished])
    assert sim.token not in dumped and source not in dumped


def test_a_prefork_worker_serves_the_metrics_of_every_child(
        server: LocalRedis, tmp_path: Path) -> None:
    import requests
    from prometheus_client.parser import text_string_to_metric_families

    from connector.distributed.local_server import free_port

    redis.Redis.from_url(server.url).flushdb()
    app = make_app(server.url)
    port = free_port()
    with Simulator() as sim:
        fleet = Fleet(server.url, 1, pool="prefork", concurrency=2, log_dir=tmp_path,
                      env={"SEGMENT_CONNECTOR_CONFIG": str(profile(sim, tmp_path))},
                      options=["--metrics-port", str(port)])
        with fleet:
            fleet.start(app)
            lines = [{"sourceId": f"missing-{n}"} for n in range(10)]
            summary = run_distributed("getSource", lines, tmp_path / "results.jsonl", "sim",
                                      redis=server.url, app=app, handle_signals=False)
            text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    assert summary.errors == 10
    counts: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "segment_connector_requests_total":
                counts[("requests", sample.labels["status"])] = sample.value
            if sample.name == "segment_connector_bulk_lines_total":
                counts[("lines", sample.labels["outcome"])] = sample.value
    assert counts == {("requests", "404"): 10, ("lines", "error"): 10}
    assert sim.token not in text


def test_a_service_on_redis_shares_the_fleet_budget(server: LocalRedis) -> None:
    from service_support import registry, settings

    from connector.circuit import Circuit
    from connector.metrics import Metrics
    from connector.service.context import Service

    service = Service(settings(redis=server.url), registry())
    kinds = [type(o) for o in service.events.observers]
    assert kinds[:3] == [Metrics, SharedRetryBudget, Circuit]


def test_redis_out_of_reach_refuses_retries_and_says_so_once(
        caplog: pytest.LogCaptureFixture) -> None:
    from connector.distributed.local_server import free_port

    gone = redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0",
                                socket_connect_timeout=0.2, socket_timeout=0.2)
    budget = SharedRetryBudget(gone)
    with caplog.at_level("WARNING", logger="segment_connector.distributed"):
        budget.deposit("https://api.segmentapis.com")
        assert [budget.withdraw("https://api.segmentapis.com") for _ in range(3)] == [
            False, False, False]
    assert len([r for r in caplog.records if "retry budget" in r.getMessage()]) == 1
