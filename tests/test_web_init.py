"""The planner's desk on a workspace that is not complete or valid yet (issues 14 and 15).

A new regency (``init --regency 74.09``) has no counts: the desk still opens it, every page says what is
missing (what ``check`` says) and where to fix it, and the Data page's template and upload bring the counts in;
then the coverage page works. A workspace.toml with a problem: the same banner with the problem's row.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient  # noqa: E402

from outreach_planner.io import read_workspace  # noqa: E402
from outreach_planner.io.init_workspace import init_workspace  # noqa: E402
from outreach_planner.planning.coverage import regency_coverage  # noqa: E402
from outreach_planner.web import DeskConfig, create_app  # noqa: E402

SMALL = Path(__file__).parent / "data" / "small"
PAGES = ("/coverage", "/coverage/map", "/plan", "/record", "/history", "/data", "/settings")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _banner(html: str) -> str:
    m = re.search(r'<section class="banner[^"]*" id="ws-banner".*?</section>', html, re.S)
    return _text(m.group(0)) if m else ""


class Desk:
    def __init__(self, ws: Path, out: Path):
        self.ws = ws
        self.app = create_app(DeskConfig(workspace=ws, out_root=out, solution_limit=5, time_limit=600))
        self.client = TestClient(self.app)
        self.client.__enter__()
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', self.client.get("/data").text).group(1)

    def post(self, url, files=None, **data):
        return self.client.post(url, data={**data, "csrf": self.csrf}, files=files, follow_redirects=False)

    def close(self):
        self.client.__exit__(None, None, None)


@pytest.fixture
def fresh(tmp_path):
    init_workspace("74.09", tmp_path / "ws")  # what `outreach-planner init --regency 74.09 --out WS` does
    d = Desk(tmp_path / "ws", tmp_path / "out")
    yield d
    d.close()


def _codes(ws: Path) -> list[str]:
    data = json.loads((ws / "villages.geojson").read_text(encoding="utf-8"))
    return sorted(f["properties"]["code"] for f in data["features"])


def _filled_template(d: Desk) -> tuple[bytes, dict]:
    """The downloaded template with every village's counts typed in (as the office would); the counts typed."""
    import openpyxl

    r = d.client.get("/data/template.xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    sh = wb["Desa"]
    head = [c.value for c in sh[1]]
    typed = {}
    for i, row in enumerate(sh.iter_rows(min_row=2), 1):
        code = row[0].value
        if not code:
            continue
        vals = {"WAJIB KTP": 200 + i, "SUDAH REKAM": 150 + i % 40, "JUMLAH ANAK": 90 + i, "PUNYA KIA": 30,
                "WAJIB AKTA": 120 + i, "PUNYA AKTA": 100}
        for col, v in vals.items():
            row[head.index(col)].value = v
        typed[code] = vals
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), typed


def test_every_page_of_a_new_regency_answers_and_says_what_is_missing(fresh):
    r = fresh.client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/data"  # a new workspace opens on its Data page
    for url in PAGES:
        r = fresh.client.get(url)
        assert r.status_code == 200, url
        banner = _banner(r.text)
        assert "Wilayah kerja ini belum lengkap" in banner, url
        assert "Jumlah per desa (wajib/sudah) belum ada untuk e-KTP: semua desa; KIA: semua desa; Akta: semua desa" \
            in banner, url
        assert 'href="/data"' in r.text and "Kabupaten Konawe Utara" in _text(r.text), url
    # the pages that need complete data say so instead of failing
    for url in ("/coverage", "/plan", "/history"):
        assert "Halaman ini perlu data yang lengkap" in _text(fresh.client.get(url).text), url


def test_the_banner_follows_the_language_switch(fresh):
    fresh.post("/lang", lang="en", back="/coverage")
    for url in ("/coverage", "/data", "/settings"):
        banner = _banner(fresh.client.get(url).text)
        assert "This workspace is not complete or has a problem" in banner, url
        assert "The counts per village (eligible/covered) are still missing for e-KTP: every village; KIA: every " \
               "village; Akta: every village" in banner, url
    assert "This page needs complete data" in _text(fresh.client.get("/plan").text)


