"""Field trips (issue 13): lodgings, trip shapes chosen against day trips, the validator's trip rules.

Tiny workspaces built from tests/data/small with the great-circle travel model: a cluster of
villages with many people still to record, far from the office (about 1.6 h each way) or near it,
and a lodging in the cluster. Solves use the greedy construction or a solution limit.
"""

from __future__ import annotations

import datetime as dt

import pytest

from outreach_planner.engines import SolveLimits
from outreach_planner.io import read_workspace
from outreach_planner.io.write_workspace import write_workspace
from outreach_planner.model import Lodging, Policy
from outreach_planner.planning.planner import make_plan
from outreach_planner.planning.validate import validate_plan
from outreach_planner.travel import travel_model
from outreach_planner.week import Week

pytestmark = pytest.mark.usefixtures("english")  # asserts on English messages (Indonesian: test_catalogue)

WEEK = Week.parse("2026-W49")  # Mon 2026-11-30 .. Fri 2026-12-04
FAR = (121.06, -3.11)  # ~48 km north of the office (Pakue Utara)
NEAR = (120.90, -3.49)  # ~2.5 km from the office


def _cluster(small, centre, n=4):
    base = small.villages[1]
    out = []
    for k in range(n):
        out.append(base.model_copy(update={
            "code": f"74.08.99.20{k:02d}", "name": f"Desa Uji {k}",
            "lon": centre[0] + 0.01 * (k % 2), "lat": centre[1] + 0.01 * (k // 2),
            "eligible": {"ektp": 1000, "kia": 0, "akta": 0}, "covered": {"ektp": 600, "kia": 0, "akta": 0}}))
    return out


def _ws(small, centre, *, teams=1, days=("mon", "tue", "wed"), capacity=2, night_cost=3.0, n_villages=4,
        lodging_at=None, **team_settings):
    villages = _cluster(small, centre, n_villages)
    t0 = small.teams[0].model_copy(update={"days": days, "activities": ("village_session",),
                                           "field_trips": True, **team_settings})
    tl = [t0] + [t0.model_copy(update={"id": f"tim{k + 1}", "name": f"Tim {k + 1}"}) for k in range(1, teams)]
    at = lodging_at or (centre[0] + 0.005, centre[1] + 0.005)
    lodging = Lodging(id="camat_uji", name="Kantor Camat Uji", lon=at[0], lat=at[1],
                      kind="kantor_camat", capacity=capacity, approximate=True)
    return small.replace(villages=tuple(villages), teams=tuple(tl), schools=(), requests=(), deliveries=(),
                         lodgings=(lodging,),
                         policy=Policy(max_session_minutes=120, max_sessions_per_village=3, night_cost=night_cost))


def _plan(ws, engine="greedy", limits=SolveLimits(solution_limit=5), **kw):
    travel = travel_model(ws)
    run = make_plan(ws, WEEK, limits, engine=engine, travel=travel, decompose="never", **kw)
    return run, travel


def _nights(plan):
    return [(r.team, r.date, r.end_place) for r in plan.routes if r.away_night]


# --------------------------------------------------------------------------- choosing trips
def test_far_cluster_is_visited_with_an_overnight_stay(small):
    ws = _ws(small, FAR)
    run, travel = _plan(ws)
    assert validate_plan(run.plan, ws, travel) == []
    nights = _nights(run.plan)
    assert nights and all(p == "camat_uji" for _, _, p in nights)
    info = run.plan.summary["field_trips"]["teams"][0]
    assert info["team"] == "tim1" and info["trips"]
    trip = info["trips"][0]
    assert trip["value_gained"] > trip["night_cost"] > 0
    assert run.plan.summary["night_cost"] == pytest.approx(3.0 * len(nights))
    # the plan: a start at the base, a night step at the lodging, the next day starting there
    first = next(r for r in run.plan.routes if r.away_night)
    assert first.steps[-1].type == "night" and first.trip
    nxt = next(r for r in run.plan.routes if r.team == first.team and r.date == first.date + dt.timedelta(days=1))
    assert nxt.start_place == "camat_uji" and nxt.trip == first.trip
    # and it collects more than the same week with day trips only
    base, _ = _plan(ws, field_trips=False)
    assert _nights(base.plan) == []
    assert run.plan.value > base.plan.value


@pytest.mark.parametrize("centre, night_cost", [(NEAR, 3.0), (FAR, 5000.0)], ids=["near-cluster", "dear-nights"])
def test_day_trips_stay_when_a_trip_does_not_pay(small, centre, night_cost):
    """A cluster near the office with the lodging far from it; or the far cluster with nights that cost
    more than they gain (5,000 value points each): day trips only."""
    ws = _ws(small, centre, night_cost=night_cost, lodging_at=FAR if centre == NEAR else None)
    run, travel = _plan(ws)
    assert validate_plan(run.plan, ws, travel) == []
    assert _nights(run.plan) == []
    info = run.plan.summary["field_trips"]["teams"][0]
    assert info["trips"] == [] and info["why"].startswith("day trips only")
    assert run.plan.summary["night_cost"] == 0


def test_home_friday_is_respected(small):
    ws = _ws(small, FAR, days=("mon", "tue", "wed", "thu", "fri"), home_days=("fri",), max_nights_in_row=3,
             max_nights_per_week=4)
    run, travel = _plan(ws)
    assert validate_plan(run.plan, ws, travel) == []
    nights = _nights(run.plan)
    assert nights, "the far cluster is worth a trip"
    by_date = {r.date: r for r in run.plan.routes}
    thu, fri = dt.date(2026, 12, 3), dt.date(2026, 12, 4)
    assert not by_date[thu].away_night
    assert fri not in by_date or (by_date[fri].start_place == by_date[fri].end_place == by_date[fri].depot)


def test_lodging_with_capacity_one_for_two_teams(small):
    ws1 = _ws(small, FAR, teams=2, capacity=1, n_villages=6)
    run, travel = _plan(ws1)
    assert validate_plan(run.plan, ws1, travel) == []
    per_night: dict = {}
    for team, date, place in _nights(run.plan):
        per_night.setdefault((place, date), []).append(team)
    assert per_night and all(len(v) == 1 for v in per_night.values())
    # with room for two, both teams go on the same nights; that plan breaks capacity one
    ws2 = _ws(small, FAR, teams=2, capacity=2, n_villages=6)
    run2, _ = _plan(ws2)
    shared = [k for k, v in _group(run2.plan).items() if len(v) == 2]
    assert shared
    bad = validate_plan(run2.plan, ws1, travel)
    assert any("capacity 1" in v for v in bad)


def _group(plan):
    out: dict = {}
    for team, date, place in _nights(plan):
        out.setdefault((place, date), []).append(team)
    return out


@pytest.mark.parametrize("engine", ["ortools", "pyvrp", "lns"])
def test_engines_route_a_trip_shape_validly(small, engine):
    ws = _ws(small, FAR)
    run, travel = _plan(ws, engine=engine, limits=SolveLimits(time_limit_s=600, solution_limit=20))
    assert run.plan.summary["engine"] in (engine, "greedy")
    assert _nights(run.plan)
    from outreach_planner.planning.planner import _plan_of

    # the engine's own plan (not only the winner) is valid on the trip shape
    res = run.results[engine]
    own = _plan_of(run.problem, ws, WEEK, res, 0.0, "great_circle", None)
    assert validate_plan(own, ws, travel) == []
    assert any(r.away_night for r in own.routes)
    # its objective is the plan's own, the first and last drive from and to the trip's places included
    from outreach_planner.planning.construct import objective

    assert abs(res.objective - objective(run.problem, res.routes)) < 1e-6


def test_replan_after_a_night_away_starts_at_the_lodging(small):
    """A re-plan from Tuesday keeps Monday (which ended at the lodging): Tuesday starts there."""
    ws = _ws(small, FAR)
    run, travel = _plan(ws)
    mon = next(r for r in run.plan.routes if r.date == dt.date(2026, 11, 30))
    assert mon.away_night, f"the chosen trip starts on Monday; nights: {_nights(run.plan)}"
    rest = ws.replace(calendar=ws.calendar.model_copy(update={"holidays": (dt.date(2026, 11, 30),)}))
    again, _ = _plan(rest, held=[mon])
    tue = next(r for r in again.plan.routes if r.date == dt.date(2026, 12, 1))
    assert tue.start_place == "camat_uji"
    assert validate_plan(again.plan, rest, travel, held=[mon]) == []


# --------------------------------------------------------------------------- validator rules
@pytest.fixture(scope="module")
def trip_plan(small):
    ws = _ws(small, FAR)
    run, travel = _plan(ws)
    assert validate_plan(run.plan, ws, travel) == []
    return ws, run.plan, travel


def _with_routes(plan, routes):
    return plan.model_copy(update={"routes": tuple(routes)})


def test_validator_night_on_the_road(trip_plan):
    ws, plan, travel = trip_plan
    k, r = next((k, r) for k, r in enumerate(plan.routes) if r.away_night)
    routes = list(plan.routes)
    routes[k] = r.model_copy(update={"end_at": "somewhere"})
    bad = validate_plan(_with_routes(plan, routes), ws, travel)
    assert any("neither the team's base" in v for v in bad)
    routes[k] = r.model_copy(update={"steps": r.steps[:-1] + (r.steps[-1].model_copy(update={"type": "end"}),)})
    bad = validate_plan(_with_routes(plan, routes), ws, travel)
    assert any("not 'night'" in v for v in bad)


def test_validator_chain_of_days(trip_plan):
    ws, plan, travel = trip_plan
    first = next(r for r in plan.routes if r.away_night)
    nxt = first.date + dt.timedelta(days=1)
    # drop the day after a night away: the team is left on the road
    bad = validate_plan(_with_routes(plan, [r for r in plan.routes if r.date != nxt]), ws, travel)
    assert any("must be back at the base first" in v for v in bad)
    # a day that starts away without a night there before
    routes = [r.model_copy(update={"end_at": "", "steps": r.steps[:-1] + (
        r.steps[-1].model_copy(update={"type": "end"}),)}) if r is first else r for r in plan.routes]
    bad = validate_plan(_with_routes(plan, routes), ws, travel)
    assert any("did not sleep there" in v for v in bad)


def test_validator_home_day(trip_plan):
    ws, plan, travel = trip_plan
    first = next(r for r in plan.routes if r.away_night)
    wd = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[first.date.weekday()]
    ws2 = ws.replace(teams=(ws.teams[0].model_copy(update={"home_days": (wd,)}),))
    bad = validate_plan(plan, ws2, travel)
    assert any("is a home day" in v for v in bad)


def test_validator_nights_per_week_and_in_a_row(trip_plan):
    ws, plan, travel = trip_plan
    n = len(_nights(plan))
    assert n >= 2, "the chosen trip has two nights in a row"
    ws2 = ws.replace(teams=(ws.teams[0].model_copy(update={"max_nights_per_week": n - 1}),))
    assert any("nights away in the week" in v for v in validate_plan(plan, ws2, travel))
    ws3 = ws.replace(teams=(ws.teams[0].model_copy(update={"max_nights_in_row": 1}),))
    assert any("nights away in a row" in v for v in validate_plan(plan, ws3, travel))


def test_validator_team_without_field_trips(trip_plan):
    ws, plan, travel = trip_plan
    ws2 = ws.replace(teams=(ws.teams[0].model_copy(update={"field_trips": False}),))
    assert any("does not go on field trips" in v for v in validate_plan(plan, ws2, travel))


# --------------------------------------------------------------------------- the layer
@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_lodgings_layer_round_trips(small, tmp_path, fmt):
    ws = _ws(small, FAR)
    ws = ws.replace(lodgings=ws.lodgings + (Lodging(id="inap", name="Penginapan", kind="penginapan", lon=121.0,
                                                    lat=-3.3, capacity=3, cost_per_night=4.5),))
    out = write_workspace(ws, tmp_path / "ws", fmt)
    back = read_workspace(out)
    assert back.lodgings == ws.lodgings
    assert back.teams == ws.teams and back.policy.night_cost == ws.policy.night_cost


def test_default_workspace_has_lodgings_and_trip_teams():
    from pathlib import Path

    ws = read_workspace(Path(__file__).resolve().parents[1] / "data" / "kolaka_utara")
    assert len(ws.lodgings) == 14 and all(x.approximate and x.kind == "kantor_camat" for x in ws.lodgings)
    assert {t.id for t in ws.teams if t.field_trips} == {"tim1", "tim2", "tim3", "sekolah"}
    assert all(t.home_days == ("fri",) for t in ws.teams if t.field_trips)


def test_lodging_ids_must_be_unique(small):
    lod = Lodging(id="x", name="X", lon=121.0, lat=-3.3)
    with pytest.raises(Exception, match="lodging"):
        small.replace(lodgings=(lod, lod))


def test_replan_of_a_plan_with_a_trip(small, tmp_path):
    """``replan`` from Tuesday of a plan whose trip began on Monday: Monday is kept, Tuesday starts at the
    lodging, the merged week passes every field-trip rule, and re-planning does not crash."""
    from outreach_planner.campaign.ledger import Ledger
    from outreach_planner.campaign.replan import replan

    ws = _ws(small, FAR)
    run, travel = _plan(ws)
    tue = dt.date(2026, 12, 1)
    mon = [r for r in run.plan.routes if r.date < tue]
    assert mon and mon[0].away_night
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(ws)
        led.issue_plan(run.plan)
        res = replan(ws, led, tue, None, SolveLimits(solution_limit=5), engine="greedy", travel=travel)
    assert [r for r in res.plan.routes if r.date < tue] == mon
    first_new = min((r for r in res.new_part.routes), key=lambda r: r.date)
    assert first_new.date == tue and first_new.start_place == mon[0].end_place
    assert validate_plan(res.new_part, res.workspace, travel, held=res.kept) == []
    trips = res.plan.summary["field_trips"]["teams"][0]["trips"]
    assert trips and trips[0]["why"].startswith("continues the trip")
    lodging = next(lg for lg in ws.lodgings if lg.id == mon[0].end_place)
    assert lodging.name != lodging.id and f"slept at {lodging.name}" in trips[0]["why"]  # its name, not its id


VERY_FAR = (121.2, -2.75)  # ~3 h each way: a day trip leaves no room for a session


@pytest.mark.parametrize("night_cost", [3.0, 5000.0], ids=["cheap", "dear"])
def test_a_village_only_a_trip_reaches(small, night_cost):
    """Sessions that no day trip can fit: made from the lodging when nights are cheap; left out as
    unreachable, saying that only a field trip would reach them, when nights cost more than they gain."""
    from outreach_planner.planning.problem import NOT_ON_THIS_SHAPE

    ws = _ws(small, VERY_FAR, night_cost=night_cost)
    run, travel = _plan(ws)
    assert validate_plan(run.plan, ws, travel) == []
    if night_cost < 10:
        assert _nights(run.plan) and run.plan.summary["scheduled_visits"] > 0
    else:
        assert _nights(run.plan) == [] and run.plan.summary["scheduled_visits"] == 0
        left = [u for u in run.plan.unassigned if u.reason == "unreachable"]
        assert left and all(u.detail == NOT_ON_THIS_SHAPE for u in left)
        assert all("perjalanan dinas" in u.detail_id for u in left)


def test_no_trip_whose_drive_home_does_not_fit_the_shift(small):
    """The last day of a trip must at least drive back to base within its shift: with a 2-hour Wednesday
    the very far lodging (about 3 h away) can host no night before Wednesday."""
    ws = _ws(small, VERY_FAR, days=("mon", "tue", "wed"))
    short = ws.teams[0].model_validate({**ws.teams[0].model_dump(), "shift": {"wed": "08:00-10:00"}})
    ws = ws.replace(teams=(short,))
    run, travel = _plan(ws)
    assert validate_plan(run.plan, ws, travel) == []
    assert all(d < dt.date(2026, 12, 1) for _, d, _ in _nights(run.plan))  # at most Monday night


def test_plan_cli_no_field_trips(small, tmp_path):
    """``plan --no-field-trips`` plans day trips only (no night step, no field_trips summary)."""
    import json

    from typer.testing import CliRunner

    from outreach_planner.cli import app

    folder = write_workspace(_ws(small, FAR), tmp_path / "ws", "csv")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["plan", str(folder), "--week", "2026-W49", "--engine", "greedy",
                                   "--solution-limit", "3", "--out", str(out), "--no-field-trips"])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert doc["routes"] and all(r["steps"][-1]["type"] == "end" and r["end_at"] == r["depot"] for r in doc["routes"])
    assert "field_trips" not in doc["summary"] and doc["summary"]["nights_away"] == 0


