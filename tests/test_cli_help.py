"""Help that teaches: --version, a help line for everything, exit codes, live defaults."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector import __version__, cli
from connector.cli.arguments import DEFAULT_DEADLINE_S, DEFAULT_TIMEOUT_S
from connector.cli.help_text import CONNECTION_ORDER
from connector.connection import Connection
from connector.retry import RetryPolicy

TOKEN = "sgp_cli_help_token_never_shown_42"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SEGMENT_API_TOKEN", "SEGMENT_REGION", "SEGMENT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SEGMENT_CONNECTOR_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("COLUMNS", "1000")  # no wrapping: help lines compare whole


def help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert cli.main([*argv, "--help"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return " ".join(out.split())  # argparse wraps lines; compare words


def all_actions(parser: argparse.ArgumentParser, name: str = "segment-connector"
                ) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        yield name, action
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from all_actions(sub, f"{name} {sub_name}")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"segment-connector {__version__}\n"


def test_every_option_and_argument_has_a_help_line() -> None:
    seen = 0
    for where, action in all_actions(cli.parser()):
        assert action.help and action.help != argparse.SUPPRESS, \
            (where, action.option_strings or action.dest)
        seen += 1
    assert seen > 40
    keys = [a for where, a in all_actions(cli.parser()) if a.dest == "key"]
    assert len(keys) == 4  # describe, run, picklist, poll


def test_top_level_help_lists_exit_codes_and_the_settings_order(
        capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys)
    for line in ("0 success", "1 internal error", "2 bad input or usage",
                 "3 the API answered with an error", "4 no answer came",
                 "130 interrupted (Ctrl-C); 143 terminated (SIGTERM)"):
        assert line in text
    order = text.split("first found wins:", 1)[1]
    flags, profile, env = (order.index(s) for s in ("1. flags", "--profile", "environment:"))
    positions = {"flag": flags, "profile": profile, "environment": env}
    assert sorted(positions, key=positions.__getitem__) == list(CONNECTION_ORDER)


def test_the_stated_order_is_the_one_connections_use(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[profiles.p]\nregion = "api"\n', "utf-8")
    monkeypatch.setenv("SEGMENT_REGION", "eu1.api")
    resolved = Connection.resolve(profile="p").region
    profile_first = CONNECTION_ORDER.index("profile") < \
        CONNECTION_ORDER.index("environment")
    assert (resolved == "api") == profile_first
    assert Connection.resolve(region="eu1.api", profile="p").region == "eu1.api"
    assert CONNECTION_ORDER[0] == "flag"


def test_region_help_says_the_value_in_use_and_where_from(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert "(default: api)" in help_of(capsys, "run")
    monkeypatch.setenv("SEGMENT_REGION", "eu1.api")
    assert "default: eu1.api, from $SEGMENT_REGION" in help_of(capsys, "run")
    assert "default: eu1.api, from $SEGMENT_REGION" in help_of(capsys, "picklist")


def test_env_region_is_not_read_with_a_profile_token(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.toml").write_text(f'[profiles.prod]\ntoken = "{TOKEN}"\n', "utf-8")
    monkeypatch.setenv("SEGMENT_REGION", "eu1.api")
    assert Connection.resolve(profile="prod").region == "api"
    text = help_of(capsys, "run", "--profile", "prod")
    assert "(default: api)" in text and "one is set, from profile 'prod'" in text


def test_help_reads_the_profile_named_on_the_command_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        f'[profiles.prod]\ntoken = "{TOKEN}"\nregion = "eu1.api"\n'
        'base_url = "http://127.0.0.1:9"\n', "utf-8")
    text = help_of(capsys, "run", "--profile", "prod")
    assert "default: eu1.api, from profile 'prod'" in text
    assert "one is set, from profile 'prod'" in text
    assert "default: http://127.0.0.1:9, from profile 'prod'" in text
    assert TOKEN not in text
    text = help_of(capsys, "run", "--profile", "nope")
    assert "now: unusable, profile: no profile 'nope'" in text


def test_token_help_says_whether_one_is_set_without_showing_it(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert "now: none set" in help_of(capsys, "run")
    monkeypatch.setenv("SEGMENT_API_TOKEN", TOKEN)
    text = help_of(capsys, "run")
    assert "now: one is set, from $SEGMENT_API_TOKEN" in text
    assert TOKEN not in text and TOKEN[:12] not in text


def test_time_and_concurrency_help_state_their_defaults(
        capsys: pytest.CaptureFixture[str]) -> None:
    defaults = {f.name: f.default for f in dataclasses.fields(RetryPolicy)}
    assert defaults["timeout_s"] == DEFAULT_TIMEOUT_S
    assert defaults["deadline_s"] == DEFAULT_DEADLINE_S
    text = help_of(capsys, "run")
    assert "one attempt's answer (default: 30)" in text
    assert "retry wait included; exit 4 (default: 300)" in text
    assert "calls in parallel (default: 4)" in text
    assert "(default: 30)" in help_of(capsys, "picklist")


def test_run_help_explains_the_batch_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys, "run")
    section = text.split("exit codes with --batch:", 1)[1]
    for code in ("0 every line ran", "1 some lines failed", "2 nothing ran",
                 "4 no answer came", "130 interrupted", "143 terminated"):
        assert code in section


def test_key_help_points_at_list(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("run", "picklist", "describe"):
        assert "see `segment-connector list`" in help_of(capsys, command)
