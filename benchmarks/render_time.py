"""Rendering time: ``render_all`` alone on one plan of the default week, and where the time goes.

Usage (from the repository root)::

    # once: a plan of the default week (any folder)
    PYTHONPATH=src .venv/bin/outreach-planner plan --week 2026-W49 --solution-limit 300 --engine ortools \
        --out /tmp/render_bench
    # then, as often as needed:
    PYTHONPATH=src .venv/bin/python benchmarks/render_time.py /tmp/render_bench/plan.json --repeat 3 \
        --label after

It reads the embedded Kolaka Utara workspace and its travel model (as ``plan`` does), reads the plan
from ``plan.json``, then times ``render_all`` into a fresh temporary folder ``--repeat`` times (the
first run includes the one-off imports and font registration, as in ``make plan``; the later ones
do not) and, separately, each part (wall time): the map HTML, the route sheets, the GeoPackage.
Wall and CPU time of the process are both given: on a shared machine the CPU time is the steadier
figure (rendering is single-threaded). ``--profile``
prints the 25 most expensive functions (cumulative) of one ``render_all``. Appends one line per
run to ``benchmarks/results/render_time.csv``.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WS = ROOT / "data" / "kolaka_utara"
OUT = ROOT / "benchmarks" / "results" / "render_time.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("plan", type=Path, help="plan.json of the default week")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--label", default="after", help="e.g. before / after (written to the csv)")
    ap.add_argument("--profile", action="store_true", help="print a cProfile summary of one render_all")
    ap.add_argument("--no-csv", action="store_true", help="do not append to the results csv")
    args = ap.parse_args()

    t_import = time.perf_counter()
    from outreach_planner.io import read_workspace
    from outreach_planner.io.outcomes import plan_from_document
    from outreach_planner.render import render_all
    from outreach_planner.travel import travel_model

    import_s = time.perf_counter() - t_import
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = read_workspace(WS)
    travel = travel_model(ws, WS)
    plan = plan_from_document(json.loads(args.plan.read_text(encoding="utf-8")))
    n_sheets = len(plan.routes)

    rows = []
    for k in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0, c0 = time.perf_counter(), time.process_time()
            render_all(plan, ws, travel, Path(tmp))
            total, cpu = time.perf_counter() - t0, time.process_time() - c0
        # the parts, on their own (warm)
        from outreach_planner.render.gpkg import write_layers
        from outreach_planner.render.map import map_html
        from outreach_planner.render.sheets import sheets_pdfs

        t0 = time.perf_counter()
        map_html(plan, ws, travel)
        t_map = time.perf_counter() - t0
        t0 = time.perf_counter()
        sheets_pdfs(plan, ws, travel)
        t_sheets = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            write_layers(plan, ws, travel, Path(tmp) / "plan.gpkg", "id")
            t_gpkg = time.perf_counter() - t0
        rows.append((k + 1, total, cpu, t_map, t_sheets, t_gpkg))
        print(f"run {k + 1}: render_all {total:.2f} s wall, {cpu:.2f} s CPU (map {t_map:.2f} s, sheets {t_sheets:.2f} s, "
              f"gpkg {t_gpkg:.2f} s; {n_sheets} sheets)", flush=True)

    if args.profile:
        import cProfile
        import pstats

        with tempfile.TemporaryDirectory() as tmp:
            prof = cProfile.Profile()
            prof.enable()
            render_all(plan, ws, travel, Path(tmp))
            prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)

    if not args.no_csv:
        new = not OUT.exists()
        with OUT.open("a", newline="") as fh:
            w = csv.writer(fh)
            if new:
                w.writerow(["label", "run", "render_all_s", "render_all_cpu_s", "map_s", "sheets_s", "gpkg_s", "sheets", "import_s"])
            for run, total, cpu, t_map, t_sheets, t_gpkg in rows:
                w.writerow([args.label, run, f"{total:.3f}", f"{cpu:.3f}", f"{t_map:.3f}", f"{t_sheets:.3f}", f"{t_gpkg:.3f}",
                            n_sheets, f"{import_s:.3f}"])


if __name__ == "__main__":
    main()
