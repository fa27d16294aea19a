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
from ortools.util import optional_boolean_pb2

from ..planning.problem import Problem
from ..units import VALUE_SCALE, scaled_value
from ..week import DAY_S
from .base import ROUTES_EVERY_S, EngineResult, Progress, Routes, SolveLimits, report, search_started, wants_routes

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
    "start_end_depots",
})


class _Recorder:
    """The solution callback: records (elapsed, objective) at each improving solution.

    For a progress that wants routes (:func:`~.base.wants_routes`) it also reads the solution's
    routes, at most every :data:`~.base.ROUTES_EVERY_S` seconds (and always the first time).
    It refers to the model only until :meth:`release` (called when the solve returns): the
    model holds its callback, so a callback that still refers to the model keeps both alive
    for ever (a cycle through C++ that Python's garbage collector cannot see).
    """

    def __init__(self, routing: pywrapcp.RoutingModel, progress: Progress | None, read_routes=None):
        self.routing: pywrapcp.RoutingModel | None = routing
        self.progress = progress
        self.read_routes = read_routes if wants_routes(progress) else None
        self.history: list[tuple[float, float]] = []
        self.t0 = time.monotonic()
        self.routes_at = -float("inf")

    def __call__(self) -> None:
        if self.routing is None:
            return
        obj = self.routing.CostVar().Max() / VALUE_SCALE
        if not self.history or obj < self.history[-1][1]:
            now = time.monotonic() - self.t0
            self.history.append((now, obj))
            routes = None
            if self.read_routes is not None and now - self.routes_at >= ROUTES_EVERY_S:
                self.routes_at = now
                routes = self.read_routes(lambda var: var.Value(), lambda var: var.Min())
            report(self.progress, now, obj, routes)

    def release(self) -> None:
        self.routing = None
        self.progress = None
        self.read_routes = None


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


def time_matrix(p: Problem, profile: str, kits: int) -> list[list[int]]:
    """Seconds from node i to node j: on-site time at i plus driving i -> j (the time dimension's transits)."""
    svc = np.asarray(p.service_s[kits], dtype=np.int64)
    dur = np.asarray(p.durations[profile]).astype(np.int64)  # truncated, as the validation reads them
    return (svc[:, None] + dur).tolist()


def cost_matrix(p: Problem, profile: str) -> list[list[int]]:
    """Driving cost from node i to node j in ``VALUE_SCALE`` units (rounded per arc)."""
    return np.rint(np.asarray(p.durations[profile]) * (p.travel_cost_per_s * VALUE_SCALE)).astype(np.int64).tolist()


