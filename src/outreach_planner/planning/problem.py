"""The engine-neutral weekly problem: visits, team-days, windows, skills, values, matrices.

Node 0..D-1 are the depots, node D+i is visit ``i``. The depots are the offices, then (when some
team may go on field trips) the workspace's lodgings: ``Problem.n_offices`` of them are offices.
A vehicle starts at ``start_node`` and ends at ``end_node`` (both its office ``depot_node`` on a
day trip; a lodging node on a field-trip day, see :mod:`outreach_planner.planning.trips`). Times are absolute weekly
seconds (after Monday 00:00 local). Every engine reads only this.

Nodes and places (memory)
-------------------------
Several nodes often stand at one point: the sessions of a village (one node per session),
a school or home visit at a village's point, two offices in one building. Travel matrices
are therefore kept per *place* (distinct (lon, lat), compared exactly), not per node:

``node_place``
    ``int32`` array (n,): node -> place index. Places are numbered in order of first
    appearance over the nodes (so with distinct depots, place ``d`` is depot ``d``).
``place_durations[profile]``, ``place_distances[profile]``
    (P, P) arrays over places, per *travel* profile (vehicle kind: ``car``, ``motorbike``)
    only, built as ``int32`` whole seconds and whole metres (the travel model's figures,
    exact; ``int64`` only if a figure exceeded 2**31). Kits and restrictions are not travel
    profiles: on-site time is ``service_s[kits]`` per node, who may make a visit is ``allowed``.
``durations[profile]``, ``distances[profile]`` (read-only properties)
    :class:`NodeMatrix` views indexed by *node*: ``m[a, b]`` is
    ``place_matrix[node_place[a], node_place[b]]`` for ints, index arrays, ``np.ix_`` pairs
    and slices, without expanding anything; ``np.asarray(m)`` expands to (n, n) when a
    consumer really needs the full node matrix (OR-Tools' transit lists).

A problem built by hand (tests, benchmarks) may pass node-indexed matrices as
``place_durations``/``place_distances`` and leave ``node_place`` out: every node is then its
own place. Assigning ``problem.durations = {...}`` (node-indexed) is allowed only on such a
problem.

All fields are plain values (lists, dicts, numpy arrays, frozen dataclasses), so a
sub-problem is a new ``Problem`` over a subset of visits and vehicles: keep the depots,
take ``nodes``/``node_place`` of the kept nodes, and either keep the place matrices whole
(no copy) or take ``place_matrix[np.ix_(kept_places, kept_places)]`` and renumber
``node_place``; ``service_s`` is per node, ``allowed`` per visit with vehicle indices.
At 6,192 candidates (6,206 nodes, 4,256 places, two profiles) the four place matrices take
290 MB; node-indexed ``int32`` would take 616 MB and the former node-indexed ``int64`` 1,232 MB.
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
    #: where the day starts and ends (depot nodes); -1: ``depot_node`` (a day trip)
    start_node: int = -1
    end_node: int = -1
    #: field trip id of this day (None: a day trip); see planning/trips.py
    trip: str | None = None

    def __post_init__(self):
        if self.start_node < 0:
            object.__setattr__(self, "start_node", self.depot_node)
        if self.end_node < 0:
            object.__setattr__(self, "end_node", self.depot_node)


#: ``Excluded.detail`` of a visit only a field trip not chosen this week would reach (planning/trips.py).
NOT_ON_THIS_SHAPE = ("only reachable from a lodging on a field trip, and no trip chosen this week goes there")


@dataclass(frozen=True)
class Excluded:
    """A visit no vehicle can make; carried into the plan's ``unassigned``."""

    visit: int
    reason: str
    detail: str


