"""A fast greedy construction: a valid plan in seconds at any size, for the engines to start from.

:func:`construct` inserts visits one at a time into the team-days (vehicles) of a
:class:`~outreach_planner.planning.problem.Problem`, always taking the insertion with the most net value
(value minus the driving it adds, priced at ``travel_cost_per_s``) per square root of the minutes
of team time it uses (time on site + added driving + waiting before the visit): between "most net
value" and "most net value per minute", which on the shipped week collect 1,957 and 1,938 value
points; the square root 1,969. Required visits go first. It respects
every rule the engines model:

* shifts: a route leaves its depot at the shift start at the earliest and is back by its end;
* fixed breaks: no visit overlaps a break; driving pauses for a break and goes on after it,
  computed exactly as ``validate.py`` computes the earliest arrival (and as
  ``planner._route_steps`` draws it);
* time windows (several per visit): the whole visit inside one window;
* on-site time by the vehicle's recording kits (``Problem.service_s[kits]``);
* restrictions (``Problem.allowed``), same-day groups (at most one visit of a group per date),
  delivery capacity (``Problem.load`` against ``Vehicle.delivery_capacity``).

Speed: per vehicle, the insertion of every open visit at every position is evaluated at once
with numpy (earliest departure per position forward, latest start per position backward, so a
candidate is checked in O(1) per position); after each insertion only the changed vehicle is
re-evaluated, and a visit made or blocked is struck from the other vehicles' stored scores. The
chosen insertion is re-checked by an exact forward simulation before it is committed.

Start times are the earliest feasible ones (each visit as soon as it can start).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..engines.base import EngineResult
from .problem import Problem, Vehicle
from ..units import VALUE_SCALE, scaled_value

_NEVER = np.iinfo(np.int64).max // 4
#: Scores of required visits are lifted by this, so that they are inserted before any optional one.
_REQUIRED_BONUS = 1e12


def _arrive(leave: int, travel: int, breaks: tuple[tuple[int, int], ...]) -> int:
    """Earliest arrival leaving at ``leave`` with ``travel`` s of driving, pausing for every break.

    The same rule as ``validate._earliest_arrival`` (breaks sorted by start).
    """
    t, rem = leave, travel
    for b0, b1 in breaks:
        if rem <= 0 or b1 <= t:
            continue
        if b0 >= t + rem:
            break
        if b0 > t:
            rem -= b0 - t
        t = max(t, b1)
    return t + max(0, rem)


def _arrive_np(leave: np.ndarray, travel: np.ndarray, breaks: tuple[tuple[int, int], ...]) -> np.ndarray:
    """:func:`_arrive` elementwise (broadcasting ``leave`` against ``travel``)."""
    t = np.broadcast_to(leave, np.broadcast(leave, travel).shape).astype(np.int64)
    rem = np.broadcast_to(travel, t.shape).astype(np.int64)
    for b0, b1 in breaks:
        act = (rem > 0) & (b1 > t) & (b0 < t + rem)
        if act.any():
            rem = np.where(act, rem - np.maximum(b0 - t, 0), rem)
            t = np.where(act, np.maximum(t, b1), t)
    return t + np.maximum(rem, 0)


def _latest_leave(arrive_by: int, travel: int, breaks: tuple[tuple[int, int], ...]) -> int:
    """The latest departure whose :func:`_arrive` is at most ``arrive_by`` (the inverse, exactly)."""
    if travel <= 0:
        return arrive_by
    t, rem = arrive_by, travel
    for b0, b1 in reversed(breaks):
        if b0 >= t:
            continue
        if b1 > t:  # arriving inside a break means arriving by its start
            t = b0
            continue
        if t - rem >= b1:
            break
        rem -= t - b1
        t = b0
    return t - rem


def _free_spans(veh: Vehicle) -> list[tuple[int, int]]:
    spans, t = [], veh.start_s
    for b0, b1 in veh.breaks:
        if b0 > t:
            spans.append((t, b0))
        t = max(t, b1)
    if veh.end_s > t:
        spans.append((t, veh.end_s))
    return spans


@dataclass
class _Lane:
    """One vehicle: its candidate visits (with feasible start intervals) and its route."""

    veh: Vehicle
    breaks: tuple[tuple[int, int], ...]
    dur: np.ndarray  # the profile's duration matrix
    cand: np.ndarray  # visit indices this vehicle may make
    cnode: np.ndarray  # their nodes
    svc: np.ndarray  # their on-site seconds for this vehicle
    lo: np.ndarray  # (c, K) feasible start intervals [lo, hi]; padding lo > hi
    hi: np.ndarray
    value: np.ndarray
    load: np.ndarray
    required: np.ndarray  # bool
    open: np.ndarray  # bool: still insertable on this vehicle
    score: np.ndarray = field(init=False)
    pos: np.ndarray = field(init=False)
    seq: list[int] = field(default_factory=list)  # local candidate indices in route order
    starts: list[int] = field(default_factory=list)
    used_load: int = 0
    best: float = -np.inf
    best_local: int = -1

    def __post_init__(self) -> None:
        self.score = np.full(len(self.cand), -np.inf)
        self.pos = np.zeros(len(self.cand), dtype=np.int64)

    # -- exact scalar checks -------------------------------------------------
    def earliest_start(self, local: int, arrival: int) -> int | None:
        best = None
        for a, b in zip(self.lo[local], self.hi[local]):
            s = max(int(a), arrival)
            if s <= b and (best is None or s < best):
                best = s
        return best

    def schedule(self, seq: list[int]) -> list[int] | None:
        """Earliest start of each visit of ``seq`` (local indices), or None when it does not fit."""
        v = self.veh
        t, prev, out = v.start_s, v.start_node, []
        for loc in seq:
            node = int(self.cnode[loc])
            s = self.earliest_start(loc, _arrive(t, int(self.dur[prev, node]), self.breaks))
            if s is None:
                return None
            out.append(s)
            t, prev = s + int(self.svc[loc]), node
        if _arrive(t, int(self.dur[prev, v.end_node]), self.breaks) > v.end_s:
            return None
        return out

    # -- vectorised evaluation -------------------------------------------------
    def insertions(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every insertion of candidates ``idx`` (local indices) at every position of the route.

        Returns ``(ok, dtravel, wait)``, each of shape (positions = len(seq) + 1, len(idx)):
        whether the insertion keeps the route feasible (shift, breaks, windows, the rest of the
        route still on time; delivery capacity is *not* checked here), the driving seconds it
        adds, and the seconds waited before the visit starts (both int64, whatever the matrix dtype).
        """
        v = self.veh
        nodes = np.array([v.start_node] + [int(self.cnode[k]) for k in self.seq] + [v.end_node])
        m = len(self.seq)
        dep = np.empty(m + 1, dtype=np.int64)
        dep[0] = v.start_s
        for j, loc in enumerate(self.seq):
            dep[j + 1] = self.starts[j] + int(self.svc[loc])
        # latest start of each node after position k (k = 0..m), so that the rest of the route still fits
        ls = np.empty(m + 1, dtype=np.int64)
        ls[m] = v.end_s
        for j in range(m - 1, -1, -1):
            loc = self.seq[j]
            leave_by = _latest_leave(int(ls[j + 1]), int(self.dur[nodes[j + 1], nodes[j + 2]]), self.breaks)
            latest = -_NEVER
            for a, b in zip(self.lo[loc], self.hi[loc]):
                s = min(int(b), leave_by - int(self.svc[loc]))
                if s >= a:
                    latest = max(latest, s)
            ls[j] = latest
        cn = self.cnode[idx]
        # int64 like every other time here: the matrices may be int32, and callers compare dtravel
        # against int64 sentinels (an int32 result would wrap them, e.g. explain's 2**61 - 1 to -1)
        t_in = self.dur[np.ix_(nodes[:-1], cn)].astype(np.int64)  # (m+1, c)
        t_out = self.dur[np.ix_(cn, nodes[1:])].T.astype(np.int64)  # (m+1, c)
        t_old = self.dur[nodes[:-1], nodes[1:]].astype(np.int64)  # (m+1,)
        arr = _arrive_np(dep[:, None], t_in, self.breaks)
        start = np.full(arr.shape, _NEVER, dtype=np.int64)
        lo, hi = self.lo[idx], self.hi[idx]
        for k in range(lo.shape[1]):
            s = np.maximum(lo[None, :, k], arr)
            start = np.where(s <= hi[None, :, k], np.minimum(start, s), start)
        svc = self.svc[idx]
        fin = start + svc[None, :]
        ok = start < _NEVER
        nxt = _arrive_np(np.where(ok, fin, 0), t_out, self.breaks)
        ok &= nxt <= ls[:, None]
        dtravel = t_in + t_out - t_old[:, None]
        return ok, dtravel, np.where(ok, start - arr, 0)

    def evaluate(self, cost_per_s: float) -> None:
        """Score the best insertion position of every open candidate; set ``best``."""
        v = self.veh
        self.score.fill(-np.inf)
        idx = np.flatnonzero(self.open)
        if len(idx) and v.delivery_capacity >= 0:
            room = v.delivery_capacity - self.used_load
            idx = idx[self.load[idx] <= room]
        if len(idx) == 0:
            self.best, self.best_local = -np.inf, -1
            return
        ok, dtravel, wait = self.insertions(idx)
        if not ok.any():
            self.best, self.best_local = -np.inf, -1
            return
        svc = self.svc[idx]
        net = self.value[idx][None, :] - cost_per_s * dtravel
        used = svc[None, :] + dtravel + wait
        sc = net / np.sqrt(np.maximum(used, 0) / 60.0 + 1.0)
        req = self.required[idx][None, :]
        sc = np.where(req, sc + _REQUIRED_BONUS, sc)
        sc = np.where(ok & ((net > 0) | req), sc, -np.inf)
        pos = np.argmax(sc, axis=0)
        best = sc[pos, np.arange(len(idx))]
        self.score[idx] = best
        self.pos[idx] = pos
        self.refresh()

    def refresh(self) -> None:
        """Best stored score (after candidates were struck)."""
        if len(self.score) == 0:
            self.best, self.best_local = -np.inf, -1
            return
        k = int(np.argmax(self.score))
        self.best, self.best_local = float(self.score[k]), k

    def strike(self, local: int) -> None:
        self.open[local] = False
        if self.score[local] != -np.inf:
            self.score[local] = -np.inf
            if local == self.best_local:
                self.refresh()


