"""VRPTW / CVRP benchmark: plain OR-Tools, PyVRP and our planner's engines, same budget, same run.

Usage (from the repository root, after ``.venv/bin/pip install -e '.[bench]'``)::

    .venv/bin/python benchmarks/vrp_bench.py --sets solomon --time-limit 30
    .venv/bin/python benchmarks/vrp_bench.py --sets homberger_200 --time-limit 60
    .venv/bin/python benchmarks/vrp_bench.py --instances C101 R101 --time-limit 5 --out /tmp/smoke

See ``docs/benchmarks.md``. Instances come from ``--data`` (default ``../shared/benchmarks``):
Solomon and Gehring-Homberger (Solomon format) and CVRPLIB X (VRPLIB), read with ``vrplib``.

Conventions (``../shared/benchmarks/README.md``): VRPTW is scored distance-only with every
distance and travel time truncated to one decimal, solved on the integer matrix ``floor(10 d)``
(times, windows and service times x10) and compared with ``distance_dimacs_trunc1`` in
``bks.csv``; CVRP X uses TSPLIB ``EUC_2D`` (nearest integer) and ``cvrp_rounded_int``.

Solvers, each on one core for the same wall-clock budget:

* ``ortools``: plain OR-Tools routing, written the way a planner would (distance arc cost,
  capacity and time dimensions, parallel cheapest insertion, guided local search);
* ``pyvrp``: PyVRP's ``solve`` with default parameters on the same integer data;
* ``ours``: our planner's portfolio (``outreach_planner.engines.portfolio.run_engines``): the
  instance becomes the planner's engine-neutral ``Problem`` (every visit required, capacity as
  ``Problem.demand``) and the runs ``make_plan(engine="auto")`` would make start at once, one
  process each (``engines.portfolio_runs``: these instances are modelled exactly by PyVRP, so
  PyVRP once per core with different seeds: ``ours_pyvrp``, ``ours_pyvrp#2``); the best
  verified result counts. Its runs are reported too.

The two baselines run side by side (2 processes), then ``ours`` (2 processes), the order
alternating from instance to instance, so both cores are busy throughout and machine noise
hits every solver alike. Every solution is verified here, independently of the solvers
(each customer exactly once, capacity, time windows with the truncated times, return to the
depot in time), and its cost recomputed, before it is scored.
"""

from __future__ import annotations

import argparse
import csv
import math
import multiprocessing as mp
import os
import platform
import queue
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks"
SETS = ("solomon", "homberger_200", "homberger_400", "cvrplib_x")
SOLVERS = ("ortools", "pyvrp", "ours")


# --------------------------------------------------------------------------- instances
@dataclass
class Instance:
    """One benchmark instance on integer data. Node 0 is the depot; customers are 1..n."""

    name: str
    set: str
    coords: np.ndarray  # (n+1, 2)
    dist: np.ndarray  # (n+1, n+1) int64: cost and (VRPTW) travel time
    demand: np.ndarray  # (n+1,) int
    capacity: int
    fleet: int
    ready: np.ndarray | None = None  # (n+1,) int, VRPTW only
    due: np.ndarray | None = None
    service: np.ndarray | None = None
    scale: float = 1.0  # cost units per reported unit (10 for VRPTW)
    bks: float | None = None
    bks_routes: int | None = None

    @property
    def n(self) -> int:
        """Number of customers."""
        return len(self.coords) - 1

    @property
    def tw(self) -> bool:
        """Whether the instance has time windows."""
        return self.ready is not None


def _euclid_trunc1(coords: np.ndarray) -> np.ndarray:
    """``floor(10 d)`` for every pair, exactly (integer square roots when coordinates are integers)."""
    c = np.asarray(coords, dtype=float)
    if np.all(c == np.round(c)):
        ci = c.astype(np.int64)
        d2 = ((ci[:, None, :] - ci[None, :, :]) ** 2).sum(-1) * 100
        return np.vectorize(math.isqrt, otypes=[np.int64])(d2)
    d = np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1))
    return np.floor(10 * d + 1e-9).astype(np.int64)


