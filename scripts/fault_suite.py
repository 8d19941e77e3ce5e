"""Fault suite: many mixed calls through a Runtime against a faulty simulator, audited.

The suite drives one Runtime (single thread, so a seed replays the same run)
through reads, creates, updates, deletes, picklists and Raw Requests while the
simulator injects 5xx, 429, dropped connections and errors after a write, and
the suite itself adds latency (some past the attempt timeout) to first
attempts. Every create carries a unique slug or name, so reading the
simulator's state afterwards tells lost and duplicated writes apart.

Retry waits are scaled by `time_scale` (like the simulator's rate windows) so
2,000 calls fit in a CI minute; the retry rules themselves are the default's.

Test and report machinery, not part of the connector: `scripts/reliability_report.py`
writes its figures to RELIABILITY.md and `tests/test_fault_suite.py` runs it in CI.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3

from connector.connection import Connection
from connector.errors import ConnectorError
from connector.events import Exchange, Observer
from connector.redact import redact
from connector.registry import Registry
from connector.request import HttpRequest
from connector.retry import IDEMPOTENT, RetryPolicy
from connector.runtime import Runtime, SharedClient
from connector.simulator import Faults, Simulator
from connector.simulator.faults import HEADER
from connector.transport import HttpClient, HttpResponse, Reply

JAVASCRIPT = "IqDTy1TpoU"  # a source type the simulator's catalog holds
DEFAULT_SEED = 20240601
DEFAULT_FAULTS = Faults(error_5xx=0.04, error_429=0.03, drop_connection=0.02,
                        fault_after_write=0.04)
# The default policy's rules, with a short attempt timeout and deadline for CI.
DEFAULT_POLICY = RetryPolicy().with_(timeout_s=0.5, deadline_s=10.0)
SLOW_MS, TIMEOUT_MS = 40, 700  # added latency: one answers late, one past the timeout
SLOW_SHARE, TIMEOUT_SHARE = 0.03, 0.005
DEADLINE_SLACK_S = 0.25  # scheduling and decoding after the last attempt
CATEGORIES = ("read", "create", "update", "delete", "picklist", "raw")


@dataclass
class Report:
    """What the suite injected and what every call came to."""

    seed: int
    calls: int
    faults: Faults
    policy: RetryPolicy
    time_scale: float
    injected: dict[str, int] = field(default_factory=dict)  # counted by the simulator
    seen: Counter[str] = field(default_factory=Counter)  # per HTTP attempt, client side
    outcomes: dict[str, Counter[str]] = field(
        default_factory=lambda: {c: Counter() for c in CATEGORIES})
    requests: int = 0  # logical requests (each with its own retries and deadline)
    idempotent_requests: int = 0
    idempotent_ok: int = 0
    idempotent_typed_errors: int = 0
    untyped_errors: list[str] = field(default_factory=list)
    over_deadline: int = 0
    max_request_s: float = 0.0
    writes: Counter[str] = field(default_factory=Counter)
    wall_s: float = 0.0

    @property
    def duplicated_writes(self) -> int:
        return self.writes["duplicated creates"]

    @property
    def lost_writes(self) -> int:
        return (self.writes["lost acknowledged creates"] + self.writes["lost acknowledged updates"]
                + self.writes["lost acknowledged deletes"])

    def to_markdown(self, timing: bool = True) -> str:
        """Tables of the run; `timing=False` leaves out the figures that vary by machine."""
        f, p = self.faults, self.policy
        lines = [
            f"Seed {self.seed}; {self.calls} calls; {self.requests} requests "
            f"({sum(self.seen.values())} HTTP attempts).",
            "",
            f"Simulator faults per request: 5xx {f.error_5xx:g}, 429 {f.error_429:g}, "
            f"dropped connection {f.drop_connection:g}, 500 after the write "
            f"{f.fault_after_write:g}. Added by the suite to first attempts: "
            f"latency {SLOW_MS} ms ({SLOW_SHARE:g}), latency {TIMEOUT_MS} ms past the "
            f"{p.timeout_s:g} s attempt timeout ({TIMEOUT_SHARE:g}).",
            "",
            f"Policy: the default retry rules (max_retries {p.max_retries}, "
            f"rate_limit_retries {p.rate_limit_retries}, retries of 5xx/timeouts/lost "
            f"connections only for {', '.join(sorted(IDEMPOTENT))}); attempt timeout "
            f"{p.timeout_s:g} s, deadline {p.deadline_s:g} s; waits scaled by "
            f"{self.time_scale:g}.",
            "",
            "### Faults injected",
            "",
            "| Fault | Planned by the simulator | Seen by the client |",
            "|---|---:|---:|",
        ]
        pairs = (("503 before the handler", "503", "503"), ("429", "429", "429"),
                 ("dropped connection", "drop", "dropped"),
                 ("500 after the write", "after-write", "500"),
                 ("added latency", "latency", "timeout"))
        for label, planned, seen in pairs:
            seen_text = (f"{self.seen[seen]} timeouts" if seen == "timeout"
                         else str(self.seen[seen]))
            lines.append(f"| {label} | {self.injected.get(planned, 0)} | {seen_text} |")
        lines += ["", "`after-write` is armed on any request and acts on writes only.", "",
                  "### Outcomes by category", ""]
        kinds = sorted({k for c in self.outcomes.values() for k in c} - {"ok"})
        lines.append("| Category | Calls | ok | " + " | ".join(kinds) + " |")
        lines.append("|---|---:|---:|" + "---:|" * len(kinds))
        for cat in CATEGORIES:
            row = self.outcomes[cat]
            cells = [str(row[k]) for k in kinds]
            lines.append(f"| {cat} | {sum(row.values())} | {row['ok']} | " + " | ".join(cells)
                         + " |")
        lines += [
            "", "### Checks", "",
            "| Check | Result |", "|---|---:|",
            f"| idempotent requests | {self.idempotent_requests} |",
            f"| ... ok | {self.idempotent_ok} |",
            f"| ... ended in a typed error | {self.idempotent_typed_errors} |",
            f"| untyped errors (any request) | {len(self.untyped_errors)} |",
            f"| requests past their deadline | {self.over_deadline} |",
        ]
        for name in ("creates sent", "creates acknowledged", "creates applied, caller told "
                     "it failed", "creates not applied, caller told it failed",
                     "duplicated creates", "lost acknowledged creates",
                     "lost acknowledged updates", "lost acknowledged deletes"):
            lines.append(f"| {name} | {self.writes[name]} |")
        if timing:
            lines += ["", f"Wall time {self.wall_s:.1f} s; slowest request "
                      f"{self.max_request_s:.2f} s (deadline {p.deadline_s:g} s)."]
        return "\n".join(lines) + "\n"


class _ProbeClient(HttpClient):
    """Counts what each attempt met and adds the suite's fault header to one attempt."""

    def __init__(self, seen: Counter[str]) -> None:
        super().__init__()
        self.seen = seen
        self.fault: str | None = None  # header value for the next attempt only

    def send(self, req: HttpRequest, timeout_s: float) -> Reply:
        if self.fault:
            req = dataclasses.replace(req, headers={**req.headers, HEADER: self.fault})
            self.fault = None
        try:
            resp = super().send(req, timeout_s)
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            refused = isinstance(exc, urllib3.exceptions.NewConnectionError)
            timed_out = isinstance(exc, requests.Timeout | urllib3.exceptions.TimeoutError)
            self.seen["timeout" if timed_out and not refused else "dropped"] += 1
            raise
        self.seen[str(resp.status) if resp.status >= 300 else "2xx"] += 1
        return resp


