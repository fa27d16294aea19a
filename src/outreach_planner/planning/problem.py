"""The engine-neutral weekly problem: visits, team-days, windows, skills, values, matrices.

Node 0..D-1 are the depots, node D+i is visit ``i``. Times are absolute weekly
seconds (after Monday 00:00 local). Every engine reads only this.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .demand import Visit
from ..model import Team, Workspace
from ..travel import TravelModel
from ..units import seconds
from ..week import Week


@dataclass(frozen=True)
class Vehicle:
    """One team on one date: its shift and fixed breaks, in absolute seconds."""

    index: int
    team: str
    date_index: int
    depot_node: int
    profile: str
    kits: int
    start_s: int
    end_s: int
    breaks: tuple[tuple[int, int], ...]
    delivery_capacity: int  # capacity in ``Problem.load`` units (deliveries for the weekly planner)


@dataclass(frozen=True)
class Excluded:
    """A visit no vehicle can make; carried into the plan's ``unassigned``."""

    visit: int
    reason: str
    detail: str


@dataclass
class Problem:
    """Everything an engine needs. Read-only by convention."""

    week: Week
    depots: list[str]
    nodes: list[tuple[float, float]]
    visits: list[Visit]
    vehicles: list[Vehicle]
    durations: dict[str, np.ndarray]  # profile -> (n, n) seconds
    distances: dict[str, np.ndarray]  # profile -> (n, n) metres
    service_s: dict[int, list[int]]  # kits -> seconds on site per node (depots 0)
    allowed: list[list[int]]  # visit -> vehicle indices that may make it
    same_day_groups: list[list[int]]  # visits of which at most one per date
    travel_cost_per_s: float  # value points per second of driving
    excluded: list[Excluded] = field(default_factory=list)
    #: visit -> units it takes of ``Vehicle.delivery_capacity``; empty: 1 per delivery, 0 otherwise.
    #: Generic so that benchmark CVRP/VRPTW demands fit the same model.
    demand: list[int] = field(default_factory=list)
    #: visits that must be made (no skipping); the weekly planner has none, benchmarks have all.
    required: frozenset[int] = frozenset()

    @property
    def n_depots(self) -> int:
        """Number of depot nodes."""
        return len(self.depots)

    def node(self, visit: int) -> int:
        """Node index of visit ``visit``."""
        return self.n_depots + visit

    def windows(self, visit: int) -> tuple[tuple[int, int], ...] | None:
        """Absolute (open, close) intervals the visit must fit in; None: any time in a shift."""
        return self.visits[visit].windows

    def load(self, visit: int) -> int:
        """Capacity units visit ``visit`` takes (see ``demand``)."""
        if self.demand:
            return self.demand[visit]
        return 1 if self.visits[visit].kind == "delivery" else 0


def _team_can(team: Team, v: Visit, ws: Workspace) -> bool:
    if v.kind == "delivery":
        return team.can_deliver or (ws.policy.outreach_teams_deliver and team.delivery_capacity > 0)
    if v.kind not in team.activities:
        return False
    if not set(v.services) <= set(team.services):
        return False
    return not (v.needs_kit and team.recording_kits == 0)


def build_vehicles(ws: Workspace, week: Week) -> list[Vehicle]:
    """One vehicle per team and working date of the week, with the team's (or office) shift."""
    depot_node = {d.id: i for i, d in enumerate(ws.depots)}
    out: list[Vehicle] = []
    for team in ws.teams:
        for di, date in enumerate(week.dates):
            wd = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[date.weekday()]
            if wd not in team.days or not ws.calendar.is_working_day(date):
                continue
            hours = (team.shift or {}).get(wd) or ws.calendar.shift(date)
            if hours is None:
                continue
            start, end = week.abs_s(date, hours.start), week.abs_s(date, hours.end)
            breaks = tuple(sorted(
                (max(start, week.abs_s(date, b.start)), min(end, week.abs_s(date, b.end)))
                for b in ws.calendar.breaks_on(date)
                if week.abs_s(date, b.start) < end and week.abs_s(date, b.end) > start
            ))
            out.append(Vehicle(len(out), team.id, di, depot_node[team.depot], team.vehicle,
                               team.recording_kits, start, end, breaks, team.delivery_capacity))
    return out


def _free_spans(veh: Vehicle) -> list[tuple[int, int]]:
    spans, t = [], veh.start_s
    for b0, b1 in sorted(veh.breaks):
        spans.append((t, b0))
        t = b1
    spans.append((t, veh.end_s))
    return spans


