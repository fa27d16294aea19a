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
