"""What goes on the wire: URL, query string, body and headers built from an action's inputs."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from connector import __version__
from connector.connection import Connection
from connector.errors import InputError
from connector.registry import Registry
from connector.runtime import Runtime
from connector.spec import V1, V1ALPHA, V1BETA, Action

TOKEN = "sgp_build_test_token_0123456789"
BASE = "https://api.segmentapis.com"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


@pytest.fixture
def rt(registry: Registry) -> Runtime:
    return Runtime(Connection(token=TOKEN), registry=registry, sleep=lambda _s: None)


@pytest.mark.parametrize(
    ("source_id", "segment"),
    [
        ("a/../b", "a%2F..%2Fb"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("what?x=1", "what%3Fx%3D1"),
        ("frag#ment", "frag%23ment"),
        ("with space", "with%20space"),
        ("ünï/cødé", "%C3%BCn%C3%AF%2Fc%C3%B8d%C3%A9"),
    ],
)
def test_path_parameter_stays_one_segment(rt: Runtime, source_id: str, segment: str) -> None:
    req = rt.prepare(rt.plugins.action("getSource"), {"sourceId": source_id})
    assert req.url == f"{BASE}/sources/{segment}"
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/sources/{segment}", json={"data": {"source": {"id": source_id}}})
        out = rt.run("getSource", {"sourceId": source_id})
        sent = urlsplit(rsps.calls[0].request.url)
    assert out["data"]["data"]["source"]["id"] == source_id
    # requests must not have normalised the dot-segments or split the id.
    assert sent.path == f"/sources/{segment}"
    assert sent.query == "" and sent.fragment == ""


def test_paging_inputs_use_dot_notation(rt: Runtime) -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/sources", json={"data": {"sources": [], "pagination": {}}})
        rt.run("listSources", {"count": 50, "cursor": "MA=="})
        query = parse_qsl(urlsplit(rsps.calls[0].request.url).query)
    assert query == [("pagination.count", "50"), ("pagination.cursor", "MA==")]


def test_default_page_size_is_sent(rt: Runtime) -> None:
    req = rt.prepare(rt.plugins.action("listSources"), {})
    assert req.params == [("pagination.count", "50")]


def test_array_query_input_repeats_the_key(rt: Runtime) -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/regulations/sources/src1",
                 json={"data": {"regulations": [], "pagination": {}}})
        rt.run("listRegulationsFromSource",
               {"sourceId": "src1", "regulationTypes": ["DELETE_ONLY", "SUPPRESS_ONLY"]})
        query = parse_qsl(urlsplit(rsps.calls[0].request.url).query)
    assert ("regulationTypes", "DELETE_ONLY") in query
    assert ("regulationTypes", "SUPPRESS_ONLY") in query
    assert [k for k, _ in query].count("regulationTypes") == 2


def test_array_query_input_accepts_json_text(rt: Runtime) -> None:
    req = rt.prepare(rt.plugins.action("listRegulationsFromSource"),
                     {"sourceId": "s", "regulationTypes": '["DELETE_ONLY"]'})
    assert ("regulationTypes", "DELETE_ONLY") in req.params


def test_json_body_leaves_out_unset_optionals(rt: Runtime) -> None:
    with responses.RequestsMock() as rsps:
        rsps.post(f"{BASE}/sources", status=201, json={"data": {"source": {"id": "new"}}})
        rt.run("createSource", {"slug": "my-site", "metadataId": "IqDTy1TpoU"})
        body = json.loads(rsps.calls[0].request.body)
    # `enabled` is required with a default of true; `settings` was not given.
    assert body == {"slug": "my-site", "enabled": True, "metadataId": "IqDTy1TpoU"}
    assert "region" not in body


def test_patch_sends_only_given_fields(rt: Runtime) -> None:
    with responses.RequestsMock() as rsps:
        rsps.patch(f"{BASE}/sources/src1", json={"data": {"source": {"id": "src1"}}})
        rt.run("updateSource", {"sourceId": "src1", "name": "Renamed"})
        sent = rsps.calls[0].request
    assert json.loads(sent.body) == {"name": "Renamed"}
    assert urlsplit(sent.url).path == "/sources/src1"


@pytest.mark.parametrize("media", [V1, V1BETA, V1ALPHA])
def test_accept_and_content_type_are_the_actions_media_type(rt: Runtime, media: str) -> None:
    action = next(a for a in rt.plugins.actions.items.values()
                  if a.media == media and a.method == "POST" and a.run is None)
    req = rt.prepare(action, _required_values(action))
    assert req.headers["Accept"] == media
    assert req.headers["Content-Type"] == media


def test_get_sends_accept_but_no_content_type(rt: Runtime) -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/sources/abc", json={"data": {}})
        rt.run("getSource", {"sourceId": "abc"})
        sent = rsps.calls[0].request
    assert sent.headers["Accept"] == V1
    assert "Content-Type" not in sent.headers
    assert sent.body is None


def test_auth_and_user_agent_headers(rt: Runtime) -> None:
    with responses.RequestsMock() as rsps:
        rsps.post(f"{BASE}/sources", status=201, json={"data": {}})
        rt.run("createSource", {"slug": "s", "metadataId": "m"})
        headers = rsps.calls[0].request.headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Content-Type"] == V1
    assert "segment-connector" in headers["User-Agent"]
    assert __version__ in headers["User-Agent"]


def test_no_authorization_header_without_a_token(registry: Registry) -> None:
    rt = Runtime(Connection(token=None), registry=registry)
    req = rt.prepare(registry.action("getSource"), {"sourceId": "x"})
    assert "Authorization" not in req.headers


def test_region_input_picks_the_eu_host(rt: Runtime) -> None:
    req = rt.prepare(rt.plugins.action("getSource"), {"sourceId": "x", "region": "eu1.api"})
    assert req.url == "https://eu1.api.segmentapis.com/sources/x"


@responses.activate
def test_invalid_input_names_every_field_and_sends_nothing(rt: Runtime) -> None:
    with pytest.raises(InputError) as caught:
        rt.run("createSource", {"enabled": "not-a-bool", "count": 3})
    fields = caught.value.fields
    assert set(fields) >= {"slug", "metadataId", "enabled", "count"}
    assert fields["slug"] == "is required"
    for name in ("slug", "metadataId", "enabled", "count"):
        assert name in str(caught.value)
    assert len(responses.calls) == 0


@responses.activate
def test_empty_required_id_is_rejected_before_sending(rt: Runtime) -> None:
    with pytest.raises(InputError) as caught:
        rt.run("getSource", {"sourceId": ""})
    assert "sourceId" in caught.value.fields
    assert len(responses.calls) == 0


@responses.activate
def test_page_size_out_of_range_is_rejected(rt: Runtime) -> None:
    with pytest.raises(InputError) as caught:
        rt.run("listSources", {"count": 5000})
    assert "count" in caught.value.fields
    assert len(responses.calls) == 0


def _required_values(action: Action) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for inp in action.inputs:
        if not inp.required or inp.default is not None:
            continue
        if inp.choices:
            values[inp.key] = inp.choices[0]
        elif inp.example is not None:
            values[inp.key] = inp.example
        else:
            values[inp.key] = {"string": "x", "integer": 1, "number": 1.0, "boolean": True,
                               "object": {}, "array": []}.get(inp.type, "x")
    return values