def session_caps(ws: Workspace, week: Week, travel: TravelModel) -> dict[str, float]:
    """Longest session (minutes) a day trip to each village allows, over every village-session team-day.

    A session must lie between breaks, after the drive out and before the drive back.
    """
    vehicles = [v for v in build_vehicles(ws, week)
                if "village_session" in next(t for t in ws.teams if t.id == v.team).activities]
    caps: dict[str, float] = {}
    if not vehicles:
        return caps
    pts = [(d.lon, d.lat) for d in ws.depots] + [(v.lon, v.lat) for v in ws.villages]
    nd = len(ws.depots)
    mats = {prof: travel.matrices(pts, prof)[0] for prof in {v.profile for v in vehicles}}
    for k, vil in enumerate(ws.villages):
        best = 0
        for veh in vehicles:
            m = mats[veh.profile]
            go, back = int(m[veh.depot_node, nd + k]), int(m[nd + k, veh.depot_node])
            for a, b in _free_spans(veh):
                best = max(best, min(b, veh.end_s - back) - max(a, veh.start_s + go))
        caps[vil.code] = best / 60
    return caps


def _fits(p: Problem, vi: int, veh: Vehicle) -> bool:
    """Whether visit ``vi`` alone fits a day of ``veh`` (round trip, time on site, windows, breaks)."""
    node, dep = p.node(vi), veh.depot_node
    go = int(p.durations[veh.profile][dep, node])
    back = int(p.durations[veh.profile][node, dep])
    dur = p.service_s[veh.kits][node]
    wins = p.windows(vi)
    for s0, s1 in _free_spans(veh):
        lo, hi = max(s0, veh.start_s + go), min(s1, veh.end_s - back)
        cands = [(lo, hi)] if wins is None else [(max(lo, a), min(hi, b)) for a, b in wins]
        if any(b - a >= dur for a, b in cands):
            return True
    return False


def build_problem(ws: Workspace, week: Week, visits: list[Visit], travel: TravelModel) -> Problem:
    """Assemble the problem and pre-exclude visits no vehicle could make, with the reason."""
    vehicles = build_vehicles(ws, week)
    nodes = [(d.lon, d.lat) for d in ws.depots] + [(v.lon, v.lat) for v in visits]
    profiles = sorted({veh.profile for veh in vehicles} or {t.vehicle for t in ws.teams})
    durations, distances = {}, {}
    for prof in profiles:
        durations[prof], distances[prof] = travel.matrices(nodes, prof)
    kits_values = sorted({veh.kits for veh in vehicles} | {0})
    nd = len(ws.depots)
    service_s = {k: [0] * nd + [seconds(v.minutes(k)) for v in visits] for k in kits_values}
    w = ws.policy.priority
    p = Problem(week, [d.id for d in ws.depots], nodes, visits, vehicles, durations, distances, service_s,
                [[] for _ in visits], [], w.travel_hour_value / 3600.0)

    teams = {t.id: t for t in ws.teams}
    for i, v in enumerate(visits):
        skilled = [veh for veh in vehicles if _team_can(teams[veh.team], v, ws)]
        skilled_teams = [t for t in ws.teams if _team_can(t, v, ws)]
        if not skilled_teams:
            p.excluded.append(Excluded(i, "no_skill", _skill_detail(v)))
            continue
        if not skilled:
            p.excluded.append(Excluded(i, "no_window", "no team that could make it works this week"))
            continue
        in_window = [veh for veh in skilled if _window_overlaps(v, veh)]
        if not in_window:
            p.excluded.append(Excluded(i, "no_window", _window_detail(v)))
            continue
        fitting = [veh.index for veh in in_window if _fits(p, i, veh)]
        if not fitting:
            p.excluded.append(Excluded(i, "unreachable",
                                       "the round trip from the office plus the time on site does not fit "
                                       "into any shift (or window) of a team that could make it"))
            continue
        p.allowed[i] = fitting
    groups: dict[str, list[int]] = {}
    for i, v in enumerate(visits):
        if v.kind == "village_session" and p.allowed[i]:
            groups.setdefault(v.ref, []).append(i)
    p.same_day_groups = [g for g in groups.values() if len(g) > 1]
    return p


def _window_overlaps(v: Visit, veh: Vehicle) -> bool:
    if v.windows is None:
        return True
    return any(a < veh.end_s and b > veh.start_s for a, b in v.windows)


def _skill_detail(v: Visit) -> str:
    need = f"services {', '.join(v.services)}" if v.services else "delivery"
    kit = " and a recording kit" if v.needs_kit else ""
    return f"needs a team doing {v.kind.replace('_', ' ')} with {need}{kit}"


def _window_detail(v: Visit) -> str:
    if v.kind == "delivery":
        return "the document is not ready before the week ends"
    if v.kind == "school_session":
        return "no school hours overlap a shift of a team that could make it"
    if not v.windows:
        return "no availability window falls in this week"
    return "its availability windows fall on no shift of a team that could make it"
