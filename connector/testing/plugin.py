"""pytest fixtures of the test kit, loaded by pytest wherever segment-connector is installed.

- `simulator`, `simulator_factory`: a fresh simulator of the API on loopback per test.
- `connector_plugins`: the plugin modules under test, from the `connector_plugins` ini
  option (one module a line) or a `@pytest.mark.connector_plugins("pkg.plugin")` mark.
- `connector_registry`: the built-ins plus those plugins, registered without being
  installed (other installed plugins left out).
- `harness`: a `connector.testing.Harness` over that registry, after making the
  resources of a `@pytest.mark.connector_seed({"createSource": [inputs]})` mark
  (`Harness.seed`). On a fresh simulator;
  or, for a test marked `@pytest.mark.cassette("cassettes/name.json")` (a path beside
  the test file), replaying that cassette with no network and no token. With
  `--record-cassettes` such tests record their cassette instead, against a fresh
  simulator, or with `--cassette-live` against the workspace that SEGMENT_API_TOKEN
  (and SEGMENT_REGION or SEGMENT_BASE_URL) name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from connector.simulator.pytest_plugin import simulator, simulator_factory

if TYPE_CHECKING:
    from connector.registry import Registry
    from connector.testing import Harness

__all__ = ["connector_plugins", "connector_registry", "harness", "simulator",
           "simulator_factory"]
# A replay needs a token to pass the runtime's checks; nothing carries it anywhere.
REPLAY_TOKEN = "cassette-replay"
REPLAY_URL = "http://cassette.invalid"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("segment-connector", "segment-connector test kit")
    group.addoption("--record-cassettes", action="store_true",
                    help="record the cassettes of tests marked `cassette` (against a fresh "
                         "simulator; with --cassette-live, a real workspace)")
    group.addoption("--cassette-live", action="store_true",
                    help="with --record-cassettes: record against the workspace of "
                         "SEGMENT_API_TOKEN instead of the simulator")
    parser.addini("connector_plugins", type="linelist", default=[],
                  help="plugin modules under test, registered without being installed")


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Note a failed test, so that its recording is not written."""
    outcome = yield
    if outcome.get_result().failed:
        item.stash[_FAILED] = True


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cassette(path): replay (or with --record-cassettes, "
                                       "record) this test's HTTP exchanges in a cassette file "
                                       "beside the test")
    config.addinivalue_line("markers", "connector_plugins(*modules): the plugin modules "
                                       "under test (instead of the connector_plugins ini)")
    config.addinivalue_line("markers", "connector_seed(spec): resources the harness makes "
                                       "before the test, {action key: [inputs, ...]}")


@pytest.fixture
def connector_plugins(request: pytest.FixtureRequest) -> list[str]:
    """The modules of the plugins under test."""
    mark = request.node.get_closest_marker("connector_plugins")
    if mark is not None:
        return list(mark.args)
    return list(request.config.getini("connector_plugins"))


# Loaded once per set of plugin modules and session: a registry is not changed by use.
_registries: dict[tuple[str, ...], Registry] = {}


@pytest.fixture
def connector_registry(connector_plugins: list[str]) -> Registry:
    """The built-in plugins and the plugins under test, nothing else installed."""
    from connector.testing import load_plugins

    key = tuple(connector_plugins)
    if key not in _registries:
        _registries[key] = load_plugins(connector_plugins)
    return _registries[key]


def _cassette_path(request: pytest.FixtureRequest) -> Path | None:
    mark = request.node.get_closest_marker("cassette")
    if mark is None:
        return None
    name = mark.args[0] if mark.args else f"cassettes/{request.node.name}.json"
    return Path(request.node.path).parent / name


@pytest.fixture
def harness(request: pytest.FixtureRequest, connector_registry: Registry,
            simulator_factory: Any) -> Iterator[Harness]:
    """A Harness on a fresh simulator, or on the test's cassette (see the module's doc)."""
    from connector.connection import Connection
    from connector.testing import Harness
    from connector.testing.cassette import Cassette

    seed = request.node.get_closest_marker("connector_seed")

    def made(connection: Connection, sim: Any = None) -> Harness:
        harness = Harness(connector_registry, connection, sim)
        if seed is not None:
            harness.seed(*seed.args)
        return harness

    path = _cassette_path(request)
    recording = request.config.getoption("--record-cassettes")
    if path is not None and not recording:
        with Cassette(path, "replay"):
            yield made(Connection(token=REPLAY_TOKEN, base_url=REPLAY_URL))
        return
    sim = None
    if path is not None and request.config.getoption("--cassette-live"):
        connection = Connection.resolve()
    else:
        sim = simulator_factory()
        connection = Connection(token=sim.token, base_url=sim.base_url)
    if path is None:
        yield made(connection, sim)
        return
    with Cassette(path, "record") as cassette:
        yield made(connection, sim)
        if request.node.stash.get(_FAILED, False):  # a failed test's exchanges prove nothing
            cassette.discard()
