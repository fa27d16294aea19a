"""Re-plan the rest of a week: keep what is past or done, drop a team, change as little as pays.

Given a plan issued for a week (``plan_id``, else the last one of the week in the ledger) and a date
``from_date``:

* routes before ``from_date`` are kept as they are (what was done or is locked), and so is every
  route of a team up to its last day with a visit recorded done or delivered on or after
  ``from_date`` (that visit happened: it stays where it was, ``unchanged``, and that team-day is
  a day off of the team in the re-planned part);
* the remaining days are planned again on a copy of the workspace where the earlier days of
  the week are holidays, the team taken off (``team_off``) is removed, the ledger's progress
  is applied (done and cancelled requests removed, people served added), and the visits kept
  are taken out: their requests and schools are removed and, while no tally came back for
  them, the people they expect count as covered; the village sessions kept count against
  ``policy.max_sessions_per_village``, so a village is offered only the sessions left of its
  weekly cap (and the validator checks the cap over kept and new days together);
* minimal change, in two stages. Stage 1 (pinned): every visit of an unaffected team-day (a
  team other than ``team_off``, on or after ``from_date``) is pinned to its team-day: the
  engines may make it only there, and its value is raised by more than the whole week's
  value (``PIN_BONUS``), so they drop it only when it no longer fits (e.g. its session grew).
  The visits of the absent team, and the candidates the old plan left out, compete for the
  time left on every team-day. Stage 2: the same remaining days with the visits of the teams
  that could make one of the absent team's visits unpinned (every team when no team is off;
  none: no stage 2), the other teams still pinned, so a team that cannot take over any of
  the work (a courier when an outreach team is off) keeps its days; adopted only when it
  collects more than ``gain_threshold`` (default 2%) more value than stage 1, and every
  change it makes is then explained by that gain;
* new village sessions are numbered after the kept ones of the same village, so a visit id
  is never used twice in one plan;
* visits are matched across the two plans by a stable key, not by the visit id (which
  renumbering changes): a village session by its village and date (left-over sessions of a
  village pair up in date order as moved), any other visit by its id (school, request,
  delivery); ``changes`` has one row per visit of the remaining days: ``unchanged``,
  ``retimed`` (same team-day, other start), ``moved`` (other team or date), ``added`` or
  ``removed``, each change with a ``reason``;
* field trips: the nights the tally form reported (:meth:`Ledger.nights`) rewrite the kept days
  first (:func:`as_reported`): a night ``returned`` (the team came back that evening: the trip
  was cut short) ends that day at the base, with the drive back from its last stop; a night at
  another lodging ends it there. A team that slept away before ``from_date`` starts its first
  re-planned day at that lodging (:func:`outreach_planner.planning.trips.continued_trips`); a
  team taken off (``team_off``) while away ends its trip after that night, and the re-plan says
  so (``summary["replan"]["trips_cut_short"]``, also for the nights reported ``returned``);
* the merged plan's ``summary["replan"]`` says what it is based on, which stage was adopted
  and the two stages' values; ``summary["changes"]`` lists the changes (not the unchanged).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable
from zoneinfo import ZoneInfo

from ..engines import SolveLimits
from ..errors import InputError, NoPlanError
from ..i18n import _, fmt_dec
from .ledger import SERVED, Ledger
from ..model import Workspace
from ..plan import Plan, Route
from ..planning.planner import make_plan
from ..planning.problem import Excluded, Problem
from ..travel import TravelModel, travel_model
from ..week import Week

#: Stage 2 (unpinned) is adopted only when it collects more than this share of extra value.
GAIN_THRESHOLD = 0.02


@dataclass
class Replan:
    """The merged plan, the part planned again (valid against ``workspace`` with ``kept`` held), the changes."""

    plan: Plan
    new_part: Plan
    workspace: Workspace
    based_on: str
    changes: list[dict]
    kept: list[Route] = dataclasses.field(default_factory=list)
    stage: str = "pinned"


def _drive_back(route: Route, to: tuple[float, float], profile: str, travel: TravelModel, ws: Workspace,
                tz) -> tuple[dt.datetime, int, int]:
    """(arrival, seconds, metres) driving from the last place of ``route`` before its end to ``to``,
    leaving when its last activity ends and pausing for the day's breaks (as the planner draws it)."""
    body = [s for s in route.steps[:-1] if s.type != "break"]
    last = body[-1]
    origin = last.location or route.steps[0].location
    dur, dist = travel.matrices([tuple(origin), tuple(to)], profile)
    secs, metres = int(dur[0][1]), int(dist[0][1])
    day = dt.datetime.combine(route.date, dt.time(0), tz)
    leave = int((last.end - day).total_seconds())
    brks = sorted((b.start * 60, b.end * 60) for b in ws.calendar.breaks_on(route.date))  # minutes -> seconds
    t = leave + secs
    for b0, b1 in brks:
        if b1 > leave and t > b0:  # driving runs into a break that is not over yet: stop for it
            t += b1 - max(b0, leave)
    return day + dt.timedelta(seconds=t), secs, metres


