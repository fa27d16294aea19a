"""The desk after review (issue 14): the jobs' language, stale settings forms, the session cookie over HTTPS,
uploads waiting for decisions. Handlers through FastAPI's TestClient, no browser."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from test_web import Desk, _text  # noqa: E402

from outreach_planner.render.strings import labels  # noqa: E402


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages)


def _forbid_then_replan(d: Desk, set_id: str) -> tuple[str, str]:
    """Forbid a scheduled village session of the plan, re-plan from its first day; (the forbidden key, new set)."""
    plan = json.loads((d.out / set_id / "plan.json").read_text(encoding="utf-8"))
    step = next(s for r in plan["routes"] for s in r["steps"] if s["type"] == "visit"
                and s["kind"] == "village_session")
    key = f"vs:{step['village_code']}"
    assert d.post(f"/plans/{set_id}/edits", data={"action": "forbid", "visit": key}).status_code == 303
    first = min(r["date"] for r in plan["routes"])
    return key, d.run(f"/plans/{set_id}/replan", from_date=first, team_off="")


def test_a_plan_from_the_english_page_speaks_english_on_the_page_and_indonesian_on_paper(tmp_path, monkeypatch):
    """The server in Indonesian, the page switched to English: the job's texts (the re-plan's reasons, the map in
    the page) are English, the officers' documents (route sheets, schedule.xlsx, the outcomes form) Indonesian."""
    monkeypatch.delenv("OUTREACH_LANG", raising=False)
    d = Desk(tmp_path)
    try:
        assert d.post("/lang", data={"lang": "en", "back": "/plan"}).status_code == 303
        set_id = d.run("/plan", date="2026-12-02")
        _, new = _forbid_then_replan(d, set_id)
        with open(d.out / new / "changes.csv", encoding="utf-8") as fh:
            reasons = {c["reason"] for c in csv.DictReader(fh)}
        assert "forbidden by the planner" in reasons and "dilarang oleh perencana" not in reasons
        assert "forbidden by the planner" in _text(d.client.get(f"/plans/{new}").text)
        for sid in (set_id, new):
            folder = d.out / sid
            html = (folder / "map.html").read_text(encoding="utf-8")
            assert labels("en")["why"] in html and labels("id")["why"] not in html
            sheets = _pdf_text((folder / "route_sheets.pdf").read_bytes())
            assert labels("id")["sheet_title"] in sheets and labels("en")["sheet_title"] not in sheets
            assert openpyxl.load_workbook(folder / "schedule.xlsx").sheetnames[0] == "Ringkasan"
            head = [c.value for c in next(openpyxl.load_workbook(folder / "outcomes_form.xlsx").active.iter_rows(max_row=1))]
            assert "Tanggal" in head and "Date" not in head
    finally:
        d.close()


# ---- 2. two planners editing the same team or the calendar
def _settings_desk(tmp_path):
    from test_web_settings import Desk as SettingsDesk

    return SettingsDesk(tmp_path)


def _form(html: str, form_id: str) -> dict:
    """The fields of a form as the page fills them, without its CSRF token (the post adds the session's)."""
    from test_web_settings import _form_of

    return {k: v for k, v in _form_of(html, form_id).items() if k != "csrf"}


def _planner(desk):
    """A second browser on the same desk: its own session, its own CSRF token."""
    from fastapi.testclient import TestClient
    from test_web_settings import _token

    other = TestClient(desk.app)
    return other, _token(other.get("/settings").text)


@pytest.mark.parametrize("form_id, url, field, mine, theirs, stale", [
    ("team-form-tim1", "/settings/teams/tim1", "name", "Tim Satu (A)", "Tim Satu (B)",
     "Tim ini diubah orang lain sejak halaman dibuka; muat ulang halaman"),
    ("calendar-form", "/settings/calendar", "hours_mon_end", "15:00", "16:30",
     "Kalender diubah orang lain sejak halaman dibuka; muat ulang halaman")])
def test_a_save_against_a_form_someone_else_saved_meanwhile_is_refused(tmp_path, form_id, url, field, mine, theirs,
                                                                       stale):
    """Planners A and B open the same form; B saves; A's later save is refused (a row in Indonesian, the file
    as B left it, A's typed value still in the form); after a reload A's save goes through."""
    from test_web_settings import _rows

    d = _settings_desk(tmp_path)
    b, b_csrf = _planner(d)
    form_a = _form(d.client.get("/settings").text, form_id)
    form_b = _form(b.get("/settings").text, form_id)
    assert d.post(url, client=b, csrf=b_csrf, **{**form_b, field: theirs}).status_code == 303
    after_b = d.toml.read_bytes()
    r = d.post(url, **{**form_a, field: mine})
    assert r.status_code == 422, "the later save silently won"
    assert any(stale in row[-1] for row in _rows(r.text))
    assert d.toml.read_bytes() == after_b  # B's save stands
    assert _form(r.text, form_id)[field] == mine  # A's typed value is kept
    r = d.post(url, **{**_form(r.text, form_id), field: mine})  # the same stale form again: still refused
    assert r.status_code == 422 and d.toml.read_bytes() == after_b
    r = d.post(url, **{**_form(d.client.get("/settings").text, form_id), field: mine})  # reloaded
    assert r.status_code == 303 and d.toml.read_bytes() != after_b


