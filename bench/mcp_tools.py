"""MCP tools/list: what each mode puts in a client's context, in bytes and estimated tokens.

    .venv/bin/python bench/mcp_tools.py

Starts `segment-connector mcp` over stdio in each mode (dynamic, one area's
toolset, every action), with a profile whose policy lets every action run,
and lists its tools through the MCP SDK's own client; the size is the JSON of
the listed tools as the client holds them. Tokens are estimated at 4 bytes
each. Target: the dynamic mode under 10 KB.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODES = (("dynamic", ()), ("toolsets sources", ("--toolsets", "sources")),
         ("toolsets all", ("--toolsets", "all")))
BYTES_PER_TOKEN = 4


def unrestricted(path: Path) -> Path:
    """A profile whose policy lets every action run, so every one is listed."""
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    allow = ["*", *sorted({a["area"] for a in manifest["actions"]})]
    path.write_text('[profiles.bench]\ntoken = "bench-token-not-sent"\n'
                    f'policy = {{level = "admin", allow = {json.dumps(allow)}}}\n',
                    encoding="utf-8")
    return path


async def listed(args: tuple[str, ...]) -> tuple[int, int]:
    from mcp import Client, StdioServerParameters

    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEGMENT_")}
        env["SEGMENT_CONNECTOR_CONFIG"] = str(unrestricted(Path(tmp) / "config.toml"))
        params = StdioServerParameters(command=sys.executable, cwd=str(ROOT), env=env,
                                       args=["-m", "connector.cli", "mcp", "--profile",
                                             "bench", *args])
        async with Client(params) as client:
            tools = (await client.list_tools()).tools
    dumped = [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in tools]
    return len(tools), len(json.dumps(dumped, separators=(",", ":")).encode())


def measure() -> dict[str, dict[str, Any]]:
    out = {}
    for name, args in MODES:
        count, size = asyncio.run(listed(args))
        out[name] = {"tools": count, "bytes": size, "tokens": size // BYTES_PER_TOKEN}
    return out


if __name__ == "__main__":
    for mode, row in measure().items():
        print(f"{mode:>18}: {row['tools']:4d} tools, {row['bytes']:>9,} bytes, "
              f"~{row['tokens']:,} tokens")