def as_reported(kept: list[Route], reports: dict[tuple[str, str], dict], ws: Workspace,
                travel: TravelModel) -> tuple[list[Route], list[dict]]:
    """The kept routes as the tally form reported their nights, and the trips that changed.

    ``reports``: (team, ISO date) -> {status, place, reason} (:meth:`Ledger.nights`). A day away
    reported ``returned`` ends at the team's base (its ``night`` step becomes an ``end`` step
    after the drive back, by ``travel``); ``stayed`` at another lodging ends it there. Every other
    route is returned as it is.
    """
    depots = {d.id: d for d in ws.depots}
    lodgings = {x.id: x for x in ws.lodgings}
    teams = {t.id: t for t in ws.teams}
    tz = ZoneInfo(ws.regency.timezone)
    out: list[Route] = []
    notes: list[dict] = []
    for r in kept:
        rep = reports.get((r.team, r.date.isoformat()))
        if rep is None or not r.away_night or r.steps[-1].type != "night" or len(r.steps) < 2:
            out.append(r)
            continue
        if rep["status"] == "returned":
            where, kind = depots.get(r.depot), "end"
        elif rep["place"] and rep["place"] != r.end_place and rep["place"] in lodgings:
            where, kind = lodgings[rep["place"]], "night"
        else:
            out.append(r)
            continue
        if where is None:
            out.append(r)
            continue
        team = teams.get(r.team)
        arrive, secs, metres = _drive_back(r, (where.lon, where.lat), team.vehicle if team else "car",
                                           travel, ws, tz)
        last = r.steps[-1].model_copy(update={"type": kind, "place": where.name, "location": (where.lon, where.lat),
                                              "arrival": arrive, "start": arrive, "end": arrive,
                                              "travel_s": secs, "distance_m": metres})
        out.append(r.model_copy(update={"steps": r.steps[:-1] + (last,), "end_at": where.id}))
        if kind == "end":
            notes.append({"team": r.team, "trip": r.trip, "date": r.date.isoformat(), "planned_night": r.end_place,
                          "cause": "returned", "reason": rep.get("reason", ""),
                          "why": _("replan.returned", id="formulir rekap melaporkan bahwa {team} kembali ke kantor "
                                   "pada {date} ({reason}): perjalanan dinas {trip} berakhir sore itu; hari-hari "
                                   "berikutnya mulai dari kantor", en="the tally form reports that {team} came back "
                                   "to its base on {date} ({reason}): the trip {trip} ends that evening; the days "
                                   "after start from the base", team=r.team, date=r.date.isoformat(),
                                   reason=rep.get("reason") or _("replan.no_reason", id="tanpa alasan",
                                                                 en="no reason given"),
                                   trip=r.trip or "")})
        else:
            notes.append({"team": r.team, "trip": r.trip, "date": r.date.isoformat(), "planned_night": r.end_place,
                          "cause": "moved", "night_at": where.id,
                          "why": _("replan.moved", id="{team} bermalam di {place} pada {date}, bukan di {planned}: "
                                   "hari berikutnya mulai dari sana", en="{team} slept at {place} on {date} instead "
                                   "of {planned}: the next day starts there", team=r.team, place=where.id,
                                   date=r.date.isoformat(), planned=r.end_place)})
    return out, notes


def _cut_by_team_off(kept: list[Route], team_off: str | None, from_date: dt.date) -> list[dict]:
    """A team taken off while it sleeps away: its trip ends after the last kept night (not planned further)."""
    if team_off is None:
        return []
    days = sorted((r for r in kept if r.team == team_off), key=lambda r: r.date)
    if not days or not days[-1].away_night:
        return []
    last = days[-1]
    return [{"team": team_off, "trip": last.trip, "date": last.date.isoformat(), "planned_night": last.end_place,
             "cause": "team_off",
             "why": _("replan.team_off_on_trip", id="{team} libur mulai {from_date} saat perjalanan dinas {trip}: "
                      "perjalanan berakhir setelah bermalam di {place} pada {date}; hari-hari berikutnya tidak "
                      "direncanakan dan tim kembali sendiri dari sana", en="{team} is off from {from_date} while on "
                      "trip {trip}: the trip ends after the night at {place} on {date}; its later days are not "
                      "planned and the team comes back from there on its own", team=team_off,
                      from_date=from_date.isoformat(), trip=last.trip or "", place=last.end_place,
                      date=last.date.isoformat())}]


