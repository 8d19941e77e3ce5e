"""Structured inputs checked all the way down, against the catalogue's request schemas.

A wrong type, a missing field or an unknown enum value deep inside an object is
an input error naming its path (`label.value`) before anything is sent: in
Python, in the CLI (exit 2), in a batch line's record and in the service (422
with the path in `fields`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from service_support import registry, settings

from connector import cli
from connector.connection import Connection
from connector.errors import InputError
from connector.runtime import Runtime
from connector.service.embedded import EmbeddedService
from connector.simulator import Simulator

INVITE = {"email": "a@example.com",
          "permissions": [{"roleId": "r1", "resources": [{"id": "x", "type": "FOLDER"}]}]}
# (action, inputs, the path named, words of its message)
CASES = [
    ("createLabel", {"label": {"key": "team", "value": 5}},
     "label.value", "should be text, not a whole number"),
    ("createLabel", {"label": {"key": "team"}}, "label.value", "is required"),
    ("updateSelectiveSyncForWarehouse",
     {"warehouseId": "w1", "syncOverrides": [{"sourceId": "s1", "enabled": "yes"}]},
     "syncOverrides.0.enabled", "should be true or false, not text"),
    ("replaceAdvancedSyncScheduleForWarehouse",
     {"warehouseId": "w1", "enabled": True,
      "schedule": {"timezone": "UTC", "times": [{"hourOfDay": "noon", "enabled": True}]}},
     "schedule.times.0.hourOfDay", "should be a number or a whole number, not text"),
    ("createInvites", {"invites": [INVITE]},
     "invites.0.permissions.0.resources.0.type",
     'should be one of "FUNCTION", "SOURCE", "SPACE", "WAREHOUSE", "WORKSPACE"'),
]


pytestmark = pytest.mark.usefixtures("no_connection_env")


@pytest.fixture(scope="module")
def sim() -> Any:
    with Simulator() as simulator:
        yield simulator


def labels(sim: Simulator) -> list[Any]:
    rt = Runtime(Connection(token=sim.token, base_url=sim.base_url), registry=registry())
    return list(rt.run("listLabels", {})["data"]["data"]["labels"])


@pytest.mark.parametrize("key, inputs, path, says", CASES)
def test_python_names_the_path_before_sending(sim: Simulator, key: str, inputs: Any,
                                              path: str, says: str) -> None:
    rt = Runtime(Connection(token=sim.token, base_url=sim.base_url), registry=registry())
    with pytest.raises(InputError) as caught:
        rt.run(key, inputs)
    assert caught.value.fields == {path: says}


def test_cli_exits_2_naming_the_path_and_sends_nothing(
        sim: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    before = labels(sim)
    code = cli.main(["run", "createLabel", "--token", sim.token, "--base-url", sim.base_url,
                     "--input", 'label={"key": "team", "value": 5}'])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "label.value: should be text, not a whole number" in err
    assert labels(sim) == before  # the simulator would have created it


def test_a_valid_nested_value_goes_through(sim: Simulator,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["run", "createLabel", "--token", sim.token, "--base-url", sim.base_url,
                     "--input", 'label={"key": "nested-ok", "value": "yes"}'])
    capsys.readouterr()
    assert code == 0
    assert any(item.get("key") == "nested-ok" for item in labels(sim))


def test_a_batch_line_records_the_path(sim: Simulator, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    lines = tmp_path / "labels.jsonl"
    lines.write_text('{"label": {"key": "batch", "value": 7}}\n'
                     '{"label": {"key": "batch-ok", "value": "fine"}}\n')
    results = tmp_path / "labels.results.jsonl"
    code = cli.main(["run", "createLabel", "--token", sim.token, "--base-url", sim.base_url,
                     "--batch", str(lines), "--results", str(results)])
    capsys.readouterr()
    assert code == 1
    records = [json.loads(x) for x in results.read_text().splitlines()[1:]]
    failed = [r for r in records if r["status"] == "error"]
    assert [r["line"] for r in failed] == [1]
    assert failed[0]["error"]["fields"] == {"label.value": "should be text, not a whole number"}
    assert failed[0]["retry"] == "safe"  # nothing went out
    assert not any(item.get("key") == "batch" for item in labels(sim))


def test_the_service_answers_422_with_the_path_in_fields(sim: Simulator) -> None:
    with EmbeddedService(settings(sim), registry=registry()) as svc, \
            requests.Session() as http:
        for key, inputs, path, says in CASES:
            got = http.post(f"{svc.url}/v1/actions/{key}/run", json={"inputs": inputs},
                            headers={"X-Segment-Token": sim.token}, timeout=30)
            assert got.status_code == 422, got.text
            assert got.json()["fields"] == {path: says}


def test_messages_never_quote_the_value(sim: Simulator) -> None:
    # A nested value may be a password inside settings: a message names types, not values.
    rt = Runtime(Connection(token=sim.token, base_url=sim.base_url), registry=registry())
    with pytest.raises(InputError) as caught:
        rt.run("createLabel", {"label": {"key": "team", "value": 31337}})
    assert "31337" not in str(caught.value)