def test_a_day_off_or_a_holiday_added_meanwhile_does_not_make_an_open_form_stale(tmp_path):
    """Days off and holidays are added one at a time on the file as it is: an open team or calendar form stays
    valid (its save keeps the day off and the holiday)."""
    d = _settings_desk(tmp_path)
    b, b_csrf = _planner(d)
    page = d.client.get("/settings").text
    team, cal = _form(page, "team-form-tim1"), _form(page, "calendar-form")
    assert d.post("/settings/teams/tim1/days-off", client=b, csrf=b_csrf, action="add",
                  date="2026-12-03").status_code == 303
    assert d.post("/settings/holidays", client=b, csrf=b_csrf, kind="holidays", action="add", date="2026-12-25",
                  name="Natal").status_code == 303
    assert d.post("/settings/teams/tim1", **{**team, "name": "Tim Satu Baru"}).status_code == 303
    assert d.post("/settings/calendar", **{**cal, "hours_mon_end": "15:30"}).status_code == 303
    text = d.toml.read_text(encoding="utf-8")
    assert "Tim Satu Baru" in text and "2026-12-03" in text and "2026-12-25" in text and "15:30" in text


def test_removing_an_edit_from_a_page_opened_before_another_tab_removed_one_removes_that_edit(tmp_path):
    """The edits of a plan page are the session's (another planner has their own); two tabs of one planner share
    them: a remove button of a page opened before another tab removed an entry removes its own entry, not the
    one now at its place."""
    d = Desk(tmp_path)
    try:
        set_id = d.run("/plan", date="2026-12-02")
        plan = json.loads((d.out / set_id / "plan.json").read_text(encoding="utf-8"))
        keys = sorted({f"vs:{s['village_code']}" for r in plan["routes"] for s in r["steps"]
                       if s["type"] == "visit" and s["kind"] == "village_session"})[:3]
        assert len(keys) == 3
        for k in keys:
            assert d.post(f"/plans/{set_id}/edits", data={"action": "forbid", "visit": k}).status_code == 303
        old_page = d.client.get(f"/plans/{set_id}").text  # tab 1
        import html as html_lib

        buttons = [{"index": i, "item": html_lib.unescape(item), "action": "remove_forbid"} for i, item in
                   re.findall(r'name="index" value="(\d+)"><input type="hidden" name="item" value=\'([^\']*)\'>',
                              old_page)]
        assert [b["index"] for b in buttons] == ["0", "1", "2"]

        def forbidden() -> list[str]:
            page = _text(d.client.get(f"/plans/{set_id}").text)
            return re.findall(r"Dilarang: (.+?) \(", page)

        before = forbidden()
        assert len(before) == 3
        assert d.post(f"/plans/{set_id}/edits", data=buttons[0]).status_code == 303  # tab 2 removes the first
        assert d.post(f"/plans/{set_id}/edits", data=buttons[1]).status_code == 303  # tab 1, opened before: the 2nd
        assert forbidden() == [before[2]]
    finally:
        d.close()


# ---- 4. the session cookie over HTTPS
def _session_cookie(response) -> str:
    return next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("desk_session="))


@pytest.mark.parametrize("base_url, https, secure", [("http://testserver", False, False),
                                                     ("https://testserver", False, True),
                                                     ("http://testserver", True, True)])
