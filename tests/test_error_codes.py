"""Errors a flow can route: every code is listed with its category, retry flag and exit code,
and every failure the CLI prints as JSON carries them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector import cli
from connector.errors import API, CONFIG, INTERNAL, TRANSIENT, error_record
from connector.manifest import error_codes

ROOT = Path(__file__).resolve().parent.parent


def test_every_code_has_a_category_a_retry_flag_an_exit_code_and_a_meaning() -> None:
    rows = error_codes()
    assert len({r["code"] for r in rows}) == len(rows)
    for row in rows:
        assert row["category"] in (CONFIG, TRANSIENT, API, INTERNAL), row
        assert isinstance(row["retryable"], bool) and row["exitCode"] in (1, 2, 3, 4), row
        assert row["meaning"], row
    codes = {r["code"] for r in rows}
    assert {"input", "unknown_action", "auth", "token_refused", "rate_limited", "timeout",
            "connection", "unknown_outcome", "results_in_use", "pagination"} <= codes


def test_the_manifest_lists_the_codes_and_how_to_test_a_connection() -> None:
    manifest = json.loads((ROOT / "manifest.json").read_text())
    assert manifest["errors"] == error_codes()
    assert manifest["connection"]["test"]["operation"] == "getWorkspace"
    assert "| `token_refused` | config | no | 3 |" in (ROOT / "docs" / "index.md").read_text()


def test_an_exception_of_any_kind_gets_the_routing_fields() -> None:
    record = error_record(KeyError("boom"))
    assert (record["code"], record["category"], record["retryable"]) == (
        "internal", INTERNAL, False)


@pytest.mark.parametrize("argv", [
    ["run", "lsitSources"],
    ["run", "listSources", "-i", "count=true"],
    ["run", "getSource", "-i", "sourceId=x", "--token", "sgp_abcdefgh",
     "--base-url", "http://127.0.0.1:9"],
    ["picklist", "nope"],
    ["check", "--token", "sgp_abcdefgh", "--base-url", "http://127.0.0.1:9"],
])
def test_every_json_failure_of_the_cli_carries_code_category_and_retryable(
        capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code = cli.main([*argv, "--error-format", "json"])
    record = json.loads(capsys.readouterr().err)
    assert code == record["exit_code"] != 0
    assert {"code", "category", "retryable"} <= set(record["error"])
