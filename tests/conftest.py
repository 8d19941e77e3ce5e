"""Shared fixtures: the in-process simulator comes from the project's pytest plugin."""

pytest_plugins = ["connector.simulator.pytest_plugin"]