def remaining_workspace(ws: Workspace, week: Week, from_date: dt.date, kept: list[Route],
                        reported: set[str], team_off: str | None = None) -> Workspace:
    """The workspace for planning ``from_date`` to the end of ``week``; see the module docstring.

    ``ws`` should already carry the ledger's progress; ``reported`` are visit ids of the kept
    routes with a recorded outcome (already in that progress).
    """
    if team_off is not None and team_off not in {t.id for t in ws.teams}:
        raise InputError(_("replan.unknown_team", id="--team-off: tim {team} tidak dikenal; tim yang ada: {teams}",
                           en="--team-off: unknown team {team}; teams: {teams}", team=repr(team_off),
                           teams=", ".join(t.id for t in ws.teams)))
    holidays = tuple(sorted(set(ws.calendar.holidays) | {d for d in week.dates if d < from_date}))
    calendar = ws.calendar.model_copy(update={"holidays": holidays})
    # a team's days kept on or after from_date (up to a visit recorded done) and those between are not planned again
    last: dict[str, dt.date] = {}
    for r in kept:
        if r.date >= from_date:
            last[r.team] = max(last.get(r.team, r.date), r.date)
    later = {team: {d for d in week.dates if from_date <= d <= end} for team, end in last.items()}
    teams = tuple(t if t.id not in later else t.model_copy(update={"days_off": tuple(sorted(set(t.days_off)
                  | later[t.id]))}) for t in ws.teams if t.id != team_off)
    if not teams:
        raise NoPlanError(_("replan.no_team_left", id="tidak ada tim tersisa bila {team} libur",
                            en="no team is left once {team} is off", team=team_off))
    steps = [s for r in kept for s in r.visits]
    gone = {s.visit_id for s in steps}
    add: dict[tuple[str, str], int] = {}
    for s in steps:
        if s.visit_id in reported or s.kind not in ("village_session", "school_session"):
            continue
        for sid, n in s.expected.items():
            add[(s.village_code or "", sid)] = add.get((s.village_code or "", sid), 0) + n
    villages = []
    for v in ws.villages:
        cov = {sid: max(c, min(v.eligible.get(sid, 0), c + add.get((v.code, sid), 0))) for sid, c in v.covered.items()}
        villages.append(v.model_copy(update={"covered": cov}) if cov != v.covered else v)
    # one session per school and week (its visit id is sc:<school>): a school kept is not offered again
    schools = tuple(sc for sc in ws.schools if f"sc:{sc.id}" not in gone)
    return ws.replace(calendar=calendar, teams=teams, villages=tuple(villages), schools=schools,
                    requests=tuple(r for r in ws.requests if f"hv:{r.id}" not in gone),
                    deliveries=tuple(d for d in ws.deliveries if f"dl:{d.id}" not in gone))


def _renumber(plan: Plan, kept: list[Route]) -> Plan:
    """Village-session ids of ``plan`` shifted past the kept sessions of the same village."""
    top: dict[str, int] = {}
    for r in kept:
        for s in r.visits:
            if s.kind == "village_session" and s.visit_id:
                _, code, k = s.visit_id.split(":")
                top[code] = max(top.get(code, 0), int(k))

    def new_id(vid: str) -> str:
        if not vid.startswith("vs:"):
            return vid
        _, code, k = vid.split(":")
        return f"vs:{code}:{int(k) + top.get(code, 0)}"

    routes = tuple(r.model_copy(update={"steps": tuple(
        s.model_copy(update={"visit_id": new_id(s.visit_id)}) if s.visit_id else s for s in r.steps)})
        for r in plan.routes)
    unassigned = tuple(u.model_copy(update={"visit_id": new_id(u.visit_id)}) for u in plan.unassigned)
    return plan.model_copy(update={"routes": routes, "unassigned": unassigned})


def _entries(p: Plan, from_date: dt.date) -> list[dict]:
    return [{"visit_id": s.visit_id, "kind": s.kind, "place": s.place, "village": s.village_code or "",
             "team": r.team, "date": r.date.isoformat(), "start": s.start.strftime("%H:%M")}
            for r, s in p.visit_steps if r.date >= from_date and s.visit_id]


def _key(e: dict) -> tuple[str, ...]:
    """A visit's identity across plans: village and date for a village session, else its id."""
    if e["kind"] == "village_session":
        return ("village_session", e["village"], e["date"])
    return (e["visit_id"],)


