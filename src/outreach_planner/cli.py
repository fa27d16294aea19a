"""Command line: wiring only. Errors become exit codes (0 ok, 1 internal, 2 input, 3 no plan)."""

from __future__ import annotations

import warnings
from contextlib import contextmanager
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
        "Without WORKSPACE, commands use the current folder when it has a workspace.toml, "
        "else the embedded Kolaka Utara workspace."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class _Console(Console):
    """A rich Console that does not wrap when its output is not a terminal (a pipe, a file, a test runner):
    text lines stay whole and tables take their natural width, whatever COLUMNS or the terminal says."""

    @property
    def size(self):  # noqa: D102 - as Console.size
        size = super().size
        return size if self.is_terminal else size._replace(width=UNWRAPPED_WIDTH)

    @size.setter
    def size(self, new_size) -> None:
        Console.size.fset(self, new_size)


#: Console width when stdout / stderr is not a terminal: wide enough that nothing wraps.
UNWRAPPED_WIDTH = 10_000
console = _Console()
err_console = _Console(stderr=True)

WorkspaceArg = Annotated[
    Optional[Path],
    typer.Argument(help="Workspace folder (with workspace.toml). Default: the current folder when it has a "
                   "workspace.toml, else the embedded Kolaka Utara workspace."),
]


def default_workspace() -> Path:
    """The workspace used without a WORKSPACE argument: the current folder when it holds a
    ``workspace.toml`` (a planner runs ``check`` inside the workspace), else the embedded one."""
    return Path.cwd() if (Path.cwd() / "workspace.toml").is_file() else DEFAULT_WORKSPACE


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


def _input_error(title: str, exc: InputError, consequence: str) -> None:
    """Print every problem of ``exc`` under ``title`` and exit with code 2."""
    err_console.print(f"[bold red]{title}:", highlight=False)
    for p in exc.problems:
        err_console.print(f"  - {p}", highlight=False, markup=False)
    err_console.print(f"{len(exc.problems)} problem(s); {consequence}.", highlight=False)
    raise typer.Exit(2)


def load(workspace: Path | None):
    """Read a workspace, printing warnings; input errors exit with code 2."""
    from .io import read_workspace

    path = workspace or default_workspace()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        try:
            ws = read_workspace(path)
        except InputError as exc:
            _input_error(f"Invalid workspace[/] {path}", exc, "nothing was written")
    for w in caught:
        if issubclass(w.category, InputWarning):
            err_console.print(f"[yellow]warning:[/] {w.message}", highlight=False)
    return ws


def _folder(workspace: Path | None) -> Path:
    """The workspace folder of the ``workspace`` argument (a folder or its workspace.toml)."""
    path = Path(workspace or default_workspace())
    return path.parent if path.is_file() else path


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


@app.command()
def check(workspace: WorkspaceArg = None) -> None:
    """Validate a workspace and summarise coverage against targets (nothing is written)."""
    from .planning.coverage import district_coverage, lowest_villages, regency_coverage

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

    _check_roads(ws, workspace)
    console.print(
        f"Open home-visit requests: {len(ws.requests)}; deliveries: {len(ws.deliveries)}. Workspace is valid."
    )


def _check_roads(ws, workspace: Path | None) -> None:
    """With a road network: every stop near a road and joined to the main network (exit 2 if not)."""
    from .travel import RoadNetwork, place_names, travel_model

    travel = travel_model(ws, _folder(workspace))
    if not isinstance(travel, RoadNetwork):
        return
    stops = list(place_names(ws))
    profiles = sorted({t.vehicle for t in ws.teams})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        try:
            for profile in profiles:
                travel.check_stops(stops, profile)
        except InputError as exc:
            _input_error(f"Stops the road network does not reach[/] ({travel.network_path.name})", exc,
                         "fix the road layer or the coordinates before planning")
    for w in caught:
        if issubclass(w.category, InputWarning):
            err_console.print(f"[yellow]warning:[/] {w.message}", highlight=False)
    console.print(f"Road network {travel.network_path.name}: all {len(stops)} stop places reach each other "
                  f"by {', '.join(profiles)}.", highlight=False)


