"""PyVRP engine: iterated local search over the same engine-neutral :class:`~outreach_planner.planning.problem.Problem`.

How the problem maps onto what PyVRP models:

* one vehicle type per distinct (depot, shift, capacity, restriction profile); identical
  vehicles (benchmark fleets) share one type with ``num_available`` > 1;
* optional visits are clients with ``required=False`` and ``prize`` = their value; required
  visits (``Problem.required``) are required clients;
* PyVRP has ONE time window per client: a visit with several windows becomes one client per
  window, the copies forming a mutually exclusive client group (at most one is made, exactly
  one when the visit is required);
* "which vehicles may make a visit" (skills) becomes a routing profile per restriction set,
  in which edges into forbidden visits are missing (PyVRP's very large value);
* on-site time that depends on the team's recording kits is folded into the travel
  durations out of each visit (as the OR-Tools engine does); a window then bounds the
  start by ``close - longest on-site time`` of the allowed teams, exactly as in OR-Tools;
* fixed breaks (lunch, Friday prayer), which PyVRP does not model, are removed from the
  clock: every time is mapped to "working time" (seconds outside breaks), where a break is an
  instant. Driving and waiting may run across it (the team pauses), a visit may not: each
  client's window is cut at every break instant ``B`` so that its start is ``<= B - on-site``
  or ``>= B`` (one more client copy per cut), using the longest on-site time of the teams that
  may make it (a faster team loses the starts that only it could use: safe, not exact).
  Needs every vehicle at work during a break to have that break, which :func:`unsupported`
  checks (true of calendar breaks);
* "at most one session of a village per date" (``same_day_groups``) is not expressible in
  PyVRP, so it is made true by construction: the week's working dates are dealt out among the
  sessions of a village (the most valuable first: with 5 dates and 2 sessions, dates 1, 3, 5
  and 2, 4), and each session may only happen on its dates. The plan is always valid, but
  this restriction can exclude the best plan (three sessions on Mon, Tue, Thu, say), which is
  why the portfolio (``engine="auto"``) also runs OR-Tools, which models it exactly. A final
  repair step (dropping all but the most valuable session of a village and date) only guards;
* arc costs are driving seconds priced at ``travel_cost_per_s`` in ``VALUE_SCALE`` units; the
  objective reported (driving cost + value of the visits left out) is recomputed from the
  routes exactly as OR-Tools defines it, so both engines' objectives compare.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import defaultdict

import numpy as np

from ..planning.problem import Problem
from ..units import VALUE_SCALE, scaled_value
from .base import EngineResult, Progress, SolveLimits

#: Problem features this engine models (see :func:`outreach_planner.engines.problem_features`);
#: ``same_day_groups`` by repair (valid, maybe not optimal); ``breaks`` when :func:`unsupported` allows.
FEATURES = frozenset({
    "time_windows", "multiple_windows", "optional_visits", "required_visits", "capacity", "breaks",
    "same_day_groups", "several_vehicles", "several_depots", "several_profiles", "restrictions",
    "vehicle_service_times",
})

#: Features modelled approximately: breaks conservatively (a faster team loses some starts),
#: same-day groups by dealing dates out in advance (valid plans that can exclude the best one).
APPROXIMATES = frozenset({"breaks", "same_day_groups"})

#: Iterations per requested solution when ``SolveLimits.solution_limit`` is set (repeatable runs).
ITERATIONS_PER_SOLUTION = 50


def _merged_breaks(p: Problem) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for b0, b1 in sorted({b for v in p.vehicles for b in v.breaks if b[1] > b[0]}):
        if out and b0 <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b1)
        else:
            out.append([b0, b1])
    return [(a, b) for a, b in out]


def unsupported(problem: Problem) -> str | None:
    """Why this engine cannot model ``problem`` (None: it can).

    Breaks are removed from a clock shared by all vehicles, so every vehicle at work during
    a break must have that break.
    """
    brks = _merged_breaks(problem)
    for v in problem.vehicles:
        own = sorted(v.breaks)
        for b0, b1 in brks:
            lo, hi = max(b0, v.start_s), min(b1, v.end_s)
            if lo >= hi:
                continue
            t = lo
            for c0, c1 in own:
                if c0 <= t < c1:
                    t = c1
            if t < hi:
                return (f"breaks differ between teams working at the same time ({v.team} works during "
                        f"another team's break)")
    return None


class _Clock:
    """Absolute seconds <-> working seconds (break time removed)."""

    def __init__(self, breaks: list[tuple[int, int]]):
        self.breaks = breaks
        self.points: list[int] = []  # break instants on the working clock
        self.before: list[int] = []  # break seconds removed up to and including each break
        removed = 0
        for b0, b1 in breaks:
            self.points.append(b0 - removed)
            removed += b1 - b0
            self.before.append(removed)

    def work(self, t: int) -> int:
        """Working-clock time of absolute ``t`` (a time inside a break maps to its instant)."""
        removed = 0
        for b0, b1 in self.breaks:
            if t <= b0:
                break
            removed += min(t, b1) - b0
        return t - removed

    def absolute(self, w: int) -> int:
        """Absolute time of working-clock ``w``; at a break instant: the end of the break."""
        k = bisect_right(self.points, w)
        return w + (self.before[k - 1] if k else 0)

    def cut(self, lo: int, hi: int, on_site: int) -> list[tuple[int, int]]:
        """Start ranges within ``[lo, hi]`` whose visit of ``on_site`` seconds crosses no break instant."""
        if on_site <= 0 or not self.points:
            return [(lo, hi)]
        spans, a = [], lo
        for pt in self.points:
            if pt <= a or pt - on_site >= hi:
                continue
            if pt - on_site >= a:
                spans.append((a, pt - on_site))
            a = max(a, pt)
            if a > hi:
                break
        if a <= hi:
            spans.append((a, hi))
        return spans


class _Stop:
    """Stopping criterion that also records (elapsed, best cost) at each improvement."""

    def __init__(self, limits: SolveLimits, progress: Progress | None, infeasible_above: int, offset: int = 0):
        self.t0 = time.monotonic()
        self.limit = limits.time_limit_s
        self.max_iter = limits.solution_limit * ITERATIONS_PER_SOLUTION if limits.solution_limit else None
        self.iters = 0
        self.best: float | None = None
        self.history: list[tuple[float, float]] = []
        self.progress = progress
        self.infeasible_above = infeasible_above
        self.offset = offset

    def __call__(self, best_cost: int) -> bool:
        elapsed = time.monotonic() - self.t0
        if best_cost < self.infeasible_above and (self.best is None or best_cost < self.best):
            self.best = best_cost
            obj = (best_cost - self.offset) / VALUE_SCALE
            self.history.append((elapsed, obj))
            if self.progress:
                self.progress(elapsed, obj)
        self.iters += 1
        if self.max_iter is not None and self.iters > self.max_iter:
            return True
        return elapsed >= self.limit


def objective(p: Problem, routes: list[tuple[int, list[tuple[int, int]]]]) -> float:
    """Driving cost plus the value of allowed visits left out, in value points (the OR-Tools objective)."""
    cost = 0
    mats: dict[str, np.ndarray] = {}
    for vi, seq in routes:
        v = p.vehicles[vi]
        if v.profile not in mats:
            mats[v.profile] = np.rint(np.asarray(p.durations[v.profile]) * (p.travel_cost_per_s * VALUE_SCALE))
        m = mats[v.profile]
        nodes = [v.depot_node] + [p.node(i) for i, _ in seq] + [v.depot_node]
        cost += int(sum(m[a, b] for a, b in zip(nodes, nodes[1:])))
    routed = {i for _, seq in routes for i, _ in seq}
    cost += sum(max(1, scaled_value(vis.value)) for i, vis in enumerate(p.visits)
                if p.allowed[i] and i not in routed and i not in p.required)
    return cost / VALUE_SCALE


def _repair_same_day(p: Problem, routes: list[tuple[int, list[tuple[int, int]]]]) -> int:
    """Drop, per same-day group and date, every visit but the most valuable; returns how many were dropped."""
    where: dict[int, tuple[int, int]] = {}
    for r, (vi, seq) in enumerate(routes):
        for k, (i, _) in enumerate(seq):
            where[i] = (r, k)
    drop: set[int] = set()
    for group in p.same_day_groups:
        by_date: dict[int, list[int]] = defaultdict(list)
        for i in group:
            if i in where:
                by_date[p.vehicles[routes[where[i][0]][0]].date_index].append(i)
        for members in by_date.values():
            members.sort(key=lambda i: (-p.visits[i].value, i))
            drop.update(members[1:])
    if drop:
        for r, (vi, seq) in enumerate(routes):
            routes[r] = (vi, [(i, t) for i, t in seq if i not in drop])
    return len(drop)


def solve(problem: Problem, limits: SolveLimits, progress: Progress | None = None) -> EngineResult:
    """Solve ``problem`` with PyVRP's iterated local search (one core)."""
    try:
        import pyvrp
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the pyvrp engine needs PyVRP: pip install 'outreach-planner[bench]'") from exc
    from pyvrp.constants import MAX_VALUE

    p = problem
    if not p.vehicles:
        return EngineResult("pyvrp", [], 0.0, "no vehicles")
    why = unsupported(p)
    if why:
        raise ValueError(f"the pyvrp engine cannot model this problem: {why}")
    vehicles = p.vehicles
    nd = p.n_depots
    clock = _Clock(_merged_breaks(p))
    kits_of = sorted({v.kits for v in vehicles})
    # on-site time depends on the vehicle only when kits differ AND some visit's time differs
    fold = len(kits_of) > 1 and any(len({p.service_s[k][nd + i] for k in kits_of}) > 1 for i in range(len(p.visits)))
    use_load = any(p.load(i) for i in range(len(p.visits)))
    shift = {v.index: (clock.work(v.start_s), clock.work(v.end_s)) for v in vehicles}
    # same-day groups: deal the working dates out among the members, most valuable first
    day_span: dict[int, tuple[int, int]] = {}
    for v in vehicles:
        a, b = day_span.get(v.date_index, (v.start_s, v.end_s))
        day_span[v.date_index] = (min(a, v.start_s), max(b, v.end_s))
    dates = sorted(day_span)
    only_on: dict[int, list[tuple[int, int]]] = {}
    for group in p.same_day_groups:
        ranked = sorted(group, key=lambda i: (-p.visits[i].value, i))
        for j, i in enumerate(ranked):
            only_on[i] = [day_span[d] for d in dates[j::len(ranked)]]

    # --- clients: one per (visit, window piece), grouped when a visit has several pieces
    copy_visit: list[int] = []
    copy_tw: list[tuple[int, int]] = []
    groups: list[tuple[list[int], bool]] = []
    # PyVRP counts the prize of every unvisited copy: ``offset`` corrects its running cost
    # (progress and history only; the final objective is recomputed from the routes).
    offset = 0
    for i, vis in enumerate(p.visits):
        allowed = p.allowed[i]
        if not allowed:
            continue
        svc = max(p.service_s[vehicles[a].kits][nd + i] for a in allowed)
        lo = min(shift[a][0] for a in allowed)
        hi = max(shift[a][1] for a in allowed)
        wins_abs = [(-1, 1 << 40)] if vis.windows is None else list(vis.windows)
        if i in only_on:
            wins_abs = [(max(a, d0), min(b, d1)) for a, b in wins_abs for d0, d1 in only_on[i] if min(b, d1) > max(a, d0)]
        wins = [(clock.work(a), clock.work(b)) if a >= 0 else (lo, hi + svc) for a, b in wins_abs]
        spans = []
        for a, b in sorted(wins):
            a, b = max(a, lo), min(b - svc, hi)
            if b < a:
                continue
            for s0, s1 in clock.cut(a, b, svc):
                if any(s0 <= shift[v][1] and s1 >= shift[v][0] for v in allowed):
                    spans.append((s0, s1))
        prize = 0 if i in p.required else max(1, scaled_value(vis.value))
        if not spans:
            offset -= prize
            continue
        offset += prize * (len(spans) - 1)
        first = len(copy_visit)
        for span in spans:
            copy_visit.append(i)
            copy_tw.append(span)
        if len(spans) > 1:
            groups.append((list(range(first, len(copy_visit))), i in p.required))
    n_copies = len(copy_visit)
    if n_copies == 0:
        return EngineResult("pyvrp", [], objective(p, []), "success", [(0.0, objective(p, []))])
    in_group = {c for g, _ in groups for c in g}
    group_of = {c: gi for gi, (g, _) in enumerate(groups) for c in g}

    nodes = list(range(nd)) + [nd + copy_visit[c] for c in range(n_copies)]  # location -> problem node
    locations = [pyvrp.Location(x=float(p.nodes[n][0]), y=float(p.nodes[n][1])) for n in nodes]
    depots = [pyvrp.Depot(location=d) for d in range(nd)]
    clients = []
    for c in range(n_copies):
        i = copy_visit[c]
        svc = 0 if fold else p.service_s[kits_of[0]][nd + i]
        required = i in p.required and c not in in_group
        clients.append(pyvrp.Client(
            location=nd + c,
            delivery=[p.load(i)] if use_load else [],
            service_duration=int(svc),
            tw_early=int(copy_tw[c][0]), tw_late=int(copy_tw[c][1]),
            prize=0 if required else max(1, scaled_value(p.visits[i].value)),
            required=required,
            group=group_of.get(c),
        ))
    client_groups = [pyvrp.ClientGroup(clients=g, required=req) for g, req in groups]

    # --- profiles: (travel profile, kits when folded, restriction set)
    idx = np.asarray(nodes)
    by_vehicle: dict[int, set[int]] = defaultdict(set)
    for i, al in enumerate(p.allowed):
        for a in al:
            by_vehicle[a].add(i)
    team_sets: dict[str, set[int]] = defaultdict(set)
    for v in vehicles:
        team_sets[v.team] |= by_vehicle[v.index]
    routable = set(copy_visit)
    # Forbidden edges: PyVRP's MAX_VALUE there lets penalised costs overflow during the search
    # (seen as a local search that never returns), so use values that are merely prohibitive:
    # a cost above every prize and route together, a duration longer than the whole horizon.
    span = max(v.end_s for v in vehicles) - min(v.start_s for v in vehicles)
    forbid_dur = 2 * span + 1
    forbid_cost = None
    prof_keys: dict[tuple, int] = {}
    dist_mats: list[np.ndarray] = []
    dur_mats: list[np.ndarray] = []
    veh_prof: dict[int, int] = {}
    for v in vehicles:
        restricted = frozenset(routable - team_sets[v.team])
        key = (v.profile, v.kits if fold else None, restricted)
        if key not in prof_keys:
            dur = np.asarray(p.durations[v.profile])[np.ix_(idx, idx)].astype(np.int64)
            cost = np.rint(dur * (p.travel_cost_per_s * VALUE_SCALE)).astype(np.int64)
            if fold:
                dur = dur + np.asarray(p.service_s[v.kits], dtype=np.int64)[idx][:, None]
            if restricted:
                if forbid_cost is None:
                    prizes = sum(cl.prize for cl in clients)
                    forbid_cost = int(min(MAX_VALUE // 4, 2 * (prizes + len(idx) * int(cost.max())) + 1))
                cols = [nd + c for c in range(n_copies) if copy_visit[c] in restricted]
                cost[:, cols] = forbid_cost
                dur[:, cols] = forbid_dur
            np.fill_diagonal(cost, 0)
            np.fill_diagonal(dur, 0)
            prof_keys[key] = len(dist_mats)
            dist_mats.append(cost)
            dur_mats.append(dur)
        veh_prof[v.index] = prof_keys[key]

    # --- vehicle types: identical vehicles share one type
    type_keys: dict[tuple, int] = {}
    type_vehicles: list[list[int]] = []
    for v in vehicles:
        key = (v.depot_node, *shift[v.index], v.delivery_capacity if use_load else 0, veh_prof[v.index])
        if key not in type_keys:
            type_keys[key] = len(type_vehicles)
            type_vehicles.append([])
        type_vehicles[type_keys[key]].append(v.index)
    vehicle_types = [
        pyvrp.VehicleType(num_available=len(members), capacity=[cap] if use_load else [], start_depot=depot,
                          end_depot=depot, tw_early=int(start), tw_late=int(end), profile=prof, unit_distance_cost=1)
        for (depot, start, end, cap, prof), members in zip(type_keys, type_vehicles)
    ]

    data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, dist_mats, dur_mats, client_groups)
    stop = _Stop(limits, progress, infeasible_above=MAX_VALUE, offset=offset)
    res = pyvrp.solve(data, stop, seed=limits.seed, collect_stats=False, display=False)
    best = res.best
    if not best.is_feasible():
        return EngineResult("pyvrp", [], float("inf"), "infeasible", stop.history)

    pools = [list(m) for m in type_vehicles]
    routes = []
    for r in best.routes():
        vi = pools[r.vehicle_type()].pop(0)
        # a client activity's idx is the client index; times back on the absolute clock
        steps = [(copy_visit[act.idx], clock.absolute(int(act.start_time))) for act in r.schedule() if act.is_client()]
        if steps:
            routes.append((vi, steps))
    allowed = [set(a) for a in p.allowed]
    if any(vi not in allowed[i] for vi, seq in routes for i, _ in seq):  # a forbidden edge was used
        return EngineResult("pyvrp", [], float("inf"), "infeasible (restriction broken)", stop.history)
    dropped = _repair_same_day(p, routes)
    routes = [(vi, seq) for vi, seq in routes if seq]
    status = "timeout" if stop.max_iter is None or stop.iters <= stop.max_iter else "success"
    if dropped:
        status += f" (repair dropped {dropped} same-day session(s))"
    return EngineResult("pyvrp", routes, objective(p, routes), status, stop.history)
