"""Re-planning the rest of a week from the ledger: kept days, a team off, done visits, changes."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outreach_planner.cli import app
from outreach_planner.engines import SolveLimits
from outreach_planner.ledger import Ledger, Outcome
from outreach_planner.planner import make_plan
from outreach_planner.replan import replan
from outreach_planner.travel import travel_model
from outreach_planner.validate import validate_plan
from outreach_planner.week import Week

SMALL = Path(__file__).parent / "data" / "small"
WEEK = Week.parse("2026-W49")
FAST = SolveLimits(time_limit_s=600, solution_limit=30)
WED = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def first(small):
    return make_plan(small, WEEK, FAST, engine="ortools").plan


def _ids(plan, pred=lambda r: True):
    return [s.visit_id for r, s in plan.visit_steps if pred(r)]


@pytest.mark.parametrize("team_off", [None, "tim1"])
def test_replan_keeps_earlier_days_and_replans_the_rest(small, first, tmp_path, team_off):
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(small)
        pid = led.issue_plan(first)
        travel = travel_model(small, SMALL)
        res = replan(small, led, WED, team_off, FAST, engine="ortools", travel=travel)
    assert res.based_on == pid
    kept = [r for r in first.routes if r.date < WED]
    assert kept and [r for r in res.plan.routes if r.date < WED] == kept
    assert all(r.date >= WED for r in res.new_part.routes)
    if team_off:
        assert not [r for r in res.plan.routes if r.date >= WED and r.team == team_off]
    # no visit twice in the merged plan, and the re-planned part passes the independent check
    assert not [v for v, n in Counter(_ids(res.plan)).items() if n > 1]
    assert validate_plan(res.new_part, res.workspace, travel) == []
    # the changes are exactly the difference of the remaining days
    old = {s.visit_id: (r.team, r.date) for r, s in first.visit_steps if r.date >= WED}
    new = {s.visit_id: (r.team, r.date) for r, s in res.plan.visit_steps if r.date >= WED}
    by = {c["visit_id"]: c["change"] for c in res.changes}
    for vid in old.keys() | new.keys():
        want = ("removed" if vid not in new else "added" if vid not in old
                else "moved" if old[vid] != new[vid] else None)
        assert by.get(vid) == want, vid
    assert res.plan.summary["replan"]["based_on"] == pid
    # home visits kept before Wednesday are not offered again
    kept_hv = {s.visit_id for r in kept for s in r.visits if s.kind == "home_visit"}
    assert not kept_hv & set(_ids(res.new_part) + [u.visit_id for u in res.new_part.unassigned])


def test_done_visits_are_not_planned_again(small, first, tmp_path):
    later = [(r, s) for r, s in first.visit_steps if r.date >= WED and s.kind in ("home_visit", "delivery")]
    assert later, "the small week has home visits or deliveries from Wednesday on"
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(small)
        pid = led.issue_plan(first)
        r, s = later[0]
        led.record_outcomes([Outcome(pid, s.visit_id, "done" if s.kind == "home_visit" else "delivered",
                                     {k: 1 for k in s.expected})])
        res = replan(small, led, WED, None, FAST, engine="ortools")
    assert s.visit_id not in _ids(res.new_part) + [u.visit_id for u in res.new_part.unassigned]


def test_replan_cli_writes_changes_and_updates_the_ledger(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SMALL, ws)
    runner = CliRunner()
    args = ["--solution-limit", "30", "--time-limit", "600", "--engine", "ortools"]
    res = runner.invoke(app, ["plan", str(ws), "--week", "2026-W49", *args, "--out", str(tmp_path / "w49")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["replan", "--from", "2026-12-02", "--workspace", str(ws), *args])
    assert res.exit_code == 2 and "No ledger" in res.output
    res = runner.invoke(app, ["replan", "--from", "2026-12-02", "--team-off", "nobody", "--workspace", str(ws),
                              "--plan", str(tmp_path / "w49" / "plan.json"), *args, "--out", str(tmp_path / "r")])
    assert res.exit_code == 2 and "unknown team" in res.output
    res = runner.invoke(app, ["replan", "--from", "2026-12-02", "--team-off", "tim1", "--workspace", str(ws),
                              "--plan", str(tmp_path / "w49" / "plan.json"), *args, "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    for name in ("plan.json", "schedule.csv", "schedule.xlsx", "outcomes_form.csv", "outcomes_form.xlsx",
                 "changes.csv"):
        assert (tmp_path / "r" / name).is_file(), name
    changes = (tmp_path / "r" / "changes.csv").read_text().splitlines()
    assert changes[0].startswith("change,visit_id") and len(changes) > 1
    with Ledger(ws / "ledger.sqlite") as led:
        reqs = led.requests()
        latest_id, latest = led.latest_plan("2026-W49")
    assert latest.summary["replan"]["team_off"] == "tim1"
    in_new = set(_ids(latest))
    for key, r in reqs.items():  # scheduled only by the new plan; dropped ones are open again
        assert (r["state"] == "scheduled") == (key in in_new)
        if r["state"] == "scheduled":
            assert r["plan_id"] == latest_id
