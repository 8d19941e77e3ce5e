"""Shared pieces of the service tests (a pytest plugin, see conftest): one plugin registry,
and the fixtures `sim`, `service` (over it) and `http`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from connector.registry import Registry
from connector.service.embedded import EmbeddedService
from connector.service.settings import Settings, load
from connector.simulator import Simulator

_registry: Registry | None = None


def registry() -> Registry:
    """Loaded once for every service test: each service shares it, as one server does."""
    global _registry
    if _registry is None:
        _registry = Registry.load(installed=False)
    return _registry


def settings(sim: Simulator | None = None, **changes: Any) -> Settings:
    base = load(base_url=sim.base_url if sim is not None else None, environ={})
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


@pytest.fixture(scope="module")
def service(sim: Simulator) -> Iterator[EmbeddedService]:
    with EmbeddedService(settings(sim), registry=registry()) as svc:
        yield svc


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