def match(old: Plan, new: Plan, from_date: dt.date) -> list[tuple[dict | None, dict | None]]:
    """Pairs (old, new) of the same visit on the days from ``from_date``; None on the side it is missing.

    Village sessions pair by village and date, then the left-over sessions of one village in
    date order (a session moved to another date); every other visit by its id.
    """
    a = {_key(e): e for e in _entries(old, from_date)}
    b = {_key(e): e for e in _entries(new, from_date)}
    pairs: list[tuple[dict | None, dict | None]] = [(a[k], b[k]) for k in a.keys() & b.keys()]
    left_a: dict[str, list[dict]] = defaultdict(list)
    left_b: dict[str, list[dict]] = defaultdict(list)
    for k in a.keys() - b.keys():
        if a[k]["kind"] == "village_session":
            left_a[a[k]["village"]].append(a[k])
        else:
            pairs.append((a[k], None))
    for k in b.keys() - a.keys():
        if b[k]["kind"] == "village_session":
            left_b[b[k]["village"]].append(b[k])
        else:
            pairs.append((None, b[k]))
    for code in left_a.keys() | left_b.keys():
        xs = sorted(left_a.get(code, []), key=lambda e: e["date"])
        ys = sorted(left_b.get(code, []), key=lambda e: e["date"])
        for k in range(max(len(xs), len(ys))):
            pairs.append((xs[k] if k < len(xs) else None, ys[k] if k < len(ys) else None))
    return sorted(pairs, key=lambda ab: ((ab[0] or ab[1])["date"], (ab[0] or ab[1])["team"],
                                         (ab[0] or ab[1])["start"], (ab[0] or ab[1])["visit_id"]))


def diff(old: Plan, new: Plan, from_date: dt.date) -> list[dict]:
    """One row per visit of the days from ``from_date`` in ``old`` or ``new`` (matched by :func:`match`).

    ``change`` is ``unchanged`` (same team, date and start), ``retimed`` (same team and date,
    other start), ``moved`` (other team or date), ``added`` or ``removed``; ``before`` and
    ``after`` hold team, date and start (None where the visit is missing); ``reason`` is empty
    here (:func:`replan` fills it in).
    """
    out = []
    for x, y in match(old, new, from_date):
        where = (lambda e: {k: e[k] for k in ("team", "date", "start")} if e else None)
        if y is None:
            change = "removed"
        elif x is None:
            change = "added"
        elif (x["team"], x["date"]) != (y["team"], y["date"]):
            change = "moved"
        elif x["start"] != y["start"]:
            change = "retimed"
        else:
            change = "unchanged"
        e = y or x
        out.append({"visit_id": e["visit_id"], "old_visit_id": x["visit_id"] if x else None, "change": change,
                    "kind": e["kind"], "place": e["place"], "village_code": e["village"],
                    "before": where(x), "after": where(y), "reason": ""})
    return out


def pins_of(old: Plan, from_date: dt.date, team_off: str | None) -> dict[str, list[tuple[str, dt.date]]]:
    """The unaffected visits of ``old`` to keep in place: visit id (``vs:<village>`` for sessions) -> team-days.

    Unaffected: on or after ``from_date`` and made by a team other than ``team_off``. Village
    sessions are keyed by village (their ids are renumbered), largest session (people
    expected) first, so that each is matched with the re-plan's session of the nearest size.
    """
    out: dict[str, list[tuple[int, dt.date, str]]] = defaultdict(list)
    for r, s in old.visit_steps:
        if r.date < from_date or r.team == team_off or not s.visit_id:
            continue
        size = sum(s.expected.values()) if s.kind == "village_session" else 0
        out[f"vs:{s.village_code}" if s.kind == "village_session" else s.visit_id].append((-size, r.date, r.team))
    return {k: [(team, date) for _, date, team in sorted(v)] for k, v in out.items()}


def _pinner(pins: dict[str, list[tuple[str, dt.date]]], pinned: dict[str, tuple[str, dt.date]],
            freed: set[str] = frozenset(), absorbing: set[str] | None = None):
    """``make_plan``'s ``prepare``: restrict each pinned visit to its team-day, raise its value there.

    Records in ``pinned`` the candidate ids actually pinned (a visit that no longer fits its
    team-day stays free), and in ``absorbing`` the teams that could make a visit of ``freed``
    (``vs:<village>`` or visit ids of the absent team's old visits).
    """
    def prepare(p: Problem) -> Problem:
        if absorbing is not None:
            for i, vis in enumerate(p.visits):
                if (f"vs:{vis.ref}" if vis.kind == "village_session" else vis.id) in freed:
                    absorbing.update(p.vehicles[v].team for v in p.allowed[i])
        veh = {(v.team, p.week.dates[v.date_index]): v.index for v in p.vehicles}
        bonus = sum(v.value for v in p.visits) + sum(v.end_s - v.start_s for v in p.vehicles) * p.travel_cost_per_s + 1
        visits, allowed = list(p.visits), [list(a) for a in p.allowed]
        # a village's sessions, largest first, take its pinned team-days, largest old session first
        by_size: dict[str, list[int]] = defaultdict(list)
        for i, vis in enumerate(p.visits):
            if vis.kind == "village_session":
                by_size[vis.ref].append(i)
        rank = {i: k for ids in by_size.values()
                for k, i in enumerate(sorted(ids, key=lambda i: (-sum(p.visits[i].expected.values()), i)))}
        for i, vis in enumerate(p.visits):
            if vis.kind == "village_session":
                days = pins.get(f"vs:{vis.ref}", [])
                target = days[rank[i]] if rank[i] < len(days) else None
            else:
                target = (pins.get(vis.id) or [None])[0]
            vi = veh.get(target) if target else None
            if vi is None or vi not in p.allowed[i]:
                continue
            allowed[i] = [vi]
            visits[i] = dataclasses.replace(vis, value=vis.value + bonus)
            pinned[vis.id] = target
        return dataclasses.replace(p, visits=visits, allowed=allowed)

    return prepare


