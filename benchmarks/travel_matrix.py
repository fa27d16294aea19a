"""Time and memory of travel matrices: road network (1,000 stops, ~50,000 edges) and great circle (5,000 points).

Usage (from the repository root, after `make venv`):

    .venv/bin/python benchmarks/travel_matrix.py [--stops 1000] [--side 159] [--gc-points 5000] [--repeat 3]

Writes benchmarks/results/travel_matrix.md. The synthetic network is a square grid of
``side x side`` junctions, 0.001 degree (about 111 m) apart near Lasusua, every junction
moved by up to 20 % of a step (seeded), one line per segment, road classes drawn at random
(primary, secondary, tertiary, residential, track); ``side = 159`` gives 50,244 segments.
Stops are uniform random points over the grid. Each measurement runs in a fresh process
(spawned), so its peak memory is its own: "peak RSS" is the process's high-water mark,
"added" is that peak minus the resident size just before the timed call (after imports and,
for the warm cases, after reading the network). Times: median and best of ``--repeat`` runs
(the best is the fairer figure on a shared, busy machine; the load average is recorded).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 7408


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def make_grid(path: Path, side: int) -> tuple[int, tuple[float, float, float, float]]:
    """Write the synthetic grid network; return (segments, bounds)."""
    import geopandas as gpd
    import numpy as np
    import shapely

    rng = np.random.default_rng(SEED)
    step = 0.001
    gx, gy = np.meshgrid(120.8 + np.arange(side) * step, -3.5 + np.arange(side) * step, indexing="ij")
    gx = gx + rng.uniform(-0.2, 0.2, gx.shape) * step
    gy = gy + rng.uniform(-0.2, 0.2, gy.shape) * step
    xy = np.stack([gx, gy], axis=-1)
    a = np.r_[xy[:-1, :].reshape(-1, 2), xy[:, :-1].reshape(-1, 2)]
    b = np.r_[xy[1:, :].reshape(-1, 2), xy[:, 1:].reshape(-1, 2)]
    classes = rng.choice(["primary", "secondary", "tertiary", "residential", "track"], len(a))
    gdf = gpd.GeoDataFrame({"road_class": classes}, geometry=shapely.linestrings(np.stack([a, b], axis=1)),
                           crs="EPSG:4326")
    gdf.to_file(path, layer="roads", driver="GPKG")
    return len(gdf), (float(gx.min()), float(gy.min()), float(gx.max()), float(gy.max()))


def _points(n: int, bounds) -> list[tuple[float, float]]:
    import numpy as np

    rng = np.random.default_rng(SEED + n)
    x0, y0, x1, y1 = bounds
    return list(zip(rng.uniform(x0, x1, n).tolist(), rng.uniform(y0, y1, n).tolist()))


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and its finished children (forked workers)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _case(kind: str, network: str, cache: str, bounds, n: int, queue) -> None:
    """One measurement in a fresh process."""
    import numpy as np

    from outreach_planner.travel import GreatCircle, RoadNetwork

    pts = _points(n, bounds)
    out: dict = {}
    if kind == "great_circle":
        model = GreatCircle(circuity=1.35, speed_kmh={"car": 40.0})
        before = _status_kb("VmRSS")
        c0, t0 = _cpu_s(), time.perf_counter()
        dur, dist = model.matrices(pts, "car")
        out["time_s"] = time.perf_counter() - t0
        out["cpu_s"] = _cpu_s() - c0
    else:
        use_cache = kind in ("road_prime", "road_cache_hit")
        model = RoadNetwork(network, cache_dir=cache if use_cache else None,
                            workers=1 if kind == "road_warm_graph_1core" else None)
        if kind.startswith("road_warm_graph"):  # network read and graph built beforehand: the matrix alone
            model._graph("car")
        before = _status_kb("VmRSS")
        c0, t0 = _cpu_s(), time.perf_counter()
        dur, dist = model.matrices(pts, "car")
        out["time_s"] = time.perf_counter() - t0
        out["cpu_s"] = _cpu_s() - c0
        out["computed"] = model.computations
        out["workers"] = model.workers
        if kind == "road_cold":
            t1 = time.perf_counter()
            fresh = RoadNetwork(network)
            fresh.roads
            out["read_s"] = time.perf_counter() - t1
            t1 = time.perf_counter()
            fresh._graph("car")
            out["graph_s"] = time.perf_counter() - t1
            out["nodes"] = len(fresh.roads.nodes)
            out["edges"] = len(fresh.roads.u)
    out["peak_rss_mb"] = _status_kb("VmHWM") / 1024
    out["added_mb"] = (_status_kb("VmHWM") - before) / 1024
    out["max_h"] = float(np.max(dur)) / 3600
    out["max_km"] = float(np.max(dist)) / 1000
    queue.put(out)


def run_case(kind: str, network: Path, cache: Path, bounds, n: int) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_case, args=(kind, str(network), str(cache), bounds, n, q))
    p.start()
    out = q.get()
    p.join()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stops", type=int, default=1000)
    ap.add_argument("--side", type=int, default=159)
    ap.add_argument("--gc-points", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "travel_matrix.md"))
    args = ap.parse_args()

    import numpy
    import scipy

    with tempfile.TemporaryDirectory() as tmp:
        network, cache = Path(tmp) / "grid.gpkg", Path(tmp) / "cache"
        edges, bounds = make_grid(network, args.side)
        rows = []
        load_before = os.getloadavg()
        cases = [
            ("road_cold", "road network, cold: read file + build graph + snap + all pairs", args.stops),
            ("road_warm_graph", "road network, graph already built: snap + all pairs", args.stops),
            ("road_warm_graph_1core", "the same on one core (workers=1)", args.stops),
            ("road_cache_hit", "road network, new run, matrix from the disk cache", args.stops),
            ("great_circle", "great circle", args.gc_points),
        ]
        run_case("road_prime", network, cache, bounds, args.stops)  # fills the disk cache
        for kind, label, n in cases:
            results = [run_case(kind, network, cache, bounds, n) for _ in range(args.repeat)]
            best = results[0]
            row = {"kind": kind, "label": label, "n": n,
                   "time_s": statistics.median(r["time_s"] for r in results),
                   "best_s": min(r["time_s"] for r in results),
                   "cpu_s": statistics.median(r["cpu_s"] for r in results),
                   "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
                   "added_mb": max(r["added_mb"] for r in results), **{k: best[k] for k in best if k not in
                                                                      ("time_s", "cpu_s", "peak_rss_mb", "added_mb")}}
            rows.append(row)
            print(row, flush=True)
        load_after = os.getloadavg()

    road = rows[0]
    lines = [
        "# Travel matrix benchmark",
        "",
        f"Produced by `benchmarks/travel_matrix.py` (seed {SEED}); {args.repeat} runs of each case, each in a fresh "
        "process.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {numpy.__version__}, scipy {scipy.__version__}. Load average (1 min) {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after. SciPy's Dijkstra holds the GIL, so the road model splits a large search "
        f"over forked processes (workers = usable cores = {road.get('workers', 1)}).",
        "",
        f"Network: synthetic jittered grid, {args.side} x {args.side} junctions, {edges:,} segments "
        f"({road.get('nodes', 0):,} graph nodes, {road.get('edges', 0):,} edges), about 17.6 x 17.6 km; "
        f"{args.stops:,} random stops. Road-network read {road.get('read_s', 0):.2f} s, graph and snapping "
        f"index {road.get('graph_s', 0):.2f} s (both included in the cold figure).",
        "",
        "| case | points | median wall time (s) | best wall time (s) | CPU time (s) | peak RSS (MB) "
        "| added by the call (MB) | longest trip |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(f"| {r['label']} | {r['n']:,} | {r['time_s']:.2f} | {r['best_s']:.2f} | {r['cpu_s']:.2f} | "
                     f"{r['peak_rss_mb']:.0f} | "
                     f"{r['added_mb']:.0f} | {r['max_h']:.2f} h, {r['max_km']:.1f} km |")
    lines += [
        "",
        "Targets (issue 4): road-network matrix for 1,000 stops on a 50,000-edge network within 5 s on 2 cores; "
        "great-circle matrix for 5,000 points within 2 s.",
        "",
        "CPU time is user + system seconds of the measuring process and its worker processes (median): it does "
        "not grow when other programs share the cores, so on a busy machine it is the steadier figure; on an idle "
        "2-core machine the wall time of the split search is about CPU time / 2. When other programs keep both cores "
        "busy (load average above 2) the split cannot gain and costs a little; compare the one-core row.",
        "",
        "\"added by the call\" is the peak resident memory minus the resident memory just before the call; the "
        "great-circle figure is mostly its two int64 5,000 x 5,000 result matrices (2 x 191 MiB).",
        "",
    ]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
