"""Rendering (issue 5): route sheets, the map, the GeoPackage, the CLI wiring, a real browser, the notebook.

Structure, not pixels. One plan of the small workspace per module, with a NIK on every home-visit
request, rendered once into a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import warnings
from pathlib import Path

import pytest
from browser import session, severe_console
from browser import skip_or_fail as _skip_or_fail

from outreach_planner.engines import SolveLimits
from outreach_planner.io import read_workspace
from outreach_planner.planning.planner import make_plan
from outreach_planner.render import MAP_HTML, PLAN_GPKG, ROUTE_SHEETS_PDF, render_all
from outreach_planner.render._common import legs, stop_numbers
from outreach_planner.render.map import external_resources, map_html
from outreach_planner.render.sheets import sheet_filename
from outreach_planner.travel import travel_model
from outreach_planner.week import Week

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "data" / "small"
NOTEBOOK = ROOT / "notebooks" / "weekly_plan.ipynb"
RENDER_SRC = ROOT / "src" / "outreach_planner" / "render"
WITA = dt.timezone(dt.timedelta(hours=8))


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def ws():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = read_workspace(SMALL)
    # a NIK on every request, whichever home visit the plan makes
    reqs = tuple(r.model_copy(update={"nik": f"74080101{i:04d}{4321 + i:04d}"}) for i, r in enumerate(base.requests))
    return base.model_copy(update={"requests": reqs})


@pytest.fixture(scope="module")
def travel(ws):
    return travel_model(ws)


@pytest.fixture(scope="module")
def plan(ws, travel):
    now = dt.datetime(2026, 11, 27, 9, 30, tzinfo=WITA)
    run = make_plan(ws, Week.parse("2026-W49"), SolveLimits(time_limit_s=600, solution_limit=50), travel=travel,
                    now=now)
    p = run.plan
    assert p.routes and p.unassigned
    assert any(s.kind == "home_visit" for _, s in p.visit_steps), "the checks below need a home visit"
    return p


@pytest.fixture(scope="module")
def out(plan, ws, travel, tmp_path_factory):
    folder = tmp_path_factory.mktemp("render")
    paths = render_all(plan, ws, travel, folder)
    return folder, paths


def _pdf_text(path_or_bytes) -> list[str]:
    from pypdf import PdfReader

    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else str(path_or_bytes)
    return [page.extract_text() or "" for page in PdfReader(src).pages]


def _resident_strings(ws) -> list[str]:
    """Personal data that a shareable output must not contain."""
    out = []
    for r in ws.requests:
        out += [r.name, r.nik or ""] + ([r.address] if len(r.address) > 8 else [])
    for d in ws.deliveries:
        out += [d.recipient] + ([d.address] if len(d.address) > 8 else [])
    return [s for s in out if s]


def _token(ws, step) -> str:
    """A text that the sheet's row for ``step`` must contain."""
    kind, rest = step.visit_id.split(":", 1)
    if kind == "vs":
        return ws.village(rest.rsplit(":", 1)[0]).name
    if kind == "sc":
        return next(s.name for s in ws.schools if s.id == rest)
    return f"({rest})"  # home visit and delivery rows carry the request or delivery id


# --------------------------------------------------------------------------- outputs
def test_every_output_is_written(out, plan):
    folder, paths = out
    expected = {MAP_HTML, ROUTE_SHEETS_PDF, PLAN_GPKG} | {f"sheets/{sheet_filename(r)}" for r in plan.routes}
    assert set(paths) == expected
    for p in paths.values():
        assert p.is_file() and p.stat().st_size > 0
    leftovers = [p for p in folder.rglob("*") if p.name.startswith(".") or ".tmp" in p.name]
    assert leftovers == []


def test_render_imports_no_engine():
    for f in RENDER_SRC.glob("*.py"):
        imports = [ln for ln in f.read_text().splitlines() if re.match(r"\s*(from|import)\s", ln)]
        assert not [ln for ln in imports if "engines" in ln or "ortools" in ln or "planner" in ln], f.name


def test_unknown_language_writes_nothing(plan, ws, travel, tmp_path):
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        render_all(plan, ws, travel, tmp_path / "x", lang="fr")
    assert not (tmp_path / "x").exists()