class _Timing(Observer):
    """Times every logical request (one `send`, its retries included) and counts how each
    idempotent one ended."""

    def __init__(self, report: Report) -> None:
        self.report = report

    def request(self, ex: Exchange) -> None:
        rep = self.report
        rep.requests += 1
        rep.idempotent_requests += ex.method in IDEMPOTENT
        ex.notes[self] = time.monotonic()

    def _ended(self, ex: Exchange) -> None:
        spent = time.monotonic() - ex.notes.pop(self)
        rep = self.report
        rep.max_request_s = max(rep.max_request_s, spent)
        rep.over_deadline += spent > rep.policy.deadline_s + DEADLINE_SLACK_S

    def done(self, ex: Exchange, response: HttpResponse) -> None:
        self.report.idempotent_ok += ex.method in IDEMPOTENT
        self._ended(ex)

    def give_up(self, ex: Exchange, error: BaseException) -> None:
        if isinstance(error, ConnectorError):
            self.report.idempotent_typed_errors += ex.method in IDEMPOTENT
        self._ended(ex)


@dataclass
class _Create:
    kind: str  # "sources" or "trackingPlans"
    key: str  # slug of a source, name of a tracking plan
    acked_id: str | None = None


@dataclass
class _Ledger:
    """What the caller was told, to compare with the simulator's state at the end."""

    creates: list[_Create] = field(default_factory=list)
    live: dict[str, list[str]] = field(
        default_factory=lambda: {"sources": [], "trackingPlans": []})
    acked_value: dict[str, str] = field(default_factory=dict)  # id -> last acked update
    maybe_value: dict[str, set[str]] = field(default_factory=dict)  # failed since then
    delete_tried: set[str] = field(default_factory=set)
    delete_acked: set[str] = field(default_factory=set)


