"""Ruin-and-recreate engine: the greedy construction, then :func:`outreach_planner.planning.improve.improve`.

It models every problem feature exactly (the construction's feasibility code checks every rule), so it
never refuses a problem. It starts from ``initial`` (the construction when none is given) and only
improves on it: every change it keeps lowers the objective or leaves it as it was.

With a time limit of at least :data:`POLISH_FROM_S`, ruin and recreate gets the first
:data:`POLISH_SHARE` of it and OR-Tools' guided local search, started from its best plan, the rest (when
the OR-Tools engine is installed and models the problem): on the default week ruin and recreate settles at
2,051 value points within about 5 s and finds nothing better in 30 s, where OR-Tools from that plan reached
2,058 in 15 s (docs/benchmarks.md section 10). The better plan is kept.

Limits: ``time_limit_s`` bounds the search; ``solution_limit`` N makes it deterministic and independent
of the machine: at most ``ITERATIONS_PER_SOLUTION x N`` ruin-and-recreate iterations (then, with a time
limit of at least :data:`POLISH_FROM_S`, OR-Tools to N solutions).
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
    "start_end_depots",  # field-trip days: the construction's lanes and the arc costs use start_node/end_node
})

#: Iterations per solution of ``SolveLimits.solution_limit``.
ITERATIONS_PER_SOLUTION = 10
#: From this time limit on, OR-Tools polishes the best plan for the last ``1 - POLISH_SHARE`` of it.
POLISH_FROM_S = 20.0
POLISH_SHARE = 0.5


class _After:
    """A progress for the polishing run: its reports shifted by the time already spent; no second start."""

    def __init__(self, progress: Progress, offset: float):
        self.progress, self.offset = progress, offset
        self.wants_routes = bool(getattr(progress, "wants_routes", False))

    def __call__(self, elapsed: float, objective: float, routes: Routes | None = None) -> None:
        report(self.progress, self.offset + elapsed, objective, routes)


def _polish(problem: Problem, limits: SolveLimits, progress: Progress | None, routes: Routes,
            offset: float) -> EngineResult | None:
    """OR-Tools from ``routes`` within ``limits`` (None: not installed, refuses the problem, or failed)."""
    from . import engine_available, engine_refusal, get_engine

    if not engine_available("ortools") or engine_refusal("ortools", problem) is not None:
        return None
    try:
        return get_engine("ortools")(problem, limits, _After(progress, offset) if progress else None,
                                     initial=routes)
    except Exception:  # noqa: BLE001 - the ruin-and-recreate plan stands
        return None


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
    polish = limits.time_limit_s >= POLISH_FROM_S
    own_s = limits.time_limit_s * (POLISH_SHARE if polish else 1.0)
    routes, stats = improve(problem, start, own_s, seed=limits.seed, max_iterations=iters,
                            on_better=on_better if progress is not None else None)
    obj = objective(problem, routes)
    if obj > obj0:  # cannot happen (every kept change is no worse); the start is then the result
        routes, obj = start, obj0
    if progress is not None and history[-1][1] != obj:
        history.append((stats["seconds"], obj))
    report(progress, stats["seconds"], obj, routes)
    status = (f"ruin and recreate: {stats['iterations']} iterations, {stats['accepted']} improvements, "
              f"{stats['gain']:.1f} objective points gained")
    spent = time.monotonic() - t0 - build_s
    if polish and limits.time_limit_s - spent >= 1.0:
        res = _polish(problem, SolveLimits(limits.time_limit_s - spent, limits.solution_limit, limits.seed),
                      progress, routes, spent)
        got = objective(problem, res.routes) if res is not None and res.routes else None
        if got is not None and got < obj - 1e-9:
            history += [(spent + t, o) for t, o in res.history]
            status += f"; then OR-Tools from it: {obj - got:.1f} more"
            routes, obj = res.routes, got
        else:
            status += "; OR-Tools from it found nothing better"
    return EngineResult("lns", routes, obj, status, history or [(stats["seconds"], obj)], build_s=build_s,
                        search_s=stats["seconds"])
