"""Third-party plugins: found through entry points, listed, in the manifest, checked at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from connector.errors import PluginError
from connector.registry import Registry

ROOT = Path(__file__).resolve().parent.parent

PLUGIN_SOURCE = '''
from connector.hookspecs import hookimpl
from connector.spec import Action, Input


@hookimpl
def register_actions(register):
    register(Action(
        "{key}", "Sample Ping", "Ask the API for the workspace.", "GET", "/",
        area="Sample", inputs=(Input("note", comments="Ignored."),),
        example={{"data": {{"workspace": {{"id": "w1"}}}}}},
    ))
'''


def install(where: Path, module: str, source: str, entry: str = "sample") -> None:
    """A module plus the dist-info that exposes it in the segment_connector group."""
    (where / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = where / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[segment_connector]\n{entry} = {module}\n", encoding="utf-8")


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    install(tmp_path, "sample_segment_plugin", PLUGIN_SOURCE.format(key="samplePing"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "sample_segment_plugin", raising=False)
    return tmp_path


def test_entry_point_plugin_adds_an_action(plugin_dir: Path) -> None:
    reg = Registry.load()
    action = reg.action("samplePing")
    assert action.plugin == "sample"
    assert action.display == "Sample Ping"
    assert reg.problems == []
    # The built-ins are still there.
    assert reg.action("getSource").plugin == "actions"
    assert reg.datasource("sources").plugin == "datasources"


def _cli(*args: str, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    env.pop("SEGMENT_API_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "connector.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_cli_lists_the_plugin_action(plugin_dir: Path) -> None:
    done = _cli("list", "--json", pythonpath=plugin_dir)
    assert done.returncode == 0, done.stderr
    listed = {a["key"]: a for a in json.loads(done.stdout)["actions"]}
    assert listed["samplePing"]["plugin"] == "sample"
    plain = _cli("list", pythonpath=plugin_dir)
    assert "samplePing" in plain.stdout


def test_manifest_includes_the_plugin_action(plugin_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "manifest.json"
    out.parent.mkdir()
    done = _cli("manifest", "-o", str(out), pythonpath=plugin_dir)
    assert done.returncode == 0, done.stderr
    actions = {a["key"]: a for a in json.loads(out.read_text(encoding="utf-8"))["actions"]}
    sample = actions["samplePing"]
    assert sample["plugin"] == "sample"
    assert sample["inputSchema"]["properties"]["note"]["type"] == "string"
    assert sample["examplePayload"] == {"data": {"workspace": {"id": "w1"}}}


def test_duplicate_key_fails_naming_both_plugins(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, "clashing_segment_plugin", PLUGIN_SOURCE.format(key="getSource"),
            entry="clasher")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError) as caught:
        Registry.load()
    message = str(caught.value)
    assert "getSource" in message
    assert "'actions'" in message and "'clasher'" in message


def test_duplicate_alias_fails_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = PLUGIN_SOURCE.replace('area="Sample",', 'area="Sample", aliases=("x",),')
    install(tmp_path, "alias_one_plugin", source.format(key="aliasOne"), entry="one")
    install(tmp_path, "alias_two_plugin", source.format(key="aliasTwo"), entry="two")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match="duplicate action 'x'") as caught:
        Registry.load()
    assert "'one'" in str(caught.value) and "'two'" in str(caught.value)


def test_duplicate_key_stops_the_cli(tmp_path: Path) -> None:
    install(tmp_path, "clashing_cli_plugin", PLUGIN_SOURCE.format(key="listSources"),
            entry="clasher")
    done = _cli("list", pythonpath=tmp_path)
    assert done.returncode != 0
    assert "listSources" in done.stderr and "clasher" in done.stderr


BROKEN = "raise RuntimeError('plugin is broken on purpose')\n"


def test_plugin_failing_on_import_is_skipped_and_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, "broken_segment_plugin", BROKEN, entry="broken")
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = Registry.load()
    assert reg.action("getSource")  # the others still load
    assert [p.plugin for p in reg.problems] == ["broken"]
    assert "plugin is broken on purpose" in reg.problems[0].error


def test_plugin_failing_on_import_is_fatal_when_strict(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, "broken_strict_plugin", BROKEN, entry="broken")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match="broken"):
        Registry.load(strict=True)


def test_cli_reports_a_skipped_plugin_and_strict_fails(tmp_path: Path) -> None:
    install(tmp_path, "broken_cli_plugin", BROKEN, entry="broken")
    lenient = _cli("list", pythonpath=tmp_path)
    assert lenient.returncode == 0
    assert "broken" in lenient.stderr and "getSource" in lenient.stdout
    strict = _cli("--strict-plugins", "list", pythonpath=tmp_path)
    assert strict.returncode != 0
    assert "broken" in strict.stderr


def test_registering_something_else_than_an_action_is_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = '''
    from connector.hookspecs import hookimpl

    @hookimpl
    def register_actions(register):
        register({"key": "notAnAction"})
    '''
    install(tmp_path, "wrong_type_plugin", source, entry="wrong")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError) as caught:
        Registry.load()
    assert "'wrong'" in str(caught.value) and "not a Action" in str(caught.value)
