"""`--error-format json`: one JSON object on stderr per failure; text stays one line."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses

from connector import cli
from connector.cli import commands
from connector.errors import ConnectorError, error_record

TOKEN = "sgp_cli_error_format_token_abcdef0123"
BASE = "https://api.segmentapis.com"
SHAPE = {"status", "action", "error", "exit_code"}
RECORD = {"type", "code", "category", "retryable", "message"}


@pytest.fixture(autouse=True)
def no_env_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SEGMENT_API_TOKEN", "SEGMENT_REGION", "SEGMENT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_record(err: str) -> dict[str, Any]:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    record = json.loads(lines[0])
    assert set(record) == SHAPE
    assert record["status"] == "error"
    assert set(record["error"]) >= RECORD
    return record


@pytest.mark.parametrize("where", ["before", "after"])
def test_input_error_as_json_before_or_after_the_command(
        capsys: pytest.CaptureFixture[str], where: str) -> None:
    option = ["--error-format", "json"]
    argv = ["run", "getSource", "--dry-run"]
    code, out, err = run(capsys, *(option + argv if where == "before" else argv + option))
    assert code == 2 and out == ""
    record = one_record(err)
    assert record["action"] == "getSource"
    assert record["exit_code"] == 2
    assert record["error"]["type"] == "input"
    assert record["error"]["category"] == "config"
    assert record["error"]["fields"] == {"sourceId": "is required"}


def test_unknown_action_as_json_names_the_key_and_suggestions(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--error-format=json", "run", "lsitSources")
    assert code == 2
    record = one_record(err)
    assert record["action"] == "lsitSources"
    assert record["error"]["code"] == "unknown_action"
    assert record["error"]["suggestions"][0] == "listSources"
    assert "action" in record["error"]["fields"]


def test_alias_is_reported_under_its_action_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "listSourcesCatalog", "-i", "count=0", "--dry-run",
                       "--error-format", "json")
    assert code == 2
    assert one_record(err)["action"] == "getSourcesCatalog"


def test_usage_error_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--error-format", "json", "run", "listSources",
                       "--concurrency", "0")
    assert code == 2
    record = one_record(err)
    assert record["action"] is None  # the command line never parsed
    assert record["error"]["code"] == "usage"
    assert record["error"]["fields"] == {"--concurrency": "must be 1 or more, not '0'"}


@responses.activate
def test_api_error_as_json_with_the_token_masked(capsys: pytest.CaptureFixture[str]) -> None:
    responses.get(f"{BASE}/sources/s1", status=404, json={"errors": [
        {"type": "not-found", "message": f"no source s1 for token {TOKEN}"}]})
    code, out, err = run(capsys, "run", "getSource", "-i", "sourceId=s1", "--token", TOKEN,
                         "--error-format", "json")
    assert code == 3 and out == ""
    assert TOKEN not in err
    record = one_record(err)
    assert record["exit_code"] == 3
    assert record["error"]["type"] == "not_found"
    assert record["error"]["status"] == 404
    assert record["error"]["errors"][0]["message"] == "no source s1 for token ***"


def test_json_error_is_error_record_of_the_exception(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    failure = ConnectorError("the plugin gave up")

    def fails(*_args: Any) -> int:
        raise failure

    monkeypatch.setattr(commands, "cmd_list", fails)
    code, _, err = run(capsys, "list", "--error-format", "json")
    assert code == 1
    assert one_record(err) == {"status": "error", "action": None,
                               "error": error_record(failure), "exit_code": 1}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_unexpected_exception_gives_type_and_message_and_exit_1(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        fmt: str) -> None:
    def broken(*_args: Any) -> int:
        raise ValueError(f"bad state near {TOKEN}")

    monkeypatch.setattr(commands, "cmd_list", broken)
    monkeypatch.setenv("SEGMENT_API_TOKEN", TOKEN)  # remembered, so masked
    code, _, err = run(capsys, "list", "--error-format", fmt)
    assert code == 1
    assert TOKEN not in err
    if fmt == "json":
        record = one_record(err)
        assert record["error"]["type"] == "internal"
        assert record["error"]["message"].startswith("ValueError: bad state near")
    else:
        assert err.startswith("error: internal error: ValueError: bad state near")
        assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_exception_without_a_message_is_never_a_bare_name(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        fmt: str) -> None:
    def broken(*_args: Any) -> int:
        raise RuntimeError

    monkeypatch.setattr(commands, "cmd_list", broken)
    code, _, err = run(capsys, "list", "--error-format", fmt)
    assert code == 1
    message = one_record(err)["error"]["message"] if fmt == "json" else err.strip()
    assert message.rstrip(":") not in ("RuntimeError", "error: RuntimeError")
    assert "RuntimeError (no message)" in message


def test_text_format_is_one_line_even_for_a_multiline_message(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(*_args: Any) -> int:
        raise ConnectorError("first line\nsecond line")

    monkeypatch.setattr(commands, "cmd_list", fails)
    code, _, err = run(capsys, "list")
    assert code == 1
    assert err == "error: first line second line\n"


def test_token_from_the_environment_is_masked_in_json_errors(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGMENT_API_TOKEN", TOKEN)
    code, _, err = run(capsys, "run", TOKEN, "--error-format", "json")  # pasted by mistake
    assert code == 2
    assert TOKEN not in err
    record = one_record(err)
    assert record["action"] == "***"
    assert "no action '***'" in record["error"]["message"]


@responses.activate
def test_a_profile_token_echoed_by_the_api_is_masked(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Any) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.prod]\ntoken = "{TOKEN}"\n', "utf-8")
    monkeypatch.setenv("SEGMENT_CONNECTOR_CONFIG", str(config))
    responses.get(f"{BASE}/sources/s1", status=401, json={"errors": [
        {"type": "unauthorized", "message": f"token {TOKEN} revoked"}]})
    for fmt in ("text", "json"):
        code, out, err = run(capsys, "run", "getSource", "-i", "sourceId=s1", "--profile",
                             "prod", "--error-format", fmt)
        assert code == 3
        assert TOKEN not in out + err
        assert "revoked" in err