def _lanes(p: Problem) -> tuple[list[_Lane], list[list[tuple[int, int]]]]:
    """One lane per vehicle, and per visit the (lane, local index) pairs where it may go."""
    nv = len(p.vehicles)
    per: list[list[int]] = [[] for _ in range(nv)]
    for i, allowed in enumerate(p.allowed):
        for r in allowed:
            per[r].append(i)
    values = np.array([v.value for v in p.visits], dtype=float)
    loads = np.array([p.load(i) for i in range(len(p.visits))], dtype=np.int64)
    svc_of = {k: np.asarray(s, dtype=np.int64) for k, s in p.service_s.items()}
    where: list[list[tuple[int, int]]] = [[] for _ in p.visits]
    lanes = []
    for r, veh in enumerate(p.vehicles):
        cand = np.array(per[r], dtype=np.int64)
        cnode = cand + p.n_depots
        svc = svc_of[veh.kits][cnode] if len(cand) else np.zeros(0, dtype=np.int64)
        spans = _free_spans(veh)
        ivs: list[list[tuple[int, int]]] = []
        for i, d in zip(cand.tolist(), svc.tolist()):
            wins = p.windows(i) or ((veh.start_s, veh.end_s),)
            row = []
            for w0, w1 in wins:
                if w1 <= veh.start_s or w0 >= veh.end_s:
                    continue
                for f0, f1 in spans:
                    a, b = max(w0, f0), min(w1, f1) - d
                    if a <= b:
                        row.append((a, b))
            ivs.append(row)
        kmax = max((len(x) for x in ivs), default=0) or 1
        lo = np.full((len(cand), kmax), _NEVER, dtype=np.int64)
        hi = np.full((len(cand), kmax), -_NEVER, dtype=np.int64)
        for c, row in enumerate(ivs):
            for k, (a, b) in enumerate(row):
                lo[c, k], hi[c, k] = a, b
        lane = _Lane(veh, tuple(sorted(veh.breaks)), p.durations[veh.profile], cand, cnode, svc, lo, hi,
                     values[cand], loads[cand], np.isin(cand, list(p.required)),
                     np.array([bool(x) for x in ivs], dtype=bool))
        for c, i in enumerate(cand.tolist()):
            where[i].append((r, c))
        lanes.append(lane)
    return lanes, where


