"""Smoke subset of the VRP benchmark (benchmarks/vrp_bench.py): two Solomon instances, a few seconds each.

The full sweep is a benchmark, not a test: see docs/benchmarks.md. The instances are copies in
tests/data/bench/ (a clone has no ../shared).
"""

from __future__ import annotations

import importlib.util
import sys
from functools import partial
from pathlib import Path

import pytest

from outreach_planner.engines import SolveLimits, get_engine, portfolio_runs
from outreach_planner.engines.portfolio import available_cores

pytest.importorskip("pyvrp")
pytest.importorskip("vrplib")

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "bench"


def _harness():
    spec = importlib.util.spec_from_file_location("vrp_bench", ROOT / "benchmarks" / "vrp_bench.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["vrp_bench"] = mod
    spec.loader.exec_module(mod)
    return mod


vb = _harness()
BKS = vb.read_bks(DATA)


@pytest.mark.parametrize("name", ["C101", "R101"])
def test_verifier_reproduces_the_best_known_solution(name):
    import vrplib

    inst = vb.load_instance(DATA / "solomon" / f"{name}.txt", BKS)
    sol = vrplib.read_solution(str(DATA / "solomon" / f"{name}.sol"))
    violations, cost = vb.verify(inst, sol["routes"])
    assert violations == []
    assert cost == pytest.approx(inst.bks) == pytest.approx(sol["cost"])


def test_verifier_catches_broken_solutions():
    import vrplib

    inst = vb.load_instance(DATA / "solomon" / "C101.txt", BKS)
    routes = vrplib.read_solution(str(DATA / "solomon" / "C101.sol"))["routes"]
    dropped = [r[:] for r in routes]
    dropped[0].pop()
    assert any("not visited" in v for v in vb.verify(inst, dropped)[0])
    reversed_ = [list(reversed(routes[0]))] + routes[1:]
    assert any("due time" in v for v in vb.verify(inst, reversed_)[0])
    merged = [routes[0] + routes[1]] + routes[2:]
    assert any("capacity" in v for v in vb.verify(inst, merged)[0])


@pytest.mark.parametrize("name", ["C101", "R101"])
def test_portfolio_is_feasible_and_close_to_bks(name):
    inst = vb.load_instance(DATA / "solomon" / f"{name}.txt", BKS)
    rows = [vb.score(inst, run) for run in vb.solve_ours(inst, 600.0, solution_limit=100).values()]
    # PyVRP models these instances exactly: the portfolio runs it once per core, each with its own seed
    runs = portfolio_runs(vb.bench_problem(inst), available_cores())
    assert runs[0] == "pyvrp" and {r["solver"] for r in rows} == {f"ours_{n}" for n in runs}
    assert all(r["feasible"] for r in rows), rows
    best = vb.ours_best(inst, rows)
    assert best["feasible"] and best["gap_pct"] < 10.0, best


def test_ortools_engine_is_feasible_on_a_benchmark_instance():
    inst = vb.load_instance(DATA / "solomon" / "R101.txt", BKS)
    res = get_engine("ortools")(vb.bench_problem(inst), SolveLimits(time_limit_s=600, solution_limit=200))
    run = vb.Run("ours_ortools", routes=[[i + 1 for i, _ in seq] for _, seq in res.routes])
    row = vb.score(inst, run)
    assert row["feasible"] and row["gap_pct"] < 15.0, row


def test_plain_baselines_run_and_verify():
    inst = vb.load_instance(DATA / "solomon" / "C101.txt", BKS)
    # by solution/iteration limits (600 s only a safety net), so the outcome does not depend on the machine; in
    # their own processes, as the benchmark runs them (the plain OR-Tools model, written as a planner would, keeps
    # its RoutingModel alive through its solution callback)
    jobs = [partial(vb.solve_plain_ortools, solution_limit=100), partial(vb.solve_plain_pyvrp, max_iterations=2000)]
    rows = [vb.score(inst, r) for r in vb.run_side_by_side(jobs, inst, 600.0, 0)]
    assert sorted(r["solver"] for r in rows) == ["ortools", "pyvrp"]
    assert all(r["feasible"] and r["gap_pct"] < 10.0 for r in rows), rows
