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
from .i18n import _, argv_language, fmt_dec, fmt_int, fmt_pct, language, set_language

# Typer builds --help from the texts below, made at import: their language comes from --lang on the command line
# (read from sys.argv here, before typer parses it), else OUTREACH_LANG, else Indonesian.
set_language(argv_language())
import typer.rich_utils as _ru  # noqa: E402 - typer's own panel titles, in the same language

_ru.ARGUMENTS_PANEL_TITLE = _("cli.panel_args", id="Argumen", en="Arguments")
_ru.OPTIONS_PANEL_TITLE = _("cli.panel_options", id="Opsi", en="Options")
_ru.COMMANDS_PANEL_TITLE = _("cli.panel_commands", id="Perintah", en="Commands")
_ru.ERRORS_PANEL_TITLE = _("cli.panel_error", id="Galat", en="Error")
_ru.DEFAULT_STRING = _("cli.panel_default", id="[bawaan: {}]", en="[default: {}]")
_ru.REQUIRED_LONG_STRING = _("cli.panel_required", id="[wajib]", en="[required]")
try:  # the --help option's own line (typer's vendored click; left as it is when a typer version has no such hook)
    import typer._click.decorators as _td

    _help_option, _HELP_TEXT = _td.help_option, _("cli.help_opt", id="Tampilkan pesan ini lalu keluar.",
                                                  en="Show this message and exit.")

    def _translated_help_option(names):
        apply = _help_option(names)

        def decorate(command):
            result = apply(command)
            command.params[-1].help = _HELP_TEXT
            return result
        return decorate

    _td.help_option = _translated_help_option
except (ImportError, AttributeError):  # pragma: no cover - another typer
    pass
_ru.RICH_HELP = _("cli.panel_try", id="Coba [blue]'{command_path} {help_option}'[/] untuk bantuan.",
                  en="Try [blue]'{command_path} {help_option}'[/] for help.")

from .cli_usage import install as _usage_in_language  # noqa: E402 - click's own usage errors, in the same language

_usage_in_language()

#: The embedded default workspace (Kabupaten Kolaka Utara).
DEFAULT_WORKSPACE = Path(__file__).resolve().parents[2] / "data" / "kolaka_utara"

app = typer.Typer(
    name="outreach-planner",
    help=_("cli.app_help",
           id="Rencanakan minggu jemput bola Dukcapil: tim mana mengunjungi desa, sekolah atau rumah mana pada hari "
              "apa, cakupan terendah lebih dulu.\n\nTanpa WORKSPACE, perintah memakai folder ini bila ada "
              "workspace.toml, selain itu wilayah kerja bawaan Kolaka Utara. Bahasa: --lang en atau "
              "OUTREACH_LANG=en untuk bahasa Inggris.",
           en="Plan the week of civil-registration outreach (jemput bola): which team visits which "
              "village, school or home on which day, lowest coverage first.\n\n"
              "Without WORKSPACE, commands use the current folder when it has a workspace.toml, "
              "else the embedded Kolaka Utara workspace. Language: --lang en or OUTREACH_LANG=en for English."),
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
    typer.Argument(help=_("cli.ws_arg", id="Folder wilayah kerja (dengan workspace.toml). Bawaan: folder ini bila ada "
                            "workspace.toml, selain itu wilayah kerja bawaan Kolaka Utara.",
                          en="Workspace folder (with workspace.toml). Default: the current folder when it has a "
                             "workspace.toml, else the embedded Kolaka Utara workspace.")),
]


#: The old ``--workspace`` option of record, replan and simulate: still accepted (hidden), WORKSPACE is positional.
WorkspaceOption = Annotated[Optional[Path], typer.Option(
    "--workspace", hidden=True, help=_("cli.ws_opt", id="Ejaan lama argumen WORKSPACE (masih diterima).",
                                       en="Old spelling of the WORKSPACE argument (still accepted)."))]


def _one_workspace(positional: Path | None, option: Path | None) -> Path | None:
    """The workspace named by the WORKSPACE argument or the old ``--workspace`` option (exit 2 when they differ)."""
    if positional is not None and option is not None and Path(positional) != Path(option):
        err_console.print(_("cli.two_workspaces", id="WORKSPACE {a} dan --workspace {b} berbeda; sebutkan satu saja "
                            "(tidak ada yang ditulis).", en="WORKSPACE {a} and --workspace {b} differ; name one "
                            "(nothing was written).", a=positional, b=option), highlight=False, markup=False)
        raise typer.Exit(2)
    return positional if positional is not None else option


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
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help=_("cli.version", id="Tampilkan versi lalu keluar.", en="Show the version and exit."))
    ] = False,
    lang: LangOpt = None,
) -> None:
    """Outreach planner."""
    # each command starts from OUTREACH_LANG / Indonesian (--lang of one does not stick); `outreach-planner --lang en
    # COMMAND` and `COMMAND --lang en` both choose English
    set_language(lang.value if lang else None)


def _use_lang(lang) -> None:
    """A command's own ``--lang``, when given (else the group's ``--lang`` / OUTREACH_LANG / Indonesian stays)."""
    if lang is not None:
        set_language(lang.value)


def _warning(message: object) -> str:
    """A warning line for the error console (rich markup)."""
    return _("cli.warning", id="[yellow]peringatan:[/] {m}", en="[yellow]warning:[/] {m}", m=message)


def _input_error(title: str, exc: InputError, consequence: str, hint: str | None = None) -> None:
    """Print every problem of ``exc`` under ``title`` (then ``hint``) and exit with code 2."""
    err_console.print(f"[bold red]{title}:", highlight=False)
    for p in exc.problems:
        err_console.print(f"  - {p}", highlight=False, markup=False)
    err_console.print(_("cli.n_problems", id="{n} masalah; {c}.", en="{n} problem(s); {c}.", n=len(exc.problems),
                        c=consequence), highlight=False)
    if hint:
        err_console.print(hint, highlight=False, markup=False)
    raise typer.Exit(2)


