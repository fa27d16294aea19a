"""Weekly outreach problem: collected value and travel per engine against the time limit.

Usage (from the repository root, after ``.venv/bin/pip install -e '.[bench]'``)::

    .venv/bin/python benchmarks/weekly_bench.py --workspaces default gen400 gen1200 --limits 15 30 60 120

Workspaces:

* ``default``: the embedded Kolaka Utara workspace as shipped (lunch and Friday-prayer breaks,
  several sessions per village). PyVRP models fixed breaks and "one session of a village per
  date" only approximately, so the portfolio runs OR-Tools and PyVRP side by side.
* ``gen400`` / ``gen1200``: generated from the default (same villages, schools, road network
  and services; seeded synthetic home-visit requests and deliveries around real village
  points; more teams), about 400 and 1,200 candidate visits. They use a calendar WITHOUT fixed
  breaks and one session per village, so that both engines cover them and the portfolio has a
  choice; that is a modelling variant (teams pause when convenient), not the default policy.
  PyVRP models them exactly, so the portfolio runs PyVRP with a different seed on each core
  (``pyvrp``, ``pyvrp#2``); ``--engine ortools`` measures OR-Tools alone on them.

Each (workspace, limit) is one ``make_plan(engine=...)`` call (default ``auto``): every run
of the portfolio at once, one process each, for the full limit, and every plan is re-checked by
``validate.py``. Writes ``benchmarks/results/weekly_engines.csv`` and ``.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import random
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WS = ROOT / "data" / "kolaka_utara"


def generate(ws, n_requests: int, n_deliveries: int, extra_teams: int, extra_couriers: int, seed: int = 7):
    """A larger workspace from ``ws``: synthetic requests and deliveries near real village points.

    No fixed breaks and one session per village (see the module docstring).
    """
    from outreach_planner.model import Workspace

    rng = random.Random(seed)
    villages = list(ws.villages)
    reqs = list(ws.requests)
    dels = list(ws.deliveries)
    patterns = [r.windows for r in ws.requests]
    out_r = list(reqs)
    for k in range(n_requests - len(reqs)):
        base = rng.choice(reqs)
        v = rng.choice(villages)
        out_r.append(base.model_copy(update={
            "id": f"ghv{k:04d}", "name": f"Warga {k}", "nik": None, "village_code": v.code,
            "lon": v.lon + rng.uniform(-0.004, 0.004), "lat": v.lat + rng.uniform(-0.004, 0.004),
            "windows": rng.choice(patterns), "address": "", "notes": "",
            "requested_on": base.requested_on - dt.timedelta(days=rng.randint(0, 40)),
        }))
    out_d = list(dels)
    for k in range(n_deliveries - len(dels)):
        base = rng.choice(dels)
        v = rng.choice(villages)
        out_d.append(base.model_copy(update={
            "id": f"gdl{k:04d}", "recipient": f"Penerima {k}", "village_code": v.code, "address": "",
            "lon": v.lon + rng.uniform(-0.004, 0.004), "lat": v.lat + rng.uniform(-0.004, 0.004),
        }))
    teams = list(ws.teams)
    home = next(t for t in teams if "home_visit" in t.activities)
    courier = next(t for t in teams if "delivery" in t.activities)
    for k in range(extra_teams):
        teams.append(home.model_copy(update={"id": f"gtim{k + 1}", "name": f"Tim Tambahan {k + 1}"}))
    for k in range(extra_couriers):
        teams.append(courier.model_copy(update={"id": f"gkurir{k + 1}", "name": f"Kurir Tambahan {k + 1}"}))
    data = {k: getattr(ws, k) for k in Workspace.model_fields}
    data.update(requests=tuple(out_r), deliveries=tuple(out_d), teams=tuple(teams),
                calendar=ws.calendar.model_copy(update={"breaks": ()}),
                policy=ws.policy.model_copy(update={"max_sessions_per_village": 1}))
    return Workspace(**data)


def workspaces(names: list[str]):
    """(name, workspace, folder for the travel model) for each name."""
    from outreach_planner.io import read_workspace

    base = read_workspace(DEFAULT_WS)
    specs = {"gen400": (120, 116, 1, 0), "gen1200": (520, 540, 4, 3)}
    for n in names:
        if n == "default":
            yield n, base
        else:
            yield n, generate(base, *specs[n])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspaces", nargs="+", default=["default", "gen400", "gen1200"],
                    choices=["default", "gen400", "gen1200"])
    ap.add_argument("--limits", type=float, nargs="+", default=[15, 30, 60, 120])
    ap.add_argument("--week", default="2026-W49")
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "weekly_engines")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    from outreach_planner.engines import SolveLimits, problem_features
    from outreach_planner.planning.planner import make_plan
    from outreach_planner.travel import travel_model
    from outreach_planner.planning.validate import validate_plan
    from outreach_planner.week import Week

    rows = []
    args.out.parent.mkdir(parents=True, exist_ok=True)
    csv_path = args.out.with_suffix(".csv")
    fields = ["workspace", "candidates", "time_limit_s", "engine", "won", "value_collected", "value_available",
              "travel_hours", "scheduled", "violations", "time_to_best_s", "status", "features"]
    with open(csv_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        for name, ws in workspaces(args.workspaces):
            week = Week.parse(args.week, ws.regency.timezone)
            travel = travel_model(ws, DEFAULT_WS)
            for limit in args.limits:
                t0 = time.monotonic()
                run = make_plan(ws, week, SolveLimits(time_limit_s=limit), engine=args.engine, travel=travel)
                wall = time.monotonic() - t0
                feats = " ".join(sorted(problem_features(run.problem)))
                s = run.plan.summary
                for e in s["engines"]:
                    row = {"workspace": name, "candidates": s["candidate_visits"], "time_limit_s": limit,
                           "engine": e["engine"], "won": e["engine"] == s["engine"],
                           "value_collected": e.get("value_collected", ""), "value_available": s["value_available"],
                           "travel_hours": e.get("travel_hours", ""), "status": e["status"],
                           "time_to_best_s": e.get("time_to_best_s", ""), "features": feats,
                           "scheduled": "", "violations": e.get("violations", "")}
                    if e["engine"] == s["engine"]:
                        row["scheduled"] = s["scheduled_visits"]
                        if row["violations"] == "":
                            row["violations"] = len(validate_plan(run.plan, ws, travel))
                    rows.append(row)
                    w.writerow(row)
                    fh.flush()
                    print(row, f"wall {wall:.0f} s", flush=True)
    write_md(rows, args.out.with_suffix(".md"))
    print(f"wrote {csv_path} and {args.out.with_suffix('.md')}")


def write_md(rows: list[dict], path: Path) -> None:
    """Markdown table: value and travel per workspace, limit and engine."""
    lines = ["# Weekly problem: value and travel per engine and time limit", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
             "Each row is one run inside one `make_plan(engine=\"auto\")` call (runs in parallel, one "
             "core each, full limit each; `pyvrp#2` = PyVRP with a second seed). `won` = the plan the portfolio kept (most value, then least travel). "
             "Command: `benchmarks/weekly_bench.py` (see its docstring for the generated workspaces).", "",
             "| workspace | candidates | limit s | engine | won | value collected | of available | travel h | "
             "visits | violations | t best s |",
             "|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['workspace']} | {r['candidates']} | {r['time_limit_s']:g} | {r['engine']} | "
                     f"{'yes' if r['won'] else ''} | {r['value_collected']} | {r['value_available']} | "
                     f"{r['travel_hours']} | {r['scheduled']} | {r['violations']} | {r['time_to_best_s']} |")
    feats = dict.fromkeys((r["workspace"], r["features"]) for r in rows)
    lines += ["", "Problem features (engines must model all of them to run):", ""]
    lines += [f"* {ws}: {f}" for ws, f in feats]
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
