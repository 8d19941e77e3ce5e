"""What changed between two manifests, and which changes break the flows built on the old one.

Each change is `breaking` (a flow that worked stops working or behaves otherwise:
an action, picklist, trigger, alias or input removed, an input newly required, a
type or range narrowed, an enum value removed, a default changed, an output field
removed), `risky` (works, but a builder may notice: a new enum value, a safety,
retry-safety, stability, method or path change, a renamed key kept as an alias)
or `additive` (new actions, optional inputs, fields, wider types, new words).
A key that the new manifest keeps as an alias of another is renamed, not removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

Level = Literal["breaking", "risky", "additive"]
LEVELS: tuple[Level, ...] = ("breaking", "risky", "additive")
# Sections of the manifest that hold named items, and the field of each that shows output.
SECTIONS = (("actions", "action", "examplePayload"), ("picklists", "picklist", None),
            ("triggers", "trigger", "sampleEvent"))
# A type the new one still accepts every value of: old -> wider new ones.
WIDER = {"integer": {"number", "any"}, "number": {"any"}, "string": {"any"},
         "boolean": {"any"}, "object": {"any"}, "array": {"any"}}
SAFETY_ORDER = {"read": 0, "write": 1, "destructive": 2}


@dataclass(frozen=True)
class Change:
    level: Level
    kind: str  # action, picklist, trigger, connection
    key: str
    message: str
    input: str | None = None

    def line(self) -> str:
        where = f"{self.kind} {self.key}" + (f", input {self.input}" if self.input else "")
        return f"{where}: {self.message}"


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from `old` to `new`, breaking ones first."""
    changes: list[Change] = []
    for section, kind, output in SECTIONS:
        changes.extend(_section(kind, old.get(section) or [], new.get(section) or [], output))
    conn_old = (old.get("connection") or {}).get("inputs") or []
    conn_new = (new.get("connection") or {}).get("inputs") or []
    changes.extend(_inputs("connection", "connection", conn_old, conn_new))
    return sorted(changes, key=lambda c: LEVELS.index(c.level))


def _section(kind: str, old: list[dict[str, Any]], new: list[dict[str, Any]],
             output: str | None) -> Iterator[Change]:
    before = {item["key"]: item for item in old}
    after = {item["key"]: item for item in new}
    alias_of = {alias: item["key"] for item in new for alias in item.get("aliases") or []}
    for key, item in before.items():
        if key in after:
            yield from _item(kind, item, after[key], output)
        elif key in alias_of:
            yield Change("risky", kind, key, f"renamed to {alias_of[key]!r}; the old key "
                         "is kept as an alias")
            yield from _item(kind, item, after[alias_of[key]], output)
        else:
            yield Change("breaking", kind, key, "removed")
    for key in after:
        if key not in before:
            yield Change("additive", kind, key, "added")


def _item(kind: str, old: Mapping[str, Any], new: Mapping[str, Any],
          output: str | None) -> Iterator[Change]:
    key = old["key"]
    for alias in old.get("aliases") or []:
        if alias not in (new.get("aliases") or []) and alias != new["key"]:
            yield Change("breaking", kind, key, f"alias {alias!r} removed")
    yield from _inputs(kind, key, old.get("inputs") or [], new.get("inputs") or [])
    if output is not None:
        lost = sorted(_paths(old.get(output)) - _paths(new.get(output)))
        for path in lost:
            yield Change("breaking", kind, key, f"output field {path} removed")
        gained = sorted(_paths(new.get(output)) - _paths(old.get(output)))
        if gained:
            yield Change("additive", kind, key, f"output fields added: {', '.join(gained)}")
    yield from _facts(kind, key, old, new)


