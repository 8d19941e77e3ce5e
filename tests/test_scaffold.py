"""`new plugin NAME`: the package installs into a fresh virtual environment offline, its
tests pass there with no network and no token, and `validate` finds nothing in it."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from venv_support import site_without_this_package

from connector import scaffold
from connector.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
# Any request for the internet goes to a closed loopback port; loopback is left alone.
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "NO_PROXY": "127.0.0.1,localhost", "PIP_NO_INDEX": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def _run(args: list[str], cwd: Path, env: dict[str, str],
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_a_new_plugin_installs_tests_and_validates_offline_in_a_fresh_venv(
        tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **OFFLINE}
    made = _run([sys.executable, "-m", "connector.cli", "new", "plugin", "acme",
                 "--directory", str(tmp_path / "acme")], ROOT, {**os.environ, **OFFLINE})
    assert "tests/test_plugin.py" in made.stdout
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, env)
    # The fresh venv sees this environment's third-party packages (pytest, requests,
    # setuptools, pip...), never this project's install: that comes from the checkout.
    purelib = sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    Path(purelib, "deps.pth").write_text(str(site_without_this_package(tmp_path)) + "\n",
                                         encoding="utf-8")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-index",
           "--no-build-isolation", "--no-deps"]
    _run([*pip, str(ROOT)], tmp_path, env)
    _run([*pip, "-e", str(tmp_path / "acme")], tmp_path, env)
    tests = _run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                  str(tmp_path / "acme")], tmp_path, env)
    assert "5 passed" in tests.stdout
    where = _run([str(venv / "bin" / "python"), "-c",
                  "import connector; print(connector.__file__)"], tmp_path, env)
    assert where.stdout.startswith(str(venv)), "the project must come from the fresh venv"
    validated = _run([str(venv / "bin" / "segment-connector"), "validate",
                      "segment-connector-acme"], tmp_path, env)
    assert "segment-connector-acme: 0 error(s), 0 warning(s)" in validated.stdout


def test_a_bad_name_or_a_used_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="NAME"):
        scaffold.make("Acme-Co", tmp_path / "x")
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="--directory"):
        scaffold.make("acme", tmp_path / "used")
    assert (tmp_path / "used" / "keep.txt").read_text(encoding="utf-8") == "mine"
