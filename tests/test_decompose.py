"""Decomposition (``planning/decompose.py``): parts partition the week, sub-problems are exact slices,
merged plans validate, routes map back to the same place and vehicle."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import pytest
from test_validate import WEEK

from outreach_planner.engines import EngineResult, SolveLimits
from outreach_planner.model import Depot, Workspace
from outreach_planner.planning.construct import construct, objective
from outreach_planner.planning.decompose import (Part, insert_leftovers, seam_visits, should_decompose,
                                                 solve_decomposed, split)
from outreach_planner.planning.demand import candidate_visits
from outreach_planner.planning.planner import make_plan
from outreach_planner.planning.priority import value_visits
from outreach_planner.planning.problem import Problem, build_problem, session_caps
from outreach_planner.planning.validate import validate_plan
from outreach_planner.travel import travel_model

LIMITS = SolveLimits(time_limit_s=600, solution_limit=1)


@pytest.fixture(scope="module")
def two_bases(small) -> Workspace:
    """The small workspace with a second office (at Mala-Mala, 16 km north) and a copy of each team there."""
    office2 = Depot(id="office2", name="Kantor Utara", lon=120.922456, lat=-3.35602)
    teams = small.teams + tuple(t.model_copy(update={"id": t.id + "_n", "name": t.name + " Utara",
                                                     "depot": "office2"}) for t in small.teams)
    return small.model_copy(update={"depots": small.depots + (office2,), "teams": teams})


@pytest.fixture(scope="module")
def problem(two_bases) -> Problem:
    travel = travel_model(two_bases)
    visits = value_visits(two_bases, WEEK, candidate_visits(two_bases, WEEK, session_caps(two_bases, WEEK, travel)))
    return build_problem(two_bases, WEEK, visits, travel)


def _check_partition(p: Problem, parts: list[Part]) -> None:
    vehicles = sorted(v for part in parts for v in part.vehicles)
    assert vehicles == list(range(len(p.vehicles)))
    where = Counter(i for part in parts for i in part.visits)
    excluded = {e.visit for e in p.excluded}
    for i in range(len(p.visits)):
        assert where[i] == (0 if i in excluded else 1), i
    for part in parts:
        depots = {p.vehicles[v].depot_node for v in part.vehicles}
        assert len(depots) == 1  # a part never spans two offices
        teams = {p.vehicles[v].team for v in part.vehicles}
        for other in parts:  # a team's days stay together
            if other is not part:
                assert not teams & {p.vehicles[v].team for v in other.vehicles}
        for j, i in enumerate(part.visits):  # only visits a vehicle of the part may make
            assert part.problem.allowed[j]
            assert [part.vehicles[v] for v in part.problem.allowed[j]] == \
                [v for v in p.allowed[i] if v in set(part.vehicles)]


def _check_slices(p: Problem, part: Part) -> None:
    sp = part.problem
    depot_ix = [p.depots.index(d) for d in sp.depots]
    ix = np.array(depot_ix + [p.node(i) for i in part.visits])
    for prof in sp.durations:
        assert np.array_equal(sp.durations[prof], p.durations[prof][np.ix_(ix, ix)])
        assert np.array_equal(sp.distances[prof], p.distances[prof][np.ix_(ix, ix)])
        assert sp.durations[prof].shape == (len(ix), len(ix))
    assert sp.nodes == [p.nodes[n] for n in ix]
    for k in sp.service_s:
        assert sp.service_s[k] == [p.service_s[k][n] for n in ix]
    for j, v in enumerate(part.vehicles):
        sv, wv = sp.vehicles[j], p.vehicles[v]
        assert sv.index == j and sp.depots[sv.depot_node] == p.depots[wv.depot_node]
        assert (sv.team, sv.date_index, sv.start_s, sv.end_s, sv.breaks, sv.kits) == \
            (wv.team, wv.date_index, wv.start_s, wv.end_s, wv.breaks, wv.kits)
    for j, i in enumerate(part.visits):
        assert sp.visits[j] is p.visits[i] and sp.load(j) == p.load(i) and sp.windows(j) == p.windows(i)
    groups = {frozenset(part.visits[j] for j in g) for g in sp.same_day_groups}
    whole = [frozenset(g) & set(part.visits) for g in p.same_day_groups]
    assert groups == {g for g in whole if len(g) > 1}
    assert sp.required == frozenset(j for j, i in enumerate(part.visits) if i in p.required)
    assert sp.excluded == []


def test_split_by_office_partitions_the_week_and_slices_the_matrices(problem):
    p = problem
    assert p.n_depots == 2 and not p.required
    c = construct(p)
    parts = split(p, c.routes)
    assert [part.label for part in parts] == ["depot office", "depot office2"]
    _check_partition(p, parts)
    for part in parts:
        _check_slices(p, part)
    # a visit the construction made goes to the part of the vehicle that made it
    part_of = {i: k for k, part in enumerate(parts) for i in part.visits}
    vpart = {v: k for k, part in enumerate(parts) for v in part.vehicles}
    for v, seq in c.routes:
        for i, _ in seq:
            assert part_of[i] == vpart[v]
    # same-day groups lie whole in one part
    for g in p.same_day_groups:
        assert len({part_of[i] for i in g if i in part_of}) <= 1


def test_split_by_team_when_an_office_has_too_many_visits(problem):
    p = problem
    parts = split(p, construct(p).routes, max_part_visits=5)
    assert len(parts) > 2  # each office's teams dealt into groups
    _check_partition(p, parts)
    for part in parts:
        _check_slices(p, part)
    assert split(p, None, max_part_visits=5)  # without a construction: by the nearest vehicle
    _check_partition(p, split(p, None, max_part_visits=5))


def test_routes_of_a_part_map_back_to_the_same_place_vehicle_and_time(problem):
    p = problem
    for part in split(p, construct(p).routes):
        res = construct(part.problem)
        assert res.routes
        back = part.to_whole(res.routes)
        for (sv, sseq), (wv, wseq) in zip(res.routes, back):
            a, b = part.problem.vehicles[sv], p.vehicles[wv]
            assert (a.team, a.date_index) == (b.team, b.date_index)
            for (si, s1), (wi, s2) in zip(sseq, wseq):
                assert s1 == s2
                assert part.problem.visits[si].id == p.visits[wi].id
                assert part.problem.nodes[part.problem.node(si)] == p.nodes[p.node(wi)]
        assert part.from_whole(back) == res.routes


def test_insert_leftovers_from_nothing_is_the_construction_and_keeps_a_full_plan(problem):
    p = problem
    c = construct(p)
    assert insert_leftovers(p, []) == (c.routes, sum(len(s) for _, s in c.routes), 0)
    assert insert_leftovers(p, c.routes) == (c.routes, 0, 0)


def test_insert_leftovers_drops_a_route_that_breaks_a_rule_and_refills(problem):
    p = problem
    c = construct(p)
    v, seq = c.routes[0]
    i = next(i for i in range(len(p.visits)) if p.allowed[i] and v not in p.allowed[i])
    bad = [(v, seq + [(i, seq[-1][1] + 60)])] + c.routes[1:]  # a visit this vehicle may not make
    routes, inserted, dropped = insert_leftovers(p, bad)
    assert dropped == len(seq) + 1 and inserted > 0
    assert all(v2 in p.allowed[i2] for v2, s in routes for i2, _ in s)
    made = [i2 for _, s in routes for i2, _ in s]
    assert len(made) == len(set(made))


def _bad_runner(problem, limits, progress=None):
    """An 'engine' whose routes break the rules: each vehicle makes every visit, at time 0."""
    return EngineResult("bad", [(v.index, [(i, 0) for i in range(len(problem.visits))]) for v in problem.vehicles],
                        0.0, "bad")


def test_solve_decomposed_falls_back_to_the_construction_of_a_part_whose_engine_fails(problem):
    p = problem
    res = solve_decomposed(p, LIMITS, _bad_runner, workers=1)
    assert res.objective <= construct(p).objective
    assert res.objective == pytest.approx(objective(p, res.routes))
    assert "2 kept the construction" in res.status
    made = [i for _, s in res.routes for i, _ in s]
    assert len(made) == len(set(made))


def test_decomposed_plan_validates_and_names_the_engine(two_bases):
    travel = travel_model(two_bases)
    run = make_plan(two_bases, WEEK, LIMITS, engine="ortools", travel=travel, decompose="always")
    assert run.plan.engine == "decomposed(ortools)"
    assert run.result.status.startswith("decomposed into 2 parts")
    assert validate_plan(run.plan, two_bases, travel) == []
    assert run.plan.summary["scheduled_visits"] > 0
    assert run.result.objective <= construct(run.problem).objective  # never worse than where it started


def _slow_runner(problem, limits, progress=None):
    """The construction, after 2 s: a part that takes a while, as an engine's does."""
    time.sleep(2)
    return construct(problem)