@dataclass(frozen=True)
class Edits:
    """A planner's changes by hand for a re-plan (the desk's "lock", "forbid", "team off for a day").

    Visits are named by their candidate key: ``vs:<village code>`` for a village session, else the visit id
    (``sc:<school>``, ``hv:<request>``, ``dl:<delivery>``). ``lock``: (key, team, date): the visit is made by
    that team on that day if it fits there at all (one session of a village; its value is raised as a pin's);
    ``forbid``: keys left out of the re-planned days; ``days_off``: (team, date) team-days not worked.
    """

    lock: tuple[tuple[str, str, dt.date], ...] = ()
    forbid: tuple[str, ...] = ()
    days_off: tuple[tuple[str, dt.date], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.lock or self.forbid or self.days_off)

    def check(self, ws: Workspace, week: Week, from_date: dt.date) -> None:
        """Raise ``InputError`` naming every edit for an unknown team or a day not re-planned."""
        teams = {t.id for t in ws.teams}
        bad = [f"{team} {d}" for _, team, d in self.lock if team not in teams or d < from_date or d not in week.dates]
        bad += [f"{team} {d}" for team, d in self.days_off if team not in teams or d < from_date
                or d not in week.dates]
        if bad:
            raise InputError(_("replan.bad_edits", id="perubahan untuk hari tim yang tidak direncanakan ulang (tim "
                               "tidak dikenal, atau tidak dalam {week} mulai {from_date}): {bad}", en="edits for a "
                               "team-day that is not re-planned (unknown team, or not in {week} from {from_date}): "
                               "{bad}", week=week, from_date=from_date, bad=", ".join(bad)))


def _with_edits(prepare: Callable[[Problem], Problem], edits: Edits | None, locked: dict[str, tuple[str, dt.date]]):
    """``prepare`` followed by the planner's ``edits``; records in ``locked`` the keys locked in place."""
    if not edits:
        return prepare

    def wrapped(orig: Problem) -> Problem:
        p = prepare(orig)
        veh = {(v.team, p.week.dates[v.date_index]): v.index for v in p.vehicles}
        off = {veh[td] for td in edits.days_off if td in veh}
        lock = {k: (team, d) for k, team, d in edits.lock}
        forbid = set(edits.forbid)
        # more than every pin's bonus together: a locked visit goes in even when pinned visits must give way
        bonus = (sum(v.value for v in orig.visits) + sum(v.end_s - v.start_s for v in p.vehicles) * p.travel_cost_per_s
                 + 1) * (len(p.visits) + 1)
        visits, allowed = list(p.visits), [list(a) for a in p.allowed]
        excluded = [e for e in p.excluded if p.visits[e.visit].id not in forbid
                    and f"vs:{p.visits[e.visit].ref}" not in forbid]
        order = sorted(range(len(p.visits)), key=lambda i: (-sum(p.visits[i].expected.values()), i))
        for i in order:
            vis = p.visits[i]
            key = f"vs:{vis.ref}" if vis.kind == "village_session" else vis.id
            if key in forbid:
                allowed[i] = []
                excluded.append(Excluded(i, "forbidden", "forbidden by the planner"))
                continue
            if key in lock and key not in locked:
                vi = veh.get(lock[key])
                if vi is not None and vi not in off and vi in orig.allowed[i]:
                    allowed[i] = [vi]
                    visits[i] = dataclasses.replace(orig.visits[i], value=orig.visits[i].value + bonus)
                    locked[key] = lock[key]
                    continue
            if off and any(v in off for v in allowed[i]):
                if len(p.allowed[i]) == 1 and p.visits[i].value != orig.visits[i].value:  # pinned to a day off: free
                    allowed[i], visits[i] = list(orig.allowed[i]), orig.visits[i]
                allowed[i] = [v for v in allowed[i] if v not in off]
        return dataclasses.replace(p, visits=visits, allowed=allowed, excluded=excluded)

    return wrapped


