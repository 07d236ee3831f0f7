"""Every kata's warm spec run, as `kata watch` pays it on each save; prints a table.

    .venv/bin/python tools/bench_katas.py [--repeats N] [--impl solution|learner] [ID ...]

One warm process (torch, Lightning and every spec's imports loaded once, as in `kata watch`),
then each kata's spec through the run service ``--repeats`` times: p50 and p95 wall time per
kata, slowest first, and the katas over the 0.5 s budget. Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import statistics
import time

from katakit.catalog import load_catalog
from katakit.launcher import Job, run_one, warm
from katakit.resolver import Impl

BUDGET_S = 0.5


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--impl", choices=[i.value for i in Impl], default="solution")
    parser.add_argument("ids", nargs="*")
    args = parser.parse_args()
    catalog = load_catalog()
    katas = [catalog.find(i) for i in args.ids] if args.ids else list(catalog.katas)
    started = time.perf_counter()
    warm(catalog, catalog.katas)
    print(f"warm-up {time.perf_counter() - started:.1f} s")
    rows = []
    for kata in katas:
        times = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            done = run_one(catalog, Job(kata, Impl(args.impl)))
            times.append(time.perf_counter() - t)
        rows.append((p95(times), statistics.median(times), kata.id, done.verdict.headline()))
    rows.sort(reverse=True)
    for worst, median, kid, headline in rows:
        flag = "  over budget" if worst > BUDGET_S else ""
        print(f"{kid:<32} p50 {median:5.2f} s  p95 {worst:5.2f} s  {headline}{flag}")
    over = [r for r in rows if r[0] > BUDGET_S]
    print(f"{len(rows) - len(over)}/{len(rows)} katas within {BUDGET_S} s p95")


if __name__ == "__main__":
    main()
