"""Route sheets an officer can follow (issue 13) and the map's legend and colours: hand-made team-days.

The plans here are written by hand (no solve) so that each case is there: a team that arrives at a stop
at the start of lunch and starts after it (the sheet once printed "12:00-13:40" beside "12:00-13:00"),
a wait for a time window, a break on the road, an overdue delivery, a village with a contact.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from pathlib import Path

import pytest

from outreach_planner.io import read_workspace
from outreach_planner.plan import Plan, Route, Step
from outreach_planner.render import ROUTE_SHEETS_PDF, render_all
from outreach_planner.render.map import TEAM_HUES, map_html, route_styles
from outreach_planner.render.sheets import sheet_filename, sheet_rows, sheets_pdfs
from outreach_planner.travel import travel_model

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "data" / "small"
WITA = dt.timezone(dt.timedelta(hours=8))
HHMM = r"(\d\d:\d\d)"


def _t(day: dt.date, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=WITA)


@pytest.fixture(scope="module")
def base_ws():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_workspace(SMALL)


@pytest.fixture(scope="module")
def ws(base_ws):
    """The small workspace with a contact and a session place on its first village, ``bring`` texts, and a
    delivery due on Tuesday."""
    v0 = base_ws.villages[1]
    villages = tuple(v.model_copy(update={"contact_name": "Budi Contoh", "contact_role": "Kepala desa",
                                          "contact_phone": "0800-0000-0001", "session_place": "Balai Desa"})
                     if v.code == v0.code else v for v in base_ws.villages)
    services = tuple(s.model_copy(update={"bring": {"ektp": "fotokopi KK", "kia": "fotokopi akta kelahiran"}
                                          .get(s.id, "")}) for s in base_ws.services)
    deliveries = tuple(d.model_copy(update={"due_on": dt.date(2026, 12, 1)}) if d.id == "dl1" else d
                       for d in base_ws.deliveries)
    return base_ws.model_copy(update={"villages": villages, "services": services, "deliveries": deliveries})


@pytest.fixture(scope="module")
def travel(ws):
    return travel_model(ws)


def _visit(ws, day, kind, vid, village, arrival, start, end, expected=None, loc=None):
    v = ws.village(village)
    return Step(type="visit", visit_id=vid, kind=kind, place=f"{v.name}, Kec. {v.district_name}", village_code=village,
                location=loc or (v.lon, v.lat), arrival=_t(day, arrival), start=_t(day, start), end=_t(day, end),
                travel_s=600, distance_m=5000, expected=expected or {}, value=10.0)


def _office(ws, day, kind, at):
    d = ws.depots[0]
    return Step(type=kind, place=d.name, location=(d.lon, d.lat), arrival=_t(day, at), start=_t(day, at),
                end=_t(day, at))


def _break(day, start, end):
    return Step(type="break", place="Istirahat siang", arrival=_t(day, start), start=_t(day, start), end=_t(day, end))


@pytest.fixture(scope="module")
def plan(ws):
    """Two team-days of the first team and one of the second (if any), W49."""
    team = ws.teams[0]
    v = [x.code for x in ws.villages]
    dl = next(d for d in ws.deliveries if d.id == "dl1")
    mon, tue = dt.date(2026, 11, 30), dt.date(2026, 12, 1)
    monday = Route(team=team.id, date=mon, depot=ws.depots[0].id, steps=(
        _office(ws, mon, "start", "08:00"),
        _visit(ws, mon, "village_session", f"vs:{v[1]}:1", v[1], "08:30", "08:30", "11:58", {"ektp": 9, "kia": 4}),
        _break(mon, "12:00", "13:00"),  # the team is at stop 2 for lunch
        _visit(ws, mon, "village_session", f"vs:{v[2]}:1", v[2], "12:00", "13:00", "13:40", {"ektp": 6}),
        _visit(ws, mon, "village_session", f"vs:{v[3]}:1", v[3], "13:50", "14:10", "14:50", {"kia": 5}),  # waits
        _office(ws, mon, "end", "15:30"),
    ))
    tuesday = Route(team=team.id, date=tue, depot=ws.depots[0].id, steps=(
        _office(ws, tue, "start", "08:00"),
        _visit(ws, tue, "village_session", f"vs:{v[1]}:2", v[1], "08:30", "08:30", "11:30", {"ektp": 5}),
        _break(tue, "12:00", "13:00"),  # on the road between stop 1 and stop 2
        _visit(ws, tue, "delivery", f"dl:{dl.id}", dl.village_code, "13:20", "13:20", "13:25",
               loc=(dl.lon, dl.lat)),
        _office(ws, tue, "end", "14:00"),
    ))
    routes = [monday, tuesday]
    if len(ws.teams) > 1:
        other = ws.teams[1]
        routes.append(Route(team=other.id, date=mon, depot=ws.depots[0].id, steps=(
            _office(ws, mon, "start", "08:00"),
            _visit(ws, mon, "village_session", f"vs:{v[0]}:1", v[0], "09:00", "09:00", "10:00", {"ektp": 3}),
            _office(ws, mon, "end", "11:00"),
        )))
    return Plan(week="2026-W49", workspace=f"{ws.regency.code} {ws.regency.name}",
                generated_at=dt.datetime(2026, 11, 27, 9, 30, tzinfo=WITA), engine="hand", timezone="Asia/Makassar",
                routes=tuple(routes), unassigned=())


def _text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def pdfs(plan, ws, travel):
    return sheets_pdfs(plan, ws, travel)


def _minutes(hhmm: str) -> int:
    h, m = map(int, hhmm.split(":"))
    return 60 * h + m


def _stops_and_breaks(text: str):
    """(arrival, start, end) per stop and (start, end) per break row, from a sheet's text."""
    stops = [(_minutes(a), _minutes(s), _minutes(e)) for a, s, e in
             re.findall(rf"Tiba {HHMM} .*?Mulai–Selesai {HHMM}–{HHMM}", text)]
    rows = [(_minutes(s), _minutes(e)) for s, e in re.findall(rf"{HHMM}–{HHMM} Istirahat siang", text)]
    return stops, rows


