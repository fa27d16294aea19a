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
import pytest

pytestmark = pytest.mark.usefixtures("english")  # asserts on English messages (Indonesian: test_catalogue)

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


# --------------------------------------------------------------------------- the 26-week report (issue 13)
def _run(weeks_cov: list[float], nights: list[int] | None = None):
    from outreach_planner.campaign.simulate import PolicyRun, WeekFigures

    run = PolicyRun("x")
    for i, c in enumerate(weeks_cov):
        run.weeks.append(WeekFigures(week=f"w{i}", coverage={"ektp": c, "kia": 0.4, "akta": 0.99},
                                     worst10={"ektp": c - 0.1, "kia": 0.2, "akta": 0.9},
                                     waiting_over_2w=0, travel_hours=10.0, visits=5, served={},
                                     nights_away=(nights or [0] * len(weeks_cov))[i]))
    return run


def test_target_week_reached_or_projected_from_the_trend():
    reached = _run([0.96, 0.97, 0.98, 0.985])
    assert reached.target_week("ektp", 0.98) == 3 and reached.target_text("ektp", 0.98) == "week 3"
    # +0.5 point a week, 96.0 % after week 4: 98 % four weeks later, at week 8
    rising = _run([0.945, 0.95, 0.955, 0.96])
    assert rising.target_week("ektp", 0.98) is None
    assert abs(rising.projected_target_week("ektp", 0.98) - 8) < 1e-9
    assert rising.target_text("ektp", 0.98) == "~week 8 (projected)"
    assert _run([0.95, 0.95, 0.95]).target_text("ektp", 0.98) == "not at this pace"
    assert _run([0.95, 0.95, 0.95, 0.96]).coverage_at("ektp", 4) == 0.96
    assert _run([0.95]).coverage_at("ektp", 12) is None


def test_report_gives_weeks_12_and_26_target_worst_villages_travel_and_nights(small):
    from outreach_planner.campaign.simulate import report_markdown

    long = _run([0.955 + 0.001 * k for k in range(26)], nights=[1] * 26)
    md = report_markdown({"planner": long}, small)
    header = md.splitlines()[0]
    assert "ektp after week 12" in header and "ektp after week 26" in header and "reaches 98%" in header
    assert "worst 10% villages" in header and "nights away" in header
    row = next(ln for ln in md.splitlines() if ln.startswith("| planner |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:3] == ["96.60%", "98.00%"]  # after week 12 and 26
    assert cells[3] == "week 26" and cells[-1] == "26" and cells[-2] == "260.0"
    short = report_markdown({"planner": _run([0.95, 0.951])}, small)
    assert "after week 12" not in short.splitlines()[0] and "after week 2" in short.splitlines()[0]
    from outreach_planner.i18n import set_language

    set_language("id")  # the Indonesian report writes Indonesian numbers (issue 15)
    try:
        md = report_markdown({"planner": long}, small)
    finally:
        set_language(None)
    row = next(ln for ln in md.splitlines() if ln.startswith("| planner |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:3] == ["96,60%", "98,00%"] and cells[-2] == "260,0"


def test_no_field_trips_turns_them_off_for_every_team(small, monkeypatch):
    import outreach_planner.campaign.simulate as sim

    on = small.replace(teams=tuple(t.model_copy(update={"field_trips": True}) for t in small.teams))
    assert not any(t.field_trips for t in sim.without_field_trips(on).teams)
    seen = []
    real = sim._plan_week

    def spy(ws, *a, **k):
        seen.append([t.field_trips for t in ws.teams])
        return real(ws, *a, **k)

    monkeypatch.setattr(sim, "_plan_week", spy)
    runs = sim.simulate(on, weeks=1, start=WEEK, policies=("planner",), time_limit_s=600,
                        travel=travel_model(small, SMALL), solution_limit=10, field_trips=False)
    assert seen == [[False] * len(small.teams)]
    assert runs["planner"].weeks[0].nights_away == 0  # day trips only


def test_nights_away_count_routes_that_end_at_a_lodging(small, monkeypatch):
    """A planner week whose plan has a field trip: its nights are counted (routes with away_night)."""
    import outreach_planner.campaign.simulate as sim

    real = sim._plan_week

    def with_trip(ws, week, *a, **k):
        plan = real(ws, week, *a, **k)
        r = plan.routes[0]
        night = r.steps[-1].model_copy(update={"type": "night"})
        away = r.model_copy(update={"end_at": "lodge", "trip": f"{r.team}-t1", "steps": r.steps[:-1] + (night,)})
        return plan.model_copy(update={"routes": (away,) + plan.routes[1:]})

    monkeypatch.setattr(sim, "_plan_week", with_trip)
    runs = sim.simulate(small, weeks=2, start=WEEK, policies=("planner", "nearest"), time_limit_s=600,
                        travel=travel_model(small, SMALL), solution_limit=10)
    assert [w.nights_away for w in runs["planner"].weeks] == [1, 1] and runs["planner"].nights_away == 2
    assert runs["nearest"].nights_away == 0


def test_simulate_cli_no_field_trips(tmp_path):
    res = CliRunner().invoke(app, ["simulate", "--weeks", "2", "--workspace", str(SMALL), "--time-limit", "600",
                                   "--solution-limit", "10", "--no-field-trips", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    md = (tmp_path / "simulation.md").read_text()
    assert "no field trips" in md.splitlines()[0]
    assert "nights away (total)" in md and "ektp reaches 98%" in md


def test_baselines_cut_their_sessions_for_day_trips(small, monkeypatch):
    """The baselines make day trips: the problem they build (and the session caps behind its candidates)
    has no team that may go on field trips, so they are the same with and without ``--no-field-trips``
    (they were not: caps from lodgings gave them sessions too long for a day trip)."""
    import outreach_planner.campaign.simulate as sim

    on = small.replace(teams=tuple(t.model_copy(update={"field_trips": True}) for t in small.teams))
    seen = []
    real = sim.session_caps

    def spy(ws, *a, **k):
        seen.append(any(t.field_trips for t in ws.teams))
        return real(ws, *a, **k)

    monkeypatch.setattr(sim, "session_caps", spy)
    sim.simulate(on, weeks=1, start=WEEK, policies=("rotation", "nearest"), travel=travel_model(small, SMALL))
    assert seen == [False, False]
