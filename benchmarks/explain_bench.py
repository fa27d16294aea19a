"""Reasons for the visits left out of the default week, and the time to compute them.

Usage (from the repository root, after `make venv`):

    .venv/bin/python benchmarks/explain_bench.py [--engine greedy] [--time-limit 30] [--solution-limit N]

Plans the week once with the engine, then times
:func:`outreach_planner.planning.explain.explain_unassigned` on that plan (best of 5 runs) and
prints the reasons, the number of distinct texts and the most repeated one. Writes nothing.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from outreach_planner.engines import SolveLimits
from outreach_planner.io import read_workspace
from outreach_planner.planning.explain import explain_unassigned
from outreach_planner.planning.planner import make_plan
from outreach_planner.travel import travel_model
from outreach_planner.week import Week

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", default=str(ROOT / "data" / "kolaka_utara"))
    ap.add_argument("--week", default="2026-W49")
    ap.add_argument("--engine", default="greedy")
    ap.add_argument("--time-limit", type=float, default=30)
    ap.add_argument("--solution-limit", type=int, default=None)
    a = ap.parse_args()
    ws = read_workspace(a.workspace)
    travel = travel_model(ws, a.workspace)
    run = make_plan(ws, Week.parse(a.week), SolveLimits(time_limit_s=a.time_limit, solution_limit=a.solution_limit),
                    engine=a.engine, travel=travel)
    p = run.problem
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        left = explain_unassigned(p, run.result.routes)
        times.append(time.perf_counter() - t0)
    texts = Counter(u.detail for u in left)
    print(f"engine {run.plan.summary['engine']}: {len(p.visits)} candidates, {len(left)} left out, "
          f"value {run.plan.value:.1f}")
    print(f"explain: {min(times):.3f} s (best of 5; worst {max(times):.3f} s)")
    print("reasons:", dict(Counter(u.reason for u in left).most_common()))
    print(f"distinct detail texts: {len(texts)} of {len(left)}; most repeated {texts.most_common(1)[0][1]} times")


if __name__ == "__main__":
    main()
