"""Cold start: load every plugin and dry-run one action, against the bare dependency import.

    .venv/bin/python bench/cold_start.py [--runs 15]

Both commands run alternately in fresh interpreters, in one run, so the ratio
compares like with like; the median of each is reported. Target: ratio <= 1.3.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = "import requests, pydantic, pluggy, jinja2"
CONNECTOR = (
    "from connector.cli import main; "
    "raise SystemExit(main(['run', 'getSource', '--input', 'sourceId=rh5BDZp6QDHvXFCkibm1pR', "
    "'--dry-run', '--token', 'bench-token']))"
)


def timed(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(runs: int) -> dict[str, float]:
    timed(BASELINE), timed(CONNECTOR)  # warm the file cache
    base, conn = [], []
    for _ in range(runs):
        base.append(timed(BASELINE))
        conn.append(timed(CONNECTOR))
    b, c = statistics.median(base), statistics.median(conn)
    return {"baseline_s": b, "connector_s": c, "ratio": c / b}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    r = measure(args.runs)
    print(f"bare import of requests, pydantic, pluggy, jinja2: {r['baseline_s'] * 1000:.1f} ms")
    print(f"load every plugin + dry-run getSource:          {r['connector_s'] * 1000:.1f} ms")
    print(f"cold-start ratio: {r['ratio']:.2f} (target <= 1.30)")


if __name__ == "__main__":
    main()
