"""Benchmark the learner's and the maintainers' waits; prints a small table.

    .venv/bin/python tools/bench.py [--repeats N] [--kata ID] [--skip-suite]

- ``import torch`` cold, against a cold ``kata check`` of one plain-PyTorch kata (the learner's
  wait on every check: the issue's budget is 1.5x the import);
- ``kata verify`` over every kata (budget: 3 minutes) and ``kata mutate`` (budget: 10 minutes).
Timings are wall-clock medians on this machine; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KATA = [sys.executable, "-m", "katakit.cli"]


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - start


def median_wall(command: list[str], repeats: int) -> float:
    wall(command)  # one unmeasured run: warm the file cache
    return statistics.median(wall(command) for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--kata", default="tensors/create")
    parser.add_argument("--skip-suite", action="store_true", help="only the check timing")
    args = parser.parse_args()

    torch_s = median_wall([sys.executable, "-c", "import torch"], args.repeats)
    check_s = median_wall([*KATA, "check", args.kata], args.repeats)
    rows = [
        ("python -c 'import torch'", torch_s, ""),
        (f"kata check {args.kata}", check_s, f"{check_s / torch_s:.2f}x import torch"),
    ]
    if not args.skip_suite:
        rows.append(("kata verify (all)", wall([*KATA, "verify"]), "budget 180 s"))
        rows.append(("kata mutate (all)", wall([*KATA, "mutate"]), "budget 600 s"))
    for name, seconds, note in rows:
        print(f"{name:<34} {seconds:8.2f} s  {note}")


if __name__ == "__main__":
    main()