def test_failure_leaves_earlier_outputs(plan, ws, travel, tmp_path, monkeypatch):
    render_all(plan, ws, travel, tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    import outreach_planner.render.sheets as sheets

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sheets, "sheets_pdfs", boom)
    with pytest.raises(RuntimeError):
        render_all(plan, ws, travel, tmp_path, lang="en")
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_stale_sheets_of_the_week_are_removed(plan, ws, travel, tmp_path):
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    team = ws.teams[0].id
    stale = sheets / f"{team}_2026-12-06.pdf"  # Sunday of 2026-W49: no route
    other_week = sheets / f"{team}_2026-12-14.pdf"
    mine = sheets / "catatan.pdf"
    for f in (stale, other_week, mine):
        f.write_bytes(b"%PDF-1.4\n")
    render_all(plan, ws, travel, tmp_path)
    assert not stale.exists() and other_week.exists() and mine.exists()


# --------------------------------------------------------------------------- route sheets
def test_pages_per_team_day(out, plan):
    folder, paths = out
    singles = {sheet_filename(r): _pdf_text(paths[f"sheets/{sheet_filename(r)}"]) for r in plan.routes}
    assert all(len(pages) >= 1 for pages in singles.values())
    combined = _pdf_text(paths[ROUTE_SHEETS_PDF])
    assert len(combined) == sum(len(p) for p in singles.values()) >= len(plan.routes)


def test_sheet_lists_stops_in_plan_order(out, plan, ws):
    _, paths = out
    for r in plan.routes:
        text = "\n".join(_pdf_text(paths[f"sheets/{sheet_filename(r)}"]))
        pos = 0
        for s in r.visits:
            tok = _token(ws, s)
            at = text.find(tok, pos)
            assert at >= 0, f"{r.team} {r.date}: {tok!r} ({s.visit_id}) missing after position {pos}"
            pos = at + len(tok)


def test_combined_pdf_in_team_day_order(out, plan, ws):
    _, paths = out
    text = "\n".join(_pdf_text(paths[ROUTE_SHEETS_PDF]))
    order = {t.id: i for i, t in enumerate(ws.teams)}
    pos = 0
    for r in sorted(plan.routes, key=lambda r: (order[r.team], r.date)):
        head = f"({r.team})"
        at = text.find(head, pos)
        assert at >= 0, f"sheet of {r.team} {r.date} out of order"
        pos = at + len(head)


def test_sheet_header_and_footer(out, plan, ws):
    _, paths = out
    r = plan.routes[0]
    team = next(t for t in ws.teams if t.id == r.team)
    first = _pdf_text(paths[f"sheets/{sheet_filename(r)}"])[0]
    for text in ("LEMBAR RUTE", team.name, *team.members, "Berangkat", "Kembali", "Ketua Tim", plan.week,
                 "Hal. 1/"):
        assert text in first, text
    assert "2026-11-27 09:30" in first  # the plan id: when it was generated


def test_nik_masked_and_names_for_officers(out, plan, ws):
    _, paths = out
    text = "\n".join(t for p in paths.values() if p.suffix == ".pdf" for t in _pdf_text(p))
    for r in ws.requests:
        assert r.nik not in text
    visited = {s.visit_id.split(":", 1)[1] for _, s in plan.visit_steps if s.kind == "home_visit"}
    for r in ws.requests:
        if r.id in visited:
            assert r.name in text  # the officer's sheet names the resident
            assert "*" * 12 + r.nik[-4:] in text  # last 4 digits at most
    digits = re.findall(r"\d{5,}", text.replace(" ", ""))
    assert not [d for d in digits if any(d in (r.nik or "") for r in ws.requests)]


def test_english_sheets(plan, ws, travel):
    from outreach_planner.render.sheets import sheets_pdfs

    singles, combined = sheets_pdfs(plan, ws, travel, lang="en")
    text = "\n".join(_pdf_text(combined))
    assert "OUTREACH ROUTE SHEET" in text and "Team leader" in text and "LEMBAR" not in text


# --------------------------------------------------------------------------- map
def test_map_layers(out, plan, ws):
    _, paths = out
    html = paths[MAP_HTML].read_text(encoding="utf-8")
    # layer names are JSON strings in the layer control's script
    assert html.count('data-team=\\"') == len(plan.routes)  # one route layer per team-day
    assert html.count('data-sid=\\"') == len(ws.services)  # one coverage layer per service
    assert html.count("op-unassigned") >= 1
    assert "L.control.layers" in html
    for s in ws.services:
        assert f"target {100 * s.target:g}%" in html  # the legend gives the target


