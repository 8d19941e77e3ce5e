"""The Config API mapping table holds every endpoint of ENDPOINTS.md, as it states them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connector.errors import InputError
from connector.legacy.handlers import load
from connector.legacy.table import endpoints, find
from connector.registry import Registry

# The table's source: ../shared/segment-api/config-api/ENDPOINTS.md, pinned in the repo.
SOURCE = Path(__file__).with_name("data") / "config-api-endpoints.md"
_ROW = re.compile(r"^\| (\d+) \| ([^|]+) \| ([^|]+) \| [^|]* \| ([^|]+) \|", re.M)
_OP = re.compile(r"\b([a-z][A-Za-z]+(?:From|In|To|For|Of)?[A-Za-z]*)\b")


def _rows() -> dict[int, dict[str, object]]:
    out: dict[int, dict[str, object]] = {}
    text = SOURCE.read_text("utf-8").replace(r"\|", "/")  # escaped pipes inside cells
    for number, methods, path, public in _ROW.findall(text):
        out[int(number)] = {"methods": methods, "path": path.strip(), "public": public.strip()}
    return out


def test_every_row_of_endpoints_md_is_in_the_table() -> None:
    rows = _rows()
    assert sorted(rows) == list(range(1, 59))
    assert sorted({e.row for e in endpoints()}) == sorted(rows)


def test_mapping_kinds_match_the_counts_endpoints_md_states() -> None:
    kinds: dict[int, str] = {}
    for e in endpoints():
        assert kinds.setdefault(e.row, e.kind) == e.kind, f"row {e.row} has two kinds"
    counts = {k: list(kinds.values()).count(k) for k in ("full", "partial", "none")}
    assert counts == {"full": 46, "partial": 7, "none": 5}
    for number, row in _rows().items():
        assert (row["public"] == "none") == (kinds[number] == "none"), number


def test_every_public_operation_a_row_names_is_in_its_entry() -> None:
    actions = set(Registry.load().actions.names())
    for number, row in _rows().items():
        chosen = re.sub(r"\(or [^)]*\)", "", str(row["public"]))  # an alternative not taken
        named = {op for op in _OP.findall(chosen) if op in actions}
        ours = {op for e in endpoints() if e.row == number for op in e.public}
        assert named <= ours, f"row {number}: {sorted(named - ours)} missing"
        assert ours <= actions, f"row {number}: {sorted(ours - actions)} are not actions"


def test_every_path_keeps_the_last_literal_segment_endpoints_md_gives() -> None:
    for number, row in _rows().items():
        paths = [e.path for e in endpoints() if e.row == number]
        literal = [s for s in re.split(r"[/`,\[\]]", str(row["path"]).split("`")[1]) if s
                   and not s.startswith("{") and s != "…"]
        if literal:
            assert any(literal[-1] in p for p in paths), (number, literal, paths)


def test_every_mapped_method_has_a_handler_and_none_without() -> None:
    handlers = load()
    for e in endpoints():
        for method in e.methods:
            assert (f"{method} {e.path}" in handlers) == (e.kind != "none"), e.key
        if e.kind == "none":
            assert e.why and e.alternative


@pytest.mark.parametrize(("method", "path", "row"), [
    ("GET", "/v1beta/workspaces/ws/roles/-/policies", 49),
    ("POST", "https://platform.segmentapis.com/v1beta/workspaces/ws/roles/r1/policies", 50),
    ("get", "/workspaces/ws/sources/web/destinations/amplitude/metrics:getSummary", 30),
    ("GET", "/v1beta/workspaces/ws/sources/web/destinations/amplitude/metrics/m?x=1", 27),
])
def test_paths_match_their_endpoint(method: str, path: str, row: int) -> None:
    assert find(method, path)[0].row == row


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1beta/workspaces/ws/nothing"), ("PUT", "/v1beta/workspaces/ws/sources"),
    ("GET", "/v1beta/workspaces//sources"), ("GET", ""),
])
def test_an_unknown_path_is_an_input_error_naming_the_path(method: str, path: str) -> None:
    with pytest.raises(InputError) as caught:
        find(method, path)
    assert "path" in caught.value.fields
