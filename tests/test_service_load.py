"""The service under load: concurrent writes under injected faults lose and duplicate
nothing, and a thousand workspaces' tokens through one service never cross or leak."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from service_support import registry, settings

from connector import redact
from connector.service.embedded import EmbeddedService
from connector.service.limiters import LimiterPool
from connector.simulator import Faults, Simulator

JAVASCRIPT = "IqDTy1TpoU"
CLIENTS = 32


def test_concurrent_creates_under_faults_lose_and_duplicate_nothing() -> None:
    faults = Faults(error_5xx=0.06, error_429=0.02, drop_connection=0.04,
                    fault_after_write=0.06)
    per_client = 5
    with Simulator(faults=faults, seed=11) as sim, \
            EmbeddedService(settings(sim), registry=registry()) as svc:

        def client(n: int) -> list[tuple[str, int, Any]]:
            told = []
            with requests.Session() as http:
                for i in range(per_client):
                    slug = f"load-{n}-{i}"
                    got = http.post(svc.url + "/v1/actions/createSource/run",
                                    json={"inputs": {"slug": slug, "metadataId": JAVASCRIPT}},
                                    headers={"X-Segment-Token": sim.token}, timeout=60)
                    told.append((slug, got.status_code, got.json()))
            return told

        with ThreadPoolExecutor(CLIENTS) as pool:
            outcomes = [o for batch in pool.map(client, range(CLIENTS)) for o in batch]
        created = {s["slug"]: s["id"] for s in sim.state["sources"].values()}
        after_write = sim.injected["after-write"]

    assert len(outcomes) == CLIENTS * per_client
    ok = {slug: body["data"]["data"]["source"]["id"]
          for slug, status, body in outcomes if status == 200}
    failed = [(slug, status, body) for slug, status, body in outcomes if status != 200]
    # Every write a client was told succeeded is there, under the id it was told.
    assert all(created.get(slug) == ident for slug, ident in ok.items())
    # Nothing was written twice or behind a client's back: the only writes besides the
    # successes are those the simulator applied and then failed (a 5xx after the write).
    assert len(created) == len(ok) + after_write
    assert set(created) - set(ok) <= {slug for slug, _, _ in failed}
    # Each failure was reported as a problem a flow can route: the API failed (502),
    # or the connection was lost (502); none as a bug, none as a duplicate slug.
    assert failed and after_write  # the faults did happen
    for _slug, status, body in failed:
        assert status == 502 and body["code"] in ("server", "connection"), body
        assert body["retryable"] is True


@pytest.fixture
def captured() -> Iterator[list[str]]:
    """Every log line written while the test runs, formatted, at debug level."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    names = ("segment_connector", "uvicorn.access", "uvicorn.error")
    levels = {name: logging.getLogger(name).level for name in names}
    root.addHandler(handler)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def test_a_thousand_tokens_never_cross_or_leak(captured: list[str]) -> None:
    tokens = [f"tok{n:04d}{secrets.token_hex(12)}" for n in range(1000)]
    accepted = set(tokens[::2])  # the simulator knows half: the other half get 401
    pool = LimiterPool(size=256)
    with Simulator(tokens=accepted) as sim, \
            EmbeddedService(settings(sim, debug=True), registry=registry(),
                            limiters=pool) as svc:

        def client(n: int) -> tuple[int, int, str]:
            token = tokens[n]
            got = requests.post(svc.url + "/v1/actions/rawRequest/run", timeout=60, json={
                "inputs": {"url": "/echo", "method": "GET",
                           "queryParams": {"message": f"client-{n}"},
                           "headers": {"X-Echo-Token": token}}},
                headers={"X-Segment-Token": token})
            return n, got.status_code, got.text

        with ThreadPoolExecutor(CLIENTS) as threads:
            answers = list(threads.map(client, range(len(tokens))))
        assert len(pool) == 256  # bounded, and kept by digest
        assert not any(token in name for name in pool._table for token in tokens[-256:])

    found = set()
    for n, status, text in answers:
        if tokens[n] in accepted:
            assert status == 200, text
            data = json.loads(text)["data"]["data"]
            assert data["message"] == f"client-{n}"  # its own answer
            # The echoed token is masked with this request's secrets: another request's
            # secrets would have left it in clear.
            assert data["headers"]["x-echo-token"] == "***"
        else:
            assert status == 401 and json.loads(text)["code"] == "auth", text
        found.update(t for t in _tokens_in(text, tokens))
    assert found == set()
    assert captured, "the service logged nothing to check"
    assert sum("Bearer ***" in line for line in captured) >= 1000  # debug: each request
    assert not set(_tokens_in("\n".join(captured), tokens))
    assert redact.current().mask(tokens[0]) == tokens[0]  # no scope left behind


def _tokens_in(text: str, tokens: list[str]) -> Iterator[str]:
    import re

    for match in re.findall(r"tok\d{4}[0-9a-f]{24}", text):
        if match in tokens:
            yield match


def test_concurrent_requests_with_one_token_share_its_rate_limit() -> None:
    # createLabel allows 60 a minute; a minute lasts 0.6 s on both sides here.
    pool = LimiterPool(time_scale=0.01)
    with Simulator(time_scale=0.01) as sim, \
            EmbeddedService(settings(sim), registry=registry(), limiters=pool) as svc:

        def client(n: int) -> list[int]:
            with requests.Session() as http:
                return [http.post(svc.url + "/v1/actions/createLabel/run", timeout=60,
                                  json={"inputs": {"label": {"key": f"k{n}", "value": f"v{i}"}}},
                                  headers={"X-Segment-Token": sim.token}).status_code
                        for i in range(3)]

        with ThreadPoolExecutor(CLIENTS) as threads:
            statuses = [s for batch in threads.map(client, range(CLIENTS)) for s in batch]
        limiter = pool.for_token(sim.token)
    assert statuses == [200] * CLIENTS * 3
    assert len(pool) == 1  # one limiter for the token, shared by every request
    assert limiter.rate_limited == 0  # paced under the limit: the API never said 429
    assert limiter.waited_s > 0  # ...because calls were held for the next window