class Lang(str, Enum):
    """Languages of the map and the route sheets."""

    id = "id"
    en = "en"


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
    folder = write_workspace(ws, out, to.value, source=_folder(workspace))
    console.print(f"Wrote {folder} ({to.value}): {len(ws.villages)} villages, {len(ws.schools)} schools, "
                  f"{len(ws.requests)} home-visit requests, {len(ws.deliveries)} deliveries.", highlight=False)


class EngineChoice(str, Enum):
    """Engines ``plan --engine`` accepts."""

    auto = "auto"
    ortools = "ortools"
    pyvrp = "pyvrp"
    greedy = "greedy"
    lns = "lns"


@app.command()
def plan(
    workspace: WorkspaceArg = None,
    week: Annotated[Optional[str], typer.Option("--week", help="ISO week to plan, e.g. 2026-W49. Default: next week.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Output folder. Default: out/<week>/.")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1, help="Solver time limit, seconds.")] = 30.0,
    solution_limit: Annotated[Optional[int], typer.Option(
        "--solution-limit", min=1, help="Stop after this many solutions: repeatable results on any machine.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed, recorded in the plan (OR-Tools search is deterministic).")] = 0,
    engine: Annotated[EngineChoice, typer.Option(
        "--engine", help="Solver: auto runs every engine that models the problem, in parallel, and keeps the "
                         "best valid plan (PyVRP does not model breaks, so the default week uses OR-Tools).")
    ] = EngineChoice.auto,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of map.html and the route sheets.")] = Lang.id,
    include_names: Annotated[bool, typer.Option(
        "--include-names", help="Put resident names in map.html (internal use; route sheets always name them).")
    ] = False,
) -> None:
    """Make the weekly plan for every team and write plan.json, schedule.csv, schedule.xlsx, map.html,
    route_sheets.pdf, sheets/<team>_<date>.pdf and plan.gpkg."""
    import datetime as dt

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ._testhooks import pause
    from .engines import SolveLimits
    from .planning.planner import make_plan
    from .travel import travel_model
    from .planning.validate import check_plan
    from .week import Week

    ws = load(workspace)
    # every argument is checked before the ledger is opened or anything is written
    tz = ws.regency.timezone
    try:
        wk = Week.parse(week, tz) if week else Week.following(dt.datetime.now(Week(2000, 1, tz).tz).date(), tz)
    except ValueError as exc:
        err_console.print(f"[bold red]--week:[/] {exc} (nothing was written)", highlight=False)
        raise typer.Exit(2) from None
    out_dir = out or Path("out") / str(wk)
    _check_out(out_dir)
    _check_engine(engine)
    ws = _campaign_workspace(ws, workspace, str(wk))  # the ledger's progress (read only), when <workspace>/ledger.sqlite exists
    limits = SolveLimits(time_limit_s=time_limit, solution_limit=solution_limit, seed=seed)
    travel = travel_model(ws, _folder(workspace))
    try:
        with _sigterm_exits(), Progress(
                TextColumn("[bold]Solving {task.description}"), BarColumn(), TimeElapsedColumn(),
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
                with warnings.catch_warnings(record=True) as caught:  # e.g. a stop far from every road
                    warnings.simplefilter("always", InputWarning)
                    run_ = make_plan(ws, wk, limits, engine=EngineChoice(engine).value, travel=travel,
                                     progress=lambda t, obj: bar.update(task, best=f"objective {obj:,.1f}"))
            finally:
                done.set()
                ticker.join()
        for w in caught:
            if issubclass(w.category, InputWarning):
                err_console.print(f"[yellow]warning:[/] {w.message}", highlight=False)
            else:
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)
        check_plan(run_.plan, ws, travel)
        with _sigterm_exits():
            paths = _write_plan_set(run_.plan, ws, travel, out_dir, lang.value, include_names)
            pause("issuing")
            _issue(run_.plan, ws, workspace)  # the ledger only after the outputs are in place
    except OutreachError as exc:
        err_console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None
    _print_plan_summary(run_.plan, ws)
    hint = still_improving(run_.result.history, run_.plan.value, None if solution_limit else time_limit)
    if hint:
        console.print(f"[yellow]note:[/] {hint}", highlight=False)
    console.print("Outputs:", highlight=False)
    sheets = [p for name, p in paths.items() if name.startswith("sheets/")]
    for name, path in paths.items():
        if not name.startswith("sheets/"):
            console.print(f"  {name}: {path}", highlight=False)
    if sheets:
        console.print(f"  sheets/: {len(sheets)} route sheets in {sheets[0].parent}", highlight=False)


