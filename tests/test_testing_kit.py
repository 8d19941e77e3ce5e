"""The test kit: a harness on the simulator, and cassettes that replay offline with no secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connector.connection import Connection
from connector.testing import Harness, assert_matches_example, load_plugins, shape_problems
from connector.testing.cassette import Cassette, CassetteMiss
from connector.testing.plugin import REPLAY_TOKEN, REPLAY_URL

# A destination whose settings hold an API key and a sensitive setting.
SECRET_KEY = "dest-api-key-7d1e9c2b44a0"
SENSITIVE = "sensitive-value-5f3a81c0"


def _calls(harness: Harness) -> dict[str, Any]:
    """Make a source and a destination with secrets in its settings; list, then fetch."""
    source = harness.run("createSource", {"slug": "web", "metadataId": "IqDTy1TpoU",
                                          "enabled": True})["data"]["data"]["source"]
    harness.run("createDestination", {
        "sourceId": source["id"], "metadataId": "57da359580412f644ff33fb9",
        "settings": {"apiKey": SECRET_KEY, "region": {"sensitive": True, "value": SENSITIVE}}})
    return {"source": source, "listed": harness.run("listSources", {"count": 10})}


def _offline() -> Harness:
    return Harness(load_plugins([]), Connection(token=REPLAY_TOKEN, base_url=REPLAY_URL))


@pytest.fixture
def recorded(simulator: Any, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A cassette of `_calls` on the simulator, and what they answered."""
    path = tmp_path / "cassette.json"
    harness = Harness(load_plugins([]),
                      Connection(token=simulator.token, base_url=simulator.base_url), simulator)
    with Cassette(path, "record"):
        answers = _calls(harness)
    simulator.stop()
    return path, answers


def test_a_recording_replays_with_the_simulator_stopped_and_no_token(
        recorded: tuple[Path, dict[str, Any]], simulator: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path, answers = recorded
    monkeypatch.delenv("SEGMENT_API_TOKEN", raising=False)
    with Cassette(path, "replay") as cassette:
        assert _calls(_offline()) == answers
    assert all(cassette.played)
    text = path.read_text(encoding="utf-8")
    for secret in (simulator.token, SECRET_KEY, SENSITIVE):
        assert secret not in text
    assert "authorization" not in text.lower()
    assert '"apiKey": "***"' in text


def test_a_request_the_cassette_does_not_hold_fails_naming_it_and_the_closest(
        recorded: tuple[Path, dict[str, Any]]) -> None:
    with Cassette(recorded[0], "replay"), pytest.raises(CassetteMiss) as caught:
        _offline().run("listSources", {"count": 20})
    message = str(caught.value)
    assert "GET /sources?pagination.count=20" in message
    assert "closest recorded: GET /sources?pagination.count=10" in message


def test_an_exchange_plays_once_and_a_missing_cassette_says_how_to_record(
        recorded: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    harness = _offline()
    with Cassette(recorded[0], "replay"):
        harness.run("listSources", {"count": 10})
        with pytest.raises(CassetteMiss, match="recorded 1 time"):
            harness.run("listSources", {"count": 10})
    with pytest.raises(CassetteMiss, match="--record-cassettes"):
        Cassette(tmp_path / "none.json")


def test_the_harness_runs_actions_picklists_triggers_and_dry_runs(harness: Harness) -> None:
    assert harness.simulator is not None
    first = harness.poll("sourceCreated")
    made = harness.seed({"createSource": [{"slug": "web", "metadataId": "IqDTy1TpoU",
                                           "enabled": True}]})["createSource"][0]
    ident = made["data"]["source"]["id"]
    label = harness.run("createLabel", {"label": {"key": "env", "value": "prod"}})
    harness.assert_matches_example("createLabel", label)
    assert harness.picklist("sources")["result"] == [{"label": "web", "key": ident}]
    events = harness.poll("sourceCreated", state=first["state"])["events"]
    assert [e["resourceId"] for e in events] == [ident]
    request = harness.dry_run("getSource", {"sourceId": ident})
    assert request["url"].endswith(f"/sources/{ident}")
    harness.assert_request_matches_schema("createSource", {"slug": "web",
                                                           "metadataId": "IqDTy1TpoU"})


def test_shape_problems_name_the_missing_and_mistyped_fields() -> None:
    example = {"data": {"items": [{"id": "a", "n": 1}], "next": None}}
    assert shape_problems(example, {"data": {"items": [{"id": "b", "n": 2}], "next": "x"}}) == []
    answer = {"data": {"items": [{"id": 3}]}}
    assert shape_problems(example, answer) == ["$.data.items[0].id: expected string, got number"]
    assert shape_problems(example, answer, strict=True) == [
        "$.data.items[0].id: expected string, got number", "$.data.items[0].n: missing",
        "$.data.next: missing"]
    with pytest.raises(AssertionError, match=r"\$\.data\.items: missing"):
        assert_matches_example(example, {"data": {}})


@pytest.mark.cassette("cassettes/kit_listing.json")
def test_the_cassette_mark_replays_offline(harness: Harness, pytestconfig: Any) -> None:
    """Recorded with `pytest --record-cassettes` against the simulator."""
    if not pytestconfig.getoption("--record-cassettes"):
        assert harness.simulator is None and harness.connection.base_url == REPLAY_URL
    harness.seed({"createLabel": [{"label": {"key": "env", "value": "prod"}}]})
    labels = harness.run("listLabels")["data"]["data"]["labels"]
    assert {"key": "env", "value": "prod"} in [{"key": lb["key"], "value": lb["value"]}
                                               for lb in labels]


def test_the_committed_cassettes_hold_no_secret() -> None:
    for path in Path(__file__).parent.glob("cassettes/*.json"):
        text = path.read_text(encoding="utf-8")
        assert "sgp_" not in text and "authorization" not in text.lower(), path
        json.loads(text)


@pytest.mark.connector_seed({"createLabel": [{"label": {"key": "team", "value": "data"}},
                                             {"label": {"key": "team", "value": "web"}}]})
def test_the_seed_mark_makes_resources_before_the_test(harness: Harness) -> None:
    options = harness.picklist("labels", {"filter": "team"})["result"]
    assert [o["key"] for o in options] == [{"key": "team", "value": "data"},
                                           {"key": "team", "value": "web"}]


KIT_TESTS = '''
import pytest

@pytest.mark.cassette("cassettes/kept.json")
def test_kept(harness):
    harness.run("listLabels")

@pytest.mark.cassette("cassettes/failed.json")
def test_failed(harness):
    harness.run("listLabels")
    assert False, "fails on purpose"
'''


def test_pytest_records_a_passing_test_and_not_a_failing_one_then_replays(
        tmp_path: Path) -> None:
    """The kit as an author meets it: loaded by pytest itself, marks and options."""
    import os
    import subprocess
    import sys

    (tmp_path / "test_kit_use.py").write_text(KIT_TESTS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SEGMENT_API_TOKEN"}

    def pytest_run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "--rootdir", str(tmp_path), str(tmp_path), *args],
                              cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120, check=False)

    recorded = pytest_run("--record-cassettes")
    assert "1 failed, 1 passed" in recorded.stdout, recorded.stdout
    assert (tmp_path / "cassettes" / "kept.json").is_file()
    assert not (tmp_path / "cassettes" / "failed.json").exists()
    replayed = pytest_run("-k", "kept")
    assert "1 passed" in replayed.stdout, replayed.stdout
    missing = pytest_run("-k", "failed")
    assert "no cassette" in missing.stdout and "--record-cassettes" in missing.stdout
