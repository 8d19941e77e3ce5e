"""A local, stateful stand-in for the Segment Public API (demo, tests, benchmarks).

Import `connector.simulator.server.Simulator` (re-exported here); nothing in the
connector's normal start-up path imports this package.
"""

from connector.simulator.errors import ListenError, SimulatorError, StateFileError
from connector.simulator.faults import Faults
from connector.simulator.server import Simulator

__all__ = ["Faults", "ListenError", "Simulator", "SimulatorError", "StateFileError"]
