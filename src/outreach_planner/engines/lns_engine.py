"""Ruin-and-recreate engine: the greedy construction, then :func:`outreach_planner.planning.improve.improve`.

It models every problem feature exactly (the construction's feasibility code checks every rule), so it
never refuses a problem. It starts from ``initial`` (the construction when none is given) and only
improves on it: every change it keeps lowers the objective or leaves it as it was.

Limits: ``time_limit_s`` bounds the search; ``solution_limit`` N makes it deterministic and independent
of the machine: at most ``ITERATIONS_PER_SOLUTION x N`` ruin-and-recreate iterations.
"""

from __future__ import annotations

import time

from ..planning.construct import construct, objective
from ..planning.improve import improve
from ..planning.problem import Problem
from .base import ROUTES_EVERY_S, EngineResult, Progress, Routes, SolveLimits, report, search_started

#: Problem features this engine models: all of them (see ``engines.problem_features``).
FEATURES = frozenset({
    "breaks", "same_day_groups", "time_windows", "multiple_windows", "optional_visits", "required_visits",
    "capacity", "several_vehicles", "several_depots", "several_profiles", "restrictions", "vehicle_service_times",
})

#: Iterations per solution of ``SolveLimits.solution_limit``.
ITERATIONS_PER_SOLUTION = 10


def solve(problem: Problem, limits: SolveLimits, progress: Progress | None = None,
          initial: Routes | None = None) -> EngineResult:
    """Improve ``initial`` (or the construction) by ruin and recreate within ``limits``."""
    if not problem.vehicles:
        return EngineResult("lns", [], 0.0, "no vehicles")
    t0 = time.monotonic()
    start = construct(problem).routes if not initial else [(vi, list(seq)) for vi, seq in initial if seq]
    build_s = time.monotonic() - t0
    search_started(progress, build_s)
    obj0 = objective(problem, start)
    history = [(0.0, obj0)]
    report(progress, 0.0, obj0, start)
    last = [0.0]

    def on_better(elapsed: float, obj: float, routes_fn) -> None:
        history.append((elapsed, obj))
        if elapsed - last[0] >= ROUTES_EVERY_S:
            last[0] = elapsed
            report(progress, elapsed, obj, routes_fn())
        else:
            report(progress, elapsed, obj, None)

    iters = ITERATIONS_PER_SOLUTION * limits.solution_limit if limits.solution_limit else None
    routes, stats = improve(problem, start, limits.time_limit_s, seed=limits.seed, max_iterations=iters,
                            on_better=on_better if progress is not None else None)
    obj = objective(problem, routes)
    if obj > obj0:  # cannot happen (every kept change is no worse); the start is then the result
        routes, obj = start, obj0
    if progress is not None and history[-1][1] != obj:
        history.append((stats["seconds"], obj))
    report(progress, stats["seconds"], obj, routes)
    status = (f"ruin and recreate: {stats['iterations']} iterations, {stats['accepted']} improvements, "
              f"{stats['gain']:.1f} objective points gained")
    return EngineResult("lns", routes, obj, status, history or [(stats["seconds"], obj)], build_s=build_s,
                        search_s=stats["seconds"])