def test_map_is_self_contained(out):
    _, paths = out
    html = paths[MAP_HTML].read_text(encoding="utf-8")
    assert external_resources(html) == []
    assert "cdn." not in html and "tile.openstreetmap" not in html
    assert "L.Icon.Default" in html and "leaflet" in html.lower()


def test_map_is_shareable_by_default(out, ws):
    _, paths = out
    html = paths[MAP_HTML].read_text(encoding="utf-8")
    leaked = [s for s in _resident_strings(ws) if s in html]
    assert leaked == [], "personal data in the shareable map"


def test_map_names_only_when_asked(plan, ws, travel):
    html = map_html(plan, ws, travel, include_names=True)
    visited = {s.visit_id.split(":", 1)[1] for _, s in plan.visit_steps if s.kind == "home_visit"}
    names = [r.name for r in ws.requests if r.id in visited]
    assert names and all(n in html for n in names)
    assert not [r.nik for r in ws.requests if r.nik in html]  # never a NIK


def test_map_in_english(plan, ws, travel):
    html = map_html(plan, ws, travel, lang="en")
    assert "Coverage" in html and "Not scheduled" in html and "Cakupan" not in html


def test_route_leg_tips_give_the_minutes_in_the_map_language(plan, ws, travel):
    """A leg's tooltip: ``(12 mnt, 3,4 km)`` on the Indonesian map (Indonesian decimals), ``(12 min, 3.4 km)`` on
    the English one."""
    import re

    legs_id = re.findall(r"\((\d+) (\w+), \d+,\d km\)", map_html(plan, ws, travel))
    legs_en = re.findall(r"\((\d+) (\w+), \d+\.\d km\)", map_html(plan, ws, travel, lang="en"))
    assert legs_id and {u for _, u in legs_id} == {"mnt"}
    assert [n for n, _ in legs_en] == [n for n, _ in legs_id] and {u for _, u in legs_en} == {"min"}


# --------------------------------------------------------------------------- GeoPackage
def test_geopackage_reads_back(out, plan, ws):
    import geopandas as gpd
    import pyogrio

    _, paths = out
    gpkg = paths[PLAN_GPKG]
    assert {name for name, _ in pyogrio.list_layers(gpkg)} == {"stops", "routes", "legs"}
    stops = gpd.read_file(gpkg, layer="stops")
    routes = gpd.read_file(gpkg, layer="routes")
    leg_rows = gpd.read_file(gpkg, layer="legs")
    assert stops.crs.to_epsg() == 4326 and routes.crs.to_epsg() == 4326
    assert len(stops) == len(plan.visit_steps) and set(stops.geom_type) == {"Point"}
    assert len(routes) == len(plan.routes) and set(routes.geom_type) == {"LineString"}
    assert len(leg_rows) == sum(len(list(legs(r))) for r in plan.routes)
    for col in ("team", "date", "stop_no", "visit_id", "kind", "place", "arrival", "end",
                *(f"expected_{s}" for s in ws.service_ids)):
        assert col in stops.columns
    first = plan.routes[0]
    got = stops[(stops.team == first.team) & (stops.date == first.date.isoformat())].sort_values("stop_no")
    assert list(got.visit_id) == [s.visit_id for s in first.visits]
    text = " ".join(str(v) for df in (stops, routes, leg_rows) for col in df.columns if df[col].dtype == object
                    for v in df[col])
    assert [s for s in _resident_strings(ws) if s in text] == []


# --------------------------------------------------------------------------- CLI
def test_plan_command_writes_rendered_outputs(tmp_path):
    from typer.testing import CliRunner

    from outreach_planner.cli import app

    res = CliRunner().invoke(app, ["plan", str(SMALL), "--week", "2026-W49", "--solution-limit", "30", "--time-limit", "600",
                                   "--out", str(tmp_path), "--lang", "en", "--include-names"])
    assert res.exit_code == 0, res.output
    for name in ("plan.json", "schedule.csv", MAP_HTML, ROUTE_SHEETS_PDF, PLAN_GPKG):
        assert (tmp_path / name).is_file(), name
    assert list((tmp_path / "sheets").glob("*.pdf"))
    html = (tmp_path / MAP_HTML).read_text(encoding="utf-8")
    assert "Not scheduled" in html and "Nenek Contoh" in html  # English, with names as asked


