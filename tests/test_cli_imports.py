"""Importing the CLI stays light: heavy modules load only in the commands that use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Loaded on demand: bulk runs, the manifest, docs, the simulator, the demo, samples,
# and the runtime with its HTTP stack.
HEAVY = ("connector.batch", "connector.manifest", "connector.docs", "connector.simulator",
         "connector.demo", "connector.samples", "connector.runtime", "connector.transport",
         "connector.legacy", "connector.retry", "connector.ratelimit", "requests", "jinja2",
         # Scale-out loads only in `worker` and `run --batch --distributed`.
         "connector.distributed", "celery", "kombu", "redis",
         # MCP loads only in `mcp` and `serve`.
         "connector.mcp", "mcp", "mcp_types")


def loaded_after(code: str) -> list[str]:
    """The heavy modules in sys.modules after running `code` in a fresh interpreter."""
    probe = (f"{code}\nimport json, sys\n"
             f"heavy = {HEAVY!r}\n"
             "print(json.dumps(sorted(m for m in sys.modules\n"
             "                        if any(m == h or m.startswith(h + '.') for h in heavy))))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_module() -> None:
    assert loaded_after("import connector.cli") == []


def test_building_the_command_line_loads_no_heavy_module() -> None:
    assert loaded_after("from connector.cli import parser\nparser(['run', '--help'])") == []


def test_listing_loads_no_batch_or_manifest_module() -> None:
    loaded = loaded_after("import contextlib, io\nfrom connector.cli import main\n"
                          "with contextlib.redirect_stdout(io.StringIO()):\n"
                          "    main(['list'])")
    assert not [m for m in loaded if m.split(".")[:2] in (["connector", "batch"],
                                                         ["connector", "manifest"])]


def test_worker_help_loads_neither_celery_nor_redis() -> None:
    loaded = loaded_after("import contextlib, io\nfrom connector.cli import main\n"
                          "with contextlib.redirect_stdout(io.StringIO()), "
                          "contextlib.suppress(SystemExit):\n"
                          "    main(['worker', '--help'])")
    assert not [m for m in loaded if m.split(".")[0] in ("celery", "kombu", "redis")]


def test_mcp_help_loads_no_mcp_sdk() -> None:
    loaded = loaded_after("import contextlib, io\nfrom connector.cli import main\n"
                          "with contextlib.redirect_stdout(io.StringIO()), "
                          "contextlib.suppress(SystemExit):\n"
                          "    main(['mcp', '--help'])")
    assert not [m for m in loaded if m.split(".")[0] in ("mcp", "mcp_types")]


def test_a_dry_run_loads_no_http_stack_and_no_metadata_scan(tmp_path: Path) -> None:
    """A dry run builds and prints the request: requests, urllib3 and jinja2 stay unloaded,
    and from the second start on plugins are found from the index, not by reading every
    installed distribution's metadata."""
    here = tmp_path / "cwd"  # sys.path's "": a directory no install touched lately
    here.mkdir()
    os.utime(here, (1_000_000_000, 1_000_000_000))
    env = {**os.environ, "SEGMENT_CONNECTOR_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("SEGMENT_API_TOKEN", None)
    probe = ("import contextlib, io, json, sys\nfrom connector.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    code = main(['run', 'getSource', '--input', 'sourceId=s1', '--dry-run', "
             "'--token', 'probe-token'])\n"
             "print(json.dumps([code, sorted(m for m in sys.modules if m.split('.')[0] in "
             "('requests', 'urllib3', 'jinja2', 'connector', 'importlib'))]))")
    seen = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", probe], cwd=here, env=env,
                              capture_output=True, text=True, check=True)
        seen.append(json.loads(done.stdout.splitlines()[-1]))
    for code, modules in seen:
        assert code == 0
        assert not [m for m in modules if m.split(".")[0] in ("requests", "urllib3", "jinja2")]
        assert "connector.transport" not in modules
    assert "importlib.metadata" not in seen[1][1]
