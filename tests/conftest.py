"""Shared fixtures: the simulator and the test kit come from the package's pytest plugin
(`connector.testing.plugin`, entry point `pytest11`), as they come to plugin authors."""

import sys
from pathlib import Path

# The fault suite and the hardening classes live in scripts/ (report machinery, not the
# connector): tests import them from there.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

pytest_plugins = ["service_support", "env_support"]
