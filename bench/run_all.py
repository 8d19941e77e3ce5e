"""Every benchmark in one command, each figure against its target; --write saves BENCHMARKS.md.

    .venv/bin/python bench/run_all.py [--write]

Runs cold_start, per_call, listing, simulator_throughput, batch_rate, masking, service,
hostile (connections), distributed, mcp_tools and legacy in turn and exits 1 when a figure
misses its target. Every ratio comes from runs of both sides alternating in this process
tree. The machine's load average at the start is printed and written down; with --write,
a load above the core count is refused before anything runs (exit 2): a figure from a
busy machine is not written.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import batch_rate
import cold_start
import distributed
import hostile_connections
import legacy
import listing
import masking
import mcp_tools
import per_call
import service

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

COMMAND = ".venv/bin/python bench/run_all.py --write"
MIB = 1024 * 1024


@dataclass
class Figure:
    name: str
    value: float
    shown: str
    target: str
    passed: bool | None  # None: shown for context, no target


def _at_most(limit: float) -> Callable[[float], bool]:
    return lambda v: v <= limit


def _fig(name: str, value: float, fmt: str, target: str,
         ok: Callable[[float], bool] | None = None) -> Figure:
    return Figure(name, value, fmt.format(value), target, None if ok is None else ok(value))


def _verdict(fig: Figure) -> str:
    return "-" if fig.passed is None else "PASS" if fig.passed else "FAIL"


def run_cold_start() -> list[Figure]:
    r = cold_start.measure(15, 300)
    return [_fig("cold start: CLI dry run / bare import of the four card packages, the "
                 "project alone", r["alone_ratio"], "{:.2f}", "<= 1.00", _at_most(1.00)),
            _fig("cold start: the same, beside 300 extra distributions", r["crowded_ratio"],
                 "{:.2f}", "<= 1.05", _at_most(1.05)),
            _fig("cold start: CLI dry run, the project alone (ms)",
                 r["alone_connector_s"] * 1000, "{:.0f}", "-"),
            _fig("cold start: CLI dry run, beside 300 extra distributions (ms)",
                 r["crowded_connector_s"] * 1000, "{:.0f}", "-")]


def run_per_call() -> list[Figure]:
    t = per_call.measure(300, 30)
    return [_fig("per call: runtime / requests.Session.get", t["runtime_per_requests"],
                 "{:.2f}", "<= 0.70", _at_most(0.70)),
            _fig("per call: runtime / urllib3 PoolManager", t["runtime_per_urllib3"],
                 "{:.2f}", "<= 1.10", _at_most(1.10)),
            _fig("per call: runtime getSource (us)", t["runtime"], "{:.0f}", "-")]


def run_listing() -> list[Figure]:
    r = listing.measure(100_000, 1000, 7)
    return [_fig("listing 100,000 items: iterator / bare urllib3 loop (time)", r["ratio"],
                 "{:.2f}", "<= 1.20", _at_most(1.20)),
            _fig("listing: iterator peak memory (MiB)", r["iterator_peak"] / MIB, "{:.1f}", "-"),
            _fig("listing: bare urllib3 loop peak memory (MiB)", r["urllib3_peak"] / MIB,
                 "{:.1f}", "-"),
            _fig("listing: iterator peak at 100,000 / at 10,000 items", r["growth"],
                 "{:.2f}", "<= 1.50 (no growth)", _at_most(1.50))]


def run_simulator_throughput() -> list[Figure]:
    out = subprocess.run([sys.executable, str(HERE / "simulator_throughput.py")],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    found = re.search(r"= ([\d,]+) req/s", out)
    rate = float(found.group(1).replace(",", "")) if found else 0.0
    return [_fig("simulator: GET requests per second", rate, "{:,.0f}", ">= 1,000",
                 lambda v: v >= 1000)]


def run_batch_rate() -> list[Figure]:
    r = batch_rate.measure(200, 0.05, 4)
    return [_fig("batch: 200 createLabel at 60/min, elapsed / fastest the limit allows",
                 r["ratio"], "{:.3f}", "<= 1.15", _at_most(1.15)),
            _fig("batch: 429 responses", r["responses_429"], "{:.0f}", "0",
                 lambda v: v == 0),
            _fig("batch: labels created", r["created"], "{:.0f}", "200",
                 lambda v: v == 200)]


def run_masking() -> list[Figure]:
    r = masking.measure(10_000, 7)
    return [_fig("masking: one answer after 10,000 workspaces / after 1", r["ratio"], "{:.2f}",
                 "<= 1.50", _at_most(1.50)),
            _fig("masking: one 4 KiB answer, text + data + log record (us)", r["one_us"],
                 "{:.0f}", "-")]


def run_service() -> list[Figure]:
    r = service.measure(50, 30, 32)
    return [_fig("service: latency added per call / the bare FastAPI forwarder's",
                 r["added_ratio"], "{:.2f}", "<= 1.20", _at_most(1.20)),
            _fig("service: calls per second at 32 clients / the forwarder's", r["rate_ratio"],
                 "{:.2f}", ">= 0.80", lambda v: v >= 0.80),
            _fig("service: latency added per call, median (ms)", r["service_added_ms"],
                 "{:.2f}", "-"),
            _fig("service: bare forwarder's latency added per call, median (ms)",
                 r["forwarder_added_ms"], "{:.2f}", "-"),
            _fig("service: calls per second at 32 concurrent clients",
                 r["service_calls_per_s"], "{:,.0f}", "-"),
            _fig("service: bare forwarder's calls per second at 32 clients",
                 r["forwarder_calls_per_s"], "{:,.0f}", "-")]


def run_hostile() -> list[Figure]:
    r = hostile_connections.measure(idle=300, slow=300, oversized=200, stalled=300)
    return [_fig("hostile: /healthz answered with 1,100 idle, slow, oversized and stalled "
                 "connections open, median (s)", r["healthz_s"] if r["healthz_status"] == 200
                 else float("inf"), "{:.3f}", "<= 1", _at_most(1.0)),
            _fig("hostile: /healthz, the first call, as 270 MB of stalled bodies arrive (s)",
                 r["healthz_first_s"], "{:.3f}", "-"),
            _fig("hostile: service resident memory while they are open (MiB)",
                 r["rss_during_mib"], "{:.0f}", "< 300", lambda v: v < 300),
            _fig("hostile: service log growth while they are open (KiB)",
                 r["log_growth_bytes"] / 1024, "{:.0f}", "< 1024", lambda v: v < 1024),
            _fig("hostile: memory held per connection kept open (KiB)",
                 r["kib_per_held_connection"], "{:.0f}", "-")]


def run_distributed() -> list[Figure]:
    r = distributed.measure(200, 6, 0.1)
    return [_fig("distributed: 200 createLabel, 6 workers, one token at 60/min, elapsed / "
                 "fastest the limit allows", r["ratio"], "{:.3f}", "<= 1.15", _at_most(1.15)),
            _fig("distributed: 429 responses", r["responses_429"], "{:.0f}", "0",
                 lambda v: v == 0),
            _fig("distributed: labels created, each once", r["distinct"], "{:.0f}", "200",
                 lambda v: v == 200 and r["created"] == 200)]


def run_mcp_tools() -> list[Figure]:
    r = mcp_tools.measure()
    out = [_fig("MCP tools/list, dynamic mode (bytes)", r["dynamic"]["bytes"], "{:,.0f}",
                "< 10,240", lambda v: v < 10_240)]
    for mode, row in r.items():
        if mode != "dynamic":
            out.append(_fig(f"MCP tools/list, {mode}: {row['tools']} tools (bytes)",
                            row["bytes"], "{:,.0f}", "-"))
        out.append(_fig(f"MCP tools/list, {mode} (estimated tokens)", row["tokens"],
                        "{:,.0f}", "-"))
    return out


def run_legacy() -> list[Figure]:
    r = legacy.measure(200, 5)
    return [_fig("legacy: Public API requests per Config API call, per-run cache",
                 r["requests_cached"], "{:.2f}", "<= 1.05", _at_most(1.05)),
            _fig("legacy: Public API requests per Config API call, fresh run each",
                 r["requests_fresh"], "{:.2f}", "-"),
            _fig("legacy: Config API call (cached) / direct action, time", r["ratio"],
                 "{:.2f}", "<= 1.50", _at_most(1.50))]


BENCHES = (("cold_start", run_cold_start), ("per_call", run_per_call),
           ("listing", run_listing), ("simulator_throughput", run_simulator_throughput),
           ("batch_rate", run_batch_rate), ("masking", run_masking),
           ("service", run_service), ("hostile", run_hostile),
           ("distributed", run_distributed), ("mcp_tools", run_mcp_tools),
           ("legacy", run_legacy))


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"CPU": cpu, "Cores": str(os.cpu_count()),
            "Python": f"{platform.python_implementation()} {platform.python_version()}",
            "OS": platform.platform()}


def load_average() -> tuple[float, float, float] | None:
    """The 1, 5 and 15 minute load averages (None where the system keeps none)."""
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return None


def describe_load(load: tuple[float, float, float] | None, cores: int) -> str:
    if load is None:
        return f"not available on this system ({cores} cores)"
    return f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} (1, 5, 15 min; {cores} cores)"


def busy(load: tuple[float, float, float] | None, cores: int) -> bool:
    """Too busy to write figures down: the last minute's load above the core count."""
    return load is not None and load[0] > cores