def load(workspace: Path | None):
    """Read a workspace, printing warnings; input errors exit with code 2."""
    from .io import read_workspace

    path = workspace or default_workspace()
    if workspace is None and path == DEFAULT_WORKSPACE:
        err_console.print(_("cli.default_workspace",
                            id="catatan: tidak ada workspace.toml di folder ini; memakai wilayah kerja bawaan "
                               "Kolaka Utara ({p}). Sebutkan WORKSPACE untuk wilayah kerja lain.",
                            en="note: no workspace.toml in this folder; using the embedded Kolaka Utara workspace "
                               "({p}). Name WORKSPACE for another one.", p=DEFAULT_WORKSPACE),
                          highlight=False, markup=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        try:
            ws = read_workspace(path)
        except InputError as exc:
            from .io.setup_hints import missing_counts_hint

            _input_error(_("cli.invalid_ws", id="Wilayah kerja tidak valid[/] {p}", en="Invalid workspace[/] {p}", p=path),
                         exc, _("cli.nothing_written", id="tidak ada yang ditulis", en="nothing was written"),
                         missing_counts_hint(exc, path))
    for w in caught:
        if issubclass(w.category, InputWarning):
            err_console.print(_warning(w.message), highlight=False)
    return ws


def _folder(workspace: Path | None) -> Path:
    """The workspace folder of the ``workspace`` argument (a folder or its workspace.toml)."""
    path = Path(workspace or default_workspace())
    return path.parent if path.is_file() else path


def _pct(x: float) -> str:
    return fmt_pct(x, 2)  # 90,01% in Indonesian, 90.01% in English


@app.command(help=_("cli.check_help", id="Periksa wilayah kerja dan ringkas cakupan terhadap target (tidak ada yang "
                      "ditulis).", en="Validate a workspace and summarise coverage against targets (nothing is "
                      "written)."))
def check(workspace: WorkspaceArg = None, lang: LangOpt = None) -> None:
    """Validate a workspace and summarise coverage against targets (nothing is written)."""
    from .planning.coverage import district_coverage, lowest_villages, regency_coverage

    _use_lang(lang)
    ws = load(workspace)
    districts = sorted({v.district_code for v in ws.villages})
    console.print(_("check.head", id="[bold]{reg}[/] ({code}): {d} kecamatan, {v} desa/kelurahan, {s} sekolah, {t} tim",
                    en="[bold]{reg}[/] ({code}): {d} districts, {v} villages, {s} schools, {t} teams",
                    reg=ws.regency.name, code=ws.regency.code, d=len(districts), v=len(ws.villages),
                    s=len(ws.schools), t=len(ws.teams)))
    sids = ws.service_ids
    names = _service_names(ws)

    t = Table(title=_("check.by_district", id="Cakupan per kecamatan (sudah / wajib)",
                      en="Coverage by district (covered / eligible)"), show_lines=False)
    t.add_column(_("col.district", id="Kecamatan", en="District"))
    for s in ws.services:
        t.add_column(_("check.target_col", id="{s}\n(target {t})", en="{s}\n(target {t})", s=names[s.id],
                       t=_pct(s.target)), justify="right")
    rows = district_coverage(ws)
    by_group: dict[str, dict[str, object]] = {}
    for r in rows:
        by_group.setdefault(r.group, {})[r.service] = r
    for group, cells in by_group.items():
        t.add_row(group, *(_cell(cells[s]) for s in sids))
    reg = {r.service: r for r in regency_coverage(ws)}
    t.add_section()
    t.add_row(_("check.regency", id="[bold]Kabupaten[/]", en="[bold]Regency[/]"),
              *(_cell(reg[s], bold=True) for s in sids))
    console.print(t)

    need = Table(title=_("check.need_title", id="Orang yang masih perlu dilayani untuk mencapai target (kabupaten)",
                         en="People still needed to reach each target (regency)"))
    for i, col in enumerate((_SERVICE(), _("col.eligible", id="Wajib", en="Eligible"),
                             _("col.covered", id="Sudah", en="Covered"), _COVERAGE(), _TARGET(), _STILL_NEEDED())):
        need.add_column(col, justify="left" if i == 0 else "right")
    for s in ws.services:
        r = reg[s.id]
        need.add_row(names[s.id], fmt_int(r.eligible), fmt_int(r.covered), _pct(r.coverage), _pct(r.target),
                     fmt_int(r.needed) if r.needed else _REACHED())
    console.print(need)

    for s in ws.services:
        low = Table(title=_("check.lowest", id="Sepuluh desa/kelurahan dengan cakupan terendah: {s}",
                            en="Ten lowest-coverage villages: {s}", s=names[s.id]))
        for i, col in enumerate((_("col.code", id="Kode", en="Code"), _("col.village", id="Desa/kelurahan",
                                 en="Village"), _("col.district", id="Kecamatan", en="District"), _COVERAGE(),
                                 _("col.unserved", id="Belum", en="Unserved"))):
            low.add_column(col, justify="right" if i >= 3 else "left")
        for v in lowest_villages(ws, s.id):
            low.add_row(v.code, v.name, v.district_name, _pct(v.coverage(s.id)), fmt_int(v.unserved(s.id)))
        console.print(low)

    _check_roads(ws, workspace)
    from .io.setup_hints import setup_notes

    for note in setup_notes(ws):  # placeholders of `init` still in place
        console.print(_note(note), highlight=False)
    console.print(_("check.valid", id="Permintaan kunjungan rumah terbuka: {r}; antaran: {d}. Wilayah kerja valid.",
                    en="Open home-visit requests: {r}; deliveries: {d}. Workspace is valid.", r=len(ws.requests),
                    d=len(ws.deliveries)))


def _note(text: object) -> str:
    """A note line (rich markup)."""
    return _("cli.note", id="[yellow]catatan:[/] {m}", en="[yellow]note:[/] {m}", m=text)


def _service_names(ws) -> dict[str, str]:
    """Service id -> its name in the language in use (``name_id`` in Indonesian)."""
    from .render.strings import service_name

    return {s.id: service_name(s, language()) for s in ws.services}


def _SERVICE() -> str:
    return _("col.service", id="Layanan", en="Service")


def _COVERAGE() -> str:
    return _("col.coverage", id="Cakupan", en="Coverage")


def _TARGET() -> str:
    return _("col.target", id="Target", en="Target")


def _STILL_NEEDED() -> str:
    return _("col.still_needed", id="Masih perlu", en="Still needed")


def _REACHED() -> str:
    return _("col.reached", id="tercapai", en="reached")


def _check_roads(ws, workspace: Path | None) -> None:
    """With a road network: every stop near a road and joined to the main network (exit 2 if not)."""
    from .travel import RoadNetwork, place_names, travel_model

    travel = travel_model(ws, _folder(workspace))
    if getattr(travel, "crossings", None) is not None and hasattr(travel, "mass_of"):  # [travel] islands
        _check_islands(ws, travel)
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
            _input_error(_("check.roads_bad", id="Titik yang tidak terjangkau jaringan jalan[/] ({f})",
                           en="Stops the road network does not reach[/] ({f})", f=travel.network_path.name), exc,
                         _("check.roads_fix", id="perbaiki lapisan jalan atau koordinatnya sebelum merencanakan",
                           en="fix the road layer or the coordinates before planning"))
    for w in caught:
        if issubclass(w.category, InputWarning):
            err_console.print(_warning(w.message), highlight=False)
    console.print(_("check.roads_ok", id="Jaringan jalan {f}: semua {n} titik saling terjangkau dengan {p}.",
                    en="Road network {f}: all {n} stop places reach each other by {p}.", f=travel.network_path.name,
                    n=len(stops), p=_vehicles(profiles)), highlight=False)


def _check_islands(ws, travel) -> None:
    """With ``[travel] islands``: every stop reaches every other for each team's vehicle (exit 2 if not)."""
    pts = list(dict.fromkeys([(d.lon, d.lat) for d in ws.depots] + [(v.lon, v.lat) for v in ws.villages]
                             + [(s.lon, s.lat) for s in ws.schools] + [(r.lon, r.lat) for r in ws.requests]
                             + [(d.lon, d.lat) for d in ws.deliveries]))
    profiles = sorted({t.vehicle for t in ws.teams})
    try:
        for profile in profiles:
            travel.matrices(pts, profile)
    except InputError as exc:
        _input_error(_("check.islands_bad", id="Titik di daratan yang tidak dihubungkan penyeberangan mana pun[/]",
                       en="Stops on land masses no crossing joins[/]"), exc,
                     _("check.islands_fix", id="tambahkan penyeberangan sebelum merencanakan",
                       en="add crossings before planning"))
    n = len(set(travel.mass_of(pts).tolist()))
    console.print(_("check.islands_ok", id="Pulau: titik-titik ada di {n} daratan, dihubungkan {c} penyeberangan untuk "
                    "{p}; waktu tempuh adalah perkiraan dari garis lurus.", en="Islands: the stops lie on {n} land "
                    "mass(es), joined by {c} crossing(s) for {p}; travel times are estimates from straight lines "
                    "(perkiraan).", n=n, c=len(ws.crossings), p=_vehicles(profiles)), highlight=False)


def _vehicles(profiles) -> str:
    """Travel profiles in words of the language in use (``mobil, sepeda motor``); the files keep the codes."""
    from .render.strings import vehicle_name

    return ", ".join(vehicle_name(p, language(), in_text=True) for p in profiles)


class Lang(str, Enum):
    """Languages of the messages, the map and the route sheets."""

    id = "id"
    en = "en"


class LayerFormat(str, Enum):
    """Layer formats ``convert`` can write."""

    csv = "csv"
    geojson = "geojson"
    gpkg = "gpkg"
    xlsx = "xlsx"


@app.command(help=_("cli.convert_help", id="Tulis wilayah kerja dengan semua lapisan dalam satu format (csv, geojson, "
                       "gpkg atau xlsx). Wilayah kerja dibaca dan diperiksa dulu; masukan tidak valid keluar dengan "
                       "kode 2 dan tidak ada yang ditulis.", en="Write a workspace with all layers in one format (csv, "
                       "geojson, gpkg or xlsx). The workspace is read and checked first; invalid input exits with "
                       "code 2 and nothing is written."))
def convert(
    out: Annotated[Path, typer.Option("--out", help=_("cli.convert_out", id="Folder baru yang ditulis (belum boleh ada).",
                                                      en="New folder to write (must not exist)."))],
    workspace: WorkspaceArg = None,
    to: Annotated[LayerFormat, typer.Option("--to", help=_("cli.convert_to", id="Format lapisan yang ditulis.",
                                                           en="Format of the layers written."))] = LayerFormat.csv,
    lang: LangOpt = None,
) -> None:
    """Write a workspace with all layers in one format (csv, geojson, gpkg or xlsx).

    The workspace is read and checked first; invalid input exits with code 2 and
    nothing is written.
    """
    from .io import write_workspace

    _use_lang(lang)
    ws = load(workspace)
    if out.exists():
        err_console.print(_("convert.exists", id="[bold red]{o} sudah ada[/]; pilih folder baru (tidak ada yang ditulis).",
                            en="[bold red]{o} exists[/]; choose a new folder (nothing was written).", o=out),
                          highlight=False)
        raise typer.Exit(2)
    folder = write_workspace(ws, out, to.value, source=_folder(workspace))
    console.print(_("convert.done", id="{f} ditulis ({to}): {v} desa/kelurahan, {s} sekolah, {r} permintaan kunjungan "
                    "rumah, {d} antaran.", en="Wrote {f} ({to}): {v} villages, {s} schools, {r} home-visit requests, "
                    "{d} deliveries.", f=folder, to=to.value, v=len(ws.villages), s=len(ws.schools),
                    r=len(ws.requests), d=len(ws.deliveries)), highlight=False)


class EngineChoice(str, Enum):
    """Engines ``plan --engine`` accepts."""

    auto = "auto"
    ortools = "ortools"
    pyvrp = "pyvrp"
    greedy = "greedy"
    lns = "lns"


@app.command(help=_("cli.plan_help", id="Buat rencana mingguan semua tim dan tulis plan.json, schedule.csv, "
                     "schedule.xlsx, map.html, route_sheets.pdf, sheets/<tim>_<tanggal>.pdf, plan.gpkg dan formulir "
                     "hasil.", en="Make the weekly plan for every team and write plan.json, schedule.csv, "
                     "schedule.xlsx, map.html, route_sheets.pdf, sheets/<team>_<date>.pdf, plan.gpkg and the "
                     "outcomes form."))
def plan(
    workspace: WorkspaceArg = None,
    week: Annotated[Optional[str], typer.Option("--week", help=_("cli.week_opt", id="Minggu ISO yang direncanakan, "
                                                "mis. 2026-W49. Bawaan: minggu depan.", en="ISO week to plan, e.g. "
                                                "2026-W49. Default: next week."))] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help=_("cli.out_opt", id="Folder keluaran. Bawaan: "
                                                "out/<minggu>/.", en="Output folder. Default: out/<week>/."))] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1, help=_(
        "cli.time_opt", id="Batas waktu pencarian, detik.", en="Solver time limit, seconds."))] = 30.0,
    solution_limit: Annotated[Optional[int], typer.Option(
        "--solution-limit", min=1, help=_("cli.solutions_opt", id="Berhenti setelah sekian solusi: hasil yang sama di "
                                          "mesin mana pun.", en="Stop after this many solutions: repeatable results "
                                          "on any machine."))] = None,
    seed: Annotated[int, typer.Option("--seed", help=_("cli.seed_opt", id="Benih acak, dicatat dalam rencana "
                                      "(pencarian OR-Tools deterministik).", en="Random seed, recorded in the plan "
                                      "(OR-Tools search is deterministic)."))] = 0,
    engine: Annotated[EngineChoice, typer.Option(
        "--engine", help=_("cli.engine_opt", id="Pemecah: auto menjalankan setiap mesin yang memodelkan masalahnya, "
                           "paralel, dan memakai rencana valid terbaik (PyVRP tidak memodelkan istirahat, jadi minggu "
                           "bawaan memakai OR-Tools).", en="Solver: auto runs every engine that models the problem, "
                           "in parallel, and keeps the best valid plan (PyVRP does not model breaks, so the default "
                           "week uses OR-Tools)."))
    ] = EngineChoice.auto,
    lang: Annotated[Optional[Lang], typer.Option("--lang", help=_(
        "cli.plan_lang", id="Bahasa pesan, map.html dan lembar rute: id (bawaan) atau en; juga OUTREACH_LANG=en.",
        en="Language of the messages, map.html and the route sheets: id (default) or en; also "
           "OUTREACH_LANG=en."))] = None,
    include_names: Annotated[bool, typer.Option(
        "--include-names", help=_("cli.names_opt", id="Tampilkan nama warga di map.html (untuk internal; lembar rute "
                                  "selalu menyebut nama).", en="Put resident names in map.html (internal use; route "
                                  "sheets always name them)."))
    ] = False,
    no_field_trips: Annotated[bool, typer.Option(
        "--no-field-trips", help=_("cli.no_trips_opt", id="Hanya perjalanan sehari: tidak ada tim yang bermalam (seolah "
                                   "setiap tim field_trips = false).", en="Day trips only: no team sleeps away (as "
                                   "if every team had field_trips = false)."))
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

    _use_lang(lang)
    lang = Lang(language())
    ws = load(workspace)
    if no_field_trips:
        from .planning.trips import without_field_trips

        ws = without_field_trips(ws)
    # every argument is checked before the ledger is opened or anything is written
    tz = ws.regency.timezone
    try:
        wk = Week.parse(week, tz) if week else Week.following(dt.datetime.now(Week(2000, 1, tz).tz).date(), tz)
    except ValueError as exc:
        err_console.print(_("cli.bad_week", id="[bold red]--week:[/] {e} (tidak ada yang ditulis)",
                            en="[bold red]--week:[/] {e} (nothing was written)", e=exc), highlight=False)
        raise typer.Exit(2) from None
    out_dir = out or Path("out") / str(wk)
    _check_out(out_dir)
    _check_engine(engine)
    ws = _campaign_workspace(ws, workspace, str(wk))  # the ledger's progress (read only), when <workspace>/ledger.sqlite exists
    limits = SolveLimits(time_limit_s=time_limit, solution_limit=solution_limit, seed=seed)
    travel = travel_model(ws, _folder(workspace))
    try:
        with _sigterm_exits(), Progress(
                TextColumn(_("plan.solving", id="[bold]Mencari rencana {d}", en="[bold]Solving {d}",
                             d="{task.description}")), BarColumn(), TimeElapsedColumn(),
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
                                     progress=lambda t, obj: bar.update(task, best=_(
                                         "plan.objective", id="skor {o}", en="objective {o}", o=fmt_dec(obj))))
            finally:
                done.set()
                ticker.join()
        for w in caught:
            if issubclass(w.category, InputWarning):
                err_console.print(_warning(w.message), highlight=False)
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
        console.print(_note(hint), highlight=False)
    console.print(_("plan.outputs", id="Keluaran:", en="Outputs:"), highlight=False)
    sheets = [p for name, p in paths.items() if name.startswith("sheets/")]
    for name, path in paths.items():
        if not name.startswith("sheets/"):
            console.print(f"  {name}: {path}", highlight=False)
    if sheets:
        console.print(_("plan.sheets", id="  sheets/: {n} lembar rute di {p}", en="  sheets/: {n} route sheets in {p}",
                        n=len(sheets), p=sheets[0].parent), highlight=False)


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
        err_console.print(f"[bold red]--out:[/] {exc.problems[0].message}", highlight=False)  # i18n: from output_set
        raise typer.Exit(2) from None


def _check_engine(engine) -> None:
    """Exit 2 when the engine asked for is not installed (``auto`` takes what is)."""
    from .engines import engine_available

    name = EngineChoice(engine).value
    if name != "auto" and not engine_available(name):
        err_console.print(_("cli.no_engine", id="[bold red]--engine:[/] mesin {e} tidak terpasang: pasang ulang "
                            "outreach-planner (dependensinya memuatnya) (tidak ada yang ditulis)",
                            en="[bold red]--engine:[/] the {e} engine is not installed: reinstall outreach-planner "
                            "(its dependencies include it) (nothing was written)", e=name), highlight=False)
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


@app.command(help=_("cli.record_help", id="Catat hasil petugas di buku besar (ledger): status permintaan dan orang yang "
                       "dilayani per desa. Setiap baris diperiksa dulu; formulir yang tidak terbaca atau baris yang "
                       "salah dilaporkan (kode keluar 2) dan tidak ada yang dicatat. Mencatat formulir yang sama dua "
                       "kali tidak mengubah apa pun. Status boleh kata Indonesia (selesai, tidak hadir, terkirim, "
                       "gagal, batal, bermalam, pulang) atau kode Inggris.", en="Record the officers' tallies in the "
                       "ledger: request states and people served per village. Every row is checked first; a form "
                       "that cannot be read or any bad row is reported (exit code 2) and nothing is applied. "
                       "Recording the same form twice changes nothing. Statuses may be the Indonesian words (selesai, "
                       "tidak hadir, terkirim, gagal, batal, bermalam, pulang) or the English codes."))
def record(
    paths: Annotated[list[Path], typer.Argument(
        metavar="[WORKSPACE] OUTCOMES", help=_("cli.record_paths", id="Folder wilayah kerja (bawaan: folder ini bila ada "
        "workspace.toml, selain itu wilayah kerja bawaan Kolaka Utara), lalu formulir hasil yang sudah diisi: "
        "outcomes_form.xlsx atau .csv.", en="The workspace folder (default: the current folder when it has a "
        "workspace.toml, else the embedded Kolaka Utara workspace), then the filled tally form: "
        "outcomes_form.xlsx or .csv."))],
    workspace_opt: WorkspaceOption = None,
    ledger: Annotated[Optional[Path], typer.Option(
        "--ledger", help=_("cli.ledger_opt", id="Basis data ledger. Bawaan: <workspace>/ledger.sqlite (dibuat bila belum "
                           "ada).", en="Ledger database. Default: <workspace>/ledger.sqlite (created when missing)."))
    ] = None,
    plan_json: Annotated[Optional[list[Path]], typer.Option(
        "--plan", help=_("cli.record_plan", id="plan.json rencana formulir ini, bila ledger belum memilikinya dan "
                         "formulirnya tidak di sebelahnya (boleh berulang).", en="plan.json of the form's plan, when "
                         "the ledger does not have it and the form is not next to it (repeatable)."))] = None,
    lang: LangOpt = None,
) -> None:
    """Record the officers' tallies in the ledger: request states and people served per village.

    Every row is checked first; a form that cannot be read or any bad row is reported
    (exit code 2) and nothing is applied. Recording the same form twice changes nothing; a
    visit already served on another plan's form adds no people. The next ``plan`` starts
    from the updated coverage and carries over missed visits and failed deliveries.
    """
    from .campaign.cycle import ledger_path, record_form

    _use_lang(lang)
    if len(paths) > 2:
        err_console.print(_("cli.record_args", id="record menerima [WORKSPACE] OUTCOMES (tidak ada yang dicatat).",
                            en="record takes [WORKSPACE] OUTCOMES (nothing was recorded)."), highlight=False,
                          markup=False)
        raise typer.Exit(2)
    if len(paths) == 1 and paths[0].is_dir():  # a workspace (or output) folder and no form: the form is missing
        err_console.print(_("cli.record_no_form", id="{p} adalah folder; berikan juga formulir hasil yang sudah diisi, "
                            "mis. outreach-planner record {p} out/<minggu>/outcomes_form.xlsx (tidak ada yang "
                            "dicatat).", en="{p} is a folder; give the filled tally form too, e.g. outreach-planner "
                            "record {p} out/<week>/outcomes_form.xlsx (nothing was recorded).", p=paths[0]),
                          highlight=False, markup=False)
        raise typer.Exit(2)
    outcomes = paths[-1]
    workspace = _one_workspace(paths[0] if len(paths) == 2 else None, workspace_opt)
    ws = load(workspace)
    path = ledger_path(_folder(workspace), ledger)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        try:
            nights: list = []
            result, plan_ids = record_form(outcomes, ws, path, plan_json or (), nights=nights)
        except InputError as exc:
            _input_error(_("record.invalid", id="Formulir hasil tidak valid[/] {f}", en="Invalid tally form[/] {f}",
                           f=outcomes), exc, _("record.nothing", id="tidak ada yang dicatat", en="nothing was recorded"))
        except OutreachError as exc:
            err_console.print(str(exc), markup=False, highlight=False)
            raise typer.Exit(exc.exit_code) from None
        finally:
            for w in caught:
                if issubclass(w.category, InputWarning):
                    err_console.print(_warning(w.message), highlight=False)
    dup = (_("record.dup", id=" {n} di antaranya sudah dilayani di formulir rencana lain (tidak menambah orang).",
             en=" {n} of them already served on another plan's form (no people added).", n=result.duplicates)
           if result.duplicates else "")
    console.print(_("record.done", id="Rencana {p} dicatat di {path}: {new} baru, {changed} dikoreksi, {same} sudah "
                    "tercatat.{dup}", en="Recorded plan {p} in {path}: {new} new, {changed} corrected, {same} already "
                    "recorded.{dup}", p=", ".join(plan_ids) or "-", path=path, new=result.new, changed=result.changed,
                    same=result.unchanged, dup=dup), highlight=False)
    if nights:  # field trips: where the teams slept (checked and kept in the ledger for replan)
        back = [_("record.back_on", id="{t} pada {d}", en="{t} on {d}", t=n.team, d=n.date)
                for n in nights if n.status == "returned"]
        cut = (_("record.cut", id="; perjalanan dipersingkat, kembali ke kantor: {b}", en="; trip cut short, back at "
                 "base: {b}", b=", ".join(back)) if back else "")
        console.print(_("record.nights", id="Malam di luar yang dilaporkan: {n}{cut}.", en="Nights away reported: "
                        "{n}{cut}.", n=len(nights), cut=cut), highlight=False)


@app.command(help=_("cli.replan_help", id="Rencanakan ulang sisa minggu mulai suatu tanggal: hari sebelumnya dan "
                       "kunjungan yang selesai tetap, tim dilepas bila diminta, sisa hari dioptimalkan lagi; menulis "
                       "plan.json, schedule.*, outcomes_form.* dan changes.csv.", en="Re-plan the rest of the week "
                       "from a date: keep earlier days and done visits, drop a team if asked, re-optimise the "
                       "remaining days; writes plan.json, schedule.*, outcomes_form.* and changes.csv."))
def replan(
    from_: Annotated[str, typer.Option("--from", help=_("cli.from_opt", id="Tanggal pertama yang direncanakan ulang "
                                       "(YYYY-MM-DD); hari sebelumnya tetap.", en="First date to plan again "
                                       "(YYYY-MM-DD); earlier days are kept."))],
    workspace: WorkspaceArg = None,
    team_off: Annotated[Optional[str], typer.Option("--team-off", help=_(
        "cli.team_off_opt", id="Id tim yang libur mulai tanggal itu.", en="Team id off from that date on."))] = None,
    workspace_opt: WorkspaceOption = None,
    ledger: Annotated[Optional[Path], typer.Option(
        "--ledger", help=_("cli.replan_ledger", id="Basis data ledger. Bawaan: <workspace>/ledger.sqlite.",
                           en="Ledger database. Default: <workspace>/ledger.sqlite."))] = None,
    plan_json: Annotated[Optional[Path], typer.Option(
        "--plan", help=_("cli.replan_plan", id="plan.json minggu itu yang direncanakan ulang (bawaan: rencana terakhir "
                         "minggu itu di ledger), dicatat ke ledger lebih dulu (bila ledger belum memilikinya).",
                         en="plan.json of the week to re-plan (default: the ledger's last plan of the week), issued "
                         "to the ledger first (when the ledger does not have it)."))] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help=_(
        "cli.replan_out", id="Folder keluaran. Bawaan: out/<minggu>-replan-<tanggal>/.",
        en="Output folder. Default: out/<week>-replan-<date>/."))] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1, help=_(
        "cli.time_opt", id="Batas waktu pencarian, detik.", en="Solver time limit, seconds."))] = 30.0,
    solution_limit: Annotated[Optional[int], typer.Option("--solution-limit", min=1, help=_(
        "cli.replan_solutions", id="Berhenti setelah sekian solusi.", en="Stop after this many solutions."))] = None,
    engine: Annotated[EngineChoice, typer.Option("--engine", help=_(
        "cli.engine_as_plan", id="Pemecah, seperti pada plan.", en="Solver, as for plan."))] = EngineChoice.auto,
    lang: LangOpt = None,
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

    _use_lang(lang)
    workspace = _one_workspace(workspace, workspace_opt)
    ws = load(workspace)
    try:
        start = dt.date.fromisoformat(from_)
    except ValueError:
        err_console.print(_("replan.bad_from", id="[bold red]--from:[/] perlu tanggal YYYY-MM-DD, tertulis {v}",
                            en="[bold red]--from:[/] expected a date YYYY-MM-DD, got {v}", v=repr(from_)),
                          highlight=False)
        raise typer.Exit(2) from None
    path = ledger_path(_folder(workspace), ledger)
    if not path.is_file() and plan_json is None:
        err_console.print(_("replan.no_ledger", id="Tidak ada ledger di {p}: berikan --plan out/<minggu>/plan.json "
                            "(tidak ada yang ditulis).", en="No ledger at {p}: give --plan out/<week>/plan.json "
                            "(nothing was written).", p=path), highlight=False)
        raise typer.Exit(2)
    # every argument is checked before the ledger is opened or anything is written
    if team_off is not None and team_off not in {t.id for t in ws.teams}:
        err_console.print(_("replan.bad_team", id="[bold red]--team-off:[/] tim {t} tidak dikenal; tim: {all} (tidak ada "
                            "yang ditulis)", en="[bold red]--team-off:[/] unknown team {t}; teams: {all} (nothing was "
                            "written)", t=repr(team_off), all=", ".join(t.id for t in ws.teams)), highlight=False)
        raise typer.Exit(2)
    y, n, _weekday = start.isocalendar()
    out_dir = out or Path("out") / f"{Week(y, n, ws.regency.timezone)}-replan-{start.isoformat()}"
    _check_out(out_dir)
    _check_engine(engine)
    base = None
    if plan_json is not None:
        try:
            base = plan_from_document(json.loads(plan_json.read_text(encoding="utf-8")))
        except (ValueError, TypeError, OSError) as exc:  # an unreadable --plan file
            err_console.print(_("replan.bad_plan", id="Tidak dapat memakai --plan {p}: {e} (tidak ada yang ditulis)",
                                en="Cannot use --plan {p}: {e} (nothing was written)", p=plan_json, e=exc),
                              markup=False, highlight=False)
            raise typer.Exit(2) from None
        if base.week != str(Week(y, n, ws.regency.timezone)):  # --plan is the plan re-planned: of --from's week
            err_console.print(_("replan.plan_week", id="--plan {p} adalah rencana {pw}, tetapi --from {d} ada di {w} "
                                "(tidak ada yang ditulis)", en="--plan {p} is a plan of {pw}, but --from {d} is in {w} "
                                "(nothing was written)", p=plan_json, pw=base.week, d=start.isoformat(),
                                w=Week(y, n, ws.regency.timezone)), markup=False, highlight=False)
            raise typer.Exit(2)
    travel = travel_model(ws, _folder(workspace))
    limits = SolveLimits(time_limit_s=time_limit, solution_limit=solution_limit)
    try:
        with _sigterm_exits():
            with Ledger(path) as led:
                given = led.issue_plan(base) if base is not None else None  # --plan: that plan is re-planned
                res = do_replan(ws, led, start, team_off, limits, EngineChoice(engine).value, travel, plan_id=given)
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
    from .render.strings import format_date

    lang = language()
    t = Table(title=_("replan.title", id="Perubahan mulai {d} (dari {b}, rencana baru {p})",
                      en="Changes from {d} (based on {b}, new plan {p})", d=format_date(start, lang), b=res.based_on,
                      p=pid))
    for col in (_("col.change", id="Perubahan", en="Change"), _("col.visit", id="Kunjungan", en="Visit"),
                _("col.before", id="Sebelum", en="Before"), _("col.after", id="Sesudah", en="After"),
                _("col.reason", id="Alasan", en="Reason")):
        t.add_column(col)
    changed = [c for c in res.changes if c["change"] != "unchanged"]
    # the change, the place, the team's name and the day in words (changes.csv keeps the codes)
    kinds = {"retimed": _("replan.kind_retimed", id="jam bergeser", en="retimed"),
             "moved": _("replan.kind_moved", id="pindah", en="moved"),
             "added": _("replan.kind_added", id="ditambah", en="added"),
             "removed": _("replan.kind_removed", id="dihapus", en="removed")}
    stages = {"pinned": _("replan.stage_pinned", id="kunjungan tetap", en="pinned"),
              "free": _("replan.stage_free", id="rancang ulang penuh", en="free")}
    team_names = {tm.id: tm.name for tm in ws.teams}
    for c in changed:
        fmt = (lambda w: f"{team_names.get(w['team'], w['team'])} "
               f"{format_date(dt.date.fromisoformat(str(w['date'])), lang, short=True)} {w['start']}" if w else "-")
        t.add_row(kinds.get(c["change"], c["change"]), c["place"] or c["visit_id"], fmt(c["before"]),
                  fmt(c["after"]), c["reason"])
    console.print(t)
    rp = res.plan.summary["replan"]
    values = ", ".join(f"{stages.get(k, k)} {fmt_dec(v)}" for k, v in rp["stage_values"].items())
    console.print(_("replan.done", id="{n} perubahan, {same} kunjungan tidak berubah; dipakai rencana ulang tahap "
                    "{stage} (nilai: {values}); keluaran di {out}.", en="{n} change(s), {same} visit(s) unchanged; "
                    "kept the {stage} re-plan (value: {values}); outputs in {out}.", n=len(changed),
                    same=len(res.changes) - len(changed), stage=stages.get(rp["stage"], rp["stage"]), values=values,
                    out=out_dir),
                  highlight=False)
    for cut in rp.get("trips_cut_short", []):  # field trips a recorded night or a team off changed
        console.print(_("replan.trip_cut", id="Perjalanan dinas: {why}.", en="Field trip: {why}.", why=cut["why"]),
                      highlight=False, markup=False)


