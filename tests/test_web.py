"""The planner's desk (outreach_planner.web): handlers through FastAPI's TestClient, no browser.

Solves run in the desk's worker process with a solution limit (the 600 s time limit is only a safety net).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient  # noqa: E402

from outreach_planner.i18n import fmt_dec, fmt_int, fmt_pct  # noqa: E402
from outreach_planner.io import read_workspace  # noqa: E402
from outreach_planner.planning.coverage import regency_coverage  # noqa: E402
from outreach_planner.render.map import external_resources  # noqa: E402
from outreach_planner.web import DeskConfig, create_app  # noqa: E402
from outreach_planner.web import security  # noqa: E402

SMALL = Path(__file__).parent / "data" / "small"
LIMITS = {"solution_limit": 30, "time_limit": 600, "engine": "ortools"}


def _token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _text(html: str) -> str:
    """Page text with tags dropped and whitespace normalised."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


class Desk:
    def __init__(self, root: Path, **kw):
        self.ws = root / "ws"
        if not self.ws.exists():
            shutil.copytree(SMALL, self.ws)
        self.out = root / "out"
        self.app = create_app(DeskConfig(workspace=self.ws, out_root=self.out, **{**LIMITS, **kw}))
        self.client = TestClient(self.app)
        self.client.__enter__()
        self.csrf = _token(self.client.get("/coverage").text)

    def post(self, url, **kw):
        data = dict(kw.pop("data", {}), csrf=self.csrf)
        return self.client.post(url, data=data, follow_redirects=False, **kw)

    def run(self, url, **data) -> str:
        """POST a plan/re-plan, wait for its job; the plan set id."""
        r = self.post(url, data=data)
        assert r.status_code == 303, r.text
        jid = r.headers["location"].rsplit("/", 1)[1]
        job = self.app.state.jobs.wait(jid)
        assert job.state == "done", [p.get("message") for p in job.problems or []]  # the job's problems when not
        return job.result

    def close(self):
        self.client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    d = Desk(tmp_path_factory.mktemp("desk"))
    d.set_id = d.run("/plan", date="2026-12-02")  # a Wednesday: week 2026-W49
    yield d
    d.close()


