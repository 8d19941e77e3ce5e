"""`segment-connector legacy run|explain|scan` end to end, and the worked example's scripts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from legacy_support import SECRET, runtime

from connector.cli import main
from connector.legacy.table import endpoints
from connector.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).with_name("data") / "legacy"
EXAMPLES = ROOT / "connector" / "legacy" / "examples"
WS = "simulated-workspace"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def api(sim: Simulator) -> list[str]:
    return ["--token", sim.token, "--base-url", sim.base_url]


def test_source_and_destination_made_with_config_list_read_back_through_actions(
        simulator: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    name = f"workspaces/{WS}/sources/shop"
    code, out, err = cli(capsys, "legacy", "run", "POST", f"/v1beta/workspaces/{WS}/sources",
                         "--body", json.dumps({"source": {
                             "name": name, "catalog_name": "catalog/sources/javascript",
                             "display_name": "Shop"}}), *api(simulator))
    assert code == 0, err
    assert json.loads(out)["name"] == name
    body = {"destination": {"name": f"{name}/destinations/amplitude", "enabled": True,
                            "connection_mode": "CLOUD",
                            "config": [{"name": f"{name}/destinations/amplitude/config/apiKey",
                                        "type": "string", "value": SECRET}]}}
    code, out, err = cli(capsys, "legacy", "run", "POST", f"/v1beta/{name}/destinations",
                         "--body", json.dumps(body), *api(simulator))
    assert code == 0, err
    answer = json.loads(out)
    assert answer["config"][0]["value"].startswith("••••") and SECRET not in out
    # Readable through the normal actions, with the slug and settings asked for.
    code, out, _ = cli(capsys, "run", "listSources", *api(simulator))
    [source] = [s for s in json.loads(out)["data"]["data"]["sources"] if s["slug"] == "shop"]
    assert source["name"] == "Shop" and source["metadata"]["slug"] == "javascript"
    code, out, _ = cli(capsys, "run", "listConnectedDestinationsFromSource",
                       "-i", f"sourceId={source['id']}", *api(simulator))
    [dest] = json.loads(out)["data"]["data"]["destinations"]
    assert dest["metadata"]["slug"] == "amplitude" and dest["enabled"] is True
    got = runtime(simulator).run("getDestination", {"destinationId": dest["id"]})
    assert got["data"]["data"]["destination"]["settings"] == {"apiKey": SECRET}


def test_run_reads_the_body_from_stdin_and_dry_run_sends_nothing(
        simulator: Simulator, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    body = {"source": {"name": f"workspaces/{WS}/sources/dry",
                       "catalog_name": "catalog/sources/javascript"}}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(body)))
    code, out, err = cli(capsys, "legacy", "run", "POST", f"/v1beta/workspaces/{WS}/sources",
                         "--body", "-", "--dry-run", *api(simulator))
    assert code == 0, err
    shown = json.loads(out)
    sent = [(r["method"], r["url"].removeprefix(simulator.base_url).partition("?")[0])
            for r in shown["requests"]]
    assert sent == [("GET", "/"), ("GET", "/catalog/sources"), ("POST", "/sources")]
    assert simulator.token not in out
    assert runtime(simulator).run("listSources")["data"]["data"]["sources"] == []


def test_run_reads_the_body_from_a_file(simulator: Simulator, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"source": {"name": f"workspaces/{WS}/sources/filed",
                                           "catalog_name": "catalog/sources/ios"}}), "utf-8")
    code, out, err = cli(capsys, "legacy", "run", "POST", f"/v1beta/workspaces/{WS}/sources",
                         "--body", f"@{body}", *api(simulator))
    assert code == 0, err
    assert json.loads(out)["name"] == f"workspaces/{WS}/sources/filed"
    code, _, err = cli(capsys, "legacy", "run", "POST", f"/v1beta/workspaces/{WS}/sources",
                       "--body", f"@{tmp_path / 'none.json'}", *api(simulator))
    assert code == 2 and "none.json" in err


@pytest.mark.parametrize(("argv", "field"), [
    (["POST", f"/v1beta/workspaces/{WS}/sources", "--body", "{"], "body"),
    (["POST", f"/v1beta/workspaces/{WS}/sources", "--body", "[]"], "body"),
    (["POST", f"/v1beta/workspaces/{WS}/sources", "--body", "{}"], "source"),
    (["GET", "/v1beta/nothing/here"], "path"),
])
def test_bad_calls_exit_2_naming_the_field(simulator: Simulator,
                                           capsys: pytest.CaptureFixture[str],
                                           argv: list[str], field: str) -> None:
    code, _, err = cli(capsys, "--error-format", "json", "legacy", "run", *argv,
                       *api(simulator))
    assert code == 2
    assert field in json.loads(err)["error"]["fields"]


def test_an_api_refusal_exits_3(simulator: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "legacy", "run", "GET", "/v1beta/workspaces/elsewhere",
                       *api(simulator))
    assert code == 3 and "not found" in err


@pytest.mark.parametrize("endpoint", endpoints(), ids=lambda e: f"{e.row}-{e.methods[0]}")
def test_explain_prints_every_plan_and_refuses_what_has_no_counterpart(
        capsys: pytest.CaptureFixture[str], endpoint: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # No connection at all: explain reads the table only.
    for name in ("SEGMENT_API_TOKEN", "SEGMENT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    e = endpoints()[endpoints().index(endpoint)]  # type: ignore[arg-type]
    path = "/v1beta" + e.path.replace("{", "").replace("}", "")
    code, out, err = cli(capsys, "legacy", "explain", e.methods[-1], path)
    if e.kind == "none":
        assert code == 2 and e.why in err and e.alternative in err
    else:
        assert code == 0, err
        for action in e.public:
            assert action in out
    code, out, _ = cli(capsys, "legacy", "explain", e.methods[-1], path, "--json")
    if e.kind != "none":
        assert json.loads(out)["actions"] == list(e.public)


def test_explain_all_lists_every_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "legacy", "explain", "--all", "--json")
    assert code == 0
    assert [(p["row"], p["mapping"]) for p in json.loads(out)] == [
        (e.row, e.kind) for e in endpoints()]


# The calls each sample holds: (line, method, table row), all of them.
EXPECTED = {
    "calls.sh": [(5, "GET", 4), (6, "GET", 10), (8, "PATCH", 19), (11, "DELETE", 44),
                 (12, "POST", 2)],
    "calls.py": [(9, "GET", 10), (13, "GET", 34), (18, "POST", 37), (23, "POST", 41)],
    "calls.js": [(6, "GET", 21), (10, "DELETE", 25), (15, "GET", 8)],
    "calls.json": [(3, "GET", 32), (4, "POST", 17), (5, "GET", 49)],
    "client_calls.py": [(7, "GET", 4), (9, "GET", 10), (11, "GET", 14), (13, "PATCH", 19),
                        (14, "GET", 28), (15, "PUT", 35), (16, "DELETE", 44), (17, "GET", 9),
                        (18, "DELETE", 51)],
    "client_calls.js": [(5, "GET", 9), (6, "POST", 17), (8, "GET", 1)],
}


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_scan_lists_every_call_with_its_replacement(capsys: pytest.CaptureFixture[str],
                                                    sample: str) -> None:
    code, out, _ = cli(capsys, "legacy", "scan", str(SAMPLES / sample), "--json")
    assert code == 0
    found = json.loads(out)
    assert [(f["line"], f["method"], f["row"]) for f in found] == EXPECTED[sample]
    by_row = {e.row: e for e in endpoints()}
    for f in found:
        assert f["replacement"] == list(by_row[f["row"]].public) or f["mapping"] == "none"
        assert f["changes"]
    code, text, _ = cli(capsys, "legacy", "scan", str(SAMPLES / sample))
    assert text.count(f"{sample}:") == len(EXPECTED[sample])


def test_client_method_names_count_only_where_the_library_is_used(tmp_path: Path) -> None:
    from connector.legacy.scan import scan_files

    other = tmp_path / "other.js"
    other.write_text("const s = store.getSource(id);\nrepo.workspace('x').sources.list();\n",
                     "utf-8")
    assert scan_files([str(other)]) == []


def test_scan_of_an_unreadable_file_exits_2(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "legacy", "scan", str(tmp_path / "missing.sh"))
    assert code == 2 and "missing.sh" in err


def _script_env(sim: Simulator) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEGMENT_")}
    return env | {"SEGMENT_API_TOKEN": sim.token, "SEGMENT_BASE_URL": sim.base_url, "WS": WS,
                  "AMPLITUDE_KEY": SECRET, "PATH": bin_dir + os.pathsep + env["PATH"]}


NO_JQ = shutil.which("jq") is None and not os.environ.get("CI")


@pytest.mark.parametrize("script", [
    "migrated.sh",
    pytest.param("native.sh", marks=pytest.mark.skipif(NO_JQ, reason="jq is not installed")),
])
def test_the_worked_example_scripts_run(simulator: Simulator, script: str) -> None:
    done = subprocess.run(["sh", str(EXAMPLES / script)], env=_script_env(simulator),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout
    rt = runtime(simulator)
    [source] = rt.run("listSources")["data"]["data"]["sources"]
    [dest] = rt.run("listConnectedDestinationsFromSource",
                    {"sourceId": source["id"]})["data"]["data"]["destinations"]
    assert (source["slug"], dest["enabled"], dest["settings"]) == ("web", False,
                                                                   {"apiKey": SECRET})
