"""OR-Tools routing engine: one vehicle per (team, date), weekly absolute time.

Optional visits carry a disjunction penalty equal to their value, arc costs are
driving time priced at ``travel_hour_value``, breaks are fixed break intervals,
skills are vehicle restrictions, sessions of one village are on different dates,
and deliveries use a capacity dimension.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ..planning.problem import Problem
from ..units import VALUE_SCALE, scaled_value
from ..week import DAY_S
from .base import EngineResult, Progress, SolveLimits

HORIZON = 7 * DAY_S
#: RoutingModel status codes -> short names (ROUTING_PARTIAL_SUCCESS... means: a solution, limit reached).
_STATUS = {v: n.removeprefix("ROUTING_").lower() for n, v in routing_enums_pb2.RoutingSearchStatus.Value.items()}

_RAW = dict(routing_enums_pb2.RoutingSearchStatus.Value.items())
#: Statuses OR-Tools gives when it returns no assignment at all.
_NO_SOLUTION = {_RAW[k] for k in ("ROUTING_FAIL", "ROUTING_FAIL_TIMEOUT", "ROUTING_INVALID", "ROUTING_INFEASIBLE",
                                  "ROUTING_NOT_SOLVED")}

#: Problem features this engine models: all of them (see ``engines.problem_features``).
FEATURES = frozenset({
    "breaks", "same_day_groups", "time_windows", "multiple_windows", "optional_visits", "required_visits",
    "capacity", "several_vehicles", "several_depots", "several_profiles", "restrictions", "vehicle_service_times",
})


class _Recorder:
    """The solution callback: records (elapsed, objective) at each improving solution.

    It refers to the model only until :meth:`release` (called when the solve returns): the
    model holds its callback, so a callback that still refers to the model keeps both alive
    for ever (a cycle through C++ that Python's garbage collector cannot see).
    """

    def __init__(self, routing: pywrapcp.RoutingModel, progress: Progress | None):
        self.routing: pywrapcp.RoutingModel | None = routing
        self.progress = progress
        self.history: list[tuple[float, float]] = []
        self.t0 = time.monotonic()

    def __call__(self) -> None:
        if self.routing is None:
            return
        obj = self.routing.CostVar().Max() / VALUE_SCALE
        if not self.history or obj < self.history[-1][1]:
            self.history.append((time.monotonic() - self.t0, obj))
            if self.progress:
                self.progress(self.history[-1][0], obj)

    def release(self) -> None:
        self.routing = None
        self.progress = None


def _failure(raw: int, elapsed_s: float, time_limit_s: float) -> str:
    """``EngineResult.status`` of a solve whose search found no solution.

    ``ROUTING_FAIL_TIMEOUT``: the time limit came first. ``ROUTING_FAIL`` / ``ROUTING_INFEASIBLE`` /
    ``ROUTING_INVALID``: the first-solution heuristic failed, or the model is infeasible or
    invalid. OR-Tools 9.15 may instead return an assignment with every visit unperformed,
    without calling the solution callback, under ``ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED``
    (measured: both when the time limit cut the heuristic short and when it failed at 0.0 s);
    there the status cannot tell the two apart, so the clock does: stopped at the limit or not.
    """
    name = _STATUS.get(raw, str(raw))
    if raw == _RAW["ROUTING_FAIL_TIMEOUT"] or (
            raw not in _NO_SOLUTION and elapsed_s >= 0.95 * time_limit_s):
        return f"no first solution within the time limit ({name})"
    if raw == _RAW["ROUTING_INFEASIBLE"]:
        return f"infeasible ({name})"
    if raw == _RAW["ROUTING_INVALID"]:
        return f"invalid model ({name})"
    return f"first-solution heuristic failed after {elapsed_s:.1f} s ({name})"


#: With a solution limit, the search also stops after this many failed branches per solution (at least
#: ``MIN_FAILURES``). Measured: the default week fails about 2.5 times per solution (760 failures in 300
#: solutions), a degenerate search about a million times a second.
FAILURES_PER_SOLUTION = 1000
MIN_FAILURES = 100_000


def failure_limit(solution_limit: int) -> int:
    """Failed branches after which a solve with ``solution_limit`` stops (see :data:`FAILURES_PER_SOLUTION`)."""
    return max(MIN_FAILURES, FAILURES_PER_SOLUTION * solution_limit)


def visit_transits(manager: pywrapcp.RoutingIndexManager, service_by_node: list[int]) -> list[int]:
    """On-site seconds per *solver index*, the list ``SetBreakIntervalsOfVehicle`` reads.

    OR-Tools reads that list by its own variable index (``manager.GetNumberOfIndices()`` of them:
    the nodes that are no vehicle's start, then every vehicle's start and end), not by node. A
    list by node is read past its end at the start/end indices and is off by the depot count
    elsewhere. Vehicle starts and ends are depots, 0 s on site.
    """
    return [int(service_by_node[manager.IndexToNode(i)]) for i in range(manager.GetNumberOfIndices())]


def solve(problem: Problem, limits: SolveLimits, progress: Progress | None = None) -> EngineResult:
    """Solve ``problem`` with OR-Tools' routing library (guided local search)."""
    p = problem
    vehicles = p.vehicles
    if not vehicles:
        return EngineResult("ortools", [], 0.0, "no vehicles")
    n = len(p.nodes)
    starts = [v.depot_node for v in vehicles]
    manager = pywrapcp.RoutingIndexManager(n, len(vehicles), starts, starts)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()

    # --- costs: driving time priced in value units, one evaluator per profile
    cost_cb = {}
    for prof, dur in p.durations.items():
        m = (np.asarray(dur) * (p.travel_cost_per_s * VALUE_SCALE)).round().astype(int)
        cost_cb[prof] = routing.RegisterTransitMatrix(m.tolist())
    for v in vehicles:
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[v.profile], v.index)

    # --- time: service at the from-node plus driving, per (profile, kits)
    time_cb = {}
    for v in vehicles:
        key = (v.profile, v.kits)
        if key not in time_cb:
            svc = p.service_s[v.kits]
            dur = np.asarray(p.durations[v.profile])
            mat = [[svc[i] + int(dur[i, j]) for j in range(n)] for i in range(n)]
            time_cb[key] = routing.RegisterTransitMatrix(mat)
    routing.AddDimensionWithVehicleTransits(
        [time_cb[(v.profile, v.kits)] for v in vehicles], HORIZON, HORIZON, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    for v in vehicles:
        tdim.CumulVar(routing.Start(v.index)).SetRange(v.start_s, v.end_s)
        tdim.CumulVar(routing.End(v.index)).SetRange(v.start_s, v.end_s)
        if v.breaks:
            intervals = [solver.FixedInterval(b0, b1 - b0, f"break {v.index}") for b0, b1 in v.breaks]
            tdim.SetBreakIntervalsOfVehicle(intervals, v.index, visit_transits(manager, p.service_s[v.kits]))

    # --- deliveries: capacity per vehicle
    if any(p.load(i) for i in range(len(p.visits))):
        demand = [0] * p.n_depots + [p.load(i) for i in range(len(p.visits))]
        dcb = routing.RegisterUnaryTransitVector(demand)
        routing.AddDimensionWithVehicleCapacity(dcb, 0, [v.delivery_capacity for v in vehicles], True, "load")

    # --- depots no vehicle starts from are ordinary nodes to OR-Tools: keep them off every route
    for d in set(range(p.n_depots)) - set(starts):
        idx = manager.NodeToIndex(d)
        routing.ActiveVar(idx).SetValue(0)
        routing.AddDisjunction([idx], 0)

    # --- visits: who may make them, when, and what skipping costs
    for i, vis in enumerate(p.visits):
        idx = manager.NodeToIndex(p.node(i))
        allowed = p.allowed[i]
        if not allowed:
            routing.ActiveVar(idx).SetValue(0)
            routing.AddDisjunction([idx], 0)
            continue
        if i in p.required:  # must be made: no disjunction, any allowed vehicle
            if len(allowed) < len(vehicles):
                routing.VehicleVar(idx).SetValues(allowed)
        else:
            routing.VehicleVar(idx).SetValues([-1] + allowed)
            routing.AddDisjunction([idx], max(1, scaled_value(vis.value)))
        if vis.windows is not None:
            longest = max(p.service_s[vehicles[a].kits][p.node(i)] for a in allowed)
            spans = sorted((a, b - longest) for a, b in vis.windows if b - longest >= a)
            cum = tdim.CumulVar(idx)
            cum.SetRange(spans[0][0], spans[-1][1])
            for (_, e0), (s1, _) in zip(spans, spans[1:]):
                if s1 > e0 + 1:
                    cum.RemoveInterval(e0 + 1, s1 - 1)

    # --- at most one session per village per date
    day_of = [v.date_index for v in vehicles]
    for group in p.same_day_groups:
        days = []
        for k, i in enumerate(group):
            vv = routing.VehicleVar(manager.NodeToIndex(p.node(i)))
            days.append(solver.Element([-1 - k] + day_of, (vv + 1).Var()).Var())
        solver.Add(solver.AllDifferent(days))

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(limits.time_limit_s * 1000))
    if limits.solution_limit:
        params.solution_limit = limits.solution_limit
        # A search that runs out of new solutions (a week with a handful of visits) never reaches
        # the solution limit and would spin until the time limit: also stop after a number of
        # failed branches, which is as independent of machine speed as the solution count.
        routing.AddSearchMonitor(solver.Limit(2**62, 2**62, failure_limit(limits.solution_limit), 2**62,
                                              True, True))

    rec = _Recorder(routing, progress)
    routing.AddAtSolutionCallback(rec)
    try:
        solution = routing.SolveWithParameters(params)
    finally:
        rec.release()  # the model can be freed when this function returns
    history = rec.history
    elapsed = time.monotonic() - rec.t0
    if solution is None or not history:
        status = _failure(routing.status(), elapsed, limits.time_limit_s)
        return EngineResult("ortools", [], float("inf"), status, history)
    status = _STATUS.get(routing.status(), str(routing.status()))
    if limits.solution_limit and solver.Failures() >= failure_limit(limits.solution_limit):
        status += f" (stopped after {solver.Failures():,} failed branches: no new solutions)"

    routes = []
    for v in vehicles:
        idx = routing.Start(v.index)
        steps = []
        idx = solution.Value(routing.NextVar(idx))
        while not routing.IsEnd(idx):
            node = manager.IndexToNode(idx)
            steps.append((node - p.n_depots, solution.Min(tdim.CumulVar(idx))))
            idx = solution.Value(routing.NextVar(idx))
        if steps:
            routes.append((v.index, steps))
    return EngineResult("ortools", routes, solution.ObjectiveValue() / VALUE_SCALE, status, history)
