"""Greedy construction engine: :func:`outreach_planner.planning.construct.construct` as an engine.

No search: one greedy insertion pass, a valid plan within seconds at any size. It models every
problem feature (the construction checks every rule exactly), so it never refuses a problem; it
is not part of ``engine="auto"``'s portfolio (:data:`outreach_planner.engines.CONSTRUCTIONS`).
"""

from __future__ import annotations

from ..planning.construct import construct, objective
from ..planning.problem import Problem
from .base import EngineResult, Progress, Routes, SolveLimits, report, search_started

#: Problem features this engine models: all of them (see ``engines.problem_features``).
FEATURES = frozenset({
    "breaks", "same_day_groups", "time_windows", "multiple_windows", "optional_visits", "required_visits",
    "capacity", "several_vehicles", "several_depots", "several_profiles", "restrictions", "vehicle_service_times",
    "start_end_depots",
})


def solve(problem: Problem, limits: SolveLimits, progress: Progress | None = None,
          initial: Routes | None = None) -> EngineResult:
    """Construct a plan (``limits`` is not needed: the construction is one deterministic pass).

    With ``initial``, the better (lower objective) of ``initial`` and the construction is returned.
    """
    if not problem.vehicles:
        return EngineResult("greedy", [], 0.0, "no vehicles")
    search_started(progress, 0.0)
    res = construct(problem)
    res.search_s = res.history[-1][0] if res.history else 0.0
    if initial:
        obj = objective(problem, initial)
        if obj < res.objective:
            res = EngineResult("greedy", [(vi, list(seq)) for vi, seq in initial if seq], obj,
                               "the initial plan (better than the construction)", [(0.0, obj)])
    if res.history:
        report(progress, *res.history[-1], res.routes)
    return res