class NodeMatrix:
    """A (nodes x nodes) view of a (places x places) matrix; see the module docstring.

    ``m[a, b]`` maps ``a`` and ``b`` (ints, integer arrays, ``np.ix_`` pairs, slices) through
    ``node_place`` and indexes the place matrix, with numpy's semantics (``m[a, b]`` equals
    ``np.asarray(m)[a, b]``: two arrays pair up element-wise, a slice with anything takes the
    block); nothing is expanded. ``np.asarray(m)`` is the full (n, n) node matrix (a new array).
    """

    __slots__ = ("place", "node_place")

    def __init__(self, place: np.ndarray, node_place: np.ndarray):
        self.place = place
        self.node_place = node_place

    def __getitem__(self, key):
        a, b = key
        np_ = self.node_place
        if isinstance(a, slice) or isinstance(b, slice):  # numpy: a slice does not pair up, it spans
            return self.place[np_[a]][..., np_[b]]
        return self.place[np_[a], np_[b]]

    @property
    def shape(self) -> tuple[int, int]:
        """(n, n): nodes by nodes."""
        return (len(self.node_place), len(self.node_place))

    @property
    def dtype(self):
        """The place matrix's dtype."""
        return self.place.dtype

    def __len__(self) -> int:
        return len(self.node_place)

    def __array__(self, dtype=None, copy=None):
        out = self.place[np.ix_(self.node_place, self.node_place)]
        return out if dtype is None else out.astype(dtype, copy=False)

    def max(self):
        """Largest entry (of the places actually used by nodes)."""
        used = np.unique(self.node_place)
        return self.place[np.ix_(used, used)].max()


@dataclass
class Problem:
    """Everything an engine needs. Read-only by convention. Matrices: see the module docstring."""

    week: Week
    depots: list[str]
    nodes: list[tuple[float, float]]
    visits: list[Visit]
    vehicles: list[Vehicle]
    place_durations: dict[str, np.ndarray]  # travel profile -> (P, P) int32 seconds between places
    place_distances: dict[str, np.ndarray]  # travel profile -> (P, P) int32 metres between places
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
    #: node -> place index (int32, shape (n,)); None when built: every node its own place.
    node_place: np.ndarray | None = None
    #: how many of ``depots`` are offices (the rest are lodgings); None: all
    n_offices: int | None = None
    #: value points of the field-trip nights of the vehicles' shape (a constant of the shape)
    night_cost: float = 0.0
    #: with lodgings: visit -> vehicles that may make it on some field-trip shape (``allowed`` is for the
    #: vehicles' current start/end); None: no lodgings (``allowed`` is all there is)
    trip_allowed: list[list[int]] | None = None
    #: team id -> the team's name, for the texts a person reads (explain.py); empty: the ids
    team_names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if self.n_offices is None:
            self.n_offices = len(self.depots)
        n = len(self.nodes)
        if self.node_place is None:
            self.node_place = np.arange(n, dtype=np.int32)
        else:
            self.node_place = np.asarray(self.node_place, dtype=np.int32)
        if self.node_place.shape != (n,):
            raise ValueError(f"node_place has shape {self.node_place.shape}, expected ({n},)")

    @property
    def n_places(self) -> int:
        """Number of distinct places (rows of the place matrices)."""
        return int(self.node_place.max()) + 1 if len(self.node_place) else 0

    @property
    def places(self) -> list[tuple[float, float]]:
        """(lon, lat) of each place (the first node at it)."""
        out: list = [None] * self.n_places
        for node in range(len(self.node_place) - 1, -1, -1):
            out[self.node_place[node]] = self.nodes[node]
        return out

    @property
    def durations(self) -> dict[str, NodeMatrix]:
        """Travel profile -> node-indexed view of the place durations (seconds)."""
        return {prof: NodeMatrix(m, self.node_place) for prof, m in self.place_durations.items()}

    @durations.setter
    def durations(self, mats: dict[str, np.ndarray]) -> None:
        self._set_node_matrices("place_durations", mats)

    @property
    def distances(self) -> dict[str, NodeMatrix]:
        """Travel profile -> node-indexed view of the place distances (metres)."""
        return {prof: NodeMatrix(m, self.node_place) for prof, m in self.place_distances.items()}

    @distances.setter
    def distances(self, mats: dict[str, np.ndarray]) -> None:
        self._set_node_matrices("place_distances", mats)

    def _set_node_matrices(self, attr: str, mats: dict[str, np.ndarray]) -> None:
        if not np.array_equal(self.node_place, np.arange(len(self.nodes))):
            raise ValueError(f"nodes share places here: set {attr} (place-indexed), not node matrices")
        setattr(self, attr, dict(mats))

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
            if wd not in team.days or date in team.days_off or not ws.calendar.is_working_day(date):
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


