"""Find Config API calls in shell scripts, Python, JavaScript and JSON, with their replacements.

A call is found by its URL (`https://platform.segmentapis.com/v1beta/...`)
or a bare `/v1beta/...` path in a string. Variables in the path (`$WS`,
`${ws}`, `{ws}`, `%s`, a string joined with `+`) stand for one path segment.
The method comes from the text around it: curl's `-X`/`--request` (or POST
when it sends data), `requests.post(`, `axios.patch(`, `method: "PUT"`; GET
when nothing says otherwise. Calls through the public client libraries are
found by `clients`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector.errors import InputError
from connector.legacy import clients
from connector.legacy.table import find

_URL = re.compile(r"(?:https?://platform\.segmentapis\.com)?(/v1beta(?:/[^\s'\"`<>()\[\]]*)?)")
_VARS = re.compile(r"\$\{[^}]*\}|\{[^}/]*\}|\$[A-Za-z_][A-Za-z0-9_]*|%\([a-z_]+\)s|%s|<[^>/]+>")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_METHOD_HINTS = (
    re.compile(r"(?:-X|--request)[\s=]*['\"]?([A-Za-z]+)"),
    re.compile(r"\b(?:requests|session|httpx|axios|client|http|s)\.(get|post|put|patch|delete)"
               r"\s*\(", re.I),
    re.compile(r"['\"]?method['\"]?\s*[:=]\s*['\"]([A-Za-z]+)['\"]", re.I),
)
_SENDS_DATA = re.compile(r"\s(?:-d|--data(?:-raw|-binary)?|--json)[\s=]")
_JOINED = re.compile(r"^['\"`]\s*\+")
# "…/workspaces/" + ws + "/sources": the joined variable is one segment.
_CONCAT = re.compile(r"['\"`]\s*\+\s*[\w.\[\]()'\"]+?\s*\+\s*['\"`]")
# NAME = "https://platform.segmentapis.com/v1beta": a base URL the calls build on.
_BASE = re.compile(r"\b([A-Za-z_]\w*)\s*[:=]\s*['\"]?https?://platform\.segmentapis\.com"
                   r"/v1beta/?['\"]?(?:\s|$|;|,)")
MAX_FILE_BYTES = 5_000_000


@dataclass
class Finding:
    """One Config API call found in a file."""

    file: str
    line: int
    method: str
    path: str
    found: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "method": self.method,
                "path": self.path, **self.found}


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) with shell `\\` continuations joined."""
    out: list[tuple[int, str]] = []
    start, parts = 0, list[str]()
    for number, line in enumerate(text.splitlines(), 1):
        if not parts:
            start = number
        if line.rstrip().endswith("\\"):
            parts.append(line.rstrip()[:-1])
            continue
        parts.append(line)
        out.append((start, " ".join(parts)))
        parts = []
    if parts:
        out.append((start, " ".join(parts)))
    return out


def _method(window: str) -> str:
    for hint in _METHOD_HINTS:
        got = hint.search(window)
        if got and got.group(1).upper() in _METHODS:
            return got.group(1).upper()
    if "curl" in window and _SENDS_DATA.search(window):
        return "POST"
    return "GET"


def _normalise(path: str, after: str) -> str:
    path = _VARS.sub("VAR", path)
    if _JOINED.match(after) and path.endswith("/"):
        path += "VAR"  # "…/sources/" + slug
    return path.rstrip("/.,;:")


def replacement(method: str, path: str) -> dict[str, Any]:
    """The Public API replacement of `method path`, or why there is none."""
    try:
        endpoint, _ = find(method, path)
    except InputError:
        return {"mapping": "unknown", "replacement": [],
                "changes": "not an endpoint of the mapping table; see "
                           "`segment-connector legacy explain --all`"}
    out: dict[str, Any] = {"row": endpoint.row, "endpoint": f"{method} {endpoint.path}",
                           "mapping": endpoint.kind, "replacement": list(endpoint.public)}
    if endpoint.kind == "none":
        out["changes"] = f"no counterpart: {endpoint.why}; instead: {endpoint.alternative}"
        return out
    changes = [f"{k} dropped ({v})" for k, v in endpoint.dropped.items()]
    if endpoint.notes:
        changes.append(endpoint.notes)
    out["changes"] = "; ".join(changes) or "same fields, Public API names"
    out["run_unchanged"] = f"segment-connector legacy run {method} /v1beta{endpoint.path}"
    return out