def _edit_reasons(changes: list[dict], edits: Edits | None) -> None:
    """The reason of each change the planner's edits made."""
    if not edits:
        return
    lock = {k: (team, d) for k, team, d in edits.lock}
    off = set(edits.days_off)
    for c in changes:
        if c["change"] == "unchanged":
            continue
        key = _candidate_key(c["kind"], c["visit_id"], c["village_code"])
        before = c["before"] and (c["before"]["team"], dt.date.fromisoformat(c["before"]["date"]))
        if key in edits.forbid:
            c["reason"] = _("replan.forbidden", id="dilarang oleh perencana", en="forbidden by the planner")
        elif key in lock:
            c["reason"] = _("replan.locked", id="dikunci oleh perencana ke {team} pada {date}",
                            en="locked by the planner to {team} on {date}", team=lock[key][0],
                            date=lock[key][1].isoformat())
        elif before and before in off:
            c["reason"] = _("replan.day_off", id="{team} libur pada {date} (diatur oleh perencana)",
                            en="{team} off on {date} (set by the planner)", team=before[0], date=before[1].isoformat())


def _route_key(route: Route) -> list[tuple[str, ...]]:
    return [_key({"kind": s.kind, "village": s.village_code or "", "date": route.date.isoformat(),
                  "visit_id": s.visit_id}) for s in route.visits]


def keep_old_order(part: Plan, old: Plan, ws: Workspace, travel: TravelModel, held: list[Route]) -> Plan:
    """``part`` with each team-day that makes the same visits as in ``old`` put back in ``old``'s order and times.

    An engine may re-sequence a pinned team-day it adds nothing to; that is a change for the
    team with no gain worth telling. A route is put back only when the plan stays valid
    (:func:`~outreach_planner.planning.validate.validate_plan`): a session whose time on site changed
    keeps the engine's times.
    """
    from ..planning.validate import validate_plan

    before = {(r.team, r.date): r for r in old.routes}
    swapped: dict[int, Route] = {}
    for k, r in enumerate(part.routes):
        o = before.get((r.team, r.date))
        if o is None or _route_key(o) == _route_key(r) and all(
                a.start == b.start for a, b in zip(o.visits, r.visits)):
            continue
        new_step = dict(zip(_route_key(r), r.visits))
        if sorted(new_step) != sorted(_route_key(o)):
            continue
        steps = []
        for s in o.steps:
            if s.type == "visit":
                n = new_step[_route_key(o)[sum(1 for x in steps if x.type == "visit")]]
                s = s.model_copy(update={f: getattr(n, f) for f in ("visit_id", "expected", "value", "why")})
            steps.append(s)
        swapped[k] = r.model_copy(update={"steps": tuple(steps)})
    while swapped:
        trial = part.model_copy(update={"routes": tuple(swapped.get(k, r) for k, r in enumerate(part.routes))})
        bad = validate_plan(trial, ws, travel, held=held)
        if not bad:
            return trial
        blamed = {k for k, r in swapped.items() if any(v.startswith(f"{r.team} {r.date.isoformat()}") for v in bad)}
        if not blamed:  # a plan-wide rule: give up putting routes back
            break
        swapped = {k: r for k, r in swapped.items() if k not in blamed}
    return part


def _candidate_key(kind: str, visit_id: str, village_code: str | None) -> str:
    return f"vs:{village_code}" if kind == "village_session" else visit_id


