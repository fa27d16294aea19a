"""Field trips in every output (issue 13): route sheets, the map, plan.gpkg, schedule.xlsx and the tally form.

The planner does not make field trips yet: the plan here is written by hand. Tim 1 leaves the office on
Tuesday, sleeps at the district office of a far village (Kantor Camat), works on Wednesday from there and
sleeps at a guesthouse, and comes back to the office on Thursday; on Monday it makes a day trip. The
courier makes a day trip on Tuesday.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from pathlib import Path

import pytest

from outreach_planner.io import read_workspace
from outreach_planner.model import Lodging
from outreach_planner.plan import Plan, Route, Step

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "data" / "small"
WITA = dt.timezone(dt.timedelta(hours=8))
MON, TUE, WED, THU = (dt.date(2026, 11, 30) + dt.timedelta(days=k) for k in range(4))


def _t(day: dt.date, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=WITA)


def trip_workspace():
    """The small workspace with two lodgings: a district office and a guesthouse."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = read_workspace(SMALL)
    v = base.villages
    lodgings = (
        Lodging(id="kc-ngapa", name="Kantor Camat Ngapa", kind="kantor_camat", lon=v[-1].lon + 0.002,
                lat=v[-1].lat + 0.002, village_code=v[-1].code),
        Lodging(id="pg-sari", name="Losmen Sari", kind="penginapan", lon=v[-2].lon - 0.002, lat=v[-2].lat,
                village_code=v[-2].code, capacity=2),
    )
    return base.replace(lodgings=lodgings)


@pytest.fixture(scope="module")
def ws():
    return trip_workspace()


def _visit(ws, day, vid, village, arrival, start, end, expected):
    v = ws.village(village)
    return Step(type="visit", visit_id=vid, kind="village_session", place=f"{v.name}, Kec. {v.district_name}",
                village_code=village, location=(v.lon, v.lat), arrival=_t(day, arrival), start=_t(day, start),
                end=_t(day, end), travel_s=900, distance_m=9000, expected=expected, value=12.5,
                why=f"Perekaman e-KTP 80.0% (target 98.0%): {expected.get('ektp', 0)} org; sesi 1/2")


def _place(ws, day, kind, at, place_id):
    lg = next((x for x in ws.lodgings if x.id == place_id), None)
    d = lg or next(x for x in ws.depots if x.id == place_id)
    return Step(type=kind, place=d.name, location=(d.lon, d.lat), arrival=_t(day, at), start=_t(day, at),
                end=_t(day, at), travel_s=0 if kind == "start" else 1200, distance_m=0 if kind == "start" else 12000)


def _break(day, start, end):
    return Step(type="break", place="Istirahat siang", arrival=_t(day, start), start=_t(day, start), end=_t(day, end))