@app.command(help=_("cli.simulate_help", id="Simulasikan kampanye (rencana, hasil acak, catat, ulangi) dengan perencana "
                       "ini dan dua pembanding (giliran kecamatan, terdekat dulu); menulis tabel markdown dan grafik "
                       "PNG.", en="Simulate a campaign (plan, draw outcomes, record, repeat) with this planner and two "
                       "baselines (district rotation, nearest first); writes a markdown table and a PNG chart."))
def simulate(
    weeks: Annotated[int, typer.Option("--weeks", min=1, help=_("cli.sim_weeks", id="Jumlah minggu yang disimulasikan.",
                                                                en="Weeks to simulate."))] = 12,
    seed: Annotated[int, typer.Option("--seed", help=_("cli.sim_seed", id="Benih kehadiran, ketidakhadiran dan "
                                                       "permintaan baru.", en="Seed of turnout, no-shows and new "
                                                       "requests."))] = 0,
    workspace: WorkspaceArg = None,
    workspace_opt: WorkspaceOption = None,
    out: Annotated[Path, typer.Option("--out", help=_("cli.sim_out", id="Folder keluaran simulation.md dan "
                                                      "simulation.png.", en="Output folder for simulation.md and "
                                                      "simulation.png."))] = Path("out/simulation"),
    week: Annotated[str, typer.Option("--week", help=_("cli.sim_week", id="Minggu ISO pertama kampanye.",
                                                       en="First ISO week of the campaign."))] = "2026-W49",
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.5, help=_(
        "cli.sim_time", id="Detik pencarian per minggu.", en="Solver seconds per week."))] = 10.0,
    solution_limit: Annotated[Optional[int], typer.Option(
        "--solution-limit", min=1, help=_("cli.sim_solutions", id="Hentikan pencarian setelah sekian solusi: hasil "
                                          "berulang sama.", en="Stop the solver after this many solutions: "
                                          "repeatable runs."))] = None,
    no_field_trips: Annotated[bool, typer.Option(
        "--no-field-trips", help=_("cli.sim_no_trips", id="Setiap tim hanya perjalanan sehari (field_trips mati untuk "
                                   "setiap tim).", en="Every team works in day trips (field_trips off for every "
                                   "team)."))] = False,
    lang: LangOpt = None,
) -> None:
    """Simulate a campaign (plan, draw outcomes, record, repeat) with this planner and two baselines
    (district rotation, nearest first); writes a markdown table and a PNG chart."""
    from .campaign.simulate import plot, report_markdown
    from .campaign.simulate import simulate as run_sim
    from .travel import travel_model
    from .week import Week

    _use_lang(lang)
    workspace = _one_workspace(workspace, workspace_opt)
    ws = load(workspace)
    try:
        start = Week.parse(week, ws.regency.timezone)
    except ValueError as exc:
        err_console.print(f"[bold red]--week:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    try:
        runs = run_sim(ws, weeks, seed, start, time_limit_s=time_limit, travel=travel_model(ws, _folder(workspace)),
                       solution_limit=solution_limit, field_trips=not no_field_trips)
    except OutreachError as exc:
        err_console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None
    out.mkdir(parents=True, exist_ok=True)
    md = report_markdown(runs, ws)
    trips = _("sim.no_trips", id="; tanpa perjalanan dinas (--no-field-trips)",
              en="; no field trips (--no-field-trips)") if no_field_trips else ""
    (out / "simulation.md").write_text(_("sim.title", id="# Simulasi kampanye: {weeks} minggu mulai {start}, benih "
                                         "{seed}{trips}", en="# Simulated campaign: {weeks} weeks from {start}, seed "
                                         "{seed}{trips}", weeks=weeks, start=start, seed=seed, trips=trips)
                                       + f"\n\n{md}", encoding="utf-8")
    plot(runs, ws, out / "simulation.png")
    console.print(md, highlight=False, markup=False)
    console.print(_("sim.done", id="{a} dan {b} ditulis.", en="Wrote {a} and {b}.", a=out / "simulation.md",
                    b=out / "simulation.png"), highlight=False)


@app.command(help=_("cli.serve_help", id="Buka meja perencana: aplikasi web lokal (bahasa Indonesia, tombol English) "
                     "untuk cakupan, rencana minggu, lembar rute, pencatatan hasil dan perencanaan ulang.",
                     en="Open the planner's desk: a local web app (Indonesian, English switch) for coverage, the "
                     "week's plan, route sheets, recording outcomes and re-planning."))
def serve(
    workspace: WorkspaceArg = None,
    host: Annotated[str, typer.Option("--host", help=_(
        "cli.host_opt", id="Alamat yang didengarkan. Selain 127.0.0.1/localhost (jaringan kantor) perlu login: kata "
        "sandi ditanyakan pada awal pertama (atau diambil dari OUTREACH_DESK_PASSWORD) dan disimpan sebagai hash.",
        en="Address to listen on. Anything but 127.0.0.1/localhost (the office network) requires a login: the "
        "password is asked for at the first start (or taken from OUTREACH_DESK_PASSWORD) and stored hashed."))
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help=_("cli.port_opt", id="Port.", en="Port."))] = 8765,
    out: Annotated[Path, typer.Option("--out", help=_("cli.serve_out", id="Folder rencana (satu sub-folder per minggu).",
                                                      en="Folder of the plans (one sub-folder per week)."))] = Path("out"),
    time_limit: Annotated[float, typer.Option("--time-limit", min=1, help=_(
        "cli.serve_time", id="Detik pencarian bawaan sebuah rencana.", en="Default solver seconds of a plan."))] = 30.0,
    solution_limit: Annotated[Optional[int], typer.Option(
        "--solution-limit", min=1, help=_("cli.serve_solutions", id="Hentikan setiap pencarian setelah sekian solusi "
                                          "(juga OUTREACH_DESK_SOLUTION_LIMIT).", en="Stop each solve after this many "
                                          "solutions (also OUTREACH_DESK_SOLUTION_LIMIT)."))] = None,
    engine: Annotated[EngineChoice, typer.Option("--engine", help=_(
        "cli.engine_as_plan", id="Pemecah, seperti pada plan.", en="Solver, as for plan."))] = EngineChoice.auto,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help=_(
        "cli.open_opt", id="Buka meja di peramban.", en="Open the desk in the browser."))] = True,
    https: Annotated[bool, typer.Option("--https", help=_(
        "cli.https_opt", id="Meja dibuka lewat proksi HTTPS (mis. Caddy atau nginx di komputer ini): cookie sesi selalu "
        "Secure dan login selalu diperlukan, juga pada 127.0.0.1.", en="The desk is reached through an HTTPS reverse "
        "proxy (e.g. Caddy or nginx on this computer): the session cookie is always Secure and a login is always "
        "required, on 127.0.0.1 too."))] = False,
) -> None:
    """Open the planner's desk: a local web app (Indonesian, English switch) for coverage, the week's plan,
    route sheets, recording outcomes and re-planning."""
    import os
    import threading
    import webbrowser

    import uvicorn

    from .web import DeskConfig, create_app
    from .web import security

    _serve_check(workspace)  # a folder without workspace.toml stops here; an incomplete one opens (its pages say why)
    _check_engine(engine)
    config = DeskConfig(workspace=_folder(workspace), out_root=out, host=host, time_limit=time_limit,
                        solution_limit=solution_limit, engine=EngineChoice(engine).value, https=https)
    if config.login and security.load_auth(config.state_dir) is None:
        password = os.environ.get("OUTREACH_DESK_PASSWORD") or typer.prompt(
            _("serve.password", id="Tetapkan kata sandi meja (sedikitnya 8 karakter)",
              en="Set the desk's password (at least 8 characters)"), hide_input=True, confirmation_prompt=True)
        try:
            security.save_password(config.state_dir, password)
        except ValueError as exc:
            err_console.print(f"[bold red]password:[/] {exc}", highlight=False)
            raise typer.Exit(2) from None
    url = f"http://{'127.0.0.1' if host in ('127.0.0.1', 'localhost', '0.0.0.0') else host}:{port}/"
    console.print(_("serve.on", id="Meja di {u} (wilayah kerja {w}, rencana di {o}); Ctrl-C menghentikannya.",
                    en="Desk on {u} (workspace {w}, plans in {o}); Ctrl-C stops it.", u=url, w=config.workspace,
                    o=config.out_root), highlight=False)
    if open_browser:
        threading.Timer(1.5, lambda: webbrowser.open(url)).start()
    uvicorn.run(create_app(config), host=host, port=port, log_level="info")