def plan_lanes(p: Problem, routes: list[tuple[int, list[tuple[int, int]]]]
               ) -> tuple[list[_Lane], list[list[tuple[int, int]]], list[bool]]:
    """The lanes of :func:`construct` holding ``routes`` (the ``EngineResult.routes`` format).

    Each route is re-timed at its earliest starts with :meth:`_Lane.schedule`, so that
    :meth:`_Lane.insertions` can then try any visit at any position of the plan's route with
    the same rules as the construction. Returns the lanes, per visit the (lane, local index)
    pairs where it may go, and per lane whether its route passed the exact re-check (a route
    these rules reject is left in the lane but flagged ``False``; its insertions mean nothing).
    """
    lanes, where = _lanes(p)
    local = [{int(i): c for c, i in enumerate(lane.cand.tolist())} for lane in lanes]
    ok = [True] * len(lanes)
    for vi, seq in routes:
        lane = lanes[vi]
        try:
            lane.seq = [local[vi][i] for i, _ in seq]
        except KeyError:  # a visit this vehicle may not make
            ok[vi] = False
            continue
        starts = lane.schedule(lane.seq)
        if starts is None:
            ok[vi] = False
            continue
        lane.starts = starts
        lane.used_load = int(sum(int(lane.load[c]) for c in lane.seq))
    return lanes, where, ok