def trip_lodgings(ws: Workspace) -> list:
    """The lodgings that become depot nodes (after the offices): all, when some team may go on field trips."""
    if not any(t.field_trips and t.max_nights_per_week > 0 and t.max_nights_in_row > 0 for t in ws.teams):
        return []
    return list(ws.lodgings)


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def away_options(ws: Workspace, week: Week, vehicles: list[Vehicle]) -> dict[int, tuple[bool, bool]]:
    """Vehicle index -> (may start away, may end away) under the field-trip rules.

    A day may end at a lodging only for a team with ``field_trips`` (and nights allowed), when it is
    not one of the team's ``home_days`` and the team works the next calendar day, which is not a home
    day either (no nights over weekends, holidays or days off; the week's last working day ends at
    base). A day may start away when the day before may end away.
    """
    teams = {t.id: t for t in ws.teams}
    by_day = {(v.team, v.date_index): v for v in vehicles}
    out: dict[int, tuple[bool, bool]] = {}

    def home(v: Vehicle) -> bool:
        return _WEEKDAYS[week.dates[v.date_index].weekday()] in teams[v.team].home_days

    def may_end(v: Vehicle) -> bool:
        t = teams[v.team]
        if not (t.field_trips and t.max_nights_per_week > 0 and t.max_nights_in_row > 0) or home(v):
            return False
        nxt = by_day.get((v.team, v.date_index + 1))
        return nxt is not None and not home(nxt)

    for v in vehicles:
        prev = by_day.get((v.team, v.date_index - 1))
        out[v.index] = (prev is not None and may_end(prev), may_end(v))
    return out


def session_caps(ws: Workspace, week: Week, travel: TravelModel) -> dict[str, float]:
    """Longest session (minutes) a day to each village allows, over every village-session team-day.

    A session must lie between breaks, after the drive out and before the drive back. The drive
    out is from the base, or from a lodging on a day that may start away; the drive back to the
    base, or to a lodging on a day that may end away (:func:`away_options`): a far village a team
    reaches from a lodging may get a longer session than a day trip allows.
    """
    vehicles = [v for v in build_vehicles(ws, week)
                if "village_session" in next(t for t in ws.teams if t.id == v.team).activities]
    caps: dict[str, float] = {}
    if not vehicles:
        return caps
    lodgings = trip_lodgings(ws)
    away = away_options(ws, week, vehicles)
    pts = [(d.lon, d.lat) for d in ws.depots] + [(x.lon, x.lat) for x in lodgings] + [(v.lon, v.lat) for v in ws.villages]
    nd = len(ws.depots) + len(lodgings)
    lnodes = list(range(len(ws.depots), nd))
    mats = {prof: np.asarray(travel.matrices(pts, prof)[0]) for prof in {v.profile for v in vehicles}}
    for k, vil in enumerate(ws.villages):
        best = 0
        for veh in vehicles:
            m = mats[veh.profile]
            s_away, e_away = away[veh.index]
            go = min([int(m[veh.depot_node, nd + k])] + ([int(m[ln, nd + k]) for ln in lnodes] if s_away else []))
            back = min([int(m[nd + k, veh.depot_node])] + ([int(m[nd + k, ln]) for ln in lnodes] if e_away else []))
            for a, b in _free_spans(veh):
                best = max(best, min(b, veh.end_s - back) - max(a, veh.start_s + go))
        caps[vil.code] = best / 60
    return caps


def place_index(points) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """(node -> place int32 array, distinct places in order of first appearance); equal (lon, lat) = one place."""
    index: dict[tuple[float, float], int] = {}
    node_place = np.empty(len(points), dtype=np.int32)
    for k, pt in enumerate(points):
        node_place[k] = index.setdefault((float(pt[0]), float(pt[1])), len(index))
    return node_place, list(index)


