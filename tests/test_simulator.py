"""The simulator over real HTTP: auth, errors, paging, rate limits, faults, persistence."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests

from connector.simulator import Faults, Simulator

JS, KINESIS, POSTGRES = "IqDTy1TpoU", "57da359580412f644ff33fb9", "55d3d3aea3c"
ALPHA = "application/vnd.segment.v1alpha+json"
V1 = "application/vnd.segment.v1+json"


def client(sim: Simulator) -> Callable[..., requests.Response]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sim.token}"

    def call(method: str, path: str, **kwargs: object) -> requests.Response:
        return session.request(method, sim.base_url + path, timeout=10, **kwargs)

    return call


def make_source(call: Callable[..., requests.Response], slug: str) -> str:
    r = call("POST", "/sources", json={"slug": slug, "enabled": True, "metadataId": JS})
    assert r.status_code == 201, r.text
    return r.json()["data"]["source"]["id"]


# Auth ----------------------------------------------------------------------
def test_generated_token_looks_like_a_segment_token(simulator: Simulator) -> None:
    assert re.fullmatch(r"sgp_[A-Za-z0-9]{64}", simulator.token)


@pytest.mark.parametrize("header", [None, "Bearer sgp_wrong", "Basic abc"])
def test_missing_or_wrong_token_gives_401_envelope(simulator: Simulator,
                                                   header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    r = requests.get(simulator.base_url + "/sources", headers=headers, timeout=5)
    assert r.status_code == 401
    body = r.json()
    assert set(body) == {"errors"} and body["errors"][0]["type"]
    assert simulator.token not in r.text
    assert "X-RateLimit-Remaining" in r.headers


def test_valid_token_lists_sources(simulator: Simulator) -> None:
    r = client(simulator)("GET", "/sources")
    assert r.status_code == 200
    assert r.json() == {"data": {"sources": [],
                                 "pagination": {"current": "MA==", "totalEntries": 0}}}


# Errors --------------------------------------------------------------------
def test_unknown_id_gives_404_envelope(simulator: Simulator) -> None:
    r = client(simulator)("GET", "/sources/rh5BDZp6QDHvXFCkibm1pR")
    assert r.status_code == 404
    assert r.json()["errors"][0]["type"] == "not-found"
    assert "data" not in r.json()


def test_missing_required_field_gives_422_naming_it(simulator: Simulator) -> None:
    r = client(simulator)("POST", "/sources", json={"slug": "web", "enabled": True})
    assert r.status_code == 422
    assert r.json() == {"errors": [{"type": "input-validation",
                                    "message": '"metadataId" is required',
                                    "field": "metadataId"}]}
    assert simulator.state.count("sources") == 0


def test_nested_missing_field_is_named_with_its_path(simulator: Simulator) -> None:
    r = client(simulator)("POST", "/labels", json={"label": {"key": "env"}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "label.value"


def test_deleting_a_source_with_destinations_gives_409(simulator: Simulator) -> None:
    call = client(simulator)
    source_id = make_source(call, "web")
    r = call("POST", "/destinations",
             json={"sourceId": source_id, "metadataId": KINESIS, "settings": {}})
    assert r.status_code == 200, r.text
    assert call("DELETE", f"/sources/{source_id}").status_code == 409
    assert simulator.state.count("sources") == 1
    dest_id = r.json()["data"]["destination"]["id"]
    assert call("DELETE", f"/destinations/{dest_id}").json() == {"data": {"status": "SUCCESS"}}
    assert call("DELETE", f"/sources/{source_id}").status_code == 200
    assert call("GET", f"/sources/{source_id}").status_code == 404


def test_label_in_use_cannot_be_deleted(simulator: Simulator) -> None:
    call = client(simulator)
    source_id = make_source(call, "web")
    assert call("POST", "/labels", json={"label": {"key": "env", "value": "prod"}}
                ).status_code == 201
    r = call("POST", f"/sources/{source_id}/labels",
             json={"labels": [{"key": "env", "value": "prod"}]})
    assert r.json()["data"]["labels"] == [{"key": "env", "value": "prod"}]
    assert call("DELETE", "/labels/env/prod").status_code == 409
    call("PUT", f"/sources/{source_id}/labels", json={"labels": []})
    assert call("DELETE", "/labels/env/prod").status_code == 200


def test_settings_update_is_an_upsert_and_null_removes(simulator: Simulator) -> None:
    call = client(simulator)
    r = call("POST", "/sources", json={"slug": "w", "enabled": True, "metadataId": JS,
                                       "settings": {"a": 1, "b": 2}})
    source_id = r.json()["data"]["source"]["id"]
    r = call("PATCH", f"/sources/{source_id}", json={"settings": {"a": None, "c": 3},
                                                     "name": "Site"})
    source = r.json()["data"]["source"]
    assert source["settings"] == {"b": 2, "c": 3} and source["name"] == "Site"


# Media types ---------------------------------------------------------------
def test_alpha_only_operation_refuses_v1_accept(simulator: Simulator) -> None:
    call = client(simulator)
    source_id = make_source(call, "web")
    path = f"/sources/{source_id}/writekey"
    assert call("POST", path, headers={"Accept": V1}).status_code == 406
    r = call("POST", path, headers={"Accept": ALPHA})
    assert r.status_code == 200 and r.headers["Content-Type"] == ALPHA
    assert len(r.json()["data"]["source"]["writeKeys"]) == 2


def test_unsupported_body_type_gives_415(simulator: Simulator) -> None:
    r = client(simulator)("POST", "/labels", data="key=env",
                          headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


# Pagination ----------------------------------------------------------------
@pytest.fixture(scope="module")
def thousand() -> object:
    with Simulator() as sim:
        call = client(sim)
        ids = [make_source(call, f"src-{i}") for i in range(1000)]
        yield sim, ids


def _encode(style: str, count: int, cursor: str | None) -> dict[str, str]:
    if style == "dot":
        return {"pagination.count": str(count)} | (
            {"pagination.cursor": cursor} if cursor else {})
    if style == "bracket":
        return {"pagination[count]": str(count)} | (
            {"pagination[cursor]": cursor} if cursor else {})
    doc = {"count": count} | ({"cursor": cursor} if cursor else {})
    return {"pagination": json.dumps(doc)}


@pytest.mark.parametrize("style", ["dot", "bracket", "json"])
def test_paging_visits_each_of_1000_sources_once(thousand: tuple[Simulator, list[str]],
                                                 style: str) -> None:
    sim, ids = thousand
    call = client(sim)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        r = call("GET", "/sources", params=_encode(style, 50, cursor))
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        assert len(data["sources"]) == 50
        assert data["pagination"]["totalEntries"] == 1000
        seen += [s["id"] for s in data["sources"]]
        pages += 1
        cursor = data["pagination"].get("next")
        if cursor is None:
            break
    assert pages == 20 and seen == ids


def test_default_page_is_200(thousand: tuple[Simulator, list[str]]) -> None:
    r = client(thousand[0])("GET", "/sources")
    assert len(r.json()["data"]["sources"]) == 200


@pytest.mark.parametrize("count", ["0", "1001", "many"])
def test_count_out_of_range_gives_422(simulator: Simulator, count: str) -> None:
    r = client(simulator)("GET", "/sources", params={"pagination.count": count})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "pagination.count"


# Rate limits ---------------------------------------------------------------
def test_default_limit_answers_429_with_headers(simulator_factory: Callable[..., Simulator]
                                                ) -> None:
    sim = simulator_factory(rate_limit=5, time_scale=0.02)
    call = client(sim)
    for i in range(5):
        r = call("GET", "/sources")
        assert r.status_code == 200
        assert r.headers["X-RateLimit-Consumed"] == str(i + 1)
        assert r.headers["X-RateLimit-Remaining"] == str(4 - i)
        parsedate_to_datetime(r.headers["X-RateLimit-Reset"])
    r = call("GET", "/sources")
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    assert r.headers["X-RateLimit-Remaining"] == "0"
    error = r.json()["errors"][0]
    assert error["type"] == "RequestError" and error["message"] == "Too many requests"
    assert error["data"]["remainingPoints"] == 0 and error["data"]["consumedPoints"] == 6
    assert 0 < error["data"]["msBeforeNext"] <= 1200
    time.sleep(error["data"]["msBeforeNext"] / 1000 + 0.05)
    assert call("GET", "/sources").status_code == 200


def test_endpoint_limit_from_catalogue(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory()
    call = client(sim)
    path = "/spaces/spa_9aQ1Lj62S4bomZKLF4DPqW/computed-traits"  # 25 per minute
    codes = [call("GET", path, headers={"Accept": ALPHA}).status_code for _ in range(26)]
    assert codes[:25] == [200] * 25 and codes[25] == 429
    assert call("GET", "/sources").status_code == 200  # other endpoints unaffected


def test_limits_are_per_token(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(rate_limit=1)
    call = client(sim)
    assert call("GET", "/sources").status_code == 200
    assert call("GET", "/sources").status_code == 429
    r = requests.get(sim.base_url + "/sources", headers={"Authorization": "Bearer x"}, timeout=5)
    assert r.status_code == 401  # a wrong token is refused, not counted against the limit


# Faults --------------------------------------------------------------------
def test_injected_5xx_does_not_apply_the_write(simulator: Simulator) -> None:
    r = client(simulator)("POST", "/sources", headers={"X-Simulator-Fault": "503"},
                          json={"slug": "w", "enabled": True, "metadataId": JS})
    assert r.status_code == 503 and r.json()["errors"][0]["type"]
    assert simulator.state.count("sources") == 0


def test_fault_after_write_applies_it_then_fails(simulator: Simulator) -> None:
    r = client(simulator)("POST", "/sources", headers={"X-Simulator-Fault": "after-write"},
                          json={"slug": "w", "enabled": True, "metadataId": JS})
    assert r.status_code == 500
    assert simulator.state.count("sources") == 1


def test_injected_429_has_retry_after(simulator: Simulator) -> None:
    r = client(simulator)("GET", "/sources", headers={"X-Simulator-Fault": "429"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"


def test_drop_closes_the_connection(simulator: Simulator) -> None:
    with pytest.raises(requests.ConnectionError):
        client(simulator)("GET", "/sources", headers={"X-Simulator-Fault": "drop"})
    assert client(simulator)("GET", "/sources").status_code == 200


def test_latency_header_delays_the_answer(simulator: Simulator) -> None:
    start = time.monotonic()
    r = client(simulator)("GET", "/sources", headers={"X-Simulator-Fault": "latency=200"})
    assert r.status_code == 200 and time.monotonic() - start >= 0.2


def test_configured_fault_rate(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(faults=Faults(error_5xx=0.5), seed=7)
    codes = [client(sim)("GET", "/sources").status_code for _ in range(200)]
    assert 60 < codes.count(503) < 140 and codes.count(503) + codes.count(200) == 200


# Echo ----------------------------------------------------------------------
def test_echo(simulator: Simulator) -> None:
    call = client(simulator)
    r = call("GET", "/echo", params={"message": "hi"})
    data = r.json()["data"]
    assert data["message"] == "hi" and data["method"] == "get"
    assert "authorization" not in {k.lower() for k in data["headers"]}
    assert call("GET", "/echo", params={"message": "x", "statusCode": "418"}).status_code == 418
    r = call("GET", "/echo", params={"message": "x", "triggerMultipleErrors": "true"})
    assert len(r.json()["errors"]) == 2
    assert call("GET", "/echo").status_code == 422


# Persistence ---------------------------------------------------------------
def test_state_survives_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    with Simulator(state_file=state_file, token="sgp_" + "a" * 64) as sim:
        source_id = make_source(client(sim), "kept")
    text = state_file.read_text()
    assert source_id in text and "sgp_" not in text
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    with Simulator(state_file=state_file) as sim:
        r = client(sim)("GET", f"/sources/{source_id}")
        assert r.status_code == 200 and r.json()["data"]["source"]["slug"] == "kept"
        assert sim.state.count("sources") == 1