# --------------------------------------------------------------------------- a trip cut short
def _filled_form(plan, ws, tmp_path, night_status, reason="", place=None):
    """The plan's tally form as CSV with only its night rows filled in."""
    import csv

    from outreach_planner.campaign.ledger import plan_id_of
    from outreach_planner.io.outcomes import write_outcomes_form

    paths = write_outcomes_form(plan, ws, tmp_path, plan_id_of(plan))
    with open(paths["outcomes_form.csv"], encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    nights = [r for r in rows if r["visit_id"].startswith("night:")]
    assert nights, "the form has a row per night away"
    nights[0].update(status=night_status, reason=reason)
    if place is not None:
        nights[0]["bermalam_di"] = place
    out = tmp_path / "filled.csv"
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out


def test_a_night_reported_returned_cuts_the_trip_short(small, tmp_path):
    """The officers report that the team came back on Monday evening (``returned``): ``record`` keeps
    that night in the ledger, and ``replan`` from Tuesday ends Monday at the base (drive back from its
    last stop) and starts Tuesday from the base, with every field-trip rule holding; it says why."""
    from outreach_planner.campaign.cycle import record_form
    from outreach_planner.campaign.ledger import Ledger
    from outreach_planner.campaign.replan import replan

    ws = _ws(small, FAR)
    run, travel = _plan(ws)
    tue = dt.date(2026, 12, 1)
    mon = next(r for r in run.plan.routes if r.date < tue)
    assert mon.away_night
    form = _filled_form(run.plan, ws, tmp_path, "returned", reason="kendaraan rusak")
    ledger = tmp_path / "ledger.sqlite"
    with Ledger(ledger) as led:
        led.sync_requests(ws)
        led.issue_plan(run.plan)
    nights: list = []
    record_form(form, ws, ledger, nights=nights)
    assert [(n.team, n.date, n.status) for n in nights] == [(mon.team, "2026-11-30", "returned")]
    with Ledger(ledger) as led:
        assert led.nights(next(iter({n.plan_id for n in nights})))[(mon.team, "2026-11-30")]["status"] == "returned"
        res = replan(ws, led, tue, None, SolveLimits(solution_limit=5), engine="greedy", travel=travel)
    kept = [r for r in res.plan.routes if r.date < tue]
    assert len(kept) == 1 and not kept[0].away_night and kept[0].steps[-1].type == "end"
    assert kept[0].steps[-1].location == (ws.depots[0].lon, ws.depots[0].lat)
    assert kept[0].steps[-1].arrival > kept[0].steps[-2].end  # the drive back takes time
    assert kept[0].visits == mon.visits  # the work of the day as it was
    first_new = min(res.new_part.routes, key=lambda r: r.date)
    assert first_new.start_place == ws.depots[0].id
    assert validate_plan(res.new_part, res.workspace, travel, held=res.kept) == []
    cut = res.plan.summary["replan"]["trips_cut_short"]
    assert [(c["team"], c["cause"]) for c in cut] == [(mon.team, "returned")] and "kendaraan rusak" in cut[0]["why"]


def test_a_team_taken_off_during_a_trip_ends_it(small, tmp_path):
    """``replan --team-off`` from Tuesday for a team that slept away on Monday: its trip ends after that
    night (no later days), the other team's week is re-planned validly, and the summary says so."""
    from outreach_planner.campaign.ledger import Ledger
    from outreach_planner.campaign.replan import replan

    ws = _ws(small, FAR, teams=2)
    run, travel = _plan(ws)
    tue = dt.date(2026, 12, 1)
    away = sorted({r.team for r in run.plan.routes if r.date < tue and r.away_night})
    assert away, f"a team sleeps away on Monday; nights: {_nights(run.plan)}"
    off = away[0]
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(ws)
        led.issue_plan(run.plan)
        res = replan(ws, led, tue, off, SolveLimits(solution_limit=5), engine="greedy", travel=travel)
    assert not [r for r in res.plan.routes if r.team == off and r.date >= tue]
    assert validate_plan(res.new_part, res.workspace, travel, held=res.kept) == []
    cut = res.plan.summary["replan"]["trips_cut_short"]
    assert [(c["team"], c["cause"], c["date"]) for c in cut] == [(off, "team_off", "2026-11-30")]


def test_a_night_at_an_unknown_lodging_is_a_bad_row(small, tmp_path):
    """A night row whose ``bermalam_di`` names no lodging of the workspace is reported; nothing is recorded."""
    from outreach_planner.campaign.cycle import record_form
    from outreach_planner.campaign.ledger import Ledger
    from outreach_planner.errors import InputError

    ws = _ws(small, FAR)
    run, _ = _plan(ws)
    form = _filled_form(run.plan, ws, tmp_path, "stayed", place="Hotel Entah")
    ledger = tmp_path / "ledger.sqlite"
    with Ledger(ledger) as led:
        led.sync_requests(ws)
        led.issue_plan(run.plan)
    with pytest.raises(InputError) as exc:
        record_form(form, ws, ledger)
    assert "bermalam_di" in str(exc.value) and "Hotel Entah" in str(exc.value)
    with Ledger(ledger) as led:
        assert led.nights(next(iter(led.latest_plan("2026-W49")))) == {}