def _facts(kind: str, key: str, old: Mapping[str, Any], new: Mapping[str, Any]
           ) -> Iterator[Change]:
    was, now = old.get("safety"), new.get("safety")
    if was != now and was in SAFETY_ORDER and now in SAFETY_ORDER:
        worse = SAFETY_ORDER[now] > SAFETY_ORDER[was]
        yield Change("risky" if worse else "additive", kind, key,
                     f"safety {was} -> {now}")
    if old.get("idempotent") is True and new.get("idempotent") is False:
        yield Change("risky", kind, key, "no longer safe to retry (idempotent true -> false)")
    for field in ("stability", "method", "path", "feed", "action"):
        if field in old and field in new and old[field] != new[field]:
            yield Change("risky", kind, key, f"{field} {old[field]!r} -> {new[field]!r}")
    if old.get("items") and new.get("items") and old["items"] != new["items"]:
        yield Change("breaking", kind, key,
                     f"listing key {old['items']!r} -> {new['items']!r}")
    if old.get("paginated") and new.get("paginated") is False:
        yield Change("breaking", kind, key, "no longer paginated")
    for field in ("display", "description"):
        if old.get(field) != new.get(field) and field in old and field in new:
            yield Change("additive", kind, key, f"{field} reworded")


def _inputs(kind: str, key: str, old: list[dict[str, Any]], new: list[dict[str, Any]]
            ) -> Iterator[Change]:
    before = {inp["key"]: inp for inp in old}
    after = {inp["key"]: inp for inp in new}
    for name, was in before.items():
        now = after.get(name)
        if now is None:
            yield Change("breaking", kind, key, "removed", name)
            continue
        for level, message in _input(was, now):
            yield Change(level, kind, key, message, name)
    for name, now in after.items():
        if name in before:
            continue
        if now.get("required") and now.get("default") is None:
            yield Change("breaking", kind, key, "added as required", name)
        else:
            yield Change("additive", kind, key, "added (optional)", name)


def _input(was: Mapping[str, Any], now: Mapping[str, Any]) -> Iterator[tuple[Level, str]]:
    if now.get("required") and not was.get("required"):
        yield "breaking", "newly required"
    elif was.get("required") and not now.get("required"):
        yield "additive", "no longer required"
    for field in ("type", "items"):
        a, b = was.get(field), now.get(field)
        if a != b and a is not None:
            wider = b in WIDER.get(a, set())
            yield ("additive" if wider else "breaking",
                   f"{field} {a!r} -> {b!r}" + ("" if wider else " (narrowed)"))
    old_choices, new_choices = was.get("choices") or [], now.get("choices") or []
    if new_choices:
        removed = [c for c in old_choices if c not in new_choices]
        if removed or not old_choices:
            what = f"enum values removed: {_list(removed)}" if removed else \
                "now restricted to an enum"
            yield "breaking", what
    if old_choices:
        added = [c for c in new_choices if c not in old_choices]
        if added:
            yield "risky", f"enum values added: {_list(added)}"
    if was.get("default") != now.get("default"):
        yield "breaking", f"default {was.get('default')!r} -> {now.get('default')!r}"
    if was.get("in") and now.get("in") and was["in"] != now["in"]:
        yield "risky", f"sent in {was['in']} -> {now['in']}"
    if was.get("picklist") != now.get("picklist"):
        yield "risky", f"picklist {was.get('picklist')!r} -> {now.get('picklist')!r}"


def _list(values: list[Any]) -> str:
    return ", ".join(json.dumps(v) for v in values)


def _paths(value: Any, prefix: str = "") -> set[str]:
    """The field paths of an example (`data.source.id`; a list's items as `[]`)."""
    out: set[str] = set()
    if isinstance(value, Mapping):
        for name, item in value.items():
            path = f"{prefix}.{name}" if prefix else str(name)
            out.add(path)
            out |= _paths(item, path)
    elif isinstance(value, list) and value:
        for item in value:
            out |= _paths(item, f"{prefix}[]")
    return out


def load(path: str | Path) -> dict[str, Any]:
    """A manifest from a file; ValueError naming the file when it is not one."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{path}: not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("actions"), list):
        raise ValueError(f"{path}: not a manifest (no `actions` list)")
    return data


def report(changes: list[Change]) -> dict[str, Any]:
    """The JSON answer: counts, then the changes of each level."""
    return {"breaking": any(c.level == "breaking" for c in changes),
            "counts": {level: sum(c.level == level for c in changes) for level in LEVELS},
            "changes": [asdict(c) for c in changes]}


def text(changes: list[Change]) -> str:
    if not changes:
        return "no changes"
    lines = []
    for level in LEVELS:
        found = [c for c in changes if c.level == level]
        if found:
            lines.append(f"{level} ({len(found)}):")
            lines.extend(f"  {c.line()}" for c in found)
    return "\n".join(lines)
