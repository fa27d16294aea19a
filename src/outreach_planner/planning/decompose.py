"""Decomposition: a large week split into parts that solve in parallel, merged, then mended at the seams.

Engine-neutral: a part's sub-problem is an ordinary :class:`~outreach_planner.planning.problem.Problem`
(a subset of the visits and vehicles, matrices sliced to its nodes), which any engine solves.

:func:`split` partitions the vehicles by depot (office); a depot with more than
``max_part_visits`` visits is split further by team: its teams, ordered by the bearing (from the
office) of the visits they made in the construction, are dealt into consecutive groups. A visit goes
to the part whose vehicle made it in the construction; otherwise to the part of the depot of the
nearest vehicle that may make it (round-trip seconds), and within a split depot to the group whose
visits lie at the nearest bearing. The sessions of one village that may be made on the same date at
most once (``same_day_groups``) go to one part together, so no rule spans two parts. A visit goes
only to a part with a vehicle that may make it.

:func:`solve_decomposed` builds the construction (:func:`~outreach_planner.planning.construct.construct`)
when no ``initial`` routes are given, splits, solves the parts in parallel processes (``spawn``, one
per core; parts beyond the cores wait), keeps per part the better of the engine's routes and the
construction's (the construction's when the engine found nothing), maps the routes back, and mends
the seams with :func:`insert_leftovers`: every route is re-checked exactly (the construction's
feasibility code) and the visits left out, with those whose part could not make them, are inserted
greedily into the whole plan's spare time (any vehicle, across part boundaries). Then, where parts meet
(:func:`seam_visits`: visits within :data:`SEAM_S` of a visit of another part), for the last
:data:`IMPROVE_SHARE` of the time limit the whole plan is improved by ruin and recreate
(:func:`~outreach_planner.planning.improve.improve`) from clusters around those visits: a removed
cluster may be refilled into any vehicle near it, whichever part it came from. Where no parts meet
the parts get the whole time limit (measured: a whole-problem pass there only repeats the parts' work,
on one core instead of all; docs/benchmarks.md section 10).

When it pays (:func:`should_decompose`, measured in ``benchmarks/results/scale_decompose.md``):
more than :data:`DECOMPOSE_ABOVE` visits that some vehicle may make, at two or more offices.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..engines.base import EngineResult, SolveLimits
from .construct import _insert_greedily, _lanes, construct, objective
from .problem import Problem

Routes = list[tuple[int, list[tuple[int, int]]]]

#: Decompose (``decompose="auto"``) above this many visits some vehicle may make; see the module docstring.
DECOMPOSE_ABOVE = 600
#: Target largest part, in visits.
MAX_PART_VISITS = 500
#: Share of the time limit kept for the whole-problem improvement after the parts (``budget="wall"``).
IMPROVE_SHARE = 0.15
#: The whole-problem improvement starts its removals at visits this close (driving seconds, either way) to a
#: visit of another part: the seams. None near: no improvement pass, the parts get the whole time limit.
SEAM_S = 1200
#: The engine that solves the parts under ``make_plan(engine="auto")``: parts are about the size of one
#: office's week, where ruin and recreate from the construction leads (docs/benchmarks.md section 10).
PART_ENGINE = "lns"


@dataclass
class Part:
    """One part: its sub-problem and the maps back to the whole problem."""

    problem: Problem
    visits: list[int]  # sub visit index -> whole visit index
    vehicles: list[int]  # sub vehicle index -> whole vehicle index
    label: str

    def to_whole(self, routes: Routes) -> Routes:
        """Routes of the sub-problem as routes of the whole problem (same start seconds)."""
        return [(self.vehicles[v], [(self.visits[i], s) for i, s in seq]) for v, seq in routes]

    def from_whole(self, routes: Routes) -> Routes:
        """The routes of this part's vehicles, restricted to this part's visits, in sub-problem indices."""
        vpos = {v: j for j, v in enumerate(self.vehicles)}
        ipos = {i: j for j, i in enumerate(self.visits)}
        out = []
        for v, seq in routes:
            if v in vpos:
                sub = [(ipos[i], s) for i, s in seq if i in ipos]
                if sub:
                    out.append((vpos[v], sub))
        return out


# --------------------------------------------------------------------------- split
def sub_problem(p: Problem, visits: list[int], vehicles: list[int]) -> Problem:
    """The problem of ``visits`` and ``vehicles`` only (indices of ``p``), its place matrices sliced to its places.

    Depots: those of the vehicles, renumbered in their order in ``p``; node order: those depots,
    then the visits in the given order. ``allowed`` keeps only the given vehicles; same-day
    groups, ``required`` and ``demand`` follow the visits; ``excluded`` is empty.
    """
    depots = sorted({n for v in vehicles for n in (p.vehicles[v].depot_node, p.vehicles[v].start_node,
                                                   p.vehicles[v].end_node)})
    dpos = {d: j for j, d in enumerate(depots)}
    vpos = {v: j for j, v in enumerate(vehicles)}
    ipos = {i: j for j, i in enumerate(visits)}
    ix = np.array(depots + [p.node(i) for i in visits], dtype=np.intp)
    profiles = sorted({p.vehicles[v].profile for v in vehicles}) or sorted(p.durations)[:1]
    # the part's places only: its nodes' places, renumbered; place matrices sliced to them
    places, node_place = np.unique(p.node_place[ix], return_inverse=True)
    durations = {prof: p.place_durations[prof][np.ix_(places, places)] for prof in profiles}
    distances = {prof: p.place_distances[prof][np.ix_(places, places)] for prof in profiles}
    return dataclasses.replace(
        p,
        depots=[p.depots[d] for d in depots],
        nodes=[p.nodes[n] for n in ix.tolist()],
        visits=[p.visits[i] for i in visits],
        vehicles=[dataclasses.replace(p.vehicles[v], index=j, depot_node=dpos[p.vehicles[v].depot_node],
                                      start_node=dpos[p.vehicles[v].start_node],
                                      end_node=dpos[p.vehicles[v].end_node])
                  for j, v in enumerate(vehicles)],
        n_offices=sum(1 for d in depots if d < p.n_offices),
        trip_allowed=None,
        place_durations=durations,
        place_distances=distances,
        node_place=node_place.astype(np.int32),
        service_s={k: [s[n] for n in ix.tolist()] for k, s in p.service_s.items()},
        allowed=[[vpos[v] for v in p.allowed[i] if v in vpos] for i in visits],
        same_day_groups=[g2 for g in p.same_day_groups if len(g2 := [ipos[i] for i in g if i in ipos]) > 1],
        excluded=[],
        demand=[p.demand[i] for i in visits] if p.demand else [],
        required=frozenset(ipos[i] for i in p.required if i in ipos),
    )


def _units(p: Problem) -> list[list[int]]:
    """Visits some vehicle may make, as units that go to one part together (same-day groups whole)."""
    seen: set[int] = set()
    units = []
    for g in p.same_day_groups:
        u = [i for i in g if p.allowed[i] and i not in seen]
        seen.update(u)
        if u:
            units.append(u)
    units += [[i] for i in range(len(p.visits)) if p.allowed[i] and i not in seen]
    return sorted(units)


def _trip(p: Problem, v: int, i: int) -> int:
    veh = p.vehicles[v]
    m, n = p.durations[veh.profile], p.node(i)
    return int(m[veh.start_node, n]) + int(m[n, veh.end_node])


def _bearing(p: Problem, depot: int, i: int) -> float:
    (x0, y0), (x, y) = p.nodes[depot], p.nodes[p.node(i)]
    return math.atan2(y - y0, (x - x0) * math.cos(math.radians(y0)))


def _angle_gap(a: float, b: float) -> float:
    d = abs(a - b) % (2 * math.pi)
    return min(d, 2 * math.pi - d)


def split(problem: Problem, construction_routes: Routes | None = None,
          max_part_visits: int = MAX_PART_VISITS) -> list[Part]:
    """Partition vehicles and visits into parts (see the module docstring); deterministic.

    ``construction_routes`` (whole-problem routes, e.g. ``construct(problem).routes``) decide
    where a visit goes when one of their vehicles made it; without them every visit goes by
    the nearest vehicle that may make it.
    """
    p = problem
    served: dict[int, int] = {i: v for v, seq in (construction_routes or []) for i, _ in seq}
    units = _units(p)
    by_depot: dict[int, list[int]] = {}
    for veh in p.vehicles:
        by_depot.setdefault(veh.depot_node, []).append(veh.index)

    # 1. each unit to a depot: where the construction made it, else the nearest allowed vehicle's depot
    def home(unit: list[int]) -> int:
        for i in unit:
            if i in served:
                return served[i]
        return min((_trip(p, v, i), v) for i in unit for v in p.allowed[i])[1]

    unit_home = [home(u) for u in units]
    at_depot: dict[int, list[int]] = {}
    for k, v in enumerate(unit_home):
        at_depot.setdefault(p.vehicles[v].depot_node, []).append(k)

    parts: list[Part] = []
    for depot in sorted(by_depot):
        vehicles = by_depot[depot]
        ks = at_depot.get(depot, [])
        n_visits = sum(len(units[k]) for k in ks)
        teams = sorted({p.vehicles[v].team for v in vehicles}, key=lambda t: min(
            v for v in vehicles if p.vehicles[v].team == t))
        n_sub = max(1, min(len(teams), math.ceil(n_visits / max(1, max_part_visits))))
        # 2. a depot with too many visits: its teams by the mean bearing of the visits they made
        bearings: dict[str, list[float]] = {t: [] for t in teams}
        for i, v in served.items():
            if p.vehicles[v].depot_node == depot:
                bearings[p.vehicles[v].team].append(_bearing(p, depot, i))

        def mean_bearing(t: str) -> float:
            b = bearings[t]
            return math.atan2(sum(map(math.sin, b)), sum(map(math.cos, b))) if b else math.inf

        order = sorted(teams, key=lambda t: (mean_bearing(t), teams.index(t)))
        groups = [list(g) for g in np.array_split(np.array(order, dtype=object), n_sub)]
        group_of_team = {t: gi for gi, g in enumerate(groups) for t in g}
        group_vehicles = [[v for v in vehicles if group_of_team[p.vehicles[v].team] == gi] for gi in range(n_sub)]
        group_bearing = []
        for g in groups:
            b = [x for t in g for x in bearings[t]]
            group_bearing.append(math.atan2(sum(map(math.sin, b)), sum(map(math.cos, b))) if b else None)
        group_visits: list[list[int]] = [[] for _ in range(n_sub)]
        for k in ks:
            unit = units[k]
            vsets = [set(gv) for gv in group_vehicles]
            if any(i in served for i in unit):
                gi = group_of_team[p.vehicles[unit_home[k]].team]
            else:
                fits = [gi for gi in range(n_sub) if any(set(p.allowed[i]) & vsets[gi] for i in unit)]
                b = _bearing(p, depot, unit[0])
                gi = min(fits, key=lambda g: (_angle_gap(b, group_bearing[g]) if group_bearing[g] is not None
                                              else math.inf, g))
            group_visits[gi] += [i for i in unit if set(p.allowed[i]) & vsets[gi]]
        for gi in range(n_sub):
            vis = sorted(group_visits[gi])
            label = f"depot {p.depots[depot]}" + (f" teams {', '.join(groups[gi])}" if n_sub > 1 else "")
            parts.append(Part(sub_problem(p, vis, group_vehicles[gi]), vis, group_vehicles[gi], label))
    return parts


def should_decompose(problem: Problem, mode: str = "auto") -> bool:
    """Whether to decompose: ``always``, ``never``, or ``auto``: more than :data:`DECOMPOSE_ABOVE` visits
    some vehicle may make and vehicles at two or more offices (a single office split by team is not
    measured; ``always`` does it)."""
    if mode not in ("auto", "always", "never"):
        raise ValueError(f"decompose must be auto, always or never, not {mode!r}")
    if mode != "auto":
        return mode == "always"
    active = sum(1 for a in problem.allowed if a)
    if active <= DECOMPOSE_ABOVE:
        return False
    return len({v.depot_node for v in problem.vehicles}) > 1


# --------------------------------------------------------------------------- seams
def seam_visits(problem: Problem, parts: list[Part], within_s: int | None = None) -> list[int]:
    """Visits (whole-problem indices) within ``within_s`` (default :data:`SEAM_S`) driving seconds, to or from,
    of a visit of another part (the first profile's durations; blocks of 1,024 visits, so no visits x visits
    matrix is made)."""
    p = problem
    within_s = SEAM_S if within_s is None else within_s
    part_of = np.full(len(p.visits), -1, dtype=np.int64)
    for k, part in enumerate(parts):
        part_of[part.visits] = k
    ix = np.flatnonzero(part_of >= 0)
    if len({int(k) for k in part_of[ix]}) < 2:
        return []
    m = p.durations[sorted(p.durations)[0]]
    nodes = ix + p.n_depots
    out = []
    for a in range(0, len(ix), 1024):
        blk = nodes[a:a + 1024]
        d = np.minimum(m[np.ix_(blk, nodes)], m[np.ix_(nodes, blk)].T)
        other = part_of[ix][None, :] != part_of[ix[a:a + 1024]][:, None]
        near = ((d <= within_s) & other).any(axis=1)
        out += [int(i) for i in ix[a:a + 1024][near]]
    return out


def insert_leftovers(problem: Problem, routes: Routes, lanes=None) -> tuple[Routes, int, int]:
    """Re-check ``routes`` exactly and insert left-out visits greedily into their spare time.

    Uses the construction's lanes (:mod:`~outreach_planner.planning.construct`): a route whose
    visits do not fit its vehicle under the exact rules (shift, breaks, windows, capacity, a
    visit it may not make, a visit already made, a same-day clash) is dropped whole; start times
    become the earliest feasible ones. Then, as in the construction, the insertion of any open
    visit into any vehicle with the best score goes in, until none fits or pays.
    Returns (routes, visits inserted, visits dropped). ``lanes``: fresh ``_lanes(problem)`` to use.
    """
    p = problem
    lanes, where = lanes if lanes is not None else _lanes(p)
    local = [{int(i): c for c, i in enumerate(lane.cand.tolist())} for lane in lanes]
    group_of: dict[int, list[int]] = {i: g for g in p.same_day_groups for i in g}
    made: set[int] = set()
    group_dates: set[tuple[int, int]] = set()  # (visit, date) blocked by a group mate

    def commit(r: int, visit: int) -> None:
        date = lanes[r].veh.date_index
        made.add(visit)
        for r2, l2 in where[visit]:
            lanes[r2].strike(l2)
        for other in group_of.get(visit, ()):
            if other != visit:
                group_dates.add((other, date))
                for r2, l2 in where[other]:
                    if lanes[r2].veh.date_index == date:
                        lanes[r2].strike(l2)

    dropped = 0
    for r, seq in sorted(routes):
        lane = lanes[r]
        date = lane.veh.date_index
        locs = [local[r].get(i) for i, _ in seq]
        visits = [i for i, _ in seq]
        ok = (not lane.seq and None not in locs and len(set(visits)) == len(visits)
              and not (set(visits) & made) and not any((i, date) in group_dates for i in visits)
              and len({tuple(group_of[i]) for i in visits if i in group_of})
              == sum(1 for i in visits if i in group_of))
        load = int(sum(int(lane.load[c]) for c in locs)) if ok else 0
        starts = lane.schedule(locs) if ok and (lane.veh.delivery_capacity < 0 or
                                                 load <= lane.veh.delivery_capacity) else None
        if starts is None:
            dropped += len(seq)
            continue
        lane.seq, lane.starts, lane.used_load = locs, starts, load
        for i in visits:
            commit(r, i)
    inserted = _insert_greedily(p, lanes, where, group_of)
    out = [(lane.veh.index, [(int(lane.cand[c]), s) for c, s in zip(lane.seq, lane.starts)])
           for lane in lanes if lane.seq]
    return out, inserted, dropped


# --------------------------------------------------------------------------- solving
#: ``runner(problem, limits, initial) -> EngineResult``, or an engine name (``ortools``, ``pyvrp#2``, ...).
Runner = Callable[..., EngineResult] | str


def _run_part(runner: Runner, problem: Problem, limits: SolveLimits, initial: Routes) -> EngineResult | str:
    """Solve one part (in a worker process or in this one); an error comes back as its message."""
    try:
        if isinstance(runner, str):
            from ..engines import get_engine, run_engine, run_seed_offset

            limits = dataclasses.replace(limits, seed=limits.seed + run_seed_offset(runner))
            fn = get_engine(run_engine(runner))
        else:
            fn = runner
        if "initial" in inspect.signature(fn).parameters:
            return fn(problem, limits, None, initial=initial or None)
        return fn(problem, limits, None)
    except Exception as exc:  # noqa: BLE001 - the part falls back to the construction
        return f"{type(exc).__name__}: {exc}"


def _part_child(k: int, runner: Runner, problem: Problem, limits: SolveLimits, initial: Routes, q,
                parent_pid: int, alive) -> None:
    from ..engines.portfolio import _end_with_parent

    _end_with_parent(parent_pid, alive)
    q.put((k, _run_part(runner, problem, limits, initial)))


def _solve_parts(runner: Runner, jobs: list[tuple[Problem, SolveLimits, Routes]], workers: int,
                 part_deadline_s: float) -> list[EngineResult | str]:
    """Each job in its own ``spawn`` process, at most ``workers`` at once; a part still running
    ``part_deadline_s`` after its start is stopped (its result: the message). Children end with
    this process (as the portfolio's, :func:`~outreach_planner.engines.portfolio._end_with_parent`)."""
    if workers <= 1 or len(jobs) <= 1:
        return [_run_part(runner, *job) for job in jobs]
    import queue as queue_mod

    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    alive_r, alive_w = ctx.Pipe(duplex=False)
    out: dict[int, EngineResult | str] = {}
    running: dict[int, tuple[object, float]] = {}
    todo = list(range(len(jobs)))
    try:
        while len(out) < len(jobs):
            while todo and len(running) < workers:
                k = todo.pop(0)
                pr = ctx.Process(target=_part_child, args=(k, runner, *jobs[k], q, os.getpid(), alive_r),
                                 daemon=True, name=f"part-{k}")
                pr.start()
                running[k] = (pr, time.monotonic())
            try:
                k, res = q.get(timeout=0.5)
                if k in running:  # not one already stopped at its deadline
                    out[k] = res
                    running.pop(k)[0].join(timeout=30)
            except queue_mod.Empty:
                for k, (pr, t0) in list(running.items()):
                    if not pr.is_alive() and pr.exitcode not in (0, None):
                        out[k] = f"process ended with exit code {pr.exitcode}"
                    elif time.monotonic() - t0 > part_deadline_s:
                        pr.terminate()
                        out[k] = f"no result within {part_deadline_s:.0f} s"
                    else:
                        continue
                    running.pop(k)
        return [out[k] for k in range(len(jobs))]
    finally:
        for pr, _ in running.values():
            if pr.is_alive():
                pr.terminate()
            pr.join(timeout=5)
        alive_w.close()
        alive_r.close()
        q.close()


def _available_cores() -> int:
    from ..engines.portfolio import available_cores

    return available_cores()


def solve_decomposed(problem: Problem, limits: SolveLimits, engine_runner: Runner = "ortools",
                     initial: Routes | None = None, max_part_visits: int | None = None,
                     workers: int | None = None, budget: str = "wall",
                     progress: Callable[[float, float], None] | None = None,
                     improve_share: float | None = None) -> EngineResult:
    """Solve ``problem`` by parts (see the module docstring); the result is in whole-problem indices.

    ``engine_runner``: an engine name or a picklable ``runner(problem, limits, progress, initial=...)``;
    it gets each part's share of ``initial`` (the construction by default) as ``initial=`` when its
    signature has that parameter. ``budget``: ``wall`` (default) shares ``limits.time_limit_s`` so
    that the parts end within it (``parts / workers`` rounds of parts, each a round's share of the
    time left after the construction); ``part``: every part gets the full time limit. A solution
    limit applies to each part. ``improve_share``: the share of the time limit kept for the
    whole-problem improvement after the parts (None: :data:`IMPROVE_SHARE`; 0: none); with a solution limit N it makes at most
    ``10 x N`` iterations (deterministic).
    """
    if budget not in ("wall", "part"):
        raise ValueError(f"budget must be wall or part, not {budget!r}")
    t0 = time.monotonic()
    name = engine_runner if isinstance(engine_runner, str) else getattr(engine_runner, "__name__", "runner")
    if initial is None:
        initial = construct(problem).routes
    parts = split(problem, initial, MAX_PART_VISITS if max_part_visits is None else max_part_visits)
    todo = [k for k, part in enumerate(parts) if part.visits]
    workers = max(1, workers or _available_cores())
    rounds = math.ceil(len(todo) / min(workers, len(todo))) if todo else 1
    improve_share = IMPROVE_SHARE if improve_share is None else improve_share
    seams = seam_visits(problem, [parts[k] for k in todo]) if improve_share > 0 else []
    if not seams:  # parts far apart: nothing to mend by moving visits, the parts get the time
        improve_share = 0.0
    improve_s = max(0.0, improve_share) * limits.time_limit_s
    left = max(1.0, limits.time_limit_s - (time.monotonic() - t0) - improve_s)
    part_limit = limits.time_limit_s if budget == "part" else max(1.0, left / rounds)
    part_limits = dataclasses.replace(limits, time_limit_s=part_limit)
    jobs = [(parts[k].problem, part_limits, parts[k].from_whole(initial)) for k in todo]
    grace = 5.0 + 0.1 * part_limit
    results = _solve_parts(engine_runner, jobs, workers, part_limit + grace)
    merged: Routes = []
    solved = fell_back = 0
    notes = []
    for k, res, job in zip(todo, results, jobs):
        part, start = parts[k], job[2]
        fallback = objective(part.problem, start)
        found = None
        if isinstance(res, EngineResult) and res.routes and res.objective != float("inf"):
            found = insert_leftovers(part.problem, res.routes)[0]  # the engine's routes, filled up
        got = objective(part.problem, found) if found is not None else None
        if got is not None and got < fallback:  # a tie keeps the construction
            merged += part.to_whole(found)
            solved += 1
        else:
            merged += part.to_whole(start)
            fell_back += 1
        notes.append(f"{got:.0f}" if got is not None else (res if isinstance(res, str) else res.status)[:60])
        notes[-1] += f"/{fallback:.0f}"
    prepared = _lanes(problem) if improve_share > 0 else None  # built once for both passes
    routes, inserted, dropped = insert_leftovers(problem, merged, prepared)
    obj = objective(problem, routes)
    seam = ""
    if improve_share > 0:
        from .improve import improve

        iters = 10 * limits.solution_limit if limits.solution_limit else None
        # the time left (the parts may have ended early); at least the share kept for it
        spend = max(improve_s, limits.time_limit_s - (time.monotonic() - t0)) if budget == "wall" else improve_s
        better, st = improve(problem, routes, spend, seed=limits.seed, max_iterations=iters, lanes=prepared,
                             focus=seams)
        if objective(problem, better) <= obj:
            routes, obj = better, objective(problem, better)
        seam = (f"; whole-problem improvement from {len(seams)} seam visits: {st['gain']:.1f} points in "
                f"{st['seconds']:.1f} s ({st['iterations']} iterations)")
    if obj > objective(problem, initial):  # never worse than the construction it started from
        routes = insert_leftovers(problem, initial)[0]
        obj = objective(problem, routes)
    elapsed = time.monotonic() - t0
    if progress:
        progress(elapsed, obj)
    status = (f"decomposed into {len(parts)} parts ({len(todo)} with visits, {part_limit:.0f} s each): "
              f"{solved} by {name}, {fell_back} kept the construction; seams: {inserted} visits inserted"
              + (f", {dropped} dropped" if dropped else "")
              + seam + f"; part objectives {name}/construction: {', '.join(notes)}")
    return EngineResult(f"decomposed({name})", routes, obj, status, [(elapsed, obj)])


__all__ = ["DECOMPOSE_ABOVE", "IMPROVE_SHARE", "MAX_PART_VISITS", "PART_ENGINE", "SEAM_S", "seam_visits", "Part", "insert_leftovers", "should_decompose",
           "solve_decomposed", "split", "sub_problem"]
