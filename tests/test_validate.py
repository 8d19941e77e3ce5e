"""`validate`: each planted defect of a plugin package is found and fails the run; the
built-in plugins pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

GOOD = '''
from connector.hookspecs import hookimpl
from connector.spec import Action, DataSource, Input

EXAMPLE = {{"data": {{"data": {{"workspace": {{"id": "w1"}}}}}}}}
{extra}

@hookimpl
def register_actions(register):
    register(Action("planted", "Planted", "An action with one planted defect.", "GET",
                    "/sources/{{sourceId}}", inputs=({inputs}), example=EXAMPLE, {action}))


@hookimpl
def register_datasources(register):
    register(DataSource("plantedPick", "Planted", "Choose one.", "listSources"))
'''
SOURCE_ID = 'Input("sourceId", comments="Which source.", required=True, example="abc")'
DEFECTS = {
    "a bad example": (
        f'{SOURCE_ID}, Input("count", "integer", comments="How many.", example="ten"),',
        "", "", ["input count", "example \"ten\" does not validate"]),
    "a default that is not sent": (
        f'{SOURCE_ID}, Input("mode", comments="Mode.", default="fast", where="control"),',
        "", "", ["input mode", "default 'fast' is not sent"]),
    "a missing required example": (
        'Input("sourceId", comments="Which source.", required=True),', "", "",
        ["input sourceId", "required, yet has no example"]),
    "a broken picklist link": (
        'Input("sourceId", comments="Which source.", required=True, example="abc", '
        'picklist="nowhere"),', "", "", ["links picklist 'nowhere'"]),
    "an undeclared safety": (
        f"{SOURCE_ID},", "run=lambda runtime, values: {'data': None}, "
        "dry_run='Runs code: no request'", "", ["custom executor", "safety, idempotent"]),
}


def _plugin(tmp_path: Path, inputs: str, action: str, extra: str) -> Path:
    (tmp_path / "planted_plugin.py").write_text(
        textwrap.dedent(GOOD.format(inputs=inputs, action=action, extra=extra)),
        encoding="utf-8")
    return tmp_path


def _validate(*args: str, path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SEGMENT_API_TOKEN"}
    if path is not None:
        env["PYTHONPATH"] = str(path)
    return subprocess.run([sys.executable, "-m", "connector.cli", "validate", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_each_planted_defect_is_an_error_and_fails(tmp_path: Path, defect: str) -> None:
    inputs, action, extra, words = DEFECTS[defect]
    where = _plugin(tmp_path, inputs, action, extra)
    done = _validate("planted_plugin", "--format", "json", path=where)
    assert done.returncode == 1, done.stdout + done.stderr
    errors = json.loads(done.stdout)["errors"]
    text = " ".join(f"{e['where']}: {e['problem']}" for e in errors)
    for word in words:
        assert word in text, text


def test_the_plugin_without_defects_passes(tmp_path: Path) -> None:
    where = _plugin(tmp_path, f"{SOURCE_ID},", "", "")
    done = _validate("planted_plugin", path=where)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "planted_plugin: 0 error(s), 0 warning(s)" in done.stdout


def test_warnings_are_apart_and_do_not_fail(tmp_path: Path) -> None:
    where = _plugin(tmp_path, 'Input("sourceId", required=True, example="abc"),', "", "")
    done = _validate("planted_plugin", "--format", "json", path=where)
    assert done.returncode == 0
    answer = json.loads(done.stdout)
    assert answer["errors"] == []
    assert [w["where"] for w in answer["warnings"]] == ["action planted, input sourceId"]


def test_the_built_in_plugins_pass() -> None:
    done = _validate("segment-connector", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["errors"] == []


def test_an_unknown_target_is_a_usage_error_naming_it() -> None:
    done = _validate("no_such_plugin_anywhere")
    assert done.returncode == 2
    assert "no_such_plugin_anywhere" in done.stderr and "TARGET" in done.stderr


def test_an_overlay_example_payload_that_breaks_the_catalogue_is_an_error(
        tmp_path: Path) -> None:
    (tmp_path / "payload_plugin.py").write_text(textwrap.dedent('''
        from connector.hookspecs import hookimpl
        from connector.spec import Action

        @hookimpl
        def register_actions(register):
            register(Action("payloadSources", "Sources", "Every source.",
                            operation="listSources",
                            example={"data": {"data": {"sources": "none"}}}))
    '''), encoding="utf-8")
    done = _validate("payload_plugin", "--format", "json", path=tmp_path)
    assert done.returncode == 1
    [error] = json.loads(done.stdout)["errors"]
    assert error["where"] == "action payloadSources"
    assert "does not fit ListSources200Response" in error["problem"]


@pytest.mark.parametrize("target", ["sample", "sample_segment_plugin"])
def test_an_entry_point_or_a_distribution_is_a_target(tmp_path: Path, target: str) -> None:
    from test_plugins import PLUGIN_SOURCE, install

    install(tmp_path, "sample_segment_plugin", PLUGIN_SOURCE.format(key="samplePing"))
    done = _validate(target, "--format", "json", path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == {"target": target, "errors": [], "warnings": []}
