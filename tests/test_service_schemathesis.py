"""Schemathesis against the running service, the simulator behind it: requests made from
`/openapi.json` (its examples, then generated inputs, valid and not) get no server error and
no answer outside the document. Bounded: two generated cases per operation, a fixed seed,
no example database; rate limits run at 1/1000 of real time on both sides.

Every 5xx counts as a server error except two the service relays by design: 502, the
API's own failure (the simulator's echo fails on request), and 504, no answer within
a timeout the caller chose (Raw Request's `timeout` may be 1 ms). A bug is a 500."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from service_support import registry, settings

from connector.service.embedded import EmbeddedService
from connector.service.limiters import LimiterPool
from connector.simulator import Simulator

pytestmark = pytest.mark.security


def _st() -> str:
    found = shutil.which("st", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("schemathesis is not installed (pip install -e '.[test]')")
    return found


RELAYED = '["1XX", "2XX", "3XX", "4XX", "502", "504"]'


def test_schemathesis_finds_no_server_error_and_no_schema_violation(tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(f"[checks.not_a_server_error]\nexpected-statuses = {RELAYED}\n",
                      encoding="utf-8")
    with Simulator(time_scale=0.001) as sim, \
            EmbeddedService(settings(sim), registry=registry(),
                            limiters=LimiterPool(time_scale=0.001)) as svc:
        done = subprocess.run(
            [_st(), "--no-color", "--config-file", str(config), "run", svc.url + "/openapi.json",
             "--checks", "not_a_server_error,response_schema_conformance",
             "--phases", "examples,fuzzing", "--max-examples", "2", "--seed", "1",
             "--generation-database", "none", "--workers", "2", "--request-timeout", "60",
             "--header", f"X-Segment-Token: {sim.token}",
             "--report", "junit", "--report-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=1200, cwd=tmp_path,
            env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"})
        paths = requests.get(svc.url + "/openapi.json", timeout=30).json()["paths"]
    operations = sum(method in ("get", "post", "put", "patch", "delete")
                     for path in paths.values() for method in path)
    summary = done.stdout[done.stdout.find("=== FAILURES") if "=== FAILURES" in done.stdout
                          else done.stdout.find("=== SUMMARY"):]
    assert done.returncode == 0, summary[-6000:] + done.stderr[-2000:]
    # Every operation of the document was tried.
    assert f"Tested: {operations}" in done.stdout or f"{operations}/{operations}" in done.stdout
