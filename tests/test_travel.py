"""Travel models: road network (hand-made networks with known answers), cache, default network."""

from __future__ import annotations

import math
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import scipy.sparse.csgraph
import shapely

from outreach_planner.cli import DEFAULT_WORKSPACE
from outreach_planner.engines import SolveLimits
from outreach_planner.errors import InputError, InputWarning
from outreach_planner.io import read_workspace
from outreach_planner.planning.planner import make_plan
from outreach_planner.travel import GreatCircle, RoadNetwork, travel_model
from outreach_planner.travel.great_circle import haversine_m
from outreach_planner.planning.validate import validate_plan
from outreach_planner.week import Week

pytestmark = pytest.mark.usefixtures("english")  # asserts on English messages (Indonesian: test_catalogue)

SMALL = Path(__file__).resolve().parent / "data" / "small"

# A triangle on the equator (0.01 degree of longitude = 1,113 m):
#   A (0, 0) --feeder-- B (0.02, 0): straight but slow (car 25 km/h; motorbike 40 km/h from its column)
#   A --trunk-- C (0.01, 0.01) --trunk-- B: longer but fast (car 50, motorbike 45 km/h)
A, B, C = (0.0, 0.0), (0.02, 0.0), (0.01, 0.01)
D = (0.01, -0.001)  # 111 m south of the middle of A-B


def hav(p, q) -> float:
    return float(haversine_m(p[0], p[1], q[0], q[1]))


def secs(metres: float, kmh: float) -> float:
    return metres / (kmh / 3.6)


def write_roads(path: Path, lines, crs="EPSG:4326", layer="roads", **columns) -> Path:
    gdf = gpd.GeoDataFrame(columns, geometry=[shapely.LineString(x) for x in lines], crs="EPSG:4326")
    if crs != "EPSG:4326":
        gdf = gdf.to_crs(crs)
    kw = {"layer": layer} if path.suffix == ".gpkg" else {}
    gdf.to_file(path, **kw)
    return path


@pytest.fixture
def triangle(tmp_path) -> Path:
    return write_roads(tmp_path / "roads.gpkg", [[A, B], [A, C], [C, B]],
                       road_class=["feeder", "trunk", "trunk"], speed_kmh_motorbike=[40.0, None, None])


# --------------------------------------------------------------------------- known answers
def test_fastest_path_times_and_distances_on_a_hand_made_network(triangle):
    m = RoadNetwork(triangle)
    dur, dist = m.matrices([A, B, C, D], "car")
    assert dur.dtype == np.int32 and dist.dtype == np.int32 and dur.shape == (4, 4)
    via_c = hav(A, C) + hav(C, B)
    # A -> B by car: round by C on the trunk (226 s) beats the straight feeder (320 s)
    assert dur[0, 1] == math.ceil(secs(via_c, 50)) and dist[0, 1] == round(via_c)
    assert dur[0, 2] == math.ceil(secs(hav(A, C), 50))
    # D: an 111 m access leg at 10 km/h to the middle of the feeder, then half the feeder
    access, half = hav(D, (0.01, 0.0)), hav(A, B) / 2
    assert dur[3, 1] == math.ceil(secs(access, 10) + secs(half, 25))
    assert abs(dist[3, 1] - round(access + half)) <= 1
    assert (np.diag(dur) == 0).all() and (dur == dur.T).all()
    # the motorbike's own speed column makes the straight feeder the faster way
    mdur, mdist = m.matrices([A, B], "motorbike")
    assert mdur[0, 1] == math.ceil(secs(hav(A, B), 40)) and mdist[0, 1] == round(hav(A, B))


def test_one_way_road(tmp_path):
    # A -> B one way (fast); back from B to A only round by C
    path = write_roads(tmp_path / "roads.gpkg", [[A, B], [B, C], [C, A]],
                       road_class=["trunk", "feeder", "feeder"], oneway=["yes", "no", ""])
    dur, dist = RoadNetwork(path).matrices([A, B], "car")
    assert dur[0, 1] == math.ceil(secs(hav(A, B), 50))
    assert dist[1, 0] == round(hav(B, C) + hav(C, A))
    # "-1": one way against the drawing direction
    path2 = write_roads(tmp_path / "rev.gpkg", [[B, A], [B, C], [C, A]],
                        road_class=["trunk", "feeder", "feeder"], oneway=["-1", "no", "no"])
    assert (RoadNetwork(path2).matrices([A, B], "car")[1] == dist).all()


