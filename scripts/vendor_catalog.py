"""Copy the facts of the Public API catalogue into connector/api/catalog.json.

Keeps what the runtime, simulator and tests need (operations, parameters,
media types, status codes, per-endpoint rate limits, the audit-trail events
each operation may generate, and JSON Schemas) and drops the catalogue's prose.

    python scripts/vendor_catalog.py [../shared/segment-api/catalog.json]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "segment-api" / "catalog.json"
TARGET = ROOT / "connector" / "api" / "catalog.json"
PROSE = {"description", "title"}
RATE = re.compile(r"rate limit for this endpoint is (\d+) requests per (minute|day)")
# "may generate the `Source Created` event in the audit trail", or a bulleted list:
# "may generate one or more of the following [audit trail](...) events:* A * B  <prose>".
EVENTS_NAMED = re.compile(r"may generate the (.*?) events? in the")
EVENTS_LISTED = re.compile(r"events:\*(.*?)(?:\s{2,}|$)", re.S)


def audit_events(description: str) -> list[str]:
    """The audit-trail event types an operation's description says it may generate."""
    listed = EVENTS_LISTED.search(description)
    if listed:
        return [name.strip() for name in listed[1].split("*") if name.strip()]
    return [name for found in EVENTS_NAMED.finditer(description)
            for name in re.findall(r"`([^`]+)`", found[1])]


def strip_prose(node: object) -> object:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            # `properties` maps field names, which may themselves be "title" etc.
            if k in PROSE and not isinstance(v, dict):
                continue
            out[k] = strip_prose(v) if k != "properties" else {
                name: strip_prose(sub) for name, sub in v.items()
            }
        return out
    if isinstance(node, list):
        return [strip_prose(x) for x in node]
    return node


def vendor(catalog: dict) -> dict:
    ops = []
    for op in catalog["operations"]:
        limit = RATE.search(op.get("description", ""))
        ops.append({
            "operationId": op["operationId"],
            "tag": op["tag"],
            "title": op["title"],
            "method": op["method"],
            "path": op["path"],
            "accept": op["accept"],
            "content_type": op.get("content_type") or [],
            "params": [
                {k: p[k] for k in ("name", "in", "required", "model", "array_format") if k in p}
                for p in op["params"]
            ],
            "responses": op["responses"],
            "rate_limit": {"limit": int(limit[1]), "per": limit[2]} if limit else None,
            "audit_events": audit_events(op.get("description", "")),
        })
    return {
        "api_version": catalog["api_version"],
        "hosts": catalog["hosts"],
        "operations": ops,
        "schemas": strip_prose(catalog["schemas"]),
    }


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    data = vendor(json.loads(source.read_text(encoding="utf-8")))
    TARGET.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(data['operations'])} operations")


if __name__ == "__main__":
    main()
