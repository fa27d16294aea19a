"""The desk's teams & calendar page (web/settings.py): forms that write workspace.toml, through TestClient.

Every valid save must give a workspace.toml that io.read_workspace reads with the change in it; every invalid one
shows its problems as rows and leaves the file byte for byte as it was. Plus the login rate limit (a fake clock).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading
import tomllib
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient  # noqa: E402

from outreach_planner.io import read_workspace  # noqa: E402
from outreach_planner.planning.problem import build_vehicles  # noqa: E402
from outreach_planner.web import DeskConfig, create_app, security  # noqa: E402
from outreach_planner.week import Week  # noqa: E402

SMALL = Path(__file__).parent / "data" / "small"
WEEK = Week.parse("2026-W49", "Asia/Makassar")  # Monday 2026-11-30 .. Sunday 2026-12-06


def _token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _rows(html: str) -> list[list[str]]:
    """The problem table's rows (cells as text)."""
    m = re.search(r'<table class="data" id="settings-problems">(.*?)</table>', html, re.S)
    assert m, "no problem table on the page"
    return [[_text(c) for c in re.findall(r"<td>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S) if "<td>" in tr]


class Desk:
    def __init__(self, root: Path, **kw):
        self.ws = root / "ws"
        shutil.copytree(SMALL, self.ws)
        self.app = create_app(DeskConfig(workspace=self.ws, out_root=root / "out", **kw))
        self.client = TestClient(self.app)
        self.csrf = _token(self.client.get("/settings").text)

    @property
    def toml(self) -> Path:
        return self.ws / "workspace.toml"

    def post(self, url, client=None, csrf=None, **data):
        return (client or self.client).post(url, data={**data, "csrf": csrf or self.csrf}, follow_redirects=False)


@pytest.fixture()
def desk(tmp_path):
    return Desk(tmp_path)


def _team_form(ws_team, **change) -> dict:
    """The form a browser sends for ``ws_team`` as the page shows it, with ``change`` applied."""
    form = {"name": ws_team.name, "depot": ws_team.depot, "vehicle": ws_team.vehicle,
            "members": "\n".join(ws_team.members), "activities": list(ws_team.activities),
            "services": list(ws_team.services), "days": list(ws_team.days), "home_days": list(ws_team.home_days),
            "recording_kits": str(ws_team.recording_kits), "delivery_capacity": str(ws_team.delivery_capacity),
            "max_nights_per_week": str(ws_team.max_nights_per_week),
            "max_nights_in_row": str(ws_team.max_nights_in_row)}
    if ws_team.field_trips:
        form["field_trips"] = "1"
    for wd, r in (ws_team.shift or {}).items():
        form[f"shift_{wd}_start"], form[f"shift_{wd}_end"] = str(r).split("-")
    form.update(change)
    return {k: v for k, v in form.items() if v is not None}


def _form_of(html: str, form_id: str) -> dict:
    """The fields a browser would send for the form ``form_id`` of a page, as the page fills them."""
    from html.parser import HTMLParser

    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.data, self.select, self.textarea = False, {}, None, None

        def put(self, name, value):
            if name in self.data:
                old = self.data[name]
                self.data[name] = (old if isinstance(old, list) else [old]) + [value]
            else:
                self.data[name] = value

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.inside = a.get("id") == form_id
            if not self.inside:
                return
            if tag == "input" and a.get("name") and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
                self.put(a["name"], a.get("value") or ("on" if a.get("type") == "checkbox" else ""))
            elif tag == "select":
                self.select = a.get("name")
            elif tag == "option" and self.select and "selected" in a:
                self.put(self.select, a.get("value", ""))
            elif tag == "textarea":
                self.textarea = a.get("name")
                self.put(self.textarea, "")

        def handle_data(self, data):
            if self.inside and self.textarea:
                self.data[self.textarea] += data

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

    p = P()
    p.feed(html)
    return p.data


@pytest.mark.parametrize("form_id, url", [("team-form-tim1", "/settings/teams/tim1"),
                                          ("team-form-kurir", "/settings/teams/kurir"),
                                          ("calendar-form", "/settings/calendar")])
def test_each_form_saved_as_the_page_shows_it_changes_nothing(desk, form_id, url):
    """A form sent as the page filled it (keys the file leaves out shown at their defaults) is valid and gives
    the same workspace."""
    before = read_workspace(desk.ws)
    form = _form_of(desk.client.get("/settings").text, form_id)
    assert form.get("name") or form_id == "calendar-form"
    r = desk.client.post(url, data=form, follow_redirects=False)
    assert r.status_code == 303, _rows(r.text)
    assert read_workspace(desk.ws) == before


def test_the_new_team_form_as_the_page_shows_it_adds_a_team(desk):
    form = {**_form_of(desk.client.get("/settings").text, "team-form-new"), "id": "tim4", "name": "Tim 4"}
    r = desk.client.post("/settings/teams", data=form, follow_redirects=False)
    assert r.status_code == 303, _rows(r.text)
    t = _team(read_workspace(desk.ws), "tim4")
    assert (t.name, t.depot, t.max_nights_per_week, t.max_nights_in_row) == ("Tim 4", "office", 3, 2)
    assert 'id="team-tim4" open' in desk.client.get("/settings").text  # shown open after the save


def test_a_refused_form_comes_back_as_typed(desk):
    t = _team(read_workspace(desk.ws), "tim1")
    r = desk.post("/settings/teams/tim1", **_team_form(t, name="Tim Baru Sekali", shift_mon_start="16:00",
                                                       shift_mon_end="08:00"))
    assert r.status_code == 422
    typed = _form_of(r.text, "team-form-tim1")
    assert (typed["name"], typed["shift_mon_start"], typed["shift_mon_end"]) == ("Tim Baru Sekali", "16:00", "08:00")
    r = desk.post("/settings/calendar", **_calendar_form(hours_mon_start="17:00"))
    assert r.status_code == 422 and _form_of(r.text, "calendar-form")["hours_mon_start"] == "17:00"


def _team(ws, tid):
    return next(t for t in ws.teams if t.id == tid)


def test_the_page_shows_teams_calendar_and_holidays_in_both_languages(desk):
    page = _text(desk.client.get("/settings").text)
    assert "Tim, hari libur dan kalender" in page and "Tim 1" in page and "Kurir" in page
    assert "Hari tidak bertugas" in page and "Hari libur kantor" in page
    desk.post("/lang", lang="en", back="/settings")
    page = _text(desk.client.get("/settings").text)
    assert "Teams, holidays and the calendar" in page and "Days off" in page and "Office holidays" in page
    assert 'href="/settings"' in desk.client.get("/coverage").text  # linked from the nav


def test_the_language_switch_on_a_page_with_problems_comes_back_to_the_page(desk):
    t = _team(read_workspace(desk.ws), "tim1")
    assert desk.post("/settings/teams/tim1", **_team_form(t, depot="x")).status_code == 422
    r = desk.post("/lang", lang="en", back="/settings/teams/tim1")  # the switch sends the page's address
    r = desk.client.get(r.headers["location"])
    assert r.status_code == 200 and "Teams, holidays and the calendar" in _text(r.text)


def test_a_valid_team_edit_is_written_and_read_back(desk):
    before = desk.toml.read_bytes()
    t = _team(read_workspace(desk.ws), "tim1")
    r = desk.post("/settings/teams/tim1", **_team_form(t, name="Tim Satu", shift_fri_start="07:30",
                                                       shift_fri_end="11:00", field_trips="1",
                                                       max_nights_per_week="2", max_nights_in_row="1",
                                                       home_days=["fri"], members="Petugas A\nPetugas C"))
    assert r.status_code == 303 and r.headers["location"] == "/settings#team-tim1"
    ws = read_workspace(desk.ws)
    t = _team(ws, "tim1")
    assert (t.name, str(t.shift["fri"]), t.field_trips, t.max_nights_per_week, t.max_nights_in_row) == \
        ("Tim Satu", "07:30-11:00", True, 2, 1)
    assert t.home_days == ("fri",) and t.members == ("Petugas A", "Petugas C")
    assert _team(ws, "kurir") == _team(read_workspace(SMALL), "kurir")  # the other team untouched
    text = desk.toml.read_text(encoding="utf-8")
    assert text.startswith("# A tiny hand-made workspace for tests.")  # comments and the rest kept
    assert tomllib.loads(text)["layers"] == tomllib.loads(before.decode())["layers"]
    assert (desk.ws / "workspace.toml.bak").read_bytes() == before  # the previous file kept
    assert not list(desk.ws.glob(".workspace.toml.*"))  # no staging file left
    assert "Tim disimpan." in _text(desk.client.get("/settings").text)


def test_a_comment_after_a_key_survives_an_edit_of_that_key(desk):
    desk.toml.write_text(desk.toml.read_text().replace('recording_kits = 1\n', 'recording_kits = 1   # two kits soon\n'))
    t = _team(read_workspace(desk.ws), "tim1")
    assert desk.post("/settings/teams/tim1", **_team_form(t, recording_kits="2")).status_code == 303
    assert "recording_kits = 2   # two kits soon" in desk.toml.read_text()


@pytest.mark.parametrize("case, url, change, field, message", [
    ("unknown office", "/settings/teams/tim1", {"depot": "kantor_lain"}, "Kantor", "Kantor tidak dikenal"),
    ("end before start", "/settings/teams/tim1", {"shift_mon_start": "16:00", "shift_mon_end": "08:00"},
     "Jam kerja (Senin)", "Jam selesai harus lebih akhir dari jam mulai"),
    ("half a shift", "/settings/teams/tim1", {"shift_tue_start": "08:00"}, "Jam kerja (Selasa)", "JJ:MM"),
    ("not a number", "/settings/teams/tim1", {"recording_kits": "dua"}, "Alat perekaman e-KTP", "bilangan bulat"),
    ("negative", "/settings/teams/tim1", {"max_nights_in_row": "-1"}, "Malam berturut-turut", "bilangan bulat"),
    ("no activity", "/settings/teams/tim1", {"activities": None}, "Kegiatan", "Pilih sedikitnya satu"),
    ("duplicate team id", "/settings/teams", {"id": "kurir", "name": "Kurir 2"}, "Kode tim", "sudah dipakai"),
    ("bad team id", "/settings/teams", {"id": "../etc", "name": "X"}, "Kode tim", "huruf, angka"),
    # found by read_workspace's checks (the model), shown in the page's language
    ("kit needed", "/settings/teams/tim1", {"recording_kits": "0"}, "Alat perekaman e-KTP", "alat perekaman"),
    ("no office day", "/settings/teams/tim1", {"days": ["sat"]}, "Hari kerja tim", "hari kerja kantor"),
])
def test_an_invalid_team_edit_shows_rows_and_leaves_the_file(desk, case, url, change, field, message):
    before = desk.toml.read_bytes()
    t = _team(read_workspace(desk.ws), "tim1")
    r = desk.post(url, **_team_form(t, **change))
    assert r.status_code == 422, case
    rows = _rows(r.text)
    assert any(row[1].startswith(field) and message in row[3] for row in rows), rows
    assert desk.toml.read_bytes() == before
    assert not (desk.ws / "workspace.toml.bak").exists() and not list(desk.ws.glob(".workspace.toml.*"))


def test_problem_rows_follow_the_english_switch(desk):
    desk.post("/lang", lang="en", back="/settings")
    t = _team(read_workspace(desk.ws), "tim1")
    rows = _rows(desk.post("/settings/teams/tim1", **_team_form(t, depot="elsewhere", recording_kits="0")).text)
    assert ["Team tim1", "Office", "elsewhere", "Unknown office; pick one of: office."] in rows


def test_a_team_is_added_and_removed(desk):
    kurir = _team(read_workspace(desk.ws), "kurir")
    r = desk.post("/settings/teams", **_team_form(kurir, id="kurir2", name="Kurir Dua", days=["tue", "thu"]))
    assert r.status_code == 303, _rows(r.text)
    added = _team(read_workspace(desk.ws), "kurir2")
    assert (added.name, added.days, added.delivery_capacity, added.activities) == \
        ("Kurir Dua", ("tue", "thu"), 20, ("delivery",))
    assert desk.post("/settings/teams/kurir/remove").status_code == 303
    assert [t.id for t in read_workspace(desk.ws).teams] == ["tim1", "kurir2"]
    before = desk.toml.read_bytes()
    r = desk.post("/settings/teams/kurir/remove")  # gone already: a row, nothing written
    assert r.status_code == 422 and desk.toml.read_bytes() == before


def test_removing_the_last_team_is_refused(desk):
    assert desk.post("/settings/teams/kurir/remove").status_code == 303
    before = desk.toml.read_bytes()
    r = desk.post("/settings/teams/tim1/remove")
    assert r.status_code == 422 and any("sedikitnya satu tim" in row[3] for row in _rows(r.text))
    assert desk.toml.read_bytes() == before


def test_a_day_off_is_saved_and_the_planner_leaves_that_day_out(desk):
    r = desk.post("/settings/teams/tim1/days-off", action="add", date="2026-12-02")
    assert r.status_code == 303
    ws = read_workspace(desk.ws)
    assert _team(ws, "tim1").days_off == (dt.date(2026, 12, 2),)
    days = {WEEK.dates[v.date_index] for v in build_vehicles(ws, WEEK) if v.team == "tim1"}
    assert dt.date(2026, 12, 2) not in days and dt.date(2026, 12, 1) in days
    assert "2026-12-02" in _text(desk.client.get("/settings").text)
    assert desk.post("/settings/teams/tim1/days-off", action="remove", date="2026-12-02").status_code == 303
    assert _team(read_workspace(desk.ws), "tim1").days_off == ()
    assert "days_off" not in desk.toml.read_text()


def test_a_day_off_that_is_not_a_date_is_refused(desk):
    before = desk.toml.read_bytes()
    for bad in ("2026-02-30", "2026-W49", "besok", ""):
        r = desk.post("/settings/teams/tim1/days-off", action="add", date=bad)
        assert r.status_code == 422
        assert any(row[1] == "Hari tidak bertugas" and "Bukan tanggal" in row[3] for row in _rows(r.text))
    r = desk.post("/settings/teams/nobody/days-off", action="add", date="2026-12-02")
    assert r.status_code == 422
    assert desk.toml.read_bytes() == before


def test_a_holiday_added_changes_the_weeks_working_days(desk):
    ws = read_workspace(desk.ws)
    assert ws.calendar.is_working_day(dt.date(2026, 12, 4))
    n = len(build_vehicles(ws, WEEK))
    r = desk.post("/settings/holidays", kind="holidays", action="add", date="2026-12-04", name="Libur daerah")
    assert r.status_code == 303
    ws = read_workspace(desk.ws)
    assert ws.calendar.holidays == (dt.date(2026, 12, 4),)
    assert not ws.calendar.is_working_day(dt.date(2026, 12, 4))
    vehicles = build_vehicles(ws, WEEK)
    assert len(vehicles) == n - 2 and dt.date(2026, 12, 4) not in {WEEK.dates[v.date_index] for v in vehicles}
    assert '"2026-12-04", # Libur daerah' in desk.toml.read_text()  # the name kept as the date's comment
    assert "Libur daerah" in _text(desk.client.get("/settings").text)
    assert desk.post("/settings/holidays", kind="school_holidays", action="add", date="2026-12-03",
                     name="Ujian").status_code == 303
    assert read_workspace(desk.ws).calendar.school_holidays == (dt.date(2026, 12, 3),)
    assert desk.post("/settings/holidays", kind="holidays", action="remove", date="2026-12-04").status_code == 303
    assert read_workspace(desk.ws).calendar.holidays == ()
    before = desk.toml.read_bytes()
    assert desk.post("/settings/holidays", kind="holidays", action="add", date="25-12-2026").status_code == 422
    assert desk.post("/settings/holidays", kind="../x", action="add", date="2026-12-25").status_code == 422
    assert desk.toml.read_bytes() == before


def test_holiday_names_of_a_one_line_list_are_read():
    import tomlkit

    from outreach_planner.web.settings import holiday_entries

    doc = tomlkit.parse('[calendar]\nholidays = ["2026-12-25"]   # Natal\n'
                        'school_holidays = [\n  "2026-12-21",  # Ujian\n  2026-12-22,\n]\n')
    assert holiday_entries(doc, "holidays") == [("2026-12-25", "Natal")]
    assert holiday_entries(doc, "school_holidays") == [("2026-12-21", "Ujian"), ("2026-12-22", "")]


def _calendar_form(**change) -> dict:
    form = {"working_days": ["mon", "tue", "wed", "thu", "fri"], "breaks_n": "1",
            "break_0_name": "Istirahat siang", "break_0_days": ["mon", "tue", "wed", "thu"],
            "break_0_start": "12:00", "break_0_end": "13:00"}
    for wd in ("mon", "tue", "wed", "thu", "fri"):
        form[f"hours_{wd}_start"], form[f"hours_{wd}_end"] = "08:00", "16:00" if wd != "fri" else "11:30"
        form[f"school_{wd}_start"], form[f"school_{wd}_end"] = "07:30", "13:00" if wd != "fri" else "11:00"
    form.update(change)
    return {k: v for k, v in form.items() if v is not None}


def test_the_calendar_form(desk):
    unchanged = desk.toml.read_bytes()
    assert desk.post("/settings/calendar", **_calendar_form()).status_code == 303
    assert desk.toml.read_bytes() == unchanged  # the page's values saved as they were: the same file
    r = desk.post("/settings/calendar", **_calendar_form(
        working_days=["mon", "tue", "wed", "thu", "fri", "sat"], hours_sat_start="08:00", hours_sat_end="12:00",
        break_1_name="Salat Jumat", break_1_days=["fri"], break_1_start="11:30", break_1_end="13:00"))
    assert r.status_code == 303, _rows(r.text)
    cal = read_workspace(desk.ws).calendar
    assert cal.working_days[-1] == "sat" and str(cal.hours["sat"]) == "08:00-12:00"
    assert [b.name for b in cal.breaks] == ["Istirahat siang", "Salat Jumat"]
    r = desk.post("/settings/calendar", **_calendar_form(break_0_name="", break_0_start="", break_0_end=""))
    assert r.status_code == 303 and read_workspace(desk.ws).calendar.breaks == ()


@pytest.mark.parametrize("change, field, message", [
    ({"working_days": ["mon", "sat"]}, "Jam kantor (Sabtu)", "perlu jam mulai"),
    ({"hours_mon_start": "16:00", "hours_mon_end": "08:00"}, "Jam kantor (Senin)", "lebih akhir"),
    ({"working_days": None}, "Hari kerja kantor", "Pilih sedikitnya satu"),
    ({"break_0_start": "08:00", "break_0_end": "17:00"}, "start/end", "seluruh jam kerja"),  # the model's check
])
def test_an_invalid_calendar_leaves_the_file(desk, change, field, message):
    before = desk.toml.read_bytes()
    r = desk.post("/settings/calendar", **_calendar_form(**change))
    assert r.status_code == 422
    assert any(row[1].startswith(field) and message in row[3] for row in _rows(r.text)), _rows(r.text)
    assert desk.toml.read_bytes() == before


@pytest.mark.parametrize("n", ["dua", "-1", "99999999999"])
def test_an_odd_break_count_is_no_server_error(desk, n):
    r = desk.post("/settings/calendar", **_calendar_form(breaks_n=n))
    assert r.status_code in (303, 422)


def test_no_save_without_the_csrf_token(desk):
    before = desk.toml.read_bytes()
    r = desk.client.post("/settings/holidays", data={"kind": "holidays", "action": "add", "date": "2026-12-25"})
    assert r.status_code == 403 and desk.toml.read_bytes() == before


def test_the_desks_cached_workspace_follows_a_save(desk):
    wsh = desk.app.state.workspace
    assert desk.post("/settings/teams/tim1/days-off", action="add", date="2026-12-01").status_code == 303
    assert _team(wsh.get(), "tim1").days_off == (dt.date(2026, 12, 1),)
    files = (desk.toml, desk.ws / "workspace.toml.bak")
    stamps = [f.stat().st_mtime_ns for f in files]
    assert desk.post("/settings/teams/tim1/days-off", action="add", date="2026-12-02").status_code == 303
    for f, ns in zip(files, stamps):  # the same time stamps as before: only the refresh makes it read again
        os.utime(f, ns=(ns, ns))
    assert _team(wsh.get(), "tim1").days_off == (dt.date(2026, 12, 1), dt.date(2026, 12, 2))


def test_concurrent_saves_do_not_corrupt_or_lose_a_change(desk):
    other = TestClient(desk.app)
    other_csrf = _token(other.get("/settings").text)
    days = [dt.date(2026, 12, 1) + dt.timedelta(days=i) for i in range(8)]
    errors: list[str] = []

    def day_offs():
        for d in days:
            r = desk.post("/settings/teams/tim1/days-off", action="add", date=d.isoformat())
            if r.status_code != 303:
                errors.append(r.text)

    def holidays():
        for d in days:
            r = desk.post("/settings/holidays", client=other, csrf=other_csrf, kind="holidays", action="add",
                          date=(d + dt.timedelta(days=30)).isoformat(), name=f"Libur {d.day}")
            if r.status_code != 303:
                errors.append(r.text)

    threads = [threading.Thread(target=day_offs), threading.Thread(target=holidays)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors
    ws = read_workspace(desk.ws)  # a whole, valid file with every change of both planners
    assert _team(ws, "tim1").days_off == tuple(days)
    assert ws.calendar.holidays == tuple(d + dt.timedelta(days=30) for d in days)
    assert not list(desk.ws.glob(".workspace.toml.*"))


def test_failed_logins_are_refused_for_a_while(tmp_path):
    state = tmp_path / "state"
    security.save_password(state, "rahasia-kantor")
    shutil.copytree(SMALL, tmp_path / "ws")
    app = create_app(DeskConfig(workspace=tmp_path / "ws", out_root=tmp_path / "out", host="0.0.0.0",
                                state_dir=state))
    now = [1000.0]
    app.state.login_throttle = security.LoginThrottle(max_failures=5, window=900, lockout=900, clock=lambda: now[0])
    with TestClient(app) as c:
        tok = _token(c.get("/login").text)
        for _ in range(5):
            assert c.post("/login", data={"password": "tebak-tebak", "csrf": tok}).status_code == 401
        r = c.post("/login", data={"password": "rahasia-kantor", "csrf": tok})  # right, but too many tries
        assert r.status_code == 429
        assert "Terlalu banyak percobaan masuk yang gagal" in _text(r.text) and "15 menit" in _text(r.text)
        now[0] += 899
        assert c.post("/login", data={"password": "rahasia-kantor", "csrf": tok}).status_code == 429
        now[0] += 2
        r = c.post("/login", data={"password": "rahasia-kantor", "csrf": tok}, follow_redirects=False)
        assert r.status_code == 303


def test_the_login_throttle_counts_failures_per_client_within_its_window():
    now = [0.0]
    th = security.LoginThrottle(max_failures=3, window=60, lockout=120, clock=lambda: now[0])
    th.failed("a")
    th.failed("a")
    now[0] = 61  # the first two are out of the window
    th.failed("a")
    th.failed("b")
    assert th.refused_for("a") == 0 and th.refused_for("b") == 0
    th.failed("a")
    th.failed("a")
    assert th.refused_for("a") == 120 and th.refused_for("b") == 0
    th.succeeded("a")
    assert th.refused_for("a") == 0


def test_a_staging_file_that_vanishes_while_the_folder_is_read_is_no_error(desk, monkeypatch):
    """A save's staging file (or an upload's) may be renamed away between listing the folder and reading its time
    stamp: another request reading the workspace at that moment must not fail."""
    wsh = desk.app.state.workspace
    (desk.ws / ".workspace.toml.abc.desk-stage").write_text("x")
    real = Path.stat

    def stat(self, *a, **kw):
        if self.name.endswith(".desk-stage"):
            raise FileNotFoundError(self)
        return real(self, *a, **kw)

    monkeypatch.setattr(Path, "stat", stat)
    wsh.refresh()
    assert wsh.get().teams


def test_a_team_id_with_a_space_still_has_working_forms(desk):
    desk.toml.write_text(desk.toml.read_text().replace('id = "kurir"', 'id = "kurir 2"'))
    page = desk.client.get("/settings").text
    assert 'action="/settings/teams/kurir%202/days-off"' in page
    assert desk.post("/settings/teams/kurir%202/days-off", action="add", date="2026-12-02").status_code == 303
    assert _team(read_workspace(desk.ws), "kurir 2").days_off == (dt.date(2026, 12, 2),)
