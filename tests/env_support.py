"""A pytest plugin (see conftest): `no_connection_env`, a test run with no connection
settings from the environment and no config file, so only its own flags count."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def no_connection_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SEGMENT_API_TOKEN", "SEGMENT_REGION", "SEGMENT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SEGMENT_CONNECTOR_CONFIG", str(tmp_path / "no-config.toml"))
