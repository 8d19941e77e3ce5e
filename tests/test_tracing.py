"""Traces from the command line: `OTEL_TRACES_EXPORTER=console` prints a span per call and
per attempt on stderr, stdout stays the answer, and no span holds the token; without the
variables nothing of OpenTelemetry is loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from connector.simulator import Simulator


def run_cli(sim: Simulator, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    environ.update(env, SEGMENT_API_TOKEN=sim.token, SEGMENT_BASE_URL=sim.base_url)
    return subprocess.run([sys.executable, "-m", "connector.cli", *argv], env=environ,
                          capture_output=True, text=True, timeout=60, check=False)


def test_console_traces_go_to_stderr_with_no_token() -> None:
    with Simulator() as sim:
        done = run_cli(sim, {"OTEL_TRACES_EXPORTER": "console",
                             "OTEL_SERVICE_NAME": "segment-connector-test"},
                       "run", "getSource", "--input", "sourceId=nope")
    assert done.returncode == 3
    assert done.stdout == ""  # the failure is on stderr; no span leaks into stdout
    assert '"name": "getSource"' in done.stderr
    assert '"url.template": "/sources/{sourceId}"' in done.stderr
    assert '"http.response.status_code": 404' in done.stderr
    spans = "\n".join(line for line in done.stderr.splitlines()
                      if not line.startswith("error:"))  # the failure names the id; spans not
    assert '"name": "getSource"' in spans
    assert sim.token not in done.stderr and "nope" not in spans


def test_without_otel_variables_opentelemetry_is_not_loaded() -> None:
    code = ("import sys; from connector import cli; cli.main(['run', 'getWorkspace']); "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('opentelemetry'))),"
            " file=sys.stderr)")
    with Simulator() as sim:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        environ.update(SEGMENT_API_TOKEN=sim.token, SEGMENT_BASE_URL=sim.base_url)
        done = subprocess.run([sys.executable, "-c", "import json; " + code], env=environ,
                              capture_output=True, text=True, timeout=60, check=False)
    assert json.loads(done.stdout)["data"]
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
