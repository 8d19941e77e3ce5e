"""`--log-format json`: one JSON object a log record, with the token masked in the message
and the traceback, for the CLI, the service and the workers alike."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from connector import cli
from connector.logformat import JsonFormatter, configure
from connector.redact import Secrets, scope
from connector.simulator import Simulator


def test_the_cli_logs_one_masked_json_object_a_record(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGMENT_API_TOKEN", raising=False)
    with Simulator() as sim:
        code = cli.main(["--log-format", "json", "run", "getWorkspace", "--debug",
                         "--token", sim.token, "--base-url", sim.base_url])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["data"]
    records = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert records and {"time", "level", "logger", "message"} <= set(records[0])
    assert any(r["message"].startswith("request ") for r in records)
    assert sim.token not in err
    cli.main(["--log-format", "text", "list", "--json"])  # back to text for other tests
    capsys.readouterr()


def test_a_traceback_and_a_token_shaped_text_are_masked() -> None:
    token = "sgp_" + "A1b2" * 16
    record = logging.LogRecord("segment_connector", logging.ERROR, __file__, 1,
                               "failed with %s", ("the token " + token,), None)
    try:
        raise RuntimeError(f"boom {token}")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    got = json.loads(line)
    assert token not in line and "***" in got["message"] and "boom ***" in got["exception"]
    secret = "a-workspace-secret-value"
    with scope(Secrets(secret)):
        masked = JsonFormatter().format(logging.LogRecord(
            "x", logging.INFO, __file__, 1, "%s", (secret,), None))
    assert secret not in masked


def test_configure_replaces_its_own_handler(capsys: pytest.CaptureFixture[str]) -> None:
    name = "segment_connector.test_log_format"
    configure("json", "info", (name,))
    configure("json", "info", (name,))
    log = logging.getLogger(name)
    assert len(log.handlers) == 1
    log.info("hello %s", "there")
    assert json.loads(capsys.readouterr().err)["message"] == "hello there"
    log.handlers.clear()


def test_serve_writes_uvicorn_and_package_records_as_json() -> None:
    from connector.service.logs import ServiceLogFilter, log_config

    config = log_config("info", "json")
    assert {f["()"] for f in config["formatters"].values()} == {
        "connector.logformat.JsonFormatter"}
    assert all(h["filters"] == ["redact"] for h in config["handlers"].values())
    token = "sgp_" + "Z9" * 32
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", f"/v1/x?t={token}", "1.1", 200), None)
    ServiceLogFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["logger"] == "uvicorn.access" and token not in line["message"]
