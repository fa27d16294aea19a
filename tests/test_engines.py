"""Engine features, the PyVRP engine on weekly problems, and the portfolio (``engine="auto"``)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outreach_planner.cli import app
from outreach_planner import engines
from outreach_planner.engines import (SolveLimits, covering_engines, engine_refusal, portfolio_runs,
                                     problem_features, run_engine, run_seed_offset)
from outreach_planner.engines.portfolio import available_cores, run_engines
from outreach_planner.errors import InputError
from outreach_planner.model import Workspace
from outreach_planner.planning.planner import make_plan
from outreach_planner.travel import travel_model
from outreach_planner.planning.validate import validate_plan
from outreach_planner.week import Week

pytest.importorskip("pyvrp")

from outreach_planner.engines.pyvrp_engine import _Clock  # noqa: E402

pytestmark = pytest.mark.usefixtures("english")  # asserts on English messages (Indonesian: test_catalogue)

SMALL = Path(__file__).parent / "data" / "small"
WEEK = Week.parse("2026-W49")
FAST = SolveLimits(time_limit_s=600, solution_limit=40)  # the solution limit decides; 600 s is a safety net


@pytest.fixture(scope="module")
def no_breaks(small) -> Workspace:
    """The small workspace without fixed breaks and with one session per village."""
    data = {k: getattr(small, k) for k in Workspace.model_fields}
    data["calendar"] = small.calendar.model_copy(update={"breaks": ()})
    data["policy"] = small.policy.model_copy(update={"max_sessions_per_village": 1})
    return Workspace(**data)


@pytest.fixture(scope="module")
def auto_run(small):
    return make_plan(small, WEEK, FAST)


def test_small_week_uses_breaks_and_same_day_groups_and_both_engines_cover_it(auto_run):
    feats = problem_features(auto_run.problem)
    assert {"breaks", "same_day_groups", "multiple_windows", "restrictions", "capacity"} <= feats
    assert covering_engines(auto_run.problem) == ["ortools", "pyvrp"]


def test_auto_keeps_the_most_valuable_valid_plan(auto_run, small):
    rows = {e["engine"]: e for e in auto_run.plan.summary["engines"]}
    # the greedy construction every engine starts from is one of the ranked plans
    assert set(rows) == set(portfolio_runs(auto_run.problem, available_cores())) | {"greedy"} == set(auto_run.results)
    best = max(rows.values(), key=lambda r: (round(r["value_collected"], 3), -r["travel_hours"]))
    assert auto_run.plan.summary["engine"] == best["engine"]  # the run (``lns``, ``ortools-cold``: OR-Tools from scratch)
    assert auto_run.plan.engine == run_engine(best["engine"])
    assert rows[best["engine"]]["violations"] == 0
    assert auto_run.plan.value == pytest.approx(best["value_collected"], abs=1e-3)
    assert validate_plan(auto_run.plan, small, travel_model(small)) == []
    # both engines report the same objective: driving cost + value of the visits left out
    for name, res in auto_run.results.items():
        assert res.objective == pytest.approx(rows[name]["objective"], abs=1e-3)


@pytest.mark.parametrize("which", ["small", "no_breaks"])
def test_pyvrp_plan_is_valid(which, request):
    ws = request.getfixturevalue(which)
    run = make_plan(ws, WEEK, FAST, engine="pyvrp")
    assert run.plan.engine == "pyvrp"
    assert run.plan.routes
    assert validate_plan(run.plan, ws, travel_model(ws)) == []


def test_pyvrp_refuses_breaks_that_differ_between_teams(auto_run):
    p = auto_run.problem
    odd = [dataclasses.replace(v, breaks=()) if v.index == 0 else v for v in p.vehicles]
    q = dataclasses.replace(p, vehicles=odd)
    assert "breaks differ" in engine_refusal("pyvrp", q)
    assert covering_engines(q) == ["ortools"]


def test_unknown_engine_is_an_input_error(small):
    with pytest.raises(InputError, match="unknown engine"):
        make_plan(small, WEEK, FAST, engine="gurobi")


def test_working_clock_removes_breaks_and_cuts_windows():
    c = _Clock([(100, 160), (400, 430)])
    assert [c.work(t) for t in (50, 100, 130, 160, 430, 500)] == [50, 100, 100, 100, 340, 410]
    assert [c.absolute(w) for w in (50, 99, 100, 339, 340)] == [50, 99, 160, 399, 430]
    # a 30 s visit may end at a break instant or start at it, never run across it
    assert c.cut(0, 500, 30) == [(0, 70), (100, 310), (340, 500)]
    assert c.cut(95, 300, 10) == [(100, 300)]


def test_cli_engine_option(tmp_path):
    res = CliRunner().invoke(app, ["plan", str(SMALL), "--week", "2026-W49", "--engine", "pyvrp",
                                   "--time-limit", "600", "--solution-limit", "20", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "out" / "plan.json").read_text())["engine"] == "pyvrp"
    bad = CliRunner().invoke(app, ["plan", str(SMALL), "--engine", "gurobi", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2


def test_portfolio_runs_pyvrp_once_per_core_only_where_it_models_the_problem_exactly(auto_run, no_breaks,
                                                                                   monkeypatch):
    # breaks and same-day groups: PyVRP only approximates them, so OR-Tools leads; on a small problem with two
    # cores ruin and recreate from the construction and OR-Tools from scratch, a third core PyVRP
    assert portfolio_runs(auto_run.problem, 1) == ["ortools", "pyvrp"]
    assert portfolio_runs(auto_run.problem, 2) == ["lns", "ortools-cold"]
    assert portfolio_runs(auto_run.problem, 3) == ["lns", "ortools-cold", "pyvrp"]
    monkeypatch.setattr(engines, "COLD_MAX_CANDIDATES", len(auto_run.problem.visits) - 1)  # a larger problem
    assert portfolio_runs(auto_run.problem, 2) == ["ortools", "pyvrp"]
    exact = make_plan(no_breaks, WEEK, FAST, engine="pyvrp").problem
    assert not problem_features(exact) & {"breaks", "same_day_groups"}
    assert portfolio_runs(exact, 1) == ["pyvrp"]
    assert portfolio_runs(exact, 3) == ["pyvrp", "pyvrp#2", "pyvrp#3"]
    assert [run_seed_offset(n) for n in ("pyvrp", "pyvrp#2", "pyvrp#3")] == [0, 1, 2]


def test_seeded_runs_use_their_own_seeds_and_the_best_is_kept(no_breaks):
    problem = make_plan(no_breaks, WEEK, FAST, engine="pyvrp").problem
    limits = SolveLimits(time_limit_s=600, solution_limit=40, seed=5)
    results = run_engines(problem, limits, ["pyvrp", "pyvrp#2"])
    one = run_engines(problem, dataclasses.replace(limits, seed=6), ["pyvrp"])["pyvrp"]
    # the second run is exactly a run with the next seed (solution limits make runs repeatable)
    assert results["pyvrp#2"].routes == one.routes
    assert results["pyvrp#2"].engine == "pyvrp"
    run = make_plan(no_breaks, WEEK, FAST)
    rows = {e["engine"]: e for e in run.plan.summary["engines"]}
    assert set(rows) == set(run.results) == set(portfolio_runs(run.problem, available_cores())) | {"greedy"}
    assert run.plan.engine == "pyvrp" and run.plan.summary["engine"] in rows
    best = max(rows.values(), key=lambda r: (round(r["value_collected"], 3), -r["travel_hours"]))
    assert run.plan.value == pytest.approx(best["value_collected"], abs=1e-3)
    assert validate_plan(run.plan, no_breaks, travel_model(no_breaks)) == []


def test_plan_hints_at_a_longer_time_limit_only_when_the_kept_run_still_improved_much_late(english):
    from outreach_planner.cli import still_improving

    # objective fell by 150 (of 6,000 value collected: 2.5 %) in the last 6 s of 30
    late_gain = [(1.0, 9000.0), (20.0, 6350.0), (28.0, 6200.0)]
    hint = still_improving(late_gain, 6000.0, 30)
    assert hint and "by 150.0 in the last 6 s" in hint and "28 s of 30 s" in hint and "(say 120)" in hint
    # the shipped week: tiny late improvements (0.15 % of the value) are no reason to wait longer
    assert still_improving([(2.0, 5445.8), (20.0, 4421.0), (28.2, 4418.2)], 2000.0, 30) is None
    assert still_improving([(2.0, 9000.0), (12.0, 6200.0)], 6000.0, 30) is None  # settled early
    assert still_improving(late_gain, 6000.0, None) is None  # solution limit: no time limit to raise
    assert "first solution came late" in still_improving([(27.0, 9000.0)], 100.0, 30)