def _reasons(changes: list[dict], team_off: str | None, from_date: dt.date, stage: str, gain: float,
             gain_pct: float, candidates: set[str]) -> None:
    """Fill in each change's ``reason``; ``candidates`` has the :func:`_candidate_key` of the re-plan's candidates."""
    off = _("replan.team_off", id="tim libur: {team} mulai {date}", en="team off: {team} from {date}", team=team_off,
            date=from_date.isoformat()) if team_off else ""
    for c in changes:
        if c["change"] == "unchanged":
            continue
        still = _candidate_key(c["kind"], c["visit_id"], c["village_code"]) in candidates
        was_off = bool(c["before"] and c["before"]["team"] == team_off)
        if was_off and c["change"] == "moved":
            c["reason"] = off
        elif was_off and c["change"] == "removed":
            c["reason"] = (_("replan.no_room", id="{off}; tidak ada tempat di hari tim yang lain",
                             en="{off}; no room for it on the other team-days", off=off) if still
                           else _("replan.not_candidate_left", id="{off}; bukan calon kunjungan di hari-hari sisa "
                                  "(tidak ada tim tersisa yang bisa melakukannya, atau sudah selesai, batal, atau "
                                  "tidak ada lagi yang perlu dilayani)", en="{off}; not a candidate of the remaining "
                                  "days (no team left that can make it, or done, cancelled or nobody left to serve)",
                                  off=off))
        elif stage == "free" and not team_off:  # no team is absent: every remaining day was planned again
            c["reason"] = _("replan.value_gain_all", id="tambahan nilai {gain} ({pct}%) dari merencanakan ulang semua "
                            "hari sisa, dibanding membiarkan semua kunjungan di tempatnya", en="value gain {gain} "
                            "({pct}%) of re-planning all remaining days, over keeping every visit in place",
                            gain=fmt_dec(gain), pct=fmt_dec(gain_pct))
        elif stage == "free":
            c["reason"] = _("replan.value_gain", id="tambahan nilai {gain} ({pct}%) dari merencanakan ulang tim yang "
                            "bisa mengambil alih kunjungan tim yang absen, dibanding membiarkan semua kunjungan di "
                            "tempatnya", en="value gain {gain} ({pct}%) of re-planning the teams that can take over "
                            "the absent team's visits, over keeping every visit in place", gain=fmt_dec(gain),
                            pct=fmt_dec(gain_pct))
        elif c["change"] == "added":
            c["reason"] = _("replan.freed_time", id="waktu yang lowong", en="freed time") + (f" ({off})" if off else "")
        elif c["change"] == "retimed":
            c["reason"] = _("replan.retimed", id="hari tim yang sama; jamnya bergeser karena kunjungan yang ditambah "
                            "atau dilepas", en="same team-day; times shift around visits added to or dropped from it")
        elif not still and c["change"] == "removed":
            c["reason"] = _("replan.no_longer_candidate", id="bukan calon kunjungan lagi (sudah selesai, batal, atau "
                            "tidak ada lagi yang perlu dilayani)", en="no longer a candidate (done, cancelled or "
                            "nobody left to serve)")
        else:
            c["reason"] = _("replan.no_longer_fits", id="tidak lagi muat di hari timnya (waktu di lokasi kunjungan "
                            "yang direncanakan ulang berubah)", en="no longer fits its team-day (the re-planned "
                            "visits' time on site changed)")


