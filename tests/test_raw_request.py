"""Raw Request: every input of the seed product, and the guard that keeps the token on Segment."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from connector.connection import Connection
from connector.errors import ApiError, InputError, ServerError
from connector.registry import Registry
from connector.runtime import Runtime

TOKEN = "sgp_raw_request_test_token_42"
BASE = "https://api.segmentapis.com"
SEGMENT_URL = re.compile(r"https://(api|eu1\.api|platform)\.segmentapis\.com(:443)?/.*", re.I)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


class Waits(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def rt(registry: Registry, waits: Waits) -> Runtime:
    return Runtime(Connection(token=TOKEN), registry=registry, sleep=waits)


def raw(rt: Runtime, **inputs: Any) -> Any:
    inputs.setdefault("method", "GET")
    return rt.run("rawRequest", inputs)["data"]


# -- basic calls -------------------------------------------------------------------
@responses.activate
def test_path_is_sent_to_the_region_host_with_the_token(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", json={"data": {"sources": []}})
    assert raw(rt, url="/sources") == {"data": {"sources": []}}
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["Accept"] == "application/json"


@responses.activate
def test_path_without_leading_slash(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", json={})
    raw(rt, url="sources")
    assert len(responses.calls) == 1


@responses.activate
def test_region_eu_sends_to_the_eu_host(rt: Runtime) -> None:
    responses.get("https://eu1.api.segmentapis.com/sources", json={"data": {}})
    raw(rt, url="/sources", region="eu1.api")
    assert urlsplit(responses.calls[0].request.url).hostname == "eu1.api.segmentapis.com"


@responses.activate
def test_query_parameters_use_dot_notation_and_repeat_lists(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", json={})
    raw(rt, url="/sources",
        queryParams={"pagination.count": 10, "pagination": {"cursor": "MA=="},
                     "type": ["A", "B"]})
    query = parse_qsl(urlsplit(responses.calls[0].request.url).query)
    assert ("pagination.count", "10") in query
    assert ("pagination.cursor", "MA==") in query
    assert [v for k, v in query if k == "type"] == ["A", "B"]


@responses.activate
def test_query_parameters_as_json_text(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", json={})
    raw(rt, url="/sources", queryParams='{"pagination.count": 5}')
    assert "pagination.count=5" in responses.calls[0].request.url


@responses.activate
def test_extra_headers_are_sent(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", json={})
    raw(rt, url="/sources", headers={"Accept": "application/vnd.segment.v1beta+json",
                                     "X-Trace": "abc"})
    sent = responses.calls[0].request.headers
    assert sent["Accept"] == "application/vnd.segment.v1beta+json"
    assert sent["X-Trace"] == "abc"


@responses.activate
def test_object_data_is_sent_as_json(rt: Runtime) -> None:
    responses.post(f"{BASE}/sources", status=201, json={"data": {"source": {"id": "n"}}})
    body = {"slug": "site", "enabled": True, "metadataId": "IqDTy1TpoU"}
    raw(rt, url="/sources", method="POST", data=body)
    sent = responses.calls[0].request
    assert json.loads(sent.body) == body
    assert sent.headers["Content-Type"] == "application/json"


@responses.activate
def test_text_data_is_sent_as_is(rt: Runtime) -> None:
    responses.post(f"{BASE}/sources", status=201, json={})
    text = '{"slug":"site","enabled":true}'
    raw(rt, url="/sources", method="POST", data=text)
    sent = responses.calls[0].request
    body = sent.body.decode() if isinstance(sent.body, bytes) else sent.body
    assert json.loads(body) == {"slug": "site", "enabled": True}
    assert sent.headers["Content-Type"] == "application/json"


@responses.activate
def test_plain_text_data_keeps_its_text(rt: Runtime) -> None:
    responses.put(f"{BASE}/things", json={})
    raw(rt, url="/things", method="PUT", data="hello world",
        headers={"Content-Type": "text/plain"})
    sent = responses.calls[0].request
    body = sent.body.decode() if isinstance(sent.body, bytes) else sent.body
    assert body == "hello world"
    assert sent.headers["Content-Type"] == "text/plain"


@responses.activate
def test_form_and_file_data_make_a_multipart_upload(rt: Runtime) -> None:
    responses.post(f"{BASE}/uploads", json={"ok": True})
    raw(rt, url="/uploads", method="POST", formData={"kind": "csv"},
        fileData={"file": "id,email\n1,a@example.com\n"},
        fileDataFileNames={"file": "users.csv"})
    sent = responses.calls[0].request
    assert sent.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    body = sent.body.decode()
    assert 'name="kind"' in body and "csv" in body
    assert 'name="file"; filename="users.csv"' in body
    assert "1,a@example.com" in body


@responses.activate
def test_file_without_a_name_is_named_after_its_field(rt: Runtime) -> None:
    responses.post(f"{BASE}/uploads", json={})
    raw(rt, url="/uploads", method="POST", fileData={"report": "x"})
    assert 'name="report"; filename="report"' in responses.calls[0].request.body.decode()


# -- response types -------------------------------------------------------------------
@responses.activate
def test_response_type_json_is_the_default(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", json={"data": {"n": 1}})
    assert raw(rt, url="/sources") == {"data": {"n": 1}}


@responses.activate
def test_response_type_text(rt: Runtime) -> None:
    responses.get(f"{BASE}/export", body="a,b\n1,2\n", content_type="text/csv")
    assert raw(rt, url="/export", responseType="text") == "a,b\n1,2\n"


@responses.activate
def test_response_type_binary(rt: Runtime) -> None:
    payload = bytes(range(256))
    responses.get(f"{BASE}/blob", body=payload, content_type="application/octet-stream")
    assert raw(rt, url="/blob", responseType="binary") == payload


@responses.activate
def test_json_expected_but_html_answered_is_a_clear_error(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", body="<html>oops</html>", content_type="text/html")
    with pytest.raises(ApiError, match="expected JSON, got text/html"):
        raw(rt, url="/sources")


def test_unknown_response_type_is_an_input_error(rt: Runtime) -> None:
    with pytest.raises(InputError) as caught:
        raw(rt, url="/sources", responseType="xml")
    assert "responseType" in caught.value.fields


# -- timeout and retries ------------------------------------------------------------
@responses.activate
def test_timeout_is_given_in_milliseconds(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", json={})
    raw(rt, url="/sources", timeout=2500)
    assert responses.calls[0].request.req_kwargs["timeout"] == 2.5


@responses.activate
def test_blank_timeout_uses_the_runtime_default(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", json={})
    raw(rt, url="/sources")
    assert responses.calls[0].request.req_kwargs["timeout"] == rt.policy.timeout_s


@responses.activate
def test_no_retries_by_default(rt: Runtime, waits: Waits) -> None:
    responses.get(f"{BASE}/sources", status=503, json={"errors": [{"message": "down"}]})
    with pytest.raises(ServerError):
        raw(rt, url="/sources")
    assert len(responses.calls) == 1
    assert waits == []


@responses.activate
def test_max_retry_count_and_retry_delay(rt: Runtime, waits: Waits) -> None:
    responses.get(f"{BASE}/sources", status=503, json={"errors": [{"message": "down"}]})
    with pytest.raises(ServerError):
        raw(rt, url="/sources", maxRetries=2, retryDelayMS=300)
    assert len(responses.calls) == 3
    assert waits == [0.3, 0.3]


@responses.activate
def test_retry_then_success(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", status=500, json={"errors": [{"message": "x"}]})
    responses.get(f"{BASE}/sources", json={"data": "ok"})
    assert raw(rt, url="/sources", maxRetries=1) == {"data": "ok"}


@responses.activate
def test_post_is_retried_only_with_retry_on_all_errors(rt: Runtime) -> None:
    responses.post(f"{BASE}/sources", status=503, json={"errors": [{"message": "down"}]})
    with pytest.raises(ServerError):
        raw(rt, url="/sources", method="POST", data={}, maxRetries=2)
    assert len(responses.calls) == 1
    responses.calls.reset()
    with pytest.raises(ServerError):
        raw(rt, url="/sources", method="POST", data={}, maxRetries=2, retryAllErrors=True)
    assert len(responses.calls) == 3


@responses.activate
def test_retry_on_all_errors_retries_4xx(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", status=400, json={"errors": [{"message": "bad"}]})
    with pytest.raises(ApiError):
        raw(rt, url="/sources", maxRetries=1, retryAllErrors=True)
    assert len(responses.calls) == 2


@responses.activate
def test_exponential_backoff_from_zero_delay_waits_and_grows(rt: Runtime, waits: Waits
                                                             ) -> None:
    responses.get(f"{BASE}/sources", status=503, json={"errors": [{"message": "down"}]})
    with pytest.raises(ServerError):
        raw(rt, url="/sources", maxRetries=3, useExponentialBackoff=True)
    assert len(waits) == 3
    assert all(w >= 0.1 for w in waits)
    # equal jitter: attempt n waits between 0.1 * 2**(n-1) and 0.2 * 2**(n-1)
    for n, wait in enumerate(waits, start=1):
        assert 0.1 * 2 ** (n - 1) <= wait <= 0.2 * 2 ** (n - 1)


@responses.activate
def test_429_is_retried_when_retries_are_allowed(rt: Runtime, waits: Waits) -> None:
    responses.get(f"{BASE}/sources", status=429, headers={"Retry-After": "3"},
                  json={"errors": [{"message": "slow"}]})
    responses.get(f"{BASE}/sources", json={})
    raw(rt, url="/sources")
    assert waits == [3.0]


# -- the host guard ------------------------------------------------------------------
REFUSED = [
    "https://example.com/x",
    "//evil.example/sources",
    "https://api.segmentapis.com@evil.example/",
    "https://user:pw@api.segmentapis.com/sources",
    "\\\\evil.example\\x",
    "/\\evil.example/x",
    "https:\\\\evil.example",
    "%2F%2Fevil.example/x",
    "%2f%2fevil.example",
    "%5C%5Cevil.example",
    "/%5Cevil.example",
    "%252F%252Fevil.example",
    "http://api.segmentapis.com/sources",
    "https://api.segmentapis.com:8443/sources",
    "https://api.segmentapis.com.evil.example/sources",
    "ftp://api.segmentapis.com/sources",
    "/sources with space",
]


@pytest.mark.parametrize("url", REFUSED)
@responses.activate
def test_guard_refuses_urls_that_could_leave_segment(rt: Runtime, url: str) -> None:
    with pytest.raises(InputError) as caught:
        raw(rt, url=url)
    assert set(caught.value.fields) == {"url"}
    assert TOKEN not in str(caught.value)
    assert len(responses.calls) == 0


@pytest.mark.parametrize("url", REFUSED[:4])
def test_guard_refuses_in_dry_run_too(rt: Runtime, url: str) -> None:
    with pytest.raises(InputError):
        rt.dry_run("rawRequest", {"url": url, "method": "GET"})


@pytest.mark.parametrize("url", [
    "/sources",
    "/sources?pagination.count=1",
    "https://api.segmentapis.com/sources",
    "https://API.segmentapis.com/sources",
    "https://eu1.api.segmentapis.com/sources",
    "https://api.segmentapis.com:443/sources",
])
@responses.activate
def test_guard_accepts_paths_and_segment_hosts(rt: Runtime, url: str) -> None:
    responses.get(SEGMENT_URL, json={"ok": True})
    assert raw(rt, url=url) == {"ok": True}
    assert len(responses.calls) == 1
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("url", ["https://platform.segmentapis.com/v1beta/workspaces",
                                 "https://PLATFORM.segmentapis.com:443/v1beta/workspaces/x/sources"])
@responses.activate
def test_config_api_url_points_to_legacy_run(rt: Runtime, url: str) -> None:
    with pytest.raises(InputError) as caught:
        raw(rt, url=url)
    assert "legacy run" in caught.value.fields["url"]
    assert len(responses.calls) == 0


def test_guard_problem_and_other_problems_are_reported_together(rt: Runtime) -> None:
    with pytest.raises(InputError) as caught:
        raw(rt, url="https://example.com/x", method="FETCH")
    assert {"url", "method"} <= set(caught.value.fields)



# -- how the URL and headers are put together ---------------------------------------
@responses.activate
def test_query_in_the_url_and_query_parameters_make_one_query(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", json={})
    raw(rt, url="/sources?a=1", queryParams={"b": 2})
    assert responses.calls[0].request.url == f"{BASE}/sources?a=1&b=2"


@pytest.mark.parametrize(("url", "sent"), [
    ("/sources#section", f"{BASE}/sources"),  # fragments are never sent
    ("/sources?next=https://example.com/x", f"{BASE}/sources?next=https://example.com/x"),
    ("/labels/caf\u00e9", f"{BASE}/labels/caf%C3%A9"),
])
@responses.activate
def test_url_is_sent_as_an_ascii_request_target(rt: Runtime, url: str, sent: str) -> None:
    responses.get(re.compile(".*"), json={})
    raw(rt, url=url)
    assert responses.calls[0].request.url == sent


@responses.activate
def test_header_names_replace_defaults_whatever_their_case(rt: Runtime) -> None:
    responses.put(f"{BASE}/things", json={})
    raw(rt, url="/things", method="PUT", data="hello",
        headers={"content-type": "text/plain", "accept": "text/csv"})
    sent = responses.calls[0].request.headers
    assert sent["Content-Type"] == "text/plain"
    assert sent["Accept"] == "text/csv"


@responses.activate
def test_header_values_true_false_numbers_and_blanks(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources", json={})
    raw(rt, url="/sources", headers={"X-On": True, "X-Off": False, "X-N": 3, "X-None": None})
    sent = responses.calls[0].request.headers
    assert (sent["X-On"], sent["X-Off"], sent["X-N"]) == ("true", "false", "3")
    assert "X-None" not in sent


def test_userinfo_is_refused_without_quoting_it(rt: Runtime) -> None:
    with pytest.raises(InputError) as caught:
        raw(rt, url="https://me:hunter2@api.segmentapis.com/sources")
    assert "hunter2" not in str(caught.value)
