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
from ..i18n import _, fmt_dec
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
        return step.visit_id or _("validate.label.visit_no_id", id="kunjungan tanpa id", en="a visit without id")
    if step.type == "break":
        return (_("validate.label.break", id="istirahat {place}", en="break {place}", place=repr(step.place))
                if step.place else _("validate.label.a_break", id="istirahat", en="a break"))
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
                _("validate.no_delivery", id="tim tidak mengantar dokumen (tanpa kegiatan 'delivery'; "
                  "delivery_capacity {cap})", en="the team does not deliver documents (no 'delivery' activity; "
                  "delivery_capacity {cap})", cap=team.delivery_capacity)
                if ws.policy.outreach_teams_deliver else
                _("validate.no_delivery_policy", id="tim tidak mengantar dokumen (tanpa kegiatan 'delivery', dan "
                  "policy.outreach_teams_deliver mati; delivery_capacity {cap})",
                  en="the team does not deliver documents (no 'delivery' activity, and "
                  "policy.outreach_teams_deliver is off; delivery_capacity {cap})", cap=team.delivery_capacity)
            )
        return why
    if visit.kind not in team.activities:
        why.append(_("validate.no_activity", id="tim tidak melakukan {kind} (kegiatannya: {acts})",
                     en="the team does not do {kind} (its activities: {acts})", kind=visit.kind,
                     acts=", ".join(team.activities) or "-"))
    needed = set(visit.services)
    if visit.kind == "home_visit":
        req = {r.id: r for r in ws.requests}.get(visit.ref)
        if req is not None:
            needed |= set(req.services)
    missing = sorted(needed - set(team.services))
    if missing:
        why.append(_("validate.no_service", id="tim tidak punya layanan {missing} (layanannya: {offers})",
                     en="the team lacks service(s) {missing} (it offers {offers})", missing=", ".join(missing),
                     offers=", ".join(team.services) or "-"))
    svc = {s.id: s for s in ws.services}
    kit = sorted(s for s in needed if s in svc and svc[s].needs_kit)
    if (kit or visit.needs_kit) and team.recording_kits == 0:
        why.append(_("validate.no_kit", id="{what} butuh alat perekaman dan tim tidak membawanya",
                     en="{what} needs a recording kit and the team carries none",
                     what=", ".join(kit) or _("validate.the_visit", id="kunjungan ini", en="the visit")))
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
        return [_("validate.unknown_team", id="{head}: tim {team} tidak dikenal; yang ada: {known}",
                  en="{head}: unknown team {team}; known: {known}", head=head, team=repr(route.team),
                  known=", ".join(sorted(teams)))]

    date = route.date
    wd = WEEKDAYS[date.weekday()]
    if date not in week.dates:
        out.append(_("validate.date_not_in_week", id="{head}: tanggal ini tidak dalam minggu rencana {week} "
                     "({first}..{last})", en="{head}: the date is not in the plan's week {week} ({first}..{last})",
                     head=head, week=week, first=week.dates[0].isoformat(), last=week.dates[-1].isoformat()))
    if wd not in team.days:
        out.append(_("validate.team_day_off", id="{head}: tim {team} tidak bekerja pada {wd} (harinya: {days})",
                     en="{head}: team {team} does not work on {wd} (its days: {days})", head=head, team=team.id,
                     wd=wd, days=", ".join(team.days)))
    if date in team.days_off:
        out.append(_("validate.team_days_off", id="{head}: tim {team} libur pada {date} (days_off)",
                     en="{head}: team {team} has {date} as a day off (days_off)", head=head, team=team.id,
                     date=date.isoformat()))
    if not ws.calendar.is_working_day(date):
        why = (_("validate.holiday", id="hari libur", en="a holiday") if date in ws.calendar.holidays else
               _("validate.not_working_day", id="bukan hari kerja kantor ({wd})", en="not an office working day ({wd})",
                 wd=wd))
        out.append(_("validate.office_closed", id="{head}: kantor tidak bekerja pada {date}: {why}",
                     en="{head}: the office does not work on {date}: {why}", head=head, date=date.isoformat(),
                     why=why))
    if route.depot != team.depot:
        out.append(_("validate.wrong_depot", id="{head}: depot rute {depot} bukan depot tim {team_depot}",
                     en="{head}: route depot {depot} is not the team's depot {team_depot}", head=head,
                     depot=repr(route.depot), team_depot=repr(team.depot)))

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
        return out + [_("validate.no_steps", id="{head}: rute tidak punya langkah", en="{head}: the route has no steps",
                        head=head)]
    if steps[0].type != "start":
        out.append(_("validate.first_step", id="{head}: langkah pertama {type}, bukan 'start'",
                     en="{head}: the first step is {type}, not 'start'", head=head, type=repr(steps[0].type)))
    away = route.end_place != team.depot
    last = "night" if away else "end"
    if steps[-1].type != last:
        out.append(_("validate.last_step", id="{head}: langkah terakhir {type}, bukan {last}",
                     en="{head}: the last step is {type}, not {last}", head=head, type=repr(steps[-1].type),
                     last=repr(last))
                   + (_("validate.day_ends_at", id=" (hari berakhir di {place})", en=" (the day ends at {place})",
                        place=repr(route.end_place)) if away else ""))
    for k, s in enumerate(steps):
        if s.type in ("start", "end", "night") and k not in (0, len(steps) - 1):
            out.append(_("validate.step_in_middle", id="{head}: langkah {type} di tengah rute (langkah {k})",
                         en="{head}: a {type} step in the middle of the route (step {k})", head=head,
                         type=repr(s.type), k=k + 1))

    # the day starts at the base or the lodging slept at, and ends at the base or a lodging (never elsewhere)
    depot = next((d for d in ws.depots if d.id == team.depot), None)
    lodgings = {x.id: x for x in ws.lodgings}
    for s, pid, what in ((steps[0], route.start_place, "start"), (steps[-1], route.end_place, "end")):
        place = depot if pid == team.depot else lodgings.get(pid)
        if place is None:
            out.append(_("validate.bad_place", id="{head}: tempat {what} hari ini {pid} bukan kantor tim {base} "
                         "dan bukan tempat bermalam wilayah kerja", en="{head}: the day's {what} place {pid} is "
                         "neither the team's base {base} nor a lodging of the workspace", head=head, what=what,
                         pid=repr(pid), base=repr(team.depot)))
            continue
        if s.type in ("start", "end", "night") and not _same_place(s.location, (place.lon, place.lat)):
            kind = (_("validate.kind_depot", id="depot", en="depot") if pid == team.depot else
                    _("validate.kind_lodging", id="tempat bermalam", en="lodging"))
            out.append(_("validate.not_at_place", id="{head} {type}: di {loc}, bukan di {kind} {place} ({lon}, {lat})",
                         en="{head} {type}: at {loc}, not at the {kind} {place} ({lon}, {lat})", head=head,
                         type=s.type, loc=s.location, kind=kind, place=place.id, lon=place.lon, lat=place.lat))

    clock = _Clock(date, tz)
    times = [(clock(s.arrival), clock(s.start), clock(s.end)) for s in steps]

    # -- times within the shift and in order
    for k, (s, (arr, st, en)) in enumerate(zip(steps, times)):
        where = f"{head} {_label(s)}"
        if not (arr <= st <= en):
            out.append(_("validate.times_order", id="{where}: urutan waktu salah: tiba {arr}, mulai {st}, selesai "
                         "{end} (harus tiba <= mulai <= selesai)", en="{where}: times out of order: arrival {arr}, "
                         "start {st}, end {end} (need arrival <= start <= end)", where=where, arr=_hms(arr),
                         st=_hms(st), end=_hms(en)))
        if shift is not None and (min(arr, st) < shift[0] or max(st, en) > shift[1]):
            out.append(_("validate.outside_shift", id="{where}: {arr}/{st}-{end} di luar jam kerja {shift} tim "
                         "{team} pada {wd}", en="{where}: {arr}/{st}-{end} is outside the shift {shift} of team "
                         "{team} on {wd}", where=where, arr=_hms(arr), st=_hms(st), end=_hms(en),
                         shift=_span(hours.start, hours.end), team=team.id, wd=wd))
        if k > 0 and st < times[k - 1][2]:
            out.append(_("validate.starts_before_previous", id="{where}: mulai {st} sebelum langkah sebelumnya "
                         "({prev}) selesai {prev_end}", en="{where}: starts {st} before the previous step ({prev}) "
                         "ends {prev_end}", where=where, st=_hms(st), prev=_label(steps[k - 1]),
                         prev_end=_hms(times[k - 1][2])))

    # -- breaks
    for s, (arr, st, en) in zip(steps, times):
        if s.type == "visit":
            for b0, b1, name in breaks:
                if st < b1 and en > b0:
                    out.append(_("validate.visit_in_break", id="{head} {label}: di lokasi {st}-{end} bertabrakan "
                                 "dengan istirahat {name} {b0}-{b1}", en="{head} {label}: on site {st}-{end} overlaps "
                                 "the break {name} {b0}-{b1}", head=head, label=_label(s), st=_hms(st),
                                 end=_hms(en), name=repr(name), b0=_hms(b0), b1=_hms(b1)))
        elif s.type == "break":
            if not any(abs(st - b0) <= TOL_S and abs(en - b1) <= TOL_S for b0, b1, _ in breaks) and not any(
                abs(st - b0) <= TOL_S and abs(en - b1) <= TOL_S for b0, b1 in raw_breaks
            ):
                known = ", ".join(f"{n} {_hms(b0)}-{_hms(b1)}" for b0, b1, n in breaks) or "-"
                out.append(_("validate.unknown_break", id="{head} istirahat {st}-{end}: bukan istirahat kalender "
                             "pada {wd} (istirahat: {known})", en="{head} break {st}-{end}: not a break of the "
                             "calendar on {wd} (breaks: {known})", head=head, st=_hms(st), end=_hms(en), wd=wd,
                             known=known))
    out_from, out_to = times[0][1], times[-1][2]
    for b0, b1, name in breaks:
        if b0 < out_to and b1 > out_from:
            if not any(s.type == "break" and _overlap(st, en, b0, b1) > 0 for s, (_, st, en) in zip(steps, times)):
                out.append(_("validate.break_missing", id="{head}: istirahat {name} {b0}-{b1} jatuh saat tim di "
                             "luar ({out_from}-{out_to}) tetapi tidak ada di rute", en="{head}: the break {name} "
                             "{b0}-{b1} falls while the team is out ({out_from}-{out_to}) but is not on the route",
                             head=head, name=repr(name), b0=_hms(b0), b1=_hms(b1), out_from=_hms(out_from),
                             out_to=_hms(out_to)))

    # -- travel: figures from the travel model, and enough time to drive them
    stops = [k for k, s in enumerate(steps) if s.type != "break"]
    missing_loc = [k for k in stops if steps[k].location is None]
    for k in missing_loc:
        out.append(_("validate.no_location", id="{head} {label}: langkah ini tidak punya lokasi",
                     en="{head} {label}: the step has no location", head=head, label=_label(steps[k])))
    if steps[0].travel_s or steps[0].distance_m:
        out.append(_("validate.travel_before_start", id="{head} start: perjalanan {s} dtk / {m} m sebelum "
                     "berangkat (seharusnya 0)", en="{head} start: travel {s} s / {m} m before leaving (should be 0)",
                     head=head, s=steps[0].travel_s, m=steps[0].distance_m))
    for k, s in enumerate(steps):
        if s.type == "break" and (s.travel_s or s.distance_m):
            out.append(_("validate.travel_in_break", id="{head} {label}: istirahat dengan perjalanan {s} dtk / {m} m "
                         "(seharusnya 0)", en="{head} {label}: a break with travel {s} s / {m} m (should be 0)",
                         head=head, label=_label(s), s=s.travel_s, m=s.distance_m))
    if not missing_loc and len(stops) > 1:
        points = [tuple(steps[k].location) for k in stops]  # type: ignore[arg-type]
        try:
            dur, dist = travel.matrices(points, team.vehicle)
        except ValueError as exc:
            out.append(_("validate.no_travel_figures", id="{head}: model perjalanan tidak punya angka untuk "
                         "kendaraan {vehicle}: {exc}", en="{head}: the travel model has no figures for vehicle "
                         "{vehicle}: {exc}", head=head, vehicle=repr(team.vehicle), exc=exc))
            dur = dist = None
        for j in range(1, len(stops)):
            prev_k, k = stops[j - 1], stops[j]
            s, prev = steps[k], steps[prev_k]
            where = f"{head} {_label(s)}"
            if dur is not None:
                want_s, want_m = int(dur[j - 1, j]), int(dist[j - 1, j])
                if abs(s.travel_s - want_s) > TOL_S:
                    out.append(_("validate.travel_s", id="{where}: travel_s {got} dtk dari {prev}, tetapi model "
                                 "perjalanan menyebut {want} dtk untuk {vehicle}", en="{where}: travel_s {got} s from "
                                 "{prev}, but the travel model says {want} s for a {vehicle}", where=where,
                                 got=s.travel_s, prev=_label(prev), want=want_s, vehicle=team.vehicle))
                if abs(s.distance_m - want_m) > TOL_M:
                    out.append(_("validate.distance_m", id="{where}: distance_m {got} m dari {prev}, tetapi model "
                                 "perjalanan menyebut {want} m", en="{where}: distance_m {got} m from {prev}, but the "
                                 "travel model says {want} m", where=where, got=s.distance_m, prev=_label(prev),
                                 want=want_m))
            leave, arr = times[prev_k][2], times[k][0]
            earliest = _earliest_arrival(leave, s.travel_s, breaks)
            if arr < earliest - TOL_S:
                in_breaks = earliest - leave - s.travel_s
                extra = _("validate.plus_breaks", id=" + {n} dtk istirahat", en=" + {n} s of breaks",
                          n=f"{in_breaks:.0f}") if in_breaks > 0 else ""
                out.append(_("validate.travel_too_short", id="{where}: waktu perjalanan terlalu singkat: tiba {arr}, "
                             "padahal berangkat dari {prev} pukul {leave} dengan {drive} dtk berkendara{extra} tidak "
                             "bisa tiba sebelum {earliest}", en="{where}: travel time too short: arrives {arr}, but "
                             "leaving {prev} at {leave} with {drive} s of driving{extra} it cannot arrive before "
                             "{earliest}", where=where, arr=_hms(arr), prev=_label(prev), leave=_hms(leave),
                             drive=s.travel_s, extra=extra, earliest=_hms(earliest)))

    # -- visits: candidate, skills, duration, windows, place
    requests = {r.id: r for r in ws.requests}
    delivs = {d.id: d for d in ws.deliveries}
    n_deliveries = 0
    for s, (arr, st, en) in zip(steps, times):
        if s.type != "visit":
            continue
        if not s.visit_id:
            out.append(_("validate.no_visit_id", id="{head}: langkah kunjungan pukul {st} tidak punya visit_id",
                         en="{head}: a visit step at {st} has no visit_id", head=head, st=_hms(st)))
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
            out.append(_("validate.step_kind", id="{where}: jenis langkah {kind} tetapi kunjungannya {want}",
                         en="{where}: step kind {kind} but the visit is a {want}", where=where, kind=repr(s.kind),
                         want=c.kind))
        if not _same_place(s.location, (c.lon, c.lat)):
            out.append(_("validate.visit_place", id="{where}: di {loc}, padahal kunjungan ini di ({lon}, {lat})",
                         en="{where}: at {loc}, but the visit takes place at ({lon}, {lat})", where=where,
                         loc=s.location, lon=c.lon, lat=c.lat))
        for why in _can_do(team, c, ws):
            out.append(_("validate.cannot_make", id="{where}: tim {team} tidak bisa melakukan {kind} ini: {why}",
                         en="{where}: team {team} cannot make this {kind}: {why}", where=where, team=team.id,
                         kind=c.kind, why=why))
        want = _on_site_s(c.minutes(team.recording_kits))
        if abs((en - st) - want) > TOL_S:
            out.append(_("validate.duration", id="{where}: lama salah: di lokasi {got} dtk ({st}-{end}), seharusnya "
                         "{want} dtk ({mins} menit dengan {kits} alat)", en="{where}: wrong duration: on site {got} s "
                         "({st}-{end}), expected {want} s ({mins} min with {kits} kit(s))", where=where,
                         got=f"{en - st:.0f}", st=_hms(st), end=_hms(en), want=want,
                         mins=fmt_dec(c.minutes(team.recording_kits), 2), kits=team.recording_kits))
        if c.kind == "home_visit":
            req = requests.get(c.ref)
            if req is None:
                out.append(_("validate.no_request", id="{where}: tidak ada permintaan kunjungan rumah {ref} di "
                             "wilayah kerja", en="{where}: no home-visit request {ref} in the workspace", where=where,
                             ref=repr(c.ref)))
            elif req.windows:
                wins = [w for w in req.windows if w.applies_to(date)]
                if not wins:
                    out.append(_("validate.no_window", id="{where}: permintaan {req} tidak punya jadwal ketersediaan "
                                 "pada {wd} {date} (jadwal: {wins})", en="{where}: request {req} has no availability "
                                 "window on {wd} {date} (windows: {wins})", where=where, req=req.id, wd=wd,
                                 date=date.isoformat(), wins="; ".join(str(w) for w in req.windows)))
                elif not any(w.start * 60 <= st and en <= w.end * 60 for w in wins):
                    out.append(_("validate.outside_window", id="{where}: {st}-{end} di luar jadwal ketersediaan "
                                 "{wins} permintaan {req}", en="{where}: {st}-{end} is outside the availability "
                                 "window(s) {wins} of request {req}", where=where, st=_hms(st), end=_hms(en),
                                 wins="; ".join(str(w) for w in wins), req=req.id))
        elif c.kind == "school_session":
            win = ws.calendar.school_window(date)
            if win is None:
                out.append(_("validate.schools_closed", id="{where}: sekolah tutup pada {wd} {date} (tanpa jam "
                             "sekolah)", en="{where}: schools are closed on {wd} {date} (no school hours)",
                             where=where, wd=wd, date=date.isoformat()))
            elif not (win.start * 60 <= st and en <= win.end * 60):
                out.append(_("validate.outside_school", id="{where}: {st}-{end} di luar jam sekolah {win} pada {wd}",
                             en="{where}: {st}-{end} is outside school hours {win} on {wd}", where=where,
                             st=_hms(st), end=_hms(en), win=win, wd=wd))
        elif c.kind == "delivery":
            d = delivs.get(c.ref)
            if d is None:
                out.append(_("validate.no_delivery_ref", id="{where}: tidak ada antaran {ref} di wilayah kerja",
                             en="{where}: no delivery {ref} in the workspace", where=where, ref=repr(c.ref)))
            elif date < d.ready_on:
                out.append(_("validate.not_ready", id="{where}: diantar pada {date}, sebelum dokumennya siap ({ready})",
                             en="{where}: delivered on {date}, before the document is ready ({ready})", where=where,
                             date=date.isoformat(), ready=d.ready_on.isoformat()))
    if n_deliveries > team.delivery_capacity:
        out.append(_("validate.delivery_capacity", id="{head}: {n} antaran, melebihi delivery_capacity tim {team} "
                     "{cap}", en="{head}: {n} deliveries, more than team {team}'s delivery_capacity {cap}", head=head,
                     n=n_deliveries, team=team.id, cap=team.delivery_capacity))
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
                    was = (_("validate.no_route", id="tidak ada rute", en="no route") if prev is None else
                           _("validate.day_before_ended", id="hari sebelumnya berakhir di {place}",
                             en="the day before ended at {place}", place=repr(prev.end_place)))
                    out.append(_("validate.start_not_slept", id="{head}: hari dimulai di {place}, tetapi tim tidak "
                                 "bermalam di sana ({was} pada {before})", en="{head}: the day starts at {place}, but "
                                 "the team did not sleep there ({was} on {before})", head=head,
                                 place=repr(r.start_place), was=was,
                                 before=(date - dt.timedelta(days=1)).isoformat()))
            elif prev is not None and prev.away_night:
                out.append(_("validate.start_at_base", id="{head}: hari dimulai di kantor, tetapi tim bermalam di "
                             "{place}", en="{head}: the day starts at the base, but the team slept at {place}",
                             head=head, place=repr(prev.end_place)))
            if wd in team.home_days and (r.start_place != team.depot or r.end_place != team.depot):
                out.append(_("validate.home_day", id="{head}: {wd} adalah hari pulang tim {team}: hari harus mulai "
                             "dan berakhir di kantor (mulai di {start}, berakhir di {end})", en="{head}: {wd} is a "
                             "home day of team {team}: the day must start and end at the base (starts at {start}, "
                             "ends at {end})", head=head, wd=wd, team=tid, start=repr(r.start_place),
                             end=repr(r.end_place)))
            if not r.away_night:
                run = 0
                continue
            nights += 1
            run += 1
            sleepers[(r.end_place, date)].append(tid)
            if not team.field_trips:
                out.append(_("validate.no_field_trips", id="{head}: tim {team} bermalam di {place}, padahal tidak "
                             "melakukan perjalanan dinas (field_trips = false)", en="{head}: team {team} sleeps at "
                             "{place}, but it does not go on field trips (field_trips = false)", head=head, team=tid,
                             place=repr(r.end_place)))
            if nxt is None:
                out.append(_("validate.stranded", id="{head}: tim bermalam di {place} tetapi tidak punya hari kerja "
                             "pada {next}: tim harus kembali ke kantor dulu (tidak bermalam di luar sebelum hari "
                             "libur, akhir pekan atau hari raya, juga tidak setelah hari terakhir minggu ini)",
                             en="{head}: the team sleeps at {place} but has no day on {next}: it must be back at the "
                             "base first (no night away before a day off, a weekend or a holiday, nor after the "
                             "week's last day)", head=head, place=repr(r.end_place),
                             next=(date + dt.timedelta(days=1)).isoformat()))
            if run > team.max_nights_in_row:
                out.append(_("validate.nights_in_row", id="{head}: {n} malam berturut-turut di luar, melebihi "
                             "max_nights_in_row tim {team} {cap}", en="{head}: {n} nights away in a row, more than "
                             "team {team}'s max_nights_in_row {cap}", head=head, n=run, team=tid,
                             cap=team.max_nights_in_row))
        if nights > team.max_nights_per_week:
            out.append(_("validate.nights_per_week", id="{team}: {n} malam di luar dalam minggu ini, melebihi "
                         "max_nights_per_week {cap}", en="{team}: {n} nights away in the week, more than "
                         "max_nights_per_week {cap}", team=tid, n=nights, cap=team.max_nights_per_week))
    for (pid, date), who in sorted(sleepers.items()):
        lod = lodgings.get(pid)
        if lod is not None and len(who) > lod.capacity:
            out.append(_("validate.lodging_capacity", id="tempat bermalam {place} pada malam setelah {date}: {n} tim "
                         "({teams}), kapasitas {cap}", en="lodging {place} on the night after {date}: {n} teams "
                         "({teams}), capacity {cap}", place=pid, date=date.isoformat(), n=len(who),
                         teams=", ".join(who), cap=lod.capacity))
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
        return [_("validate.bad_zone", id="zona waktu rencana {zone} bukan zona waktu IANA",
                  en="plan time zone {zone} is not an IANA time zone", zone=repr(tzname))]
    if tzname != ws.regency.timezone:
        out.append(_("validate.other_zone", id="zona waktu rencana {zone} berbeda dari zona kabupaten {want}",
                     en="plan time zone {zone} differs from the regency's {want}", zone=tzname,
                     want=ws.regency.timezone))
    try:
        week = Week.parse(plan.week, tzname)
    except ValueError as exc:
        return out + [_("validate.bad_week", id="minggu rencana: {exc}", en="plan week: {exc}", exc=exc)]
    held = [r for r in held if r.date in week.dates]
    held_sessions = Counter(s.village_code or "" for r in held for s in r.visits if s.kind == "village_session")
    if candidates is None:
        candidates = candidate_visits(ws, week, session_caps(ws, week, travel), held_sessions)
    cand = {v.id: v for v in candidates}

    for (team, date), n in Counter((r.team, r.date) for r in plan.routes).items():
        if n > 1:
            out.append(_("validate.two_routes", id="{team} {date}: {n} rute untuk tim dan tanggal yang sama (paling "
                         "banyak 1)", en="{team} {date}: {n} routes for the same team and date (at most 1)",
                         team=team, date=date.isoformat(), n=n))
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
            out.append(_("validate.visit_twice", id="{vid}: ada di rute {n} kali ({places}); satu kunjungan paling "
                         "banyak sekali", en="{vid}: on routes {n} times ({places}); a visit is made at most once",
                         vid=vid, n=len(places), places=", ".join(places)))
        if vid in unassigned:
            out.append(_("validate.routed_and_unassigned", id="{vid}: ada di rute ({place}) sekaligus di daftar "
                         "tidak terjadwal", en="{vid}: both on a route ({place}) and in unassigned", vid=vid,
                         place=places[0]))
        if vid not in cand:
            out.append(_("validate.routed_unknown", id="{vid}: ada di rute {place}, tetapi bukan calon kunjungan "
                         "{week} (id tidak dikenal)", en="{vid}: on route {place}, but it is not a candidate visit of "
                         "{week} (unknown id)", vid=vid, place=places[0], week=week))
    for vid, n in unassigned.items():
        if n > 1:
            out.append(_("validate.unassigned_twice", id="{vid}: ada di daftar tidak terjadwal {n} kali (paling "
                         "banyak sekali)", en="{vid}: in unassigned {n} times (at most once)", vid=vid, n=n))
        if vid not in cand:
            out.append(_("validate.unassigned_unknown", id="{vid}: ada di daftar tidak terjadwal, tetapi bukan calon "
                         "kunjungan {week} (id tidak dikenal)", en="{vid}: in unassigned, but it is not a candidate "
                         "visit of {week} (unknown id)", vid=vid, week=week))
    for u in plan.unassigned:
        c = cand.get(u.visit_id)
        if c is not None and u.kind != c.kind:
            out.append(_("validate.unassigned_kind", id="{vid}: tidak terjadwal dengan jenis {kind}, tetapi "
                         "kunjungannya {want}", en="{vid}: unassigned with kind {kind}, but the visit is a {want}",
                         vid=u.visit_id, kind=repr(u.kind), want=c.kind))
    for vid in cand:
        if vid not in where_routed and vid not in unassigned:
            out.append(_("validate.candidate_missing", id="{vid}: calon kunjungan hilang: tidak di rute dan tidak di "
                         "daftar tidak terjadwal", en="{vid}: candidate visit missing: neither on a route nor in "
                         "unassigned", vid=vid))

    # -- at most one session per village per date, across teams, and the weekly cap per village
    sessions: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
    for r in held:
        for s in r.visits:
            if s.kind == "village_session":
                sessions[(s.village_code or "", r.date)].append(
                    _("validate.kept_session", id="{vid} ({team}, tetap)", en="{vid} ({team}, kept)", vid=s.visit_id,
                      team=r.team))
    for r in plan.routes:
        for s in r.visits:
            c = cand.get(s.visit_id or "")
            if c is not None and c.kind == "village_session":
                sessions[(c.ref, r.date)].append(f"{s.visit_id} ({r.team})")
    for (code, date), ids in sessions.items():
        if len(ids) > 1:
            out.append(_("validate.same_day_sessions", id="desa {code} pada {date}: {n} sesi desa pada tanggal yang "
                         "sama ({ids}); paling banyak satu per desa dan tanggal", en="village {code} on {date}: {n} "
                         "village sessions on the same date ({ids}); at most one per village and date", code=code,
                         date=date.isoformat(), n=len(ids), ids=", ".join(ids)))
    cap = ws.policy.max_sessions_per_village
    per_village: dict[str, list[str]] = defaultdict(list)
    for (code, date), ids in sorted(sessions.items()):
        per_village[code] += [f"{date.isoformat()} {i}" for i in ids]
    for code, ids in per_village.items():
        if len(ids) > cap:
            out.append(_("validate.week_sessions", id="desa {code}: {n} sesi desa dalam {week} ({ids}); paling banyak "
                         "{cap} (policy.max_sessions_per_village)", en="village {code}: {n} village sessions in "
                         "{week} ({ids}); at most {cap} (policy.max_sessions_per_village)", code=code, n=len(ids),
                         week=week, ids="; ".join(ids), cap=cap))
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
