"""Collected value and travel time of the default week against the solver's time limit.

Usage (from the repository root, after `make venv`):

    .venv/bin/python benchmarks/plan_time_quality.py [--limits 5 15 30 60 120] [--week 2026-W49]

Writes benchmarks/results/plan_time_quality.md and .csv. Each limit is a separate solve,
so the figures include the first-solution phase every run repeats.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import time
import warnings
from pathlib import Path

from outreach_planner.engines import SolveLimits
from outreach_planner.io import read_workspace
from outreach_planner.planning.planner import make_plan
from outreach_planner.travel import travel_model
from outreach_planner.planning.validate import validate_plan
from outreach_planner.week import Week

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", default=str(ROOT / "data" / "kolaka_utara"))
    ap.add_argument("--week", default="2026-W49")
    ap.add_argument("--limits", type=float, nargs="+", default=[5, 15, 30, 60, 120])
    ap.add_argument("--engine", default="ortools", help="ortools, pyvrp or auto")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "plan_time_quality"))
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    ws = read_workspace(args.workspace)
    week = Week.parse(args.week, ws.regency.timezone)
    travel = travel_model(ws, args.workspace)
    rows = []
    for limit in args.limits:
        t0 = time.monotonic()
        run = make_plan(ws, week, SolveLimits(time_limit_s=limit), engine=args.engine, travel=travel)
        wall = time.monotonic() - t0
        violations = validate_plan(run.plan, ws, travel)
        s = run.plan.summary
        last = run.result.history[-1][0] if run.result.history else float("nan")
        rows.append({
            "time_limit_s": limit, "wall_s": round(wall, 1), "last_improvement_s": round(last, 1),
            "value_collected": s["value_collected"], "value_available": s["value_available"],
            "travel_hours": s["travel_hours"], "scheduled_visits": s["scheduled_visits"],
            "candidate_visits": s["candidate_visits"], "objective": s["objective"],
            "violations": len(violations),
        })
        print(rows[-1], flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"# Default week {args.week}: value and travel against the time limit",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"peak memory {peak_mb:.0f} MB. Engine: {args.engine}. Travel: {travel.name}.",
        "",
        "| limit s | wall s | last improvement s | value collected | of available | travel h | visits | objective | violations |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['time_limit_s']:g} | {r['wall_s']} | {r['last_improvement_s']} | {r['value_collected']:.1f} | "
                     f"{r['value_available']:.1f} | {r['travel_hours']:.2f} | {r['scheduled_visits']}/{r['candidate_visits']} | "
                     f"{r['objective']:.1f} | {r['violations']} |")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print(f"wrote {out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
