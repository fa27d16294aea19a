"""Memory across solves: RSS after each of N consecutive ``make_plan`` calls in one process.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/memory_solves.py --solves 50 --solution-limit 300 \
        --engines ortools pyvrp --label after

Each solve plans the default week (2026-W49) of the embedded Kolaka Utara workspace with one
engine, in this process (``make_plan`` runs a single engine in-process), with a solution
limit so it is fast and repeatable (the time limit, 600 s, is only a safety net). The RSS
(resident set size, VmRSS of /proc/self/status: Linux) is read after a ``gc.collect()``. A leak shows as
RSS growing by a steady amount per solve. Appends rows to ``benchmarks/results/memory_solves.csv``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WS = ROOT / "data" / "kolaka_utara"
OUT = ROOT / "benchmarks" / "results" / "memory_solves.csv"


def rss_mb() -> float:
    """This process's resident set size in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise OSError("no VmRSS in /proc/self/status")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solves", type=int, default=50)
    ap.add_argument("--solution-limit", type=int, default=300)
    ap.add_argument("--engines", nargs="+", default=["ortools", "pyvrp"])
    ap.add_argument("--label", default="after", help="e.g. before / after (written to the csv)")
    ap.add_argument("--week", default="2026-W49")
    args = ap.parse_args()

    from outreach_planner.engines import SolveLimits
    from outreach_planner.io import read_workspace
    from outreach_planner.planning.planner import make_plan
    from outreach_planner.travel import travel_model
    from outreach_planner.week import Week

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = read_workspace(WS)
    travel = travel_model(ws, WS)
    week = Week.parse(args.week)
    limits = SolveLimits(time_limit_s=600, solution_limit=args.solution_limit)
    new = not OUT.exists()
    with OUT.open("a", newline="") as fh:
        w = csv.writer(fh)
        if new:
            w.writerow(["label", "engine", "solution_limit", "solve", "seconds", "value", "rss_mb"])
        for engine in args.engines:
            gc.collect()
            print(f"{args.label} {engine}: start rss {rss_mb():.1f} MB", flush=True)
            for k in range(1, args.solves + 1):
                t0 = time.monotonic()
                run = make_plan(ws, week, limits, engine=engine, travel=travel)
                secs = time.monotonic() - t0
                value = run.plan.value
                del run
                gc.collect()
                rss = rss_mb()
                w.writerow([args.label, engine, args.solution_limit, k, f"{secs:.2f}", f"{value:.3f}", f"{rss:.1f}"])
                fh.flush()
                print(f"{args.label} {engine} solve {k:3d}: {secs:6.2f} s  value {value:9.3f}  rss {rss:8.1f} MB",
                      flush=True)


if __name__ == "__main__":
    main()