def _fits(p: Problem, vi: int, veh: Vehicle, starts: list[int] | None = None, ends: list[int] | None = None) -> bool:
    """Whether visit ``vi`` alone fits a day of ``veh`` (drive out, time on site, drive back, windows, breaks).

    The drive out is from ``veh.start_node`` (or the nearest of ``starts``), back to ``veh.end_node``
    (or the nearest of ``ends``).
    """
    m, pl = p.place_durations[veh.profile], p.node_place
    node = p.node(vi)
    go = min(int(m[pl[s], pl[node]]) for s in (starts or [veh.start_node]))
    back = min(int(m[pl[node], pl[e]]) for e in (ends or [veh.end_node]))
    dur = p.service_s[veh.kits][node]
    wins = p.windows(vi)
    for s0, s1 in _free_spans(veh):
        lo, hi = max(s0, veh.start_s + go), min(s1, veh.end_s - back)
        cands = [(lo, hi)] if wins is None else [(max(lo, a), min(hi, b)) for a, b in wins]
        if any(b - a >= dur for a, b in cands):
            return True
    return False


def build_problem(ws: Workspace, week: Week, visits: list[Visit], travel: TravelModel,
                  start_away: frozenset[tuple[str, int]] = frozenset()) -> Problem:
    """Assemble the problem and pre-exclude visits no vehicle could make, with the reason.

    ``start_away``: (team, date index) of days that may start at a lodging whatever the day before
    (a re-plan's first day after a recorded night away).
    """
    vehicles = build_vehicles(ws, week)
    lodgings = trip_lodgings(ws)
    nodes = [(d.lon, d.lat) for d in ws.depots] + [(x.lon, x.lat) for x in lodgings] + [(v.lon, v.lat) for v in visits]
    node_place, places = place_index(nodes)
    profiles = sorted({veh.profile for veh in vehicles} or {t.vehicle for t in ws.teams})
    durations, distances = {}, {}
    for prof in profiles:
        durations[prof], distances[prof] = travel.matrices(places, prof)
    kits_values = sorted({veh.kits for veh in vehicles} | {0})
    nd = len(ws.depots) + len(lodgings)
    service_s = {k: [0] * nd + [seconds(v.minutes(k)) for v in visits] for k in kits_values}
    w = ws.policy.priority
    p = Problem(week, [d.id for d in ws.depots] + [x.id for x in lodgings], nodes, visits, vehicles, durations,
                distances, service_s, [[] for _ in visits], [], w.travel_hour_value / 3600.0,
                node_place=node_place, n_offices=len(ws.depots), trip_allowed=[[] for _ in visits] if lodgings else None,
                team_names={t.id: t.name for t in ws.teams})
    # a field-trip team's day may start/end at a lodging: allowed is what some trip shape allows
    # (planning/trips.py narrows it to the chosen shape)
    away = away_options(ws, week, vehicles)
    lnodes = list(range(len(ws.depots), nd))
    reach = {veh.index: ([veh.depot_node] + (lnodes if away[veh.index][0] or (veh.team, veh.date_index) in start_away
                                             else []),
                         [veh.depot_node] + (lnodes if away[veh.index][1] else [])) for veh in vehicles}

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
        fitting = [veh.index for veh in in_window if _fits(p, i, veh, *reach[veh.index])]
        if not fitting:
            p.excluded.append(Excluded(i, "unreachable",
                                       "the round trip from the office plus the time on site does not fit "
                                       "into any shift (or window) of a team that could make it"))
            continue
        if lnodes:  # as built every day is a day trip: allowed is what day trips reach (and what trips may)
            p.trip_allowed[i] = fitting
            fitting = [vi for vi in fitting if _fits(p, i, vehicles[vi])]
            if not fitting:
                p.excluded.append(Excluded(i, "unreachable", NOT_ON_THIS_SHAPE))
        p.allowed[i] = fitting
    p.same_day_groups = same_day_groups(p)
    return p


def same_day_groups(p: Problem) -> list[list[int]]:
    """The sessions of each village some vehicle may make (groups of two or more): at most one of a group per date."""
    groups: dict[str, list[int]] = {}
    for i, v in enumerate(p.visits):
        if v.kind == "village_session" and p.allowed[i]:
            groups.setdefault(v.ref, []).append(i)
    return [g for g in groups.values() if len(g) > 1]


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