def objective(p: Problem, routes: list[tuple[int, list[tuple[int, int]]]]) -> float:
    """Driving cost plus the value of allowed optional visits left out, in value points.

    The objective OR-Tools minimises (arc costs rounded per arc in ``VALUE_SCALE`` units).
    """
    scale = p.travel_cost_per_s * VALUE_SCALE
    cost = 0
    for vi, seq in routes:
        v = p.vehicles[vi]
        m = p.durations[v.profile]
        nodes = [v.start_node] + [p.node(i) for i, _ in seq] + [v.end_node]
        cost += sum(int(round(float(m[a, b]) * scale)) for a, b in zip(nodes, nodes[1:]))
    routed = {i for _, seq in routes for i, _ in seq}
    cost += sum(max(1, scaled_value(vis.value)) for i, vis in enumerate(p.visits)
                if p.allowed[i] and i not in routed and i not in p.required)
    return cost / VALUE_SCALE


def _insert_greedily(p: Problem, lanes: list, where: dict, group_of: dict[int, list[int]]) -> int:
    """Insert open visits into ``lanes`` while one fits and pays: always the best-scoring insertion of any
    lane (re-checked exactly before it is committed); returns how many visits went in.

    ``where``: visit -> its (lane, local index) pairs; ``group_of``: visit -> its same-day group.
    Lanes may already hold routes (struck candidates stay struck).
    """
    inserted = 0
    cost = p.travel_cost_per_s
    for lane in lanes:
        lane.evaluate(cost)
    best = np.array([lane.best for lane in lanes]) if lanes else np.zeros(0)
    while len(best):
        r = int(np.argmax(best))
        if best[r] == -np.inf:
            break
        lane = lanes[r]
        loc = lane.best_local
        at = int(lane.pos[loc])
        seq = lane.seq[:at] + [loc] + lane.seq[at:]
        starts = lane.schedule(seq)
        if starts is None:  # the screening was optimistic here: never insert this visit on this vehicle
            lane.strike(loc)
            best[r] = lane.best
            continue
        lane.seq, lane.starts = seq, starts
        lane.used_load += int(lane.load[loc])
        visit = int(lane.cand[loc])
        date = lane.veh.date_index
        for r2, l2 in where[visit]:
            lanes[r2].strike(l2)
            best[r2] = lanes[r2].best
        for other in group_of.get(visit, ()):
            if other == visit:
                continue
            for r2, l2 in where[other]:
                if lanes[r2].veh.date_index == date:
                    lanes[r2].strike(l2)
                    best[r2] = lanes[r2].best
        inserted += 1
        lane.evaluate(cost)
        best[r] = lane.best
    return inserted


def construct(problem: Problem) -> EngineResult:
    """A valid plan for ``problem`` by greedy insertion (see the module docstring).

    Returns routes as ``(vehicle index, [(visit index, start second), ...])``; ``status`` is
    ``"constructed"``, or ``"required visits left out"`` when some required visit found no place.
    """
    p = problem
    t0 = time.monotonic()
    lanes, where = _lanes(p)
    group_of: dict[int, list[int]] = {}
    for g in p.same_day_groups:
        for i in g:
            group_of[i] = g
    _insert_greedily(p, lanes, where, group_of)
    routes = [(lane.veh.index, [(int(lane.cand[loc]), s) for loc, s in zip(lane.seq, lane.starts)])
              for lane in lanes if lane.seq]
    routed = {i for _, seq in routes for i, _ in seq}
    status = "required visits left out" if set(p.required) - routed else "constructed"
    obj = objective(p, routes)
    return EngineResult("greedy", routes, obj, status, [(time.monotonic() - t0, obj)])


__all__ = ["construct", "objective", "plan_lanes"]
