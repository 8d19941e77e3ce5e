"""The Markdown reference in docs/: current, complete, and readable as tables."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from connector import cli, docs, manifest
from connector.hookspecs import hookimpl
from connector.registry import Registry
from connector.spec import REGION, Action, Input

ROOT = Path(__file__).resolve().parent.parent
KEY_LINE = re.compile(r"^Key: `([^`]+)`", re.MULTILINE)


@pytest.fixture(scope="module")
def registry() -> Registry:
    # The project's own declarations, whatever plugins are installed beside it.
    return Registry.load(installed=False)


@pytest.fixture(scope="module")
def pages(registry: Registry) -> dict[str, str]:
    return docs.render(registry)


def _section(page: str, title: str) -> str:
    """The text of one `## title` section."""
    start = page.index(f"\n## {title}\n")
    end = page.find("\n## ", start + 1)
    return page[start:end if end != -1 else None]


def _row(section: str, key: str) -> list[str]:
    """Cells of the input row whose Key cell starts with `key`, split on unescaped pipes."""
    for line in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) > 1 and cells[1].startswith(f"`{key}`"):
            return cells
    raise AssertionError(f"no input row for {key!r}")


def _check(out_dir: Path) -> int:
    p = argparse.ArgumentParser()
    docs.add_arguments(p)
    return docs.run(p.parse_args(["--output", str(out_dir), "--check"]))


def test_committed_docs_match_a_fresh_render(registry: Registry) -> None:
    stale = docs.stale(registry, ROOT / "docs")
    assert stale == [], f"docs/ is stale, run `segment-connector docs`: {stale}"


def test_every_action_and_picklist_on_exactly_one_page(registry: Registry,
                                                        pages: dict[str, str]) -> None:
    data = manifest.build(registry)
    seen: dict[str, list[str]] = {}
    for name, text in pages.items():
        for key in KEY_LINE.findall(text):
            seen.setdefault(key, []).append(name)
    for action in data["actions"]:
        expected = "raw_request.md" if action["key"] == "rawRequest" else None
        where = seen.get(action["key"], [])
        assert len(where) == 1, f"{action['key']} on {where}"
        assert where[0] == (expected or docs.file_for(action["area"]))
    for source in data["picklists"]:
        assert seen.get(source["key"]) == ["picklists.md"], source["key"]


def test_area_pages_use_the_action_module_names(pages: dict[str, str]) -> None:
    assert {"sources.md", "reverse_etl.md", "iam_groups.md", "raw_request.md",
            "picklists.md", "index.md"} <= set(pages)
    assert "\n## List Sources\n" in pages["sources.md"]
    assert "\n## Raw Request\n" in pages["raw_request.md"]


def test_list_sources_shows_the_seed_count_default(pages: dict[str, str]) -> None:
    section = _section(pages["sources.md"], "List Sources")
    label, _key, kind, required, default, *_ = _row(section, "count")
    assert (label, kind, required, default) == ("Count", "integer", "no", "`50`")
    assert "`GET /sources`" in section
    assert "`application/vnd.segment.v1+json`" in section


def test_defaults_render_as_json_and_picklists_link(pages: dict[str, str]) -> None:
    listing = _section(pages["sources.md"], "List Sources")
    assert _row(listing, "count")[4] == "`50`"
    assert _row(listing, "region")[4] == ""  # blank: the connection's region
    section = _section(pages["sources.md"], "Get Source")
    assert _row(section, "sourceId")[7] == "[`sources`](picklists.md#sources)"
    assert '<a id="sources"></a>' in pages["picklists.md"]


def test_example_payload_is_a_json_block(pages: dict[str, str]) -> None:
    section = _section(pages["picklists.md"], "Fetch Sources")
    assert '```json\n{\n  "result": [\n' in section
    assert '"key": "rh5BDZp6QDHvXFCkibm1pR"' in section
    assert "Reads: [`listSources`](sources.md#listSources)" in section


def test_index_links_every_page_with_its_count(registry: Registry,
                                               pages: dict[str, str]) -> None:
    index = pages["index.md"]
    areas = docs.pages(manifest.build(registry))
    assert sum(len(p.actions) for p in areas) == len(registry.actions.items)
    for page in areas:
        assert f"]({page.file}) | {len(page.actions)} |" in index
    assert f"](picklists.md) | {len(registry.datasources.items)} picklists |" in index


class _PipePlugin:
    """A third-party action whose texts hold pipes and line breaks."""

    @hookimpl
    def register_actions(self, register: Any) -> None:
        register(Action(
            "pipeAction", "Pipe Action", "Checks table escaping.", "GET", "/pipes",
            area="Odd Things",
            inputs=(REGION, Input("mode", comments="Either a|b\nor c.", default="a|b",
                                  choices=("a|b", "c"), example="c|d")),
        ))


def test_pipes_and_line_breaks_stay_inside_their_cell() -> None:
    rendered = docs.render(Registry.load(extra=[("pipes", _PipePlugin())]))
    page = rendered["odd_things.md"]
    row = next(line for line in page.splitlines() if line.startswith("| Mode |"))
    cells = re.split(r"(?<!\\)\|", row)[1:-1]
    assert len(cells) == 8
    assert cells[4].strip() == r'`"a\|b"`'
    assert cells[5].strip() == r'`"c\|d"`'  # the example
    assert r"Either a\|b or c." in cells[6]
    assert "](odd_things.md) | 1 |" in rendered["index.md"]


def test_check_lists_stale_and_missing_pages(registry: Registry, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    docs.write(registry, tmp_path)
    assert _check(tmp_path) == 0
    edited = tmp_path / "sources.md"
    edited.write_text(edited.read_text("utf-8").replace("`50`", "`20`"), "utf-8")
    (tmp_path / "labels.md").unlink()
    capsys.readouterr()
    assert _check(tmp_path) == 1
    err = capsys.readouterr().err
    assert "sources.md" in err and "labels.md" in err
    assert "warehouses.md" not in err
    assert docs.write(registry, tmp_path) == ["labels.md", "sources.md"]
    assert _check(tmp_path) == 0


def test_write_removes_generated_pages_that_are_gone(registry: Registry,
                                                     tmp_path: Path) -> None:
    docs.write(registry, tmp_path)
    gone = tmp_path / "old_area.md"
    gone.write_text(docs.MARKER + "\n# Old\n", "utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text("# Hand-written\n", "utf-8")
    assert docs.stale(registry, tmp_path) == ["old_area.md"]
    docs.write(registry, tmp_path)
    assert not gone.exists() and notes.exists()


def test_cli_docs_command_writes_the_pages(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["docs"]) == 0
    assert (tmp_path / "docs" / "index.md").read_text("utf-8").startswith(docs.MARKER)


def test_jinja2_is_not_imported_at_start_up() -> None:
    code = ("import sys; from connector import cli; cli.parser(); "
            "from connector.registry import Registry; Registry.load(); "
            "sys.exit('jinja2' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_each_action_has_three_ready_calls_that_carry_its_sample_inputs(
        registry: Registry) -> None:
    """The CLI line parses back to the sample inputs the way the CLI reads them, the HTTP
    body is the same inputs as JSON, and the Python snippet is Python that passes them."""
    import ast
    import json
    import shlex

    from connector.call_examples import calls_for
    from connector.cli.inputs import parse_inputs
    from connector.samples import sample_inputs

    for key in sorted({registry.action(name).key for name in registry.actions.names()}):
        action = registry.action(key)
        inputs = sample_inputs(action)
        calls = calls_for(action)
        words = shlex.split(calls["cli"].replace("\\\n", " "))
        assert words[:3] == ["segment-connector", "run", key]
        pairs = [words[i + 1] for i, word in enumerate(words) if word == "--input"]
        assert parse_inputs(pairs, None, action.inputs, key) == inputs, key
        body = shlex.split(calls["http"].replace("\\\n", " "))[-1]
        assert json.loads(body) == {"inputs": inputs}, key
        tree = ast.parse(calls["python"])
        call = tree.body[-1].value  # type: ignore[attr-defined]
        assert ast.literal_eval(call.args[1]) == inputs, key


def test_a_docs_cli_call_runs_against_the_simulator(registry: Registry,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import shlex

    from connector.call_examples import calls_for
    from connector.simulator import Simulator

    with Simulator() as sim:
        monkeypatch.setenv("SEGMENT_API_TOKEN", sim.token)
        monkeypatch.setenv("SEGMENT_BASE_URL", sim.base_url)
        words = shlex.split(calls_for(registry.action("createLabel"))["cli"].replace("\\\n", " "))
        assert cli.main(words[1:]) == 0
    assert json.loads(capsys.readouterr().out)["data"]["data"]["label"]["key"] == "environment"


def test_example_answers_are_labelled_as_answers(pages: dict[str, str]) -> None:
    labels = pages["labels.md"]
    assert "### Example answer\n\nWhat a run returns" in labels
    assert "### Example payload" not in labels
    assert "| Input | Key | Type | Required | Default | Example | Comments | Picklist |" in labels
