"""The test venv's packages without this project, for tests that run it from elsewhere."""

from __future__ import annotations

import site
from pathlib import Path


def site_without_this_package(where: Path) -> Path:
    """The venv's packages, less this project's install and any plugin of it (no entry
    points, no path hooks): symlinks in `where/site`."""
    packages = where / "site"
    packages.mkdir()
    for path in Path(site.getsitepackages()[0]).iterdir():
        if path.name.startswith(("segment_connector", "__editable__")) \
                or path.suffix == ".pth":
            continue
        (packages / path.name).symlink_to(path)
    return packages