def _serve_check(workspace: Path | None) -> None:
    """The desk opens any workspace folder ``check`` reads, even one that is not complete or valid yet (a new
    regency without counts): its problems are printed as a note, and every page of the desk shows them with the
    page that fixes them. A folder without ``workspace.toml`` is refused (exit 2)."""
    from .io import read_workspace

    path = Path(workspace or default_workspace())
    if not (path / "workspace.toml" if path.is_dir() else path).is_file():
        load(workspace)  # the reader's own message (workspace.toml not found), exit 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        try:
            read_workspace(path)
        except InputError as exc:
            from .io.setup_hints import missing_counts_hint

            err_console.print(_note(_("serve.incomplete", id="wilayah kerja {p} belum lengkap atau ada masalah ({n}); "
                                      "meja tetap dibuka dan setiap halamannya menunjukkan apa yang kurang (halaman "
                                      "Data: templat dan unggah jumlah per desa)",
                                      en="workspace {p} is not complete or has a problem ({n}); the desk opens "
                                      "anyway and every page shows what is missing (the Data page: the template and "
                                      "the upload of the counts)", p=path, n=len(exc.problems))),
                              highlight=False)
            for p in exc.problems[:10]:
                err_console.print(f"  - {p}", highlight=False, markup=False)
            hint = missing_counts_hint(exc, path)
            if hint:
                err_console.print(hint, highlight=False, markup=False)


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
    how = (_("plan.gain", id="naik {g} dalam {s} detik terakhir", en="by {g} in the last {s} s", g=fmt_dec(gain),
             s=f"{time_limit - late:g}") if before else
           _("plan.late_first", id="solusi pertamanya datang terlambat", en="after its first solution came late"))
    return _("plan.still_improving", id="pencarian masih membaik saat batas waktu habis ({how}, terakhir pada detik "
             "{last} dari {limit}): --time-limit yang lebih panjang (mis. {more}) bisa mengumpulkan nilai lebih; "
             "wilayah kerja besar memerlukannya (docs/benchmarks.md)", en="the search was still improving when the "
             "time limit ended ({how}, last at {last} s of {limit} s): a longer --time-limit (say {more}) may collect "
             "more value; large workspaces need it (docs/benchmarks.md)", how=how, last=f"{history[-1][0]:.0f}",
             limit=f"{time_limit:g}", more=f"{4 * time_limit:g}")