# An operation: (category, what to run) where what to run returns the action's result.
Op = tuple[str, Callable[[Runtime], Any]]
UPDATED_FIELD = {"sources": "name", "trackingPlans": "description"}
ID_INPUT = {"sources": "sourceId", "trackingPlans": "trackingPlanId"}


class _Mix:
    """Picks the next call from a seeded generator and books its result in the ledger."""

    def __init__(self, rng: random.Random, ledger: _Ledger, seed: int) -> None:
        self.rng, self.ledger, self.seed = rng, ledger, seed
        self.n = 0

    def next(self) -> Op:
        self.n += 1
        roll = self.rng.random()
        live = self.ledger.live
        has_targets = any(live.values())
        if roll < 0.30:
            return self._read()
        if roll < 0.45 or not has_targets:
            return self._create()
        if roll < 0.57:
            return self._update()
        if roll < 0.63:
            return self._delete()
        if roll < 0.75:
            return self._picklist()
        return self._raw()

    def _target(self) -> tuple[str, str]:
        kinds = [k for k, ids in self.ledger.live.items() if ids]
        kind = self.rng.choice(kinds)
        return kind, self.rng.choice(self.ledger.live[kind])

    def _read(self) -> Op:
        choice = self.rng.randrange(5)
        live = self.ledger.live
        if choice == 0 and live["sources"]:
            sid = self.rng.choice(live["sources"])
            return "read", lambda rt: rt.run("getSource", {"sourceId": sid})
        if choice == 1 and live["trackingPlans"]:
            tid = self.rng.choice(live["trackingPlans"])
            return "read", lambda rt: rt.run("getTrackingPlan", {"trackingPlanId": tid})
        if choice == 2:
            return "read", lambda rt: rt.run("listSources", {"count": 20})
        if choice == 3:
            return "read", lambda rt: rt.run("listTrackingPlans", {"count": 20})
        return "read", lambda rt: rt.run("getWorkspace", {})

    def _create(self) -> Op:
        choice = self.rng.randrange(3)
        if choice == 0:
            entry = _Create("sources", f"rel-{self.seed}-s{self.n}")
            inputs: dict[str, Any] = {"slug": entry.key, "metadataId": JAVASCRIPT}
            return "create", self._booked(entry, lambda rt: rt.run("createSource", inputs),
                                          "source")
        entry = _Create("trackingPlans", f"rel-{self.seed}-tp{self.n}")
        if choice == 1:
            plan = {"name": entry.key, "type": "LIVE"}
            return "create", self._booked(entry, lambda rt: rt.run("createTrackingPlan", plan),
                                          "trackingPlan")
        raw = {"url": "/tracking-plans", "method": "POST",
               "data": {"name": entry.key, "type": "LIVE"}}
        return "raw", self._booked(entry, lambda rt: rt.run("rawRequest", raw), "trackingPlan")

    def _booked(self, entry: _Create, call: Callable[[Runtime], Any], field_: str
                ) -> Callable[[Runtime], Any]:
        self.ledger.creates.append(entry)

        def run(rt: Runtime) -> Any:
            out = call(rt)
            entry.acked_id = out["data"]["data"][field_]["id"]
            self.ledger.live[entry.kind].append(entry.acked_id)
            return out
        return run

    def _update(self) -> Op:
        kind, ident = self._target()
        value = f"v{self.n}"
        key = "updateSource" if kind == "sources" else "updateTrackingPlan"
        inputs = {ID_INPUT[kind]: ident, UPDATED_FIELD[kind]: value}
        ledger = self.ledger

        def run(rt: Runtime) -> Any:
            try:
                out = rt.run(key, inputs)
            except ConnectorError:
                ledger.maybe_value.setdefault(ident, set()).add(value)
                raise
            ledger.acked_value[ident] = value
            ledger.maybe_value[ident] = set()
            return out
        return "update", run

    def _delete(self) -> Op:
        kind, ident = self._target()
        key = "deleteSource" if kind == "sources" else "deleteTrackingPlan"
        ledger = self.ledger
        ledger.live[kind].remove(ident)  # whatever the answer, no later call targets it
        ledger.delete_tried.add(ident)

        def run(rt: Runtime) -> Any:
            out = rt.run(key, {ID_INPUT[kind]: ident})
            ledger.delete_acked.add(ident)
            return out
        return "delete", run

    def _picklist(self) -> Op:
        key = self.rng.choice(("sources", "trackingPlans", "roles", "users", "sourcesCatalog"))
        return "picklist", lambda rt: rt.picklist(key)

    def _raw(self) -> Op:
        retries = self.rng.choice((0, 3))
        if self.rng.random() < 0.5:
            inputs: dict[str, Any] = {"url": "/sources", "method": "GET",
                                      "queryParams": {"pagination.count": 10}}
        else:
            inputs = {"url": "/", "method": "GET"}
        inputs["maxRetries"] = retries
        return "raw", lambda rt: rt.run("rawRequest", inputs)