def _build(p: Problem, limits: SolveLimits):
    """The routing model of ``p``: (manager, routing, time dimension, search parameters)."""
    vehicles = p.vehicles
    n = len(p.nodes)
    starts = [v.start_node for v in vehicles]
    ends = [v.end_node for v in vehicles]
    manager = pywrapcp.RoutingIndexManager(n, len(vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()

    # --- costs: driving time priced in value units, one evaluator per profile
    cost_cb = {prof: routing.RegisterTransitMatrix(cost_matrix(p, prof)) for prof in p.durations}
    for v in vehicles:
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[v.profile], v.index)

    # --- time: service at the from-node plus driving, per (profile, kits)
    time_cb = {}
    for v in vehicles:
        key = (v.profile, v.kits)
        if key not in time_cb:
            time_cb[key] = routing.RegisterTransitMatrix(time_matrix(p, v.profile, v.kits))
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
    for d in set(range(p.n_depots)) - set(starts) - set(ends):
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
            shifts = sorted({(vehicles[a].start_s, vehicles[a].end_s) for a in allowed})
            for (_, e0), (s1, _) in zip(spans, spans[1:]):
                if s1 > e0 + 1:
                    # A visit's cumul lies in the shift of the vehicle making it, so only the part of a gap
                    # between windows inside some allowed shift needs removing: RemoveInterval takes time in
                    # proportion to the values removed (6 ms for a night; 0.8 s of a 1.0 s build at 441
                    # candidates before this).
                    for a0, a1 in shifts:
                        lo, hi = max(e0 + 1, a0), min(s1 - 1, a1)
                        if lo <= hi:
                            cum.RemoveInterval(lo, hi)

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
    return manager, routing, tdim, params


def warm_operators(params) -> None:
    """Turn off, in ``params``, the operators that stall a search started from a full plan.

    The path LNS operators (``use_global_cheapest_insertion_path_lns``, ``use_local_...``: empty a
    route and refill it by cheapest insertion) are on by default. Started from the greedy plan of the
    default week (441 candidates), the search found its 21st solution at 1.4 s and then evaluated about
    25,000 neighbours a second, almost all rejected (search log), so guided local search barely moved:
    a solve to 45 solutions took 25 s (2.5 s without them); value 1,990.4 at 10 s, 1,993.4 at 30 s.
    Without them: 1,993.4 at 10 s, 1,999.9 at 30 s (benchmarks/results/warm_operators.md, which also
    lists the settings that did not help). A search from scratch keeps them.
    """
    ops = params.local_search_operators
    ops.use_global_cheapest_insertion_path_lns = optional_boolean_pb2.BOOL_FALSE
    ops.use_local_cheapest_insertion_path_lns = optional_boolean_pb2.BOOL_FALSE


def _node_routes(p: Problem, manager, routes: Routes, only: int | None = None) -> list[list[int]]:
    """``routes`` as ``ReadAssignmentFromRoutes`` takes them: one list of solver indices per vehicle."""
    out: list[list[int]] = [[] for _ in p.vehicles]
    for vi, seq in routes:
        if only is None or vi == only:
            out[vi] = [manager.NodeToIndex(p.node(i)) for i, _ in seq]
    return out


def _read_initial(p: Problem, manager, routing, initial: Routes):
    """(assignment of ``initial``, the routes read, why visits were dropped or None).

    OR-Tools rejects the whole assignment when one route breaks its model (a visit whose time
    window, as OR-Tools models it with the longest on-site time of the teams allowed to make it,
    the route cannot meet). Then every route is read alone; in a rejected route, the visits from
    the first one OR-Tools rejects are dropped one by one until the rest is accepted.
    """
    initial = [(vi, list(seq)) for vi, seq in initial if seq]
    assignment = routing.ReadAssignmentFromRoutes(_node_routes(p, manager, initial), True)
    if assignment is not None:
        return assignment, initial, None
    kept: Routes = []
    dropped: list[int] = []
    for vi, seq in initial:
        if routing.ReadAssignmentFromRoutes(_node_routes(p, manager, [(vi, seq)]), True) is not None:
            kept.append((vi, seq))
            continue
        ok: list[tuple[int, int]] = []
        for step in seq:
            if routing.ReadAssignmentFromRoutes(_node_routes(p, manager, [(vi, ok + [step])]), True) is not None:
                ok.append(step)
            else:
                dropped.append(step[0])
        if ok:
            kept.append((vi, ok))
    assignment = routing.ReadAssignmentFromRoutes(_node_routes(p, manager, kept), True)
    why = (f"OR-Tools rejected {len(dropped)} visit(s) of the initial plan (visit indices "
           f"{', '.join(map(str, dropped[:5]))}{'...' if len(dropped) > 5 else ''}: their time window or a break "
           "conflicts with the route as OR-Tools models it)")
    if assignment is None:
        return None, [], why + "; the rest together was rejected too: searched from scratch"
    return assignment, kept, why


def _routes_of(p: Problem, manager, routing, tdim, value, low) -> Routes:
    """The routes of a solution: ``value(NextVar)``, ``low(CumulVar)`` read it."""
    routes = []
    for v in p.vehicles:
        idx = value(routing.NextVar(routing.Start(v.index)))
        steps = []
        while not routing.IsEnd(idx):
            steps.append((manager.IndexToNode(idx) - p.n_depots, low(tdim.CumulVar(idx))))
            idx = value(routing.NextVar(idx))
        if steps:
            routes.append((v.index, steps))
    return routes


def solve(problem: Problem, limits: SolveLimits, progress: Progress | None = None,
          initial: Routes | None = None) -> EngineResult:
    """Solve ``problem`` with OR-Tools' routing library (guided local search).

    With ``initial`` (routes as in :class:`~.base.EngineResult`, e.g. from
    :func:`outreach_planner.planning.construct.construct`), the search starts from that plan
    (``ReadAssignmentFromRoutes``) instead of a first-solution heuristic, and only improves on it.
    The time limit counts the search only: it starts when the model is built.
    """
    p = problem
    if not p.vehicles:
        return EngineResult("ortools", [], 0.0, "no vehicles")
    t_build = time.monotonic()
    manager, routing, tdim, params = _build(p, limits)
    if initial:
        # OR-Tools completes a restored assignment (binds its cumuls) under the LNS time limit, 100 ms by
        # default: measured at 887 candidates on a loaded machine, that completion ran over and the solve
        # failed (ROUTING_FAIL in 0.4 s, 4 runs of 4); with the whole search time it never did.
        params.lns_time_limit.FromMilliseconds(max(100, int(limits.time_limit_s * 1000)))
        warm_operators(params)
    routing.CloseModelWithParameters(params)
    start = note = None
    history: list[tuple[float, float]] = []
    if initial:
        from ..planning.construct import objective

        start, read, note = _read_initial(p, manager, routing, initial)
        if start is not None:
            history.append((0.0, objective(p, read)))
    build_s = time.monotonic() - t_build

    rec = _Recorder(routing, progress,
                    lambda value, low: _routes_of(p, manager, routing, tdim, value, low))
    rec.history = history
    routing.AddAtSolutionCallback(rec)
    search_started(progress, build_s)
    if history:
        report(progress, 0.0, history[0][1], read if wants_routes(progress) else None)
        rec.routes_at = 0.0
    rec.t0 = time.monotonic()
    try:
        if start is not None:
            solution = routing.SolveFromAssignmentWithParameters(start, params)
        else:
            solution = routing.SolveWithParameters(params)
    finally:
        rec.release()  # the model can be freed when this function returns
    history = rec.history
    search_s = time.monotonic() - rec.t0
    if solution is None or not history:
        status = _failure(routing.status(), search_s, limits.time_limit_s)
        if note:
            status += f"; {note}"
        return EngineResult("ortools", [], float("inf"), status, history, build_s, search_s)
    status = _STATUS.get(routing.status(), str(routing.status()))
    solver = routing.solver()
    if limits.solution_limit and solver.Failures() >= failure_limit(limits.solution_limit):
        status += f" (stopped after {solver.Failures():,} failed branches: no new solutions)"
    if start is not None:
        status += "; started from the initial plan"
    if note:
        status += f"; {note}"
    routes = _routes_of(p, manager, routing, tdim, solution.Value, solution.Min)
    return EngineResult("ortools", routes, solution.ObjectiveValue() / VALUE_SCALE, status, history,
                        build_s, search_s)