def _print_plan_summary(p, ws) -> None:
    from collections import Counter

    from .render.strings import format_date, labels, week_words

    s = p.summary
    console.print(_("plan.head", id="[bold]Rencana minggu {w}[/] untuk {ws}: {n} dari {c} kandidat kunjungan, nilai {v} "
                    "dari {va}, perjalanan {h} jam ({km} km); mesin {e}, {t} detik.", en="[bold]Plan for the week of "
                    "{w}[/] for {ws}: {n} of {c} candidate visits, value {v} of {va}, travel {h} h ({km} km); engine "
                    "{e}, {t} s.", w=week_words(p.week, language(), {r.date for r in p.routes}), ws=p.workspace, n=s["scheduled_visits"], c=s["candidate_visits"],
                    v=fmt_dec(s['value_collected']), va=fmt_dec(s['value_available']), h=fmt_dec(s['travel_hours']),
                    km=fmt_int(s['distance_km']), e=p.engine, t=f"{s['solve_seconds']:.0f}"), highlight=False)
    if len(s.get("engines", [])) > 1:
        console.print(_("plan.engines", id="Mesin: ", en="Engines: ") + "; ".join(
            _("plan.engine_row", id="{e} nilai {v}, perjalanan {h} jam", en="{e} value {v}, travel {h} h",
              e=e["engine"], v=fmt_dec(e['value_collected']), h=fmt_dec(e['travel_hours']))
            + (_("plan.violations", id=", {n} pelanggaran", en=", {n} violation(s)", n=e["violations"])
               if e.get("violations") else "")
            if "value_collected" in e else f"{e['engine']}: {e['status']}" for e in s["engines"]), highlight=False)
    dates = sorted({r.date for r in p.routes})
    t = Table(title=_("plan.per_day", id="Kunjungan per tim dan hari", en="Visits per team and day"))
    t.add_column(_("col.team", id="Tim", en="Team"))
    for d in dates:
        t.add_column(format_date(d, language(), short=True), justify="right")
    t.add_column(_("col.travel_h", id="Jam jalan", en="Travel h"), justify="right")
    for team in ws.teams:
        routes = {r.date: r for r in p.routes if r.team == team.id}
        if not routes:
            continue
        t.add_row(team.name, *(str(len(routes[d].visits)) if d in routes else "-" for d in dates),
                  fmt_dec(sum(r.travel_s for r in routes.values()) / 3600))
    console.print(t)
    lodging_names = {lg.id: lg.name for lg in ws.lodgings}  # names a person knows, not ids
    for row in (s.get("field_trips") or {}).get("teams", []):  # field trips: what was chosen and why
        trips = "; ".join(_("plan.trip", id="{trip} di {lodging} {a}..{b} ({n} malam): {why}", en="{trip} at "
                            "{lodging} {a}..{b} ({n} night(s)): {why}", trip=x["trip"],
                            lodging=lodging_names.get(x["lodging"], x["lodging"]),
                            a=x["first_date"], b=x["last_date"], n=x["nights"], why=x["why"]) for x in row["trips"])
        console.print(_("plan.trips", id="Perjalanan dinas {t}: {trips}", en="Field trips {t}: {trips}",
                        t=_team_name(ws, row["team"]), trips=trips or row.get("why", "")), highlight=False)
    c = Table(title=_("plan.coverage", id="Cakupan sebelum dan sesudah minggu ini (kabupaten)",
                      en="Coverage before and after the week (regency)"))
    for i, col in enumerate((_SERVICE(), _("col.expected", id="Perkiraan orang", en="People expected"),
                             _("col.before", id="Sebelum", en="Before"), _("col.after", id="Sesudah", en="After"),
                             _TARGET(), _STILL_NEEDED())):
        c.add_column(col, justify="left" if i == 0 else "right")
    names = _service_names(ws)
    for row in s["coverage"]:
        c.add_row(names[row["service"]], fmt_int(row['expected_people']), _pct(row["before"]), _pct(row["after"]),
                  _pct(row["target"]), fmt_int(row['still_needed_after']) if row["still_needed_after"] else _REACHED())
    console.print(c)
    texts = labels(language())["unassigned_reason"]  # the codes stay English in plan.json: they are data

    reasons = Counter(u.reason for u in p.unassigned)
    if reasons:
        u = Table(title=_("plan.left_out", id="Kunjungan yang tidak masuk, menurut alasan",
                          en="Visits left out, by reason"))
        u.add_column(_("col.reason", id="Alasan", en="Reason"))
        u.add_column(_("col.visits", id="Kunjungan", en="Visits"), justify="right")
        for code, n in reasons.most_common():
            u.add_row(texts.get(code, code), fmt_int(n))  # the reason in words; the code stays in plan.json
        console.print(u)


