"""A re-plan with the planner's changes by hand (campaign.replan.Edits): lock, forbid, a team off for a day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from outreach_planner.campaign.ledger import Ledger
from outreach_planner.campaign.replan import Edits, replan
from outreach_planner.engines import SolveLimits
from outreach_planner.errors import InputError
from outreach_planner.planning.planner import make_plan
from outreach_planner.planning.validate import validate_plan
from outreach_planner.travel import travel_model
from outreach_planner.week import Week

pytestmark = pytest.mark.usefixtures("english")  # asserts on English messages (Indonesian: test_catalogue)

SMALL = Path(__file__).parent / "data" / "small"
WEEK = Week.parse("2026-W49")
FAST = SolveLimits(time_limit_s=600, solution_limit=30)
WED, THU = dt.date(2026, 12, 2), dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def first(small):
    return make_plan(small, WEEK, FAST, engine="ortools").plan


def _key(s):
    return f"vs:{s.village_code}" if s.kind == "village_session" else s.visit_id


def _replan(small, first, tmp_path, edits):
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(small)
        led.issue_plan(first)
        travel = travel_model(small, SMALL)
        res = replan(small, led, WED, None, FAST, engine="ortools", travel=travel, edits=edits)
    assert validate_plan(res.new_part, res.workspace, travel, held=res.kept) == []
    return res


def test_a_village_session_is_locked_to_a_team_day(small, first, tmp_path):
    # a village with a session left out for its lower value, locked to a re-planned day without its session
    u = next(u for u in first.unassigned if u.kind == "village_session" and u.reason == "low_value")
    route = next(r for r in first.routes if r.date >= WED and "village_session" in small.teams[0].activities
                 and r.team == small.teams[0].id and u.village_code not in {s.village_code for s in r.visits})
    key, day = f"vs:{u.village_code}", route.date
    res = _replan(small, first, tmp_path, Edits(lock=((key, route.team, day),)))
    assert [r.team for r, s in res.plan.visit_steps if _key(s) == key and r.date == day] == [route.team]
    c = next(c for c in res.changes if c["kind"] == "village_session" and c["village_code"] == u.village_code
             and c["after"] and c["after"]["date"] == day.isoformat())
    assert c["change"] in ("added", "moved")
    assert c["reason"] == f"locked by the planner to {route.team} on {day.isoformat()}"
    assert res.plan.summary["replan"]["edits"]["lock"] == [[key, route.team, day.isoformat()]]


def test_a_forbidden_visit_is_left_out_and_a_team_day_off_is_empty(small, first, tmp_path):
    r, s = next((r, s) for r, s in first.visit_steps if r.date >= WED and s.kind == "village_session")
    team_off = next(rr for rr in first.routes if rr.date == THU and rr.visits)
    res = _replan(small, first, tmp_path, Edits(forbid=(_key(s),), days_off=((team_off.team, THU),)))
    assert not [ss for rr, ss in res.plan.visit_steps if rr.date >= WED and _key(ss) == _key(s)]
    assert not [rr for rr in res.plan.routes if (rr.team, rr.date) == (team_off.team, THU) and rr.visits]
    assert [rr for rr in res.plan.routes if rr.team == team_off.team and rr.date > THU and rr.visits] or \
        all(rr.date <= THU for rr in first.routes if rr.team == team_off.team)  # the team still works other days
    assert [u.reason for u in res.plan.unassigned if u.kind == "village_session"
            and u.village_code == s.village_code] and all(
        u.reason == "forbidden" and u.detail_id == "dilarang oleh perencana"
        for u in res.plan.unassigned if u.kind == "village_session" and u.village_code == s.village_code)
    reasons = {c["reason"] for c in res.changes if c["change"] != "unchanged"}
    assert "forbidden by the planner" in reasons
    assert f"{team_off.team} off on {THU.isoformat()} (set by the planner)" in reasons


def test_edits_for_a_day_not_replanned_are_refused(small, first, tmp_path):
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(small)
        led.issue_plan(first)
        with pytest.raises(InputError, match="not re-planned"):
            replan(small, led, WED, None, FAST, engine="ortools", edits=Edits(days_off=(("tim1", dt.date(2026, 12, 1)),)))
        with pytest.raises(InputError, match="not re-planned"):
            replan(small, led, WED, None, FAST, engine="ortools", edits=Edits(lock=(("hv:x", "nobody", THU),)))