def trip_plan(ws) -> Plan:
    """Tim 1: a day trip on Monday and a trip Tuesday-Thursday with two nights; the courier on Tuesday."""
    team, office = ws.teams[0], ws.depots[0].id
    v = [x.code for x in ws.villages]
    trip = f"{team.id}-t1"
    routes = [
        Route(team=team.id, date=MON, depot=office, steps=(
            _place(ws, MON, "start", "08:00", office),
            _visit(ws, MON, f"vs:{v[0]}:1", v[0], "08:30", "08:30", "11:30", {"ektp": 8}),
            _place(ws, MON, "end", "12:00", office))),
        Route(team=team.id, date=TUE, depot=office, end_at="kc-ngapa", trip=trip, steps=(
            _place(ws, TUE, "start", "08:00", office),
            _visit(ws, TUE, f"vs:{v[1]}:1", v[1], "09:00", "09:00", "11:55", {"ektp": 9, "kia": 3}),
            _break(TUE, "12:00", "13:00"),
            _visit(ws, TUE, f"vs:{v[-1]}:1", v[-1], "13:30", "13:30", "15:30", {"ektp": 7}),
            _place(ws, TUE, "night", "15:45", "kc-ngapa"))),
        Route(team=team.id, date=WED, depot=office, start_at="kc-ngapa", end_at="pg-sari", trip=trip, steps=(
            _place(ws, WED, "start", "07:45", "kc-ngapa"),
            _visit(ws, WED, f"vs:{v[-1]}:2", v[-1], "08:00", "08:00", "11:50", {"ektp": 10}),
            _break(WED, "12:00", "13:00"),
            _visit(ws, WED, f"vs:{v[-2]}:1", v[-2], "13:20", "13:20", "15:40", {"ektp": 6}),
            _place(ws, WED, "night", "15:55", "pg-sari"))),
        Route(team=team.id, date=THU, depot=office, start_at="pg-sari", trip=trip, steps=(
            _place(ws, THU, "start", "07:50", "pg-sari"),
            _visit(ws, THU, f"vs:{v[-2]}:2", v[-2], "08:00", "08:00", "11:00", {"ektp": 5}),
            _place(ws, THU, "end", "14:30", office))),
    ]
    if len(ws.teams) > 1 and ws.deliveries:
        dl = ws.deliveries[0]
        routes.append(Route(team=ws.teams[1].id, date=TUE, depot=office, steps=(
            _place(ws, TUE, "start", "08:00", office),
            Step(type="visit", visit_id=f"dl:{dl.id}", kind="delivery", place="Antar dokumen", village_code=dl.village_code,
                 location=(dl.lon, dl.lat), arrival=_t(TUE, "09:00"), start=_t(TUE, "09:00"), end=_t(TUE, "09:05"),
                 travel_s=600, distance_m=4000, value=3.0, why=f"antar {dl.document}, siap {dl.ready_on.isoformat()}"),
            _place(ws, TUE, "end", "09:30", office))))
    return Plan(week="2026-W49", workspace=f"{ws.regency.code} {ws.regency.name}",
                generated_at=dt.datetime(2026, 11, 27, 9, 30, tzinfo=WITA), engine="hand", timezone="Asia/Makassar",
                routes=tuple(routes), unassigned=())


@pytest.fixture(scope="module")
def plan(ws):
    return trip_plan(ws)


@pytest.fixture(scope="module")
def travel(ws):
    from outreach_planner.travel import travel_model

    return travel_model(ws)


def _text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def pdfs(plan, ws, travel):
    from outreach_planner.render.sheets import sheets_pdfs

    return sheets_pdfs(plan, ws, travel)


# --------------------------------------------------------------------------- route sheets
def _sheet(pdfs, route) -> str:
    from outreach_planner.render.sheets import sheet_filename

    return " ".join(_text(pdfs[0][sheet_filename(route)]))


def _route(plan, team, day):
    return next(r for r in plan.routes if r.team == team and r.date == day)


def test_first_day_of_a_trip_ends_with_the_night(pdfs, plan, ws):
    text = _sheet(pdfs, _route(plan, ws.teams[0].id, TUE))
    assert "Berangkat dari kantor" in text
    assert "Bermalam di Kantor Camat Ngapa (tiba 15:45)" in text
    assert "Kembali ke kantor" not in text
    assert text.index("Mala-Mala") < text.index("Bermalam di Kantor Camat Ngapa (tiba")  # the night comes last
    assert "Perjalanan dinas 2 malam: Selasa–Kamis, bermalam di Kantor Camat Ngapa (Sel), penginapan Losmen Sari " \
           "(Rab) · hari 1 dari 3" in text


def test_day_after_a_night_leaves_from_the_lodging(pdfs, plan, ws):
    wed = _sheet(pdfs, _route(plan, ws.teams[0].id, WED))
    assert "07:45 Berangkat dari Kantor Camat Ngapa" in wed  # the name says what it is: no "kantor camat" twice
    assert "Bermalam di penginapan Losmen Sari (tiba 15:55)" in wed
    assert "Berangkat 07:45 WITA (Kantor Camat Ngapa) · Bermalam 15:55 WITA (penginapan Losmen Sari)" in wed
    assert "hari 2 dari 3" in wed
    thu = _sheet(pdfs, _route(plan, ws.teams[0].id, THU))
    assert "07:50 Berangkat dari penginapan Losmen Sari" in thu
    assert "14:30 Kembali ke kantor" in thu and "hari 3 dari 3" in thu
    assert "Bermalam di" not in thu.replace("bermalam di Kantor", "")