def _euclid_nint(coords: np.ndarray) -> np.ndarray:
    c = np.asarray(coords, dtype=float)
    d = np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1))
    return np.floor(d + 0.5).astype(np.int64)


def set_of(path: Path) -> str:
    """Benchmark set of an instance file, from its folder and name."""
    if path.suffix == ".vrp":
        return "cvrplib_x"
    if path.parent.name == "homberger":
        return "homberger_200" if "_2_" in path.stem else "homberger_400"
    return "solomon"


def read_bks(data: Path) -> dict[str, tuple[float, int]]:
    """Instance -> (BKS distance, routes) under the convention this harness scores."""
    out = {}
    with open(data / "bks.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["convention"] in ("distance_dimacs_trunc1", "cvrp_rounded_int"):
                out[row["instance"]] = (float(row["distance"]), int(row["vehicles"]))
    return out


def load_instance(path: Path, bks: dict[str, tuple[float, int]] | None = None) -> Instance:
    """Read one instance file into integer data under the DIMACS (VRPTW) or TSPLIB (CVRP) convention."""
    import vrplib

    path = Path(path)
    st = set_of(path)
    if st == "cvrplib_x":
        d = vrplib.read_instance(str(path))
        coords = np.asarray(d["node_coord"], dtype=float)
        demand = np.asarray(d["demand"], dtype=np.int64)
        cap = int(d["capacity"])
        lb = math.ceil(demand.sum() / cap)
        inst = Instance(path.stem, st, coords, _euclid_nint(coords), demand, cap, fleet=math.ceil(1.2 * lb) + 1)
    else:
        d = vrplib.read_instance(str(path), instance_format="solomon")
        coords = np.asarray(d["node_coord"], dtype=float)
        tw = np.asarray(d["time_window"], dtype=float)
        inst = Instance(
            path.stem, st, coords, _euclid_trunc1(coords), np.asarray(d["demand"], dtype=np.int64),
            int(d["capacity"]), int(d["vehicles"]),
            ready=np.rint(tw[:, 0] * 10).astype(np.int64), due=np.rint(tw[:, 1] * 10).astype(np.int64),
            service=np.rint(np.asarray(d["service_time"], dtype=float) * 10).astype(np.int64), scale=10.0,
        )
    if bks and inst.name in bks:
        inst.bks, inst.bks_routes = bks[inst.name]
    return inst


def find_instances(data: Path, sets: list[str], names: list[str] | None) -> list[Path]:
    """Instance files of ``sets`` (or exactly ``names``) under ``data``, in a stable order."""
    files = sorted((data / "solomon").glob("*.txt")) + sorted((data / "homberger").glob("*.txt"), key=_hg_key) \
        + sorted((data / "cvrplib_x").glob("*.vrp"), key=lambda p: int(p.stem.split("-")[1][1:]))
    if names:
        wanted = {n.upper() for n in names}
        return [f for f in files if f.stem.upper() in wanted]
    return [f for f in files if set_of(f) in sets]


def _hg_key(p: Path) -> tuple:
    a, size, k = p.stem.split("_")
    return (int(size), a, int(k))


# --------------------------------------------------------------------------- verification
def verify(inst: Instance, routes: list[list[int]]) -> tuple[list[str], float]:
    """Violations of ``routes`` (customer ids per route) and its cost in reported units.

    Independent of every solver: each customer exactly once, load <= capacity, and with time
    windows: start of service ``max(arrival, ready) <= due`` at each customer, travel time =
    the integer (truncated) distance, return to the depot by its due time.
    """
    out: list[str] = []
    seen: dict[int, int] = {}
    cost = 0
    for k, r in enumerate(routes):
        if not r:
            continue
        load = int(sum(inst.demand[c] for c in r if 0 < c <= inst.n))
        if load > inst.capacity:
            out.append(f"route {k}: load {load} > capacity {inst.capacity}")
        prev, t = 0, int(inst.ready[0]) if inst.tw else 0
        for c in r:
            if not 0 < c <= inst.n:
                out.append(f"route {k}: unknown customer {c}")
                continue
            seen[c] = seen.get(c, 0) + 1
            cost += int(inst.dist[prev, c])
            if inst.tw:
                t = max(t + int(inst.dist[prev, c]), int(inst.ready[c]))
                if t > inst.due[c]:
                    out.append(f"route {k}: customer {c} served at {t / 10:g} after its due time {inst.due[c] / 10:g}")
                t += int(inst.service[c])
            prev = c
        cost += int(inst.dist[prev, 0])
        if inst.tw and t + int(inst.dist[prev, 0]) > inst.due[0]:
            out.append(f"route {k}: back at the depot at {(t + int(inst.dist[prev, 0])) / 10:g}, "
                       f"after {inst.due[0] / 10:g}")
    missing = [c for c in range(1, inst.n + 1) if c not in seen]
    if missing:
        out.append(f"{len(missing)} customer(s) not visited, e.g. {missing[:5]}")
    twice = [c for c, n in seen.items() if n > 1]
    if twice:
        out.append(f"{len(twice)} customer(s) visited more than once, e.g. {twice[:5]}")
    n_routes = sum(1 for r in routes if r)
    if n_routes > inst.fleet:
        out.append(f"{n_routes} routes, more than the fleet of {inst.fleet}")
    return out, cost / inst.scale


# --------------------------------------------------------------------------- solvers
@dataclass
class Run:
    """What one solver returned: routes (customer ids), improvement history (seconds, cost)."""

    solver: str
    routes: list[list[int]] = field(default_factory=list)
    history: list[tuple[float, float]] = field(default_factory=list)
    wall_s: float = 0.0
    error: str = ""


def solve_plain_ortools(inst: Instance, time_limit: float, seed: int = 0, solution_limit: int | None = None) -> Run:
    """A straightforward OR-Tools routing model (GLS), as a planner would write it.

    ``solution_limit`` (tests): stop after that many solutions, whatever the machine's speed.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    t0 = time.monotonic()
    n1 = inst.n + 1
    manager = pywrapcp.RoutingIndexManager(n1, inst.fleet, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist_cb = routing.RegisterTransitMatrix(inst.dist.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(dist_cb)
    dem_cb = routing.RegisterUnaryTransitVector(inst.demand.tolist())
    routing.AddDimensionWithVehicleCapacity(dem_cb, 0, [inst.capacity] * inst.fleet, True, "load")
    if inst.tw:
        tmat = (inst.dist + inst.service[:, None]).tolist()  # service at the from-node + travel
        time_cb = routing.RegisterTransitMatrix(tmat)
        horizon = int(inst.due[0])
        routing.AddDimension(time_cb, horizon, horizon, False, "time")
        tdim = routing.GetDimensionOrDie("time")
        for c in range(1, n1):
            tdim.CumulVar(manager.NodeToIndex(c)).SetRange(int(inst.ready[c]), int(inst.due[c]))
        for v in range(inst.fleet):
            tdim.CumulVar(routing.Start(v)).SetRange(int(inst.ready[0]), horizon)
            tdim.CumulVar(routing.End(v)).SetRange(int(inst.ready[0]), horizon)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(time_limit * 1000))
    if solution_limit:
        params.solution_limit = solution_limit
    run = Run("ortools")

    def on_solution() -> None:
        c = routing.CostVar().Max() / inst.scale
        if not run.history or c < run.history[-1][1]:
            run.history.append((time.monotonic() - t0, c))

    routing.AddAtSolutionCallback(on_solution)
    sol = routing.SolveWithParameters(params)
    run.wall_s = time.monotonic() - t0
    if sol is None:
        run.error = f"no solution (status {routing.status()})"
        return run
    for v in range(inst.fleet):
        idx, r = sol.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(idx):
            r.append(manager.IndexToNode(idx))
            idx = sol.Value(routing.NextVar(idx))
        if r:
            run.routes.append(r)
    return run


def solve_plain_pyvrp(inst: Instance, time_limit: float, seed: int = 0, max_iterations: int | None = None) -> Run:
    """PyVRP's ``solve`` with default parameters.

    ``max_iterations`` (tests): stop after that many iterations, whatever the machine's speed.
    """
    import pyvrp
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    t0 = time.monotonic()
    run = Run("pyvrp")
    locs = [pyvrp.Location(x=float(x), y=float(y)) for x, y in inst.coords]
    if inst.tw:
        clients = [pyvrp.Client(location=c, delivery=[int(inst.demand[c])], service_duration=int(inst.service[c]),
                                tw_early=int(inst.ready[c]), tw_late=int(inst.due[c])) for c in range(1, inst.n + 1)]
        depot = pyvrp.Depot(location=0, tw_early=int(inst.ready[0]), tw_late=int(inst.due[0]))
        vt = pyvrp.VehicleType(num_available=inst.fleet, capacity=[inst.capacity],
                               tw_early=int(inst.ready[0]), tw_late=int(inst.due[0]))
    else:
        clients = [pyvrp.Client(location=c, delivery=[int(inst.demand[c])]) for c in range(1, inst.n + 1)]
        depot = pyvrp.Depot(location=0)
        vt = pyvrp.VehicleType(num_available=inst.fleet, capacity=[inst.capacity])
    mat = np.ascontiguousarray(inst.dist, dtype=np.int64)
    data = pyvrp.ProblemData(locs, clients, [depot], [vt], [mat], [mat])
    limit = MaxRuntime(time_limit) if not max_iterations else MultipleCriteria(
        [MaxRuntime(time_limit), MaxIterations(max_iterations)])
    infeasible = pyvrp.constants.MAX_VALUE

    def stop(best_cost: int) -> bool:
        if best_cost < infeasible and (not run.history or best_cost / inst.scale < run.history[-1][1]):
            run.history.append((time.monotonic() - t0, best_cost / inst.scale))
        return limit(best_cost)

    res = pyvrp.solve(data, stop, seed=seed, collect_stats=False, display=False)
    run.wall_s = time.monotonic() - t0
    if not res.best.is_feasible():
        run.error = "no feasible solution"
        return run
    run.routes = [[a.idx + 1 for a in r.schedule() if a.is_client()] for r in res.best.routes()]
    return run


def bench_problem(inst: Instance):
    """The instance as our planner's engine-neutral Problem: every visit required, demand as load."""
    from outreach_planner.planning.demand import Visit
    from outreach_planner.planning.problem import Problem, Vehicle
    from outreach_planner.units import VALUE_SCALE
    from outreach_planner.week import Week

    n = inst.n
    if inst.tw:
        start, end = int(inst.ready[0]), int(inst.due[0])
        wins = [((int(inst.ready[c]), int(inst.due[c] + inst.service[c])),) for c in range(1, n + 1)]
        service = [0] + [int(s) for s in inst.service[1:]]
    else:
        start, end = 0, int(inst.dist.max()) * (n + 2)
        wins = [None] * n
        service = [0] * (n + 1)
    visits = [Visit(id=f"c{c}", kind="home_visit", ref=str(c), village_code="", place=str(c),
                    lon=float(inst.coords[c][0]), lat=float(inst.coords[c][1]), services=(), needs_kit=False,
                    windows=wins[c - 1], value=0.0) for c in range(1, n + 1)]
    vehicles = [Vehicle(k, "fleet", 0, 0, "bench", 0, start, end, (), inst.capacity) for k in range(inst.fleet)]
    return Problem(
        week=Week.parse("2026-W01"), depots=["depot"], nodes=[(float(x), float(y)) for x, y in inst.coords],
        visits=visits, vehicles=vehicles, place_durations={"bench": inst.dist}, place_distances={"bench": inst.dist},
        service_s={0: service}, allowed=[list(range(inst.fleet)) for _ in range(n)], same_day_groups=[],
        travel_cost_per_s=1.0 / VALUE_SCALE, demand=[int(d) for d in inst.demand[1:]],
        required=frozenset(range(n)),
    )


def solve_ours(inst: Instance, time_limit: float, seed: int = 0, solution_limit: int | None = None) -> dict[str, Run]:
    """Our planner's portfolio on the instance; one Run per portfolio run (``ours_<engine>[#k]``).

    ``solution_limit`` (tests): each run stops after that many solutions, whatever the machine's speed.
    """
    from outreach_planner.engines import SolveLimits, portfolio_runs
    from outreach_planner.engines.portfolio import available_cores, run_engines
    from outreach_planner.units import VALUE_SCALE

    t0 = time.monotonic()
    problem = bench_problem(inst)
    names = portfolio_runs(problem, available_cores())
    results = run_engines(problem, SolveLimits(time_limit_s=time_limit, seed=seed, solution_limit=solution_limit),
                          names)
    wall = time.monotonic() - t0
    out = {}
    for name, res in results.items():
        run = Run(f"ours_{name}", wall_s=wall)
        if isinstance(res, str):
            run.error = res
        elif res.objective == float("inf"):
            run.error = f"no solution ({res.status})"
        else:
            run.routes = [[i + 1 for i, _ in seq] for _, seq in res.routes]
            run.history = [(t, obj * VALUE_SCALE / inst.scale) for t, obj in res.history]  # value units -> cost
        out[run.solver] = run
    return out


# --------------------------------------------------------------------------- running
def _child(fn, inst, limit, seed, q) -> None:
    try:
        q.put(fn(inst, limit, seed))
    except BaseException as exc:  # noqa: BLE001
        q.put(Run(getattr(fn, "__name__", "?"), error=f"{type(exc).__name__}: {exc}"))


def run_side_by_side(jobs: list, inst: Instance, limit: float, seed: int) -> list[Run]:
    """Run each solver function of ``jobs`` in its own process, all at once."""
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(fn, inst, limit, seed, q), daemon=True) for fn in jobs]
    for p in procs:
        p.start()
    out = []
    deadline = time.monotonic() + limit + 300
    while len(out) < len(procs) and time.monotonic() < deadline:
        try:
            out.append(q.get(timeout=1))
        except queue.Empty:
            if not any(p.is_alive() for p in procs) and q.empty():
                break
    for p in procs:
        p.join(timeout=5)
        if p.is_alive():
            p.terminate()
    return out


