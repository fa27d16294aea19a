"""Scale: the planner on k copies of Kolaka Utara side by side (441 to 6,174 candidate visits).

Usage (from the repository root)::

    .venv/bin/python benchmarks/scale_bench.py --sizes 1 2 3 7 14 --engines greedy
    .venv/bin/python benchmarks/scale_bench.py --sizes 1 2 --engines ortools pyvrp auto --limits 30 --cap-gb 8
    .venv/bin/python benchmarks/scale_bench.py --sizes 2 3 7 --engines ortools ortools/dec --limits 30 60

An engine name alone solves the whole problem (``decompose="never"``); ``<engine>/dec`` solves it by
parts (``decompose="always"``, :mod:`outreach_planner.planning.decompose`), ``<engine>/auto`` as
``make_plan``'s default rule decides.

Generated workspace of size ``k`` (:func:`build_workspace`): the shipped workspace plus ``k - 1``
copies of it, copy ``j`` shifted east by ``j x OFFSET_DEG`` degrees of longitude, each with its
own office (depot), its own 5 teams, its own copy of the road network and its villages, schools,
home-visit requests and deliveries under new codes and ids (copy 0 is the shipped workspace
unchanged, so size 1 is the default week). Copies 1.. scale each village's eligible and covered
counts by a seeded factor in [0.85, 1.15] (``--seed``), so the copies are not identical twins.
The copies' road networks are joined by a straight trunk road between the road vertices nearest
to consecutive offices (one road network must be connected). Breaks, calendar, policy and
several sessions per village are as shipped. Week 2026-W49.

Each (size, engine, limit) runs in a fresh child process (``--child``), optionally under an
address-space cap (``--cap-gb``, ``RLIMIT_AS``; engines of ``auto`` inherit it). Measured:
problem build time (demand, values, travel matrices, ``build_problem``; the travel matrices are
read from the on-disk cache after the first run of a size, see ``travel_build_s``), time to the
first plan (``greedy``: the construction time; an engine: its first solution), the plan's value
and travel, validity (``validate.py`` violations), and peak RSS: the child's own maximum plus the
largest maximum of its terminated children (engine processes), from ``getrusage``.
Writes ``benchmarks/results/scale_<tag>.csv`` and ``.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WS = ROOT / "data" / "kolaka_utara"
CACHE = ROOT / "benchmarks" / ".cache" / "scale"
#: Longitude shift between copies, degrees (the shipped road network spans about 0.35 degrees).
OFFSET_DEG = 0.6
WEEK = "2026-W49"


def _shift_code(code: str, j: int) -> str:
    """Copy ``j``'s code: the regency part ``74.08`` becomes ``74.<8 + j>`` (copy 0 keeps its codes)."""
    head, _, rest = code.partition(".")
    reg, _, tail = rest.partition(".")
    return f"{head}.{int(reg) + j:02d}" + (f".{tail}" if tail else "")


def _folder(k: int) -> Path:
    """The cache folder of size ``k`` (and of the copies' offset, when not the default)."""
    return CACHE / (f"k{k}" if OFFSET_DEG == 0.6 else f"k{k}_off{OFFSET_DEG:g}")


