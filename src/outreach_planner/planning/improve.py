"""A short improvement of a whole plan: ruin and recreate with the construction's insertion.

:func:`improve` takes routes of a :class:`~outreach_planner.planning.problem.Problem` (the
``EngineResult.routes`` format, e.g. the construction's or the parts of a decomposition joined) and,
until its time or iteration limit, repeats: take a routed visit at random and its nearest routed
neighbours (by driving time, whichever vehicles make them: across the seams of a decomposition too),
remove them, and refill the vehicles that lost visits, plus the vehicles of the next nearest visits,
by the construction's greedy insertion (:func:`~outreach_planner.planning.construct._insert_greedily`)
from every visit no other vehicle makes (the removed ones and those left out). The change is kept when
the objective (driving cost plus the value of the optional visits left out,
:func:`~outreach_planner.planning.construct.objective`) does not get worse, else undone.

Every route is re-checked exactly by the construction's rules first (a route they reject is left as it
is and never touched), and every insertion is checked exactly before it is made, so the routes stay
feasible: shifts, fixed breaks, windows, kits, restrictions, same-day groups and delivery capacity.
Start times are the earliest feasible ones. Deterministic for a given ``seed`` and iteration limit.
"""

from __future__ import annotations

import random
import time

import numpy as np

from ..units import VALUE_SCALE, scaled_value
from .construct import _insert_greedily, _lanes, objective
from .problem import Problem

Routes = list[tuple[int, list[tuple[int, int]]]]


class _Where:
    """``where`` of :func:`_insert_greedily` restricted to some lanes (their positions in ``sub``)."""

    def __init__(self, where, pos: dict[int, int]):
        self.where, self.pos = where, pos

    def __getitem__(self, visit: int) -> list[tuple[int, int]]:
        return [(self.pos[r], c) for r, c in self.where[visit] if r in self.pos]


