"""Cold start: dry-run getSource from the CLI, against the bare import of the card's packages.

    .venv/bin/python bench/cold_start.py [--runs 15] [--dummies 300]

Measured in two virtual environments this script makes (no network): one
holding only the project and its dependencies, and one with `--dummies` small
generated distributions installed beside them, as a platform that embeds the
connector has. The dependencies are linked from this environment (with their
bytecode), the project's packages are copied from this checkout and compiled, with
their distribution's metadata, as an install leaves them.
In each, `import requests, pydantic, pluggy, jinja2` and the connector command
run alternately in fresh interpreters, both environments in each round, so the
ratios compare like with like; medians are reported. The plugin index
(`connector.plugin_index`) is built by a warm-up start, as after any install.
Targets: ratio <= 1.0 alone, <= 1.05 with the extra distributions.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.metadata
import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "segment-connector"
PACKAGES = ("connector", "actions", "datasources", "triggers")
BASELINE = "import requests, pydantic, pluggy, jinja2"
CONNECTOR = (
    "from connector.cli import main; "
    "raise SystemExit(main(['run', 'getSource', '--input', 'sourceId=rh5BDZp6QDHvXFCkibm1pR', "
    "'--dry-run', '--token', 'bench-token']))"
)
RACY_S = 2.0  # connector.plugin_index writes no index while sys.path changed this recently


def _name(requirement: str) -> str:
    found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    return found.group(0) if found else requirement


def closure(project: str) -> list[importlib.metadata.Distribution]:
    """The installed distributions `project` needs (its extras left out), itself excluded."""
    seen: dict[str, importlib.metadata.Distribution] = {}
    todo = [r for r in importlib.metadata.requires(project) or [] if "extra ==" not in r]
    while todo:
        name = _name(todo.pop()).lower().replace("_", "-")
        if name in seen:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # a marker for another platform or Python
        seen[name] = dist
        todo += [r for r in dist.requires or [] if "extra ==" not in r]
    return list(seen.values())


def _top_levels(dist: importlib.metadata.Distribution) -> set[str]:
    return {Path(str(f)).parts[0] for f in dist.files or []
            if not str(f).startswith("..") and Path(str(f)).parts}


def _site_packages(env: Path) -> Path:
    return Path(sysconfig.get_path("purelib", vars={"base": str(env), "platbase": str(env)}))


def _link_all(source: Path, names: set[str], site: Path) -> None:
    for name in names:
        if (source / name).exists() and not (site / name).exists():
            (site / name).symlink_to(source / name)


def _dummy(site: Path, n: int) -> None:
    """A small distribution as a wheel install leaves it: a package and its dist-info."""
    name = f"bench_dummy_{n:03d}"
    (site / name).mkdir()
    (site / name / "__init__.py").write_text(f'"""Dummy {n}."""\nVALUE = {n}\n')
    info = site / f"{name}-1.{n}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.{n}\n"
                                   f"Summary: a generated distribution\n")
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\n"
                                "Tag: py3-none-any\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "top_level.txt").write_text(f"{name}\n")
    if n % 3 == 0:  # some declare entry points, in other groups
        (info / "entry_points.txt").write_text(
            f"[console_scripts]\n{name} = {name}:main\n\n[bench.plugins]\n{name} = {name}\n")
    (info / "RECORD").write_text(
        "".join(f"{path},,\n" for path in (f"{name}/__init__.py", *(
            f"{info.name}/{f.name}" for f in info.iterdir()), f"{info.name}/RECORD")))


def _project_install(work: Path) -> Path:
    """The project's packages under `work/project` as an install leaves them: copied from
    this checkout, compiled to bytecode, with the distribution's metadata."""
    from connector import __version__

    target = work / "project"
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(str(target), quiet=1)
    info = target / f"segment_connector-{__version__}.dist-info"
    info.mkdir()
    requires = "".join(f"Requires-Dist: {r}\n" for r in
                       importlib.metadata.requires(PROJECT) or [] if "extra ==" not in r)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {PROJECT}\n"
                                   f"Version: {__version__}\n{requires}")
    (info / "entry_points.txt").write_text(
        "[console_scripts]\nsegment-connector = connector.cli:main\n")
    (info / "INSTALLER").write_text("bench\n")
    (info / "RECORD").write_text("".join(
        f"{f.relative_to(target).as_posix()},,\n" for f in sorted(target.rglob("*"))
        if f.is_file()) + f"{info.name}/RECORD,,\n")
    return target


def make_env(work: Path, name: str, project: Path, dummies: int) -> Path:
    """A virtual environment under `work` with the project, its dependencies and `dummies`
    generated distributions; returns its interpreter."""
    env = work / name
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    site = _site_packages(env)
    for dist in closure(PROJECT):
        located = Path(str(dist.locate_file("")))
        _link_all(located, _top_levels(dist), site)
    _link_all(project, {p.name for p in project.iterdir() if p.name != "bin"}, site)
    for n in range(dummies):
        _dummy(site, n)
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@contextmanager
def environments(dummies: int) -> Iterator[dict[str, Path]]:
    """{"alone": python, "crowded": python}, removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix="segment-cold-start-"))
    try:
        project = _project_install(work)
        yield {"alone": make_env(work, "alone", project, 0),
               "crowded": make_env(work, "crowded", project, dummies)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _child_env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["SEGMENT_CONNECTOR_CACHE_DIR"] = str(cache)
    env.pop("SEGMENT_API_TOKEN", None)
    return env


def timed(python: Path, code: str, env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(python), "-c", code], check=True, stdout=subprocess.DEVNULL, env=env,
                   cwd=cwd)
    return time.perf_counter() - start


def measure(runs: int = 15, dummies: int = 300) -> dict[str, float]:
    with environments(dummies) as pythons:
        work = pythons["alone"].parent.parent.parent
        env = _child_env(work / "cache")
        time.sleep(RACY_S + 0.5)  # past the racy window: the warm-up start writes the index
        for python in pythons.values():
            for code in (BASELINE, CONNECTOR, BASELINE, CONNECTOR):  # index, file cache
                timed(python, code, env, work)
        got: dict[str, list[float]] = {f"{k}_{side}": [] for k in pythons
                                       for side in ("baseline", "connector")}
        for _ in range(runs):
            for name, python in pythons.items():
                got[f"{name}_baseline"].append(timed(python, BASELINE, env, work))
                got[f"{name}_connector"].append(timed(python, CONNECTOR, env, work))
    out = {f"{k}_s": statistics.median(v) for k, v in got.items()}
    for name in pythons:
        out[f"{name}_ratio"] = out[f"{name}_connector_s"] / out[f"{name}_baseline_s"]
    out["dummies"] = dummies
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--dummies", type=int, default=300)
    args = parser.parse_args()
    r = measure(args.runs, args.dummies)
    for name, label in (("alone", "the project alone"),
                        ("crowded", f"with {args.dummies} extra distributions")):
        print(f"{label}: bare import {r[name + '_baseline_s'] * 1000:.1f} ms, "
              f"dry run {r[name + '_connector_s'] * 1000:.1f} ms, "
              f"ratio {r[name + '_ratio']:.2f}")
    print("targets: <= 1.00 alone, <= 1.05 with the extra distributions")


if __name__ == "__main__":
    main()