def test_day_trips_read_as_before(pdfs, plan, ws):
    mon = _sheet(pdfs, _route(plan, ws.teams[0].id, MON))
    assert "08:00 Berangkat dari kantor" in mon and "12:00 Kembali ke kantor" in mon
    assert "Perjalanan dinas" not in mon and "Bermalam" not in mon


def test_english_trip_sheet(plan, ws, travel):
    from outreach_planner.render.sheets import sheet_filename, sheets_pdfs

    singles, _ = sheets_pdfs(plan, ws, travel, "en")
    text = " ".join(_text(singles[sheet_filename(_route(plan, ws.teams[0].id, WED))]))
    assert "Leave from Kantor Camat Ngapa" in text and "Night at guesthouse Losmen Sari (arrive 15:55)" in text
    assert "Field trip 2 nights: Tuesday–Thursday, sleeping at Kantor Camat Ngapa (Tue), guesthouse Losmen Sari " \
           "(Wed) · day 2 of 3" in text


def test_trip_sheet_rows_in_time_order(plan, ws):
    from outreach_planner.render.sheets import sheet_rows

    rows = sheet_rows(_route(plan, ws.teams[0].id, WED))
    assert [r.kind for r in rows] == ["start", "visit", "break", "visit", "night"]


# --------------------------------------------------------------------------- map
def _layer_names(html: str, cls: str) -> list[str]:
    """Text of the layer-control entries whose span has class ``cls`` (folium writes them as JS strings)."""
    import json
    import re

    out = []
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', html):
        if f'class=\\"{cls}\\"' not in lit and f'class=\\u0022{cls}' not in lit:
            continue
        text = json.loads(f'"{lit}"')
        out.append(re.sub(r"<[^>]+>", "", text).strip())
    return out


@pytest.fixture(scope="module")
def html(plan, ws, travel):
    from outreach_planner.render.map import map_html

    return map_html(plan, ws, travel)


def test_map_has_one_layer_per_trip(html, plan, ws):
    from outreach_planner.render.map import route_layer_count

    names = _layer_names(html, "op-route")
    assert names == ["Tim 1 · Sen 30/11 (1 kunjungan)", "Tim 1 · perjalanan Sel–Kam (5 kunjungan, 2 malam)",
                     "Kurir · Sel 01/12 (1 kunjungan)"][:len(names)]
    assert len(names) == route_layer_count(plan) == len(plan.routes) - 2  # three days, one layer


def test_map_marks_each_night_and_the_lodgings(html, ws):
    assert html.count('class=\\"op-lodging\\" data-trip=\\"tim1-t1\\"') == 2
    assert 'data-night=\\"1\\"' in html and 'data-night=\\"2\\"' in html
    assert _layer_names(html, "op-lodgings") == ["Tempat bermalam (2)"]
    assert "Bermalam (perjalanan dinas), malam ke-n" in html  # the legend names the night marker
    assert "Tempat bermalam yang tersedia" in html


def test_map_without_lodgings_has_no_lodging_layer(plan, ws, travel):
    from outreach_planner.render.map import map_html

    day_trips = plan.model_copy(update={"routes": tuple(r for r in plan.routes if not r.trip)})
    text = map_html(day_trips, ws.replace(lodgings=()), travel)
    assert _layer_names(text, "op-lodgings") == [] and "op-lodging\\\"" not in text


def test_map_popup_why_in_the_maps_language(plan, ws, travel):
    from outreach_planner.render.map import map_html

    text = map_html(plan, ws, travel, lang="en")
    assert "e-KTP recording 80.0% (target 98.0%): 10 people; session 1/2" in text
    assert "Perekaman e-KTP 80.0%" not in text