def _campaign_workspace(ws, workspace: Path | None, week: str | None = None):
    """``ws`` with the ledger's progress applied when the workspace has a ledger (only read), for planning ``week``."""
    from .campaign.cycle import ledger_path, workspace_for_planning

    return workspace_for_planning(ws, ledger_path(_folder(workspace)), week)


def _check_out(out_dir: Path) -> None:
    """Exit 2 when ``out_dir`` cannot be an output folder (it or a parent is a file, no write permission)."""
    from .io.output_set import check_destination

    try:
        check_destination(out_dir)
    except InputError as exc:
        err_console.print(f"[bold red]--out:[/] {exc.problems[0].message}", highlight=False)
        raise typer.Exit(2) from None


def _check_engine(engine) -> None:
    """Exit 2 when the engine asked for is not installed (``auto`` takes what is)."""
    from .engines import engine_available

    name = EngineChoice(engine).value
    if name != "auto" and not engine_available(name):
        err_console.print(f"[bold red]--engine:[/] the {name} engine is not installed: reinstall outreach-planner "
                          "(its dependencies include it) (nothing was written)", highlight=False)
        raise typer.Exit(2)


@contextmanager
def _sigterm_exits():
    """Within the block, SIGTERM ends the command as an exception (``SystemExit(143)``), as Ctrl-C does: engine
    processes are stopped and a half-written output set is removed on the way out."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _write_plan_set(plan_, ws, travel, out_dir: Path, lang: str, include_names: bool) -> dict[str, Path]:
    """Write every output of ``plan`` as one set (``io.output_set``): all of them appear at once, or none."""
    from ._testhooks import pause
    from .io.outcomes import write_outcomes_form
    from .io.output_set import PLAN_OUTPUTS, output_set
    from .io.write_plan import write_plan_outputs
    from .campaign.ledger import plan_id_of
    from .render import render_all, week_sheets

    with output_set(out_dir, claim=(*PLAN_OUTPUTS, week_sheets(plan_, ws))) as s:
        paths = write_plan_outputs(plan_, ws, s.path)
        pause("writing")
        paths.update(render_all(plan_, ws, travel, s.path, lang=lang, include_names=include_names))
        paths.update(write_outcomes_form(plan_, ws, s.path, plan_id_of(plan_)))  # blank tally form
    return paths


def _issue(plan_, ws, workspace: Path | None) -> str:
    """Issue the plan to the ledger, when the workspace has one; returns the plan id either way.

    Called after the outputs are switched in, so the ledger never names a plan whose outputs are missing.
    A kill between the two leaves a plan the ledger does not know yet: ``record`` of its tally form issues
    it from the ``plan.json`` beside the form.
    """
    from .campaign.cycle import issue, ledger_path

    return issue(plan_, ledger_path(_folder(workspace)), ws)


@app.command()
def record(
    outcomes: Annotated[Path, typer.Argument(help="The filled tally form: outcomes_form.xlsx or .csv.")],
    workspace: Annotated[Optional[Path], typer.Option(
        "--workspace", help="Workspace folder. Default: the current folder when it has a workspace.toml, "
        "else the embedded Kolaka Utara workspace.")] = None,
    ledger: Annotated[Optional[Path], typer.Option(
        "--ledger", help="Ledger database. Default: <workspace>/ledger.sqlite (created when missing).")] = None,
    plan_json: Annotated[Optional[list[Path]], typer.Option(
        "--plan", help="plan.json of the form's plan, when the ledger does not have it and the form is not next "
                       "to it (repeatable).")] = None,
) -> None:
    """Record the officers' tallies in the ledger: request states and people served per village.

    Every row is checked first; a form that cannot be read or any bad row is reported
    (exit code 2) and nothing is applied. Recording the same form twice changes nothing; a
    visit already served on another plan's form adds no people. The next ``plan`` starts
    from the updated coverage and carries over missed visits and failed deliveries.
    """
    from .campaign.cycle import ledger_path, record_form

    ws = load(workspace)
    path = ledger_path(_folder(workspace), ledger)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        try:
            result, plan_ids = record_form(outcomes, ws, path, plan_json or ())
        except InputError as exc:
            _input_error(f"Invalid tally form[/] {outcomes}", exc, "nothing was recorded")
        except OutreachError as exc:
            err_console.print(str(exc), markup=False, highlight=False)
            raise typer.Exit(exc.exit_code) from None
        finally:
            for w in caught:
                if issubclass(w.category, InputWarning):
                    err_console.print(f"[yellow]warning:[/] {w.message}", highlight=False)
    dup = (f" {result.duplicates} of them already served on another plan's form (no people added)."
           if result.duplicates else "")
    console.print(f"Recorded plan {', '.join(plan_ids) or '-'} in {path}: {result.new} new, {result.changed} "
                  f"corrected, {result.unchanged} already recorded.{dup}", highlight=False)


@app.command()
def replan(
    from_: Annotated[str, typer.Option("--from", help="First date to plan again (YYYY-MM-DD); earlier days are kept.")],
    team_off: Annotated[Optional[str], typer.Option("--team-off", help="Team id off from that date on.")] = None,
    workspace: Annotated[Optional[Path], typer.Option(
        "--workspace", help="Workspace folder. Default: the current folder when it has a workspace.toml, "
        "else the embedded Kolaka Utara workspace.")] = None,
    ledger: Annotated[Optional[Path], typer.Option(
        "--ledger", help="Ledger database. Default: <workspace>/ledger.sqlite.")] = None,
    plan_json: Annotated[Optional[Path], typer.Option(
        "--plan", help="plan.json of the week, issued to the ledger first (when the ledger does not have it).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Output folder. Default: out/<week>-replan-<date>/.")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1, help="Solver time limit, seconds.")] = 30.0,
    solution_limit: Annotated[Optional[int], typer.Option("--solution-limit", min=1,
                                                          help="Stop after this many solutions.")] = None,
    engine: Annotated[EngineChoice, typer.Option("--engine", help="Solver, as for plan.")] = EngineChoice.auto,
) -> None:
    """Re-plan the rest of the week from a date: keep earlier days and done visits, drop a team if asked,
    re-optimise the remaining days; writes plan.json, schedule.*, outcomes_form.* and changes.csv."""
    import datetime as dt
    import json

    from ._testhooks import pause
    from .campaign.cycle import ledger_path
    from .engines import SolveLimits
    from .io.outcomes import plan_from_document, write_outcomes_form
    from .io.output_set import PLAN_OUTPUTS, output_set
    from .io.write_changes import write_changes
    from .io.write_plan import write_plan_outputs
    from .campaign.ledger import Ledger, plan_id_of
    from .render import week_sheets
    from .campaign.replan import replan as do_replan
    from .travel import travel_model
    from .planning.validate import check_plan
    from .week import Week

    ws = load(workspace)
    try:
        start = dt.date.fromisoformat(from_)
    except ValueError:
        err_console.print(f"[bold red]--from:[/] expected a date YYYY-MM-DD, got {from_!r}", highlight=False)
        raise typer.Exit(2) from None
    path = ledger_path(_folder(workspace), ledger)
    if not path.is_file() and plan_json is None:
        err_console.print(f"No ledger at {path}: give --plan out/<week>/plan.json (nothing was written).",
                          highlight=False)
        raise typer.Exit(2)
    # every argument is checked before the ledger is opened or anything is written
    if team_off is not None and team_off not in {t.id for t in ws.teams}:
        err_console.print(f"[bold red]--team-off:[/] unknown team {team_off!r}; teams: "
                          f"{', '.join(t.id for t in ws.teams)} (nothing was written)", highlight=False)
        raise typer.Exit(2)
    y, n, _ = start.isocalendar()
    out_dir = out or Path("out") / f"{Week(y, n, ws.regency.timezone)}-replan-{start.isoformat()}"
    _check_out(out_dir)
    _check_engine(engine)
    base = None
    if plan_json is not None:
        try:
            base = plan_from_document(json.loads(plan_json.read_text(encoding="utf-8")))
        except (ValueError, TypeError, OSError) as exc:  # an unreadable --plan file
            err_console.print(f"Cannot use --plan {plan_json}: {exc} (nothing was written)", markup=False,
                              highlight=False)
            raise typer.Exit(2) from None
    travel = travel_model(ws, _folder(workspace))
    limits = SolveLimits(time_limit_s=time_limit, solution_limit=solution_limit)
    try:
        with _sigterm_exits():
            with Ledger(path) as led:
                if base is not None:
                    led.issue_plan(base)
                res = do_replan(ws, led, start, team_off, limits, EngineChoice(engine).value, travel)
                check_plan(res.new_part, res.workspace, travel, held=res.kept)
            pid = plan_id_of(res.plan)
            with output_set(out_dir, claim=(*PLAN_OUTPUTS, week_sheets(res.plan, ws))) as s:
                paths = write_plan_outputs(res.plan, ws, s.path)
                paths.update(write_outcomes_form(res.plan, ws, s.path, pid))
                paths.update(write_changes(res.changes, s.path))
            pause("issuing")
            with Ledger(path) as led:  # the ledger only after the outputs are in place (see _issue)
                led.issue_plan(res.plan, source=f"replan from {start}")
    except OutreachError as exc:
        err_console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None
    t = Table(title=f"Changes from {start} (based on {res.based_on}, new plan {pid})")
    for col in ("Change", "Visit", "Before", "After", "Reason"):
        t.add_column(col)
    changed = [c for c in res.changes if c["change"] != "unchanged"]
    for c in changed:
        fmt = (lambda w: f"{w['team']} {w['date']} {w['start']}" if w else "-")
        t.add_row(c["change"], c["visit_id"], fmt(c["before"]), fmt(c["after"]), c["reason"])
    console.print(t)
    rp = res.plan.summary["replan"]
    values = ", ".join(f"{k} {v:.1f}" for k, v in rp["stage_values"].items())
    console.print(f"{len(changed)} change(s), {len(res.changes) - len(changed)} visit(s) unchanged; "
                  f"kept the {rp['stage']} re-plan (value: {values}); outputs in {out_dir}.", highlight=False)


@app.command()
def simulate(
    weeks: Annotated[int, typer.Option("--weeks", min=1, help="Weeks to simulate.")] = 12,
    seed: Annotated[int, typer.Option("--seed", help="Seed of turnout, no-shows and new requests.")] = 0,
    workspace: Annotated[Optional[Path], typer.Option(
        "--workspace", help="Workspace folder. Default: the current folder when it has a workspace.toml, "
        "else the embedded Kolaka Utara workspace.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder for simulation.md and simulation.png.")] = Path(
        "out/simulation"),
    week: Annotated[str, typer.Option("--week", help="First ISO week of the campaign.")] = "2026-W49",
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.5, help="Solver seconds per week.")] = 10.0,
    solution_limit: Annotated[Optional[int], typer.Option(
        "--solution-limit", min=1, help="Stop the solver after this many solutions: repeatable runs.")] = None,
) -> None:
    """Simulate a campaign (plan, draw outcomes, record, repeat) with this planner and two baselines
    (district rotation, nearest first); writes a markdown table and a PNG chart."""
    from .campaign.simulate import plot, report_markdown
    from .campaign.simulate import simulate as run_sim
    from .travel import travel_model
    from .week import Week

    ws = load(workspace)
    try:
        start = Week.parse(week, ws.regency.timezone)
    except ValueError as exc:
        err_console.print(f"[bold red]--week:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    try:
        runs = run_sim(ws, weeks, seed, start, time_limit_s=time_limit, travel=travel_model(ws, _folder(workspace)),
                       solution_limit=solution_limit)
    except OutreachError as exc:
        err_console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None
    out.mkdir(parents=True, exist_ok=True)
    md = report_markdown(runs, ws)
    (out / "simulation.md").write_text(f"# Simulated campaign: {weeks} weeks from {start}, seed {seed}\n\n{md}",
                                       encoding="utf-8")
    plot(runs, ws, out / "simulation.png")
    console.print(md, highlight=False, markup=False)
    console.print(f"Wrote {out / 'simulation.md'} and {out / 'simulation.png'}.", highlight=False)


#: The search counts as still improving when, in the last fifth of the time limit, its objective improved by at
#: least 1 % of the value collected.
STILL_IMPROVING_SHARE = 0.8
STILL_IMPROVING_GAIN = 0.01


def still_improving(history: list[tuple[float, float]], value: float, time_limit: float | None) -> str | None:
    """A hint to raise ``--time-limit`` when the kept run still improved much late in its time limit.

    ``history`` is the kept run's (seconds, objective) at each improvement, ``value`` the value its plan
    collects. None: no hint (no time limit to raise, or the search had settled).
    """
    if not time_limit or not history:
        return None
    late = STILL_IMPROVING_SHARE * time_limit
    if history[-1][0] < late:
        return None
    before = [obj for t, obj in history if t < late]
    gain = (before[-1] - history[-1][1]) if before else float("inf")
    if gain < STILL_IMPROVING_GAIN * max(value, 1.0):
        return None
    how = f"by {gain:,.1f} in the last {time_limit - late:g} s" if before else "after its first solution came late"
    return (f"the search was still improving when the time limit ended ({how}, last at {history[-1][0]:.0f} s of "
            f"{time_limit:g} s): a longer --time-limit (say {4 * time_limit:g}) may collect more value; large "
            "workspaces need it (docs/benchmarks.md)")


def _print_plan_summary(p, ws) -> None:
    from collections import Counter

    s = p.summary
    console.print(f"[bold]Plan {p.week}[/] for {p.workspace}: {s['scheduled_visits']} of {s['candidate_visits']} "
                  f"candidate visits, value {s['value_collected']:,.1f} of {s['value_available']:,.1f}, "
                  f"travel {s['travel_hours']:.1f} h ({s['distance_km']:,.0f} km); engine {p.engine}, "
                  f"{s['solve_seconds']:.0f} s.", highlight=False)
    if len(s.get("engines", [])) > 1:
        console.print("Engines: " + "; ".join(
            f"{e['engine']} value {e['value_collected']:,.1f}, travel {e['travel_hours']:.1f} h"
            + (f", {e['violations']} violation(s)" if e.get("violations") else "")
            if "value_collected" in e else f"{e['engine']}: {e['status']}" for e in s["engines"]), highlight=False)
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
