"""Shared fixtures: the in-process simulator comes from the project's pytest plugin."""

import sys
from pathlib import Path

# The fault suite and the hardening classes live in scripts/ (report machinery, not the
# connector): tests import them from there.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

pytest_plugins = ["connector.simulator.pytest_plugin", "service_support", "redis_support"]