def test_class_closed_to_cars_and_default_speed(tmp_path):
    # the straight line is a footway (closed to cars, 8 km/h by motorbike); the detour has no class
    path = write_roads(tmp_path / "roads.gpkg", [[A, B], [A, C], [C, B]], highway=["footway", None, "unclassified"])
    m = RoadNetwork(path)
    dur, _ = m.matrices([A, B], "car")
    assert dur[0, 1] == math.ceil(secs(hav(A, C) + hav(C, B), 25))  # default and unclassified: 25 km/h
    with pytest.raises(ValueError, match="known: car, motorbike"):
        m.matrices([A, B], "boat")


def test_bad_speed_is_reported_with_its_feature(tmp_path):
    path = write_roads(tmp_path / "roads.geojson", [[A, B], [A, C]], speed_kmh=["40", "fast"])
    with pytest.raises(InputError) as err:
        RoadNetwork(path).matrices([A, B], "car")
    [p] = err.value.problems
    assert (p.where, p.field, p.value) == ("feature 2", "speed_kmh", "fast")


def test_stops_on_one_edge_and_sub_matrices_agree(triangle):
    """A pair's figures do not depend on the other stops asked for (the validator relies on it)."""
    rng = np.random.default_rng(3)
    pts = [A, B, C, D] + [(float(x), float(y)) for x, y in
                          zip(rng.uniform(-0.002, 0.022, 40), rng.uniform(-0.003, 0.012, 40))]
    dur, dist = RoadNetwork(triangle).matrices(pts, "car")
    for idx in ([0, 5, 9], [3, 7, 8, 20, 41], [43, 2]):
        sdur, sdist = RoadNetwork(triangle).matrices([pts[i] for i in idx], "car")  # fresh: no memory
        assert (sdur == dur[np.ix_(idx, idx)]).all() and (sdist == dist[np.ix_(idx, idx)]).all()
    # times obey the triangle inequality (up to rounding up to whole seconds); distances need not:
    # they are the lengths of the fastest paths
    assert (dur[:, None, :] <= dur[:, :, None] + dur[None, :, :] + 1).all()


def test_network_formats_and_crs_agree(tmp_path):
    lines = [[A, B], [A, C], [C, B]]
    cls = ["feeder", "trunk", "trunk"]
    files = [write_roads(tmp_path / "r.gpkg", lines, road_class=cls),
             write_roads(tmp_path / "r.geojson", lines, road_class=cls),
             write_roads(tmp_path / "r.shp", lines, road_class=cls),
             write_roads(tmp_path / "utm.gpkg", lines, crs="EPSG:32751", road_class=cls)]
    results = [RoadNetwork(f).matrices([A, B, C, D], "car") for f in files]
    for dur, dist in results[1:]:
        assert np.abs(dur - results[0][0]).max() <= 1 and np.abs(dist - results[0][1]).max() <= 1


# --------------------------------------------------------------------------- bad stops
def test_disconnected_stop_fails_with_its_name(triangle, tmp_path):
    island = [(0.5, 0.5), (0.51, 0.5)]
    path = write_roads(tmp_path / "two_parts.gpkg", [[A, B], [A, C], [C, B], island],
                       road_class=["feeder", "trunk", "trunk", "feeder"])
    m = RoadNetwork(path, place_names={(0.505, 0.5005): "school sd_pulau (SD Pulau)"})
    with pytest.raises(InputError) as err:
        m.matrices([A, B, (0.505, 0.5005), C], "car", labels=["office", "B", "SD Pulau", "C"])
    [problem] = err.value.problems
    assert problem.where == "SD Pulau"
    assert "component #2" in problem.message and "main road network (component #1" in problem.message
    # without labels, the names given at construction are used
    with pytest.raises(InputError, match=r"school sd_pulau \(SD Pulau\)"):
        m.matrices([A, (0.505, 0.5005)], "car")
    with pytest.raises(InputError, match="component"):
        m.path(A, (0.505, 0.5005), "car")


def test_far_stop_warns_with_the_distance(triangle):
    far = (0.01, 0.03)  # 2.2 km north of C
    with pytest.warns(InputWarning, match=r"stop 1 .* 2\.2 km from the nearest road"):
        dur, _ = RoadNetwork(triangle).matrices([A, far], "car")
    assert dur[0, 1] == math.ceil(secs(hav(A, C), 50) + secs(hav(C, far), 10))
    with pytest.raises(InputError, match="km from the nearest road"):
        RoadNetwork(triangle, snap_max_m=1000).matrices([A, far], "car")