def test_more_parts_than_workers_run_in_turn_in_parallel_processes(problem):
    # three or more parts on two worker processes: a part starts when one ends (a multiprocessing
    # Pool with maxtasksperchild=1 hung here: its first workers ended as zombies, nothing went on)
    p = problem
    parts = split(p, construct(p).routes, max_part_visits=5)
    assert len([q for q in parts if q.visits]) > 2
    res = solve_decomposed(p, LIMITS, _slow_runner, max_part_visits=5, workers=2)
    assert "0 by _slow_runner" in res.status  # ties keep the construction
    assert res.status.startswith(f"decomposed into {len(parts)} parts")
    assert res.objective <= construct(p).objective
    made = [i for _, s in res.routes for i, _ in s]
    assert len(made) == len(set(made))


def test_when_to_decompose(problem):
    assert not should_decompose(problem)  # small: the whole problem
    assert should_decompose(problem, "always") and not should_decompose(problem, "never")
    with pytest.raises(ValueError):
        should_decompose(problem, "sometimes")


def test_seam_visits_are_those_near_a_visit_of_another_part(problem):
    p = problem
    parts = [q for q in split(p, construct(p).routes) if q.visits]
    assert len(parts) == 2
    assert seam_visits(p, parts) == []  # the nearest visits of the two parts are 34 min apart
    within = 2_100
    seams = seam_visits(p, parts, within)
    assert seams
    part_of = {i: k for k, q in enumerate(parts) for i in q.visits}
    m = p.durations[sorted(p.durations)[0]]
    for i in seams:
        others = [j for j in part_of if part_of[j] != part_of[i]]
        assert min(min(int(m[p.node(i), p.node(j)]), int(m[p.node(j), p.node(i)])) for j in others) <= within
    far = [i for i in part_of if i not in set(seams)]
    for i in far[:20]:
        others = [j for j in part_of if part_of[j] != part_of[i]]
        assert min(min(int(m[p.node(i), p.node(j)]), int(m[p.node(j), p.node(i)])) for j in others) > within
    assert seam_visits(p, parts, within_s=-1) == []
    assert seam_visits(p, parts[:1]) == []


def test_decomposed_plan_is_improved_across_the_seams_and_validates(two_bases, monkeypatch):
    from outreach_planner.planning import decompose

    monkeypatch.setattr(decompose, "SEAM_S", 2_500)  # this small week's parts are 34 min apart
    travel = travel_model(two_bases)
    run = make_plan(two_bases, WEEK, SolveLimits(time_limit_s=600, solution_limit=2), engine="lns", travel=travel,
                    decompose="always")
    assert run.plan.engine == "decomposed(lns)"
    assert "whole-problem improvement from" in run.result.status
    assert validate_plan(run.plan, two_bases, travel) == []
    assert run.result.objective <= construct(run.problem).objective
    monkeypatch.setattr(decompose, "SEAM_S", 0)  # no seams: no whole-problem pass
    run = make_plan(two_bases, WEEK, SolveLimits(time_limit_s=600, solution_limit=2), engine="lns", travel=travel,
                    decompose="always")
    assert "whole-problem improvement" not in run.result.status
