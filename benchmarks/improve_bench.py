"""Ruin and recreate (``planning/improve.py``) on the default week in this process: settings compared.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/improve_bench.py --time-limit 5 --remove 3,12 5,25 10,40 15,60
    PYTHONPATH=src .venv/bin/python benchmarks/improve_bench.py --iterations 300 --pool none 8 4
    PYTHONPATH=src .venv/bin/python benchmarks/improve_bench.py --iterations 1500 --stall none 300 150

Each setting runs from the greedy construction with seeds 0 and 1 (``--seeds``); every other setting is the
default of :func:`~outreach_planner.planning.improve.improve`. ``--iterations`` makes a run deterministic (the
same plan on any machine, the time then varies with the load); ``--time-limit`` bounds it by the clock. Prints
one line per run: iterations, improvements, objective and value collected, wall and CPU seconds, load.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=1e9)
    ap.add_argument("--iterations", type=int, default=None)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--remove", nargs="*", default=None, help="ranges lo,hi")
    ap.add_argument("--pool", nargs="*", default=None, help="ints or none")
    ap.add_argument("--stall", nargs="*", default=None, help="ints or none")
    args = ap.parse_args()
    if args.iterations is None and args.time_limit >= 1e9:
        ap.error("give --iterations or --time-limit")
    warnings.simplefilter("ignore")
    from scale_bench import WEEK, build_workspace

    from outreach_planner.planning.construct import construct, objective
    from outreach_planner.planning.demand import candidate_visits
    from outreach_planner.planning.improve import improve
    from outreach_planner.planning.priority import value_visits
    from outreach_planner.planning.problem import build_problem, session_caps
    from outreach_planner.travel import travel_model
    from outreach_planner.week import Week

    ws, folder = build_workspace(1, 0)
    week = Week.parse(WEEK, ws.regency.timezone)
    travel = travel_model(ws, folder)
    p = build_problem(ws, week, value_visits(ws, week, candidate_visits(ws, week, session_caps(ws, week, travel))),
                      travel)
    start = construct(p)

    def value(routes):
        return sum(p.visits[i].value for _, seq in routes for i, _ in seq)

    print(f"construction: objective {start.objective:.1f}, value {value(start.routes):.1f}")
    settings: list[dict] = [{}]
    if args.remove:
        settings = [{"remove": tuple(int(x) for x in r.split(","))} for r in args.remove]
    elif args.pool:
        settings = [{"pool": None if x == "none" else int(x)} for x in args.pool]
    elif args.stall:
        settings = [{"stall": None if x == "none" else int(x)} for x in args.stall]
    for kw in settings:
        for seed in args.seeds:
            c0, t0 = time.process_time(), time.monotonic()
            routes, st = improve(p, start.routes, args.time_limit, seed=seed, max_iterations=args.iterations, **kw)
            print(f"{kw or 'defaults'} seed {seed}: {st['iterations']} iterations, {st['accepted']} improvements, "
                  f"objective {objective(p, routes):.1f}, value {value(routes):.1f}, "
                  f"wall {time.monotonic() - t0:.1f} s, CPU {time.process_time() - c0:.1f} s, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