def test_map_trip_in_headless_chromium(tmp_path, html, plan):
    from browser import severe_console
    from test_render import _browser

    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    with _browser() as drv:
        from selenium.webdriver.support.ui import WebDriverWait

        drv.set_page_load_timeout(60)
        drv.get(path.resolve().as_uri())
        WebDriverWait(drv, 20).until(lambda d: d.execute_script(
            "return document.querySelectorAll('.leaflet-control-layers-overlays label').length") > 0)
        got = drv.execute_script("""return {
            layers: Array.from(document.querySelectorAll('.leaflet-control-layers-overlays .op-route')).map(
                e => e.textContent.trim()),
            nights: document.querySelectorAll('.op-lodging').length,
            lodgings: document.querySelectorAll('.op-lodging-avail').length};""")
        assert "Tim 1 · perjalanan Sel–Kam (5 kunjungan, 2 malam)" in got["layers"]
        assert got["nights"] == 2 and got["lodgings"] >= 2  # + the legend's symbol
        # switching the trip layer off hides its days and nights together
        drv.execute_script("""Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
            .find(l => l.querySelector('[data-trip]')).querySelector('input').click();""")
        assert drv.execute_script("return document.querySelectorAll('.op-lodging').length;") == 0
        severe = severe_console(drv)
        assert severe == [], severe


# --------------------------------------------------------------------------- plan.gpkg, plan.json, schedule.xlsx
def test_geopackage_routes_of_a_trip(plan, ws, travel):
    from outreach_planner.render.gpkg import plan_layers

    routes = plan_layers(plan, ws, travel)["routes"]
    wed = routes[(routes["team"] == ws.teams[0].id) & (routes["date"] == WED.isoformat())].iloc[0]
    assert (wed["trip"], wed["start_at"], wed["end_at"]) == ("tim1-t1", "kc-ngapa", "pg-sari")
    assert (wed["start_place"], wed["end_place"], bool(wed["away_night"])) == \
        ("Kantor Camat Ngapa", "penginapan Losmen Sari", True)
    assert wed["return"] == "15:55"
    day_trip = routes[routes["trip"] == ""].iloc[0]
    assert (day_trip["start_place"], day_trip["end_place"], bool(day_trip["away_night"])) == \
        ("Kantor Dukcapil", "Kantor Dukcapil", False)


def test_plan_json_keeps_the_trip(plan, ws):
    from outreach_planner.campaign.ledger import plan_id_of
    from outreach_planner.io.outcomes import plan_from_document
    from outreach_planner.io.write_plan import plan_document

    doc = plan_document(plan, ws)
    wed = next(r for r in doc["routes"] if r["date"] == WED.isoformat() and r["team"] == ws.teams[0].id)
    assert (wed["start_at"], wed["end_at"], wed["trip"]) == ("kc-ngapa", "pg-sari", "tim1-t1")
    assert wed["steps"][-1]["type"] == "night"
    back = plan_from_document(doc)
    assert back == plan and plan_id_of(back) == plan_id_of(plan)  # record finds the plan by its id


def test_schedule_shows_nights_and_places(plan, ws, tmp_path):
    import openpyxl

    from outreach_planner.io.write_plan import schedule_rows, write_plan_outputs

    rows = [r for r in schedule_rows(plan, ws) if r["team"] == ws.teams[0].id]
    nights = [r for r in rows if r["type"] == "night"]
    assert [(r["date"], r["place"], r["arrival"]) for r in nights] == [
        (TUE.isoformat(), "Bermalam di Kantor Camat Ngapa", "15:45"), (WED.isoformat(), "Bermalam di Losmen Sari", "15:55")]
    wed = [r for r in rows if r["date"] == WED.isoformat()]
    assert {(r["trip"], r["start_place"], r["end_place"]) for r in wed} == {("tim1-t1", "Kantor Camat Ngapa", "Losmen Sari")}
    write_plan_outputs(plan, ws, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "schedule.xlsx")
    sheet = wb[ws.teams[0].name]  # sheets by team name, Indonesian headers (issue 15)
    from outreach_planner.io.write_plan import xlsx_columns, xlsx_header

    key = {xlsx_header(c): c for c in xlsx_columns(ws)}
    header = [key[c.value] for c in sheet[1]]
    cells = [dict(zip(header, [c.value for c in row])) for row in sheet.iter_rows(min_row=2)]
    assert [c["place"] for c in cells if c["type"] == "Bermalam"] == ["Bermalam di Kantor Camat Ngapa", "Bermalam di Losmen Sari"]
    assert all(c["why"] for c in cells if c["type"] == "Kunjungan")
    summary = {row[0].value: row[1].value for row in wb["Ringkasan"].iter_rows() if row[0].value}
    assert summary["Malam di luar (perjalanan dinas)"] == 2