def _team_name(ws, team_id: str) -> str:
    """A team's name (its id when the workspace has no such team)."""
    return next((t.name for t in ws.teams if t.id == team_id), team_id)


def _cell(r, bold: bool = False) -> str:
    mark = "" if r.coverage >= r.target else " [red]▼[/]"
    text = f"{_pct(r.coverage)}{mark}"
    return f"[bold]{text}[/]" if bold else text


# --------------------------------------------------------------------------- a new regency (issue 15)
LangOpt = Annotated[Optional[Lang], typer.Option(
    "--lang", help=_("cli.lang_opt", id="Bahasa pesan: id (bawaan) atau en; juga OUTREACH_LANG=en.",
                     en="Language of the messages: id (default) or en; also OUTREACH_LANG=en."))]


@app.command(help=_("cli.init_help", id="Buat kerangka wilayah kerja untuk kabupaten mana pun dari data rujukan: desa "
                     "dengan kode, nama, kecamatan, titik singgah berbobot penduduk dan batas wilayah, kantor "
                     "(perkiraan), kalender dengan hari libur nasional, satu tim contoh dan templat Excel untuk "
                     "jumlahnya.", en="Create a workspace skeleton for any regency of the reference data: villages "
                     "with codes, names, kecamatan, population-weighted stop points and boundaries, the (approximate) "
                     "office, the calendar with the national holidays, one example team and an Excel template for "
                     "the counts."))
def init(
    regency: Annotated[str, typer.Option("--regency", help=_(
        "cli.regency_opt", id="Kode kabupaten dari data rujukan, mis. 74.09 (Konawe Utara); titik boleh tidak ada.",
        en="Regency code of the reference data, e.g. 74.09 (Konawe Utara); dots optional."))],
    out: Annotated[Path, typer.Option("--out", help=_("cli.init_out", id="Folder wilayah kerja baru (belum boleh ada).",
                                                      en="New workspace folder (must not exist)."))],
    year: Annotated[Optional[list[int]], typer.Option(
        "--year", help=_("cli.year_opt", id="Tahun yang hari libur nasionalnya masuk kalender (bawaan: tahun ini dan "
                         "tahun depan).", en="Year(s) whose national holidays go into the calendar (default: this "
                         "year and the next)."))] = None,
    lang: LangOpt = None,
) -> None:
    """Create a workspace skeleton for any regency of the reference data: villages with codes, names,
    kecamatan, population-weighted stop points and boundaries, the (approximate) office, the calendar with the
    national holidays, one example team and an Excel template for the counts."""
    from .io.init_workspace import BOARD_MIN, BOAT_KMH, TEMPLATE_FILE, init_workspace

    _use_lang(lang)
    try:
        info = init_workspace(regency, out, year)
    except InputError as exc:
        _input_error(_("init.failed", id="Tidak dapat membuat wilayah kerja[/]", en="Cannot create the workspace[/]"),
                     exc, _("init.nothing", id="tidak ada yang ditulis", en="nothing was written"))
    reg, off = info["regency"], info["office"]
    console.print(_("init.done", id="Wilayah kerja {reg} ({code}) dibuat di {out}: {n} desa/kelurahan, {h} hari libur "
                    "({years}).", en="Created the workspace {reg} ({code}) in {out}: {n} villages, {h} holidays "
                    "({years}).", reg=reg.name, code=reg.code, out=out, n=info["villages"], h=info["holidays"],
                    years=", ".join(map(str, info["years"])) or "-"), highlight=False, markup=False)
    notes = [_("init.office", id="Kantor Dukcapil: titik PERKIRAAN ({v}); ganti lon/lat di workspace.toml dengan "
               "posisi sebenarnya.", en="Dukcapil office: an APPROXIMATE point ({v}); replace lon/lat in "
               "workspace.toml with the real position.", v=off.village_name),
             _("init.holidays", id="Hari libur dari data/holidays/<tahun>.toml (SKB 3 Menteri): periksa tanggalnya, "
               "terutama cuti bersama.", en="Holidays from data/holidays/<year>.toml (SKB 3 Menteri): check the "
               "dates, cuti bersama above all."),
             _("init.team", id="Satu tim CONTOH (tim1): ganti dengan tim kantor.", en="One EXAMPLE team (tim1): "
               "replace it with the office's teams."),
             _("init.next", id="Berikutnya: isi {t} (atau pakai tabel kantor sendiri), lalu outreach-planner import "
               "{out} FILE.xlsx; outreach-planner check {out}.", en="Next: fill in {t} (or use the office's own "
               "table), then outreach-planner import {out} FILE.xlsx; outreach-planner check {out}.",
               t=out / TEMPLATE_FILE, out=out)]
    if info["crossings"]:
        notes.insert(1, _("init.crossings", id="Desa-desa ada di beberapa pulau: {n} penyeberangan laut PERKIRAAN di "
                          "crossings.csv (dermaga = titik desa terdekat, {kmh:g} km/jam + {board} menit naik); periksa "
                          "dan ganti dengan kapal/feri yang sebenarnya.", en="The villages lie on several islands: {n} "
                          "APPROXIMATE sea crossings in crossings.csv (ports = the nearest village points, {kmh:g} km/h "
                          "+ {board} min boarding); check them and put in the real boats/ferries.",
                          n=info["crossings"], kmh=BOAT_KMH, board=BOARD_MIN))
    if info["missing_years"]:
        notes.insert(1, _("init.no_year", id="Tidak ada data hari libur untuk {y}: tambahkan data/holidays/{y}.toml.",
                          en="No holiday data for {y}: add data/holidays/{y}.toml.",
                          y=", ".join(map(str, info["missing_years"]))))
    for n in notes:
        console.print(f"  - {n}", highlight=False, markup=False)


