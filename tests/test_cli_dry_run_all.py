"""`segment-connector run KEY --dry-run --example-inputs` for every catalogue action."""

from __future__ import annotations

import json
import re

import pytest

from connector import cli
from connector.api import catalog
from connector.registry import Registry

REGISTRY = Registry.load(installed=False)
OPERATIONS = catalog.operations()


@pytest.fixture(autouse=True)
def shared_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.Registry, "load", classmethod(lambda cls, strict=False: REGISTRY))


@pytest.mark.parametrize("key", sorted(OPERATIONS))
def test_dry_run_matches_the_catalogue(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    op = OPERATIONS[key]
    code = cli.main(["run", key, "--dry-run", "--example-inputs", "--token", "sgp_dry_run_1234"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["method"] == op["method"]
    path = out["url"].removeprefix("https://api.segmentapis.com").split("?")[0]
    pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(op["path"])) + "$"
    assert re.match(pattern, path), (path, op["path"])
    assert out["headers"]["Accept"] in op["accept"]
    assert out["headers"]["Authorization"] == "Bearer ***"
