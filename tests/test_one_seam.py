"""Every watcher of a call stands on the runtime's event seam: no module of the package
replaces a runtime's `send`, subclasses `Runtime`, or wraps a limiter in a proxy."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("connector", "actions", "datasources", "triggers")


def modules() -> list[tuple[Path, ast.Module]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found.append((path, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def test_no_module_replaces_send_subclasses_the_runtime_or_proxies_a_limiter() -> None:
    problems: list[str] = []
    for path, tree in modules():
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    # An object may set its own limiter; no one sets another's, or a send.
                    own = isinstance(target, ast.Attribute) and isinstance(
                        target.value, ast.Name) and target.value.id == "self"
                    if isinstance(target, ast.Attribute) and (target.attr == "send" or (
                            target.attr == "limiter" and not own)):
                        problems.append(f"{where}:{node.lineno} assigns .{target.attr}")
            if isinstance(node, ast.ClassDef):
                bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                         for b in node.bases}
                if "Runtime" in bases:
                    problems.append(f"{where}:{node.lineno} subclasses Runtime")
                methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
                if "__getattr__" in methods and "call" in methods:
                    problems.append(f"{where}:{node.lineno} proxies a limiter")
    assert problems == []


def test_the_errors_module_imports_nothing_of_the_package() -> None:
    tree = ast.parse((ROOT / "connector" / "errors.py").read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m.split(".")[0] in PACKAGES]


def test_the_bulk_run_rules_are_written_once_for_both_dispatchers() -> None:
    """Occurrences, resume, unknown outcomes and the stop after failures to connect live in
    the engine; the thread pool and the Celery run only dispatch lines to it."""
    rules = ("earlier_outcome(", "occurrences[", "unknown_lines.append", "self.failing",
             "summary.not_run +=", "summary.skipped +=")
    for name in ("connector/batch/run.py", "connector/distributed/coordinator.py",
                 "connector/distributed/tasks.py", "connector/batch/line_runner.py"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "Engine" in text or "engine" in text, name
        assert [r for r in rules if r in text] == [], name
    engine = (ROOT / "connector" / "batch" / "engine.py").read_text(encoding="utf-8")
    assert all(rule in engine for rule in rules)
