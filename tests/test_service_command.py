"""`segment-connector serve` as an operator runs it: a process, its start-up line, its logs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from connector.service.logs import ServiceLogFilter, mask

ROOT = Path(__file__).resolve().parent.parent
KEY = "serve-test-key-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_with_the_simulator_answers_without_a_token_and_logs_no_secret(
        tmp_path: Path) -> None:
    port = _free_port()
    config = tmp_path / "service.toml"
    config.write_text(f'[service]\nkeys = ["{KEY}"]\n\n'
                      '[profiles.p]\ntoken = "sgp_profileSecret1"\n', encoding="utf-8")
    env = {**os.environ, "SEGMENT_CONNECTOR_SERVICE_KEYS": ""}
    proc = subprocess.Popen([sys.executable, "-m", "connector.cli", "serve", "--simulator",
                             "--port", str(port), "--config", str(config)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "did not start"
            time.sleep(0.1)
        auth = {"Authorization": f"Bearer {KEY}"}
        # No credentials: the simulator's own token, as the playground uses it.
        got = requests.post(url + "/v1/check", headers=auth, timeout=30)
        assert got.status_code == 200 and got.json()["workspace"]["slug"]
        # A token put where it does not belong (the path, the query) stays out of the log.
        requests.get(url + "/v1/actions/sgp_inThePath0123?token=sgp_inTheQuery0123",
                     headers=auth, timeout=30)
        requests.post(url + "/v1/check", timeout=30,
                      headers={**auth, "X-Segment-Token": "sgp_refusedToken0123"})
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    first = err.splitlines()[0]
    assert "1 service key(s)" in first and "2 profile(s)" in first
    logs = out + err
    assert '"POST /v1/check HTTP/1.1" 200' in logs  # the access log is written...
    for secret in (KEY, "sgp_profileSecret1", "sgp_inThePath0123", "sgp_inTheQuery0123",
                   "sgp_refusedToken0123"):
        assert secret not in logs  # ...without a secret in it


def test_the_log_filter_keeps_the_access_formatters_fields() -> None:
    import logging

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:5", "GET",
                                                           "/x?t=sgp_abcdefgh123", "1.1", 200),
                               None)
    assert ServiceLogFilter().filter(record)
    assert record.args == ("127.0.0.1:5", "GET", "/x?t=***", "1.1", 200)
    assert json.dumps(mask("Bearer sgp_abcdefgh123")) == '"Bearer ***"'


def test_worker_processes_rebuild_the_settings_from_where_they_came_from(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from connector.service import cli

    config = tmp_path / "service.toml"
    config.write_text(f'[service]\nkeys = ["{KEY}"]\nbody_limit = 4096\n', encoding="utf-8")
    handed = {"args": {"host": "127.0.0.1", "port": 8000, "workers": 2,
                       "config": str(config), "base_url": None, "debug": False},
              "simulator": {"token": "sgp_simulatorToken1", "base_url": "http://127.0.0.1:9"}}
    monkeypatch.setenv(cli.ENV, json.dumps(handed))
    app = cli.app_from_environment()
    settings = app.state.service.settings
    assert settings.body_limit == 4096 and [k.key for k in settings.keys] == [KEY]
    assert settings.base_url == "http://127.0.0.1:9"
    assert settings.default_profile == "simulator"
    assert settings.profiles["simulator"]["token"] == "sgp_simulatorToken1"


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "connector.cli", "serve", "--port",
                               str(port)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use"]