# --------------------------------------------------------------------------- the tally form
def _filled(ws, plan, tmp_path, fill):
    """Write the form, fill it with ``fill(row) -> dict`` and return the CSV path."""
    import csv

    from outreach_planner.io.outcomes import FORM_CSV, write_outcomes_form

    write_outcomes_form(plan, ws, tmp_path)
    path = tmp_path / FORM_CSV
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r.update(fill(r))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path, rows


def test_form_has_a_night_row_per_day_away(plan, ws):
    from outreach_planner.io.outcomes import form_rows

    rows = form_rows(plan, ws, "P")
    nights = [r for r in rows if r["kind"] == "night"]
    assert [(r["visit_id"], r["bermalam_di"], r["allowed_status"]) for r in nights] == [
        (f"night:tim1-t1:{TUE.isoformat()}", "Kantor Camat Ngapa", "bermalam/pulang"),  # the Indonesian words
        (f"night:tim1-t1:{WED.isoformat()}", "Losmen Sari", "bermalam/pulang")]
    wed = [r for r in rows if r["date"] == WED.isoformat() and r["kind"] != "night"]
    assert wed and {(r["trip"], r["bermalam_di"]) for r in wed} == {("tim1-t1", "Losmen Sari")}
    assert all(r["trip"] == "" and r["bermalam_di"] == "" for r in rows if r["date"] == MON.isoformat())


def test_cut_short_trip_is_recorded(plan, ws, tmp_path):
    """The team came back on Wednesday evening: Wednesday's night says returned, Thursday's visit was missed."""
    from outreach_planner.campaign.ledger import plan_id_of
    from outreach_planner.io.outcomes import read_outcomes_form, validate_outcomes

    def fill(r):
        if r["kind"] == "night":
            return {"status": "stayed" if r["date"] == TUE.isoformat() else "returned",
                    "reason": "" if r["date"] == TUE.isoformat() else "kendaraan rusak"}
        if r["date"] == THU.isoformat():
            return {"status": "missed", "reason": "perjalanan dipersingkat"}
        return {"status": "delivered" if r["kind"] == "delivery" else "done"}

    path, _ = _filled(ws, plan, tmp_path, fill)
    nights: list = []
    outcomes = validate_outcomes(read_outcomes_form(path), {plan_id_of(plan): plan}, ws, path.name, nights)
    assert [(n.date, n.status, n.place, n.reason) for n in nights] == [
        (TUE.isoformat(), "stayed", "kc-ngapa", ""), (WED.isoformat(), "returned", "", "kendaraan rusak")]  # the lodging id
    assert len(outcomes) == len(plan.visit_steps)  # night rows make no visit outcome
    assert {o.status for o in outcomes if o.visit_id.endswith(":2") and "night" not in o.visit_id} >= {"missed"}


def test_night_row_checks(plan, ws, tmp_path, english):
    from outreach_planner.campaign.ledger import plan_id_of
    from outreach_planner.errors import InputError
    from outreach_planner.io.outcomes import read_outcomes_form, validate_outcomes

    path, _ = _filled(ws, plan, tmp_path, lambda r: {"status": "returned" if r["kind"] == "night" else "",
                                                     "reason": ""})
    with pytest.raises(InputError) as exc:
        validate_outcomes(read_outcomes_form(path), {plan_id_of(plan): plan}, ws, path.name)
    assert "cut short" in str(exc.value)
    path, _ = _filled(ws, plan, tmp_path, lambda r: {"status": "done" if r["kind"] == "night" else ""})
    with pytest.raises(InputError) as exc:
        validate_outcomes(read_outcomes_form(path), {plan_id_of(plan): plan}, ws, path.name)
    assert "stayed, returned" in str(exc.value)


