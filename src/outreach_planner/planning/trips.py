"""Field trips: choose, team by team, where each team-day starts and ends (its week's *shape*).

"Trip shapes outer, exact routing inner": the routing problem stays one vehicle per team-day;
a vehicle starts at ``Vehicle.start_node`` and ends at ``Vehicle.end_node`` (depot nodes: the
offices, then the workspace's lodgings, see :func:`~outreach_planner.planning.problem.trip_lodgings`).
A *shape* gives every team its field trips; every other day is a day trip (base -> base). A
trip over the team's working days ``d .. d+n`` (``n`` nights at one lodging ``L``) is: day ``d``
base -> ``L``, the middle days ``L`` -> ``L``, day ``d+n`` ``L`` -> base. The rules
(:func:`trip_allowed`):

* only teams with ``field_trips``; trip days are consecutive calendar days the team works
  (no night over a weekend, a holiday or a team's day off), so the week's last working day ends
  at base;
* a home day (``Team.home_days``) starts and ends at base (no night before or after it);
* nights per team and week <= ``max_nights_per_week``, nights of one trip <= ``max_nights_in_row``,
  and a team's trips do not share a day;
* per night and lodging, teams sleeping there <= ``Lodging.capacity``.

A night costs ``Lodging.cost_per_night`` (default ``policy.night_cost``) value points: a constant
of the shape, in ``Problem.night_cost``.

The choice (:func:`choose_shape`) is greedy with the construction
(:func:`~outreach_planner.planning.construct.construct`, ~0.1 s on the default week) as the
evaluator: the score of a shape is the value its construction collects minus its driving cost
(``travel_cost_per_s``, including the drive of a trip day without visits) minus its night cost.
Starting from day trips only (and, in a re-plan, the trips the kept days began), each round
constructs the whole week with the current shape; then, per team that may go, it constructs that
team's days alone on the visits the other teams' routes leave, with its current days and with each
trip that can be added (at the team's ``top_lodgings`` best lodgings: those near the value the
day-trip construction leaves out, ranked by value times round-trip time saved against the base;
every start day and length the rules allow); the trials that gain more than their night cost are
tried best first on the whole week, and the first whose whole-week construction scores higher is
adopted. It stops when a round adopts nothing or after ``max_evals`` constructions. Deterministic.
The engines then improve the routes with that shape fixed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ..i18n import _, fmt_dec
from ..model import Workspace
from .construct import construct
from .problem import NOT_ON_THIS_SHAPE, Excluded, Problem, Vehicle, _fits, _WEEKDAYS, same_day_groups


@dataclass(frozen=True)
class Trip:
    """A field trip: ``team`` sleeps ``nights`` nights at depot node ``lodging`` after its day ``first`` (a date index)."""

    team: str
    first: int  # date index of the first day (base -> lodging)
    nights: int
    lodging: int  # depot node of the lodging
    #: the trip began before the planned days (a re-plan after a recorded night away): its first day
    #: starts at the lodging; ``nights`` may then be 0 (that day goes back to base)
    continued: bool = False

    @property
    def days(self) -> range:
        """Date indices of its days (the last one ends at base)."""
        return range(self.first, self.first + self.nights + 1)

    @property
    def night_dates(self) -> range:
        """Date indices of the days after which the team sleeps at the lodging."""
        return range(self.first, self.first + self.nights)


Shape = tuple[Trip, ...]


@dataclass
class ShapeChoice:
    """The chosen shape, the problem with it, and the reasons per team (for ``plan.summary``)."""

    shape: Shape
    problem: Problem
    score: float
    day_trip_score: float
    evaluations: int
    why: list[dict] = field(default_factory=list)


def night_cost(ws: Workspace, p: Problem, lodging_node: int) -> float:
    """Value points of one team-night at the lodging of depot node ``lodging_node``."""
    lid = p.depots[lodging_node]
    lod = next(x for x in ws.lodgings if x.id == lid)
    return ws.policy.night_cost if lod.cost_per_night is None else float(lod.cost_per_night)


def _capacity(ws: Workspace, p: Problem) -> dict[int, int]:
    cap = {x.id: x.capacity for x in ws.lodgings}
    return {n: cap[p.depots[n]] for n in range(p.n_offices, p.n_depots)}


def trip_allowed(ws: Workspace, p: Problem, shape: Shape, trip: Trip, held: dict[str, tuple[int, int]] | None = None
                 ) -> bool:
    """Whether ``trip`` may be added to ``shape`` (see the module docstring for the rules).

    ``held``: team -> (nights away already spent this week, nights in a row up to the first planned
    day) from the days a re-plan keeps. A continued trip replaces the team's continued trip in ``shape``.
    """
    team = next(t for t in ws.teams if t.id == trip.team)
    spent, run = (held or {}).get(trip.team, (0, 0))
    shape = tuple(t for t in shape if not (t.continued and trip.continued and t.team == trip.team))
    if trip.continued:
        if trip.nights and (not team.field_trips or run + trip.nights > team.max_nights_in_row):
            return False
    elif not team.field_trips or trip.nights < 1 or trip.nights > team.max_nights_in_row:
        return False
    if not (p.n_offices <= trip.lodging < p.n_depots):
        return False
    works = {v.date_index: v for v in p.vehicles if v.team == team.id}
    for d in trip.days:
        if d not in works:
            return False
        if trip.nights and _WEEKDAYS[p.week.dates[d].weekday()] in team.home_days:
            return False
    if not _drives_fit(p, works, trip):
        return False
    own = [t for t in shape if t.team == team.id]
    if trip.nights and spent + sum(t.nights for t in own) + trip.nights > team.max_nights_per_week:
        return False
    if any(set(t.days) & set(trip.days) for t in own):
        return False
    cap = _capacity(ws, p)[trip.lodging]
    for d in trip.night_dates:
        if sum(1 for t in shape if t.lodging == trip.lodging and d in t.night_dates) + 1 > cap:
            return False
    return True


def _drives_fit(p: Problem, works: dict[int, Vehicle], trip: Trip) -> bool:
    """Whether each day of ``trip`` can at least drive from its start place to its end place in its shift
    (breaks counted as lost time), so that a trip day without visits is still a valid route."""
    for d in trip.days:
        v = works[d]
        s = v.depot_node if d == trip.first and not trip.continued else trip.lodging
        e = v.depot_node if d == trip.days[-1] else trip.lodging
        lost = sum(b1 - b0 for b0, b1 in v.breaks)
        if int(p.durations[v.profile][s, e]) + lost > v.end_s - v.start_s:
            return False
    return True


class _Shaper:
    """Applies shapes to a problem; caches which visits fit a vehicle for each (start, end) pair."""

    def __init__(self, ws: Workspace, problem: Problem):
        self.ws, self.p = ws, problem
        self.trip_teams = {t.id for t in ws.teams if t.field_trips}
        self.trip_teams |= {v.team for v in problem.vehicles if v.start_node != v.depot_node}
        self.fit_cache: dict[tuple[int, int, int], set[int]] = {}
        self.can: dict[int, list[int]] = {v.index: [] for v in problem.vehicles}
        self.reach = problem.trip_allowed if problem.trip_allowed is not None else problem.allowed
        for i, al in enumerate(self.reach):
            for a in al:
                self.can[a].append(i)

    def fitting(self, veh: Vehicle) -> set[int]:
        key = (veh.index, veh.start_node, veh.end_node)
        if key not in self.fit_cache:
            self.fit_cache[key] = {i for i in self.can[veh.index] if _fits(self.p, i, veh)}
        return self.fit_cache[key]

    def apply(self, shape: Shape) -> Problem:
        p = self.p
        ends: dict[tuple[str, int], tuple[int, int, str]] = {}
        trip_no: dict[str, int] = {}
        for t in sorted(shape, key=lambda t: (t.team, t.first)):
            trip_no[t.team] = trip_no.get(t.team, 0) + 1
            tid = f"{t.team}-t{trip_no[t.team]}"
            for d in t.days:
                ends[(t.team, d)] = (-1 if d == t.first and not t.continued else t.lodging,
                                     -1 if d == t.days[-1] else t.lodging, tid)
        vehicles = []
        for v in p.vehicles:
            s, e, tid = ends.get((v.team, v.date_index), (-1, -1, None))
            vehicles.append(dataclasses.replace(v, start_node=v.depot_node if s < 0 else s,
                                                end_node=v.depot_node if e < 0 else e, trip=tid))
        q = dataclasses.replace(p, vehicles=vehicles,
                                night_cost=sum(t.nights * night_cost(self.ws, p, t.lodging) for t in shape))
        fits = {v.index: (self.fitting(v) if v.team in self.trip_teams else None) for v in vehicles}
        q.allowed = [[a for a in al if fits[a] is None or i in fits[a]] for i, al in enumerate(self.reach)]
        q.same_day_groups = same_day_groups(q)  # at most one session per village per date
        # a visit only some other shape reaches is left out as unreachable, saying so (planning/explain.py)
        base = [e for e in p.excluded if e.detail != NOT_ON_THIS_SHAPE]
        had = {e.visit for e in base}
        q.excluded = base + [Excluded(i, "unreachable", NOT_ON_THIS_SHAPE)
                             for i, al in enumerate(q.allowed) if not al and i not in had and self.reach[i]]
        return q


def shape_score(q: Problem, routes) -> float:
    """Value collected minus driving cost (every trip day drives, even without visits) minus night cost."""
    by_vehicle = dict(routes)
    value = driving = 0.0
    for v in q.vehicles:
        seq = by_vehicle.get(v.index) or []
        if not seq and v.start_node == v.end_node:
            continue
        m = q.durations[v.profile]
        nodes = [v.start_node] + [q.node(i) for i, _ in seq] + [v.end_node]
        driving += sum(int(m[a, b]) for a, b in zip(nodes, nodes[1:]))
        value += sum(q.visits[i].value for i, _ in seq)
    return value - driving * q.travel_cost_per_s - q.night_cost


def _lodging_ranks(p: Problem, team: str, left: set[int], top: int, reach: list[list[int]]) -> list[int]:
    """The ``top`` lodging nodes nearest the left-out value ``team`` could make, best first."""
    vehs = [v for v in p.vehicles if v.team == team]
    if not vehs or p.n_depots == p.n_offices:
        return []
    v0 = vehs[0]
    m = p.durations[v0.profile]
    cand = sorted({i for v in vehs for i in left if v.index in reach[i]})
    if not cand:
        return []
    nodes = np.array([p.node(i) for i in cand])
    values = np.array([p.visits[i].value for i in cand])
    base = m[np.full(len(nodes), v0.depot_node), nodes] + m[nodes, np.full(len(nodes), v0.depot_node)]
    scores = []
    for ln in range(p.n_offices, p.n_depots):
        rt = m[np.full(len(nodes), ln), nodes] + m[nodes, np.full(len(nodes), ln)]
        saved = np.maximum(0, base.astype(np.int64) - rt.astype(np.int64)) / 3600.0
        scores.append((-float((values * saved).sum()), ln))
    return [ln for s, ln in sorted(scores)[:top] if s < 0]


def candidate_trips(ws: Workspace, p: Problem, shape: Shape, team: str, lodgings: list[int],
                    held: dict[str, tuple[int, int]] | None = None) -> list[Trip]:
    """Every trip of ``team`` at ``lodgings`` that may be added to ``shape``, in a fixed order
    (first the longer versions of a continued trip, which replace it)."""
    t = next(x for x in ws.teams if x.id == team)
    days = sorted(v.date_index for v in p.vehicles if v.team == team)
    out = []
    for c in [x for x in shape if x.team == team and x.continued]:
        for n in range(c.nights + 1, t.max_nights_in_row + 1):
            trip = Trip(team, c.first, n, c.lodging, continued=True)
            if trip_allowed(ws, p, shape, trip, held):
                out.append(trip)
    for ln in lodgings:
        for d in days:
            for n in range(1, t.max_nights_in_row + 1):
                trip = Trip(team, d, n, ln)
                if trip_allowed(ws, p, shape, trip, held):
                    out.append(trip)
    return out


def _with(shape: Shape, trip: Trip) -> Shape:
    """``shape`` plus ``trip`` (a continued trip replaces the team's continued trip)."""
    if trip.continued:
        shape = tuple(t for t in shape if not (t.continued and t.team == trip.team))
    return shape + (trip,)


def continued_trips(ws: Workspace, problem: Problem, held) -> tuple[Shape, dict[str, tuple[int, int]]]:
    """From the routes a re-plan keeps (``held``): the trips its planned days must continue (a team
    that slept away on the day before its first planned day starts there; 0 more nights), and per
    team (nights away already spent in the week, nights in a row up to the first planned day)."""
    dates = problem.week.dates
    lodging_node = {problem.depots[n]: n for n in range(problem.n_offices, problem.n_depots)}
    by = {(r.team, r.date): r for r in held}
    out: list[Trip] = []
    spent: dict[str, tuple[int, int]] = {}
    for team in {r.team for r in held}:
        nights = sum(1 for r in held if r.team == team and r.away_night and r.date in dates)
        spent[team] = (nights, 0)
    for v in sorted(problem.vehicles, key=lambda v: (v.team, v.date_index)):
        prev = by.get((v.team, dates[v.date_index] - dt.timedelta(days=1)))
        if prev is None or not prev.away_night or prev.end_place not in lodging_node:
            continue
        if any(t.team == v.team for t in out):
            continue
        run, d = 0, dates[v.date_index] - dt.timedelta(days=1)
        while (r := by.get((v.team, d))) is not None and r.away_night:
            run, d = run + 1, d - dt.timedelta(days=1)
        spent[v.team] = (spent.get(v.team, (0, 0))[0], run)
        out.append(Trip(v.team, v.date_index, 0, lodging_node[prev.end_place], continued=True))
    return tuple(out), spent


def _team_score(q: Problem, team: str, blocked: set[int]) -> float:
    """:func:`shape_score` without nights of ``team``'s days alone, constructed on the visits not in ``blocked``."""
    from .decompose import sub_problem

    vehs = [v.index for v in q.vehicles if v.team == team]
    vset = set(vehs)
    vis = [i for i, al in enumerate(q.allowed) if al and i not in blocked and vset.intersection(al)]
    sub = sub_problem(q, vis, vehs)
    sub.night_cost = 0.0
    return shape_score(sub, construct(sub).routes)


def _added_nights(shape: Shape, trip: Trip) -> int:
    """Nights ``trip`` adds to ``shape`` (a continued trip replaces the team's continued one)."""
    if trip.continued:
        return trip.nights - sum(t.nights for t in shape if t.continued and t.team == trip.team)
    return trip.nights


def choose_shape(ws: Workspace, problem: Problem, max_evals: int = 200, top_lodgings: int = 3,
                 held=()) -> ShapeChoice:
    """The field-trip shape of the week (see the module docstring) and the problem with it.

    ``held``: the routes a re-plan keeps; a team that slept away before its first planned day
    starts that day at the lodging (:func:`continued_trips`), and their nights count.
    """
    shaper = _Shaper(ws, problem)
    teams = [t.id for t in ws.teams if t.field_trips and any(v.team == t.id for v in problem.vehicles)]
    shape, held_nights = continued_trips(ws, problem, held)
    teams += sorted({t.team for t in shape} - set(teams))
    q = shaper.apply(shape)
    built = construct(q)
    score = base_score = shape_score(q, built.routes)
    evals = 0
    best_tried: dict[str, tuple[float, Trip, float]] = {}  # team -> best gain before nights tried, the trip, nights cost
    if not teams or problem.n_depots == problem.n_offices:
        return ShapeChoice(shape, q, score, base_score, evals, _reasons(ws, problem, teams, shape, {}, best_tried))
    served = {i for _, seq in built.routes for i, _ in seq}
    left = {i for i in range(len(problem.visits)) if shaper.reach[i] and i not in served}
    ranks = {t: _lodging_ranks(q, t, left, top_lodgings, shaper.reach) for t in teams}
    gains: dict[Trip, float] = {}
    exhausted = False
    routes = built.routes
    rejected: set[Trip] = set()
    while not exhausted:
        # evaluate each team's candidate trips with the other teams' routes (of the current shape's
        # construction) fixed: a construction of that team's days only, on the visits the others leave
        team_of = {i: q.vehicles[vi].team for vi, seq in routes for i, _ in seq}
        best_tried = {}  # this round's: what each team's best trial gained given the trips adopted so far
        trials: list[tuple[float, int, Trip, float]] = []
        for team in teams:
            blocked = {i for i, t in team_of.items() if t != team}
            current = _team_score(q, team, blocked)
            evals += 1
            for trip in candidate_trips(ws, q, shape, team, ranks[team], held_nights):
                if evals >= max_evals:
                    exhausted = True
                    break
                if trip in rejected:
                    continue
                gross = _team_score(shaper.apply(_with(shape, trip)), team, blocked) - current
                evals += 1
                added = _added_nights(shape, trip) * night_cost(ws, problem, trip.lodging)
                if team not in best_tried or gross - added > best_tried[team][0] - best_tried[team][2]:
                    best_tried[team] = (gross, trip, added)
                if gross - added > 1e-9:
                    trials.append((gross - added, len(trials), trip, gross))
        adopted = False
        # the best trial first; adopted when the whole week's construction agrees that it pays
        for net, _order, trip, gross in sorted(trials, key=lambda x: (-x[0], x[1])):
            if evals >= max_evals:
                exhausted = True
                break
            cand = _with(shape, trip)
            qc = shaper.apply(cand)
            res = construct(qc)
            evals += 1
            sc = shape_score(qc, res.routes)
            if sc > score + 1e-9:
                gains[trip] = sc - score + _added_nights(shape, trip) * night_cost(ws, problem, trip.lodging)
                score, shape, q, routes = sc, cand, qc, res.routes
                adopted = True
                break
            rejected.add(trip)
        if not adopted:
            break
    q = shaper.apply(shape)
    why = _reasons(ws, problem, teams, shape, gains, best_tried)
    if exhausted:
        for row in why:
            row["why_more"] = _("trips.stopped", id="pencarian berhenti setelah {n} percobaan susunan (max_evals)",
                                en="the search stopped after {n} trial constructions (max_evals)", n=max_evals)
    return ShapeChoice(shape, q, score, base_score, evals, why)


def _reasons(ws: Workspace, p: Problem, teams: list[str], shape: Shape, gains: dict, best_tried: dict) -> list[dict]:
    """Per team that may go on field trips: its trips with value gained and night cost, or why none."""
    out = []
    dates = p.week.dates
    trip_no: dict[str, int] = {}
    names = {lg.id: lg.name for lg in ws.lodgings}  # the "why" texts name a lodging as a person knows it

    def place(t) -> str:
        return names.get(p.depots[t.lodging]) or p.depots[t.lodging]

    for team in teams:
        trips = []
        for t in sorted((t for t in shape if t.team == team), key=lambda t: t.first):
            trip_no[team] = trip_no.get(team, 0) + 1
            cost = t.nights * night_cost(ws, p, t.lodging)
            trips.append({
                "trip": f"{team}-t{trip_no[team]}", "lodging": p.depots[t.lodging],
                "first_date": dates[t.first].isoformat(), "last_date": dates[t.days[-1]].isoformat(),
                "nights": t.nights, "night_cost": round(cost, 3), "value_gained": round(gains.get(t, 0.0), 3),
                "why": (_("trips.continues", id="melanjutkan perjalanan dinas yang dimulai sebelum hari yang "
                          "direncanakan ulang: tim bermalam di {place}", en="continues the trip begun before the "
                          "re-planned days: the team slept at {place}", place=place(t))
                        + (_("trips.more_nights", id="; {n} malam lagi menambah nilai {gain} dengan biaya bermalam "
                             "{cost}", en="; {n} more night(s) gain {gain} for {cost} of night cost", n=t.nights,
                             gain=fmt_dec(gains.get(t, 0.0)), cost=fmt_dec(cost)) if t.nights else "")
                        if t.continued else
                        _("trips.gains", id="menambah {gain} poin nilai bersih dari perjalanan dibanding perjalanan "
                          "sehari, dengan biaya bermalam {cost}", en="gains {gain} value points net of driving "
                          "against day trips, for {cost} of night cost", gain=fmt_dec(gains.get(t, 0.0)),
                          cost=fmt_dec(cost))),
            })
        row: dict = {"team": team, "trips": trips}
        if trips and team in best_tried:
            gross, t, _tried = best_tried[team]
            row["why_no_more"] = _("trips.no_more_pays", id="tidak ada perjalanan dinas lain yang sepadan: yang "
                                   "terbaik dicoba ({place}, {date}, {n} malam) menambah {gain}, biaya bermalamnya "
                                   "{cost}", en="no further trip pays: the best one tried ({place}, {date}, {n} "
                                   "night(s)) gains {gain}, its night cost is {cost}", place=place(t),
                                   date=dates[t.first].isoformat(), n=t.nights, gain=fmt_dec(gross),
                                   cost=fmt_dec(t.nights * night_cost(ws, p, t.lodging)))
        elif trips:
            row["why_no_more"] = _("trips.no_more_allowed", id="tidak boleh ada perjalanan dinas lagi (malam per "
                                   "minggu atau berturut-turut, hari pulang, hari libur, kapasitas tempat bermalam)",
                                   en="no further trip is allowed (nights per week or in a row, home days, days off, "
                                   "lodging capacity)")
        if not trips:
            if team in best_tried:
                gross, t, _tried = best_tried[team]
                cost = t.nights * night_cost(ws, p, t.lodging)
                row["why"] = _("trips.day_only_best", id="hanya perjalanan sehari: perjalanan dinas terbaik yang "
                               "dicoba ({place}, {date}, {n} malam) menambah {gain} poin nilai bersih dari perjalanan, "
                               "tidak lebih dari biaya bermalamnya {cost}", en="day trips only: the best trip tried "
                               "({place}, {date}, {n} night(s)) gains {gain} value points net of driving, not more "
                               "than its night cost {cost}", place=place(t),
                               date=dates[t.first].isoformat(), n=t.nights, gain=fmt_dec(gross), cost=fmt_dec(cost))
            elif p.n_depots == p.n_offices:
                row["why"] = _("trips.day_only_no_lodgings", id="hanya perjalanan sehari: wilayah kerja tidak punya "
                               "tempat bermalam", en="day trips only: the workspace has no lodgings")
            else:
                row["why"] = _("trips.day_only_none_allowed", id="hanya perjalanan sehari: tidak ada perjalanan dinas "
                               "yang diizinkan (kapasitas tempat bermalam, malam, hari pulang) di dekat kunjungan "
                               "bernilai yang tertinggal oleh perjalanan sehari", en="day trips only: no allowed trip "
                               "left (lodging capacity, nights, home days) near value the day trips leave out")
        out.append(row)
    return out


def day_trips_only(ws: Workspace, problem: Problem) -> Problem:
    """``problem`` with every team-day a day trip (``allowed`` narrowed to what day trips reach)."""
    return _Shaper(ws, problem).apply(())


def without_field_trips(ws: Workspace) -> Workspace:
    """``ws`` with no team allowed field trips (the plan as before field trips; ``plan --no-field-trips``)."""
    teams = tuple(t.model_copy(update={"field_trips": False}) for t in ws.teams)
    return ws.model_copy(update={"teams": teams})


__all__ = ["ShapeChoice", "Trip", "candidate_trips", "choose_shape", "day_trips_only", "night_cost", "shape_score",
           "trip_allowed", "without_field_trips"]
