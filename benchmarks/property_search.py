"""The random-workspace property over many workspaces and seeds: the wide search behind tests/test_validate.py.

Usage (from the repository root)::

    PYTHONPATH=src:tests .venv/bin/python benchmarks/property_search.py --seeds 10 --per-seed 50

Workspaces come from ``tests/strategies.py`` (the generator ``test_random_workspaces_plan_validly``
uses): a third of the seeds with the test's sizes, a third ``large`` (up to 15 villages, 4 teams,
5 schools, 8 home-visit requests, 8 deliveries), a third ``xl`` (30, 6, 10, 15, 15). Each workspace is planned
with the OR-Tools engine and a solution limit (600 s only a safety net), and the plan is checked
by ``validate.py`` and for "every candidate visit appears exactly once". A failing workspace is
recorded (its repr in the log) and the search goes on. Writes ``benchmarks/results/property_search.md``.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
OUT = ROOT / "benchmarks" / "results" / "property_search.md"
SIZES = {
    "test": {},
    "large": dict(max_villages=15, max_teams=4, max_schools=5, max_requests=8, max_deliveries=8),
    "xl": dict(max_villages=30, max_teams=6, max_schools=10, max_requests=15, max_deliveries=15),
}
CYCLE = ("xl", "test", "large")  # seed s uses CYCLE[s % 3]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10, help="seeds 1..N; sizes cycle test, large, xl")
    ap.add_argument("--per-seed", type=int, default=50, help="workspaces per seed")
    ap.add_argument("--solution-limit", type=int, default=20)
    ap.add_argument("--engine", default="ortools")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--time-limit", type=float, default=600, help="safety net per solve (a time-out is a failure)")
    ap.add_argument("--dump", type=Path, default=None, help="pickle each workspace here before solving it")
    args = ap.parse_args()

    from hypothesis import HealthCheck, Phase, given, seed, settings
    from strategies import check_random_workspace, workspaces

    from outreach_planner.engines import SolveLimits

    limits = SolveLimits(time_limit_s=args.time_limit, solution_limit=args.solution_limit)
    slowest: list[tuple[float, int, str]] = []
    rows, failures = [], []
    t_all = time.monotonic()
    for s in range(1, args.seeds + 1):
        size = CYCLE[s % 3]
        counts = {"plan": 0, "no team works": 0, "failed": 0}
        t0 = time.monotonic()

        @seed(s)
        @settings(max_examples=args.per_seed, deadline=None, database=None, derandomize=False,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(workspaces(**SIZES[size]))
        def search(ws):
            if args.dump:
                import pickle

                args.dump.write_bytes(pickle.dumps(ws))
            t1 = time.monotonic()
            try:
                counts[check_random_workspace(ws, limits, engine=args.engine)] += 1
            except Exception as exc:  # record and go on: the search is for finding failures
                counts["failed"] += 1
                failures.append((s, size, repr(exc), "".join(traceback.format_exc(limit=3)), repr(ws)))
                print(f"FAILURE seed {s}: {exc!r}", flush=True)
            slowest.append((time.monotonic() - t1, s, size))

        search()
        secs = time.monotonic() - t0
        n = sum(counts.values())
        rows.append((s, size, n, counts["plan"], counts["no team works"], counts["failed"], secs))
        print(f"seed {s:3d} {size:5s}: {n} workspaces, {counts['plan']} plans, {counts['no team works']} no team works, "
              f"{counts['failed']} failed, {secs:.0f} s", flush=True)
    wall = time.monotonic() - t_all
    slowest.sort(reverse=True)
    total = sum(r[2] for r in rows)
    lines = [
        "# Property search: random workspaces planned and validated",
        "",
        f"Command: `PYTHONPATH=src:tests .venv/bin/python benchmarks/property_search.py --seeds {args.seeds} "
        f"--per-seed {args.per_seed} --solution-limit {args.solution_limit} --engine {args.engine} "
        f"--time-limit {args.time_limit:g}` (the time limit is a safety net per solve; a time-out counts as a failure)",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, one process (shared 2-core machine).",
        "Property: `validate_plan` finds no violation, and every candidate visit is on a route or in "
        "`unassigned` exactly once (tests/strategies.py `check_random_workspace`).",
        "Sizes: `test` = the test's generator (2-6 villages, 1-2 teams (+courier), 0-2 schools, 0-3 requests, "
        "0-3 deliveries); `large` = up to 15 villages, 4 teams, 5 schools, 8 requests, 8 deliveries; "
        "`xl` = up to 30 villages, 6 teams, 10 schools, 15 requests, 15 deliveries (each team 1-5 days).",
        "",
        f"**{total} workspaces, {len(rows)} seeds, {sum(r[5] for r in rows)} failures, wall time {wall / 60:.1f} min.**",
        "",
        "| seed | sizes | workspaces | planned | no team works | failures | seconds |",
        "|---:|---|---:|---:|---:|---:|---:|",
        *[f"| {s} | {size} | {n} | {p} | {nt} | {f} | {secs:.0f} |" for s, size, n, p, nt, f, secs in rows],
        "",
        "Slowest workspaces (plan + checks): " + ", ".join(f"{t:.1f} s (seed {s}, {size})" for t, s, size in slowest[:5])
        + f"; median {slowest[len(slowest) // 2][0]:.2f} s." if slowest else "",
    ]
    if failures:
        lines += ["", "## Failures", ""]
        for s, size, exc, tb, ws in failures:
            lines += [f"### seed {s} ({size}): {exc}", "", "```", tb.strip(), "", ws, "```", ""]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"{total} workspaces, {sum(r[5] for r in rows)} failures, {wall:.0f} s -> {args.out}")


if __name__ == "__main__":
    main()