# --------------------------------------------------------------------------- times and breaks
def test_arrival_wait_and_start_shown_separately(pdfs, plan, ws):
    singles, _ = pdfs
    text = " ".join(_text(singles[sheet_filename(plan.routes[0])]))
    # stop 2: arrives at noon, lunch there, works 13:00-13:40
    assert "Tiba 12:00 Istirahat 12:00–13:00 Mulai–Selesai 13:00–13:40" in text
    # stop 3: arrives 13:50, waits 20 minutes, works 14:10-14:50
    assert "Tiba 13:50 Tunggu 20 mnt Mulai–Selesai 14:10–14:50" in text
    assert "12:00–13:40" not in text  # the old arrival-to-end range beside the lunch row


def test_no_break_row_overlaps_a_stop(pdfs, plan):
    singles, _ = pdfs
    for r in plan.routes:
        text = " ".join(_text(singles[sheet_filename(r)]))
        stops, rows = _stops_and_breaks(text)
        assert len(stops) == len(r.visits)
        for b0, b1 in rows:
            for a, _s, e in stops:
                assert b1 <= a or e <= b0, f"{r.team} {r.date}: break {b0}-{b1} overlaps stop {a}-{e}"
    # the break on the road keeps its row, between stop 1 and stop 2
    tue = " ".join(_text(singles[sheet_filename(plan.routes[1])]))
    assert re.search(r"Mulai–Selesai 08:30–11:30 .* 12:00–13:00 Istirahat siang .* Tiba 13:20", tue)


def test_sheet_rows_in_time_order(plan):
    for r in plan.routes:
        rows = sheet_rows(r)
        keys = [x.step.start if x.kind in ("start", "break") else x.step.arrival for x in rows]
        assert keys == sorted(keys)
        assert sum(len(x.breaks) for x in rows) + sum(x.kind == "break" for x in rows) == \
            sum(s.type == "break" for s in r.steps)  # every break printed once
    mon = sheet_rows(plan.routes[0])
    assert [x.kind for x in mon] == ["start", "visit", "visit", "visit", "end"]
    assert mon[2].breaks and mon[3].wait_s == 20 * 60


def test_english_time_labels(plan, ws, travel):
    singles, _ = sheets_pdfs(plan, ws, travel, lang="en")
    text = " ".join(_text(singles[sheet_filename(plan.routes[0])]))
    assert "Arrive 12:00 Break 12:00–13:00 Start–End 13:00–13:40" in text and "Wait 20 min" in text


# --------------------------------------------------------------------------- contacts, requirements, overdue
def test_contact_session_place_and_bring(pdfs, plan, ws):
    singles, _ = pdfs
    text = " ".join(_text(singles[sheet_filename(plan.routes[0])]))
    assert "Tempat sesi: Balai Desa" in text
    assert "Kontak: Kepala desa Budi Contoh, 0800-0000-0001" in text
    assert "e-KTP: fotokopi KK" in text and "KIA: fotokopi akta kelahiran" in text
    assert text.count("Kontak:") == 1  # only the village that has one


def test_absent_contact_columns_print_nothing(plan, base_ws, travel):
    singles, _ = sheets_pdfs(plan, base_ws, travel)
    text = " ".join(t for pdf in singles.values() for t in _text(pdf))
    assert "Kontak" not in text and "Tempat sesi" not in text and "Warga membawa" not in text


def test_delivery_on_its_due_date_is_not_overdue(pdfs, plan):
    singles, _ = pdfs
    text = " ".join(_text(singles[sheet_filename(plan.routes[1])]))  # Tuesday 1 December: due 1 December
    assert "Antar dokumen" in text and "TERLAMBAT" not in text