# --------------------------------------------------------------------------- cache
def test_cache_returns_the_same_matrix_without_recomputing(triangle, tmp_path, monkeypatch):
    calls = []
    real = scipy.sparse.csgraph.dijkstra

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scipy.sparse.csgraph, "dijkstra", counting)
    cache = tmp_path / "cache"
    pts = [A, B, C, D]
    first = RoadNetwork(triangle, cache_dir=cache).matrices(pts, "car")
    assert calls and len(list(cache.glob("*.npz"))) == 1
    assert not list(cache.glob("*.tmp"))  # written atomically: no temporary file left
    calls.clear()

    again = RoadNetwork(triangle, cache_dir=cache)  # a new run, e.g. re-planning the same week
    second = again.matrices(pts, "car")
    assert not calls and again.computations == 0 and again.cache.hits == 1
    assert all((x == y).all() for x, y in zip(first, second))
    again.matrices([D, A], "car")  # a subset (a route): served from memory
    assert not calls and len(list(cache.glob("*.npz"))) == 1

    again.matrices(pts, "motorbike")  # another profile: another key
    assert calls and len(list(cache.glob("*.npz"))) == 2
    calls.clear()
    # a changed network file is a new key
    write_roads(triangle, [[A, B], [A, C], [C, B]], road_class=["trunk", "trunk", "trunk"])
    third = RoadNetwork(triangle, cache_dir=cache).matrices(pts, "car")
    assert calls and third[0][0, 1] < first[0][0, 1]


def test_unreadable_cache_file_is_recomputed(triangle, tmp_path):
    cache = tmp_path / "cache"
    RoadNetwork(triangle, cache_dir=cache).matrices([A, B], "car")
    [f] = cache.glob("*.npz")
    f.write_bytes(b"not a zip")
    m = RoadNetwork(triangle, cache_dir=cache)
    assert m.matrices([A, B], "car")[0][0, 1] > 0 and m.computations == 1


# --------------------------------------------------------------------------- models agree; geometry
def test_great_circle_and_road_agree_within_the_circuity_factor_on_a_straight_road(tmp_path):
    road = [(x, 0.0) for x in np.linspace(0, 0.5, 11)]  # 55.6 km along the equator
    path = write_roads(tmp_path / "straight.gpkg", [road], road_class=["trunk"])
    stops = [(0.0, 0.0), (0.13, 0.0), (0.25, 0.0), (0.5, 0.0)]
    rdur, rdist = RoadNetwork(path).matrices(stops, "car")
    circuity = 1.35
    gdur, gdist = GreatCircle(circuity=circuity, speed_kmh={"car": 50}).matrices(stops, "car")
    off = ~np.eye(len(stops), dtype=bool)
    straight = haversine_m(*np.array([[p[0], p[1], q[0], q[1]] for p in stops for q in stops]).T).reshape(4, 4)
    assert np.abs(rdist - straight).max() <= 1  # the road is the straight line
    assert (rdist[off] <= gdist[off]).all() and np.abs(gdist - circuity * rdist).max() <= 2
    assert np.abs(gdur - circuity * rdur).max() <= 2


def test_path_follows_the_roads_and_matches_the_matrix(triangle):
    m = RoadNetwork(triangle)
    assert m.path(A, B, "car") == [A, C, B]
    assert m.path(A, B, "motorbike") == [A, B]
    line = m.path(D, B, "car")
    assert line == [D, (0.01, 0.0), B]  # access leg to the snap point, then along the feeder
    assert m.path(A, A, "car") == [A, A]
    assert sorted(map(tuple, m.road_lines())) == sorted([(A, B), (A, C), (C, B)])  # for drawing
    pts = [A, B, C, D]
    _, dist = m.matrices(pts, "car")
    for i, p in enumerate(pts):
        for j, q in enumerate(pts):
            if i != j:
                geom = m.path(p, q, "car")
                assert geom[0] == p and geom[-1] == q
                length = sum(hav(a, b) for a, b in zip(geom[:-1], geom[1:]))
                assert abs(length - dist[i, j]) <= 1


# --------------------------------------------------------------------------- workspaces
@pytest.fixture(scope="module")
def default_ws():
    return read_workspace(DEFAULT_WORKSPACE)


