"""pytest fixtures: `simulator` (started, stopped after the test) and `simulator_factory`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from connector.simulator.server import Simulator


@pytest.fixture
def simulator_factory() -> Iterator[Callable[..., Simulator]]:
    """Call with `Simulator` options; every simulator made is stopped after the test."""
    made: list[Simulator] = []

    def make(**options: Any) -> Simulator:
        sim = Simulator(**options).start()
        made.append(sim)
        return sim

    yield make
    for sim in reversed(made):
        sim.stop()


@pytest.fixture
def simulator(simulator_factory: Callable[..., Simulator]) -> Simulator:
    """A started simulator on a free loopback port."""
    return simulator_factory()