def test_the_session_cookie_is_secure_when_the_desk_is_reached_over_https(tmp_path, base_url, https, secure):
    """Plain HTTP (the office network): no Secure flag, the session works. A request over HTTPS (TLS, or a reverse
    proxy's X-Forwarded-Proto that uvicorn trusts), or a desk served with --https: Secure."""
    import shutil

    from fastapi.testclient import TestClient
    from test_web import SMALL

    from outreach_planner.web import DeskConfig, create_app, security

    shutil.copytree(SMALL, tmp_path / "ws")
    config = DeskConfig(workspace=tmp_path / "ws", out_root=tmp_path / "out", **({"https": True} if https else {}))
    assert config.login == https  # --https: the office reaches it through the proxy, so a login is needed
    if https:
        security.save_password(config.state_dir, "kata sandi panjang")
    client = TestClient(create_app(config), base_url=base_url)
    r = client.get("/login" if https else "/coverage")
    cookie = _session_cookie(r)
    attrs = [a.strip().lower() for a in cookie.split(";")[1:]]
    assert ("secure" in attrs) == secure and "httponly" in attrs and "samesite=strict" in attrs
    if https:  # the log-in goes through and the session holds (httpx sends a Secure cookie over https only)
        token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
        client = TestClient(client.app, base_url="https://testserver")
        client.cookies.set("desk_session", cookie.split(";")[0].split("=", 1)[1])
        r = client.post("/login", data={"password": "kata sandi panjang", "csrf": token}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
    assert client.get("/coverage", follow_redirects=False).status_code == 200


# ---- 5. uploads waiting for decisions
NIK = "7408015501900001"  # synthetic
RESIDENT = "Wa Ode Synthetica"


def _office_csv(ws) -> bytes:
    """An office table with a row that matches no village, and (as an office's sheet may) a resident's name and
    NIK in a column the import does not use."""
    import csv as csv_mod

    buf = io.StringIO()
    w = csv_mod.writer(buf, delimiter=";")
    w.writerow(["Rekap perekaman per desa"])
    w.writerow(["KODE DESA", "NAMA DESA", "KECAMATAN", "WAJIB KTP", "SUDAH REKAM", "CATATAN"])
    for i, v in enumerate(ws.villages):
        w.writerow(["" if i == 1 else v.code.replace(".", ""), "Pitlulwa" if i == 1 else v.name, v.district_name,
                    v.eligible["ektp"], v.eligible["ektp"] - 3, f"{RESIDENT} {NIK}" if i == 1 else ""])
    return buf.getvalue().encode("utf-8")


def _upload(d: Desk, name: str = "rekap.csv"):
    from outreach_planner.io import read_workspace

    r = d.post("/data", files={"upload": (name, _office_csv(read_workspace(d.ws)), "text/csv")})
    assert r.status_code == 200, _text(r.text)
    return r, re.search(r'name="token" value="([0-9a-f]{32})"', r.text).group(1)


def test_a_waiting_upload_is_private_and_deleted_on_cancel_and_after_twelve_hours(tmp_path, caplog, capfd):
    import logging
    import os
    import stat

    from outreach_planner.web import data_in

    caplog.set_level(logging.DEBUG)
    d = Desk(tmp_path)
    try:
        uploads = d.out / ".desk" / "uploads"
        r, token = _upload(d)
        assert 'id="data-cancel"' in r.text
        assert stat.S_IMODE(uploads.stat().st_mode) == 0o700
        stored = sorted(uploads.iterdir())
        assert [p.name for p in stored] == [f"{token}.bin", f"{token}.json"]
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in stored)
        assert NIK.encode() in (uploads / f"{token}.bin").read_bytes()  # what the upload holds, kept only here
        before = {p.name: p.read_bytes() for p in d.ws.iterdir() if p.is_file()}
        r = d.post("/data/cancel", data={"token": token})
        assert r.status_code == 200 and "rekap.csv dibatalkan" in _text(r.text)
        assert not list(uploads.iterdir())
        assert {p.name: p.read_bytes() for p in d.ws.iterdir() if p.is_file()} == before  # nothing written
        assert d.post("/data/resolve", data={"token": token}).status_code == 404
        assert d.post("/data/cancel", data={"token": token}).status_code == 404
        # a folder made with wider rights is narrowed; an upload left waiting 12 hours is gone
        os.chmod(uploads, 0o755)
        _, token = _upload(d)
        assert stat.S_IMODE(uploads.stat().st_mode) == 0o700
        aged = (uploads / f"{token}.bin").stat().st_mtime - data_in.UPLOAD_HOURS * 3600 - 1
        for p in uploads.iterdir():
            os.utime(p, (aged, aged))
        r = d.post("/data/resolve", data={"token": token})
        assert r.status_code == 404 and not list(uploads.iterdir())
        out, err = capfd.readouterr()
        for text in (caplog.text, out, err):
            assert NIK not in text and RESIDENT not in text and NIK[-8:] not in text
    finally:
        d.close()


def test_an_applied_upload_is_deleted_and_an_expired_one_goes_at_the_next_start(tmp_path):
    import os

    from fastapi.testclient import TestClient

    from outreach_planner.web import DeskConfig, create_app, data_in

    d = Desk(tmp_path)
    try:
        uploads = d.out / ".desk" / "uploads"
        r, token = _upload(d)
        key = re.search(r'<select name="(d:[^"]+)"', r.text).group(1)
        r = d.post("/data/resolve", data={"token": token, key: "skip"})
        assert r.status_code == 200 and "dimasukkan" in _text(r.text), _text(r.text)
        assert not list(uploads.iterdir())
        _, token = _upload(d, "rekap desember.csv")  # another file: no decisions kept for it yet
        old = (uploads / f"{token}.bin").stat().st_mtime - data_in.UPLOAD_HOURS * 3600 - 1
        for p in uploads.iterdir():
            os.utime(p, (old, old))
    finally:
        d.close()
    with TestClient(create_app(DeskConfig(workspace=d.ws, out_root=d.out))):  # the desk started again
        assert not list(uploads.iterdir())