# --------------------------------------------------------------------------- a real browser
def _browser():
    return session("1400,1000")


def test_map_opens_in_headless_chromium(out, plan, ws):
    _, paths = out
    with _browser() as drv:
        drv.set_page_load_timeout(60)
        drv.get(paths[MAP_HTML].resolve().as_uri())
        drv.implicitly_wait(0)
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(drv, 20).until(lambda d: d.execute_script(
            "return document.querySelectorAll('.leaflet-control-layers-overlays label').length") > 0)
        counts = drv.execute_script("""return {
            layers: document.querySelectorAll('.leaflet-control-layers-overlays .op-route').length,
            lines: document.querySelectorAll('path.op-route-line').length,
            stops: document.querySelectorAll('.op-stop').length,
            services: document.querySelectorAll('.leaflet-control-layers-base input').length,
            legend: document.querySelector('.op-legend').textContent};""")
        assert counts["layers"] == len(plan.routes)
        assert counts["lines"] == sum(len(list(legs(r))) for r in plan.routes)
        assert counts["stops"] == sum(len(stop_numbers(r)) for r in plan.routes)
        assert counts["services"] == len(ws.services)
        # the layer control is collapsed to its button; the marker legend names what the map draws
        ui = drv.execute_script("""return {
            expanded: document.querySelectorAll('.leaflet-control-layers-expanded').length,
            control: document.querySelectorAll('.leaflet-control-layers').length,
            kinds: Array.from(document.querySelectorAll('.op-markers [data-kind]')).map(e => e.dataset.kind),
            teams: Array.from(document.querySelectorAll('.op-markers [data-kind=team]')).map(
                e => [e.dataset.legendTeam, e.dataset.colour]),
            lineColours: Array.from(new Set(Array.from(document.querySelectorAll('path.op-route-line')).map(
                e => e.getAttribute('stroke'))))};""")
        assert ui["control"] == 1 and ui["expanded"] == 0
        assert {"office", "stop", "unassigned"} <= set(ui["kinds"])
        teams_drawn = {r.team for r in plan.routes}
        assert {t for t, _ in ui["teams"]} == teams_drawn
        assert len({c for _, c in ui["teams"]}) == len(teams_drawn)  # one colour per team
        assert set(ui["lineColours"]) == {c for _, c in ui["teams"]}
        assert ws.services[0].name_id in counts["legend"]
        # switch to the second service: the legend follows
        drv.execute_script("document.querySelectorAll('.leaflet-control-layers-base input')[1].click();")
        legend = drv.execute_script("return document.querySelector('.op-legend').textContent;")
        assert ws.services[1].name_id in legend
        # hide every route, then show them again
        drv.execute_script("document.querySelector('.op-all-routes[data-show=\"0\"]').click();")
        assert drv.execute_script("return document.querySelectorAll('path.op-route-line').length;") == 0
        drv.execute_script("document.querySelector('.op-all-routes[data-show=\"1\"]').click();")
        assert drv.execute_script("return document.querySelectorAll('path.op-route-line').length;") == counts["lines"]
        # a stop's popup opens
        drv.execute_script("document.querySelector('.op-stop').parentElement.click();")
        assert drv.execute_script("return document.querySelectorAll('.leaflet-popup .op-popup').length;") == 1
        severe = severe_console(drv)
        assert severe == [], severe


# --------------------------------------------------------------------------- notebook
def test_notebook_executes(tmp_path):
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError:
        _skip_or_fail("nbclient/nbformat are not installed (pip install -e '.[test]')")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    old = os.environ.get("OUTREACH_NOTEBOOK_OUT")
    os.environ["OUTREACH_NOTEBOOK_OUT"] = str(tmp_path)  # the kernel inherits it: outputs go to tmp_path
    try:
        NotebookClient(nb, timeout=180, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        if old is None:
            os.environ.pop("OUTREACH_NOTEBOOK_OUT", None)
        else:
            os.environ["OUTREACH_NOTEBOOK_OUT"] = old
    assert (tmp_path / MAP_HTML).is_file() and (tmp_path / ROUTE_SHEETS_PDF).is_file()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("text/html" in o.get("data", {}) and "leaflet" in o["data"]["text/html"].lower() for o in outputs)