def markdown(figures: list[Figure], host: dict[str, str], when: str, load: str) -> str:
    rows = "\n".join(f"| {f.name} | {f.shown} | {f.target} | "
                     f"{_verdict(f)} |" for f in figures)
    hosts = "\n".join(f"- {k}: {v}" for k, v in host.items())
    return f"""# Benchmarks

Written by `bench/run_all.py`; do not edit by hand. Measured {when}.

Command (from the repository root):

    {COMMAND}

Machine:

{hosts}
- Load average at the start: {load}

| Figure | Value | Target | Result |
|---|---|---|---|
{rows}

What each measures:

- cold start (`bench/cold_start.py`): `segment-connector run getSource
  --dry-run` (every plugin loaded) in a fresh interpreter, against `import
  requests, pydantic, pluggy, jinja2`, in two virtual environments the script
  makes: the project and its dependencies alone, and the same beside 300
  generated distributions; medians of alternating runs, both environments in
  each round.
- per call (`bench/per_call.py`): `getSource` through the runtime against bare
  `requests` and bare `urllib3`, the same keep-alive loopback server; 30 short
  rounds, the clients one after another in each; medians of the rounds' ratios.
- listing (`bench/listing.py`): every page (1,000 items each) of a
  100,000-item listing through `Runtime.iter_items` against a bare urllib3
  loop over the same pages; best of 7. Peaks are tracemalloc peaks of one walk
  each; the last row compares the iterator's peak at 100,000 and 10,000 items.
- simulator (`bench/simulator_throughput.py`): simple GETs per second over 4
  keep-alive connections.
- batch (`bench/batch_rate.py`): `run_batch` of 200 `createLabel` against the
  simulator enforcing 60 per minute with a minute of 3 s; the fastest time the
  limit allows is 3 windows (60 + 60 + 60 at once, the last 20 when the fourth
  window opens).
- distributed (`bench/distributed.py`): `run_distributed` of 200 `createLabel`
  over 6 `segment-connector worker` processes sharing one token (a profile) and
  one rate limit on a local Redis-compatible server, against the simulator
  enforcing 60 per minute with a minute of 6 s; fastest as for batch, timed
  from the first line queued with the workers running.
- masking (`bench/masking.py`): masking a 4 KiB answer that echoes the token
  (as text, as data, and as a log record through the package's filter) in the
  scope of the newest runtime, after 1 and after 10,000 runtimes with their own
  tokens were made; best of 7 alternating rounds.
- hostile (`scripts/hostile_connections.py`): `serve --simulator` in its own
  process (header and body timeouts set long, so every connection stays open)
  with 300 idle connections, 300 sending headers slowly, 200 with a 256 KiB
  header and 300 POSTs that send 900 KB of a 1 MB body and stall; `/healthz`
  on a new connection, the service's RSS from /proc and its log's growth.
- service (`bench/service.py`): `getWorkspace` through `segment-connector serve`
  and through a bare forwarder (FastAPI on uvicorn with httptools, forwarding
  the GET with urllib3; `bench/forwarder.py`), each in its own process, against
  the same GET straight at the simulator, 30 alternating rounds of 50 calls
  (keep-alive urllib3 client); what each adds is its median less the direct
  one, the ratio the median of each round's. Then 32 client threads, kept for
  the run, call each at once, in 24 alternating rounds of 5 calls per thread:
  median calls per second, and the median of the rounds' ratios.
- MCP tools/list (`bench/mcp_tools.py`): the JSON of the tools the MCP SDK's
  client lists from `segment-connector mcp` over stdio, in the dynamic mode,
  the `sources` toolset and every action (`--toolsets all`), for a profile
  whose policy lets every action run; tokens estimated at 4 bytes each.
- legacy (`bench/legacy.py`): one destination read by its Config API name 200
  times in one run (slugs cached) and in a fresh run each, counting Public API
  requests; then the cached Config call against the direct `getDestination`,
  the in-process simulator behind both, best of 5 interleaved rounds.

Every ratio compares runs of both sides alternating in one process tree.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write BENCHMARKS.md")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    load = load_average()
    print(f"load average at the start: {describe_load(load, cores)}", flush=True)
    if args.write and load is not None and busy(load, cores):
        print(f"refusing to write BENCHMARKS.md: the load ({load[0]:.2f}) is above the "
              f"core count ({cores}); figures from a busy machine are not written down",
              file=sys.stderr)
        return 2
    figures: list[Figure] = []
    for name, fn in BENCHES:
        print(f"== {name}", flush=True)
        for fig in fn():
            figures.append(fig)
            print(f"  {fig.name}: {fig.shown} (target {fig.target}) {_verdict(fig)}",
                  flush=True)
    judged = [f for f in figures if f.passed is not None]
    failed = [f for f in judged if not f.passed]
    print(f"{len(judged) - len(failed)}/{len(judged)} figures on target")
    if args.write:
        when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        path = ROOT / "BENCHMARKS.md"
        path.write_text(markdown(figures, machine(), when, describe_load(load, cores)),
                        encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
