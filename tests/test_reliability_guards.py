"""The seam a call is watched through, and the guards that stand on it: a retry budget that
keeps a failing API from being hit by every retry, and a circuit per API host. Against the
simulator over loopback; clocks and sleeps are injected."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connector.budget import RetryBudget
from connector.circuit import CLOSED, HALF_OPEN, OPEN, Circuit
from connector.connection import Connection
from connector.errors import CircuitOpenError, InputError, RateLimitedError, ServerError
from connector.events import Exchange, Observer, compose
from connector.reliability import Guards
from connector.request import HttpRequest
from connector.runtime import Runtime
from connector.simulator import Faults, Simulator
from connector.transport import HttpResponse

CALLS = 200


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def failing() -> Iterator[Simulator]:
    """A simulator answering 503 to every request."""
    with Simulator(faults=Faults(error_5xx=1.0)) as sim:
        yield sim


def runtime(sim: Simulator, *observers: Observer) -> Runtime:
    return Runtime(Connection(token=sim.token, base_url=sim.base_url), sleep=lambda _s: None,
                   events=observers)


def received(sim: Simulator) -> int:
    return sim.injected["503"]


def fail_calls(rt: Runtime, n: int) -> list[BaseException]:
    errors: list[BaseException] = []
    for _ in range(n):
        with pytest.raises((ServerError, CircuitOpenError)) as caught:
            rt.run("getWorkspace")
        errors.append(caught.value)
    return errors


def test_without_a_budget_every_call_is_retried_against_a_failing_api(
        failing: Simulator) -> None:
    fail_calls(runtime(failing), 20)
    assert received(failing) == 20 * 4  # each call: its request and 3 retries


def test_a_budget_keeps_200_failing_calls_under_1_2_requests_a_call(failing: Simulator) -> None:
    budget = RetryBudget(clock=Clock())
    errors = fail_calls(runtime(failing, budget), CALLS)
    assert received(failing) <= 1.2 * CALLS
    assert budget.refused > 0
    # A refused retry ends the call with the API's own error, not a new kind of failure.
    assert all(isinstance(e, ServerError) and e.status == 503 for e in errors)


def test_the_budget_grows_with_the_calls_and_forgets_them_after_its_window() -> None:
    clock = Clock()
    budget = RetryBudget(ratio=0.5, floor=1, window_s=10, clock=clock)
    host = "https://api.segmentapis.com"
    for _ in range(4):
        budget.deposit(host)
    assert [budget.withdraw(host) for _ in range(4)] == [True, True, True, False]  # 1 + 0.5 * 4
    clock.now += 10  # the window moved past every count
    assert budget.withdraw(host)
    assert not budget.withdraw(host)  # the floor alone again


def test_a_429_wait_is_not_charged_to_the_budget() -> None:
    budget = RetryBudget(ratio=0.0, floor=0, clock=Clock())
    ex = Exchange(HttpRequest("GET", "https://api.segmentapis.com/sources"), "listSources", "")
    assert budget.may_retry(ex, RateLimitedError("slow down", status=429))
    assert not budget.may_retry(ex, ServerError("down", status=503))


def test_budget_settings_that_cannot_work_are_named() -> None:
    for bad, field in (({"retry_budget": 2.0}, "retry_budget"),
                       ({"budget_floor": -1}, "retry_budget_floor"),
                       ({"circuit_failures": 0}, "circuit_failures"),
                       ({"circuit_cooldown_s": float("nan")}, "circuit_cooldown")):
        with pytest.raises(InputError) as caught:
            Guards(**bad)  # type: ignore[arg-type]
        assert set(caught.value.fields) == {field}


def test_a_circuit_opens_after_failures_in_a_row_and_sends_nothing_while_open(
        failing: Simulator) -> None:
    clock = Clock()
    changes: list[tuple[str, str]] = []
    circuit = Circuit(failures=5, cooldown_s=30, clock=clock, wall=lambda: 1e9,
                      on_change=lambda host, state: changes.append((host, state)))
    rt = runtime(failing, circuit)
    errors = fail_calls(rt, 10)
    assert received(failing) == 5  # the first call's request and 3 retries, then one more
    opened = errors[-1]
    assert isinstance(opened, CircuitOpenError) and opened.sent is False and opened.retryable
    assert opened.retry_after == 30 and opened.retry_at == 1e9 + 30
    assert opened.to_dict()["code"] == "circuit_open"
    assert circuit.state(failing.base_url) == OPEN
    # After the cool-down one probe goes through; the API answers again: closed.
    clock.now += 30
    failing.faults = Faults()
    assert rt.run("getWorkspace")["data"]
    assert changes == [(failing.base_url, OPEN), (failing.base_url, HALF_OPEN),
                       (failing.base_url, CLOSED)]


def test_a_failed_probe_opens_the_circuit_for_another_cool_down(failing: Simulator) -> None:
    clock = Clock()
    circuit = Circuit(failures=2, cooldown_s=5, clock=clock)
    rt = runtime(failing, circuit)
    fail_calls(rt, 1)  # 4 failures: open
    clock.now += 5
    sent = received(failing)
    with pytest.raises(ServerError):  # the probe: the API still fails
        rt.run("getWorkspace")
    assert received(failing) == sent + 1  # the probe alone: no retry into an open circuit
    with pytest.raises(CircuitOpenError):
        rt.run("getWorkspace")
    assert received(failing) == sent + 1


def test_an_answer_below_500_proves_the_host_is_there(failing: Simulator) -> None:
    circuit = Circuit(failures=3, clock=Clock())
    rt = runtime(failing, circuit)
    failing.faults = Faults()
    for _ in range(5):
        with pytest.raises(Exception, match="404"):
            rt.run("getSource", {"sourceId": "nope"})
    assert circuit.state(failing.base_url) == CLOSED


class Recorder(Observer):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def request(self, ex: Exchange) -> None:
        self.seen.append(f"request {ex.action} {ex.route}")

    def attempt(self, ex: Exchange) -> None:
        self.seen.append(f"attempt {ex.attempt}")

    def turn(self, ex: Exchange) -> None:
        self.seen.append("turn")

    def answer(self, ex: Exchange, response: HttpResponse | None,
               error: BaseException | None) -> None:
        status = response.status if response is not None else getattr(error, "status", None)
        self.seen.append(f"answer {status}")

    def retry(self, ex: Exchange, error: BaseException, wait: float) -> None:
        self.seen.append("retry")

    def wait(self, ex: Exchange, seconds: float, kind: str, reason: str) -> None:
        self.seen.append(f"wait {kind}")

    def done(self, ex: Exchange, response: HttpResponse) -> None:
        self.seen.append("done")

    def give_up(self, ex: Exchange, error: BaseException) -> None:
        self.seen.append(f"give_up {type(error).__name__}")


def test_observers_see_every_moment_of_a_call_in_order() -> None:
    with Simulator(faults=Faults(error_5xx=1.0)) as sim:
        seen = Recorder()
        rt = runtime(sim, seen)
        with pytest.raises(ServerError):
            rt.run("getSource", {"sourceId": "abc"})
        sim.faults = Faults()
        rt.run("getWorkspace")
    moments = ["attempt 1", "turn", "answer 503", "retry", "wait backoff",
               "attempt 2", "turn", "answer 503", "retry", "wait backoff",
               "attempt 3", "turn", "answer 503", "retry", "wait backoff",
               "attempt 4", "turn", "answer 503", "give_up ServerError"]
    assert seen.seen == ["request getSource /sources/{sourceId}", *moments,
                         "request getWorkspace /", "attempt 1", "turn", "answer 200", "done"]


class Veto(Observer):
    def turn(self, ex: Exchange) -> None:
        raise InputError({"request": "stopped by an observer"})


def test_an_observer_stops_an_attempt_before_anything_is_sent() -> None:
    with Simulator() as sim:
        seen = Recorder()
        rt = runtime(sim, seen, Veto())
        with pytest.raises(InputError, match="stopped by an observer"):
            rt.run("createLabel", {"label": {"key": "k", "value": "v"}})
        assert sim.injected == {}
        assert rt.with_(events=()).run("listLabels")["data"]["data"]["labels"] == []
    assert "answer" not in " ".join(seen.seen)


class No(Observer):
    def __init__(self) -> None:
        self.asked = 0

    def may_retry(self, ex: Exchange, error: BaseException) -> bool:
        self.asked += 1
        return False


def test_every_observer_is_asked_before_a_retry_and_one_no_refuses_it(
        failing: Simulator) -> None:
    budget, no = RetryBudget(clock=Clock()), No()
    rt = runtime(failing, compose(budget, no))
    fail_calls(rt, 1)
    assert no.asked == 1 and received(failing) == 1


def test_a_derived_runtime_keeps_its_secrets_and_takes_named_options(
        failing: Simulator) -> None:
    rt = runtime(failing)
    seen = Recorder()
    watched = rt.watched(seen)
    assert watched.secrets is rt.secrets and watched.connection is rt.connection
    with pytest.raises(TypeError):
        rt.with_(nonsense=1)  # type: ignore[call-arg]
    fail_calls(watched.with_(policy=rt.policy.with_(max_retries=0)), 1)
    assert received(failing) == 1 and seen.seen[-1] == "give_up ServerError"
