"""API failures become typed errors with the API's envelope; the token never leaks anywhere."""

from __future__ import annotations

import json
import logging
import traceback

import pytest
import requests
import responses

from connector import cli
from connector.connection import Connection
from connector.errors import (
    ApiError,
    ApiValidationError,
    AuthError,
    ConflictError,
    ConnectorError,
    InputError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from connector.registry import Registry
from connector.retry import RetryPolicy
from connector.runtime import Runtime

TOKEN = "sgp_SECRET_redaction_probe_7f3a9c1e5b"
BASE = "https://api.segmentapis.com"
NO_RETRY = RetryPolicy(max_retries=0, rate_limit_retries=0)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


@pytest.fixture
def rt(registry: Registry) -> Runtime:
    return Runtime(Connection(token=TOKEN), registry=registry, policy=NO_RETRY,
                   sleep=lambda _s: None)


def envelope(message: str, **extra: str) -> dict:
    return {"errors": [{"type": "error", "message": message, **extra}]}


@pytest.mark.parametrize(("status", "cls"), [
    (400, ApiError), (401, AuthError), (403, AuthError), (404, NotFoundError),
    (409, ConflictError), (422, ApiValidationError), (429, RateLimitedError),
    (500, ServerError), (503, ServerError),
])
@responses.activate
def test_status_maps_to_a_typed_error_with_the_envelope(rt: Runtime, status: int,
                                                        cls: type[ApiError]) -> None:
    body = envelope(f"problem {status}", field="slug")
    responses.get(f"{BASE}/sources/s1", status=status, json=body)
    with pytest.raises(cls) as caught:
        rt.run("getSource", {"sourceId": "s1"})
    err = caught.value
    assert type(err) is cls
    assert err.status == status
    assert err.errors == body["errors"]
    assert f"problem {status}" in str(err)
    assert "GET /sources/s1" in str(err)
    assert err.to_dict()["status"] == status
    assert err.to_dict()["errors"] == body["errors"]


@responses.activate
def test_422_names_the_field(rt: Runtime) -> None:
    responses.post(f"{BASE}/sources", status=422,
                   json=envelope("slug is already taken", field="slug"))
    with pytest.raises(ApiValidationError) as caught:
        rt.run("createSource", {"slug": "web", "metadataId": "m"})
    assert "slug is already taken" in str(caught.value)
    assert "field slug" in str(caught.value)


@responses.activate
def test_401_says_what_is_wrong(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources/s1", status=401, json=envelope("Unauthorized"))
    with pytest.raises(AuthError) as caught:
        rt.run("getSource", {"sourceId": "s1"})
    message = str(caught.value).lower()
    assert "token" in message
    assert "expired" in message or "missing" in message


@responses.activate
def test_error_without_a_json_body_still_has_status(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources/s1", status=502, body="<html>Bad Gateway</html>")
    with pytest.raises(ServerError) as caught:
        rt.run("getSource", {"sourceId": "s1"})
    assert caught.value.status == 502
    assert caught.value.errors == []


# -- the token never leaks -------------------------------------------------------------
def _assert_clean(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text


@responses.activate
def test_token_echoed_by_the_api_is_masked_in_the_error(rt: Runtime) -> None:
    responses.get(f"{BASE}/sources/s1", status=403,
                  json=envelope(f"token {TOKEN} cannot read this workspace"))
    with pytest.raises(AuthError) as caught:
        rt.run("getSource", {"sourceId": "s1"})
    err = caught.value
    formatted = "".join(traceback.format_exception(err))
    _assert_clean(str(err), repr(err), formatted, json.dumps(err.to_dict()),
                  json.dumps(err.errors), repr(err.__dict__))
    assert "***" in str(err)


@pytest.mark.parametrize("exc", [
    requests.exceptions.ConnectionError(f"could not reach host with Bearer {TOKEN}"),
    requests.exceptions.ReadTimeout(f"timed out; headers Authorization: Bearer {TOKEN}"),
])
@responses.activate
def test_transport_errors_leave_no_token_in_tracebacks(rt: Runtime, exc: Exception) -> None:
    responses.get(f"{BASE}/sources/s1", body=exc)
    with pytest.raises(ConnectorError) as caught:
        rt.run("getSource", {"sourceId": "s1"})
    err = caught.value
    formatted = "".join(traceback.format_exception(err))
    _assert_clean(str(err), repr(err), formatted)
    # The cause chain of requests' errors holds the prepared request and its headers.
    assert err.__cause__ is None


@responses.activate
def test_debug_logs_never_show_the_token(registry: Registry,
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rt = Runtime(Connection(token=TOKEN), registry=registry, debug=True,
                 policy=RetryPolicy(max_retries=1, delay_ms=0, exponential=False),
                 sleep=lambda _s: None)
    responses.get(f"{BASE}/sources/s1", status=503, json=envelope(f"echo {TOKEN}"))
    responses.get(f"{BASE}/sources/s1", json={"data": {"source": {"id": "s1",
                                                                  "note": TOKEN}}})
    rt.run("getSource", {"sourceId": "s1"})
    assert caplog.records, "debug mode should log the request and the response"
    assert any("/sources/s1" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        _assert_clean(record.getMessage(), caplog.text)


@responses.activate
def test_raw_request_debug_logs_never_show_the_token(rt: Runtime,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    responses.get(f"{BASE}/sources", json={"echo": TOKEN})
    rt.run("rawRequest", {"url": "/sources", "method": "GET", "debugRequest": True})
    assert caplog.records
    _assert_clean(caplog.text)


def test_connection_repr_hides_the_token() -> None:
    conn = Connection(token=TOKEN, region="eu1.api")
    _assert_clean(repr(conn), str(conn), f"{conn}")
    assert "***" in repr(conn)
    assert "eu1.api" in repr(conn)


def test_input_error_does_not_echo_the_token(rt: Runtime) -> None:
    with pytest.raises(InputError) as caught:
        rt.dry_run("rawRequest", {"url": f"https://example.com/?t={TOKEN}", "method": "GET"})
    _assert_clean(str(caught.value), "".join(traceback.format_exception(caught.value)))


def test_dry_run_masks_the_token(rt: Runtime) -> None:
    described = rt.dry_run("getSource", {"sourceId": "s1"})
    _assert_clean(json.dumps(described))
    assert described["headers"]["Authorization"] == "Bearer ***"


# -- the CLI ---------------------------------------------------------------------------
def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@responses.activate
def test_cli_debug_run_leaves_no_token_on_stdout_or_stderr(
        capsys: pytest.CaptureFixture[str]) -> None:
    responses.get(f"{BASE}/sources/s1", json={"data": {"source": {"id": "s1", "x": TOKEN}}})
    code, out, err = _cli(capsys, "run", "getSource", "-i", "sourceId=s1",
                          "--token", TOKEN, "--debug")
    assert code == 0
    assert json.loads(out)["data"]["data"]["source"]["id"] == "s1"
    assert "/sources/s1" in err  # debug output went to stderr
    _assert_clean(out, err)


def test_cli_dry_run_masks_the_token(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(capsys, "run", "getSource", "-i", "sourceId=s1",
                          "--token", TOKEN, "--debug", "--dry-run")
    assert code == 0
    assert json.loads(out)["headers"]["Authorization"] == "Bearer ***"
    _assert_clean(out, err)


@responses.activate
def test_cli_api_error_leaves_no_token(capsys: pytest.CaptureFixture[str]) -> None:
    responses.get(f"{BASE}/sources/s1", status=401,
                  json=envelope(f"bad token {TOKEN}"))
    code, out, err = _cli(capsys, "run", "getSource", "-i", "sourceId=s1",
                          "--token", TOKEN, "--debug")
    assert code == 3
    assert "401" in err
    _assert_clean(out, err)


@responses.activate
def test_cli_input_error_leaves_no_token(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(capsys, "run", "rawRequest", "-i", f"url=https://evil.example/{TOKEN}",
                          "-i", "method=GET", "--token", TOKEN, "--debug")
    assert code == 2
    assert "url" in err
    assert len(responses.calls) == 0
    _assert_clean(out, err)


def test_cli_token_from_the_environment_is_masked(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGMENT_API_TOKEN", TOKEN)
    code, out, err = _cli(capsys, "run", "getSource", "-i", "sourceId=s1", "--dry-run")
    assert code == 0
    _assert_clean(out, err)
