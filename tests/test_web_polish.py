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
