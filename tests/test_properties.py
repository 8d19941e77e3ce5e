"""Property tests over every registered action: bad inputs send nothing, hostile ids stay put."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from connector.connection import Connection
from connector.errors import InputError, NotFoundError
from connector.registry import Registry
from connector.request import HttpRequest
from connector.runtime import Runtime
from connector.samples import sample_inputs
from connector.simulator import Simulator
from connector.spec import Action, Input
from connector.transport import HttpClient

REGISTRY = Registry.load(installed=False)
ACTIONS = sorted(REGISTRY.actions.items)
PATH_ACTIONS = sorted(k for k, a in REGISTRY.actions.items.items()
                      if any(a.where(i) == "path" for i in a.inputs))
BASE = "https://api.segmentapis.com"
SETTINGS = settings(deadline=None, max_examples=150,
                    suppress_health_check=[HealthCheck.too_slow])


class NoNetwork(HttpClient):
    """Fails the test if anything reaches the wire."""

    def send(self, req: HttpRequest, timeout_s: float) -> Any:
        raise AssertionError(f"sent {req.method} {req.url} for invalid input")


class OfflineRuntime(Runtime):
    @property
    def client(self) -> HttpClient:
        return NoNetwork()


RT = OfflineRuntime(Connection(token="sgp_property_token_0123456789"), registry=REGISTRY)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | \
    st.text(max_size=20)
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=3)
                           | st.dictionaries(st.text(max_size=5), kids, max_size=3),
                           max_leaves=8)


def wrong_value(inp: Input) -> st.SearchStrategy[Any]:
    """Values the input's type refuses."""
    if inp.choices:
        # Blank is no value: an optional choice left blank takes its default (or none).
        return st.text(min_size=1, max_size=10).filter(lambda v: v not in inp.choices)
    if inp.type == "integer":
        return st.sampled_from(["ten", 1.5, [1], {"n": 1}])
    if inp.type == "number":
        return st.sampled_from(["ten", [1.0], {"n": 1}])
    if inp.type == "boolean":
        return st.sampled_from(["maybe", 7, [True], {"b": True}])
    if inp.type == "object":
        return st.sampled_from([5, 2.5, True, "not json", [1, 2]])
    if inp.type == "array":
        return st.sampled_from([5, 2.5, True, "not json", {"a": 1}])
    return st.sampled_from([{"a": 1}, [1, 2], 3.5])  # strings take neither objects nor lists


@st.composite
def malformed(draw: st.DrawFn) -> tuple[str, Any]:
    key = draw(st.sampled_from(ACTIONS))
    action = REGISTRY.action(key)
    values: dict[str, Any] = sample_inputs(action)
    how = draw(st.sampled_from(("not-an-object", "unknown", "wrong-type", "missing")))
    if how == "not-an-object":
        return key, draw(st.lists(json_values, max_size=3) | json_scalars.filter(
            lambda v: v is not None))
    if how == "unknown":
        name = draw(st.text(min_size=1, max_size=12).filter(
            lambda n: n not in {i.key for i in action.inputs}))
        values[name] = draw(json_values.filter(lambda v: v is not None))
        return key, values
    typed = [i for i in action.inputs if i.type != "any"]
    needed = [i for i in action.inputs if i.required and i.default is None]
    if how == "missing" and needed:
        values.pop(draw(st.sampled_from(needed)).key, None)
        return key, values
    assume(typed)
    inp = draw(st.sampled_from(typed))
    value = draw(wrong_value(inp))
    assume(value is not None and not (value == "" and inp.type != "string"))
    values[inp.key] = value
    return key, values


@SETTINGS
@given(malformed())
def test_malformed_input_raises_input_error_and_sends_nothing(case: tuple[str, Any]) -> None:
    key, values = case
    with pytest.raises(InputError) as caught:
        RT.run(key, values)
    assert caught.value.fields
    with pytest.raises(InputError):
        RT.dry_run(key, values)


@settings(deadline=None, max_examples=100)
@given(st.sampled_from(ACTIONS), st.dictionaries(st.text(max_size=8), json_values, max_size=4))
def test_arbitrary_input_never_escapes_as_another_error(key: str, values: dict[str, Any]
                                                      ) -> None:
    with contextlib.suppress(InputError):  # refused, or the request built cleanly
        RT.dry_run(key, values)


HOSTILE_PARTS = ["../", "..", ".", "%2F", "%2e%2e", "?", "#", " ", "/", "\\", "?x=1#y",
                 "\u00e9\u4e2d\U0001f600", "\x00", "\r\n", "a" * 3000, "%", "&", "=", "+",
                 ";", "@evil.example", "//evil.example", "http://evil.example/"]
hostile_id = st.lists(st.sampled_from(HOSTILE_PARTS) | st.text(min_size=1, max_size=6),
                      min_size=1, max_size=4).map("".join)


@SETTINGS
@given(st.sampled_from(PATH_ACTIONS), st.data())
def test_hostile_ids_stay_in_their_path_segment(key: str, data: st.DataObject) -> None:
    action: Action = REGISTRY.action(key)
    values = sample_inputs(action)
    path_inputs = [i for i in action.inputs if action.where(i) == "path"]
    # Free-text ids get hostile values; a path input limited to fixed choices gets one of them.
    chosen = {i.wire_name: data.draw(st.sampled_from(i.choices) if i.choices else hostile_id,
                                     label=i.key) for i in path_inputs}
    for inp in path_inputs:
        values[inp.key] = chosen[inp.wire_name]
    req = RT.prepare(action, values)
    sent = HttpClient().prepare(req).url or ""
    parts = urlsplit(sent)
    assert f"{parts.scheme}://{parts.netloc}" == BASE
    assert parts.fragment == ""
    # Query names are the declared ones (objects flattened as `name.field`).
    declared = {i.wire_name.split(".")[0] for i in action.inputs if action.where(i) == "query"}
    sent_names = {unquote(p.split("=")[0]).split(".")[0] for p in parts.query.split("&") if p}
    assert sent_names <= declared
    template = action.path.strip("/").split("/")
    got = parts.path.strip("/").split("/")
    assert len(got) == len(template), sent
    for want, segment in zip(template, got, strict=True):
        if want.startswith("{"):
            assert unquote(segment) == str(chosen[want[1:-1]])
            assert segment not in (".", "..")
        else:
            assert segment == want


@pytest.fixture(scope="module")
def sim() -> Any:
    with Simulator() as running:
        yield running


@settings(deadline=None, max_examples=60)
@given(source_id=hostile_id)
def test_hostile_id_reaches_the_simulator_as_that_one_id(sim: Simulator, source_id: str) -> None:
    rt = Runtime(Connection(token=sim.token, base_url=sim.base_url), registry=REGISTRY)
    with pytest.raises(NotFoundError) as caught:
        rt.run("getSource", {"sourceId": source_id})
    # The simulator routed it to getSource and looked up exactly this id.
    assert caught.value.errors[0]["message"] == f"Source {source_id!r} was not found"
