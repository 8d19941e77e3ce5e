"""The `segment-connector` command: describe, run (dry or not), inputs, exit codes, manifest."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import responses

from connector import cli

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "sgp_cli_test_token_9d8e7f6a"
BASE = "https://api.segmentapis.com"

# The seed product's Raw Request inputs, in its order, with its defaults.
SEED_INPUTS = [
    ("Region", None), ("URL", None), ("Method", None), ("Data", None), ("Form Data", None),
    ("File Data", None), ("File Data File Names", None), ("Query Parameter", None),
    ("Header", None), ("Response Type", "json"), ("Timeout", None), ("Debug Request", False),
    ("Retry Delay (ms)", 0), ("Retry On All Errors", False), ("Max Retry Count", 0),
    ("Use Exponential Backoff", False),
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def no_env_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SEGMENT_API_TOKEN", "SEGMENT_REGION", "SEGMENT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


# -- describe ---------------------------------------------------------------------------
def test_describe_raw_request_shows_every_seed_input_with_its_default(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "describe", "rawRequest")
    assert code == 0
    section = out.split("\nInputs:\n", 1)[1].split("\nExample answer:", 1)[0]
    # Input lines are indented two spaces; their comments six.
    lines = [line.strip() for line in section.splitlines()
             if line.startswith("  ") and not line.startswith("      ")]
    assert len(lines) == len(SEED_INPUTS)
    for line, (label, _) in zip(lines, SEED_INPUTS, strict=True):
        assert line.startswith(f"{label} (")
    for line, (_, default) in zip(lines, SEED_INPUTS, strict=True):
        if default is None:
            assert "default" not in line
        else:
            assert f"default {json.dumps(default)}" in line


def test_describe_json_has_the_seed_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "describe", "rawRequest", "--json")
    assert code == 0
    described = json.loads(out)
    got = [(i["label"], i["default"]) for i in described["inputs"]]
    assert got == SEED_INPUTS
    assert described["inputSchema"]["required"] == ["url", "method"]


def test_describe_an_api_action_shows_method_and_path(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    code, out, _ = run(capsys, "describe", "getSource")
    assert code == 0
    assert "GET /sources/{sourceId}" in out
    assert "Source ID (sourceId): string, required" in out
    assert "picklist sources" in out


def test_describe_a_picklist(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "describe", "audiences")
    assert code == 0
    assert "from action listAudiences" in out
    assert "spaceId" in out and "filter" in out


def test_describe_unknown_key_is_an_input_error_with_a_suggestion(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "describe", "noSuchThing")
    assert code == 2
    assert "noSuchThing" in err and out == ""
    code, _, err = run(capsys, "describe", "creatSource")
    assert code == 2
    assert "did you mean 'createSource'" in err


def test_describe_shows_array_item_types_and_example_values(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "describe", "createSourceRegulation")
    assert code == 0
    assert "Subject IDs (subjectIds): array of string, required" in out
    code, out, _ = run(capsys, "describe", "createSource")
    assert code == 0
    lines = out.splitlines()
    slug = next(i for i, line in enumerate(lines) if line.startswith("  Slug (slug)"))
    assert '      example: "my-website"' in lines[slug + 1:slug + 3]
    assert '      example: {"websiteUrl": "https://example.com"}' in lines


def test_describe_json_carries_example_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "describe", "rawRequest", "--json")
    assert code == 0
    examples = json.loads(out)["exampleInputs"]
    assert examples["url"] == "/sources" and examples["method"] == "GET"
    assert examples["queryParams"] == {"pagination.count": 10}


# -- run ---------------------------------------------------------------------------------
@responses.activate
def test_run_refuses_a_foreign_url_and_sends_nothing(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    code, out, err = run(capsys, "run", "rawRequest", "--input", "url=https://example.com/x",
                         "--input", "method=GET", "--token", TOKEN)
    assert code == 2
    assert "url" in err and "example.com" in err
    assert out == ""
    assert len(responses.calls) == 0


def test_dry_run_prints_the_request_with_the_token_masked(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "run", "createSource", "-i", "slug=web",
                         "-i", "metadataId=IqDTy1TpoU", "-i", 'settings={"a": 1}',
                         "--token", TOKEN, "--dry-run")
    assert code == 0, err
    described = json.loads(out)
    assert described["method"] == "POST"
    assert described["url"] == f"{BASE}/sources"
    assert described["headers"]["Authorization"] == "Bearer ***"
    assert described["headers"]["Content-Type"] == "application/vnd.segment.v1+json"
    assert described["body"] == {"slug": "web", "enabled": True, "metadataId": "IqDTy1TpoU",
                                 "settings": {"a": 1}}
    assert TOKEN not in out + err


def test_dry_run_of_raw_request(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "run", "rawRequest", "-i", "url=/sources", "-i", "method=GET",
                       "-i", 'queryParams={"pagination.count": 2}', "--region", "eu1.api",
                       "--token", TOKEN, "--dry-run")
    assert code == 0
    described = json.loads(out)
    assert described["url"] == "https://eu1.api.segmentapis.com/sources?pagination.count=2"
    assert described["headers"]["Authorization"] == "Bearer ***"


@responses.activate
def test_run_prints_the_data(capsys: pytest.CaptureFixture[str]) -> None:
    responses.get(f"{BASE}/sources/s1", json={"data": {"source": {"id": "s1"}}})
    code, out, _ = run(capsys, "run", "getSource", "-i", "sourceId=s1", "--token", TOKEN)
    assert code == 0
    assert json.loads(out) == {"data": {"data": {"source": {"id": "s1"}}}}
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


@responses.activate
def test_inputs_from_stdin(capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    responses.post(f"{BASE}/sources", status=201, json={"data": {"source": {"id": "n"}}})
    stdin = json.dumps({"slug": "from-stdin", "metadataId": "IqDTy1TpoU", "enabled": False})
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code, _, err = run(capsys, "run", "createSource", "--input-json", "-",
                         "-i", "slug=overridden", "--token", TOKEN)
    assert code == 0, err
    sent = json.loads(responses.calls[0].request.body)
    assert sent == {"slug": "overridden", "metadataId": "IqDTy1TpoU", "enabled": False}


def test_input_json_that_is_not_an_object_is_an_input_error(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("[1, 2]"))
    code, _, err = run(capsys, "run", "getSource", "--input-json", "-", "--dry-run")
    assert code == 2
    assert "--input-json" in err


@responses.activate
def test_exit_codes_tell_input_errors_from_api_errors(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    code, _, err = run(capsys, "run", "getSource", "--token", TOKEN)
    assert code == 2
    assert "sourceId" in err
    assert len(responses.calls) == 0

    responses.get(f"{BASE}/sources/missing", status=404,
                  json={"errors": [{"type": "not-found", "message": "Source not found"}]})
    code, out, err = run(capsys, "run", "getSource", "-i", "sourceId=missing", "--token", TOKEN)
    assert code == 3
    assert "404" in err and "Source not found" in err
    assert out == ""


def test_malformed_input_pair_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "getSource", "-i", "sourceId", "--dry-run")
    assert code == 2
    assert "name=value" in err


# -- picklist and list -----------------------------------------------------------------
@responses.activate
def test_picklist_command(capsys: pytest.CaptureFixture[str]) -> None:
    responses.get(f"{BASE}/sources", json={"data": {
        "sources": [{"id": "s1", "name": "Web"}], "pagination": {"current": "MA=="}}})
    code, out, _ = run(capsys, "picklist", "sources", "--token", TOKEN)
    assert code == 0
    assert json.loads(out)["result"] == [{"label": "Web", "key": "s1"}]


def test_list_shows_actions_and_picklists(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    listed = json.loads(out)
    keys = {a["key"] for a in listed["actions"]}
    assert {"rawRequest", "getSource", "listSources"} <= keys
    assert {"sources", "warehouses", "destination"} <= {p["key"] for p in listed["picklists"]}


# -- manifest ------------------------------------------------------------------------------
def test_manifest_check_passes_on_the_committed_file(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    code, _, err = run(capsys, "manifest", "--builtin", "--check", "-o",
                       str(ROOT / "manifest.json"))
    assert code == 0, err


def test_manifest_check_fails_on_a_stale_file(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    code, _, _ = run(capsys, "manifest", "-o", str(path))
    assert code == 0
    assert run(capsys, "manifest", "--check", "-o", str(path))[0] == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    data["actions"] = data["actions"][1:]
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    code, _, err = run(capsys, "manifest", "--check", "-o", str(path))
    assert code == 1
    assert "stale" in err


def test_manifest_check_fails_on_a_missing_file(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    assert run(capsys, "manifest", "--check", "-o", str(tmp_path / "nope.json"))[0] == 1


def test_every_picklist_describes_an_example_payload(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    from connector.registry import Registry

    registry = Registry.load(installed=False)
    for source in registry.datasources.items.values():
        code, out, err = run(capsys, "describe", source.key, "--json")
        assert code == 0, err
        options = json.loads(out)["examplePayload"]["result"]
        assert options, source.key
        assert all(set(o) == {"label", "key"} and isinstance(o["label"], str)
                   for o in options), source.key
        if source.example is not None:
            assert options == source.example["result"]
        code, out, _ = run(capsys, "describe", source.key)
        shown = json.loads(out.split("\nExample answer", 1)[1].split(":\n", 1)[1])
        assert shown["result"] == options


@responses.activate
def test_a_picklist_example_made_from_its_action_is_what_the_picklist_returns(
        capsys: pytest.CaptureFixture[str]) -> None:
    from connector.registry import Registry

    users = Registry.load(installed=False).datasource("users")
    assert users.example is None  # the case under test: made from listUsers' example
    code, out, _ = run(capsys, "describe", "users")
    assert code == 0
    assert "Example answer (from the example of listUsers):" in out
    described = json.loads(out.split("listUsers):\n", 1)[1])
    body = Registry.load(installed=False).action("listUsers").example_payload()["data"]
    body["data"]["pagination"].pop("next", None)
    responses.get(f"{BASE}/users", json=body)
    code, out, _ = run(capsys, "picklist", "users", "--token", TOKEN)
    assert code == 0
    assert json.loads(out) == described


def test_describe_states_what_a_builder_routes_on(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "describe", "createLabel")
    assert code == 0
    assert "write; not safe to retry; GA; 60 requests per minute" in out.splitlines()[2]
    code, out, _ = run(capsys, "describe", "getEventsVolumeFromWorkspace")
    assert 'placeholder ["000xxx"] (not sent)' in out