def _based_on(names: set[str]) -> re.Pattern[str] | None:
    """Paths built on a base-URL variable: `${BASE}/…`, `{BASE}/…`, `$BASE/…`, `BASE + "/…"`."""
    if not names:
        return None
    alt = "|".join(re.escape(n) for n in sorted(names))
    return re.compile(rf"(?:\$\{{(?:{alt})\}}|\{{(?:{alt})\}}|\$(?:{alt})\b|\b(?:{alt})\s*\+\s*"
                      rf"['\"`])(/[^\s'\"`<>()\[\]]*)")


def _method_at(lines: list[tuple[int, str]], at: int, based: re.Pattern[str] | None) -> str:
    """The method of the call on line `at`: said there, or on the next lines of the same
    call (fetch(url, {method: ...})) up to the next Config API URL."""
    line = lines[at][1]
    if "curl" in line or _method(line) != "GET":
        return _method(line)
    for _, after in lines[at + 1:at + 4]:
        if _URL.search(after) or (based is not None and based.search(after)):
            break  # the next call
        got = _METHOD_HINTS[2].search(after)
        if got and got.group(1).upper() in _METHODS:
            return got.group(1).upper()
    return "GET"


def scan_text(text: str, file: str) -> list[Finding]:
    lines = [(n, _CONCAT.sub("VAR", t)) for n, t in _logical_lines(text)]
    bases = {m.group(1) for _, t in lines for m in _BASE.finditer(t)}
    based = _based_on(bases)
    found: list[Finding] = []
    for at, (number, line) in enumerate(lines):
        paths = [(m.group(1), line[m.end():]) for m in _URL.finditer(line)]
        if based is not None:
            paths += [("/v1beta" + m.group(1), line[m.end():]) for m in based.finditer(line)]
        for raw, after in paths:
            path = _normalise(raw, after)
            if path in ("", "/v1beta"):  # the base URL itself, not a call
                continue
            method = _method_at(lines, at, based)
            found.append(Finding(file, number, method, path, replacement(method, path)))
    for call in clients.scan_python(lines) + clients.scan_javascript(lines):
        found.append(Finding(file, call.line, call.method, call.path,
                             {**replacement(call.method, call.path), "client": call.client}))
    return sorted(found, key=lambda f: f.line)


def scan_files(paths: list[str]) -> list[Finding]:
    """Every Config API call in the files; InputError naming a file that cannot be read."""
    out: list[Finding] = []
    for name in paths:
        path = Path(name)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise InputError({"file": f"{name} is larger than {MAX_FILE_BYTES} bytes"},
                                 "legacy scan")
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputError({"file": f"{name} cannot be read: {exc.strerror or exc}"},
                             "legacy scan") from None
        out.extend(scan_text(text, name))
    return out


def as_text(findings: list[Finding]) -> str:
    if not findings:
        return "no Config API calls found"
    lines = []
    for f in findings:
        r = f.found
        head = f"{f.file}:{f.line}: {f.method} {f.path}"
        if r.get("client"):
            head += f" via {r['client']}"
        if r["mapping"] == "unknown":
            lines.append(f"{head}\n  ? {r['changes']}")
            continue
        lines.append(f"{head}  (row {r['row']}, {r['mapping']} mapping)")
        if r["replacement"]:
            lines.append(f"  -> {', '.join(r['replacement'])}")
        lines.append(f"  changes: {r['changes']}")
    return "\n".join(lines)


__all__ = ["Finding", "as_text", "replacement", "scan_files", "scan_text"]
