"""`manifest diff`: breaking changes are found and fail the command; the project's own
manifest keeps every promise of its last release unless a break is accepted here."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from connector import manifest_diff

ROOT = Path(__file__).resolve().parent.parent
CURRENT = ROOT / "manifest.json"
# The manifest of the last release (0.1.0, commit c51a956), kept as it was published.
RELEASED = ROOT / "tests" / "fixtures" / "manifest-0.1.0.json"
# Breaking changes since that release that were reviewed and accepted, as `Change.line()`.
ACCEPTED_BREAKS: list[str] = []


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SEGMENT_API_TOKEN"}
    return subprocess.run([sys.executable, "-m", "connector.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _by_key(section: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return next(item for item in section if item["key"] == key)


def _input(action: dict[str, Any], key: str) -> dict[str, Any]:
    return next(inp for inp in action["inputs"] if inp["key"] == key)


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """The current manifest with four breaking changes planted in it."""
    data = copy.deepcopy(_load(CURRENT))
    data["actions"] = [a for a in data["actions"] if a["key"] != "deleteSource"]
    _input(_by_key(data["actions"], "createSource"), "settings")["required"] = True
    strategy = _input(_by_key(data["actions"], "addAudienceScheduleToAudience"), "strategy")
    strategy["choices"] = [c for c in strategy["choices"] if c != "PERIODIC"]
    _input(_by_key(data["actions"], "listSources"), "count")["default"] = 25
    path = tmp_path / "planted.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_each_planted_break_is_reported_as_breaking_and_exits_1(planted: Path) -> None:
    done = _cli("manifest", "diff", str(CURRENT), str(planted), "--format", "json")
    assert done.returncode == 1, done.stderr
    answer = json.loads(done.stdout)
    breaking = {(c["key"], c["input"], c["message"]) for c in answer["changes"]
                if c["level"] == "breaking"}
    assert breaking == {
        ("deleteSource", None, "removed"),
        ("createSource", "settings", "newly required"),
        ("addAudienceScheduleToAudience", "strategy", 'enum values removed: "PERIODIC"'),
        ("listSources", "count", "default 50 -> 25"),
    }
    assert answer["breaking"] is True and answer["counts"]["breaking"] == 4
    text = _cli("manifest", "diff", str(CURRENT), str(planted))
    assert text.returncode == 1
    assert text.stdout.startswith("breaking (4):")
    assert "action deleteSource: removed" in text.stdout


def test_a_manifest_against_itself_has_no_changes_and_exits_0() -> None:
    done = _cli("manifest", "diff", str(CURRENT), str(CURRENT))
    assert (done.returncode, done.stdout.strip()) == (0, "no changes"), done.stderr


def test_the_reverse_of_a_removal_is_additive(planted: Path) -> None:
    changes = manifest_diff.diff(_load(planted), _load(CURRENT))
    assert ("additive", "deleteSource", "added") in {(c.level, c.key, c.message)
                                                     for c in changes}


def test_a_rename_kept_as_an_alias_is_not_breaking() -> None:
    old = {"actions": [{"key": "listThings", "aliases": [], "inputs": []}]}
    new = {"actions": [{"key": "listAllThings", "aliases": ["listThings"], "inputs": []}]}
    changes = manifest_diff.diff(old, new)
    assert [(c.level, c.key) for c in changes] == [("risky", "listThings"),
                                                   ("additive", "listAllThings")]


@pytest.mark.parametrize(("was", "now", "level"), [
    ({"type": "integer"}, {"type": "number"}, "additive"),  # wider
    ({"type": "number"}, {"type": "integer"}, "breaking"),  # narrowed
    ({"choices": ["a", "b"]}, {"choices": ["a", "b", "c"]}, "risky"),
    ({}, {"choices": ["a"]}, "breaking"),  # free text becomes an enum
    ({"required": True}, {"required": False}, "additive"),
])
def test_input_changes_are_classified(was: dict[str, Any], now: dict[str, Any],
                                      level: str) -> None:
    def manifest(inp: dict[str, Any]) -> dict[str, Any]:
        return {"actions": [{"key": "a", "inputs": [{"key": "x", **inp}]}]}

    changes = manifest_diff.diff(manifest(was), manifest(now))
    assert [c.level for c in changes] == [level], changes


def test_an_output_field_removed_is_breaking() -> None:
    def manifest(example: Any) -> dict[str, Any]:
        return {"actions": [{"key": "a", "inputs": [], "examplePayload": example}]}

    old = manifest({"data": {"items": [{"id": "1", "name": "n"}]}})
    new = manifest({"data": {"items": [{"id": "1"}]}})
    assert [(c.level, c.message) for c in manifest_diff.diff(old, new)] == [
        ("breaking", "output field data.items[].name removed")]


def test_an_unreadable_manifest_is_an_input_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    done = _cli("manifest", "diff", str(bad), str(CURRENT))
    assert done.returncode == 2
    assert "OLD" in done.stderr and "bad.json" in done.stderr
    missing = _cli("manifest", "diff", str(CURRENT), str(tmp_path / "none.json"))
    assert missing.returncode == 2 and "NEW" in missing.stderr


def test_the_manifest_keeps_every_promise_of_the_last_release() -> None:
    """A breaking change since the release is a deliberate choice: list it above."""
    changes = manifest_diff.diff(_load(RELEASED), _load(CURRENT))
    breaking = [c.line() for c in changes if c.level == "breaking"]
    assert breaking == ACCEPTED_BREAKS


def test_every_action_names_the_distribution_that_declared_it() -> None:
    from connector import __version__

    for section in ("actions", "picklists", "triggers"):
        for item in _load(CURRENT)[section]:
            assert item["distribution"] == {"name": "segment-connector",
                                            "version": __version__}, item["key"]
