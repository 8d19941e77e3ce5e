"""The serve extra stays out of the CLI's start: only `serve` itself imports the web stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ("fastapi", "starlette", "uvicorn", "anyio", "h11", "httptools", "swagger_ui_bundle")


def web_modules_after(code: str) -> list[str]:
    probe = (f"{code}\nimport json, sys\nweb = {WEB!r}\n"
             "print(json.dumps(sorted(m for m in sys.modules\n"
             "                        if m.split('.')[0] in web)))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_loads_no_web_module() -> None:
    assert web_modules_after("import connector.cli") == []


def test_help_list_and_serve_help_load_no_web_module() -> None:
    code = ("import contextlib, io\nfrom connector.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['--help']) == 0\n"
            "    assert main(['list']) == 0\n"
            "    with contextlib.suppress(SystemExit):  # argparse's exit after help\n"
            "        main(['serve', '--help'])\n")
    assert web_modules_after(code) == []


def test_import_time_of_list_names_no_web_module() -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "connector.cli", "list"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "connector" in imported  # the probe saw the command's own imports
    assert not imported & set(WEB)


def test_the_serve_command_does_load_the_service() -> None:
    code = ("from connector.service.app import create_app\n"
            "from connector.service.settings import load\n"
            "create_app(load(environ={}))\n")
    assert {"fastapi", "starlette"} <= {m.split(".")[0]
                                                   for m in web_modules_after(code)}
