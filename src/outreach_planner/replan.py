"""Re-plan the rest of a week: keep what is past or done, drop a team, re-optimise the remaining days.

Given the last plan issued for a week (from the ledger) and a date ``from_date``:

* routes before ``from_date`` are kept as they are (what was done or is locked);
* the remaining days are planned again on a copy of the workspace where the earlier days of
  the week are holidays, the team taken off (``team_off``) is removed, the ledger's progress
  is applied (done and cancelled requests removed, people served added), and the visits kept
  are taken out: their requests and schools are removed and, while no tally came back for
  them, the people they expect count as covered;
* new village sessions are numbered after the kept ones of the same village, so a visit id
  is never used twice in one plan;
* the merged plan's ``summary["replan"]`` says what it is based on, and ``changes`` lists
  every visit of the remaining days that was added, removed or moved (team or date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .engines import SolveLimits
from .errors import InputError, NoPlanError
from .ledger import Ledger
from .model import Workspace
from .plan import Plan, Route
from .planner import make_plan
from .travel import TravelModel
from .week import Week


@dataclass
class Replan:
    """The merged plan, the part planned again (valid against ``workspace``), and the changes."""

    plan: Plan
    new_part: Plan
    workspace: Workspace
    based_on: str
    changes: list[dict]




def remaining_workspace(ws: Workspace, week: Week, from_date: dt.date, kept: list[Route],
                        reported: set[str], team_off: str | None = None) -> Workspace:
    """The workspace for planning ``from_date`` to the end of ``week``; see the module docstring.

    ``ws`` should already carry the ledger's progress; ``reported`` are visit ids of the kept
    routes with a recorded outcome (already in that progress).
    """
    if team_off is not None and team_off not in {t.id for t in ws.teams}:
        raise InputError(f"--team-off: unknown team {team_off!r}; teams: {', '.join(t.id for t in ws.teams)}")
    holidays = tuple(sorted(set(ws.calendar.holidays) | {d for d in week.dates if d < from_date}))
    calendar = ws.calendar.model_copy(update={"holidays": holidays})
    teams = tuple(t for t in ws.teams if t.id != team_off)
    if not teams:
        raise NoPlanError(f"no team is left once {team_off} is off")
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


def diff(old: Plan, new: Plan, from_date: dt.date) -> list[dict]:
    """Visits of the days from ``from_date`` added, removed or moved (other team or date) from ``old`` to ``new``."""
    def where(p: Plan) -> dict[str, dict]:
        return {s.visit_id: {"team": r.team, "date": r.date.isoformat(), "start": s.start.strftime("%H:%M"),
                             "kind": s.kind, "place": s.place}
                for r, s in p.visit_steps if r.date >= from_date and s.visit_id}

    a, b = where(old), where(new)
    out = []
    for vid in sorted(a.keys() | b.keys()):
        if vid not in b:
            out.append({"visit_id": vid, "change": "removed", "kind": a[vid]["kind"], "place": a[vid]["place"],
                        "before": {k: a[vid][k] for k in ("team", "date", "start")}, "after": None})
        elif vid not in a:
            out.append({"visit_id": vid, "change": "added", "kind": b[vid]["kind"], "place": b[vid]["place"],
                        "before": None, "after": {k: b[vid][k] for k in ("team", "date", "start")}})
        elif (a[vid]["team"], a[vid]["date"]) != (b[vid]["team"], b[vid]["date"]):
            out.append({"visit_id": vid, "change": "moved", "kind": b[vid]["kind"], "place": b[vid]["place"],
                        "before": {k: a[vid][k] for k in ("team", "date", "start")},
                        "after": {k: b[vid][k] for k in ("team", "date", "start")}})
    return out


def replan(ws: Workspace, ledger: Ledger, from_date: dt.date, team_off: str | None = None,
           limits: SolveLimits = SolveLimits(), engine: str = "auto", travel: TravelModel | None = None,
           now: dt.datetime | None = None) -> Replan:
    """Re-plan the week of ``from_date`` from that date on; see the module docstring.

    Raises ``InputError`` when no plan of that week is in the ledger or the team is unknown,
    ``NoPlanError`` when no team or day is left.
    """
    y, n, _ = from_date.isocalendar()
    week = Week(y, n, ws.regency.timezone)
    found = ledger.latest_plan(str(week))
    if found is None:
        raise InputError(f"no plan of {week} is in the ledger {ledger.path}; give --plan plan.json of that week")
    pid, old = found
    if not any(ws.calendar.is_working_day(d) for d in week.dates if d >= from_date):
        raise NoPlanError(f"no working day is left in {week} from {from_date}")
    kept = [r for r in old.routes if r.date < from_date]
    reported = {o.visit_id for o in ledger.outcomes(pid)}
    ledger.sync_requests(ws)
    ws_rest = remaining_workspace(ledger.apply_progress(ws), week, from_date, kept, reported, team_off)
    run = make_plan(ws_rest, week, limits, engine=engine, travel=travel, now=now)
    new_part = run.plan
    renamed = _renumber(new_part, kept)
    routes = tuple(sorted(kept + list(renamed.routes), key=lambda r: (r.date, r.team)))
    merged = renamed.model_copy(update={"routes": routes})
    changes = diff(old, merged, from_date)
    steps = [s for r in routes for s in r.visits]
    summary = dict(renamed.summary, scheduled_visits=len(steps),
                   value_collected=round(sum(s.value for s in steps), 3),
                   travel_hours=round(sum(r.travel_s for r in routes) / 3600, 2),
                   distance_km=round(sum(r.distance_m for r in routes) / 1000, 1),
                   replan={"based_on": pid, "from": from_date.isoformat(), "team_off": team_off,
                           "kept_routes": len(kept)},
                   changes=changes)
    return Replan(merged.model_copy(update={"summary": summary}), new_part, ws_rest, pid, changes)


__all__ = ["Replan", "diff", "remaining_workspace", "replan"]