def test_default_workspace_uses_its_road_network_for_every_stop(default_ws):
    assert default_ws.travel.model == "road_network"
    m = travel_model(default_ws, DEFAULT_WORKSPACE, cache=False)
    assert isinstance(m, RoadNetwork)
    ws = default_ws
    pts = ([(d.lon, d.lat) for d in ws.depots] + [(v.lon, v.lat) for v in ws.villages]
           + [(s.lon, s.lat) for s in ws.schools] + [(r.lon, r.lat) for r in ws.requests]
           + [(d.lon, d.lat) for d in ws.deliveries])
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)  # every stop is near a road
        for profile in ("car", "motorbike"):
            dur, dist = m.matrices(pts, profile)  # raises if a stop were disconnected
            same = (np.round(np.array(pts)[:, None] - np.array(pts)[None], 6) == 0).all(axis=2)
            assert ((dur > 0) | same).all() and ((dist > 0) | same).all()
            assert dur.max() < 5 * 3600  # the whole regency within 5 h by road
    # each village point lies on the network (no access leg): office -> village equals the road time
    g = m._graph("car")
    from outreach_planner.travel.cache import rounded_points

    _, _, _, acc_m, _ = m._snap(g, rounded_points([(v.lon, v.lat) for v in ws.villages]))
    assert acc_m.max() < 1.0


def _small_with_roads(tmp_path: Path, travel: str | None) -> Path:
    folder = tmp_path / "small"
    shutil.copytree(SMALL, folder)
    if travel is not None:
        with (folder / "workspace.toml").open("a", encoding="utf-8") as fh:
            fh.write("\n[travel]\n" + travel)
    return folder


@pytest.mark.usefixtures("english")
def test_reader_reports_a_missing_or_empty_network(tmp_path):
    folder = _small_with_roads(tmp_path / "a", 'model = "road_network"\nnetwork = "roads.gpkg"\n')
    with pytest.raises(InputError) as err:
        read_workspace(folder)
    assert [(p.field, p.value) for p in err.value.problems] == [("network", "roads.gpkg")]
    assert "file not found" in err.value.problems[0].message

    gpd.GeoDataFrame(geometry=[shapely.Point(120.9, -3.5)], crs=4326).to_file(folder / "roads.gpkg", layer="roads")
    with pytest.raises(InputError, match="not lines"):
        read_workspace(folder)

    folder2 = _small_with_roads(tmp_path / "b", 'model = "road_network"\n')
    with pytest.raises(InputError, match="needs a road line layer"):
        read_workspace(folder2)


@pytest.mark.usefixtures("english")
def test_reader_reports_a_vehicle_without_speeds(tmp_path):
    folder = _small_with_roads(tmp_path, "model = \"great_circle\"\n[travel.speed_kmh]\ncar = 40\n")
    with pytest.raises(InputError) as err:
        read_workspace(folder)
    assert {(p.field, p.value) for p in err.value.problems} == {("vehicle", "motorbike")}
    assert "known: car" in err.value.problems[0].message


def test_planner_and_validator_agree_on_road_times(tmp_path):
    folder = _small_with_roads(tmp_path, 'model = "road_network"\nnetwork = "roads.gpkg"\n')
    ws0 = read_workspace(SMALL)
    office = (ws0.depots[0].lon, ws0.depots[0].lat)
    # a star of feeders from the office to every village point
    write_roads(folder / "roads.gpkg", [[office, (v.lon, v.lat)] for v in ws0.villages if (v.lon, v.lat) != office],
                road_class=["feeder"] * (len(ws0.villages) - 1))
    ws = read_workspace(folder)
    week = Week.parse("2026-W49")
    run = make_plan(ws, week, SolveLimits(time_limit_s=600, solution_limit=20), workspace_dir=folder)
    assert run.plan.summary["travel_model"] == "road_network"
    travel = travel_model(ws, folder)
    assert validate_plan(run.plan, ws, travel) == []
    assert (folder / ".cache" / "travel").is_dir()
    route = next(r for r in run.plan.routes if r.visits)
    first = route.visits[0]
    vehicle = next(t.vehicle for t in ws.teams if t.id == route.team)
    line = travel.path(route.steps[0].location, first.location, vehicle)
    assert line[0] == tuple(route.steps[0].location) and line[-1] == tuple(first.location)
