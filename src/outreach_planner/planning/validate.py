"""Re-check any :class:`~outreach_planner.plan.Plan` against its Workspace, independently of the engines.

Nothing here is imported from ``problem``, ``engines`` or ``planner``: every rule is recomputed
from the :class:`~outreach_planner.model.Workspace` (teams, calendar, requests, deliveries,
policy) and the travel model. The one thing borrowed is the *candidate set*:
:func:`outreach_planner.planning.demand.candidate_visits` tells which visit ids exist this week, where
each takes place, which services it offers and how long it lasts. On-site time depends on the
team: ``Visit.minutes(kits)`` shares the recording work among the team's recording kits, so a
visit step must last ``ceil(60 x Visit.minutes(team.recording_kits))`` seconds. Village sessions
are shorter where a day trip leaves less time than the longest session; the per-village cap
demand needs for that is recomputed here (:func:`session_caps`) from the teams' shifts, the
calendar's breaks and the travel model, not taken from ``problem``.

Rules checked (each violation is one sentence naming the team, the date, the visit id and the
numbers):

* routes: known team, a date of the plan's week, a weekday the team works
  (``team.days``) and the office works (``calendar.is_working_day``); at most one route per
  team and date; the route starts with ``start`` and ends with ``end`` at the team's depot;
* times: every step inside the shift (``team.shift`` for the weekday, else the calendar's
  hours), ``arrival <= start <= end``, each step starting no earlier than the previous ends;
* breaks: no visit's ``[start, end)`` overlaps a calendar break of the date (clipped to the
  shift); each break step is one of those breaks; a break falling while the team is out
  (between leaving and returning) appears as a break step; no driving during a break;
* skills: the visit's kind is one the team does (deliveries: ``team.can_deliver``, or
  ``policy.outreach_teams_deliver`` and ``delivery_capacity > 0``), its services are the
  team's, and one that needs a recording kit goes to a team carrying one;
* windows: home visits inside a window of the request that applies to the date (no window:
  any time in the shift), school sessions inside ``calendar.school_window(date)``, deliveries
  on or after ``ready_on``; the whole ``[start, end]`` inside the window;
* duration: ``end - start`` equals the visit's on-site seconds for the team (+-1 s);
* travel: ``travel_s`` and ``distance_m`` equal the travel model's figures between the
  previous stop and this one for the team's vehicle (+-1 s, +-1 m), and the arrival leaves
  room for that driving outside breaks: ``arrival >= previous end + travel_s`` (+ breaks the
  drive runs into);
* accounting: no visit twice; every candidate on a route or in ``unassigned`` exactly once,
  not both; no unknown visit ids;
* at most one village session per village and date (across teams); at most
  ``policy.max_sessions_per_village`` village sessions per village in the week, counting the
  sessions of ``held`` routes (the days a re-plan keeps from before its date); deliveries per
  route at most ``team.delivery_capacity``; a visit step's location and kind are its candidate's.
* field trips (:func:`_check_trips`): a route starts at the team's base or at a lodging of the
  workspace (``start_at``) and ends at the base with an ``end`` step or at a lodging with a
  ``night`` step (``end_at``), the steps at those places; per team the days chain (a day that
  starts away follows a night at that lodging, a night away is followed by a day of the team),
  home days start and end at base, nights per week and in a row within the team's limits, no
  night away for a team without ``field_trips``, teams per lodging and night within its capacity.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from .demand import Visit, candidate_visits
from ..errors import PlanValidationError
from ..model import WEEKDAYS, Team, Workspace
from ..plan import Plan, Route, Step
from ..travel.base import TravelModel
from ..week import Week

#: Tolerances: seconds for durations and travel times, metres for distances, degrees for places.
TOL_S = 1
TOL_M = 1
TOL_DEG = 1e-7


# --------------------------------------------------------------------------- helpers
def _hms(sec: float) -> str:
    """Seconds after midnight -> ``HH:MM:SS`` (with a day offset when outside the date)."""
    days, rest = divmod(int(round(sec)), 86_400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    prefix = f"{days:+d}d " if days else ""
    return f"{prefix}{h:02d}:{m:02d}:{s:02d}"


def _span(lo_min: int, hi_min: int) -> str:
    return f"{_hms(lo_min * 60)[:5]}-{_hms(hi_min * 60)[:5]}"


def _on_site_s(minutes: float) -> int:
    """Minutes on site -> whole seconds, rounded up."""
    return int(math.ceil(minutes * 60 - 1e-9))


def _same_place(a: Sequence[float] | None, b: Sequence[float] | None) -> bool:
    if a is None or b is None:
        return False
    return abs(a[0] - b[0]) <= TOL_DEG and abs(a[1] - b[1]) <= TOL_DEG


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _earliest_arrival(leave: float, travel: float, breaks: list[tuple[float, float, str]]) -> float:
    """Earliest arrival after leaving at ``leave`` with ``travel`` s of driving, never driving in a break."""
    t, remaining = leave, float(travel)
    for b0, b1, _ in sorted(breaks):
        if remaining <= 0 or b1 <= t:
            continue
        if b0 >= t + remaining:
            break
        if b0 > t:
            remaining -= b0 - t
        t = max(t, b1)
    return t + max(0.0, remaining)


def _label(step: Step) -> str:
    if step.type == "visit":
        return step.visit_id or "a visit without id"
    if step.type == "break":
        return f"break {step.place!r}" if step.place else "a break"
    return step.type


class _Clock:
    """Seconds after local midnight of a route's date."""

    def __init__(self, date: dt.date, tz: ZoneInfo):
        self.midnight = dt.datetime.combine(date, dt.time()).replace(tzinfo=tz)
        self.tz = tz

    def __call__(self, when: dt.datetime) -> float:
        if when.tzinfo is None:  # a naive time is read as local time
            when = when.replace(tzinfo=self.tz)
        return (when - self.midnight).total_seconds()


