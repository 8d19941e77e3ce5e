"""docs/plugins.md, the author's guide: every hook documented, every code block run."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from connector import hookspecs

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
            if lang == language]


def test_every_hookspec_is_documented() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    specs = [name for name, value in vars(hookspecs).items()
             if callable(value) and hasattr(value, "segment_connector_spec")]
    assert specs, "no hookspec found: the marker attribute changed"
    missing = [name for name in specs if f"### `{name}`" not in text]
    assert missing == [], f"hooks without a section in docs/plugins.md: {missing}"


def test_every_block_is_of_a_kind_that_runs() -> None:
    kinds = {lang for lang, _ in BLOCK.findall(GUIDE.read_text(encoding="utf-8"))}
    assert kinds == {"python", "toml", "sh"}


def test_the_python_blocks_run_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGMENT_API_TOKEN", raising=False)
    namespace: dict[str, Any] = {"__name__": "plugins_doc"}
    for at, body in enumerate(_blocks("python")):
        try:
            exec(compile(body, f"docs/plugins.md python block {at + 1}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"python block {at + 1} failed: {exc!r}\n{body}") from exc


def test_the_toml_blocks_parse_and_name_the_kit_and_the_entry_point_group() -> None:
    parsed = [tomllib.loads(body) for body in _blocks("toml")]
    assert any("segment_connector" in p.get("project", {}).get("entry-points", {})
               for p in parsed)
    assert any("connector_plugins" in p.get("tool", {}).get("pytest", {}).get(
        "ini_options", {}) for p in parsed)


def test_the_shell_blocks_run(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k != "SEGMENT_API_TOKEN"}
    for body in _blocks("sh"):
        for line in body.strip().splitlines():
            words = shlex.split(line)
            env = dict(base)
            while "=" in words[0]:
                name, _, value = words.pop(0).partition("=")
                env[name] = str(tmp_path / value) if name == "PYTHONPATH" else value
            if words[0] == "segment-connector":
                words = [sys.executable, "-m", "connector.cli", *words[1:]]
            elif words[0] == "python":
                words = [sys.executable, *words[1:]]
            done = subprocess.run(words, cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=300, check=False)
            assert done.returncode == 0, f"{line}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"


def test_the_readme_plugin_example_keeps_its_example_payload() -> None:
    from types import SimpleNamespace

    from connector.registry import Registry

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Writing a plugin"):]
    body = next(b for lang, b in BLOCK.findall(section) if lang == "python")
    namespace: dict[str, Any] = {}
    exec(compile(body, "README.md plugin example", "exec"), namespace)
    plugin = SimpleNamespace(register_actions=namespace["register_actions"])
    action = Registry.load(extra=[("readme", plugin)], installed=False).action("getSource")
    assert action.plugin == "readme"
    assert action.example_payload() == {"data": {"data": {"source": namespace["SOURCE"]}}}
    assert "docs/plugins.md" in readme
