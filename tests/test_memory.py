"""Memory that grows gently: one place per point, int32 travel matrices, PyVRP's warm start."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from outreach_planner.engines import SolveLimits
from outreach_planner.io import read_workspace
from outreach_planner.model import Workspace
from outreach_planner.planning.construct import construct
from outreach_planner.planning.demand import candidate_visits
from outreach_planner.planning.priority import value_visits
from outreach_planner.planning.problem import Problem, build_problem, session_caps
from outreach_planner.travel import GreatCircle, RoadNetwork, travel_model
from outreach_planner.travel.great_circle import haversine_m
from outreach_planner.week import Week

DEFAULT = Path(__file__).resolve().parents[1] / "data" / "kolaka_utara"
WEEK = Week.parse("2026-W49")


def _problem(ws: Workspace, folder=None) -> tuple[Problem, object]:
    travel = travel_model(ws, folder, cache=False)
    visits = value_visits(ws, WEEK, candidate_visits(ws, WEEK, session_caps(ws, WEEK, travel)))
    return build_problem(ws, WEEK, visits, travel), travel


@pytest.fixture(scope="module")
def three_sessions(small) -> Workspace:
    """The small workspace allowing three sessions per village (the demand gives some village three)."""
    data = {k: getattr(small, k) for k in Workspace.model_fields}
    data["policy"] = small.policy.model_copy(update={"max_sessions_per_village": 3})
    return Workspace(**data)


@pytest.fixture(scope="module")
def default_problem():
    ws = read_workspace(DEFAULT)
    return _problem(ws, DEFAULT)


def test_a_village_with_three_sessions_is_one_place(three_sessions):
    p, travel = _problem(three_sessions)
    by_village: dict[str, list[int]] = {}
    for i, v in enumerate(p.visits):
        if v.kind == "village_session":
            by_village.setdefault(v.ref, []).append(i)
    three = [g for g in by_village.values() if len(g) >= 3]
    assert three, "the fixture should give some village three sessions"
    for g in three:
        assert len({int(p.node_place[p.node(i)]) for i in g}) == 1
    # places are the distinct points; the matrices are per place, int32, one per travel profile
    assert p.n_places == len(set(p.nodes)) < len(p.nodes)
    for prof, m in p.place_durations.items():
        assert m.dtype == np.int32 and m.shape == (p.n_places, p.n_places)
        assert p.place_distances[prof].dtype == np.int32
    assert set(p.place_durations) == {t.vehicle for t in three_sessions.teams}
    # the node-indexed views read what a node matrix would hold
    for prof in p.place_durations:
        dur, dist = (np.asarray(x, dtype=np.int64) for x in travel.matrices(p.nodes, prof))
        assert (np.asarray(p.durations[prof]) == dur).all() and (np.asarray(p.distances[prof]) == dist).all()
        a, b = p.node(three[0][0]), p.node(three[0][1])
        assert p.durations[prof][a, b] == 0 and p.durations[prof][0, a] == dur[0, a]
        idx = np.array([0, a, b])
        assert (p.durations[prof][np.ix_(idx, idx)] == dur[np.ix_(idx, idx)]).all()


def test_a_hand_made_problem_is_one_place_per_node_and_takes_node_matrices():
    from outreach_planner.planning.problem import Problem as P

    dur = np.array([[0, 5, 7], [5, 0, 3], [7, 3, 0]])
    p = P(WEEK, ["office"], [(0.0, 0.0)] * 3, [], [], {"car": dur}, {"car": dur * 10}, {0: [0, 0, 0]}, [], [], 0.0)
    assert list(p.node_place) == [0, 1, 2] and p.durations["car"][1, 2] == 3
    p.durations = {"car": dur * 2}
    assert p.durations["car"][1, 2] == 6
    shared = P(WEEK, ["office"], [(0.0, 0.0)] * 3, [], [], {"car": dur[:2, :2]}, {"car": dur[:2, :2]},
               {0: [0, 0, 0]}, [], [], 0.0, node_place=np.array([0, 1, 1]))
    assert shared.durations["car"][1, 2] == 0 and shared.durations["car"][0, 2] == 5
    with pytest.raises(ValueError, match="share places"):
        shared.durations = {"car": dur}


def test_node_matrix_indexes_like_the_node_matrix_it_stands_for():
    from outreach_planner.planning.problem import NodeMatrix

    rng = np.random.default_rng(5)
    place = rng.integers(0, 10_000, (4, 4)).astype(np.int32)
    m = NodeMatrix(place, np.array([0, 1, 1, 2, 3, 3, 2], dtype=np.int32))
    full = np.asarray(m)
    assert full.shape == m.shape == (7, 7)
    cols, rows = np.array([6, 0, 2]), np.array([1, 5, 3])
    keys = [(2, 5), (slice(None), 3), (4, slice(None)), (slice(1, 4), slice(2, 6)), (slice(None), cols),
            (rows, slice(None)), (slice(None, None, -2), cols), (rows, cols), np.ix_(rows, cols),
            (np.array([[1, 2], [3, 4]]), slice(5, None))]
    for key in keys:
        got = m[key]
        assert np.shape(got) == full[key].shape and (got == full[key]).all(), key


def test_great_circle_matrices_are_int32_and_the_float_figures_rounded():
    rng = np.random.default_rng(3)
    pts = [(float(x), float(y)) for x, y in zip(rng.uniform(120.8, 121.4, 40), rng.uniform(-3.9, -2.9, 40))]
    gc = GreatCircle(circuity=1.35, speed_kmh={"car": 40.0})
    dur, dist = gc.matrices(pts, "car")
    assert dur.dtype == np.int32 and dist.dtype == np.int32
    lon, lat = np.array(pts).T
    metres = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :]) * 1.35
    assert np.abs(dist - np.rint(metres)).max() <= 1  # chord vs haversine formula: equal to float rounding
    secs = metres / (40 / 3.6)
    assert (dur >= np.floor(secs)).all() and (dur <= np.ceil(secs) + 1).all()
    assert (np.diag(dur) == 0).all()


def test_road_matrices_are_int32_computed_once_per_point_and_read_only(default_problem):
    p, travel = default_problem
    assert isinstance(travel, RoadNetwork)
    prof = "car"
    pts = p.places[:30]
    fresh = RoadNetwork(travel.network_path)
    dur, dist = fresh.matrices(pts, prof)
    assert dur.dtype == np.int32 and dist.dtype == np.int32 and not dur.flags.writeable
    # a point given twice shares its rows: the same figures as the distinct points expanded
    twice = [pts[0], pts[5], pts[0], pts[7]]
    d2, m2 = RoadNetwork(travel.network_path).matrices(twice, prof)
    idx = np.array([0, 5, 0, 7])
    assert (d2 == dur[np.ix_(idx, idx)]).all() and (m2 == dist[np.ix_(idx, idx)]).all()
    assert d2[0, 2] == 0
    # and equal to what the problem holds for those places
    assert (dur == p.place_durations[prof][:30, :30]).all()


def _check_routes(p: Problem, routes) -> None:
    seen = set()
    for vi, seq in routes:
        for i, _ in seq:
            assert vi in p.allowed[i] and i not in seen
            seen.add(i)


@pytest.mark.parametrize("which", ["small", "default"])
def test_pyvrp_started_from_the_construction_is_never_worse(which, small, default_problem):
    from outreach_planner.engines import pyvrp_engine

    p = _problem(small)[0] if which == "small" else default_problem[0]
    init = construct(p)
    assert init.routes
    start = pyvrp_engine.objective(p, init.routes)
    assert start == pytest.approx(init.objective, abs=1e-6)  # the engines' objective is the construction's
    for limit in (1, 30):
        res = pyvrp_engine.solve(p, SolveLimits(time_limit_s=600, solution_limit=limit), initial=init.routes)
        assert res.objective <= start + 1e-9, res.status
        assert res.objective == pytest.approx(pyvrp_engine.objective(p, res.routes), abs=1e-6)
        assert res.history[0] == (0.0, pytest.approx(start))
        _check_routes(p, res.routes)


def test_pyvrp_tells_the_portfolio_the_search_started_and_sends_the_initial_routes(small):
    """PyVRP's stopping criterion sees only the best cost: the portfolio gets "search started" (its deadline
    counts from there) and the initial plan's routes at 0 s (its fallback should the run overrun), and
    no report worse than the initial plan."""
    from outreach_planner.engines import pyvrp_engine

    p = _problem(small)[0]
    init = construct(p)
    events = []

    class Listener:
        wants_routes = True

        def __call__(self, elapsed, objective, routes=None):
            events.append(("progress", objective, routes))

        def search_started(self, build_s):
            events.append(("started", build_s, None))

    res = pyvrp_engine.solve(p, SolveLimits(time_limit_s=600, solution_limit=30), Listener(), initial=init.routes)
    assert events[0][0] == "started" and events[0][1] >= 0
    assert events[1] == ("progress", pytest.approx(init.objective), init.routes)
    assert all(obj < init.objective for kind, obj, _ in events[2:])
    assert sum(kind == "started" for kind, _, _ in events) == 1
    assert res.objective <= init.objective + 1e-9


def test_pyvrp_streams_the_routes_of_its_improvements(default_problem):
    """A progress that wants routes gets those of PyVRP's new best solutions (throttled), each a valid plan
    whose objective is the one reported, improving on the initial plan."""
    from outreach_planner.engines import pyvrp_engine

    p = default_problem[0]
    init = construct(p)
    sent = []

    class Listener:
        wants_routes = True

        def __call__(self, elapsed, objective, routes=None):
            if routes is not None:
                sent.append((objective, routes))

    res = pyvrp_engine.solve(p, SolveLimits(time_limit_s=600, solution_limit=400), Listener(), initial=init.routes)
    assert sent[0] == (pytest.approx(init.objective), init.routes)
    assert len(sent) > 1, res.status
    for obj, routes in sent[1:]:
        assert obj == pytest.approx(pyvrp_engine.objective(p, routes), abs=1e-6)
        assert obj < init.objective
        _check_routes(p, routes)
    assert [o for o, _ in sent] == sorted((o for o, _ in sent), reverse=True)
