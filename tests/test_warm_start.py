"""Always a plan, the best plan never lost (issue 12): warm starts, best-so-far results, the construction as fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outreach_planner.cli import app
from outreach_planner.engines import SolveLimits, ortools_engine
from outreach_planner.engines import portfolio
from outreach_planner.engines.portfolio import run_engines
from outreach_planner.io import read_workspace
from outreach_planner.planning.construct import construct, objective
from outreach_planner.planning.planner import make_plan
from outreach_planner.planning.validate import validate_plan
from outreach_planner.travel import travel_model
from outreach_planner.week import Week

SMALL = Path(__file__).parent / "data" / "small"
DEFAULT = Path(__file__).resolve().parents[1] / "data" / "kolaka_utara"
WEEK = Week.parse("2026-W49")
FEW = SolveLimits(time_limit_s=600, solution_limit=20)  # the solution limit decides; 600 s is a safety net


@pytest.mark.parametrize("folder", [SMALL, DEFAULT], ids=["small", "default"])
def test_warm_started_ortools_plan_is_at_least_as_good_as_the_construction(folder):
    ws = read_workspace(folder)
    run = make_plan(ws, Week.parse("2026-W49", ws.regency.timezone), FEW, engine="ortools", workspace_dir=folder)
    warm, built = run.results["ortools"], run.results["greedy"]
    assert "started from the initial plan" in warm.status
    assert warm.objective <= built.objective + 1e-9
    assert warm.history[0][1] == pytest.approx(built.objective)  # the search starts at the construction
    assert warm.build_s > 0 and warm.search_s > 0
    assert objective(run.problem, warm.routes) == pytest.approx(warm.objective, abs=1e-3)
    assert validate_plan(run.plan, ws, travel_model(ws, folder)) == []


def test_an_engine_that_overruns_still_yields_its_best_plan(small, tmp_path, monkeypatch):
    """OR-Tools (cold) stalls after its first solution (test hook); at its deadline its plan survives."""
    problem = make_plan(small, WEEK, FEW, engine="greedy").problem
    monkeypatch.setenv("OUTREACH_TEST_PAUSE_AT", "improved")
    monkeypatch.setenv("OUTREACH_TEST_PAUSE_DIR", str(tmp_path))
    monkeypatch.setattr(portfolio, "GRACE_S", 0.5)
    monkeypatch.setattr(portfolio, "GRACE_SHARE", 0.0)
    limits = SolveLimits(time_limit_s=5, solution_limit=20)  # the stalled children wait out the deadline
    out = run_engines(problem, limits, ["ortools", "greedy"])
    assert list(tmp_path.glob("improved.*.reached"))  # the hook did stall the children
    for name in ("ortools", "greedy"):
        res = out[name]
        assert not isinstance(res, str), res
        assert res.status.startswith("stopped at the deadline") and res.status.endswith("best so far")
        assert res.routes
        assert objective(problem, res.routes) == pytest.approx(res.objective, abs=1e-3)
    assert out["greedy"].objective == pytest.approx(construct(problem).objective)


def _failing_ortools(monkeypatch):
    """OR-Tools as it is at 887 candidates today: no first solution (searched cold, with no time)."""
    real = ortools_engine.solve

    def solve(problem, limits, progress=None, initial=None):
        return real(problem, SolveLimits(time_limit_s=0.0, solution_limit=limits.solution_limit), progress)

    monkeypatch.setattr(ortools_engine, "solve", solve)


def test_plan_when_every_engine_fails_is_the_construction(small, monkeypatch):
    _failing_ortools(monkeypatch)
    run = make_plan(small, WEEK, FEW, engine="ortools")
    assert run.results["ortools"].objective == float("inf")  # OR-Tools really found nothing
    assert run.plan.engine == "greedy" and run.plan.routes
    assert "every engine failed" in run.plan.summary["solver_status"]
    assert validate_plan(run.plan, small, travel_model(small)) == []


def test_plan_command_does_not_exit_3_when_the_engine_finds_nothing(tmp_path, monkeypatch):
    _failing_ortools(monkeypatch)
    res = CliRunner().invoke(app, ["plan", str(SMALL), "--week", "2026-W49", "--engine", "ortools",
                                   "--time-limit", "600", "--solution-limit", "20", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    plan = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert plan["engine"] == "greedy" and plan["routes"]


def test_ortools_window_gaps_are_removed_inside_every_allowed_shift(small):
    """Gaps between a visit's windows are removed from its cumul where an allowed shift could reach them."""
    p = make_plan(small, WEEK, FEW, engine="greedy").problem
    manager, routing, tdim, _ = ortools_engine._build(p, FEW)
    checked = 0
    for i, vis in enumerate(p.visits):
        if not p.allowed[i] or vis.windows is None or len(vis.windows) < 2:
            continue
        longest = max(p.service_s[p.vehicles[a].kits][p.node(i)] for a in p.allowed[i])
        spans = sorted((a, b - longest) for a, b in vis.windows if b - longest >= a)
        cum = tdim.CumulVar(manager.NodeToIndex(p.node(i)))
        for a, b in spans:
            assert cum.Contains(a) and cum.Contains(b)
        for (_, e0), (s1, _) in zip(spans, spans[1:]):
            for v in p.allowed[i]:
                lo, hi = max(e0 + 1, p.vehicles[v].start_s), min(s1 - 1, p.vehicles[v].end_s)
                for t in {lo, (lo + hi) // 2, hi} if lo <= hi else ():
                    assert not cum.Contains(t)
                    checked += 1
    assert checked



def test_only_the_warm_started_ortools_search_drops_the_path_lns_operators(small, monkeypatch):
    """From a full plan the path LNS operators slow guided local search to a crawl (default week: no new
    solution from 1.4 s to about 20 s); a search from scratch keeps them (see ``warm_operators``)."""
    seen = []
    real = ortools_engine.pywrapcp.RoutingModel.CloseModelWithParameters

    def close(self, params):
        ops = params.local_search_operators
        seen.append((ops.use_global_cheapest_insertion_path_lns, ops.use_local_cheapest_insertion_path_lns))
        return real(self, params)

    monkeypatch.setattr(ortools_engine.pywrapcp.RoutingModel, "CloseModelWithParameters", close)
    run = make_plan(small, WEEK, FEW, engine="ortools")
    problem = run.problem
    ortools_engine.solve(problem, FEW)
    from ortools.util.optional_boolean_pb2 import BOOL_FALSE as off, BOOL_TRUE as on

    assert seen == [(off, off), (on, on)]  # the warm run of make_plan, then the run from scratch
    assert "started from the initial plan" in run.results["ortools"].status