def replan(ws: Workspace, ledger: Ledger, from_date: dt.date, team_off: str | None = None,
           limits: SolveLimits = SolveLimits(), engine: str = "auto", travel: TravelModel | None = None,
           now: dt.datetime | None = None, gain_threshold: float | None = GAIN_THRESHOLD,
           edits: Edits | None = None, plan_id: str | None = None) -> Replan:
    """Re-plan the week of ``from_date`` from that date on; see the module docstring.

    ``plan_id``: the ledger's plan to re-plan (``--plan``); None: the last plan issued for the week.
    ``gain_threshold`` None skips stage 2 (the unpinned re-plan). Raises ``InputError`` when no
    plan of that week is in the ledger (or ``plan_id`` is not, or is of another week) or the team is
    unknown, ``NoPlanError`` when no team or day is left.
    """
    y, n, _wd = from_date.isocalendar()
    week = Week(y, n, ws.regency.timezone)
    found = ledger.latest_plan(str(week))
    if plan_id is not None:
        given = ledger.plan(plan_id)
        if given is None:
            raise InputError(_("replan.plan_not_in_ledger", id="rencana {p} tidak ada di ledger {path}", en="plan {p} "
                               "is not in the ledger {path}", p=plan_id, path=ledger.path))
        if given.week != str(week):
            raise InputError(_("replan.plan_other_week", id="--plan adalah rencana {plan_week}, tetapi --from {d} ada "
                               "di {week}", en="--plan is a plan of {plan_week}, but --from {d} is in {week}",
                               plan_week=given.week, d=from_date.isoformat(), week=week))
        found = (plan_id, given)
    if found is None:
        raise InputError(_("replan.no_plan", id="tidak ada rencana {week} di ledger {path}; berikan --plan plan.json "
                           "minggu itu", en="no plan of {week} is in the ledger {path}; give --plan plan.json of that "
                           "week", week=week, path=ledger.path))
    pid, old = found
    if edits:
        edits.check(ws, week, from_date)
    if not any(ws.calendar.is_working_day(d) for d in week.dates if d >= from_date):
        raise NoPlanError(_("replan.no_day_left", id="tidak ada hari kerja tersisa dalam {week} mulai {from_date}",
                            en="no working day is left in {week} from {from_date}", week=week, from_date=from_date))
    travel = travel or travel_model(ws)
    outcomes = ledger.outcomes(pid)
    # a visit recorded done (or delivered) on or after from_date happened: its team's days up to it are kept
    done = {o.visit_id for o in outcomes if o.status in SERVED}
    kept_to: dict[str, dt.date] = {}
    for r in old.routes:
        if r.date >= from_date and any(s.visit_id in done for s in r.visits):
            kept_to[r.team] = max(kept_to.get(r.team, r.date), r.date)
    kept, cut_short = as_reported([r for r in old.routes if r.date < from_date or r.date <= kept_to.get(r.team, r.date
                                   - dt.timedelta(days=1))], ledger.nights(pid), ws, travel)
    cut_short += _cut_by_team_off(kept, team_off, from_date)
    reported = {o.visit_id for o in outcomes}
    ledger.sync_requests(ws)
    ws_rest = remaining_workspace(ledger.apply_progress(ws), week, from_date, kept, reported, team_off)
    weekdays = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    if not any(d >= from_date and ws_rest.calendar.is_working_day(d) and weekdays[d.weekday()] in t.days
               and d not in t.days_off for t in ws_rest.teams for d in week.dates):
        raise NoPlanError(_("replan.all_done", id="tidak ada yang bisa direncanakan ulang mulai {from_date}: setiap "
                            "hari tersisa tiap tim sudah punya kunjungan yang tercatat selesai (hari itu tetap seperti "
                            "yang terjadi)", en="nothing can be re-planned from {from_date}: every remaining day of "
                            "every team already has a visit recorded done (those days stay as they happened)",
                            from_date=from_date.isoformat()))

    def merge(part: Plan) -> Plan:
        renamed = _renumber(part, kept)
        routes = tuple(sorted(kept + list(renamed.routes), key=lambda r: (r.date, r.team)))
        return renamed.model_copy(update={"routes": routes})

    pinned: dict[str, tuple[str, dt.date]] = {}
    absorbing: set[str] = set()
    pins = pins_of(old, from_date, team_off)
    freed = {f"vs:{s.village_code}" if s.kind == "village_session" else s.visit_id or ""
             for r, s in old.visit_steps if r.date > kept_to.get(r.team, from_date - dt.timedelta(days=1))
             and r.date >= from_date and r.team == team_off}
    run = make_plan(ws_rest, week, limits, engine=engine, travel=travel, now=now, held=kept,
                    prepare=_with_edits(_pinner(pins, pinned, freed, absorbing), edits, {}))
    new_part, stage = run.plan, "pinned"
    values = {"pinned": round(new_part.value, 3)}
    gain = gain_pct = 0.0
    # stage 2: the teams that could make an absent team's visit are unpinned (with no team off: all)
    unpinned = {t.id for t in ws_rest.teams} if team_off is None else absorbing
    if gain_threshold is not None and unpinned:
        rest = {k: [td for td in v if td[0] not in unpinned] for k, v in pins.items()}
        free = make_plan(ws_rest, week, limits, engine=engine, travel=travel, now=now, held=kept,
                         prepare=_with_edits(_pinner(rest, {}), edits, {})).plan
        values["free"] = round(free.value, 3)
        gain = free.value - new_part.value
        gain_pct = 100 * gain / new_part.value if new_part.value > 0 else (100.0 if gain > 0 else 0.0)
        if gain > gain_threshold * max(new_part.value, 0.0) and gain > 0:
            new_part, stage = free, "free"
    new_part = keep_old_order(new_part, old, ws_rest, travel, kept)
    merged = merge(new_part)
    candidates = ({_candidate_key(s.kind or "", s.visit_id or "", s.village_code) for r, s in merged.visit_steps
                   if r.date >= from_date}
                  | {_candidate_key(u.kind, u.visit_id, u.village_code) for u in merged.unassigned})
    changes = diff(old, merged, from_date)
    _reasons(changes, team_off, from_date, stage, gain, gain_pct, candidates)
    _edit_reasons(changes, edits)
    steps = [s for r in merged.routes for s in r.visits]
    counts = Counter(c["change"] for c in changes)
    summary = dict(merged.summary, scheduled_visits=len(steps),
                   value_collected=round(sum(s.value for s in steps), 3),
                   travel_hours=round(sum(r.travel_s for r in merged.routes) / 3600, 2),
                   distance_km=round(sum(r.distance_m for r in merged.routes) / 1000, 1),
                   replan={"based_on": pid, "from": from_date.isoformat(), "team_off": team_off,
                           "kept_routes": len(kept), "stage": stage, "stage_values": values,
                           "gain_threshold": gain_threshold, "pinned_visits": len(pinned),
                           "unpinned_teams": sorted(unpinned) if "free" in values else [],
                           "changes_by_kind": dict(counts), "trips_cut_short": cut_short,
                           **({"edits": {"lock": [[k, t, d.isoformat()] for k, t, d in edits.lock],
                                         "forbid": list(edits.forbid),
                                         "days_off": [[t, d.isoformat()] for t, d in edits.days_off]}}
                              if edits else {})},
                   changes=[c for c in changes if c["change"] != "unchanged"])
    return Replan(merged.model_copy(update={"summary": summary}), new_part, ws_rest, pid, changes, kept, stage)


__all__ = ["GAIN_THRESHOLD", "Edits", "Replan", "as_reported", "diff", "match", "pins_of", "remaining_workspace",
           "replan"]
