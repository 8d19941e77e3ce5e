"""The simulator CLI: prints its address and token, serves, saves state on SIGTERM."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path

import requests

from connector.simulator import cli

RUN = "import sys; from connector.simulator.cli import main; raise SystemExit(main(sys.argv[1:]))"


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