def test_overdue_delivery_after_its_due_date(plan, ws, travel):
    wed = dt.date(2026, 12, 3)
    r = plan.routes[1]
    steps = tuple(s.model_copy(update={k: getattr(s, k).replace(day=3) for k in ("arrival", "start", "end")})
                  for s in r.steps)
    late = plan.model_copy(update={"routes": (r.model_copy(update={"date": wed, "steps": steps}),)})
    singles, _ = sheets_pdfs(late, ws, travel)
    text = " ".join(_text(singles[sheet_filename(late.routes[0])]))
    assert "TERLAMBAT (2 hari lewat jatuh tempo)" in text
    html = map_html(late, ws, travel)
    assert "TERLAMBAT" in html


# --------------------------------------------------------------------------- one layout
def test_combined_pdf_is_the_single_sheets(pdfs, plan, ws):
    singles, combined = pdfs
    from outreach_planner.render._common import ordered_routes

    joined = [t for r in ordered_routes(plan, ws) for t in _text(singles[sheet_filename(r)])]
    assert _text(combined) == joined
    assert len(joined) == sum(1 for _ in joined) >= len(plan.routes)


def test_render_all_writes_the_same_pages(plan, ws, travel, tmp_path):
    paths = render_all(plan, ws, travel, tmp_path)
    combined = _text(paths[ROUTE_SHEETS_PDF].read_bytes())
    singles = [t for r in plan.routes for t in _text(paths[f"sheets/{sheet_filename(r)}"].read_bytes())]
    assert combined == singles


# --------------------------------------------------------------------------- map: legend and colours
def test_map_legend_and_team_colours(plan, ws, travel):
    html = map_html(plan, ws, travel)
    # the legend (a JSON string in the script): one entry per kind drawn; no unassigned visits in this plan
    from outreach_planner.render.sheets import _road_lines

    for kind in ("office", "stop"):
        assert f'data-kind=\\"{kind}\\"' in html, kind
    assert 'data-kind=\\"unassigned\\"' not in html
    assert ('data-kind=\\"road\\"' in html) == bool(_road_lines(travel))  # roads only when drawn
    styles = route_styles(list(plan.routes), [t.id for t in ws.teams])
    by_team: dict[str, set[str]] = {}
    for (team, _date), (colour, _dash) in styles.items():
        by_team.setdefault(team, set()).add(colour)
    assert all(len(c) == 1 for c in by_team.values())  # one colour per team, every day
    colours = [next(iter(c)) for c in by_team.values()]
    assert len(set(colours)) == len(colours) and set(colours) <= set(TEAM_HUES)
    first = [d for (team, _), (_, d) in sorted(styles.items(), key=lambda x: x[0][1]) if team == ws.teams[0].id]
    assert first[0] is None and first[1] is not None  # days told apart by dashes
    for team, colour in zip(by_team, colours):
        assert f'data-legend-team=\\"{team}\\" data-colour=\\"{colour}\\"' in html
    assert '"collapsed": true' in html


@pytest.fixture(scope="module")
def default_ws():
    from outreach_planner.io import read_workspace

    return read_workspace(Path(__file__).resolve().parents[1] / "data" / "kolaka_utara")


@pytest.mark.parametrize("n_stops", [3, 4])
def test_a_short_day_fits_one_page_with_its_signatures(default_ws, n_stops):
    """A day of three or four village sessions (default workspace: contacts, session places, what to bring)
    is one page, signatures included: the route map shrinks (down to MIN_MAP_MM) rather than pushing the
    signature lines alone onto a second page (four sessions took two pages with the former 80 mm floor)."""
    from pypdf import PdfReader

    ws = default_ws
    team, wed = ws.teams[0], dt.date(2026, 12, 2)
    codes = [x.code for x in ws.villages if x.district_name == "Batu Putih"][:n_stops]
    steps = [_office(ws, wed, "start", "08:00")]
    for k, code in enumerate(codes):
        h = 8 + 2 * k
        steps.append(_visit(ws, wed, "village_session", f"vs:{code}:1", code, f"{h:02d}:30", f"{h:02d}:30",
                            f"{h + 1:02d}:30", {"ektp": 7, "kia": 14, "akta": 1}))
        if k == 1:
            steps.append(_break(wed, "12:00", "13:00"))
    steps.append(_office(ws, wed, "end", "16:00"))
    day = Route(team=team.id, date=wed, depot=ws.depots[0].id, steps=tuple(steps))
    one = Plan(week="2026-W49", workspace=f"{ws.regency.code} {ws.regency.name}",
               generated_at=dt.datetime(2026, 11, 27, 9, 30, tzinfo=WITA), engine="hand", timezone="Asia/Makassar",
               routes=(day,), unassigned=())
    singles, combined = sheets_pdfs(one, ws, travel_model(ws, Path(__file__).resolve().parents[1] / "data" / "kolaka_utara"))
    assert len(singles) == 1
    assert len(PdfReader(io.BytesIO(combined)).pages) == 1
