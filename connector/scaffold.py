"""`segment-connector new plugin NAME`: a plugin package that installs, tests and validates.

The package has a pyproject.toml with its entry point in the `segment_connector`
group, one action, one picklist and one trigger, tests on the test kit (one of
them replaying a cassette) and a README. Out of the box `pip install -e DIR`
then `pytest DIR` passes offline, and `segment-connector validate` finds nothing.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from string import Template

from connector import __version__
from connector.errors import InputError

TEMPLATES = Path(__file__).resolve().parent / "templates" / "plugin"
NAME = re.compile(r"[a-z][a-z0-9]{0,39}")
# Template -> where it goes in the package; {package} is the import name.
FILES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "__init__.py.tmpl": "{package}/__init__.py",
    "plugin.py.tmpl": "{package}/plugin.py",
    "test_plugin.py.tmpl": "tests/test_plugin.py",
    "sources.json": "tests/cassettes/sources.json",  # recorded against the simulator
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Make a new plugin package: pyproject.toml with its entry point, "
                          "an action, a picklist and a trigger, tests on the test kit (one "
                          "replaying a cassette) and a README.")
    parser.add_argument("kind", choices=("plugin",), help="what to make: plugin")
    parser.add_argument("name", metavar="NAME",
                        help="short lower-case name, letters and digits (acme): the prefix "
                             "of its keys and of its package segment_connector_NAME")
    parser.add_argument("--directory", "-d", metavar="DIR",
                        help="where to make it (default: ./NAME); must not exist or be empty")


def make(name: str, directory: Path) -> list[Path]:
    """Write the package for `name` into `directory`; the files written."""
    if not NAME.fullmatch(name):
        raise InputError({"NAME": f"{name!r} must be lower-case letters and digits, starting "
                          "with a letter (at most 40)"})
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError({"--directory": f"{directory} exists and is not an empty directory"})
    package = f"segment_connector_{name}"
    values = {"name": name, "key": name, "package": package,
              "dist": f"segment-connector-{name}", "title": name[:1].upper() + name[1:],
              "core_version": __version__}
    written = []
    for source, target in FILES.items():
        text = (TEMPLATES / source).read_text(encoding="utf-8")
        if source.endswith(".tmpl"):
            text = Template(text).substitute(values)
        path = directory / target.format(package=package)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def run(args: argparse.Namespace) -> int:
    directory = Path(args.directory or args.name)
    written = make(args.name, directory)
    for path in written:
        print(f"wrote {path}")
    print(f"next: pip install -e '{directory}[test]' && pytest {directory} && "
          f"segment-connector validate segment-connector-{args.name}")
    return 0
