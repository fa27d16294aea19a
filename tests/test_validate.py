"""``validate_plan``: a real plan passes; each corruption of it is caught; random workspaces plan validly."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from outreach_planner.planning.demand import candidate_visits
from outreach_planner.engines import SolveLimits
from outreach_planner.errors import PlanValidationError
from outreach_planner.io import read_workspace
from outreach_planner.model import (
    WEEKDAYS,
    Break,
    DayRange,
    Depot,
    Workspace,
)
from outreach_planner.plan import Plan, Route, Step
from outreach_planner.planning.planner import make_plan
from outreach_planner.travel import travel_model
from outreach_planner.planning.validate import check_plan, session_caps, validate_plan
from outreach_planner.week import Week
from strategies import check_random_workspace, workspaces

pytestmark = pytest.mark.usefixtures("english")  # the violations are asserted in English (Indonesian: test_catalogue)

SMALL = Path(__file__).resolve().parent / "data" / "small"
WEEK = Week.parse("2026-W49")
LIMITS = SolveLimits(time_limit_s=600, solution_limit=50)  # the solution limit decides; 600 s is a safety net
ENGINE = "ortools"  # one deterministic engine (``auto`` races engines and keeps the best valid plan)
FRIDAY = dt.date(2026, 12, 4)


# --------------------------------------------------------------------------- fixtures and helpers
@pytest.fixture(scope="module")
def ws() -> Workspace:
    return read_workspace(SMALL)


@pytest.fixture(scope="module")
def travel(ws):
    return travel_model(ws)


@pytest.fixture(scope="module")
def plan(ws) -> Plan:
    return make_plan(ws, WEEK, LIMITS, engine=ENGINE).plan


def at(date: dt.date, hh: int, mm: int, ss: int = 0) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, hh, mm, ss, tzinfo=WEEK.tz)


def locate(plan: Plan, visit_id: str) -> tuple[int, int]:
    """(route index, step index) of a visit."""
    for ri, r in enumerate(plan.routes):
        for si, s in enumerate(r.steps):
            if s.visit_id == visit_id:
                return ri, si
    raise LookupError(visit_id)


def with_steps(plan: Plan, changes: dict[int, list[Step]]) -> Plan:
    """A copy of ``plan`` with the steps of the given routes replaced."""
    routes = list(plan.routes)
    for ri, steps in changes.items():
        routes[ri] = routes[ri].model_copy(update={"steps": tuple(steps)})
    return plan.model_copy(update={"routes": tuple(routes)})


def moved(step: Step, start: dt.datetime, duration: dt.timedelta | None = None) -> Step:
    """``step`` moved to start (and arrive) at ``start``, keeping its duration unless given."""
    dur = duration if duration is not None else step.end - step.start
    return step.model_copy(update={"arrival": start, "start": start, "end": start + dur})


def insert_before_end(plan: Plan, ri: int, step: Step, remove: tuple[int, int] | None = None) -> Plan:
    """Insert ``step`` before the end of route ``ri`` (optionally removing another step first)."""
    changes: dict[int, list[Step]] = {}
    if remove is not None:
        rj, sj = remove
        steps = list(plan.routes[rj].steps)
        del steps[sj]
        changes[rj] = steps
    steps = list(changes.get(ri, plan.routes[ri].steps))
    steps.insert(len(steps) - 1, step)
    changes[ri] = steps
    return with_steps(plan, changes)


def route_of(plan: Plan, team: str, date: dt.date) -> int:
    return next(i for i, r in enumerate(plan.routes) if r.team == team and r.date == date)


def assert_flags(violations: list[str], *needles: str) -> None:
    """Some violation mentions every needle."""
    hits = [v for v in violations if all(n in v for n in needles)]
    assert hits, f"no violation mentions {needles!r}; got:\n" + "\n".join(violations)


# --------------------------------------------------------------------------- the real plan
def test_real_plan_is_valid(plan, ws, travel):
    assert plan.routes, "the small workspace should plan some visits"
    assert validate_plan(plan, ws, travel) == []
    check_plan(plan, ws, travel)  # does not raise


def test_every_candidate_accounted_once(plan, ws, travel):
    ids = [s.visit_id for _, s in plan.visit_steps] + [u.visit_id for u in plan.unassigned]
    assert Counter(ids) == Counter(v.id for v in candidate_visits(ws, WEEK, session_caps(ws, WEEK, travel)))


def test_check_plan_raises_with_the_violations(plan, ws, travel):
    bad = plan.model_copy(update={"unassigned": plan.unassigned[1:]})
    with pytest.raises(PlanValidationError) as err:
        check_plan(bad, ws, travel)
    assert err.value.violations == validate_plan(bad, ws, travel)
    assert err.value.exit_code == 1
    assert plan.unassigned[0].visit_id in str(err.value)


# --------------------------------------------------------------------------- mutations
def test_visit_moved_outside_shift(plan, ws, travel):
    ri = next(i for i, r in enumerate(plan.routes) if r.visits and r.date != FRIDAY)
    route = plan.routes[ri]
    si = next(i for i, s in enumerate(route.steps) if s.type == "visit")
    steps = list(route.steps)
    steps[si] = moved(steps[si], at(route.date, 16, 30))
    v = validate_plan(with_steps(plan, {ri: steps}), ws, travel)
    assert_flags(v, route.team, route.date.isoformat(), steps[si].visit_id, "outside the shift", "08:00-16:00")


def test_visit_overlapping_a_break(plan, ws, travel):
    ri, si = next((ri, si) for ri, r in enumerate(plan.routes) for si, s in enumerate(r.steps)
                  if s.type == "visit" and si > 0 and r.steps[si - 1].type == "break")
    route = plan.routes[ri]
    brk = route.steps[si - 1]
    steps = list(route.steps)
    steps[si] = moved(steps[si], brk.start + dt.timedelta(minutes=30))
    v = validate_plan(with_steps(plan, {ri: steps}), ws, travel)
    assert_flags(v, steps[si].visit_id, route.date.isoformat(), "overlaps the break", "12:00:00-13:00:00")


def test_home_visit_needing_ektp_on_the_courier(plan, ws, travel):
    req = next(r for r in ws.requests if "ektp" in r.services)
    vid = f"hv:{req.id}"
    src = locate(plan, vid)
    ri = next(i for i, r in enumerate(plan.routes) if r.team == "kurir")
    kurir = plan.routes[ri]
    last = kurir.steps[-2]
    step = moved(plan.routes[src[0]].steps[src[1]], last.end + dt.timedelta(minutes=20))
    v = validate_plan(insert_before_end(plan, ri, step, remove=src), ws, travel)
    assert_flags(v, "kurir", vid, "cannot make this home_visit", "does not do home_visit")
    assert_flags(v, "kurir", vid, "lacks service(s) ektp")
    assert_flags(v, "kurir", vid, "recording kit")


def test_duplicate_visit(plan, ws, travel):
    ri, si = next((ri, si) for ri, r in enumerate(plan.routes) for si, s in enumerate(r.steps) if s.type == "visit")
    step = plan.routes[ri].steps[si]
    other = next(i for i, r in enumerate(plan.routes) if i != ri and r.team == plan.routes[ri].team)
    v = validate_plan(insert_before_end(plan, other, step), ws, travel)
    assert_flags(v, step.visit_id, "on routes 2 times")


def test_duplicate_in_unassigned(plan, ws, travel):
    u = plan.unassigned[0]
    bad = plan.model_copy(update={"unassigned": plan.unassigned + (u,)})
    assert_flags(validate_plan(bad, ws, travel), u.visit_id, "in unassigned 2 times")


def test_candidate_missing(plan, ws, travel):
    gone = plan.unassigned[-1]
    bad = plan.model_copy(update={"unassigned": plan.unassigned[:-1]})
    assert_flags(validate_plan(bad, ws, travel), gone.visit_id, "candidate visit missing")


def test_visit_both_routed_and_unassigned(plan, ws, travel):
    route, step = plan.visit_steps[0]
    extra = plan.unassigned[0].model_copy(update={"visit_id": step.visit_id, "kind": step.kind})
    bad = plan.model_copy(update={"unassigned": plan.unassigned + (extra,)})
    assert_flags(validate_plan(bad, ws, travel), step.visit_id, "both on a route")


def test_unknown_visit_id(plan, ws, travel):
    ri, si = locate(plan, plan.visit_steps[0][1].visit_id)
    steps = list(plan.routes[ri].steps)
    steps[si] = steps[si].model_copy(update={"visit_id": "vs:99.99:1"})
    assert_flags(validate_plan(with_steps(plan, {ri: steps}), ws, travel), "vs:99.99:1", "unknown id")


def test_travel_time_too_short(plan, ws, travel):
    ri, si = next((ri, si) for ri, r in enumerate(plan.routes) for si, s in enumerate(r.steps)
                  if s.type == "visit" and s.travel_s > 120 and r.steps[si - 1].type != "break")
    route = plan.routes[ri]
    prev = route.steps[si - 1]
    steps = list(route.steps)
    steps[si] = steps[si].model_copy(update={"arrival": prev.end + dt.timedelta(seconds=steps[si].travel_s - 60)})
    v = validate_plan(with_steps(plan, {ri: steps}), ws, travel)
    assert_flags(v, route.team, steps[si].visit_id, "travel time too short", f"{steps[si].travel_s} s of driving")


def test_travel_figures_disagree_with_the_model(plan, ws, travel):
    ri, si = next((ri, si) for ri, r in enumerate(plan.routes) for si, s in enumerate(r.steps)
                  if s.type == "visit" and s.travel_s > 0)
    steps = list(plan.routes[ri].steps)
    s = steps[si]
    steps[si] = s.model_copy(update={"travel_s": s.travel_s + 30, "distance_m": s.distance_m + 500})
    v = validate_plan(with_steps(plan, {ri: steps}), ws, travel)
    assert_flags(v, s.visit_id, f"travel_s {s.travel_s + 30} s", f"says {s.travel_s} s")
    assert_flags(v, s.visit_id, f"distance_m {s.distance_m + 500} m", f"says {s.distance_m} m")


def test_school_session_after_friday_school_hours(plan, ws, travel):
    school = next(s for _, s in plan.visit_steps if s.kind == "school_session")
    src = locate(plan, school.visit_id)
    fri = route_of(plan, "tim1", FRIDAY)
    step = moved(plan.routes[src[0]].steps[src[1]], at(FRIDAY, 11, 15), dt.timedelta(minutes=30))
    v = validate_plan(insert_before_end(plan, fri, step, remove=src), ws, travel)
    assert_flags(v, "tim1", FRIDAY.isoformat(), school.visit_id, "11:15:00-11:45:00",
                 "outside school hours 07:30-11:00 on fri")


def test_two_sessions_of_one_village_on_one_date(plan, ws, travel):
    by_village: dict[str, list[tuple[Route, Step]]] = {}
    for r, s in plan.visit_steps:
        if s.kind == "village_session":
            by_village.setdefault(s.village_code, []).append((r, s))
    code, pairs = next((c, p) for c, p in by_village.items() if len({r.date for r, _ in p}) > 1)
    (r1, s1), (_, s2) = pairs[0], next(p for p in pairs if p[0].date != pairs[0][0].date)
    dst = plan.routes.index(r1)
    step = moved(s2, r1.steps[-2].end + dt.timedelta(minutes=15))
    v = validate_plan(insert_before_end(plan, dst, step, remove=locate(plan, s2.visit_id)), ws, travel)
    assert_flags(v, f"village {code} on {r1.date.isoformat()}", "2 village sessions on the same date",
                 s1.visit_id, s2.visit_id)


def test_more_village_sessions_in_the_week_than_the_policy_allows(plan, ws, travel):
    by_village = Counter(s.village_code for _, s in plan.visit_steps if s.kind == "village_session")
    code, n = by_village.most_common(1)[0]
    assert n >= 2, "the small week has a village with two sessions or more"
    cands = candidate_visits(ws, WEEK, session_caps(ws, WEEK, travel))  # the week as planned
    tight = ws.replace(policy=ws.policy.model_copy(update={"max_sessions_per_village": n - 1}))
    v = validate_plan(plan, tight, travel, cands)
    assert_flags(v, f"village {code}:", f"{n} village sessions in {WEEK}", f"at most {n - 1}",
                 "max_sessions_per_village")
    # one violation per village with n sessions, nothing else
    assert len(v) == sum(1 for k in by_village.values() if k == n) and all("max_sessions_per_village" in x for x in v)
    assert validate_plan(plan, ws, travel, cands) == []


def test_wrong_duration(plan, ws, travel):
    ri, si = locate(plan, plan.visit_steps[0][1].visit_id)
    steps = list(plan.routes[ri].steps)
    s = steps[si]
    steps[si] = s.model_copy(update={"end": s.end + dt.timedelta(minutes=10)})
    want = int((s.end - s.start).total_seconds())
    v = validate_plan(with_steps(plan, {ri: steps}), ws, travel)
    assert_flags(v, s.visit_id, "wrong duration", f"on site {want + 600} s", f"expected {want} s")


def test_break_step_missing(plan, ws, travel):
    ri, si = next((ri, si) for ri, r in enumerate(plan.routes) for si, s in enumerate(r.steps) if s.type == "break")
    route = plan.routes[ri]
    steps = [s for k, s in enumerate(route.steps) if k != si]
    v = validate_plan(with_steps(plan, {ri: steps}), ws, travel)
    assert_flags(v, route.team, route.date.isoformat(), "Istirahat siang", "is not on the route")


def test_delivery_before_ready(plan, ws, travel):
    # dl3 is ready on Thursday 2026-12-03: deliver it on Monday, on a courier route of its own
    d = next(x for x in ws.deliveries if x.id == "dl3")
    depot = ws.depot("office")
    mon = dt.date(2026, 11, 30)
    assert "mon" in next(t for t in ws.teams if t.id == "kurir").days
    dur, dist = travel.matrices([(depot.lon, depot.lat), (d.lon, d.lat)], "motorbike")
    go, metres = int(dur[0, 1]), int(dist[0, 1])
    t0 = at(mon, 8, 0)
    t1 = t0 + dt.timedelta(seconds=go)
    t2 = t1 + dt.timedelta(minutes=ws.policy.delivery_stop_minutes)
    t3 = t2 + dt.timedelta(seconds=go)
    new = Route(team="kurir", date=mon, depot="office", steps=(
        Step(type="start", location=(depot.lon, depot.lat), arrival=t0, start=t0, end=t0),
        Step(type="visit", visit_id="dl:dl3", kind="delivery", location=(d.lon, d.lat),
             arrival=t1, start=t1, end=t2, travel_s=go, distance_m=metres),
        Step(type="end", location=(depot.lon, depot.lat), arrival=t3, start=t3, end=t3,
             travel_s=go, distance_m=metres),
    ))
    bad = plan.model_copy(update={
        "routes": plan.routes + (new,),
        "unassigned": tuple(u for u in plan.unassigned if u.visit_id != "dl:dl3"),
    })
    v = validate_plan(bad, ws, travel)
    assert_flags(v, "kurir 2026-11-30 dl:dl3: delivered on 2026-11-30, before the document is ready (2026-12-03)")


def test_deliveries_over_capacity(plan, ws, travel):
    ri = next(i for i, r in enumerate(plan.routes) if r.team == "kurir" and len(r.visits) > 1)
    route = plan.routes[ri]
    small_cap = ws.model_copy(update={"teams": tuple(
        t.model_copy(update={"delivery_capacity": 1}) if t.id == "kurir" else t for t in ws.teams)})
    assert_flags(validate_plan(plan, small_cap, travel), f"kurir {route.date.isoformat()}",
                 f"{len(route.visits)} deliveries, more than team kurir's delivery_capacity 1")


def test_route_on_a_day_the_team_does_not_work(plan, ws, travel):
    ri = next(i for i, r in enumerate(plan.routes) if r.team == "kurir")
    tue = dt.date(2026, 12, 1)
    shift = tue - plan.routes[ri].date
    route = plan.routes[ri]
    steps = [s.model_copy(update={"arrival": s.arrival + shift, "start": s.start + shift, "end": s.end + shift})
             for s in route.steps]
    bad = plan.model_copy(update={"routes": tuple(
        r if i != ri else route.model_copy(update={"date": tue, "steps": tuple(steps)})
        for i, r in enumerate(plan.routes))})
    assert_flags(validate_plan(bad, ws, travel), "kurir 2026-12-01", "does not work on tue")


def test_route_on_a_teams_day_off(plan, ws, travel):
    route = plan.routes[0]
    team = next(t for t in ws.teams if t.id == route.team)
    off = ws.replace(teams=tuple(t.model_copy(update={"days_off": (route.date,)}) if t is team else t
                                 for t in ws.teams))
    assert_flags(validate_plan(plan, off, travel), f"{team.id} {route.date.isoformat()}", "day off")


# --------------------------------------------------------------------------- property test
@settings(suppress_health_check=[HealthCheck.too_slow])  # examples, seeds: the profile (tests/conftest.py)
@given(workspaces())
def test_random_workspaces_plan_validly(ws: Workspace):
    check_random_workspace(ws, SolveLimits(time_limit_s=600, solution_limit=20), engine=ENGINE)


# --------------------------------------------------------------------------- planner regressions
# Plans the planner made that break a rule. Each test fails until the planner is fixed.
def with_breaks(ws: Workspace, *breaks: Break, **hours: str) -> Workspace:
    cal = ws.calendar.model_copy(update={
        "breaks": tuple(breaks), "hours": {**ws.calendar.hours, **{d: DayRange(h) for d, h in hours.items()}}})
    return ws.model_copy(update={"calendar": cal})


LUNCH = Break(name="Istirahat siang", days=("mon", "tue", "wed", "thu"), start="12:00", end="13:00")


def test_planner_with_a_depot_no_team_uses(ws):
    """A second office no team starts from must not become a stop (OR-Tools makes it a mandatory node)."""
    ws2 = ws.model_copy(update={"depots": ws.depots + (Depot(id="pos", name="Pos Kodeoha", lon=120.93, lat=-3.36),)})
    plan = make_plan(ws2, WEEK, LIMITS, engine=ENGINE).plan
    assert validate_plan(plan, ws2, travel_model(ws2)) == []


def test_planner_break_steps_in_time_order(ws):
    """Two breaks between the same two stops appear in time order, whatever the calendar's order."""
    ws2 = with_breaks(ws, LUNCH, Break(name="Ngopi", days=WEEKDAYS[:5], start="10:00", end="10:15"))
    plan = make_plan(ws2, WEEK, LIMITS, engine=ENGINE).plan
    assert validate_plan(plan, ws2, travel_model(ws2)) == []