class ImportKind(str, Enum):
    """What a table given to ``import`` holds."""

    villages = "villages"
    schools = "schools"
    home_visit_requests = "home_visit_requests"
    deliveries = "deliveries"


@app.command("import", help=_(
    "cli.import_help", id="Masukkan tabel kantor sendiri ke wilayah kerja (cakupan per desa, sekolah, permintaan "
    "kunjungan rumah, antaran): mengusulkan pemetaan kolom dan kecocokan setiap baris dengan desa (kode, lalu nama "
    "dalam kecamatan, mirip bila perlu); menulis hanya bila setiap baris cocok atau dilewati. Buku kerja dengan "
    "beberapa jenis lembar (templat meja perencana) dimasukkan lembar demi lembar. Usulannya ada di "
    "WORKSPACE/import/<file>.columns.csv dan .rows.csv: sunting (kode_desa, atau keputusan = lewati) lalu jalankan "
    "perintah ini lagi.", en="Bring the office's own spreadsheet into the workspace (coverage per village, schools, "
    "home-visit requests, deliveries): propose a column mapping and a match of every row to a village (code, then "
    "name within the kecamatan, fuzzy where needed); write only when every row is matched or left out. A workbook "
    "with sheets of several kinds (the desk's template) is imported sheet by sheet. The proposals are in "
    "WORKSPACE/import/<file>.columns.csv and .rows.csv: edit them (kode_desa, or keputusan = lewati/skip) and run "
    "the command again."))
def import_(
    workspace: Annotated[Path, typer.Argument(help=_("cli.import_ws", id="Folder wilayah kerja (dengan workspace.toml).",
                                                     en="Workspace folder (with workspace.toml)."))],
    table: Annotated[Path, typer.Argument(help=_(
        "cli.import_table", id="Tabel kantor (.xlsx atau .csv): cakupan per desa, sekolah (NPSN), permintaan kunjungan "
        "rumah atau antaran.", en="The office's table (.xlsx or .csv): coverage per village, schools (NPSN), "
        "home-visit requests or deliveries."))],
    kind: Annotated[Optional[ImportKind], typer.Option(
        "--kind", help=_("cli.kind_opt", id="Isi tabel (bawaan: dikenali dari judul kolomnya).",
                         en="What the table holds (default: told from its headers)."))] = None,
    lang: LangOpt = None,
) -> None:
    """Bring the office's own spreadsheet into the workspace (coverage per village, schools, home-visit
    requests, deliveries): propose a column mapping and a match of every row to a village (code, then name
    within the kecamatan, fuzzy where needed); write only when every row is matched or left out. The proposals are in WORKSPACE/import/<file>.columns.csv and
    .rows.csv: edit them (kode_desa, or keputusan = lewati) and run the command again."""
    from .io.office_import import import_counts

    _use_lang(lang)
    folder = _folder(workspace)
    if not (folder / "workspace.toml").is_file() or not table.is_file():
        missing = table if (folder / "workspace.toml").is_file() else folder / "workspace.toml"
        err_console.print(_("import.missing", id="Tidak ditemukan: {p} (tidak ada yang ditulis)",
                            en="Not found: {p} (nothing was written)", p=missing), highlight=False, markup=False)
        raise typer.Exit(2)
    try:
        _check_table_file(table)
        res = import_counts(folder, table, kind.value if kind else None)
    except InputError as exc:
        _input_error(_("import.invalid", id="Tidak dapat mengimpor[/] {t}", en="Cannot import[/] {t}", t=table), exc,
                     _("import.nothing", id="tidak ada yang ditulis ke wilayah kerja",
                       en="nothing was written to the workspace"))
    from .web.strings import strings as desk_strings

    words = desk_strings(language())  # the desk's words of the target columns and table kinds (not the codes)
    for sheet, cols in res.columns.items():
        console.print(_("import.columns", id="Lembar {s}: kolom {c}", en="Sheet {s}: columns {c}", s=sheet,
                        c=", ".join(f"{words['targets'].get(t, t)}={_col(i)}"
                                    for t, i in sorted(cols.items(), key=lambda x: x[1]))),
                      highlight=False, markup=False)
    console.print(_("import.kind", id="Jenis tabel (--kind): {k}", en="Table kind (--kind): {k}",
                    k=", ".join(f"{words['kinds'].get(k, k)} ({k})" for k in [p.kind for p in res.parts]
                                or [res.kind])), highlight=False, markup=False)
    kinds = {}
    for r in res.rows:
        kinds[_match_label(r.match)] = kinds.get(_match_label(r.match), 0) + 1
    console.print(_("import.summary", id="{n} baris desa: {k}; {s} baris dilewati (judul, nomor kolom, kecamatan, "
                    "jumlah).", en="{n} village rows: {k}; {s} rows skipped (titles, column numbers, kecamatan, "
                    "totals).", n=len(res.rows), k=", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
                    s=len(res.skipped)), highlight=False, markup=False)
    fuzzy = [r for r in res.rows if r.match == "fuzzy"]
    for r in fuzzy:
        console.print(_("import.fuzzy", id="  mirip: baris {row} '{name}' -> {code} ({score:.2f}); periksa di {f}",
                        en="  fuzzy: row {row} '{name}' -> {code} ({score:.2f}); review it in {f}", row=r.row,
                        name=r.name, code=r.village_code, score=r.score, f=res.row_file.name),
                      highlight=False, markup=False)
    if not res.written:
        t = Table(title=_("import.open_title", id="Baris yang perlu keputusan", en="Rows that need a decision"))
        for col in (_("import.h_sheet", id="lembar", en="sheet"), _("import.h_row", id="baris", en="row"),
                    _("import.h_code", id="kode", en="code"), _("import.h_name", id="nama", en="name"),
                    _("import.h_kec", id="kecamatan", en="kecamatan"), _("import.h_match", id="cocok", en="match"),
                    _("import.h_suggestion", id="usulan", en="suggestion")):
            t.add_column(col)
        for r in res.unresolved:
            t.add_row(r.sheet, str(r.row), r.code, r.name, r.kecamatan, _match_label(r.match), r.suggestion)
        console.print(t)
        err_console.print(_("import.decide", id="{n} baris belum cocok; tidak ada yang ditulis ke wilayah kerja. Buka "
                            "{rows}, isi kode_desa atau tulis lewati di kolom keputusan, lalu jalankan perintah ini "
                            "lagi (kolom: {cols}).", en="{n} rows not matched; nothing was written to the workspace. "
                            "Open {rows}, fill in kode_desa (the village code) or write lewati (skip) in the keputusan "
                            "(decision) column, then run this command again (columns: {cols}).",
                            n=len(res.unresolved), rows=res.row_file,
                            cols=res.column_file), highlight=False, markup=False)
        raise typer.Exit(2)
    for part in res.parts or [res]:
        if part.layer is None:  # a sheet with a header and no rows: nothing to write
            continue
        if not part.changed:
            console.print(_("import.unchanged", id="{layer} tidak berubah (isinya sudah sama; berkas tidak ditulis "
                            "ulang). Pemetaan: {rows}", en="{layer} unchanged (its content is already the same; the "
                            "file was not rewritten). Mapping: {rows}", layer=part.layer, rows=res.row_file),
                          highlight=False, markup=False)
        elif part.kind == "villages":
            console.print(_("import.written", id="Jumlah ditulis untuk {n} desa. Pemetaan: {rows}. Berikutnya: "
                            "outreach-planner check {ws}", en="Counts written for {n} villages. Mapping: {rows}. Next: "
                            "outreach-planner check {ws}", n=part.updated, rows=res.row_file, ws=folder),
                          highlight=False, markup=False)
        else:
            console.print(_("import.written_layer", id="{n} baris ditulis ke {layer} (lapisan {kind}, diganti). "
                            "Pemetaan: {rows}. Berikutnya: outreach-planner check {ws}", en="{n} rows written to "
                            "{layer} (layer {kind}, replaced). Mapping: {rows}. Next: outreach-planner check {ws}",
                            n=part.updated, layer=part.layer, kind=part.kind, rows=res.row_file, ws=folder),
                          highlight=False, markup=False)


def _match_label(match: str | None) -> str:
    """How an imported row matched a village, in the user's language (the rows file has its own words)."""
    labels = {
        "code": _("import.m_code", id="kode", en="code"),
        "name": _("import.m_name", id="nama", en="name"),
        "fuzzy": _("import.m_fuzzy", id="mirip", en="fuzzy"),
        "conflict": _("import.m_conflict", id="kode dan nama berbeda desa", en="code and name disagree"),
        "duplicate": _("import.m_duplicate", id="desa ganda", en="duplicate"),
        "skipped": _("import.m_skipped", id="dilewati", en="skipped"),
        "edited": _("import.m_edited", id="disunting", en="edited"),
        "invalid": _("import.m_invalid", id="keputusan ditolak", en="decision refused"),
    }
    return labels.get(match or "", _("import.m_none", id="tidak cocok", en="no match"))


#: What ``import`` reads: the workbooks openpyxl opens, and CSV.
_TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".csv")


def _check_table_file(table: Path) -> None:
    """Refuse, as an input error with the fix, a table ``import`` cannot read: another file type (an old
    ``.xls`` above all) or a workbook that is not a valid ``.xlsx`` (damaged, or renamed)."""
    from .errors import Problem

    suffix = table.suffix.lower()
    if suffix == ".xls":
        msg = _("import.xls", id="berkas Excel lama (.xls) tidak dapat dibaca: buka di Excel lalu Simpan Sebagai "
                "\"Buku Kerja Excel (*.xlsx)\" dan impor berkas .xlsx itu",
                en="an old Excel file (.xls) cannot be read: open it in Excel, Save As \"Excel Workbook (*.xlsx)\" "
                "and import that .xlsx file")
    elif suffix not in _TABLE_SUFFIXES:
        msg = _("import.file_type", id="jenis berkas tidak dikenal; yang dapat dibaca: .xlsx atau .csv",
                en="unknown file type; readable: .xlsx or .csv")
    elif suffix != ".csv":
        import zipfile

        if zipfile.is_zipfile(table):
            with zipfile.ZipFile(table) as z:
                if any(n.startswith("xl/") for n in z.namelist()):  # a spreadsheet, not a renamed .docx
                    return
        msg = _("import.not_xlsx", id="bukan buku kerja .xlsx yang utuh (rusak, atau berkas lain yang diberi nama "
                ".xlsx): buka di Excel lalu simpan lagi sebagai .xlsx",
                en="not a valid .xlsx workbook (damaged, or another file named .xlsx): open it in Excel and save "
                "it again as .xlsx")
    else:
        return
    raise InputError([Problem(table.name, "", "", None, msg)])


