"""Shared fixtures: the simulator and the test kit come from the package's pytest plugin
(`connector.testing.plugin`, entry point `pytest11`), as they come to plugin authors."""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

# The fault suite and the hardening classes live in scripts/ (report machinery, not the
# connector): tests import them from there.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

pytest_plugins = ["service_support", "env_support", "redis_support"]

# Plugin indexes (connector.plugin_index) of this run, its subprocesses included, go to a
# directory of its own, not the user's cache.
_CACHE = tempfile.mkdtemp(prefix="segment-connector-cache-")
os.environ["SEGMENT_CONNECTOR_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)