def test_planner_no_break_step_after_the_return(ws):
    """A team back at the office before lunch gets no lunch step before its ``end`` step.

    The engine's schedule (hand-made here, so the case is deterministic) is feasible: leave after
    the 09:00-09:15 break, a session at Pitulua, back at 11:50. The route sheet must not show the
    12:00-13:00 lunch before the return.
    """
    from outreach_planner.engines import EngineResult
    from outreach_planner.planning.planner import _plan_of

    ws2 = with_breaks(ws, Break(name="Ngopi", days=WEEKDAYS[:5], start="09:00", end="09:15"), LUNCH)
    run = make_plan(ws2, WEEK, LIMITS, engine=ENGINE)
    p = run.problem
    veh = next(v for v in p.vehicles if v.team == "tim1" and v.date_index == 0)
    i = next(k for k, v in enumerate(p.visits) if v.id == "vs:74.08.01.2002:1")
    back = int(p.durations[veh.profile][p.node(i), veh.depot_node])
    end = WEEK.abs_s(WEEK.monday, 11 * 60 + 50) - back
    start = end - p.service_s[veh.kits][p.node(i)]
    result = EngineResult("handmade", [(veh.index, [(i, start)])], 0.0, "success")
    plan = _plan_of(p, ws2, WEEK, result, 0.0, "great_circle", None)
    assert validate_plan(plan, ws2, travel_model(ws2)) == []
    route = next(r for r in plan.routes if r.team == "tim1")
    assert [s.type for s in route.steps] == ["start", "visit", "end"]
