"""PyVRP engine: iterated local search over the same engine-neutral :class:`~outreach_planner.planning.problem.Problem`.

How the problem maps onto what PyVRP models:

* one vehicle type per distinct (depot, shift, capacity, routing profile); identical
  vehicles (benchmark fleets) share one type with ``num_available`` > 1;
* optional visits are clients with ``required=False`` and ``prize`` = their value; required
  visits (``Problem.required``) are required clients;
* PyVRP has ONE time window per client: a visit with several windows becomes one client per
  window, the copies forming a mutually exclusive client group (at most one is made, exactly
  one when the visit is required);
* memory: the copies of a visit share one PyVRP ``Location``, and visits at one place share
  it too (unless their on-site time is folded, below, or their restriction groups differ), so
  the matrices are (locations x locations), not (copies x copies): about 1 location per
  candidate instead of 3.7; one matrix pair per (travel profile, kits when folded,
  restriction group). ``ProblemData`` copies the matrices into int64 (it accepts int32 but
  converts), so ours are freed once it is built;
* "which vehicles may make a visit" (skills) becomes a routing profile per *restriction
  group*, in which edges into the visits the group is kept from are prohibitive. A vehicle is
  kept only from visits it could otherwise reach in time (a visit too far or on another day is
  already infeasible for it by time), and vehicles are merged greedily into groups when none
  may make a visit another is kept from, so the groups follow the team kinds (courier, school
  team, ...) and do not multiply with the number of offices. Should the time check let a visit
  through on a vehicle not allowed it, the visit is dropped from the result (status says so);
* on-site time that depends on the team's recording kits is folded into the travel
  durations out of each visit (exact: the client's service is the visit's least on-site time,
  the rest is added per kits profile); a window then bounds the start by ``close - longest
  on-site time`` of the allowed teams, exactly as in OR-Tools;
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
  and 2, 4; a session of the warm start keeps its date), and each session may only happen on
  its dates. The plan is always valid, but
  this restriction can exclude the best plan (three sessions on Mon, Tue, Thu, say), which is
  why the portfolio (``engine="auto"``) also runs OR-Tools, which models it exactly. A final
  repair step (dropping all but the most valuable session of a village and date) only guards;
* arc costs are driving seconds priced at ``travel_cost_per_s`` in ``VALUE_SCALE`` units; the
  objective reported (driving cost + value of the visits left out) is recomputed from the
  routes exactly as OR-Tools defines it, so both engines' objectives compare;
* warm start (``initial``): the routes become PyVRP's initial solution (each visit the client
  copy whose window holds its start); the result is never worse than ``initial``.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import defaultdict

import numpy as np

from ..i18n import _
from ..planning.problem import Problem
from ..units import VALUE_SCALE, scaled_value
from .base import ROUTES_EVERY_S, EngineResult, Progress, SolveLimits, report, search_started, wants_routes


def pyvrp_callbacks_base():
    """PyVRP's no-op search callbacks class (``object`` without PyVRP: the engine then refuses to run)."""
    try:
        from pyvrp import IteratedLocalSearchCallbacks
    except ImportError:  # pragma: no cover - depends on the environment
        return object
    return IteratedLocalSearchCallbacks

