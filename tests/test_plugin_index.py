"""The entry-point index: the same answer as importlib.metadata, rebuilt whenever the
environment changes, and never trusted when it is malformed or stale."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from connector import plugin_index
from connector.registry import Registry

GROUP = "segment_connector"
LONG_AGO = 1_000_000_000  # 2001: a directory no install has touched lately


def dist(where: Path, name: str, entries: str) -> Path:
    """A distribution's dist-info with these `entry_points.txt` lines in the group."""
    info = where / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n{entries}\n", encoding="utf-8")
    return info


def settle(*paths: Path) -> None:
    """As if these (and what a directory holds) were last changed long ago, outside the
    racy window."""
    for path in paths:
        for inner in path.iterdir() if path.is_dir() else ():
            os.utime(inner, (LONG_AGO, LONG_AGO))
        os.utime(path, (LONG_AGO, LONG_AGO))


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(a site directory on sys.path, the cache directory)."""
    site = tmp_path / "site"
    site.mkdir()
    cache = tmp_path / "cache"
    monkeypatch.setenv(plugin_index.ENV, str(cache))
    monkeypatch.syspath_prepend(str(site))
    return site, cache


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each read of the installed metadata, recorded."""
    done: list[str] = []
    real: Callable[[str], tuple[list[plugin_index.EntryPoint], list[str]]] = plugin_index._scan

    def counted(group: str) -> tuple[list[plugin_index.EntryPoint], list[str]]:
        done.append(group)
        return real(group)

    monkeypatch.setattr(plugin_index, "_scan", counted)
    return done


def names(found: list[plugin_index.EntryPoint]) -> list[str]:
    return [ep.name for ep in found]


def test_second_start_reads_the_index_not_the_metadata(env: tuple[Path, Path],
                                                       scans: list[str]) -> None:
    site, cache = env
    settle(dist(site, "one_plugin", "one = one_mod"), site)
    first = plugin_index.entry_points(GROUP)
    assert "one" in names(first)
    assert len(list(cache.glob("entry-points-*.json"))) == 1
    again = plugin_index.entry_points(GROUP)
    assert again == first
    assert scans == [GROUP]  # the second answer came from the index


def test_a_new_distribution_is_seen_at_once(env: tuple[Path, Path], scans: list[str]) -> None:
    site, _ = env
    settle(dist(site, "one_plugin", "one = one_mod"), site)
    plugin_index.entry_points(GROUP)
    dist(site, "two_plugin", "two = two_mod:plugin")  # changes the directory's mtime
    found = plugin_index.entry_points(GROUP)
    assert {"one", "two"} <= set(names(found))
    assert len(scans) == 2


def test_a_removed_distribution_is_gone_at_once(env: tuple[Path, Path]) -> None:
    site, _ = env
    info = dist(site, "one_plugin", "one = one_mod")
    settle(info, site)
    assert "one" in names(plugin_index.entry_points(GROUP))
    for item in info.iterdir():
        item.unlink()
    info.rmdir()
    assert "one" not in names(plugin_index.entry_points(GROUP))


def test_an_entry_points_file_edited_in_place_is_seen(env: tuple[Path, Path]) -> None:
    site, _ = env
    info = dist(site, "one_plugin", "one = one_mod")
    settle(info, site)
    plugin_index.entry_points(GROUP)
    (info / "entry_points.txt").write_text(f"[{GROUP}]\nrenamed = one_mod\n", encoding="utf-8")
    for untouched in (info, site):  # the directories look as they were; the file does not
        os.utime(untouched, (LONG_AGO, LONG_AGO))
    assert "renamed" in names(plugin_index.entry_points(GROUP))


