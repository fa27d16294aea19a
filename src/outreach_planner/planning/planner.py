"""``make_plan``: workspace + week -> a validated weekly ``Plan``.

Wires demand -> priority -> problem -> engine -> Plan. Does no IO.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .construct import construct
from .coverage import regency_coverage
from .decompose import PART_ENGINE, should_decompose, solve_decomposed
from .demand import candidate_visits
from ..engines import (CONSTRUCTIONS, ENGINES, EngineResult, SolveLimits, engine_available, engine_refusal,
                      portfolio_runs, problem_features)
from ..engines.base import Progress
from ..engines.portfolio import CORES_ENV, available_cores, run_engines
from ..errors import InputError, NoPlanError
from ..i18n import _
from ..model import Workspace
from ..plan import Plan, Route, Step, Unassigned
from .explain import explain_unassigned
from .priority import value_visits
from .problem import Problem, build_problem, session_caps
from .trips import choose_shape, without_field_trips
from ..travel import TravelModel, travel_model
from ..week import Week


@dataclass
class PlanRun:
    """A plan with what produced it (kept for benchmarks and the CLI summary)."""

    plan: Plan
    problem: Problem
    result: EngineResult
    solve_s: float
    #: every engine that ran: name -> its result, or the error message when it failed
    results: dict[str, EngineResult | str] = field(default_factory=dict)


#: The label of the construction among a plan's runs (``summary["engines"]``): the greedy construction
#: every run starts from, itself a candidate plan.
CONSTRUCTION = "greedy"


def _breaks_between(veh, t0: int, t1: int) -> list[tuple[int, int]]:
    """Breaks starting in [t0, t1), in time order."""
    return sorted((b0, b1) for b0, b1 in veh.breaks if b0 >= t0 and b0 < t1)


def _arrive(t_leave: int, travel: int, brks: list[tuple[int, int]]) -> int:
    """Arrival after leaving at ``t_leave`` with ``travel`` seconds of driving, pausing for breaks."""
    t = t_leave + travel
    for b0, b1 in brks:
        if t > b0:  # driving would run into the break: stop for it, then drive on
            t += b1 - b0
    return t


def _route_steps(p: Problem, ws: Workspace, vi: int, seq: list[tuple[int, int]]) -> list[Step]:
    veh = p.vehicles[vi]
    week = p.week
    origin, dest = place_of(ws, p, veh.start_node), place_of(ws, p, veh.end_node)
    dur, dist = p.durations[veh.profile], p.distances[veh.profile]
    to_dt = week.to_datetime
    steps: list[Step] = []

    if seq:
        first_node = p.node(seq[0][0])
        go = int(dur[veh.start_node, first_node])
        leave = seq[0][1] - go
        for b0, b1 in sorted(veh.breaks, reverse=True):
            if leave < b1 and seq[0][1] > b0:
                leave -= b1 - b0
        leave = max(veh.start_s, leave)
    else:  # a field-trip day with no visit: the drive between its start and end place only
        leave = veh.start_s
    steps.append(Step(type="start", place=origin.name, location=(origin.lon, origin.lat),
                      arrival=to_dt(leave), start=to_dt(leave), end=to_dt(leave)))

    prev_node, prev_end = veh.start_node, leave
    for i, start in seq:
        node = p.node(i)
        vis = p.visits[i]
        travel = int(dur[prev_node, node])
        brks = _breaks_between(veh, prev_end, start)
        for b0, b1 in brks:
            steps.append(Step(type="break", place=_break_name(ws, week, b0), arrival=to_dt(b0),
                              start=to_dt(b0), end=to_dt(b1)))
        arrival = min(start, _arrive(prev_end, travel, brks))
        end = start + p.service_s[veh.kits][node]
        steps.append(Step(
            type="visit", visit_id=vis.id, kind=vis.kind, place=vis.place, village_code=vis.village_code,
            location=(vis.lon, vis.lat), arrival=to_dt(arrival), start=to_dt(start), end=to_dt(end),
            travel_s=travel, distance_m=int(dist[prev_node, node]), expected=dict(vis.expected),
            value=vis.value, why=vis.why,
        ))
        prev_node, prev_end = node, end
    back = int(dur[prev_node, veh.end_node])
    ahead = [b for b in veh.breaks if b[0] >= prev_end]  # breaks already over do not delay the drive back
    brks = _breaks_between(veh, prev_end, _arrive(prev_end, back, ahead))
    for b0, b1 in brks:
        steps.append(Step(type="break", place=_break_name(ws, week, b0), arrival=to_dt(b0),
                          start=to_dt(b0), end=to_dt(b1)))
    ret = _arrive(prev_end, back, brks)
    steps.append(Step(type="night" if veh.end_node != veh.depot_node else "end", place=dest.name,
                      location=(dest.lon, dest.lat), arrival=to_dt(ret), start=to_dt(ret), end=to_dt(ret),
                      travel_s=back, distance_m=int(dist[prev_node, veh.end_node])))
    return steps


def place_of(ws: Workspace, p: Problem, node: int):
    """The office or lodging (model object with ``id``, ``name``, ``lon``, ``lat``) of depot node ``node``."""
    pid = p.depots[node]
    if node < p.n_offices:
        return ws.depot(pid)
    return next(x for x in ws.lodgings if x.id == pid)


def _break_name(ws: Workspace, week: Week, abs_s: int) -> str:
    date = week.monday + dt.timedelta(days=abs_s // 86400)
    minute = (abs_s % 86400) // 60
    for b in ws.calendar.breaks_on(date):
        if b.start <= minute < b.end:
            return b.name
    return "Istirahat"


def _summary(p: Problem, ws: Workspace, routes: list[Route], unassigned: list[Unassigned],
             result: EngineResult, solve_s: float, travel_name: str) -> dict:
    people: Counter[str] = Counter()
    for r in routes:
        for s in r.visits:
            people.update(s.expected)
    coverage = []
    for row in regency_coverage(ws):
        after = min(row.eligible, row.covered + people.get(row.service, 0))
        coverage.append({
            "service": row.service, "target": row.target, "eligible": row.eligible,
            "before": round(row.coverage, 6),
            "after": round(after / row.eligible if row.eligible else 1.0, 6),
            "expected_people": people.get(row.service, 0),
            "still_needed_after": max(0, int(-(-(row.target * row.eligible - after) // 1))),
        })
    per_team_day = [{"team": r.team, "date": r.date.isoformat(), "visits": len(r.visits),
                     "kinds": dict(Counter(s.kind for s in r.visits)), "travel_s": r.travel_s,
                     "distance_m": r.distance_m} for r in routes]
    kinds_total = Counter(v.kind for v in p.visits)
    kinds_done = Counter(s.kind for r in routes for s in r.visits)
    return {
        "engine": result.engine,
        "travel_model": travel_name,
        "solve_seconds": round(solve_s, 2),
        "solver_status": result.status,
        "objective": round(result.objective, 3),
        "candidate_visits": len(p.visits),
        "scheduled_visits": sum(kinds_done.values()),
        "scheduled_by_kind": {k: kinds_done.get(k, 0) for k in kinds_total},
        "candidates_by_kind": dict(kinds_total),
        "value_collected": round(sum(s.value for r in routes for s in r.visits), 3),
        "value_available": round(sum(v.value for v in p.visits), 3),
        "travel_hours": round(sum(r.travel_s for r in routes) / 3600, 2),
        "distance_km": round(sum(r.distance_m for r in routes) / 1000, 1),
        "people_expected": dict(people),
        "coverage": coverage,
        "team_days": per_team_day,
        "team_days_available": len(p.vehicles),
        "unassigned_by_reason": dict(Counter(u.reason for u in unassigned)),
        "nights_away": sum(1 for r in routes if r.away_night),
        "night_cost": round(p.night_cost, 3),
    }


def make_plan(
    ws: Workspace,
    week: Week,
    limits: SolveLimits = SolveLimits(),
    engine: str = "auto",
    travel: TravelModel | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    workspace_dir: str | Path | None = None,
    held: Sequence[Route] = (),
    prepare: Callable[[Problem], Problem] | None = None,
    decompose: str = "auto",
    field_trips: bool = True,
) -> PlanRun:
    """Plan ``week`` for every team of ``ws``.

    Parameters
    ----------
    ws
        The workspace.
    week
        The ISO week to plan (its time zone is the regency's).
    limits
        Time limit in seconds and, for repeatable runs, a solution limit.
    engine
        ``ortools``, ``pyvrp`` or ``auto``: every installed engine whose features cover the
        problem (:func:`outreach_planner.engines.covering_engines`), in parallel processes, one
        core each; where PyVRP models the problem exactly, PyVRP once per core with different
        seeds instead (:func:`outreach_planner.engines.portfolio_runs`). The plans are ranked (most value, then least travel) and re-checked with
        :func:`outreach_planner.planning.validate.validate_plan` in that order; the first valid one is kept
        (none valid: the best, which the caller's own check then reports). Every run starts from
        the greedy construction (:func:`~outreach_planner.planning.construct.construct`, made here
        first), which is itself one of the ranked plans (run ``greedy``): there is always a plan, and
        when every engine fails it is the plan (its status says so). ``plan.engine`` names
        the winning engine, ``summary["engine"]`` its run (``pyvrp#2``: the second seed);
        ``summary["engines"]`` has every run's figures.
    travel
        Travel model; default: the one ``ws.travel`` configures.
    progress
        Called with (elapsed seconds, objective) at each improving solution.
    now
        Timestamp recorded as ``generated_at`` (default: the current time).
    workspace_dir
        The workspace folder, for the default travel model (a road network file is relative to it).
    held
        Routes of this week made outside this plan (the days a re-plan keeps): their village
        sessions count against ``policy.max_sessions_per_village`` (fewer candidates) and in
        the validation of the engines' plans.
    prepare
        Turns the problem into the one the engines solve (a re-plan pins visits to vehicles and
        raises their values there); the plan is built with the visits (values) of the original.
    decompose
        ``auto``: solve by parts when :func:`outreach_planner.planning.decompose.should_decompose`
        says it pays (a large week with several offices), ``always``, or ``never``. By parts, the
        first run of ``engine`` solves every part (:func:`~outreach_planner.planning.decompose.solve_decomposed`);
        the plan's engine is then ``decomposed(<engine>)``.
    field_trips
        False: no team goes on field trips (as if every team had ``field_trips = false``). True: teams
        with ``field_trips`` may, the shape of their week chosen first
        (:func:`~outreach_planner.planning.trips.choose_shape`), the engines routing with it fixed;
        ``summary["field_trips"]`` says per team what was chosen and why.

    Raises
    ------
    NoPlanError
        When no team works in the week (and only then: otherwise the construction is a plan).
    InputError
        When ``engine`` is unknown, not installed, or does not model a feature the problem uses.
    """
    if not field_trips:
        ws = without_field_trips(ws)
    travel = travel or travel_model(ws, workspace_dir)
    held_sessions = Counter(s.village_code or "" for r in held if r.date in week.dates
                            for s in r.visits if s.kind == "village_session")
    visits = value_visits(ws, week, candidate_visits(ws, week, session_caps(ws, week, travel), held_sessions))
    # a re-plan's first day after a recorded night away starts at that lodging (planning/trips.py)
    slept = {(r.team, r.date) for r in held if r.away_night}
    start_away = frozenset((t.id, k) for t in ws.teams for k, d in enumerate(week.dates)
                           if (t.id, d - dt.timedelta(days=1)) in slept)
    problem = build_problem(ws, week, visits, travel, start_away=start_away)
    if not problem.vehicles:
        raise NoPlanError(_("plan.no_team_works", id="tidak ada tim yang bekerja pada {week}: periksa [calendar] "
                            "working_days, holidays dan hari kerja tim", en="no team works in {week}: check [calendar] "
                            "working_days, holidays and team days", week=week))
    trips_info = None
    if problem.n_depots > problem.n_offices:  # lodgings and a team that may go: choose the week's shape
        t_shape = time.monotonic()
        choice = choose_shape(ws, problem, held=[r for r in held if r.date in week.dates])
        problem = choice.problem
        trips_info = {"teams": choice.why, "evaluations": choice.evaluations,
                      "score_day_trips": round(choice.day_trip_score, 3), "score_chosen": round(choice.score, 3),
                      "seconds": round(time.monotonic() - t_shape, 2)}
    solved = problem
    if prepare is not None:
        solved = prepare(problem)
        problem = dataclasses.replace(solved, visits=problem.visits)
    names = _engines_for(solved, engine)
    t0 = time.monotonic()
    # always a plan: the construction first (seconds at any size); the engines start from it and only improve
    built = construct(solved)
    if progress and built.history:
        progress(time.monotonic() - t0, built.objective)
    runs = [n for n in names if n not in CONSTRUCTIONS]
    results: dict[str, EngineResult | str] = {}
    if runs and should_decompose(solved, decompose):
        # a large week with several offices: by parts in parallel, each part from its share of the construction
        part_run = PART_ENGINE if engine == "auto" else runs[0]
        by_parts = solve_decomposed(solved, limits, part_run, initial=built.routes or None, progress=progress)
        runs = [by_parts.engine]
        results[by_parts.engine] = by_parts
    elif runs:
        results.update(run_engines(solved, limits, runs, progress, initial=built.routes or None))
    results[CONSTRUCTION] = built
    labels = runs + [CONSTRUCTION]
    solve_s = time.monotonic() - t0
    travel_name = getattr(travel, "name", "custom")
    plans: dict[str, Plan] = {}
    for name in labels:
        result = results[name]
        if isinstance(result, EngineResult) and result.objective != float("inf"):
            plans[name] = _plan_of(problem, ws, week, result, solve_s, travel_name, now)
    failed = [n for n in runs if n not in plans]
    if runs and len(failed) == len(runs):  # every engine failed: the construction is the plan, and says so
        why = "; ".join(f"{n}: {r if isinstance(r, str) else r.status}" for n, r in results.items() if n in failed)
        built = dataclasses.replace(built, status=f"{built.status}: the construction's plan, as every engine "
                                                   f"failed ({why})")
        results[CONSTRUCTION] = built
        plans[CONSTRUCTION] = _plan_of(problem, ws, week, built, solve_s, travel_name, now)
    # best first (most value, then least travel); re-check in that order and keep the first valid plan
    ranked = sorted(plans, key=lambda n: (-round(plans[n].value, 3), plans[n].travel_s, labels.index(n)))
    violations: dict[str, int] = {}
    winner = ranked[0]
    if len(ranked) > 1:
        from .validate import validate_plan

        for n in ranked:
            violations[n] = len(validate_plan(plans[n], ws, travel, held=held))
            if violations[n] == 0:
                winner = n
                break
    plan = plans[winner]
    table = []
    for n in labels:
        r = results[n]
        row: dict = {"engine": n, "status": r if isinstance(r, str) else r.status}
        if n in plans:
            row.update(objective=round(r.objective, 3), value_collected=round(plans[n].value, 3),
                       travel_hours=round(plans[n].travel_s / 3600, 2),
                       time_to_best_s=round(r.history[-1][0], 2) if r.history else None,
                       build_s=round(r.build_s, 2), search_s=round(r.search_s, 2))
            if n in violations:
                row["violations"] = violations[n]
        table.append(row)
    summary = dict(plan.summary, engine=winner, engines=table)
    if trips_info is not None:
        summary["field_trips"] = trips_info
    plan = plan.model_copy(update={"summary": summary})
    return PlanRun(plan, problem, results[winner], solve_s, results)


def _engines_for(problem: Problem, engine: str) -> list[str]:
    """The runs: ``engine``, or for ``auto`` the portfolio's (:func:`~outreach_planner.engines.portfolio_runs`)."""
    need = problem_features(problem)
    if engine == "auto":
        cores = available_cores()
        names = portfolio_runs(problem, cores)
        if os.environ.get(CORES_ENV):  # capped (plan-many's workers): no more runs than cores, the first in-process
            names = names[:cores]
        if not names:
            raise InputError(_("plan.no_engine_models", id="tidak ada mesin terpasang yang memodelkan semua fitur "
                               "masalah ini ({features})", en="no installed engine models every feature of this "
                               "problem ({features})", features=", ".join(sorted(need))))
        return names
    if engine not in ENGINES:
        raise InputError(_("plan.unknown_engine", id="mesin {engine} tidak dikenal; pilih salah satu: auto, {names}",
                           en="unknown engine {engine}; choose one of: auto, {names}", engine=repr(engine),
                           names=", ".join(ENGINES)))
    if not engine_available(engine):
        raise InputError(_("plan.engine_missing", id="mesin {engine} tidak terpasang: pasang ulang outreach-planner "
                           "(dependensinya sudah memuatnya)", en="the {engine} engine is not installed: reinstall "
                           "outreach-planner (its dependencies include it)", engine=engine))
    why = engine_refusal(engine, problem)
    if why:
        raise InputError(_("plan.engine_refused", id="{why}; pilih --engine ortools atau auto",
                           en="{why}; choose --engine ortools or auto", why=why))
    return [engine]


def _plan_of(problem: Problem, ws: Workspace, week: Week, result: EngineResult, solve_s: float,
             travel_name: str, now: dt.datetime | None) -> Plan:
    """The Plan of one engine's result."""
    by_vehicle = dict(result.routes)
    routes = []
    for veh in problem.vehicles:
        seq = by_vehicle.get(veh.index)
        trip_day = veh.start_node != veh.depot_node or veh.end_node != veh.depot_node
        if not seq and not trip_day:  # a field-trip day is in the plan even without visits: the team moves
            continue
        base = problem.depots[veh.depot_node]
        start_at, end_at = problem.depots[veh.start_node], problem.depots[veh.end_node]
        routes.append(Route(team=veh.team, date=week.dates[veh.date_index], depot=base,
                            steps=tuple(_route_steps(problem, ws, veh.index, seq or [])),
                            start_at=start_at, end_at=end_at, trip=veh.trip))
    unassigned = explain_unassigned(problem, result.routes)
    summary = _summary(problem, ws, routes, unassigned, result, solve_s, travel_name)
    return Plan(
        week=str(week), workspace=f"{ws.regency.code} {ws.regency.name}",
        generated_at=(now or dt.datetime.now(week.tz)).astimezone(week.tz).replace(microsecond=0),
        engine=result.engine, timezone=week.timezone, routes=tuple(routes),
        unassigned=tuple(sorted(unassigned, key=lambda u: (-u.value, u.visit_id))), summary=summary,
    )


__all__ = ["PlanRun", "make_plan"]