def build_network(k: int, folder: Path) -> Path:
    """``roads.gpkg`` with ``k`` shifted copies of the shipped network, joined office to office."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely
    from shapely.geometry import LineString

    from outreach_planner.io import read_workspace

    out = folder / "roads.gpkg"
    if out.exists():
        return out
    folder.mkdir(parents=True, exist_ok=True)
    base = gpd.read_file(DEFAULT_WS / "roads.gpkg")
    depot = read_workspace(DEFAULT_WS).depots[0]
    xy = shapely.get_coordinates(base.geometry.to_numpy())
    near = xy[np.argmin((xy[:, 0] - depot.lon) ** 2 + (xy[:, 1] - depot.lat) ** 2)]
    parts = []
    for j in range(k):
        g = base.copy()
        g["geometry"] = g.geometry.translate(xoff=j * OFFSET_DEG)
        for col in ("from_code", "to_code"):
            if col in g:
                g[col] = [None if v is None or v != v else _shift_code(str(v), j) for v in g[col]]
        parts.append(g)
        if j:
            a = (round(near[0] + (j - 1) * OFFSET_DEG, 6), near[1])
            b = (round(near[0] + j * OFFSET_DEG, 6), near[1])
            link = {c: None for c in base.columns if c != "geometry"}
            link.update(road_class="trunk", oneway="", source="scale_bench link", name=f"link {j - 1}-{j}")
            parts.append(gpd.GeoDataFrame([link], geometry=[LineString([a, b])], crs=base.crs))
    net = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=base.crs)
    net.to_file(out, layer="roads", driver="GPKG")
    return out


def build_workspace(k: int, seed: int = 0):
    """(workspace of ``k`` copies, its folder for the travel model): see the module docstring."""
    from outreach_planner.io import read_workspace
    from outreach_planner.model import Workspace

    base = read_workspace(DEFAULT_WS)
    folder = _folder(k)
    network = build_network(k, folder)
    rng = random.Random(seed)
    depots, teams, villages, schools, requests, deliveries = [], [], [], [], [], []
    for j in range(k):
        dx = j * OFFSET_DEG
        sfx = f"_c{j}" if j else ""

        def moved(x, **upd):
            return x.model_copy(update={"lon": round(x.lon + dx, 6), **upd})

        depot_of = {d.id: d.id + sfx for d in base.depots}
        depots += [moved(d, id=depot_of[d.id], name=d.name + (f" (copy {j})" if j else "")) for d in base.depots]
        teams += [t.model_copy(update={"id": t.id + sfx, "name": t.name + (f" ({j})" if j else ""),
                                       "depot": depot_of[t.depot]}) for t in base.teams]
        for v in base.villages:
            f = rng.uniform(0.85, 1.15) if j else 1.0
            elig = {s: int(round(n * f)) for s, n in v.eligible.items()}
            cov = {s: min(elig[s], int(round(n * f))) if j else n for s, n in v.covered.items()}
            villages.append(moved(v, code=_shift_code(v.code, j), district_code=_shift_code(v.district_code, j),
                                  boundary_wkt=None, eligible=elig if j else v.eligible, covered=cov,
                                  population=int(round(v.population * f))))
        schools += [moved(s, id=s.id + sfx, village_code=_shift_code(s.village_code, j)) for s in base.schools]
        requests += [moved(r, id=r.id + sfx, village_code=_shift_code(r.village_code, j)) for r in base.requests]
        deliveries += [moved(d, id=d.id + sfx, village_code=_shift_code(d.village_code, j)) for d in base.deliveries]
    data = {f: getattr(base, f) for f in Workspace.model_fields}
    data.update(depots=tuple(depots), teams=tuple(teams), villages=tuple(villages), schools=tuple(schools),
                requests=tuple(requests), deliveries=tuple(deliveries),
                travel=base.travel.model_copy(update={"network": str(network)}))
    if "regency" in data and k > 1:
        data["regency"] = base.regency.model_copy(update={"name": f"{base.regency.name} x{k} (generated)"})
    return Workspace(**data), folder


def _peak_mb() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + kids) / 1024


def child(k: int, engine: str, limit: float, seed: int, improve_share: float | None = None,
          part_engine: str | None = None, max_part_visits: int | None = None) -> dict:
    """One measurement in this process (called with ``--child``)."""
    warnings.simplefilter("ignore")
    from outreach_planner.planning import decompose, planner

    if improve_share is not None:
        decompose.IMPROVE_SHARE = improve_share
    if part_engine is not None:
        decompose.PART_ENGINE = planner.PART_ENGINE = part_engine
    if max_part_visits is not None:
        decompose.MAX_PART_VISITS = max_part_visits
    from outreach_planner.planning.demand import candidate_visits
    from outreach_planner.engines import SolveLimits
    from outreach_planner.planning.planner import make_plan
    from outreach_planner.planning.priority import value_visits
    from outreach_planner.planning.problem import build_problem, session_caps
    from outreach_planner.travel import travel_model
    from outreach_planner.planning.validate import validate_plan
    from outreach_planner.week import Week

    t0 = time.monotonic()
    ws, folder = build_workspace(k, seed)
    week = Week.parse(WEEK, ws.regency.timezone)
    travel = travel_model(ws, folder)
    gen_s = time.monotonic() - t0
    t0 = time.monotonic()
    visits = value_visits(ws, week, candidate_visits(ws, week, session_caps(ws, week, travel)))
    problem = build_problem(ws, week, visits, travel)
    build_s = time.monotonic() - t0
    row = {"size": k, "engine": engine, "limit_s": limit, "candidates": len(problem.visits),
           "team_days": len(problem.vehicles), "nodes": len(problem.nodes),
           "places": len({(round(x, 6), round(y, 6)) for x, y in problem.nodes}),
           "problem_build_s": round(build_s, 2), "generate_s": round(gen_s, 2),
           "rss_after_build_mb": round(_peak_mb()), "load_1min": round(os.getloadavg()[0], 2)}
    del problem
    first: list[float] = []
    t0 = time.monotonic()
    name, _, how = engine.partition("/")
    try:
        run = make_plan(ws, week, SolveLimits(time_limit_s=limit, seed=seed), engine=name, travel=travel,
                        workspace_dir=folder, progress=lambda t, obj: first.append(t) if not first else None,
                        decompose={"": "never", "dec": "always", "auto": "auto"}[how])
    except Exception as exc:  # noqa: BLE001 - reported as a row
        row.update(status=f"{type(exc).__name__}: {str(exc)[:200]}", wall_s=round(time.monotonic() - t0, 1),
                   peak_rss_mb=round(_peak_mb()))
        return row
    wall = time.monotonic() - t0
    s = run.plan.summary
    firsts = [r.history[0][0] for r in run.results.values() if not isinstance(r, str) and r.history]
    row.update(
        status=s["solver_status"], winner=s["engine"], wall_s=round(wall, 1),
        first_plan_s=round(min(firsts), 2) if firsts else None,
        value=s["value_collected"], value_available=s["value_available"], travel_h=s["travel_hours"],
        scheduled=s["scheduled_visits"], objective=s["objective"], peak_rss_mb=round(_peak_mb()),
        runs="; ".join(f"{e['engine']}: {e['status']}" + (f" {e['value_collected']}" if "value_collected" in e else "")
                       for e in s["engines"]),
    )
    t0 = time.monotonic()
    row["violations"] = len(validate_plan(run.plan, ws, travel))
    row["validate_s"] = round(time.monotonic() - t0, 1)
    return row


FIELDS = ["size", "candidates", "team_days", "nodes", "places", "engine", "limit_s", "status", "winner",
          "first_plan_s", "wall_s", "value", "value_available", "travel_h", "scheduled", "objective", "violations",
          "problem_build_s", "rss_after_build_mb", "peak_rss_mb", "cap_gb", "validate_s", "generate_s", "runs",
          "load_1min"]


def main() -> None:
    global OFFSET_DEG
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 3, 7, 14])
    ap.add_argument("--engines", nargs="+", default=["greedy"])
    ap.add_argument("--limits", type=float, nargs="+", default=[30])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cap-gb", type=float, default=None, help="address-space cap per measurement (RLIMIT_AS)")
    ap.add_argument("--tag", default=None, help="output name: benchmarks/results/scale_<tag>.csv/.md")
    ap.add_argument("--improve-share", type=float, default=None,
                    help="decompose.IMPROVE_SHARE: share of the limit for the whole-problem pass after the parts")
    ap.add_argument("--offset-deg", type=float, default=OFFSET_DEG,
                    help="longitude shift between copies (default 0.6: 66 km, the copies never meet; 0.3 overlaps)")
    ap.add_argument("--max-part-visits", type=int, default=None,
                    help="decompose.MAX_PART_VISITS: an office with more visits is split by team (parts that meet)")
    ap.add_argument("--part-engine", default=None, help="decompose.PART_ENGINE: the engine of the parts under auto")
    ap.add_argument("--child", nargs=3, metavar=("SIZE", "ENGINE", "LIMIT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    OFFSET_DEG = args.offset_deg
    if args.child:
        if args.cap_gb:
            import resource

            cap = int(args.cap_gb * 1e9)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        row = child(int(args.child[0]), args.child[1], float(args.child[2]), args.seed, args.improve_share,
                    args.part_engine, args.max_part_visits)
        print("ROW " + json.dumps(row), flush=True)
        return
    tag = args.tag or "_".join(args.engines)
    out = ROOT / "benchmarks" / "results" / f"scale_{tag}"
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with open(out.with_suffix(".csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        for k in args.sizes:
            for engine in args.engines:
                for limit in (args.limits if engine != "greedy" else args.limits[:1]):
                    cmd = [sys.executable, __file__, "--child", str(k), engine, str(limit), "--seed", str(args.seed)]
                    if args.cap_gb:
                        cmd += ["--cap-gb", str(args.cap_gb)]
                    if args.improve_share is not None:
                        cmd += ["--improve-share", str(args.improve_share)]
                    if args.part_engine:
                        cmd += ["--part-engine", args.part_engine]
                    if args.max_part_visits is not None:
                        cmd += ["--max-part-visits", str(args.max_part_visits)]
                    if args.offset_deg != 0.6:
                        cmd += ["--offset-deg", str(args.offset_deg)]
                    t0 = time.monotonic()
                    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
                    lines = [x for x in proc.stdout.splitlines() if x.startswith("ROW ")]
                    if lines:
                        row = json.loads(lines[-1][4:])
                    else:
                        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
                        row = {"size": k, "engine": engine, "limit_s": limit,
                               "status": f"child exit {proc.returncode}: {tail[:200]}",
                               "wall_s": round(time.monotonic() - t0, 1)}
                    row["cap_gb"] = args.cap_gb or ""
                    rows.append(row)
                    w.writerow(row)
                    fh.flush()
                    print(row, flush=True)
    write_md(rows, out.with_suffix(".md"), " ".join(sys.argv[1:]))
    print(f"wrote {out.with_suffix('.csv')} and {out.with_suffix('.md')}")


def write_md(rows: list[dict], path: Path, argv: str) -> None:
    lines = ["# Scale: k copies of Kolaka Utara side by side", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
             f"Command: `benchmarks/scale_bench.py {argv}` (generated workspaces: see its docstring). "
             "Each row is a fresh process; `build s` = demand + values + travel matrices + `build_problem` "
             "(matrices from the on-disk cache after a size's first run); `first s` = time to the first plan "
             "(greedy: the construction); `peak MB` = peak RSS of the process plus its largest engine child; "
             "`load` = the 1-minute load average when the row's solve started.", "",
             "| k | candidates | team-days | engine | limit s | status | first s | wall s | value | of available | "
             "travel h | visits | violations | build s | peak MB | cap GB | load |",
             "|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        g = r.get
        lines.append(f"| {g('size')} | {g('candidates', '')} | {g('team_days', '')} | {g('engine')} | "
                     f"{g('limit_s'):g} | {g('status', '')} | {g('first_plan_s', '')} | {g('wall_s', '')} | "
                     f"{g('value', '')} | {g('value_available', '')} | {g('travel_h', '')} | {g('scheduled', '')} | "
                     f"{g('violations', '')} | {g('problem_build_s', '')} | {g('peak_rss_mb', '')} | "
                     f"{g('cap_gb', '')} | {g('load_1min', '')} |")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
