"""The lowest versions `pyproject.toml` allows, as pip constraints, and a check that a
virtual environment holds exactly those.

    python scripts/lowest_versions.py serve > constraints.txt   # core + the serve extra
    .venv-lowest/bin/python scripts/lowest_versions.py serve --check

Each `name>=X` of the core dependencies and of the extras named becomes `name==X`, so
`pip install -c constraints.txt -e '.[test]'` installs the oldest versions the project
claims to work with; `.ci/run` then runs the security cases (`pytest -m security`) there.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
_MINIMUM = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*(?:,.*)?$")


def minimums(extras: list[str]) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found: dict[str, str] = {}
    for extra in [None, *extras]:
        listed = project["dependencies"] if extra is None else \
            project["optional-dependencies"][extra]
        for requirement in listed:
            match = _MINIMUM.match(requirement.split(";")[0].split("#")[0])
            if match:
                found[match.group(1).lower()] = match.group(2)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("extras", nargs="*", help="extras whose minimums to pin (e.g. serve)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless this Python has exactly those versions")
    args = parser.parse_args()
    wanted = minimums(args.extras)
    if not args.check:
        print("\n".join(f"{name}=={version}" for name, version in sorted(wanted.items())))
        return 0
    wrong = []
    for name, version in sorted(wanted.items()):
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = "none"
        if have == "none" or Version(have) != Version(version):
            wrong.append(f"{name}: {have}, not {version}")
    print("\n".join(wrong) or f"the lowest versions: {len(wanted)} packages", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
