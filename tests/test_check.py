"""`check`: the cheapest read proves a connection and names the workspace; each failure says
what to change."""

from __future__ import annotations

import json
import re
import socket

import pytest
import responses

from connector import cli
from connector.check import (
    TokenRefusedError,
    UnreachableError,
    WrongRegionError,
    check_connection,
)
from connector.connection import Connection
from connector.retry import RetryPolicy
from connector.simulator import Simulator

POLICY = RetryPolicy(max_retries=0, timeout_s=5, deadline_s=10)
WORKSPACE = {"data": {"workspace": {"id": "w1", "name": "Prod", "slug": "prod",
                                    "createdAt": "2024-01-01T00:00:00Z"}}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_check_names_the_workspace_of_the_simulator(simulator: Simulator) -> None:
    got = check_connection(Connection(token=simulator.token, base_url=simulator.base_url),
                           policy=POLICY)
    ws = simulator.state.workspace
    assert got["workspace"] == {"id": ws["id"], "name": ws["name"], "slug": ws["slug"]}
    assert got["baseUrl"] == simulator.base_url


def test_cli_check_prints_the_workspace(simulator: Simulator,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", "--token", simulator.token, "--base-url", simulator.base_url])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["workspace"]["id"] == \
        simulator.state.workspace["id"]


def test_cli_check_with_a_wrong_token_exits_3_saying_it_was_refused(
        simulator: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", "--token", "sgp_not_the_right_one_123", "--base-url",
                     simulator.base_url, "--error-format", "json"])
    assert code == 3
    record = json.loads(capsys.readouterr().err)
    assert record["error"]["code"] == "token_refused"
    assert record["error"]["category"] == "config" and record["error"]["retryable"] is False
    assert "token was refused" in record["error"]["message"]
    assert "sgp_not_the_right_one_123" not in json.dumps(record)


def test_an_unreachable_host_exits_4_and_says_what_to_check(
        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code = cli.main(["check", "--token", "sgp_abcdefgh", "--base-url", url])
    assert code == 4
    err = capsys.readouterr().err
    assert f"cannot reach {url}" in err and "network" in err
    with pytest.raises(UnreachableError) as caught:
        check_connection(Connection(token="sgp_abcdefgh", base_url=url), policy=POLICY)
    assert caught.value.sent is False


@responses.activate
def test_a_token_of_the_other_region_says_which_region() -> None:
    responses.get(re.compile(r"https://api\.segmentapis\.com/.*"), status=401,
                  json={"errors": [{"type": "unauthorized", "message": "Unauthorized"}]})
    responses.get(re.compile(r"https://eu1\.api\.segmentapis\.com/.*"), json=WORKSPACE)
    with pytest.raises(WrongRegionError) as caught:
        check_connection(Connection(token="sgp_eu_token_1234"), policy=POLICY)
    assert "--region eu1.api" in str(caught.value)
    assert caught.value.status == 401


@responses.activate
def test_a_token_no_region_knows_is_refused() -> None:
    responses.get(re.compile(r"https://.*segmentapis\.com/.*"), status=401,
                  json={"errors": [{"type": "unauthorized", "message": "Unauthorized"}]})
    with pytest.raises(TokenRefusedError, match="token was refused"):
        check_connection(Connection(token="sgp_unknown_1234", region="eu1.api"), policy=POLICY)
    assert {c.request.url.split("/")[2] for c in responses.calls} == {
        "eu1.api.segmentapis.com", "api.segmentapis.com"}
