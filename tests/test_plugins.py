"""Plugins: built-ins registered by import, third-party ones through entry points, all checked.

The built-in plugins register through the same hooks as third-party ones, but
the registry registers them itself, so a source checkout that was never
installed works. Every declaration is checked when it registers: a broken one
is a start-up error naming the plugin and the field.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from venv_support import site_without_this_package

import actions.plugin
import datasources.plugin
import triggers.plugin
from connector import hookspecs
from connector.errors import PluginError
from connector.hookspecs import hookimpl
from connector.registry import BUILTIN_PLUGINS, Registry
from connector.spec import Action, DataSource, Input

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
    assert sample["distribution"] == {"name": "sample_segment_plugin", "version": "0.1"}
    builtin = _cli("manifest", "--builtin", "-o", str(out), pythonpath=plugin_dir)
    assert builtin.returncode == 0, builtin.stderr
    keys = {a["key"] for a in json.loads(out.read_text(encoding="utf-8"))["actions"]}
    assert "samplePing" not in keys and "getSource" in keys


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


# -- built-in plugins ---------------------------------------------------------------------
def test_built_ins_are_registered_by_import_through_the_same_hooks() -> None:
    reg = Registry.load()
    assert [name for name, _ in BUILTIN_PLUGINS] == ["actions", "datasources", "triggers"]
    assert reg.pm.get_plugin("actions") is actions.plugin
    assert reg.pm.get_plugin("datasources") is datasources.plugin
    assert reg.pm.get_plugin("triggers") is triggers.plugin
    hooks = {impl.plugin_name for impl in reg.pm.hook.register_actions.get_hookimpls()}
    assert "actions" in hooks


def test_every_hook_is_documented() -> None:
    specs = [f for name, f in vars(hookspecs).items()
             if name.startswith("register_") and callable(f)]
    assert {f.__name__ for f in specs} == {"register_actions", "register_datasources",
                                           "register_triggers"}
    for spec in specs:
        assert (inspect.getdoc(spec) or "").strip(), spec.__name__
        assert list(inspect.signature(spec).parameters) == ["register"]


def test_a_source_checkout_on_pythonpath_lists_every_action(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    for part in ("connector", "actions", "datasources", "triggers"):
        shutil.copytree(ROOT / part, checkout / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join([str(checkout), str(site_without_this_package(
               tmp_path))])}
    # -S: not the venv's site-packages, where this project is installed.
    probe = subprocess.run(
        [sys.executable, "-S", "-c", "from importlib.metadata import entry_points; "
         "import connector; print(connector.__file__); "
         "print(len(entry_points(group='segment_connector')))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert probe.stdout.split() == [str(checkout / "connector" / "__init__.py"), "0"]
    done = subprocess.run([sys.executable, "-S", "-m", "connector.cli", "list", "--json"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    builtin = Registry.load(installed=False)
    assert len(listed["actions"]) == len(builtin.actions.items)
    assert {a["plugin"] for a in listed["actions"]} == {"actions"}
    assert len(listed["triggers"]) == len(builtin.triggers.items)


def test_loading_no_action_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions.plugin, "MODULES", ())
    with pytest.raises(PluginError, match="no plugin declared any action"):
        Registry.load(installed=False)


# -- declarations are checked when they register -------------------------------------------
def _plugin(*items: Action | DataSource) -> Any:
    @hookimpl
    def register_actions(register: Any) -> None:
        for item in items:
            if isinstance(item, Action):
                register(item)

    @hookimpl
    def register_datasources(register: Any) -> None:
        for item in items:
            if isinstance(item, DataSource):
                register(item)

    return SimpleNamespace(register_actions=register_actions,
                           register_datasources=register_datasources)


def _refused(*items: Action | DataSource) -> str:
    with pytest.raises(PluginError) as caught:
        Registry.load(extra=[("small", _plugin(*items))])
    message = str(caught.value)
    assert "plugin 'small'" in message
    return message


def _ping(*inputs: Input, path: str = "/echo", method: str = "GET") -> Action:
    return Action("smallPing", "Ping", "Ping.", method, path, inputs=inputs)


@pytest.mark.parametrize(("action", "words"), [
    (_ping(Input("note", "text")), ["input 'note'", "unknown type 'text'"]),  # type: ignore[arg-type]
    (_ping(Input("ids", "array", items="uuid")), ["input 'ids'", "element type 'uuid'"]),  # type: ignore[arg-type]
    (_ping(path="/sources/{sourceId}"), ["placeholder {sourceId}", "no input"]),
    (_ping(Input("sourceId", where="path")), ["input 'sourceId'", "has no {sourceId}"]),
    (_ping(Input("token", where="header")), ["input 'token'", "unknown placement 'header'"]),  # type: ignore[arg-type]
    (_ping(Input("a", where="payload"), Input("b", where="body"), method="POST"),
     ["input 'a'", "nowhere to go"]),
    (_ping(Input("a"), Input("a")), ["input 'a'", "declared twice"]),
    (_ping(Input("mode", choices=("x", "y"), default="z")), ["input 'mode'", "not one of"]),
    (_ping(Input("count", "integer", default="ten")), ["input 'count'", "not of type"]),
    (_ping(path="echo"), ["action 'smallPing'", "must start with '/'"]),
    (Action("getSource", "G", "Get.", operation="getSource",
            inputs=(Input("sourceId"), Input("colour"))), ["input 'colour'", "cannot place"]),
])
def test_a_bad_action_stops_start_up_naming_plugin_and_field(action: Action,
                                                            words: list[str]) -> None:
    message = _refused(replace_key(action))
    for word in words:
        assert word in message, message


def replace_key(action: Action) -> Action:
    # Overlays of built-in operations would clash by key before being checked.
    from dataclasses import replace

    return replace(action, key="smallAction") if action.operation else action


def test_an_overlay_of_a_built_in_operation_can_replace_it() -> None:
    @hookimpl
    def register_actions(register: Any) -> None:
        register(Action("getSource", "Source by ID", "Fetch one source.", operation="getSource",
                        inputs=(Input("sourceId", comments="Which source.",
                                      example="abc"),)), replace=True)

    reg = Registry.load(extra=[("renamer", SimpleNamespace(register_actions=register_actions))])
    action = reg.action("getSource")
    assert (action.plugin, action.display, action.path) == (
        "renamer", "Source by ID", "/sources/{sourceId}")


def test_a_link_to_a_missing_picklist_stops_start_up() -> None:
    message = _refused(_ping(Input("sourceId", picklist="sourcez")))
    assert "input 'sourceId'" in message and "'sourcez'" in message


def test_a_picklist_on_a_missing_action_stops_start_up() -> None:
    message = _refused(DataSource("gadgets", "Gadgets", "Pick one.", "listGadgets"))
    assert "picklist 'gadgets'" in message and "'listGadgets'" in message


def test_a_bad_picklist_input_stops_start_up() -> None:
    message = _refused(DataSource("gadgets", "Gadgets", "Pick one.", "listSources",
                                  inputs=(Input("kind", "enum"),)))  # type: ignore[arg-type]
    assert "picklist 'gadgets'" in message and "input 'kind'" in message
