"""Tiny workspaces where the right plan is obvious, and planner invariants."""

from __future__ import annotations

import datetime as dt

import pytest

from outreach_planner.engines import SolveLimits
from outreach_planner.model import Team
from outreach_planner.planning.planner import make_plan
from outreach_planner.week import Week

WEEK = Week.parse("2026-W49")
FAST = SolveLimits(time_limit_s=600, solution_limit=40)  # the solution limit decides; 600 s is a safety net


def _village(ws, code, **kw):
    return ws.village(code).model_copy(update=kw)


def test_lower_coverage_village_wins_the_only_session(one_slot):
    ws, code_a, code_b = one_slot
    plan = make_plan(ws, WEEK, FAST).plan
    done = [s.village_code for _, s in plan.visit_steps]
    assert done == [code_a]
    left = {u.village_code: u.reason for u in plan.unassigned}
    assert left == {code_b: "low_value"}


def test_home_visit_needing_a_kit_never_goes_to_the_courier(small):
    plan = make_plan(small, WEEK, FAST).plan
    for route, step in plan.visit_steps:
        if route.team == "kurir":
            assert step.kind == "delivery"
    # With only the courier working, the e-KTP home visits cannot be made at all.
    ws = small.replace(teams=(small.teams[1],))
    plan = make_plan(ws, WEEK, FAST).plan
    assert not any(s.kind == "home_visit" for _, s in plan.visit_steps)
    reasons = {u.visit_id: u.reason for u in plan.unassigned if u.kind == "home_visit"}
    assert reasons and set(reasons.values()) == {"no_skill"}


def test_school_session_never_on_friday_afternoon(small):
    # The only team works Friday 12:00-16:00; schools close at 11:00 on Friday.
    team = Team(id="t", name="T", activities=("school_session",), services=("ektp", "kia"), recording_kits=1,
                depot="office", days=("fri",), shift={"fri": "12:00-16:00"})
    ws = small.replace(teams=(team,), requests=(), deliveries=())
    plan = make_plan(ws, WEEK, FAST).plan
    assert not plan.visit_steps
    assert {u.reason for u in plan.unassigned if u.kind == "school_session"} == {"no_window"}
    # On a normal week every school session ends within school hours.
    plan = make_plan(small, WEEK, FAST).plan
    for _, s in plan.visit_steps:
        if s.kind == "school_session":
            limit = dt.time(11, 0) if s.start.weekday() == 4 else dt.time(13, 0)
            assert s.end.timetz().replace(tzinfo=None) <= limit


def test_every_candidate_is_accounted_for_once(small):
    plan = make_plan(small, WEEK, FAST).plan
    on_routes = [s.visit_id for _, s in plan.visit_steps]
    left = [u.visit_id for u in plan.unassigned]
    assert len(on_routes) == len(set(on_routes))
    assert not set(on_routes) & set(left)
    assert len(on_routes) + len(left) == plan.summary["candidate_visits"]


def test_solution_limit_makes_runs_repeatable(small):
    fixed = dt.datetime(2026, 11, 29, 9, 0, tzinfo=WEEK.tz)
    a = make_plan(small, WEEK, FAST, now=fixed).plan
    b = make_plan(small, WEEK, FAST, now=fixed).plan
    assert a.routes == b.routes
    assert a.unassigned == b.unassigned


def test_no_team_working_is_no_plan(small):
    from outreach_planner.errors import NoPlanError

    cal = small.calendar.model_copy(update={"holidays": tuple(WEEK.dates)})
    with pytest.raises(NoPlanError):
        make_plan(small.replace(calendar=cal), WEEK, FAST)