def test_old_form_without_trip_columns_still_records(plan, ws, tmp_path):
    """A form written before field trips (no trip, bermalam_di, no night rows) reads and validates as before."""
    import csv

    from outreach_planner.campaign.ledger import plan_id_of
    from outreach_planner.io.outcomes import read_outcomes_form, validate_outcomes

    path, rows = _filled(ws, plan, tmp_path, lambda r: {"status": "delivered" if r["kind"] == "delivery" else "done"})
    old = [{k: v for k, v in r.items() if k not in ("trip", "bermalam_di")} for r in rows if r["kind"] != "night"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(old[0]))
        w.writeheader()
        w.writerows(old)
    outcomes = validate_outcomes(read_outcomes_form(path), {plan_id_of(plan): plan}, ws, path.name)
    assert len(outcomes) == len(plan.visit_steps)


def test_record_command_reports_a_cut_short_trip(plan, ws, tmp_path, monkeypatch, english):
    """`record` of a form whose Wednesday night says returned: the visits are recorded and the output says so."""
    import json

    from typer.testing import CliRunner

    import outreach_planner.cli as cli
    from outreach_planner.io.write_plan import plan_document

    (tmp_path / "plan.json").write_text(json.dumps(plan_document(plan, ws)), encoding="utf-8")

    def fill(r):
        if r["kind"] == "night":
            return {"status": "returned" if r["date"] == WED.isoformat() else "stayed",
                    "reason": "hujan deras" if r["date"] == WED.isoformat() else ""}
        return {"status": "delivered" if r["kind"] == "delivery" else "done"}

    path, _ = _filled(ws, plan, tmp_path, fill)
    monkeypatch.setattr(cli, "load", lambda workspace: ws)
    res = CliRunner().invoke(cli.app, ["record", str(path), "--workspace", str(tmp_path)])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "Nights away reported: 2; trip cut short, back at base: tim1 on 2026-12-02." in out
    assert f"{len(plan.visit_steps)} new" in out


# --------------------------------------------------------------------------- why, in both languages
def test_every_planned_visit_has_a_reason_in_both_languages():
    """The planner's why of every visit kind of the small week reads in English with no Indonesian phrase left."""
    import re

    from outreach_planner.engines import SolveLimits
    from outreach_planner.planning.planner import make_plan
    from outreach_planner.planning.why import indonesian_decimals, visit_why
    from outreach_planner.week import Week

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = read_workspace(SMALL)
    plan = make_plan(small, Week.parse("2026-W49"), SolveLimits(time_limit_s=600, solution_limit=10),
                     engine="ortools").plan
    kinds = set()
    for _, s in plan.visit_steps:
        kinds.add(s.kind)
        id_, en = visit_why(s, small, "id"), visit_why(s, small, "en")
        assert id_ == indonesian_decimals(s.why) and id_ and en and en != id_
        assert not re.search(r"\d\.\d", id_), id_  # 90,1% in the Indonesian text (issue 15)
        assert not re.search(r"\b(org|sesi|menunggu|minggu|antar|siap|jatuh tempo|Perekaman|Kartu)\b", en), en
    assert {"village_session", "home_visit", "delivery"} <= kinds


def test_a_visit_without_why_gets_one_computed(ws):
    from outreach_planner.planning.why import visit_why

    v = ws.villages[1]
    step = _visit(ws, TUE, f"vs:{v.code}:2", v.code, "09:00", "09:00", "10:00", {"ektp": 4}).model_copy(
        update={"why": ""})
    cov = 100 * v.covered["ektp"] / v.eligible["ektp"]
    cov_id = f"{cov:.1f}".replace(".", ",")  # Indonesian decimals in the Indonesian text (issue 15)
    assert visit_why(step, ws, "id") == f"Perekaman e-KTP {cov_id}% (target 98,0%): 4 org; sesi 2"
    assert visit_why(step, ws, "en") == f"e-KTP recording {cov:.1f}% (target 98.0%): 4 people; session 2"
