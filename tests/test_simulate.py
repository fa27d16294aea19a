"""A short simulated campaign on the small workspace: figures, ledger bookkeeping, greedy baselines."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from outreach_planner.cli import app
from outreach_planner.planning.demand import candidate_visits
from outreach_planner.campaign.ledger import Ledger
from outreach_planner.planning.priority import value_visits
from outreach_planner.planning.problem import build_problem, session_caps
from outreach_planner.campaign.simulate import POLICIES, arrivals, greedy_routes, simulate
from outreach_planner.travel import travel_model
from outreach_planner.week import Week

SMALL = Path(__file__).parent / "data" / "small"
WEEK = Week.parse("2026-W49")


def test_greedy_baseline_respects_shifts_windows_and_skills(small):
    travel = travel_model(small, SMALL)
    visits = value_visits(small, WEEK, candidate_visits(small, WEEK, session_caps(small, WEEK, travel)))
    p = build_problem(small, WEEK, visits, travel)
    routes = greedy_routes(p, list(range(len(p.visits))))
    seen = [i for _, seq, _ in routes for i in seq]
    assert seen and len(seen) == len(set(seen))
    for vi, seq, travel_s in routes:
        veh = p.vehicles[vi]
        assert all(vi in p.allowed[i] for i in seq)
        assert travel_s > 0
        assert sum(p.load(i) for i in seq) <= veh.delivery_capacity or not any(p.load(i) for i in seq)
    for g in p.same_day_groups:
        dates = [p.vehicles[vi].date_index for vi, seq, _ in routes for i in seq if i in g]
        assert len(dates) == len(set(dates))


def test_arrivals_are_the_same_for_every_policy(small):
    weeks = [WEEK, Week.parse("2026-W50")]
    assert [[r.id for r in a] for a, _ in arrivals(small, weeks, 3)] == \
        [[r.id for r in a] for a, _ in arrivals(small, weeks, 3)]


def test_short_campaign_accounts_for_everything(small, tmp_path):
    runs = simulate(small, weeks=2, seed=1, start=WEEK, time_limit_s=600, travel=travel_model(small, SMALL),
                    ledger_dir=tmp_path, solution_limit=20)
    assert set(runs) == set(POLICIES)
    total = len(small.requests) + len(small.deliveries) + sum(len(a) + len(d) for a, d in
                                                               arrivals(small, [WEEK, Week.parse("2026-W50")], 1))
    for name, run in runs.items():
        assert len(run.weeks) == 2
        for w in run.weeks:
            for s in small.services:
                assert 0 <= w.coverage[s.id] <= 1
        # coverage never falls; the ledger knows every request that ever arrived
        assert all(b.coverage[s.id] >= a.coverage[s.id] for a, b in zip(run.weeks, run.weeks[1:])
                   for s in small.services)
        with Ledger(tmp_path / f"{name}.sqlite") as led:
            assert len(led.requests()) == total
            assert len(led.outcomes()) == sum(w.visits for w in run.weeks)


def test_simulate_cli_writes_table_and_chart(tmp_path):
    res = CliRunner().invoke(app, ["simulate", "--weeks", "1", "--workspace", str(SMALL), "--time-limit", "600", "--solution-limit", "20",
                                   "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    md = (tmp_path / "simulation.md").read_text()
    assert "| planner |" in md and "| rotation |" in md and "| nearest |" in md
    assert (tmp_path / "simulation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