def score(inst: Instance, run: Run) -> dict:
    """One CSV row: verification, cost, routes, gap to BKS, time to the best solution."""
    row = {"set": inst.set, "instance": inst.name, "customers": inst.n, "solver": run.solver,
           "bks": inst.bks, "bks_routes": inst.bks_routes, "cost": "", "routes": "", "gap_pct": "",
           "time_to_best_s": "", "wall_s": round(run.wall_s, 1), "feasible": False, "note": run.error}
    if run.error or not run.routes:
        row["note"] = run.error or "no routes"
        return row
    violations, cost = verify(inst, run.routes)
    row["feasible"] = not violations
    if violations:
        row["note"] = "; ".join(violations[:3])
        return row
    row["cost"] = round(cost, 1) if inst.tw else int(round(cost))
    row["routes"] = sum(1 for r in run.routes if r)
    if inst.bks:
        row["gap_pct"] = round(100 * (cost - inst.bks) / inst.bks, 3)
    # time to best: first moment the reported cost reached the final one
    hits = [t for t, c in run.history if c <= cost + 1e-6]
    row["time_to_best_s"] = round(hits[0], 2) if hits else ""
    return row


def ours_best(inst: Instance, rows: list[dict]) -> dict:
    """The portfolio's answer: the best verified result of its engines."""
    mine = [r for r in rows if r["solver"].startswith("ours_") and r["feasible"]]
    if not mine:
        base = dict(rows[0]) if rows else {"set": inst.set, "instance": inst.name, "customers": inst.n}
        base.update(solver="ours", cost="", routes="", gap_pct="", time_to_best_s="", feasible=False,
                    note="no verified result from any engine")
        return base
    best = min(mine, key=lambda r: (float(r["cost"]), _f(r["time_to_best_s"]) or 0.0))
    out = dict(best)
    out["solver"] = "ours"
    out["note"] = f"won by {best['solver'][5:]}"
    return out