def test_a_plan_cannot_be_started_on_a_new_regency(fresh):
    r = fresh.post("/plan", date="2026-12-07", time_limit="")
    assert r.status_code == 409 and "Halaman ini perlu data yang lengkap" in _text(r.text)
    assert fresh.app.state.jobs.all() == []  # no solve was queued


def test_the_template_of_a_new_regency_has_its_villages(fresh):
    import openpyxl

    r = fresh.client.get("/data/template.xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    sh = openpyxl.load_workbook(io.BytesIO(r.content))["Desa"]
    rows = [[c.value for c in row] for row in sh.iter_rows(min_row=2) if row[0].value]
    assert sorted(r[0] for r in rows) == _codes(fresh.ws) and len(rows) == 170
    assert all(r[1] and r[2] for r in rows)  # name and kecamatan filled in
    assert all(v is None for r in rows for v in r[3:])  # only the counts left to type


def test_a_filled_template_uploaded_makes_the_coverage_page_work(fresh):
    data, typed = _filled_template(fresh)
    r = fresh.post("/data", layer="auto", files={"upload": ("templat_data.xlsx", data, XLSX)})
    assert r.status_code == 200, _text(r.text)[:2000]
    assert "jumlah untuk 170 desa" in _text(r.text)
    ws = read_workspace(fresh.ws)  # the folder is a valid workspace now
    assert {v.code: v.eligible["ektp"] for v in ws.villages} == {c: t["WAJIB KTP"] for c, t in typed.items()}
    r = fresh.client.get("/coverage")
    assert r.status_code == 200
    page = _text(r.text)
    assert "Halaman ini perlu data yang lengkap" not in page and "belum lengkap" not in _banner(r.text)
    for row in regency_coverage(ws):  # the regency's figures, as `check` prints them
        assert f"{row.eligible:,}".replace(",", ".") in page and f"{row.covered:,}".replace(",", ".") in page  # Indonesian grouping
    assert fresh.client.get("/coverage/map").status_code == 200
    assert fresh.client.get("/", follow_redirects=False).headers["location"] == "/coverage"
    # init's placeholders are still named (as `check` names them), with the page that replaces the team
    banner = _banner(r.text)
    assert "tim tim1 masih tim CONTOH dari init" in banner and 'href="/settings"' in r.text


def test_a_holiday_is_saved_on_a_new_regency(fresh):
    """The teams & calendar page works before the counts are in: a change that adds no problem is written."""
    r = fresh.post("/settings/holidays", kind="holidays", action="add", date="2026-12-04", name="Libur daerah")
    assert r.status_code == 303, _text(r.text)[:1500]
    assert "2026-12-04" in (fresh.ws / "workspace.toml").read_text(encoding="utf-8")
    r = fresh.post("/settings/holidays", kind="holidays", action="add", date="2026-13-04", name="x")
    assert r.status_code == 422  # a wrong date is still refused


@pytest.fixture
def bad_depot(tmp_path):
    shutil.copytree(SMALL, tmp_path / "ws")
    toml = tmp_path / "ws" / "workspace.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('depot = "office"', 'depot = "nowhere"', 1),
                    encoding="utf-8")
    d = Desk(tmp_path / "ws", tmp_path / "out")
    yield d
    d.close()


def test_a_workspace_toml_problem_is_a_banner_row_with_the_page_that_fixes_it(bad_depot):
    for url in PAGES:
        r = bad_depot.client.get(url)
        assert r.status_code == 200, url
        m = re.search(r'<table class="data" id="ws-banner-problems">.*?<tbody>(.*?)</tbody>', r.text, re.S)
        assert m, url
        rows = re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S)
        assert len(rows) == 1
        cells = [_text(c) for c in re.findall(r"<td>(.*?)</td>", rows[0], re.S)]
        assert cells[0].startswith("workspace.toml") and cells[2] == "depot" and cells[3] == "nowhere"
        assert "kantor (depot) tidak dikenal" in cells[4] and '<a href="/settings">' in rows[0]
    assert bad_depot.client.get("/data/template.xlsx").status_code == 200  # the villages still read
    bad_depot.post("/lang", lang="en", back="/plan")  # the problem read once, shown in each page's language
    banner = _banner(bad_depot.client.get("/plan").text)
    assert "Problems in the workspace (1)" in banner and "nowhere" in banner and "tidak dikenal" not in banner


