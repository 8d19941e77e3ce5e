"""The simulator CLI: prints its address and token, serves, saves state on SIGTERM."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import stat
import subprocess
import sys
from pathlib import Path

import requests

from connector.simulator import cli

RUN = "import sys; from connector.simulator.cli import main; raise SystemExit(main(sys.argv[1:]))"
CONNECTOR_CLI = "import sys; from connector.cli import main; raise SystemExit(main(sys.argv[1:]))"


def test_options_map_to_arguments() -> None:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["--port", "0", "--rate-limit", "30", "--time-scale", "0.01",
                              "--fault-5xx", "0.1", "--fault-429", "0.2", "--latency-ms", "5",
                              "--drop-rate", "0.05", "--seed", "4", "--state-file", "s.json"])
    assert (args.port, args.rate_limit, args.time_scale, args.seed) == (0, 30, 0.01, 4)
    assert (args.fault_5xx, args.fault_429, args.latency_ms, args.drop_rate) == \
        (0.1, 0.2, 5, 0.05)
    assert args.state_file == "s.json" and args.token is None


def test_serves_until_sigterm_and_saves_state(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    token = "sgp_" + "b" * 64
    proc = subprocess.Popen([sys.executable, "-c", RUN, "--port", "0", "--token", token,
                             "--state-file", str(state)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().split()[-1]  # type: ignore[union-attr]
        assert proc.stdout.readline().strip() == f"Token: {token}"  # type: ignore[union-attr]
        r = requests.post(url + "/sources", timeout=5, headers={"Authorization": f"Bearer {token}"},
                          json={"slug": "cli", "enabled": True, "metadataId": "IqDTy1TpoU"})
        assert r.status_code == 201
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert r.json()["data"]["source"]["id"] in state.read_text()


def _start(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """The simulator CLI in a child process, and what it printed up to "Press Ctrl-C"."""
    proc = subprocess.Popen([sys.executable, "-c", RUN, "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    while not lines or not lines[-1].startswith("Press Ctrl-C"):
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line, f"the simulator ended early: {proc.stderr.read()}"  # type: ignore[union-attr]
        lines.append(line.rstrip("\n"))
    return proc, lines


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def _exports(lines: list[str]) -> dict[str, str]:
    found = dict(line.strip().removeprefix("export ").split("=", 1) for line in lines
                 if line.strip().startswith("export "))
    return {name: shlex.split(value)[0] for name, value in found.items()}


def test_a_restart_on_the_same_state_file_accepts_the_same_token(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    proc, first = _start("--state-file", str(state))
    try:
        exports = _exports(first)
        assert set(exports) == {"SEGMENT_API_TOKEN", "SEGMENT_BASE_URL"}
        token = exports["SEGMENT_API_TOKEN"]
        assert f"Token: {token}" in first and token.startswith("sgp_")
        assert first[0].endswith(exports["SEGMENT_BASE_URL"])
    finally:
        _stop(proc)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600  # it holds the token: owner-only
    proc, again = _start("--state-file", str(state))
    try:
        assert _exports(again)["SEGMENT_API_TOKEN"] == token
        url = _exports(again)["SEGMENT_BASE_URL"]
        r = requests.get(url + "/", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert r.status_code == 200
    finally:
        _stop(proc)
    # A fixed token wins for its run and stays out of the file, which keeps its own.
    fixed = "sgp_" + "f" * 64
    proc, lines = _start("--state-file", str(state), "--token", fixed)
    _stop(proc)
    assert _exports(lines)["SEGMENT_API_TOKEN"] == fixed
    assert fixed not in state.read_text() and json.loads(state.read_text())["token"] == token


def test_the_printed_exports_point_the_cli_at_the_simulator(tmp_path: Path) -> None:
    proc, lines = _start("--state-file", str(tmp_path / "state.json"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEGMENT_")}
        env |= _exports(lines) | {"SEGMENT_CONNECTOR_CONFIG": str(tmp_path / "none.toml")}
        done = subprocess.run([sys.executable, "-c", CONNECTOR_CLI, "run", "getWorkspace"],
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["data"]["data"]["workspace"]["slug"] == \
            "simulated-workspace"
    finally:
        _stop(proc)