def _can_do(team: Team, visit: Visit, ws: Workspace) -> list[str]:
    """Why ``team`` may not make ``visit`` (empty: it may)."""
    why: list[str] = []
    if visit.kind == "delivery":
        if not (team.can_deliver or (ws.policy.outreach_teams_deliver and team.delivery_capacity > 0)):
            why.append(
                "the team does not deliver documents (no 'delivery' activity"
                + ("" if ws.policy.outreach_teams_deliver else ", and policy.outreach_teams_deliver is off")
                + f"; delivery_capacity {team.delivery_capacity})"
            )
        return why
    if visit.kind not in team.activities:
        why.append(f"the team does not do {visit.kind} (its activities: {', '.join(team.activities) or 'none'})")
    needed = set(visit.services)
    if visit.kind == "home_visit":
        req = {r.id: r for r in ws.requests}.get(visit.ref)
        if req is not None:
            needed |= set(req.services)
    missing = sorted(needed - set(team.services))
    if missing:
        why.append(f"the team lacks service(s) {', '.join(missing)} (it offers {', '.join(team.services) or 'none'})")
    svc = {s.id: s for s in ws.services}
    kit = sorted(s for s in needed if s in svc and svc[s].needs_kit)
    if (kit or visit.needs_kit) and team.recording_kits == 0:
        why.append(f"{', '.join(kit) or 'the visit'} needs a recording kit and the team carries none")
    return why


def _day_hours(ws: Workspace, team: Team, date: dt.date) -> tuple[int, int] | None:
    """(start, end) seconds after midnight of ``team``'s shift on ``date``; None when it does not work."""
    wd = WEEKDAYS[date.weekday()]
    if wd not in team.days or date in team.days_off or not ws.calendar.is_working_day(date):
        return None
    hours = (team.shift or {}).get(wd) or ws.calendar.shift(date)  # type: ignore[call-overload]
    return None if hours is None else (hours.start * 60, hours.end * 60)