def test_a_workspace_toml_that_is_not_toml_still_shows_every_page(tmp_path):
    shutil.copytree(SMALL, tmp_path / "ws")
    toml = tmp_path / "ws" / "workspace.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\nthis is = = not toml\n", encoding="utf-8")
    d = Desk(tmp_path / "ws", tmp_path / "out")
    try:
        for url in PAGES:
            r = d.client.get(url)
            assert r.status_code == 200, url
            assert "bukan TOML yang valid" in _banner(r.text), url
        assert "workspace.toml tidak dapat dibaca" in _text(d.client.get("/settings").text)
        r = d.client.get("/data/template.xlsx")
        assert r.status_code == 409 and "Templat perlu lapisan desa" in _text(r.text)
    finally:
        d.close()


def test_serve_opens_an_incomplete_workspace_and_refuses_a_folder_without_one(tmp_path, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from outreach_planner.cli import app as cli

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(app))
    init_workspace("74.09", tmp_path / "ws")
    res = CliRunner().invoke(cli, ["serve", str(tmp_path / "ws"), "--no-open", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0 and len(started) == 1
    assert "belum lengkap" in " ".join(res.output.split())
    (tmp_path / "empty").mkdir()
    res = CliRunner().invoke(cli, ["serve", str(tmp_path / "empty"), "--no-open", "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and len(started) == 1


def test_off_localhost_the_banner_waits_for_the_login(tmp_path):
    from outreach_planner.web import security

    init_workspace("74.09", tmp_path / "ws")
    config = DeskConfig(workspace=tmp_path / "ws", out_root=tmp_path / "out", host="0.0.0.0")
    security.save_password(config.state_dir, "rahasia-kantor")
    with TestClient(create_app(config)) as c:
        r = c.get("/data", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        r = c.get("/data/template.xlsx", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        page = c.get("/login")
        assert page.status_code == 200 and not _banner(page.text)
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
        assert c.post("/login", data={"password": "rahasia-kantor", "csrf": csrf}).status_code == 200
        assert "belum lengkap" in _banner(c.get("/data").text)


def test_the_e_ktp_counts_alone_come_in_and_the_banner_names_the_rest(fresh):
    import openpyxl

    r = fresh.client.get("/data/template.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    sh = wb["Desa"]
    head = [c.value for c in sh[1]]
    buf = io.BytesIO()
    wb.save(buf)
    r = fresh.post("/data", layer="auto", files={"upload": ("kosong.xlsx", buf.getvalue(), XLSX)})
    assert r.status_code == 422 and "tidak menambah apa pun" in _text(r.text)  # nothing typed: nothing changes
    rows = [row for row in sh.iter_rows(min_row=2) if row[0].value]
    for row in rows:
        row[head.index("WAJIB KTP")].value, row[head.index("SUDAH REKAM")].value = 300, 200
    for row in rows[:100]:  # KIA for 100 of the 170 villages
        row[head.index("JUMLAH ANAK")].value, row[head.index("PUNYA KIA")].value = 50, 10
    buf = io.BytesIO()
    wb.save(buf)
    r = fresh.post("/data", layer="auto", files={"upload": ("ektp.xlsx", buf.getvalue(), XLSX)})
    assert r.status_code == 200 and 'id="data-applied"' in r.text, _text(r.text)[:1500]
    data = json.loads((fresh.ws / "villages.geojson").read_text(encoding="utf-8"))
    assert all(f["properties"]["ektp_eligible"] == 300 for f in data["features"])
    banner = _banner(fresh.client.get("/coverage").text)  # as `check`: the missing column first
    assert "belum ada untuk Akta: semua desa." in banner and "e-KTP" not in banner
    for row in rows:
        row[head.index("WAJIB AKTA")].value, row[head.index("PUNYA AKTA")].value = 80, 70
    buf = io.BytesIO()
    wb.save(buf)
    r = fresh.post("/data", layer="auto", files={"upload": ("akta.xlsx", buf.getvalue(), XLSX)})
    assert r.status_code == 200 and 'id="data-applied"' in r.text, _text(r.text)[:1500]
    banner = _banner(fresh.client.get("/coverage").text)  # then the villages still without KIA counts
    assert "belum ada untuk KIA: 70 desa." in banner
    assert "Halaman ini perlu data yang lengkap" in _text(fresh.client.get("/coverage").text)