def _audit(sim: Simulator, ledger: _Ledger, report: Report) -> None:
    """Compare what callers were told with what the simulator holds."""
    w = report.writes
    with sim.state.lock:
        held = {"sources": dict(sim.state["sources"]),
                "trackingPlans": dict(sim.state["trackingPlans"])}
    keyed = {"sources": Counter(r["slug"] for r in held["sources"].values()),
             "trackingPlans": Counter(r["name"] for r in held["trackingPlans"].values())}
    for entry in ledger.creates:
        w["creates sent"] += 1
        present = keyed[entry.kind][entry.key]
        gone = entry.acked_id is not None and entry.acked_id not in held[entry.kind]
        applied = present + gone
        if applied > 1:
            w["duplicated creates"] += applied - 1
        if entry.acked_id is None:
            w["creates applied, caller told it failed" if applied
              else "creates not applied, caller told it failed"] += 1
            continue
        w["creates acknowledged"] += 1
        if gone and entry.acked_id not in ledger.delete_tried:
            w["lost acknowledged creates"] += 1
    for kind, rows in held.items():
        for ident, record in rows.items():
            if ident in ledger.delete_acked:
                w["lost acknowledged deletes"] += 1
            acked = ledger.acked_value.get(ident)
            actual = record.get(UPDATED_FIELD[kind])
            if acked is not None and actual != acked \
                    and actual not in ledger.maybe_value.get(ident, set()):
                w["lost acknowledged updates"] += 1


def run_fault_suite(calls: int = 2000, seed: int = DEFAULT_SEED, faults: Faults = DEFAULT_FAULTS,
                    policy: RetryPolicy = DEFAULT_POLICY, time_scale: float = 0.01,
                    registry: Registry | None = None,
                    on_call: Callable[[int, str, str], None] | None = None) -> Report:
    """Run `calls` mixed calls against a new simulator; the report of what happened."""
    report = Report(seed, calls, faults, policy, time_scale)
    rng = random.Random(seed)
    ledger = _Ledger()
    mix = _Mix(rng, ledger, seed)
    started = time.monotonic()
    with Simulator(seed=seed, faults=faults) as sim:
        probe = _ProbeClient(report.seen)
        rt = Runtime(Connection(token=sim.token, base_url=sim.base_url), registry=registry,
                     policy=policy, sleep=lambda s: time.sleep(s * time_scale),
                     events=[_Timing(report)], http=SharedClient(probe))
        for i in range(calls):
            category, call = mix.next()
            fault = rng.random()
            if fault < TIMEOUT_SHARE:
                probe.fault = f"latency={TIMEOUT_MS}"
            elif fault < TIMEOUT_SHARE + SLOW_SHARE:
                probe.fault = f"latency={SLOW_MS}"
            outcome = _outcome(report, call, rt)
            if fault < TIMEOUT_SHARE:
                # Let the late answer land before going on, so the next calls (and
                # the order of the simulator's fault draws) do not depend on timing.
                time.sleep((TIMEOUT_MS / 1000 - policy.timeout_s) + 0.1)
            probe.fault = None
            report.outcomes[category][outcome] += 1
            if on_call:
                on_call(i, category, outcome)
        _audit(sim, ledger, report)
        report.injected = dict(sim.injected)
    report.wall_s = time.monotonic() - started
    return report


def _outcome(report: Report, call: Callable[[Runtime], Any], rt: Runtime) -> str:
    try:
        call(rt)
    except ConnectorError as exc:
        return exc.kind
    except Exception as exc:  # the suite exists to find these: keep going, report them
        report.untyped_errors.append(redact(f"{type(exc).__name__}: {exc}")[:300])
        return "untyped"
    return "ok"


def summary(report: Report) -> Mapping[str, int]:
    """The figures a CI gate looks at."""
    return {"duplicated": report.duplicated_writes, "lost": report.lost_writes,
            "untyped": len(report.untyped_errors), "over_deadline": report.over_deadline}
