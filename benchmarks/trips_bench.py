"""Field trips on the default week: the plan with and without them (issue 13).

Figures per run: team-days whose driving exceeds their time on site, how many of the 15
lowest-coverage e-KTP villages get a village session, e-KTP people expected in the week, value,
travel hours, nights away and what the trip choice took.

    PYTHONPATH=src .venv/bin/python benchmarks/trips_bench.py --time-limit 30 \
        --out benchmarks/results/field_trips_default_30s.md

Writes a Markdown table (and prints it). Runs ``make_plan`` with ``engine=auto`` (the portfolio)
twice: ``field_trips=False`` (as before issue 13) and ``True``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from outreach_planner.engines import SolveLimits
from outreach_planner.io import read_workspace
from outreach_planner.planning.planner import make_plan
from outreach_planner.planning.trips import without_field_trips
from outreach_planner.planning.validate import validate_plan
from outreach_planner.travel import travel_model
from outreach_planner.week import Week

ROOT = Path(__file__).resolve().parents[1]


def lowest_ektp(ws, n: int = 15) -> list[str]:
    """Codes of the ``n`` villages with the lowest e-KTP coverage (covered / eligible) before the week."""
    rows = [(v.covered["ektp"] / v.eligible["ektp"], v.code) for v in ws.villages if v.eligible.get("ektp")]
    return [c for _, c in sorted(rows)[:n]]


def figures(plan, ws) -> dict:
    long_days = [r.team for r in plan.routes
                 if r.travel_s > sum((s.end - s.start).total_seconds() for s in r.visits)]
    drive_long = len(long_days)
    by_team = ", ".join(f"{t} {long_days.count(t)}" for t in dict.fromkeys(r.team for r in plan.routes))
    low = set(lowest_ektp(ws))
    reached = {s.village_code for r in plan.routes for s in r.visits if s.kind == "village_session"} & low
    s = plan.summary
    return {"drive_longer": drive_long, "by_team": by_team, "team_days": len(plan.routes), "low15_reached": len(reached),
            "ektp_people": s["people_expected"].get("ektp", 0), "value": s["value_collected"],
            "travel_h": s["travel_hours"], "nights": s.get("nights_away", 0), "night_cost": s.get("night_cost", 0),
            "engine": s["engine"], "shape_s": (s.get("field_trips") or {}).get("seconds", 0.0),
            "trips": "; ".join(f"{x['trip']} {x['lodging']} {x['first_date'][5:]}..{x['last_date'][5:]}"
                               for row in (s.get("field_trips") or {}).get("teams", []) for x in row["trips"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", default=str(ROOT / "data" / "kolaka_utara"))
    ap.add_argument("--week", default="2026-W49")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    ws_all = read_workspace(args.workspace)
    week = Week.parse(args.week, ws_all.regency.timezone)
    rows = []
    for label, ws in (("day trips only (--no-field-trips)", without_field_trips(ws_all)), ("field trips", ws_all)):
        travel = travel_model(ws, args.workspace)
        t0 = time.monotonic()
        run = make_plan(ws, week, SolveLimits(time_limit_s=args.time_limit), engine=args.engine, travel=travel,
                        workspace_dir=args.workspace)
        wall = time.monotonic() - t0
        bad = validate_plan(run.plan, ws, travel)
        rows.append((label, figures(run.plan, ws), wall, len(bad)))
    lines = [f"# Field trips on the default week {args.week}, {args.time_limit:.0f} s, engine {args.engine}", "",
             "Command: `PYTHONPATH=src .venv/bin/python benchmarks/trips_bench.py --time-limit "
             f"{args.time_limit:.0f}" + (f" --out {args.out}`" if args.out else "`"), "",
             "| run | team-days driving > on site | of team-days | per team | lowest-15 e-KTP villages with a session | "
             "e-KTP people expected | value | travel h | nights away | night cost | trips | engine | "
             "shape choice s | wall s | violations |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for label, f, wall, bad in rows:
        lines.append(f"| {label} | {f['drive_longer']} | {f['team_days']} | {f['by_team']} | {f['low15_reached']} of 15 | "
                     f"{f['ektp_people']} | {f['value']:,.1f} | {f['travel_h']:.1f} | {f['nights']} | "
                     f"{f['night_cost']:.1f} | {f['trips'] or '-'} | {f['engine']} | {f['shape_s']:.1f} | "
                     f"{wall:.0f} | {bad} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