def _filled_rows(desk, set_id: str, before: str = "2026-12-02") -> list[dict]:
    """The plan's outcomes_form.csv, downloaded, as the officers send it on Wednesday: every visit of the days
    before ``before`` done as expected, the later days not reported yet (blank: a re-plan from Wednesday re-plans
    them; a visit recorded done is kept where it happened)."""
    text = desk.client.get(f"/plans/{set_id}/files/outcomes_form.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    for r in rows:
        if r["date"] >= before:
            continue
        r["status"] = "delivered" if r["kind"] == "delivery" else "done"
        for k in list(r):
            if k.startswith("expected_") and r["kind"] != "delivery":
                r["served_" + k[9:]] = r[k]
    return rows


def _csv(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _filled_form(desk, set_id: str) -> bytes:
    return _csv(_filled_rows(desk, set_id))


def test_coverage_page_shows_the_figures_check_prints(desk):
    ws = read_workspace(SMALL)
    r = desk.client.get("/coverage")
    assert r.status_code == 200
    text = _text(r.text)
    assert "Di mana cakupan paling rendah?" in text  # Indonesian by default
    for row in regency_coverage(ws):  # Indonesian grouping on the Indonesian page (issue 15): 7.720, not 7,720
        assert fmt_int(row.eligible, "id") in text and fmt_int(row.covered, "id") in text
        if row.needed:
            assert fmt_int(row.needed, "id") in text
        assert fmt_pct(row.coverage, 1, "id") in text
    assert not re.search(r"\d\.\d%", text) and not re.search(r"\b\d{1,3},\d{3}\b", text)
    for v in ws.villages:
        assert v.name in text


def test_coverage_map_is_offline_and_has_every_service(desk):
    r = desk.client.get("/coverage/map")
    assert r.status_code == 200
    assert external_resources(r.text) == []
    ws = read_workspace(SMALL)
    for s in ws.services:
        assert s.name_id in r.text


def test_the_plan_writes_the_files_plan_writes_and_the_page_shows_it(desk):
    d = desk.out / desk.set_id
    assert desk.set_id == "2026-W49"
    for name in ("plan.json", "schedule.csv", "schedule.xlsx", "map.html", "route_sheets.pdf", "plan.gpkg",
                 "outcomes_form.xlsx", "outcomes_form.csv"):
        assert (d / name).is_file(), name
    assert list((d / "sheets").glob("*.pdf"))
    page = desk.client.get(f"/plans/{desk.set_id}")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Rencana minggu 30 November – 4 Desember 2026" in text
    assert "Jadwal per tim" in text and "Kunjungan yang tidak terjadwal" in text
    assert "Cakupan kabupaten sebelum dan sesudah minggu ini" in text
    import json

    sm = json.loads((d / "plan.json").read_text(encoding="utf-8"))["summary"]  # figures as Indonesian writes them
    assert f"nilai {fmt_dec(sm['value_collected'], 1, 'id')} dari {fmt_dec(sm['value_available'], 1, 'id')}" in text
    assert f"perjalanan {fmt_dec(sm['travel_hours'], 1, 'id')} jam" in text
    ws = read_workspace(SMALL)
    names = [r.name for r in ws.requests] + [getattr(x, "recipient", "") for x in ws.deliveries]
    for name in filter(None, names):  # resident names only on route sheets, never on a page
        assert name not in page.text
    assert desk.set_id in desk.client.get("/plan").text


def test_downloads_all_sheets_per_team_and_forms(desk):
    from pypdf import PdfReader

    base = f"/plans/{desk.set_id}"
    r = desk.client.get(f"{base}/files/route_sheets.pdf")
    assert r.status_code == 200 and r.content[:4] == b"%PDF"
    sheets = sorted((desk.out / desk.set_id / "sheets").glob("*.pdf"))
    team = sheets[0].name.rsplit("_", 1)[0]
    r = desk.client.get(f"{base}/team/{team}.pdf")
    assert r.status_code == 200
    own = [s for s in sheets if s.name.rsplit("_", 1)[0] == team]
    assert len(PdfReader(io.BytesIO(r.content)).pages) == sum(len(PdfReader(s).pages) for s in own)
    r = desk.client.get(f"{base}/sheets/{sheets[0].name}")
    assert r.status_code == 200 and r.content[:4] == b"%PDF"
    for name in ("schedule.xlsx", "outcomes_form.xlsx"):
        r = desk.client.get(f"{base}/files/{name}")
        assert r.status_code == 200 and zipfile.is_zipfile(io.BytesIO(r.content))


@pytest.mark.parametrize("url", [
    "/plans/2026-W49/files/workspace.toml",  # not a download
    "/plans/2026-W49/files/..%2F..%2Fws%2Fworkspace.toml",
    "/plans/2026-W49/sheets/..%2Fplan.json",
    "/plans/..%2Fws/files/plan.json",
    "/plans/2026-W50/files/plan.json",  # no such plan
    "/plans/2026-W49/team/nobody.pdf",
])
def test_no_request_path_reaches_other_files(desk, url):
    assert desk.client.get(url).status_code == 404


def test_a_post_without_the_csrf_token_is_refused(desk):
    r = desk.client.post("/plan", data={"date": "2026-12-02"}, follow_redirects=False)
    assert r.status_code == 403
    r = desk.client.post("/plan", data={"date": "2026-12-02", "csrf": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    assert not desk.app.state.jobs.all()[1:]  # only the fixture's plan was ever submitted


def test_the_search_time_field_is_bounded(desk, monkeypatch):
    seen = []
    monkeypatch.setattr(desk.app.state.jobs, "submit", lambda kind, params: seen.append(params["time_limit"]) or "j0")
    for sent, want in (("", 600), ("abc", 600), ("nan", 600), ("0", 1.0), ("99999", 3600.0), ("45", 45.0)):
        assert desk.post("/plan", data={"date": "2026-12-02", "time_limit": sent}).status_code == 303
        assert seen[-1] == want, sent


def test_a_bad_date_makes_no_job(desk):
    before = len(desk.app.state.jobs.all())
    r = desk.post("/plan", data={"date": "2026-13-45"})
    assert r.status_code == 400
    assert "Tanggal tidak valid" in r.text
    assert len(desk.app.state.jobs.all()) == before


def test_english_switch(desk):
    desk.post("/lang", data={"lang": "en", "back": "/coverage"})
    try:
        assert "Where is coverage lowest?" in desk.client.get("/coverage").text
    finally:
        desk.post("/lang", data={"lang": "id", "back": "/coverage"})
    assert "Di mana cakupan paling rendah?" in desk.client.get("/coverage").text


def test_a_bad_row_is_shown_and_nothing_is_recorded(desk):
    rows = _filled_rows(desk, desk.set_id)
    rows[2]["status"] = "maybe"  # spreadsheet row 4
    data = _csv(rows).decode("utf-8").splitlines()
    r = desk.post("/record", files={"form": ("hasil minggu 49.csv", ("\n".join(data) + "\n").encode(), "text/csv")})
    assert r.status_code == 422
    text = _text(r.text)
    assert "tidak ada yang dicatat" in text
    body = re.search(r'<table class="data" id="record-problems">.*?<tbody>(.*?)</tbody>', r.text, re.S).group(1)
    cells = [_text(c) for c in re.findall(r"<td>(.*?)</td>", body, re.S)]
    assert cells[:4] == ["hasil minggu 49.csv", "baris 4", "status", "maybe"], cells  # file, row, column, value
    assert cells[4]  # what to do
    assert not (desk.ws / "ledger.sqlite").exists()


def test_a_bad_rows_message_is_in_the_pages_language(desk):
    """The package's problem texts follow the desk's language switch (issue 15), not the server's default."""
    rows = _filled_rows(desk, desk.set_id)
    rows[2]["status"] = "maybe"
    form = _csv(rows)

    def message() -> str:
        r = desk.post("/record", files={"form": ("form.csv", form, "text/csv")})
        assert r.status_code == 422
        body = re.search(r'<table class="data" id="record-problems">.*?<tbody>(.*?)</tbody>', r.text, re.S).group(1)
        return " ".join(_text(c) for c in re.findall(r"<td>(.*?)</td>", body, re.S))

    assert "tidak boleh untuk antar dokumen" in message() and "terkirim" in message()  # row 4 is a delivery
    desk.post("/lang", data={"lang": "en", "back": "/coverage"})
    try:
        assert "not allowed for a delivery" in message() and "delivered" in message()
    finally:
        desk.post("/lang", data={"lang": "id", "back": "/coverage"})
    assert not (desk.ws / "ledger.sqlite").exists()


def test_recording_the_filled_form_and_again_changes_nothing(desk, tmp_path):
    from outreach_planner.campaign.ledger import Ledger

    form = _filled_form(desk, desk.set_id)
    r = desk.post("/record", files={"form": ("outcomes_form.csv", form, "text/csv")})
    assert r.status_code == 200, r.text
    n = sum(1 for r in csv.DictReader(io.StringIO(form.decode())) if r["status"])  # the days reported
    assert f"{n} baru" in _text(r.text)
    with Ledger(desk.ws / "ledger.sqlite") as led:
        assert len(led.outcomes()) == n
    r = desk.post("/record", files={"form": ("outcomes_form.csv", form, "text/csv")})
    assert f"0 baru, 0 dikoreksi, {n} sudah tercatat" in _text(r.text)
    # the history page: coverage at the start and after week 49, as the next plan will count it
    ws = read_workspace(desk.ws)
    with Ledger(desk.ws / "ledger.sqlite") as led:
        after = {r.service: r for r in regency_coverage(led.apply_progress(ws))}
        issued = led.issued_plans()
    page = desk.client.get("/history").text
    assert "<svg" in page and issued and all(p["id"] in page for p in issued)
    body = re.search(r'<table class="data" id="history">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    rows = [[_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)] for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    start = {r.service: r for r in regency_coverage(ws)}
    assert rows[0] == ["awal", *(fmt_pct(start[s.id].coverage, 2, "id") for s in ws.services)]  # 94,95%
    assert rows[1] == ["30 November – 4 Desember 2026", *(fmt_pct(after[s.id].coverage, 2, "id") for s in ws.services)]
    assert rows[1] != rows[0]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in members.items():
            z.writestr(k, v)
    return buf.getvalue()


@pytest.mark.parametrize("name,data,status,message", [
    ("form.xlsx", b"not a zip at all", 400, "bukan arsip zip"),
    ("form.xlsx", _zip({"xl/worksheets/sheet1.xml": b"\0" * (security.MAX_XLSX_UNPACKED_BYTES + 1)}), 400,
     "bukan arsip zip"),  # a zip bomb: about 100 KB that unpacks to over 100 MB
    ("form.exe", b"MZ", 400, "Hanya berkas .xlsx atau .csv"),
    ("form.csv", b"x" * (security.MAX_UPLOAD_BYTES + 1), 413, "terlalu besar"),
])
def test_uploads_are_checked_before_they_are_read(desk, name, data, status, message):
    r = desk.post("/record", files={"form": (name, data, "application/octet-stream")})
    assert r.status_code == status
    assert message in _text(r.text)


def test_replan_with_a_team_off_shows_what_moved(desk):
    ws = read_workspace(SMALL)
    team = next(t.id for t in ws.teams if "village_session" in t.activities)
    new = desk.run(f"/plans/{desk.set_id}/replan", from_date="2026-12-02", team_off=team)
    assert new == "2026-W49-replan-2026-12-02"
    assert (desk.out / new / "changes.csv").is_file()
    with open(desk.out / new / "changes.csv", encoding="utf-8") as fh:
        changes = [c for c in csv.DictReader(fh) if c["change"] != "unchanged"]
    page = desk.client.get(f"/plans/{new}").text
    assert "Yang berubah" in page
    for c in changes:
        assert c["reason"] in page
    assert changes  # the absent team's visits moved or were removed
    assert all(c["team_after"] != team for c in changes)


def test_replan_refuses_a_date_outside_the_week_and_an_unknown_team(desk):
    r = desk.post(f"/plans/{desk.set_id}/replan", data={"from_date": "2027-01-05", "team_off": ""})
    assert r.status_code == 400
    r = desk.post(f"/plans/{desk.set_id}/replan", data={"from_date": "2026-12-02", "team_off": "../x"})
    assert r.status_code == 400


def test_solves_queue_one_at_a_time_and_cancel_ends_the_worker(tmp_path, monkeypatch):
    """With the test pause hook, the first solve waits in its engine process: a second one queues behind it;
    cancelling the first ends its worker (no plan written) and the second then runs."""
    from outreach_planner._testhooks import PAUSE_AT_ENV, PAUSE_DIR_ENV

    pause = tmp_path / "pause"
    pause.mkdir()
    monkeypatch.setenv(PAUSE_AT_ENV, "solving")
    monkeypatch.setenv(PAUSE_DIR_ENV, str(pause))
    d = Desk(tmp_path, engine="auto")  # auto: the engines run in child processes, where the pause point is
    try:
        first = d.post("/plan", data={"date": "2026-12-02"}).headers["location"].rsplit("/", 1)[1]
        second = d.post("/plan", data={"date": "2026-12-09"}).headers["location"].rsplit("/", 1)[1]
        import time

        for _ in range(3000):
            if list(pause.glob("solving.*.reached")):
                break
            time.sleep(0.05)
        assert list(pause.glob("solving.*.reached"))
        jobs = d.app.state.jobs
        assert jobs.get(first).state == "running" and jobs.get(second).state == "queued"
        status = d.client.get(f"/jobs/{first}/status").json()
        assert status["state"] == "running"
        d.post(f"/jobs/{first}/cancel")
        assert jobs.wait(first).state == "cancelled"
        assert not (d.out / "2026-W49").exists()
        (pause / "solving.release").touch()
        assert jobs.wait(second).state == "done"
        assert (d.out / "2026-W50" / "plan.json").is_file()
    finally:
        d.close()


def test_off_localhost_a_login_is_needed(tmp_path):
    state = tmp_path / "state"
    security.save_password(state, "rahasia-kantor")
    assert "rahasia-kantor" not in (state / "auth.json").read_text()
    shutil.copytree(SMALL, tmp_path / "ws")
    app = create_app(DeskConfig(workspace=tmp_path / "ws", out_root=tmp_path / "out", host="0.0.0.0",
                                state_dir=state, **LIMITS))
    with TestClient(app) as c:
        r = c.get("/coverage", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert c.post("/plan", data={"date": "2026-12-02"}, follow_redirects=False).status_code == 401
        tok = _token(c.get("/login").text)
        assert c.post("/login", data={"password": "salah-sekali", "csrf": tok}).status_code == 401
        assert c.post("/login", data={"password": "rahasia-kantor"}).status_code == 403  # no CSRF token
        r = c.post("/login", data={"password": "rahasia-kantor", "csrf": tok}, follow_redirects=False)
        assert r.status_code == 303
        assert c.get("/coverage").status_code == 200
    assert not app.state.jobs.all()


def test_password_hash_round_trip():
    h = security.hash_password("kata sandi panjang")
    assert security.verify_password("kata sandi panjang", h)
    assert not security.verify_password("kata sandi pendek", h)
    with pytest.raises(ValueError):
        security.save_password(Path("/nonexistent"), "short")


def test_changes_by_hand_then_replan(tmp_path, english):
    """Lock a visit the plan left out to a team-day, forbid a scheduled one; the re-plan applies both and says so."""
    import json

    d = Desk(tmp_path)
    try:
        set_id = d.run("/plan", date="2026-12-02")
        plan = json.loads((d.out / set_id / "plan.json").read_text(encoding="utf-8"))
        u = next(u for u in plan["unassigned"] if u["kind"] == "village_session")
        lock_key = f"vs:{u['village_code']}"
        route = next(r for r in plan["routes"] if r["date"] >= "2026-12-02" and r["team"] == "tim1"
                     and u["village_code"] not in {s.get("village_code") for s in r["steps"]})
        other = next(s for r in plan["routes"] if r["date"] >= "2026-12-02" for s in r["steps"]
                     if s["type"] == "visit" and s["kind"] == "village_session"
                     and s["village_code"] != u["village_code"])
        forbid_key = f"vs:{other['village_code']}"
        assert d.post(f"/plans/{set_id}/edits", data={"action": "lock", "visit": lock_key,
                                                       "teamday": f"tim1|{route['date']}"}).status_code == 303
        assert d.post(f"/plans/{set_id}/edits", data={"action": "forbid", "visit": forbid_key}).status_code == 303
        # ids only: a key that is no visit of the plan, a team that does not exist
        assert d.post(f"/plans/{set_id}/edits", data={"action": "forbid", "visit": "../x"}).status_code == 400
        assert d.post(f"/plans/{set_id}/edits", data={"action": "day_off", "teamday": "nobody|2026-12-03"}
                      ).status_code == 400
        page = _text(d.client.get(f"/plans/{set_id}").text)
        assert "Dikunci:" in page and "Dilarang:" in page
        new = d.run(f"/plans/{set_id}/replan", from_date="2026-12-02", team_off="")
        with open(d.out / new / "changes.csv", encoding="utf-8") as fh:
            reasons = {c["reason"] for c in csv.DictReader(fh)}
        # the server speaks English (OUTREACH_LANG=en), the page Indonesian: the reasons follow the page
        assert f"dikunci oleh perencana ke tim1 pada {route['date']}" in reasons
        assert "dilarang oleh perencana" in reasons
        after = json.loads((d.out / new / "plan.json").read_text(encoding="utf-8"))
        assert [r["team"] for r in after["routes"] if r["date"] == route["date"] for s in r["steps"]
                if s.get("village_code") == u["village_code"] and s.get("kind") == "village_session"] == ["tim1"]
        assert any(x["reason"] == "forbidden" for x in after["unassigned"])
        assert "Dikunci:" not in _text(d.client.get(f"/plans/{set_id}").text)  # applied, so cleared
    finally:
        d.close()


def _villages_csv(change: dict[str, str]) -> bytes:
    """tests/data/small/villages.csv with the first village's cells changed."""
    with open(SMALL / "villages.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0].update(change)
    return _csv(rows)


def test_data_in_checks_an_upload_and_changes_nothing_until_it_is_valid(tmp_path):
    import openpyxl

    d = Desk(tmp_path)
    try:
        r = d.client.get("/data/template.xlsx")
        assert r.status_code == 200
        wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
        assert {"Desa", "Sekolah", "Kunjungan rumah", "Antaran"} <= set(wb.sheetnames)  # tests/test_web_data.py
        toml = (d.ws / "workspace.toml").read_bytes()
        files = sorted(p.name for p in d.ws.iterdir())
        r = d.post("/data", data={"layer": "villages"},
                   files={"upload": ("desa.csv", _villages_csv({"akta_covered": "-5"}), "text/csv")})
        assert r.status_code == 422
        body = re.search(r'<table class="data" id="data-problems">.*?<tbody>(.*?)</tbody>', r.text, re.S).group(1)
        cells = [_text(c) for c in re.findall(r"<td>(.*?)</td>", body, re.S)]
        assert cells[0] == "desa.csv" and cells[2].startswith("baris 2") and "-5" in cells[4]  # file, sheet, row, ...
        assert (d.ws / "workspace.toml").read_bytes() == toml and sorted(p.name for p in d.ws.iterdir()) == files
        assert d.post("/data", data={"layer": "../workspace"},
                      files={"upload": ("x.csv", b"a", "text/csv")}).status_code == 400
        assert d.post("/data", data={"layer": "villages"},
                      files={"upload": ("x.toml", b"a", "text/plain")}).status_code == 400
        # valid: applied, and the coverage page reads the new figures
        r = d.post("/data", data={"layer": "villages"},
                   files={"upload": ("desa.csv", _villages_csv({"name": "Desa Baru Contoh"}), "text/csv")})
        assert r.status_code == 200 and "diganti" in _text(r.text)
        assert 'villages = "villages.csv"' in (d.ws / "workspace.toml").read_text(encoding="utf-8")
        assert (d.ws / "workspace.toml.bak").read_bytes() == toml
        assert "Desa Baru Contoh" in d.client.get("/coverage").text
        assert read_workspace(d.ws).villages[0].name == "Desa Baru Contoh"
    finally:
        d.close()


def test_serve_checks_the_workspace_and_the_password_before_it_listens(tmp_path, monkeypatch, english):
    from typer.testing import CliRunner

    from outreach_planner.cli import app as cli

    import uvicorn

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(app))
    bad = next(p for p in sorted((Path(__file__).parent / "data" / "invalid").iterdir()) if p.is_dir())
    res = CliRunner().invoke(cli, ["serve", str(bad), "--no-open", "--out", str(tmp_path / "out")])
    # an invalid workspace opens (every page shows its problems, tests/test_web_init.py); no workspace.toml: refused
    assert res.exit_code == 0 and len(started) == 1 and "is not complete or has a problem" in " ".join(res.output.split())
    res = CliRunner().invoke(cli, ["serve", str(tmp_path), "--no-open", "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and len(started) == 1
    monkeypatch.setenv("OUTREACH_DESK_PASSWORD", "short")
    res = CliRunner().invoke(cli, ["serve", str(SMALL), "--no-open", "--host", "0.0.0.0", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "at least 8 characters" in " ".join(res.output.split())
    assert not (tmp_path / "o" / ".desk" / "auth.json").exists()


def test_every_text_of_the_pages_is_in_both_languages():
    from outreach_planner.web import strings as st

    assert set(st.ID) == set(st.EN)
    used = set()
    for p in (Path(st.__file__).parent / "templates").glob("*.html"):
        used |= set(re.findall(r"\bs\.([a-z_]+)", p.read_text(encoding="utf-8")))
    assert used and used <= set(st.ID)


def test_a_whole_workbook_is_checked_then_replaces_every_layer_it_has(tmp_path):
    import openpyxl

    d = Desk(tmp_path)
    try:
        from outreach_planner.io import write_workspace

        out = write_workspace(read_workspace(d.ws), tmp_path / "as-xlsx", "xlsx")  # the reader's own columns
        template = (out / "workspace.xlsx").read_bytes()
        wb = openpyxl.load_workbook(io.BytesIO(template))
        head = [c.value for c in wb["villages"][1]]
        wb["villages"].cell(row=2, column=head.index("ektp_covered") + 1, value=-1)
        buf = io.BytesIO()
        wb.save(buf)
        toml = (d.ws / "workspace.toml").read_bytes()
        r = d.post("/data", data={"layer": "workbook"}, files={"upload": ("data desa.xlsx", buf.getvalue(), "x")})
        assert r.status_code == 422 and "data desa.xlsx" in r.text
        assert (d.ws / "workspace.toml").read_bytes() == toml and not (d.ws / "workspace.xlsx").exists()
        r = d.post("/data", data={"layer": "workbook"}, files={"upload": ("data.csv", b"a,b\n", "text/csv")})
        assert r.status_code == 400  # a workbook must be .xlsx
        r = d.post("/data", data={"layer": "workbook"}, files={"upload": ("data desa.xlsx", template, "x")})
        assert r.status_code == 200, _text(r.text)
        text = (d.ws / "workspace.toml").read_text(encoding="utf-8")
        for layer in ("villages", "schools", "home_visit_requests", "deliveries"):
            assert f'{layer} = "workspace.xlsx"' in text
        a, b = read_workspace(SMALL), read_workspace(d.ws)
        assert [v.code for v in a.villages] == [v.code for v in b.villages] and len(a.requests) == len(b.requests)
    finally:
        d.close()


def test_a_replan_after_every_day_was_recorded_done_says_so(tmp_path):
    """Every visit of the week recorded done, then a re-plan from Wednesday: the days that happened are kept, so
    nothing is left; the job says that (before: 'no team works in 2026-W49: check [calendar] working_days')."""
    d = Desk(tmp_path)
    try:
        set_id = d.run("/plan", date="2026-12-02")
        r = d.post("/record", files={"form": ("f.csv", _csv(_filled_rows(d, set_id, before="2026-12-31")), "text/csv")})
        assert r.status_code == 200, r.text
        r = d.post(f"/plans/{set_id}/replan", data={"from_date": "2026-12-02", "team_off": ""})
        assert r.status_code == 303
        job = d.app.state.jobs.wait(r.headers["location"].rsplit("/", 1)[1])
        assert job.state == "failed"
        said = " ".join(p.get("message", "") for p in job.problems)
        assert "tidak ada yang bisa direncanakan ulang mulai 2026-12-02" in said and "[calendar]" not in said
    finally:
        d.close()
