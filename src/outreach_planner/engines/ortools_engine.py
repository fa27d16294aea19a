"""OR-Tools routing engine: one vehicle per (team, date), weekly absolute time.

Optional visits carry a disjunction penalty equal to their value, arc costs are
driving time priced at ``travel_hour_value``, breaks are fixed break intervals,
skills are vehicle restrictions, sessions of one village are on different dates,
and deliveries use a capacity dimension.
"""

from __future__ import annotations

import time

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ..problem import Problem
from ..units import VALUE_SCALE, scaled_value
from ..week import DAY_S
from .base import EngineResult, Progress, SolveLimits

HORIZON = 7 * DAY_S
#: RoutingModel status codes -> short names (ROUTING_PARTIAL_SUCCESS... means: a solution, limit reached).
_STATUS = {v: n.removeprefix("ROUTING_").lower() for n, v in routing_enums_pb2.RoutingSearchStatus.Value.items()}

#: Problem features this engine models: all of them (see ``engines.problem_features``).
FEATURES = frozenset({
    "breaks", "same_day_groups", "time_windows", "multiple_windows", "optional_visits", "required_visits",
    "capacity", "several_vehicles", "several_depots", "several_profiles", "restrictions", "vehicle_service_times",
})


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
        m = (dur * (p.travel_cost_per_s * VALUE_SCALE)).round().astype(int)
        cost_cb[prof] = routing.RegisterTransitMatrix(m.tolist())
    for v in vehicles:
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[v.profile], v.index)

    # --- time: service at the from-node plus driving, per (profile, kits)
    time_cb = {}
    for v in vehicles:
        key = (v.profile, v.kits)
        if key not in time_cb:
            svc = p.service_s[v.kits]
            dur = p.durations[v.profile]
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
            tdim.SetBreakIntervalsOfVehicle(intervals, v.index, p.service_s[v.kits])

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

    history: list[tuple[float, float]] = []
    t0 = time.monotonic()

    def on_solution() -> None:
        obj = routing.CostVar().Max() / VALUE_SCALE
        if not history or obj < history[-1][1]:
            history.append((time.monotonic() - t0, obj))
            if progress:
                progress(history[-1][0], obj)

    routing.AddAtSolutionCallback(on_solution)
    solution = routing.SolveWithParameters(params)
    status = _STATUS.get(routing.status(), str(routing.status()))
    if solution is None:
        return EngineResult("ortools", [], float("inf"), status, history)
    if not history:
        # The time limit cut the first-solution heuristic short: OR-Tools then returns every
        # visit unperformed without calling the solution callback. That is no plan, not an empty week.
        return EngineResult("ortools", [], float("inf"), "no first solution within the time limit", history)

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
