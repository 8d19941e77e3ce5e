"""1,100 hostile connections against `segment-connector serve`, and what the service holds.

    .venv/bin/python scripts/hostile_connections.py [--idle 300] [--slow 300]
        [--oversized 200] [--stalled 300]

Starts `serve --simulator` in its own process (log to a file; header and body
timeouts set long, so that every connection stays open on both sides while it is
measured), then opens, from this process, on loopback:

- idle connections that send nothing;
- slow ones that send part of their headers, then one more byte;
- requests with a 256 KiB header (the limit is 64 KiB);
- POSTs declaring a body just under the 1 MiB limit that send 900 KB and stall.

With all of them open it calls `/healthz` on new connections (the first call meets
the burst of bodies just sent; the median of the next five is the figure) and reads the
service's resident memory (/proc), open descriptors and log size. Figures are
printed as JSON; `measure` returns them (tests/test_service_hostile_connections.py
asserts the bounds on them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
BIG_HEADER = 256 * 1024
BODY_DECLARED = 1_000_000
BODY_SENT = 900_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


@contextmanager
def served(directory: Path, header_timeout: float = 300,
           body_timeout: float = 300) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """(URL, process, log file) of `serve --simulator` on a free loopback port."""
    config = directory / "service.toml"
    config.write_text(f"[service]\nheader_timeout = {header_timeout}\n"
                      f"body_timeout = {body_timeout}\n", encoding="utf-8")
    log = directory / "service.log"
    port = _free_port()
    env = {**os.environ, "SEGMENT_CONNECTOR_SERVICE_KEYS": ""}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "connector.cli", "serve", "--simulator",
                                 "--port", str(port), "--config", str(config)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the service did not become ready: "
                                   + log.read_text(errors="replace")[-2000:])
            time.sleep(0.1)
        yield url, proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _room_for(sockets: int) -> None:
    """This process's soft limit on open files raised to fit `sockets` more."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = sockets + 256
    if hard != resource.RLIM_INFINITY and hard < wanted:
        raise RuntimeError(f"{sockets} connections need {wanted} open files; this process "
                           f"may have {hard} (ulimit -Hn)")
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    return sock


def _send(sock: socket.socket, data: bytes) -> bool:
    """False when the service closed the connection first (a refusal)."""
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def _answer(sock: socket.socket, wait: float) -> bytes | None:
    """The service's first bytes on `sock` (b"" closed, None: still open after `wait`)."""
    sock.settimeout(wait)
    try:
        return sock.recv(64)
    except TimeoutError:
        return None
    except OSError:
        return b""  # reset: closed with our bytes unread
    finally:
        sock.settimeout(30)


def attack(url: str, idle: int, slow: int, oversized: int,
           stalled: int) -> tuple[list[socket.socket], dict[str, int]]:
    """Open the hostile connections; (their sockets, how each kind was answered)."""
    port = int(url.rsplit(":", 1)[1])
    host = f"Host: 127.0.0.1:{port}\r\n".encode()
    _room_for(idle + slow + oversized + stalled + 64)
    held: list[socket.socket] = []
    oversized_ones = []
    for _ in range(idle):
        held.append(_connect(port))
    slow_ones = []
    for n in range(slow):
        sock = _connect(port)
        _send(sock, b"GET /healthz HTTP/1.1\r\n" + host + f"X-Slow-{n}: ".encode())
        slow_ones.append(sock)
        held.append(sock)
    for _ in range(oversized):
        sock = _connect(port)
        _send(sock, b"GET /healthz HTTP/1.1\r\n" + host + b"X-Big: " + b"a" * BIG_HEADER
              + b"\r\n\r\n")
        oversized_ones.append(sock)
        held.append(sock)
    body = b"[" + b" " * (BODY_SENT - 1)
    for _ in range(stalled):
        sock = _connect(port)
        head = (b"POST /v1/actions/createSource/run HTTP/1.1\r\n" + host
                + b"Content-Type: application/json\r\n"
                + f"Content-Length: {BODY_DECLARED}\r\n\r\n".encode())
        _send(sock, head + body)
        held.append(sock)
    for sock in slow_ones:  # slow, not dead: one more byte each
        _send(sock, b"x")
    answers = {"oversized_431": 0, "oversized_closed": 0}
    for sock in oversized_ones:  # the refusal is prompt: waited for, not polled
        got = _answer(sock, 10)
        answers["oversized_431"] += bool(got and got.startswith(b"HTTP/1.1 431"))
        answers["oversized_closed"] += got is not None
    return held, answers


def measure(idle: int = 300, slow: int = 300, oversized: int = 200,
            stalled: int = 300) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, served(Path(tmp)) as (url, proc, log):
        requests.get(url + "/healthz", timeout=10)
        rss_before, log_before, fds_before = _rss(proc.pid), log.stat().st_size, _fds(proc.pid)
        held, answers = attack(url, idle, slow, oversized, stalled)
        try:
            # The first probe meets the burst just sent (270 MB of bodies arriving at
            # once); the next ones, the connections held open.
            health, times = [], []
            for _ in range(6):
                start = time.perf_counter()
                health.append(requests.get(url + "/healthz", timeout=10).status_code)
                times.append(time.perf_counter() - start)
            rss_during, fds_during = _rss(proc.pid), _fds(proc.pid)
            stalled_answers = [_answer(s, 0.01) for s in held[len(held) - stalled:]]
            log_during = log.stat().st_size
        finally:
            for sock in held:
                with suppress(OSError):
                    sock.close()
        # The same again: what the first wave held is used again, not added to.
        held, _ = attack(url, idle, slow, oversized, stalled)
        rss_again = _rss(proc.pid)
        for sock in held:
            with suppress(OSError):
                sock.close()
        ready = requests.get(url + "/readyz", timeout=10).status_code
        return {"connections": idle + slow + oversized + stalled,
                "healthz_status": max(health),
                "healthz_first_s": round(times[0], 4),
                "healthz_s": round(statistics.median(times[1:]), 4),
                "rss_before_mib": round(rss_before / MIB, 1),
                "rss_during_mib": round(rss_during / MIB, 1),
                "rss_second_wave_mib": round(rss_again / MIB, 1),
                "service_fds_before": fds_before, "service_fds_during": fds_during,
                "log_growth_bytes": log_during - log_before,
                **answers,
                # Past the bytes bodies may hold at once (64 MiB): 503, closed.
                "stalled_refused_503": sum(bool(a and a.startswith(b"HTTP/1.1 503"))
                                           for a in stalled_answers),
                "stalled_still_open": sum(a is None for a in stalled_answers),
                "readyz_after": ready,
                "kib_per_held_connection": round(
                    (rss_during - rss_before) / 1024 / max(1, fds_during - fds_before), 1),
                "log": log.read_text(errors="replace")[log_before:log_during][-3000:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, default in (("idle", 300), ("slow", 300), ("oversized", 200), ("stalled", 300)):
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    print(json.dumps(measure(args.idle, args.slow, args.oversized, args.stalled), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