FIELDS = ["set", "instance", "customers", "solver", "cost", "routes", "bks", "bks_routes", "gap_pct",
          "time_to_best_s", "wall_s", "feasible", "note"]


def bench_instance(inst: Instance, limit: float, seed: int, solvers: list[str], ours_first: bool,
                   sequential: bool = False) -> list[dict]:
    """Solve one instance with every solver; rows for the CSV (``ours`` plus each of its engines)."""
    baselines = [fn for name, fn in (("ortools", solve_plain_ortools), ("pyvrp", solve_plain_pyvrp))
                 if name in solvers]
    runs: list[Run] = []
    phases = []
    if baselines:
        phases.append("baselines")
    if "ours" in solvers:
        phases.insert(0 if ours_first else len(phases), "ours")
    for ph in phases:
        if ph == "ours":
            runs += list(solve_ours(inst, limit, seed).values())
        elif sequential:
            for fn in baselines:
                runs += run_side_by_side([fn], inst, limit, seed)
        else:
            runs += run_side_by_side(baselines, inst, limit, seed)
    rows = [score(inst, r) for r in runs]
    if "ours" in solvers:
        rows.append(ours_best(inst, rows))
    return rows


# --------------------------------------------------------------------------- report
def _f(x) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def write_markdown(rows: list[dict], path: Path, meta: str) -> None:
    """Per-instance table (gap % per solver) and per-set summary (mean and worst gap)."""
    solvers = ["ortools", "pyvrp", "ours"] + sorted({r["solver"] for r in rows if r["solver"].startswith("ours_")})
    solvers = [s for s in solvers if any(r["solver"] == s for r in rows)]
    by = {(r["instance"], r["solver"]): r for r in rows}
    insts = list(dict.fromkeys((r["set"], r["instance"]) for r in rows))
    lines = ["# VRP benchmark results", "", meta, "",
             "Gap = (cost - BKS) / BKS in %; BKS: `distance_dimacs_trunc1` (VRPTW, distance-only, one decimal) or "
             "`cvrp_rounded_int` (X). `ours` = best verified result of the planner's portfolio; `ours_<engine>` = "
             "its runs (`#2`: a second seed). `t` = seconds to the best solution. `—` = no verified solution.", ""]
    sets = list(dict.fromkeys(s for s, _ in insts))
    lines += ["## Summary per set", "",
              "| set | solver | instances solved | mean gap % | worst gap % | mean routes | mean t best s |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for st in sets:
        names = [i for s, i in insts if s == st]
        for sv in solvers:
            rs = [by.get((i, sv)) for i in names]
            gaps = [_f(r["gap_pct"]) for r in rs if r and r["feasible"] in (True, "True") and _f(r["gap_pct"]) is not None]
            rts = [_f(r["routes"]) for r in rs if r and _f(r["routes"]) is not None]
            tt = [_f(r["time_to_best_s"]) for r in rs if r and _f(r["time_to_best_s"]) is not None]
            lines.append(f"| {st} | {sv} | {len(gaps)}/{len(names)} | "
                         f"{np.mean(gaps):.2f} | {max(gaps):.2f} | {np.mean(rts):.1f} | {np.mean(tt):.1f} |"
                         if gaps else f"| {st} | {sv} | 0/{len(names)} | — | — | — | — |")
    # goal: ours no worse than the better baseline by more than 0.2 %
    if {"ours", "ortools", "pyvrp"} <= set(solvers):
        worse = []
        for st, i in insts:
            o, a, b = (_f(by.get((i, s), {}).get("cost")) for s in ("ours", "ortools", "pyvrp"))
            best = min([c for c in (a, b) if c is not None], default=None)
            if best is not None and (o is None or o > best * 1.002):
                worse.append(f"{i} (ours {o}, best baseline {best})")
        lines += ["", f"Instances where `ours` is worse than the better of plain OR-Tools and PyVRP by more than "
                  f"0.2 %: {len(worse)}" + (": " + ", ".join(worse) if worse else "."), ""]
    lines += ["## Per instance", "",
              "| set | instance | BKS | " + " | ".join(f"{s} cost (routes) gap % t" for s in solvers) + " |",
              "|---|---|---:|" + "---:|" * len(solvers)]
    for st, i in insts:
        cells = []
        for sv in solvers:
            r = by.get((i, sv))
            if not r or r["feasible"] not in (True, "True"):
                cells.append("—" + (f" ({r['note'][:40]})" if r and r.get("note") else ""))
            else:
                cells.append(f"{r['cost']} ({r['routes']}) {_f(r['gap_pct']):+.2f} t{r['time_to_best_s']}"
                             if r["gap_pct"] != "" else f"{r['cost']} ({r['routes']})")
        bks = next((r["bks"] for r in rows if r["instance"] == i), "")
        lines.append(f"| {st} | {i} | {bks} | " + " | ".join(cells) + " |")
    path.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark folder (default ../shared/benchmarks)")
    ap.add_argument("--sets", nargs="+", default=["solomon"], choices=SETS)
    ap.add_argument("--instances", nargs="+", help="instance names (overrides --sets)")
    ap.add_argument("--every", type=int, default=1, help="take every k-th instance of the selection")
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds per solver and instance")
    ap.add_argument("--solvers", nargs="+", default=list(SOLVERS), choices=SOLVERS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sequential", action="store_true", help="run the two baselines one after the other")
    ap.add_argument("--out", type=Path, help="output path without suffix (default benchmarks/results/vrp_<sets>_<T>s)")
    ap.add_argument("--report-only", action="store_true", help="rebuild the markdown from the existing CSV")
    args = ap.parse_args(argv)

    out = args.out or ROOT / "benchmarks" / "results" / f"vrp_{'_'.join(args.sets)}_{args.time_limit:g}s"
    out.parent.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out.with_suffix(".csv"), out.with_suffix(".md")
    meta = (f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
            f"Time limit {args.time_limit:g} s per solver and instance; plain baselines side by side, then the "
            f"portfolio (its runs in parallel, one core each), order alternating per instance. Seed {args.seed}. Command: "
            f"`{' '.join(['benchmarks/vrp_bench.py'] + (argv if argv is not None else sys.argv[1:]))}`")
    if args.report_only:
        with open(csv_path, newline="") as fh:
            write_markdown(list(csv.DictReader(fh)), md_path, meta)
        print(f"wrote {md_path}")
        return
    bks = read_bks(args.data)
    files = find_instances(args.data, args.sets, args.instances)[:: args.every]
    if not files:
        raise SystemExit(f"no instances found under {args.data}")
    rows: list[dict] = []
    with open(csv_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        for k, f in enumerate(files):
            inst = load_instance(f, bks)
            got = bench_instance(inst, args.time_limit, args.seed, args.solvers, ours_first=k % 2 == 1,
                                 sequential=args.sequential)
            w.writerows(got)
            fh.flush()
            rows += got
            print(" | ".join(f"{r['instance']} {r['solver']}: {r['cost'] or '—'} ({r['gap_pct']}%)" for r in got),
                  flush=True)
            write_markdown(rows, md_path, meta)
    print(f"wrote {csv_path} and {md_path}")


if __name__ == "__main__":
    main()