#: Problem features this engine models (see :func:`outreach_planner.engines.problem_features`);
#: ``same_day_groups`` by repair (valid, maybe not optimal); ``breaks`` when :func:`unsupported` allows.
FEATURES = frozenset({
    "time_windows", "multiple_windows", "optional_visits", "required_visits", "capacity", "breaks",
    "same_day_groups", "several_vehicles", "several_depots", "several_profiles", "restrictions",
    "vehicle_service_times",
    "start_end_depots",
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
                return _("engine.pyvrp_breaks", id="waktu istirahat berbeda antartim yang bekerja pada waktu yang sama "
                         "({team} bekerja saat tim lain istirahat)", en="breaks differ between teams working at the "
                         "same time ({team} works during another team's break)", team=v.team)
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
        self.report_below = float("inf")  # progress hears of objectives below this only (the initial plan's)

    def __call__(self, best_cost: int) -> bool:
        elapsed = time.monotonic() - self.t0
        if best_cost < self.infeasible_above and (self.best is None or best_cost < self.best):
            self.best = best_cost
            obj = (best_cost - self.offset) / VALUE_SCALE
            self.history.append((elapsed, obj))
            if self.progress and obj < self.report_below:
                report(self.progress, elapsed, obj)
        self.iters += 1
        if self.max_iter is not None and self.iters > self.max_iter:
            return True
        return elapsed >= self.limit


class _Stream(pyvrp_callbacks_base()):
    """PyVRP search callbacks: the routes of a new best feasible solution, at most every ``ROUTES_EVERY_S`` s.

    A report goes to the progress only below the best objective already reported (the initial plan's, or
    an earlier stream's), with the routes as repaired for the plan (:func:`objective` of them).
    """

    def __init__(self, problem: Problem, stop: _Stop, to_routes):
        super().__init__()
        self.problem, self.stop, self.to_routes = problem, stop, to_routes
        self.sent_at = -float("inf")

    def on_best(self, best) -> None:
        now = time.monotonic() - self.stop.t0
        if not best.is_feasible() or now - self.sent_at < ROUTES_EVERY_S:
            return
        routes = self.to_routes(best)[0]
        obj = objective(self.problem, routes)
        if obj < self.stop.report_below:
            self.sent_at = now
            self.stop.report_below = obj
            report(self.stop.progress, now, obj, routes)


def objective(p: Problem, routes: list[tuple[int, list[tuple[int, int]]]]) -> float:
    """Driving cost plus the value of allowed visits left out, in value points (the OR-Tools objective)."""
    cost = 0
    rate = p.travel_cost_per_s * VALUE_SCALE
    for vi, seq in routes:
        v = p.vehicles[vi]
        m = p.place_durations[v.profile]
        pl = p.node_place[[v.start_node] + [p.node(i) for i, _ in seq] + [v.end_node]]
        cost += int(np.rint(np.asarray(m[pl[:-1], pl[1:]], dtype=np.float64) * rate).sum())
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


def _deal_dates(p: Problem, dates: list[int], day_span: dict[int, tuple[int, int]],
                fixed: dict[int, int]) -> dict[int, list[tuple[int, int]]]:
    """Per same-day-group member, the (start, end) spans of the dates it may use.

    Each working date goes to exactly one member of a group, so at most one session of a
    village happens per date. Members of the warm start (``fixed``: visit -> its date) keep
    their date; the other dates are dealt out round-robin, the most valuable member first.
    """
    only_on: dict[int, list[tuple[int, int]]] = {}
    for group in p.same_day_groups:
        ranked = sorted(group, key=lambda i: (-p.visits[i].value, i))
        mine: dict[int, list[int]] = {i: [] for i in ranked}
        taken: set[int] = set()
        for i in ranked:
            d = fixed.get(i)
            if d is not None and d not in taken:
                mine[i].append(d)
                taken.add(d)
        free = [d for d in dates if d not in taken]
        for j, d in enumerate(free):
            mine[ranked[j % len(ranked)]].append(d)
        for i in ranked:
            only_on[i] = [day_span[d] for d in sorted(mine[i])]
    return only_on


def _restriction_groups(forbid: dict[int, set[int]], can: dict[int, set[int]]) -> dict[int, int]:
    """Vehicles -> restriction group (one load dimension each), greedily merged.

    ``forbid[v]``: visits vehicle ``v`` must be kept from; ``can[v]``: visits it may make.
    Vehicles share a group when none may make a visit another must be kept from, so the
    group's union of forbidden visits keeps every member from nothing it may make.
    """
    groups: list[tuple[set[int], set[int]]] = []  # (forbidden union, may-make union)
    out: dict[int, int] = {}
    for v in sorted(forbid, key=lambda v: (-len(forbid[v]), v)):
        if not forbid[v]:
            continue
        for g, (f, a) in enumerate(groups):
            if not (forbid[v] & a) and not (f & can[v]):
                f |= forbid[v]
                a |= can[v]
                out[v] = g
                break
        else:
            out[v] = len(groups)
            groups.append((set(forbid[v]), set(can[v])))
    return out


def solve(problem: Problem, limits: SolveLimits, progress: Progress | None = None,
          initial: list[tuple[int, list[tuple[int, int]]]] | None = None) -> EngineResult:
    """Solve ``problem`` with PyVRP's iterated local search (one core).

    ``initial``: routes ``[(vehicle index, [(visit index, start second), ...]), ...]`` (e.g. the
    construction's) to start from: PyVRP gets them as its initial solution (a visit becomes the
    client copy whose window holds its start; one it cannot represent is left out), and the
    result is never worse than ``initial`` by :func:`objective` (``initial`` itself is returned
    otherwise).
    """
    try:
        import pyvrp
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_("engine.pyvrp_missing", id="mesin pyvrp butuh PyVRP: pip install 'outreach-planner[bench]'",
                            en="the pyvrp engine needs PyVRP: pip install 'outreach-planner[bench]'")) from exc
    from pyvrp.constants import MAX_VALUE

    p = problem
    if not p.vehicles:
        return EngineResult("pyvrp", [], 0.0, "no vehicles")
    t_build = time.monotonic()
    why = unsupported(p)
    if why:
        raise ValueError(_("engine.cannot_model", id="mesin {name} tidak bisa memodelkan masalah ini: {why}",
                           en="the {name} engine cannot model this problem: {why}", name="pyvrp", why=why))
    initial = [(vi, sorted(seq, key=lambda x: x[1])) for vi, seq in (initial or []) if seq]
    vehicles = p.vehicles
    nd = p.n_depots
    n_vis = len(p.visits)
    clock = _Clock(_merged_breaks(p))
    kits_of = sorted({v.kits for v in vehicles})
    # on-site time depends on the vehicle only when kits differ AND some visit's time differs
    fold = len(kits_of) > 1 and any(len({p.service_s[k][nd + i] for k in kits_of}) > 1 for i in range(n_vis))
    use_load = any(p.load(i) for i in range(n_vis))
    shift = {v.index: (clock.work(v.start_s), clock.work(v.end_s)) for v in vehicles}
    # same-day groups: deal the working dates out among the members (warm-start dates kept)
    day_span: dict[int, tuple[int, int]] = {}
    for v in vehicles:
        a, b = day_span.get(v.date_index, (v.start_s, v.end_s))
        day_span[v.date_index] = (min(a, v.start_s), max(b, v.end_s))
    fixed = {i: vehicles[vi].date_index for vi, seq in initial for i, _ in seq}
    only_on = _deal_dates(p, sorted(day_span), day_span, fixed)

    # --- clients: one per (visit, window piece), grouped when a visit has several pieces
    copy_visit: list[int] = []
    copy_tw: list[tuple[int, int]] = []
    copies_of: dict[int, list[int]] = {}
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
        copies_of[i] = list(range(first, len(copy_visit)))
        if len(spans) > 1:
            groups.append((copies_of[i], i in p.required))
    n_copies = len(copy_visit)
    if n_copies == 0:
        obj = objective(p, initial)
        return EngineResult("pyvrp", initial, obj, "success", [(0.0, obj)])
    in_group = {c for g, _ in groups for c in g}
    group_of = {c: gi for gi, (g, _) in enumerate(groups) for c in g}

    # --- restrictions: a routing profile per group of vehicles kept from some visits (see
    # _restriction_groups), whose edges into those visits are prohibitive; a visit that a
    # vehicle could not make in time anyway (too far, wrong day) needs no edge removed
    can: dict[int, set[int]] = defaultdict(set)
    for i, al in enumerate(p.allowed):
        for a in al:
            can[a].add(i)
    team_can: dict[str, set[int]] = defaultdict(set)
    for v in vehicles:
        team_can[v.team] |= can[v.index]
    cv = np.asarray(copy_visit, dtype=np.int64)
    c_place = p.node_place[nd + cv].astype(np.int64)
    c_early = np.asarray([a for a, _ in copy_tw], dtype=np.int64)
    c_late = np.asarray([b for _, b in copy_tw], dtype=np.int64)
    team_mask = {}
    for team, vis_set in team_can.items():
        team_mask[team] = np.zeros(n_vis, dtype=bool)
        team_mask[team][list(vis_set)] = True
    forbid: dict[int, set[int]] = {}
    for v in vehicles:
        not_team = ~team_mask.get(v.team, np.zeros(n_vis, dtype=bool))[cv]
        if not not_team.any():
            forbid[v.index] = set()
            continue
        m = p.place_durations[v.profile]
        go = m[int(p.node_place[v.start_node]), c_place].astype(np.int64)
        back = m[c_place, int(p.node_place[v.end_node])].astype(np.int64)
        svc_v = np.asarray(p.service_s[v.kits], dtype=np.int64)[nd + cv]
        ws, we = shift[v.index]
        st = np.maximum(ws + go, c_early)
        reach = not_team & (st <= c_late) & (st + svc_v + back <= we)
        forbid[v.index] = {copy_visit[c] for c in np.flatnonzero(reach)}
    rgroup = _restriction_groups(forbid, {v.index: team_can[v.team] for v in vehicles})
    kept_from: dict[int, set[int]] = defaultdict(set)  # visit -> restriction groups kept from it
    for vi, g in rgroup.items():
        for i in forbid[vi]:
            kept_from[i].add(g)

    # --- locations: one per (place, restriction groups kept from it); a visit whose on-site
    # time depends on the kits (folded into the durations out of it, below) gets its own,
    # shared by its window copies only
    svc_min = {i: min(p.service_s[k][nd + i] for k in kits_of) for i in copies_of}
    folded = {i for i in copies_of if fold and any(p.service_s[k][nd + i] != svc_min[i] for k in kits_of)}
    loc_index: dict[tuple, int] = {}
    loc_place: list[int] = []
    loc_visit: list[int] = []  # the folded visit at a location, or -1
    loc_kept: list[frozenset[int]] = []  # restriction groups kept from a location

    def location(place: int, visit: int, kept: frozenset[int]) -> int:
        key = (place, visit, kept)
        if key not in loc_index:
            loc_index[key] = len(loc_place)
            loc_place.append(place)
            loc_visit.append(visit)
            loc_kept.append(kept)
        return loc_index[key]

    depot_loc = [location(int(p.node_place[d]), -1, frozenset()) for d in range(nd)]
    client_loc = [location(int(p.node_place[nd + i]), i if i in folded else -1, frozenset(kept_from.get(i, ())))
                  for i in copy_visit]
    places = p.places
    locations = [pyvrp.Location(x=float(places[pl][0]), y=float(places[pl][1])) for pl in loc_place]
    depots = [pyvrp.Depot(location=depot_loc[d]) for d in range(nd)]
    pl_arr = np.asarray(loc_place, dtype=np.int64)

    clients = []
    for c in range(n_copies):
        i = copy_visit[c]
        svc = svc_min[i] if fold else p.service_s[kits_of[0]][nd + i]
        required = i in p.required and c not in in_group
        clients.append(pyvrp.Client(
            location=client_loc[c],
            delivery=[p.load(i)] if use_load else [],
            service_duration=int(svc),
            tw_early=int(copy_tw[c][0]), tw_late=int(copy_tw[c][1]),
            prize=0 if required else max(1, scaled_value(p.visits[i].value)),
            required=required,
            group=group_of.get(c),
        ))
    client_groups = [pyvrp.ClientGroup(clients=g, required=req) for g, req in groups]

    # --- profiles: (travel profile, kits when folded, restriction group); matrices over locations.
    # Forbidden edges: PyVRP's MAX_VALUE there lets penalised costs overflow during the search
    # (seen as a local search that never returns), so use values that are merely prohibitive:
    # a cost above every prize and route together, a duration longer than the whole horizon.
    span = max(v.end_s for v in vehicles) - min(v.start_s for v in vehicles)
    forbid_dur = 2 * span + 1
    forbid_cost = None
    extra = {}  # kits -> per location on-site seconds above the visit's least (folded visits)
    if fold:
        for k in kits_of:
            extra[k] = np.asarray([p.service_s[k][nd + i] - svc_min[i] if i >= 0 else 0 for i in loc_visit],
                                  dtype=np.int64)
    prof_keys: dict[tuple, int] = {}
    dist_mats: list[np.ndarray] = []
    dur_mats: list[np.ndarray] = []
    base_cost: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    veh_prof: dict[int, int] = {}
    for v in vehicles:
        rg = rgroup.get(v.index, -1)
        key = (v.profile, v.kits if fold else None, rg)
        if key not in prof_keys:
            if v.profile not in base_cost:
                dur = p.place_durations[v.profile][np.ix_(pl_arr, pl_arr)].astype(np.int64)
                cost = np.rint(dur * (p.travel_cost_per_s * VALUE_SCALE)).astype(np.int64)
                np.fill_diagonal(cost, 0)
                np.fill_diagonal(dur, 0)
                base_cost[v.profile] = (dur, cost)
            dur, cost = base_cost[v.profile]
            if fold and extra[v.kits].any():
                dur = dur + extra[v.kits][:, None]
                np.fill_diagonal(dur, 0)
            if rg >= 0:
                if forbid_cost is None:
                    prizes = sum(cl.prize for cl in clients)
                    forbid_cost = int(min(MAX_VALUE // 4, 2 * (prizes + len(loc_place) * int(cost.max())) + 1))
                cols = [loc for loc, kept in enumerate(loc_kept) if rg in kept]
                cost = cost.copy()
                if dur is base_cost[v.profile][0]:
                    dur = dur.copy()
                cost[:, cols] = forbid_cost
                dur[:, cols] = forbid_dur
                np.fill_diagonal(cost, 0)
                np.fill_diagonal(dur, 0)
            prof_keys[key] = len(dist_mats)
            dist_mats.append(cost)  # unrestricted: the same array for every kits of a travel profile
            dur_mats.append(dur)
        veh_prof[v.index] = prof_keys[key]
    del base_cost

    # --- vehicle types: identical vehicles share one type
    type_keys: dict[tuple, int] = {}
    type_vehicles: list[list[int]] = []
    for v in vehicles:
        key = (v.start_node, v.end_node, *shift[v.index], v.delivery_capacity if use_load else 0, veh_prof[v.index])
        if key not in type_keys:
            type_keys[key] = len(type_vehicles)
            type_vehicles.append([])
        type_vehicles[type_keys[key]].append(v.index)
    vehicle_types = [
        pyvrp.VehicleType(num_available=len(members), capacity=[cap] if use_load else [], start_depot=s_dep,
                          end_depot=e_dep, tw_early=int(start), tw_late=int(end), profile=prof, unit_distance_cost=1)
        for (s_dep, e_dep, start, end, cap, prof), members in zip(type_keys, type_vehicles)
    ]

    data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, dist_mats, dur_mats, client_groups)
    del dist_mats, dur_mats  # ProblemData holds its own copies

    init_sol, init_obj = None, None
    if initial:
        init_obj = objective(p, initial)
        type_of = {vi: t for t, members in enumerate(type_vehicles) for vi in members}
        rts = []
        for vi, seq in initial:
            visits_c = []
            for i, start in seq:
                w = clock.work(start)
                c = next((c for c in copies_of.get(i, ()) if copy_tw[c][0] <= w <= copy_tw[c][1]), None)
                if c is not None:
                    visits_c.append(c)
            if visits_c:
                rts.append(pyvrp.Route(data, visits_c, type_of[vi]))
        init_sol = pyvrp.Solution(data, rts)
    # PyVRP's stopping criterion sees the best cost only, not the solution: the portfolio gets the routes
    # of the initial plan now (its fallback should this run overrun) and the final ones with the result.
    build_s = time.monotonic() - t_build
    search_started(progress, build_s)
    if initial:
        report(progress, 0.0, init_obj, initial if wants_routes(progress) else None)
    allowed = [set(a) for a in p.allowed]

    def to_routes(sol):
        """(routes, visits dropped from teams not allowed them, same-day sessions dropped) of a PyVRP solution."""
        pools = [list(m) for m in type_vehicles]
        routes = []
        for r in sol.routes():
            vi = pools[r.vehicle_type()].pop(0)
            # a client activity's idx is the client index; times back on the absolute clock
            steps = [(copy_visit[act.idx], clock.absolute(int(act.start_time))) for act in r.schedule()
                     if act.is_client()]
            if steps:
                routes.append((vi, steps))
        broken = sum(1 for vi, seq in routes for i, _ in seq if vi not in allowed[i])
        if broken:  # a visit the time check let through on a vehicle not allowed it: drop it (later starts stay valid)
            routes = [(vi, [(i, t) for i, t in seq if vi in allowed[i]]) for vi, seq in routes]
        dropped = _repair_same_day(p, routes)
        return [(vi, seq) for vi, seq in routes if seq], broken, dropped

    stop = _Stop(limits, progress, infeasible_above=MAX_VALUE, offset=offset)
    if initial:
        stop.report_below = init_obj
    params = pyvrp.SolveParams()
    if wants_routes(progress):
        params = pyvrp.SolveParams(ils=pyvrp.IteratedLocalSearchParams(callbacks=_Stream(p, stop, to_routes)))
    res = pyvrp.solve(data, stop, seed=limits.seed, collect_stats=False, display=False, params=params,
                      initial_solution=init_sol)
    best = res.best
    if not best.is_feasible():
        if initial:
            return EngineResult("pyvrp", initial, init_obj, "initial kept (PyVRP found no feasible plan)",
                                [(0.0, init_obj)])
        return EngineResult("pyvrp", [], float("inf"), "infeasible", stop.history)

    routes, broken, dropped = to_routes(best)
    status = "timeout" if stop.max_iter is None or stop.iters <= stop.max_iter else "success"
    if dropped:
        status += f" (repair dropped {dropped} same-day session(s))"
    if broken:
        status += f" (dropped {broken} visit(s) on teams not allowed them)"
    obj = objective(p, routes)
    history = stop.history
    if initial:
        history = [(0.0, init_obj)] + [(t, o) for t, o in history if o < init_obj]
        if obj > init_obj:
            return EngineResult("pyvrp", initial, init_obj, status + " (initial kept: no better plan found)", history)
    return EngineResult("pyvrp", routes, obj, status, history)