@pytest.mark.parametrize("content", [
    b"not json at all",
    b"[]",
    b'{"format": 1}',
    b'{"format": 99, "fingerprint": "x", "files": [], "entry_points": []}',
    b'{"format": 1, "fingerprint": "FP", "files": [], "entry_points": [["a"]]}',
    b'{"format": 1, "fingerprint": "FP", "files": [], "entry_points": [["a", 5]]}',
    b'{"format": 1, "fingerprint": "FP", "files": [], '
    b'"entry_points": [["a", "os; import shutil"]]}',
    b'{"format": 1, "fingerprint": "FP", "files": [["/no/such/file", 1]], '
    b'"entry_points": []}',
    b'{"format": 1, "fingerprint": "FP", "files": {}, "entry_points": []}',
])
def test_a_malformed_index_is_not_trusted(env: tuple[Path, Path], scans: list[str],
                                          content: bytes) -> None:
    site, cache = env
    settle(dist(site, "one_plugin", "one = one_mod"), site)
    plugin_index.entry_points(GROUP)
    [index] = cache.glob("entry-points-*.json")
    fingerprint = json.loads(index.read_text(encoding="utf-8"))["fingerprint"]
    index.write_bytes(content.replace(b"FP", fingerprint.encode()))
    assert "one" in names(plugin_index.entry_points(GROUP))
    assert len(scans) == 2
    rewritten = json.loads(index.read_text(encoding="utf-8"))  # well formed again
    # With the distribution that declares it, so manifests name a plugin's package.
    assert ["one", "one_mod", "one_plugin", "1.0"] in rewritten["entry_points"]
    [one] = [ep for ep in plugin_index.entry_points(GROUP) if ep.name == "one"]
    assert one.dist == ("one_plugin", "1.0") and len(scans) == 2  # from the index


def test_an_index_naming_other_plugins_under_another_fingerprint_is_ignored(
        env: tuple[Path, Path]) -> None:
    site, cache = env
    settle(dist(site, "one_plugin", "one = one_mod"), site)
    plugin_index.entry_points(GROUP)
    [index] = cache.glob("entry-points-*.json")
    data = json.loads(index.read_text(encoding="utf-8"))
    data["entry_points"] = [["planted", "planted_mod"]]
    data["fingerprint"] = "0" * 64
    index.write_text(json.dumps(data), encoding="utf-8")
    assert names(plugin_index.entry_points(GROUP)).count("planted") == 0


def test_no_index_is_written_while_the_environment_just_changed(
        env: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    site, cache = env
    dist(site, "one_plugin", "one = one_mod")
    changed = site.stat().st_mtime
    monkeypatch.setattr(plugin_index, "clock", lambda: changed + 0.5)
    assert "one" in names(plugin_index.entry_points(GROUP))
    assert not list(cache.glob("entry-points-*.json"))
    monkeypatch.setattr(plugin_index, "clock", lambda: changed + plugin_index.RACY_S + 1)
    plugin_index.entry_points(GROUP)
    assert len(list(cache.glob("entry-points-*.json"))) == 1


def test_an_unwritable_cache_still_answers(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    settle(dist(site, "one_plugin", "one = one_mod"), site)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(plugin_index.ENV, str(blocker / "cache"))
    monkeypatch.syspath_prepend(str(site))
    assert "one" in names(plugin_index.entry_points(GROUP))
    monkeypatch.setenv(plugin_index.ENV, "")  # set empty: no index at all
    assert "one" in names(plugin_index.entry_points(GROUP))


def test_the_index_agrees_with_importlib_metadata(env: tuple[Path, Path]) -> None:
    from importlib.metadata import entry_points

    site, _ = env
    settle(dist(site, "one_plugin", "one = one_mod\nother = other_mod:obj.attr"), site)
    expected = [(ep.name, ep.value) for ep in entry_points(group=GROUP)]
    for _ in range(2):  # scanned, then from the index
        assert [(ep.name, ep.value) for ep in plugin_index.entry_points(GROUP)] == expected


def test_entry_point_load_follows_module_and_attributes() -> None:
    assert plugin_index.EntryPoint("x", "os.path:join").load() is os.path.join
    assert plugin_index.EntryPoint("x", "json").load() is sys.modules["json"]
    with pytest.raises(ValueError, match="module"):
        plugin_index.EntryPoint("x", "not a value!").load()


def test_registry_loads_a_plugin_from_the_index(env: tuple[Path, Path],
                                                scans: list[str]) -> None:
    site, _ = env
    (site / "indexed_segment_plugin.py").write_text(
        "from connector.hookspecs import hookimpl\n"
        "from connector.spec import Action\n\n\n"
        "@hookimpl\n"
        "def register_actions(register):\n"
        "    register(Action('indexedPing', 'Indexed Ping', 'Ping.', 'GET', '/',\n"
        "                    area='Sample', example={'data': {}}))\n", encoding="utf-8")
    settle(dist(site, "indexed_segment_plugin", "indexed = indexed_segment_plugin"), site)
    sys.modules.pop("indexed_segment_plugin", None)
    assert Registry.load().action("indexedPing").plugin == "indexed"
    sys.modules.pop("indexed_segment_plugin", None)
    assert Registry.load().action("indexedPing").plugin == "indexed"
    assert len(scans) == 1
