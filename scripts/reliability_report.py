"""Run the fault suite and the quick security checks; write RELIABILITY.md.

    .venv/bin/python scripts/reliability_report.py [--calls 2000] [--seed N] [--check]

`--check` writes nothing and exits 1 when RELIABILITY.md's figures differ from
this run's.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from connector import reliability

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "RELIABILITY.md"


def build(calls: int, seed: int) -> str:
    report = reliability.run_fault_suite(calls=calls, seed=seed)
    # A fresh random token, never printed: only whether it shows up is reported.
    token = "sgp_" + secrets.token_hex(24)
    command = ".venv/bin/python scripts/reliability_report.py"
    if calls != 2000 or seed != reliability.DEFAULT_SEED:
        command += f" --calls {calls} --seed {seed}"
    return reliability.render(report, reliability.guard_results(),
                              reliability.dry_run_leaks(token), command)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=reliability.DEFAULT_SEED)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true",
                        help="Compare with the existing file instead of writing it.")
    args = parser.parse_args(argv)
    text = build(args.calls, args.seed)
    if args.check:
        same = reliability.figures(args.output.read_text(encoding="utf-8")) == \
            reliability.figures(text)
        print(f"{args.output.name}: {'up to date' if same else 'stale'}")
        return 0 if same else 1
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
