"""Command line: wiring only. Errors become exit codes (0 ok, 1 internal, 2 input, 3 no plan)."""

from __future__ import annotations

import warnings
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import InputError, InputWarning, OutreachError

#: The embedded default workspace (Kabupaten Kolaka Utara).
DEFAULT_WORKSPACE = Path(__file__).resolve().parents[2] / "data" / "kolaka_utara"

app = typer.Typer(
    name="outreach-planner",
    help=(
        "Plan the week of civil-registration outreach (jemput bola): which team visits which "
        "village, school or home on which day, lowest coverage first.\n\n"
        "Without WORKSPACE, commands use the embedded Kolaka Utara workspace."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

WorkspaceArg = Annotated[
    Optional[Path],
    typer.Argument(help="Workspace folder (with workspace.toml). Default: the embedded Kolaka Utara workspace."),
]


def _version(value: bool) -> None:
    if value:
        console.print(f"outreach-planner {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Outreach planner."""


def load(workspace: Path | None):
    """Read a workspace, printing warnings; input errors exit with code 2."""
    from .io import read_workspace

    path = workspace or DEFAULT_WORKSPACE
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        try:
            ws = read_workspace(path)
        except InputError as exc:
            err_console.print(f"[bold red]Invalid workspace[/] {path}:", highlight=False)
            for p in exc.problems:
                err_console.print(f"  - {p}", highlight=False, markup=False)
            err_console.print(f"{len(exc.problems)} problem(s); nothing was written.", highlight=False)
            raise typer.Exit(2) from None
    for w in caught:
        if issubclass(w.category, InputWarning):
            err_console.print(f"[yellow]warning:[/] {w.message}", highlight=False)
    return ws


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


@app.command()
def check(workspace: WorkspaceArg = None) -> None:
    """Validate a workspace and summarise coverage against targets (nothing is written)."""
    from .coverage import district_coverage, lowest_villages, regency_coverage

    ws = load(workspace)
    districts = sorted({v.district_code for v in ws.villages})
    console.print(
        f"[bold]{ws.regency.name}[/] ({ws.regency.code}): {len(districts)} districts, "
        f"{len(ws.villages)} villages, {len(ws.schools)} schools, {len(ws.teams)} teams"
    )
    sids = ws.service_ids
    names = {s.id: s.name for s in ws.services}

    t = Table(title="Coverage by district (covered / eligible)", show_lines=False)
    t.add_column("District")
    for s in ws.services:
        t.add_column(f"{s.name}\n(target {_pct(s.target)})", justify="right")
    rows = district_coverage(ws)
    by_group: dict[str, dict[str, object]] = {}
    for r in rows:
        by_group.setdefault(r.group, {})[r.service] = r
    for group, cells in by_group.items():
        t.add_row(group, *(_cell(cells[s]) for s in sids))
    reg = {r.service: r for r in regency_coverage(ws)}
    t.add_section()
    t.add_row("[bold]Regency[/]", *(_cell(reg[s], bold=True) for s in sids))
    console.print(t)

    need = Table(title="People still needed to reach each target (regency)")
    for col in ("Service", "Eligible", "Covered", "Coverage", "Target", "Still needed"):
        need.add_column(col, justify="left" if col == "Service" else "right")
    for s in ws.services:
        r = reg[s.id]
        need.add_row(names[s.id], f"{r.eligible:,}", f"{r.covered:,}", _pct(r.coverage), _pct(r.target),
                     f"{r.needed:,}" if r.needed else "reached")
    console.print(need)

    for s in ws.services:
        low = Table(title=f"Ten lowest-coverage villages: {s.name}")
        for col in ("Code", "Village", "District", "Coverage", "Unserved"):
            low.add_column(col, justify="right" if col in ("Coverage", "Unserved") else "left")
        for v in lowest_villages(ws, s.id):
            low.add_row(v.code, v.name, v.district_name, _pct(v.coverage(s.id)), f"{v.unserved(s.id):,}")
        console.print(low)

    console.print(
        f"Open home-visit requests: {len(ws.requests)}; deliveries: {len(ws.deliveries)}. Workspace is valid."
    )


class LayerFormat(str, Enum):
    """Layer formats ``convert`` can write."""

    csv = "csv"
    geojson = "geojson"
    gpkg = "gpkg"
    xlsx = "xlsx"


@app.command()
def convert(
    out: Annotated[Path, typer.Option("--out", help="New folder to write (must not exist).")],
    workspace: WorkspaceArg = None,
    to: Annotated[LayerFormat, typer.Option("--to", help="Format of the layers written.")] = LayerFormat.csv,
) -> None:
    """Write a workspace with all layers in one format (csv, geojson, gpkg or xlsx).

    The workspace is read and checked first; invalid input exits with code 2 and
    nothing is written.
    """
    from .io import write_workspace

    ws = load(workspace)
    if out.exists():
        err_console.print(f"[bold red]{out} exists[/]; choose a new folder (nothing was written).", highlight=False)
        raise typer.Exit(2)
    folder = write_workspace(ws, out, to.value)
    console.print(f"Wrote {folder} ({to.value}): {len(ws.villages)} villages, {len(ws.schools)} schools, "
                  f"{len(ws.requests)} home-visit requests, {len(ws.deliveries)} deliveries.", highlight=False)


@app.command()
def plan(
    workspace: WorkspaceArg = None,
    week: Annotated[Optional[str], typer.Option("--week", help="ISO week to plan, e.g. 2026-W49. Default: next week.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Output folder. Default: out/<week>/.")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1, help="Solver time limit, seconds.")] = 30.0,
    solution_limit: Annotated[Optional[int], typer.Option(
        "--solution-limit", min=1, help="Stop after this many solutions: repeatable results on any machine.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed, recorded in the plan (OR-Tools search is deterministic).")] = 0,
) -> None:
    """Make the weekly plan for every team and write plan.json, schedule.csv and schedule.xlsx."""
    import datetime as dt

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from .engines import SolveLimits
    from .io.write_plan import write_plan_outputs
    from .planner import make_plan
    from .travel import travel_model
    from .validate import check_plan
    from .week import Week

    ws = load(workspace)
    tz = ws.regency.timezone
    try:
        wk = Week.parse(week, tz) if week else Week.following(dt.datetime.now(Week(2000, 1, tz).tz).date(), tz)
    except ValueError as exc:
        err_console.print(f"[bold red]--week:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    out_dir = out or Path("out") / str(wk)
    limits = SolveLimits(time_limit_s=time_limit, solution_limit=solution_limit, seed=seed)
    travel = travel_model(ws)
    try:
        with Progress(TextColumn("[bold]Solving {task.description}"), BarColumn(), TimeElapsedColumn(),
                      TextColumn("{task.fields[best]}"), console=err_console, transient=True) as bar:
            task = bar.add_task(str(wk), total=time_limit, best="")
            import threading
            import time as _time

            t0, done = _time.monotonic(), threading.Event()

            def tick() -> None:
                while not done.wait(0.5):
                    bar.update(task, completed=min(time_limit, _time.monotonic() - t0))

            ticker = threading.Thread(target=tick, daemon=True)
            ticker.start()
            try:
                run_ = make_plan(ws, wk, limits, travel=travel,
                                 progress=lambda t, obj: bar.update(task, best=f"objective {obj:,.1f}"))
            finally:
                done.set()
                ticker.join()
        check_plan(run_.plan, ws, travel)
        paths = write_plan_outputs(run_.plan, ws, out_dir)
    except OutreachError as exc:
        err_console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None
    _print_plan_summary(run_.plan, ws)
    console.print("Outputs:", highlight=False)
    for name, path in paths.items():
        console.print(f"  {name}: {path}", highlight=False)


def _print_plan_summary(p, ws) -> None:
    from collections import Counter

    s = p.summary
    console.print(f"[bold]Plan {p.week}[/] for {p.workspace}: {s['scheduled_visits']} of {s['candidate_visits']} "
                  f"candidate visits, value {s['value_collected']:,.1f} of {s['value_available']:,.1f}, "
                  f"travel {s['travel_hours']:.1f} h ({s['distance_km']:,.0f} km); engine {p.engine}, "
                  f"{s['solve_seconds']:.0f} s.", highlight=False)
    dates = sorted({r.date for r in p.routes})
    t = Table(title="Visits per team and day")
    t.add_column("Team")
    for d in dates:
        t.add_column(d.strftime("%a %d %b"), justify="right")
    t.add_column("Travel h", justify="right")
    for team in ws.teams:
        routes = {r.date: r for r in p.routes if r.team == team.id}
        if not routes:
            continue
        t.add_row(team.name, *(str(len(routes[d].visits)) if d in routes else "-" for d in dates),
                  f"{sum(r.travel_s for r in routes.values()) / 3600:.1f}")
    console.print(t)
    c = Table(title="Coverage before and after the week (regency)")
    for col in ("Service", "People expected", "Before", "After", "Target", "Still needed"):
        c.add_column(col, justify="left" if col == "Service" else "right")
    names = {sv.id: sv.name for sv in ws.services}
    for row in s["coverage"]:
        c.add_row(names[row["service"]], f"{row['expected_people']:,}", _pct(row["before"]), _pct(row["after"]),
                  _pct(row["target"]), f"{row['still_needed_after']:,}" if row["still_needed_after"] else "reached")
    console.print(c)
    from .plan import REASONS

    reasons = Counter(u.reason for u in p.unassigned)
    if reasons:
        u = Table(title="Visits left out, by reason")
        u.add_column("Reason")
        u.add_column("Visits", justify="right")
        for code, n in reasons.most_common():
            u.add_row(f"{code}: {REASONS[code]}", str(n))
        console.print(u)


def _cell(r, bold: bool = False) -> str:
    mark = "" if r.coverage >= r.target else " [red]▼[/]"
    text = f"{_pct(r.coverage)}{mark}"
    return f"[bold]{text}[/]" if bold else text


def run() -> None:  # pragma: no cover - console entry for `python -m`
    """Entry point that maps our errors to exit codes."""
    try:
        app()
    except OutreachError as exc:
        err_console.print(str(exc), markup=False)
        raise SystemExit(exc.exit_code) from None


if __name__ == "__main__":  # pragma: no cover
    run()