def _free_spans(ws: Workspace, date: dt.date, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the shift ``[start, end)`` between the calendar's breaks of ``date`` (seconds of day)."""
    cuts = sorted((max(start, b.start * 60), min(end, b.end * 60)) for b in ws.calendar.breaks_on(date)
                  if b.start * 60 < end and b.end * 60 > start)
    spans, t = [], start
    for b0, b1 in cuts:
        spans.append((t, b0))
        t = b1
    spans.append((t, end))
    return spans


def _may_sleep_away(ws: Workspace, team: Team, date: dt.date) -> bool:
    """Whether the field-trip rules let ``team`` sleep away after ``date``: it may go on trips, nights
    are allowed, ``date`` and the next calendar day are working days of the team and not home days."""
    if not (team.field_trips and team.max_nights_per_week > 0 and team.max_nights_in_row > 0):
        return False
    nxt = date + dt.timedelta(days=1)
    for d in (date, nxt):
        if _day_hours(ws, team, d) is None or WEEKDAYS[d.weekday()] in team.home_days:
            return False
    return True


def session_caps(ws: Workspace, week: Week, travel: TravelModel) -> dict[str, float]:
    """Longest village session (minutes) a day to each village allows this week.

    Recomputed from the Workspace: over every working day of every team doing village
    sessions, the longest stretch between breaks that remains after driving out from the
    team's depot (or from a lodging, on a day the field-trip rules let start away) and before
    driving back to it (or to a lodging, on a day that may end away). Demand shortens a
    village's sessions to this.
    """
    days = [(t, date, h) for t in ws.teams if "village_session" in t.activities
            for date in week.dates if (h := _day_hours(ws, t, date)) is not None]
    if not days:
        return {}
    depot_node = {d.id: i for i, d in enumerate(ws.depots)}
    trips = any(t.field_trips and t.max_nights_per_week > 0 and t.max_nights_in_row > 0 for t in ws.teams)
    lodgings = list(ws.lodgings) if trips else []
    nd = len(ws.depots) + len(lodgings)
    lnodes = range(len(ws.depots), nd)
    points = [(d.lon, d.lat) for d in ws.depots] + [(x.lon, x.lat) for x in lodgings] + \
        [(v.lon, v.lat) for v in ws.villages]
    mats = {prof: travel.matrices(points, prof)[0] for prof in {t.vehicle for t, _, _ in days}}
    caps: dict[str, float] = {}
    for k, vil in enumerate(ws.villages):
        best = 0
        for team, date, (start, end) in days:
            m, dn = mats[team.vehicle], depot_node[team.depot]
            starts = [dn] + (list(lnodes) if _may_sleep_away(ws, team, date - dt.timedelta(days=1)) else [])
            ends = [dn] + (list(lnodes) if _may_sleep_away(ws, team, date) else [])
            go, back = min(int(m[a, nd + k]) for a in starts), min(int(m[nd + k, e]) for e in ends)
            for a, b in _free_spans(ws, date, start, end):
                best = max(best, min(b, end - back) - max(a, start + go))
        caps[vil.code] = best / 60
    return caps


# --------------------------------------------------------------------------- route checks
def _check_route(
    route: Route,
    ws: Workspace,
    week: Week,
    tz: ZoneInfo,
    travel: TravelModel,
    cand: dict[str, Visit],
) -> list[str]:
    out: list[str] = []
    teams = {t.id: t for t in ws.teams}
    team = teams.get(route.team)
    head = f"{route.team} {route.date.isoformat()}"
    if team is None:
        return [f"{head}: unknown team {route.team!r}; known: {', '.join(sorted(teams))}"]

    date = route.date
    wd = WEEKDAYS[date.weekday()]
    if date not in week.dates:
        out.append(f"{head}: the date is not in the plan's week {week} "
                   f"({week.dates[0].isoformat()}..{week.dates[-1].isoformat()})")
    if wd not in team.days:
        out.append(f"{head}: team {team.id} does not work on {wd} (its days: {', '.join(team.days)})")
    if date in team.days_off:
        out.append(f"{head}: team {team.id} has {date.isoformat()} as a day off (days_off)")
    if not ws.calendar.is_working_day(date):
        why = "a holiday" if date in ws.calendar.holidays else f"not an office working day ({wd})"
        out.append(f"{head}: the office does not work on {date.isoformat()}: {why}")
    if route.depot != team.depot:
        out.append(f"{head}: route depot {route.depot!r} is not the team's depot {team.depot!r}")

    hours = (team.shift or {}).get(wd) or ws.calendar.hours.get(wd)  # type: ignore[call-overload]
    shift = (hours.start * 60, hours.end * 60) if hours is not None else None
    breaks: list[tuple[float, float, str]] = []
    for b in ws.calendar.breaks_on(date):
        b0, b1 = b.start * 60, b.end * 60
        if shift is not None:
            if not (b0 < shift[1] and b1 > shift[0]):
                continue
            b0, b1 = max(b0, shift[0]), min(b1, shift[1])
        breaks.append((b0, b1, b.name))
    raw_breaks = {(b.start * 60, b.end * 60) for b in ws.calendar.breaks_on(date)}

    steps = route.steps
    if not steps:
        return out + [f"{head}: the route has no steps"]
    if steps[0].type != "start":
        out.append(f"{head}: the first step is {steps[0].type!r}, not 'start'")
    away = route.end_place != team.depot
    last = "night" if away else "end"
    if steps[-1].type != last:
        out.append(f"{head}: the last step is {steps[-1].type!r}, not {last!r}"
                   + (f" (the day ends at {route.end_place!r})" if away else ""))
    for k, s in enumerate(steps):
        if s.type in ("start", "end", "night") and k not in (0, len(steps) - 1):
            out.append(f"{head}: a {s.type!r} step in the middle of the route (step {k + 1})")

    # the day starts at the base or the lodging slept at, and ends at the base or a lodging (never elsewhere)
    depot = next((d for d in ws.depots if d.id == team.depot), None)
    lodgings = {x.id: x for x in ws.lodgings}
    for s, pid, what in ((steps[0], route.start_place, "start"), (steps[-1], route.end_place, "end")):
        place = depot if pid == team.depot else lodgings.get(pid)
        if place is None:
            out.append(f"{head}: the day's {what} place {pid!r} is neither the team's base {team.depot!r} nor a "
                       "lodging of the workspace")
            continue
        if s.type in ("start", "end", "night") and not _same_place(s.location, (place.lon, place.lat)):
            kind = "depot" if pid == team.depot else "lodging"
            out.append(f"{head} {s.type}: at {s.location}, not at the {kind} {place.id} ({place.lon}, {place.lat})")

    clock = _Clock(date, tz)
    times = [(clock(s.arrival), clock(s.start), clock(s.end)) for s in steps]

    # -- times within the shift and in order
    for k, (s, (arr, st, en)) in enumerate(zip(steps, times)):
        where = f"{head} {_label(s)}"
        if not (arr <= st <= en):
            out.append(f"{where}: times out of order: arrival {_hms(arr)}, start {_hms(st)}, end {_hms(en)} "
                       "(need arrival <= start <= end)")
        if shift is not None and (min(arr, st) < shift[0] or max(st, en) > shift[1]):
            out.append(f"{where}: {_hms(arr)}/{_hms(st)}-{_hms(en)} is outside the shift "
                       f"{_span(hours.start, hours.end)} of team {team.id} on {wd}")
        if k > 0 and st < times[k - 1][2]:
            out.append(f"{where}: starts {_hms(st)} before the previous step "
                       f"({_label(steps[k - 1])}) ends {_hms(times[k - 1][2])}")

    # -- breaks
    for s, (arr, st, en) in zip(steps, times):
        if s.type == "visit":
            for b0, b1, name in breaks:
                if st < b1 and en > b0:
                    out.append(f"{head} {_label(s)}: on site {_hms(st)}-{_hms(en)} overlaps the break "
                               f"{name!r} {_hms(b0)}-{_hms(b1)}")
        elif s.type == "break":
            if not any(abs(st - b0) <= TOL_S and abs(en - b1) <= TOL_S for b0, b1, _ in breaks) and not any(
                abs(st - b0) <= TOL_S and abs(en - b1) <= TOL_S for b0, b1 in raw_breaks
            ):
                known = ", ".join(f"{n} {_hms(b0)}-{_hms(b1)}" for b0, b1, n in breaks) or "none"
                out.append(f"{head} break {_hms(st)}-{_hms(en)}: not a break of the calendar on {wd} "
                           f"(breaks: {known})")
    out_from, out_to = times[0][1], times[-1][2]
    for b0, b1, name in breaks:
        if b0 < out_to and b1 > out_from:
            if not any(s.type == "break" and _overlap(st, en, b0, b1) > 0 for s, (_, st, en) in zip(steps, times)):
                out.append(f"{head}: the break {name!r} {_hms(b0)}-{_hms(b1)} falls while the team is out "
                           f"({_hms(out_from)}-{_hms(out_to)}) but is not on the route")

    # -- travel: figures from the travel model, and enough time to drive them
    stops = [k for k, s in enumerate(steps) if s.type != "break"]
    missing_loc = [k for k in stops if steps[k].location is None]
    for k in missing_loc:
        out.append(f"{head} {_label(steps[k])}: the step has no location")
    if steps[0].travel_s or steps[0].distance_m:
        out.append(f"{head} start: travel {steps[0].travel_s} s / {steps[0].distance_m} m before leaving "
                   "(should be 0)")
    for k, s in enumerate(steps):
        if s.type == "break" and (s.travel_s or s.distance_m):
            out.append(f"{head} {_label(s)}: a break with travel {s.travel_s} s / {s.distance_m} m (should be 0)")
    if not missing_loc and len(stops) > 1:
        points = [tuple(steps[k].location) for k in stops]  # type: ignore[arg-type]
        try:
            dur, dist = travel.matrices(points, team.vehicle)
        except ValueError as exc:
            out.append(f"{head}: the travel model has no figures for vehicle {team.vehicle!r}: {exc}")
            dur = dist = None
        for j in range(1, len(stops)):
            prev_k, k = stops[j - 1], stops[j]
            s, prev = steps[k], steps[prev_k]
            where = f"{head} {_label(s)}"
            if dur is not None:
                want_s, want_m = int(dur[j - 1, j]), int(dist[j - 1, j])
                if abs(s.travel_s - want_s) > TOL_S:
                    out.append(f"{where}: travel_s {s.travel_s} s from {_label(prev)}, but the travel model says "
                               f"{want_s} s for a {team.vehicle}")
                if abs(s.distance_m - want_m) > TOL_M:
                    out.append(f"{where}: distance_m {s.distance_m} m from {_label(prev)}, but the travel model "
                               f"says {want_m} m")
            leave, arr = times[prev_k][2], times[k][0]
            earliest = _earliest_arrival(leave, s.travel_s, breaks)
            if arr < earliest - TOL_S:
                in_breaks = earliest - leave - s.travel_s
                extra = f" + {in_breaks:.0f} s of breaks" if in_breaks > 0 else ""
                out.append(f"{where}: travel time too short: arrives {_hms(arr)}, but leaving {_label(prev)} at "
                           f"{_hms(leave)} with {s.travel_s} s of driving{extra} it cannot arrive before "
                           f"{_hms(earliest)}")

    # -- visits: candidate, skills, duration, windows, place
    requests = {r.id: r for r in ws.requests}
    delivs = {d.id: d for d in ws.deliveries}
    n_deliveries = 0
    for s, (arr, st, en) in zip(steps, times):
        if s.type != "visit":
            continue
        if not s.visit_id:
            out.append(f"{head}: a visit step at {_hms(st)} has no visit_id")
            continue
        where = f"{head} {s.visit_id}"
        c = cand.get(s.visit_id)
        if c is None:
            if s.kind == "delivery":
                n_deliveries += 1
            continue  # reported once, by the accounting check
        if c.kind == "delivery":
            n_deliveries += 1
        if s.kind != c.kind:
            out.append(f"{where}: step kind {s.kind!r} but the visit is a {c.kind}")
        if not _same_place(s.location, (c.lon, c.lat)):
            out.append(f"{where}: at {s.location}, but the visit takes place at ({c.lon}, {c.lat})")
        for why in _can_do(team, c, ws):
            out.append(f"{where}: team {team.id} cannot make this {c.kind}: {why}")
        want = _on_site_s(c.minutes(team.recording_kits))
        if abs((en - st) - want) > TOL_S:
            out.append(f"{where}: wrong duration: on site {en - st:.0f} s ({_hms(st)}-{_hms(en)}), expected "
                       f"{want} s ({c.minutes(team.recording_kits):.2f} min with {team.recording_kits} kit(s))")
        if c.kind == "home_visit":
            req = requests.get(c.ref)
            if req is None:
                out.append(f"{where}: no home-visit request {c.ref!r} in the workspace")
            elif req.windows:
                wins = [w for w in req.windows if w.applies_to(date)]
                if not wins:
                    out.append(f"{where}: request {req.id} has no availability window on {wd} {date.isoformat()} "
                               f"(windows: {'; '.join(str(w) for w in req.windows)})")
                elif not any(w.start * 60 <= st and en <= w.end * 60 for w in wins):
                    out.append(f"{where}: {_hms(st)}-{_hms(en)} is outside the availability window(s) "
                               f"{'; '.join(str(w) for w in wins)} of request {req.id}")
        elif c.kind == "school_session":
            win = ws.calendar.school_window(date)
            if win is None:
                out.append(f"{where}: schools are closed on {wd} {date.isoformat()} (no school hours)")
            elif not (win.start * 60 <= st and en <= win.end * 60):
                out.append(f"{where}: {_hms(st)}-{_hms(en)} is outside school hours {win} on {wd}")
        elif c.kind == "delivery":
            d = delivs.get(c.ref)
            if d is None:
                out.append(f"{where}: no delivery {c.ref!r} in the workspace")
            elif date < d.ready_on:
                out.append(f"{where}: delivered on {date.isoformat()}, before the document is ready "
                           f"({d.ready_on.isoformat()})")
    if n_deliveries > team.delivery_capacity:
        out.append(f"{head}: {n_deliveries} deliveries, more than team {team.id}'s delivery_capacity "
                   f"{team.delivery_capacity}")
    return out


# --------------------------------------------------------------------------- field trips
def _check_trips(routes: Sequence[Route], ws: Workspace) -> list[str]:
    """The field-trip rules over the routes of a week (a plan's and the days a re-plan keeps).

    Per team, in date order: a night is spent at the base or at a lodging of the workspace (the
    route checks see to the places); a day that starts away follows, on the calendar day before,
    a day of the team that ended at that same lodging; a day that ends away is followed, on the
    next calendar day, by a day of the team (the team is never left on the road over a weekend,
    a holiday or a day off, so the week's last working day ends at base); home days start and end
    at base; a team without ``field_trips`` never sleeps away; nights per week at most
    ``max_nights_per_week``, consecutive nights at most ``max_nights_in_row``. Per lodging and
    night, at most ``capacity`` teams.
    """
    out: list[str] = []
    teams = {t.id: t for t in ws.teams}
    lodgings = {x.id: x for x in ws.lodgings}
    by_team: dict[str, dict[dt.date, Route]] = defaultdict(dict)
    for r in routes:
        by_team[r.team][r.date] = r
    sleepers: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
    for tid, days in by_team.items():
        team = teams.get(tid)
        if team is None:
            continue
        run = 0
        nights = 0
        for date in sorted(days):
            r = days[date]
            head = f"{tid} {date.isoformat()}"
            wd = WEEKDAYS[date.weekday()]
            prev = days.get(date - dt.timedelta(days=1))
            nxt = days.get(date + dt.timedelta(days=1))
            if r.start_place != team.depot:
                if prev is None or prev.end_place != r.start_place:
                    was = "no route" if prev is None else f"the day before ended at {prev.end_place!r}"
                    out.append(f"{head}: the day starts at {r.start_place!r}, but the team did not sleep there "
                               f"({was} on {(date - dt.timedelta(days=1)).isoformat()})")
            elif prev is not None and prev.away_night:
                out.append(f"{head}: the day starts at the base, but the team slept at {prev.end_place!r}")
            if wd in team.home_days and (r.start_place != team.depot or r.end_place != team.depot):
                out.append(f"{head}: {wd} is a home day of team {tid}: the day must start and end at the base "
                           f"(starts at {r.start_place!r}, ends at {r.end_place!r})")
            if not r.away_night:
                run = 0
                continue
            nights += 1
            run += 1
            sleepers[(r.end_place, date)].append(tid)
            if not team.field_trips:
                out.append(f"{head}: team {tid} sleeps at {r.end_place!r}, but it does not go on field trips "
                           "(field_trips = false)")
            if nxt is None:
                out.append(f"{head}: the team sleeps at {r.end_place!r} but has no day on "
                           f"{(date + dt.timedelta(days=1)).isoformat()}: it must be back at the base first "
                           "(no night away before a day off, a weekend or a holiday, nor after the week's last day)")
            if run > team.max_nights_in_row:
                out.append(f"{head}: {run} nights away in a row, more than team {tid}'s max_nights_in_row "
                           f"{team.max_nights_in_row}")
        if nights > team.max_nights_per_week:
            out.append(f"{tid}: {nights} nights away in the week, more than max_nights_per_week "
                       f"{team.max_nights_per_week}")
    for (pid, date), who in sorted(sleepers.items()):
        lod = lodgings.get(pid)
        if lod is not None and len(who) > lod.capacity:
            out.append(f"lodging {pid} on the night after {date.isoformat()}: {len(who)} teams ({', '.join(who)}), "
                       f"capacity {lod.capacity}")
    return out


# --------------------------------------------------------------------------- plan checks
def validate_plan(
    plan: Plan,
    ws: Workspace,
    travel: TravelModel,
    candidates: list[Visit] | None = None,
    held: Sequence[Route] = (),
) -> list[str]:
    """Every rule ``plan`` breaks, as sentences naming team, date, visit id and numbers.

    Parameters
    ----------
    plan
        The plan to check.
    ws
        The workspace it was made for.
    travel
        The travel model the plan's times and distances (seconds, metres) must agree with.
    candidates
        The week's candidate visits; default ``demand.candidate_visits(ws, week, caps)`` with
        the caps of :func:`session_caps`. Used only
        for the set of visit ids, each visit's place, kind and services, and its on-site
        minutes per number of recording kits.
    held
        Routes of the same week made outside ``plan`` (a re-plan's kept days before its
        date): their village sessions count toward ``policy.max_sessions_per_village`` and the
        one-session-per-date rule, and the default candidates offer only the sessions left.

    Returns
    -------
    list[str]
        The violations; empty when the plan is valid.
    """
    out: list[str] = []
    tzname = plan.timezone or ws.regency.timezone
    try:
        tz = ZoneInfo(tzname)
    except Exception:  # noqa: BLE001 - any bad zone name
        return [f"plan time zone {tzname!r} is not an IANA time zone"]
    if tzname != ws.regency.timezone:
        out.append(f"plan time zone {tzname} differs from the regency's {ws.regency.timezone}")
    try:
        week = Week.parse(plan.week, tzname)
    except ValueError as exc:
        return out + [f"plan week: {exc}"]
    held = [r for r in held if r.date in week.dates]
    held_sessions = Counter(s.village_code or "" for r in held for s in r.visits if s.kind == "village_session")
    if candidates is None:
        candidates = candidate_visits(ws, week, session_caps(ws, week, travel), held_sessions)
    cand = {v.id: v for v in candidates}

    for (team, date), n in Counter((r.team, r.date) for r in plan.routes).items():
        if n > 1:
            out.append(f"{team} {date.isoformat()}: {n} routes for the same team and date (at most 1)")
    for route in plan.routes:
        out += _check_route(route, ws, week, tz, travel, cand)
    planned = {(r.team, r.date) for r in plan.routes}
    out += _check_trips(list(plan.routes) + [r for r in held if (r.team, r.date) not in planned], ws)

    # -- accounting: each candidate exactly once, on a route or unassigned
    where_routed: dict[str, list[str]] = defaultdict(list)
    for r in plan.routes:
        for s in r.visits:
            if s.visit_id:
                where_routed[s.visit_id].append(f"{r.team} {r.date.isoformat()}")
    unassigned = Counter(u.visit_id for u in plan.unassigned)
    for vid, places in where_routed.items():
        if len(places) > 1:
            out.append(f"{vid}: on routes {len(places)} times ({', '.join(places)}); a visit is made at most once")
        if vid in unassigned:
            out.append(f"{vid}: both on a route ({places[0]}) and in unassigned")
        if vid not in cand:
            out.append(f"{vid}: on route {places[0]}, but it is not a candidate visit of {week} (unknown id)")
    for vid, n in unassigned.items():
        if n > 1:
            out.append(f"{vid}: in unassigned {n} times (at most once)")
        if vid not in cand:
            out.append(f"{vid}: in unassigned, but it is not a candidate visit of {week} (unknown id)")
    for u in plan.unassigned:
        c = cand.get(u.visit_id)
        if c is not None and u.kind != c.kind:
            out.append(f"{u.visit_id}: unassigned with kind {u.kind!r}, but the visit is a {c.kind}")
    for vid in cand:
        if vid not in where_routed and vid not in unassigned:
            out.append(f"{vid}: candidate visit missing: neither on a route nor in unassigned")

    # -- at most one session per village per date, across teams, and the weekly cap per village
    sessions: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
    for r in held:
        for s in r.visits:
            if s.kind == "village_session":
                sessions[(s.village_code or "", r.date)].append(f"{s.visit_id} ({r.team}, kept)")
    for r in plan.routes:
        for s in r.visits:
            c = cand.get(s.visit_id or "")
            if c is not None and c.kind == "village_session":
                sessions[(c.ref, r.date)].append(f"{s.visit_id} ({r.team})")
    for (code, date), ids in sessions.items():
        if len(ids) > 1:
            out.append(f"village {code} on {date.isoformat()}: {len(ids)} village sessions on the same date "
                       f"({', '.join(ids)}); at most one per village and date")
    cap = ws.policy.max_sessions_per_village
    per_village: dict[str, list[str]] = defaultdict(list)
    for (code, date), ids in sorted(sessions.items()):
        per_village[code] += [f"{date.isoformat()} {i}" for i in ids]
    for code, ids in per_village.items():
        if len(ids) > cap:
            out.append(f"village {code}: {len(ids)} village sessions in {week} ({'; '.join(ids)}); "
                       f"at most {cap} (policy.max_sessions_per_village)")
    return out


def check_plan(
    plan: Plan,
    ws: Workspace,
    travel: TravelModel,
    candidates: list[Visit] | None = None,
    held: Sequence[Route] = (),
) -> None:
    """Raise :class:`~outreach_planner.errors.PlanValidationError` when ``plan`` breaks any rule.

    Same parameters as :func:`validate_plan`.
    """
    violations = validate_plan(plan, ws, travel, candidates, held)
    if violations:
        raise PlanValidationError(violations)


__all__ = ["check_plan", "session_caps", "validate_plan"]