def improve(problem: Problem, routes: Routes, time_limit_s: float, seed: int = 0,
            max_iterations: int | None = None, remove: tuple[int, int] = (10, 40),
            on_better=None, pool: int | None = 8, stall: int | None = 300,
            threshold: float = 0.003, lanes=None, focus=None) -> tuple[Routes, dict]:
    """Improve ``routes`` by ruin and recreate (see the module docstring) for at most ``time_limit_s``.

    ``remove``: the number of visits removed per iteration, drawn uniformly from this range (10-40:
    on the default week, 5 s, 3-12 gained 17-26 objective points, 5-25 23-33, 10-40 54-75, 15-60 61-77
    with fewer iterations, 40-120 39-66; ``benchmarks/results/improve.md``). ``on_better(elapsed_s,
    objective, routes_fn)`` is called after each change that lowers the objective (``routes_fn()`` gives the
    routes then). ``pool``: the refill considers the removed visits and the left-out ones among the
    ``pool x removed`` visits nearest the first one removed (None: every left-out visit), which keeps an
    iteration's cost independent of the problem's size. ``stall``: after this many iterations without a
    new best (None: never), a change is also kept when it leaves the objective within ``threshold`` x the
    best objective of the best (record-to-record travel; the threshold shrinks to 0 by the end of the
    time or iteration limit); the best plan seen is returned. ``lanes``: ``construct._lanes(problem)``
    already built (in any state: they are reset here), which saves building them (seconds at 6,000 visits).
    ``focus``: visit indices; each removal then starts at a routed one of them (none routed: nothing to do).
    Returns (the best routes seen, stats): ``iterations``, ``accepted`` (changes kept that lowered the
    objective), ``gain`` (objective points gained by the best routes), ``seconds``.
    """
    t0 = time.monotonic()
    p = problem
    rng = random.Random(seed)
    lanes, where = lanes if lanes is not None else _lanes(p)
    for lane in lanes:  # as _lanes made them: empty, every candidate with a feasible interval open
        lane.seq, lane.starts, lane.used_load = [], [], 0
        lane.open[:] = (lane.lo <= lane.hi).any(axis=1) if lane.lo.size else False
    base_open = [lane.open.copy() for lane in lanes]
    local = [{int(i): c for c, i in enumerate(lane.cand.tolist())} for lane in lanes]
    routed = np.full(len(p.visits), -1, dtype=np.int64)  # visit -> lane making it
    frozen: set[int] = set()  # lanes whose given route these rules reject: left alone
    for vi, seq in routes:
        lane = lanes[vi]
        locs = [local[vi].get(i) for i, _ in seq]
        starts = lane.schedule(locs) if None not in locs else None
        if starts is None or any(routed[i] >= 0 for i, _ in seq) or len({i for i, _ in seq}) < len(seq):
            frozen.add(vi)
            lane.open[:] = False
            kept = [(i, s) for i, s in seq]
            lane.frozen_route = kept  # type: ignore[attr-defined]
            for i, _ in seq:
                routed[i] = vi if routed[i] < 0 else routed[i]
            continue
        lane.seq, lane.starts = locs, starts
        lane.used_load = int(sum(int(lane.load[c]) for c in locs))
        for i, _ in seq:
            routed[i] = vi
    group_of: dict[int, list[int]] = {i: g for g in p.same_day_groups for i in g}
    required = np.zeros(len(p.visits), dtype=bool)
    required[list(p.required)] = True
    penalty = np.array([max(1, scaled_value(v.value)) for v in p.visits], dtype=np.int64)
    scale = p.travel_cost_per_s * VALUE_SCALE
    node_of = np.arange(len(p.visits)) + p.n_depots

    def arc_cost(r: int) -> int:
        lane = lanes[r]
        if not lane.seq:
            return 0
        nodes = np.array([lane.veh.start_node] + [int(lane.cnode[c]) for c in lane.seq] + [lane.veh.end_node])
        arcs = lane.dur[nodes[:-1], nodes[1:]].astype(np.float64)
        return int(np.round(arcs * scale).astype(np.int64).sum())

    n_dates = max((v.date_index for v in p.vehicles), default=0) + 1
    gid = np.full(len(p.visits), -1, dtype=np.int64)  # visit -> its same-day group
    for g_i, g in enumerate(p.same_day_groups):
        gid[g] = g_i
    lane_date = np.array([lane.veh.date_index for lane in lanes], dtype=np.int64)
    lane_gloc = [np.flatnonzero(gid[lane.cand] >= 0) for lane in lanes]  # local candidates in a group

    def group_days() -> np.ndarray:
        """(groups, dates): how many visits of each same-day group are made on each date."""
        used = np.zeros((max(1, len(p.same_day_groups)), n_dates), dtype=np.int64)
        on = np.flatnonzero((routed >= 0) & (gid >= 0))
        np.add.at(used, (gid[on], lane_date[routed[on]]), 1)
        return used

    in_pool = np.ones(len(p.visits), dtype=bool)

    def reopen(r: int, used: np.ndarray) -> None:
        lane = lanes[r]
        lane.open[:] = base_open[r] & (routed[lane.cand] < 0) & in_pool[lane.cand]
        loc = lane_gloc[r]
        if len(loc):  # a group mate made on this lane's date blocks it (the visit itself is not routed)
            lane.open[loc] &= used[gid[lane.cand[loc]], lane_date[r]] == 0

    iterations = accepted = 0
    gain = 0  # best so far, below the start (scaled units)
    cur = 0  # the current plan's objective minus the start's (scaled units)
    since_best = 0
    best_routes: Routes | None = None  # None: the lanes hold the best plan
    obj0 = objective(p, routes)
    focus_mask = None
    if focus is not None:
        focus_mask = np.zeros(len(p.visits), dtype=bool)
        focus_mask[list(focus)] = True
    movable = [r for r in range(len(lanes)) if r not in frozen]

    def current(instead: dict | None = None) -> Routes:
        """The lanes' routes (``instead``: lane -> (seq, starts, load) to use for those lanes)."""
        out: Routes = []
        for r, lane in enumerate(lanes):
            seq, starts = (instead[r][0], instead[r][1]) if instead and r in instead else (lane.seq, lane.starts)
            if r in frozen:
                out.append((lane.veh.index, lane.frozen_route))  # type: ignore[attr-defined]
            elif seq:
                out.append((lane.veh.index, [(int(lane.cand[c]), s) for c, s in zip(seq, starts)]))
        return out

    while (max_iterations is None or iterations < max_iterations) and time.monotonic() - t0 < time_limit_s:
        on = np.flatnonzero((routed >= 0))
        on = on[[int(routed[i]) not in frozen for i in on]] if frozen else on
        if len(on) == 0 or not movable:
            break
        iterations += 1
        starts_at = on if focus_mask is None else on[focus_mask[on]]
        if len(starts_at) == 0:
            break
        i0 = int(starts_at[rng.randrange(len(starts_at))])
        m = lanes[int(routed[i0])].dur
        n0 = p.node(i0)
        near = on[np.argsort(m[n0, node_of[on]].astype(np.int64) + m[node_of[on], n0], kind="stable")]
        q = rng.randint(*remove)
        out = [int(i) for i in near[:q]]
        touched = sorted({int(routed[i]) for i in out})
        extra = [int(routed[i]) for i in near[q:3 * q]]
        chosen = touched + [r for r in dict.fromkeys(extra) if r not in touched][:2]
        if rng.random() < 0.5:  # an idle vehicle starting where one touched starts (its base or lodging), if any
            r0 = touched[rng.randrange(len(touched))]
            idle = [r for r in movable if not lanes[r].seq and r not in chosen
                    and lanes[r].veh.start_node == lanes[r0].veh.start_node]
            if idle:
                chosen.append(idle[rng.randrange(len(idle))])
        saved = {r: (lanes[r].seq, lanes[r].starts, lanes[r].used_load) for r in chosen}
        before_cost = sum(arc_cost(r) for r in chosen)
        before_on = {int(lanes[r].cand[c]) for r in chosen for c in lanes[r].seq}
        gone = set(out)
        ok = True
        for r in touched:
            lane = lanes[r]
            seq = [c for c in lane.seq if int(lane.cand[c]) not in gone]
            starts = lane.schedule(seq)
            if starts is None:
                ok = False
                break
            lane.seq, lane.starts = seq, starts
            lane.used_load = int(sum(int(lane.load[c]) for c in seq))
        if not ok:
            for r, (seq, starts, load) in saved.items():
                lanes[r].seq, lanes[r].starts, lanes[r].used_load = seq, starts, load
            continue
        routed[out] = -1
        if pool is not None:
            everyone = np.arange(len(p.visits))
            d0 = m[n0, node_of].astype(np.int64) + m[node_of, n0]
            in_pool[:] = False
            in_pool[everyone[np.argsort(d0, kind="stable")[:pool * q]]] = True
            in_pool[out] = True
        used = group_days()
        for r in chosen:
            reopen(r, used)
        pos = {r: k for k, r in enumerate(chosen)}
        _insert_greedily(p, [lanes[r] for r in chosen], _Where(where, pos), group_of)
        after_on = {int(lanes[r].cand[c]) for r in chosen for c in lanes[r].seq}
        lost = before_on - after_on
        won = after_on - before_on
        delta = (sum(arc_cost(r) for r in chosen) - before_cost
                 + int(penalty[[i for i in lost if not required[i]]].sum())
                 - int(penalty[[i for i in won if not required[i]]].sum()))
        slack = 0
        if stall is not None and since_best >= stall:
            frac = (iterations / max_iterations if max_iterations
                    else (time.monotonic() - t0) / max(time_limit_s, 1e-9))
            slack = int(threshold * max(0.0, 1.0 - frac) * (obj0 * VALUE_SCALE - gain))
        since_best += 1
        if any(required[i] for i in lost) or (delta > 0 and cur + delta > -gain + slack):
            for i in after_on:
                routed[i] = -1
            for r, (seq, starts, load) in saved.items():
                lanes[r].seq, lanes[r].starts, lanes[r].used_load = seq, starts, load
                for c in seq:
                    routed[int(lanes[r].cand[c])] = r
            continue
        for r in chosen:
            for c in lanes[r].seq:
                routed[int(lanes[r].cand[c])] = r
        if delta > 0 and cur == -gain:  # this change leaves the best plan: keep a copy of it
            best_routes = current(saved)
        cur += delta
        if delta < 0:
            accepted += 1
        if cur < -gain:  # a new best: the lanes hold it
            gain, since_best, best_routes = -cur, 0, None
            if on_better is not None:
                on_better(time.monotonic() - t0, obj0 - gain / VALUE_SCALE, current)
        elif cur == -gain:
            best_routes = None

    out_routes = current() if best_routes is None else best_routes
    stats = {"iterations": iterations, "accepted": accepted, "gain": gain / VALUE_SCALE,
             "seconds": round(time.monotonic() - t0, 2)}
    return out_routes, stats


__all__ = ["improve"]