def _col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


#: The embedded province default (Sulawesi Tenggara: 17 regency workspaces and province.toml).
DEFAULT_PROVINCE = DEFAULT_WORKSPACE.parent / "sulawesi_tenggara"


@app.command("plan-many", help=_(
    "cli.many_help", id="Rencanakan setiap kabupaten sebuah provinsi di klaster Dask dan tulis keluaran setiap kabupaten "
    "serta ringkasan provinsi (cakupan sebelum/sesudah per kabupaten dan target, orang yang masih perlu, perjalanan, "
    "kegagalan). Kabupaten yang wilayah kerjanya tidak valid dilaporkan dengan masalahnya dan yang lain tetap "
    "direncanakan (kode keluar 2 di akhir bila ada yang gagal). Menjalankan ulang melewati kabupaten yang keluarannya "
    "dibuat dari masukan yang sama.", en="Plan every regency of a province on a Dask cluster and write each "
    "regency's outputs and a province summary (coverage before/after per regency and target, people still needed, "
    "travel, failures). A regency whose workspace is invalid is reported with its problems and the others still "
    "plan (exit 2 at the end when any did not plan). A rerun skips the regencies whose outputs were made from the "
    "same inputs."))
def plan_many_cmd(
    province: Annotated[Optional[Path], typer.Argument(help=_(
        "cli.many_province", id="Folder provinsi (dengan province.toml). Bawaan: Sulawesi Tenggara bawaan.",
        en="Province folder (with province.toml). Default: the embedded Sulawesi Tenggara."))] = None,
    week: Annotated[Optional[str], typer.Option("--week", help=_("cli.week_opt", id="Minggu ISO yang direncanakan, "
                                                "mis. 2026-W49. Bawaan: minggu depan.", en="ISO week to plan, e.g. "
                                                "2026-W49. Default: next week."))] = None,
    regencies: Annotated[Optional[str], typer.Option(
        "--regencies", help=_("cli.many_regencies", id="Kode kabupaten yang direncanakan, dipisah koma (bawaan: semua), "
                              "mis. 74.01,74.08.", en="Comma-separated regency codes to plan (default: all), e.g. "
                              "74.01,74.08."))] = None,
    address: Annotated[Optional[str], typer.Option(
        "--address", help=_("cli.many_address", id="Bergabung ke penjadwal Dask ini (tcp://host:8786) alih-alih "
                            "memulai klaster lokal.", en="Join this Dask scheduler (tcp://host:8786) instead of "
                            "starting a local cluster."))] = None,
    workers: Annotated[Optional[int], typer.Option(
        "--workers", min=1, help=_("cli.many_workers", id="Proses pekerja klaster lokal (bawaan: satu per inti).",
                                   en="Worker processes of the local cluster (default: one per core)."))] = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help=_("cli.many_out", id="Folder keluaran: <out>/<kabupaten>/<minggu>/ per kabupaten dan "
                        "province_<minggu>.csv/.md. Bawaan: out/province.", en="Output folder: <out>/<regency>/<week>/ "
                        "per regency and province_<week>.csv/.md. Default: out/province."))] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1, help=_(
        "cli.many_time", id="Batas waktu pencarian per kabupaten, detik.",
        en="Solver time limit per regency, seconds."))] = 30.0,
    solution_limit: Annotated[Optional[int], typer.Option(
        "--solution-limit", min=1, help=_("cli.many_solutions", id="Hentikan setiap pencarian setelah sekian solusi: "
                                          "hasil berulang sama.", en="Stop each solve after this many solutions: "
                                          "repeatable results."))] = None,
    seed: Annotated[int, typer.Option("--seed", help=_("cli.many_seed", id="Benih acak.", en="Random seed."))] = 0,
    engine: Annotated[EngineChoice, typer.Option(
        "--engine", help=_("cli.many_engine", id="Pemecah per kabupaten (auto: putaran pertama portofolio, satu inti "
                           "masing-masing).", en="Solver per regency (auto: the portfolio's first run, one core "
                           "each)."))] = EngineChoice.auto,
    lang: Annotated[Optional[Lang], typer.Option("--lang", help=_(
        "cli.many_lang_all", id="Bahasa pesan, peta dan lembar rute: id (bawaan) atau en; juga OUTREACH_LANG=en.",
        en="Language of the messages, maps and route sheets: id (default) or en; also OUTREACH_LANG=en."))] = None,
) -> None:
    """Plan every regency of a province on a Dask cluster and write each regency's outputs and a province
    summary (coverage before/after per regency and target, people still needed, travel, failures).

    A regency whose workspace is invalid is reported with its problems and the others still plan (exit 2 at
    the end when any did not plan). A rerun skips the regencies whose outputs were made from the same inputs.
    """
    import datetime as dt

    from .batch.province import read_province, select
    from .batch.run import plan_many
    from .batch.summary import write_summary
    from .week import Week

    _use_lang(lang)  # the progress lines and the summary too, not only the maps (OUTREACH_LANG when not given)
    lang = Lang(language())
    folder = province or DEFAULT_PROVINCE
    try:
        prov = read_province(folder)
        chosen = select(prov, [c.strip() for c in regencies.split(",") if c.strip()] if regencies else None)
        tz = "Asia/Makassar"
        wk = str(Week.parse(week, tz) if week else Week.following(dt.datetime.now(Week(2000, 1, tz).tz).date(), tz))
    except InputError as exc:
        _input_error(_("many.invalid", id="Provinsi tidak valid[/] {f}", en="Invalid province[/] {f}", f=folder), exc,
                     _("cli.nothing_written", id="tidak ada yang ditulis", en="nothing was written"))
    except ValueError as exc:
        err_console.print(_("many.bad_week", id="[bold red]--week:[/] {exc} (tidak ada yang ditulis)",
                            en="[bold red]--week:[/] {exc} (nothing was written)", exc=exc), highlight=False)
        raise typer.Exit(2) from None
    out_dir = out or Path("out") / "province"
    _check_out(out_dir)
    _check_engine(engine)
    where = (_("many.scheduler", id="scheduler {a}", en="scheduler {a}", a=address) if address else
             _("many.local", id="klaster Dask lokal", en="local Dask cluster"))
    console.print(_("many.start", id="[bold]{p}[/]: merencanakan {n} kabupaten untuk {wk} ({where})",
                    en="[bold]{p}[/]: planning {n} regencies for {wk} ({where})", p=prov.name, n=len(chosen), wk=wk,
                    where=where), highlight=False)
    t0 = __import__("time").monotonic()

    def report(event: str, r: dict) -> None:
        el = f"{__import__('time').monotonic() - t0:6.1f}s"
        if event == "started":
            console.print(_("many.solving", id="{el} {code} {name}: menghitung", en="{el} {code} {name}: solving",
                            el=el, code=r["code"], name=r["name"]), highlight=False)
        elif event == "skipped":
            console.print(_("many.skipped", id="{el} {code} {name}: sudah dibuat sebelumnya dengan masukan yang sama, "
                            "dilewati", en="{el} {code} {name}: done before with the same inputs, skipped", el=el,
                            code=r["code"], name=r["name"]), highlight=False)
        elif r["status"] == "planned":
            console.print(_("many.planned", id="{el} {code} {name}: {done}/{n} kunjungan direncanakan, nilai {value}, "
                            "perjalanan {hours} jam ({solve} dtk menghitung)", en="{el} {code} {name}: planned "
                            "{done}/{n} visits, value {value}, travel {hours} h ({solve} s solve)", el=el,
                            code=r["code"], name=r["name"], done=r["scheduled"], n=r["candidates"],
                            value=fmt_dec(r['value']), hours=fmt_dec(r["travel_hours"]), solve=r["solve_s"]),
                          highlight=False)
        else:
            console.print(_("many.failed", id="{el} {code} {name}: [bold red]{status}[/] ({n} masalah):",
                            en="{el} {code} {name}: [bold red]{status}[/] ({n} problem(s)):", el=el, code=r["code"],
                            name=r["name"], status=r["status"], n=len(r.get("errors", []))), highlight=False)
            for e in r.get("errors", [])[:10]:
                console.print(f"    - {e}", highlight=False, markup=False)
    try:
        with _sigterm_exits():
            results = plan_many(prov, chosen, out_dir, wk, time_limit=time_limit, solution_limit=solution_limit,
                                seed=seed, engine=EngineChoice(engine).value, lang=lang.value, address=address,
                                workers=workers, report=report)
    except OutreachError as exc:
        err_console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None
    paths = write_summary(results, out_dir, wk, prov.name)
    bad = [r for r in results if r["status"] != "planned"]
    console.print(_("many.done", id="{ok} dari {n} kabupaten direncanakan. Ringkasan: {csv}, {md}, {html}",
                    en="Planned {ok} of {n} regencies. Summary: {csv}, {md}, {html}", ok=len(results) - len(bad),
                    n=len(results), csv=paths["csv"], md=paths["md"], html=paths["html"]), highlight=False)
    if bad:
        raise typer.Exit(2)


def run() -> None:  # pragma: no cover - console entry for `python -m`
    """Entry point that maps our errors to exit codes."""
    try:
        app()
    except OutreachError as exc:
        err_console.print(str(exc), markup=False)
        raise SystemExit(exc.exit_code) from None


if __name__ == "__main__":  # pragma: no cover
    run()
