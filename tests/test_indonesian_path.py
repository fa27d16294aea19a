"""Issue 15, Indonesian throughout: a new planner's path in the default language, the outcomes form's statuses
in Indonesian, the xlsx outputs as an office worker expects them."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from outreach_planner.campaign.ledger import Ledger
from outreach_planner.cli import app
from outreach_planner.io.outcomes import FORM_SHEET, STATUS_WORDS_ID, column_name, form_key, status_code

from test_init_import import dinas_workbook

runner = CliRunner()
SMALL = Path(__file__).parent / "data" / "small"
PLAN_ARGS = ["--week", "2026-W49", "--solution-limit", "30", "--engine", "ortools", "--time-limit", "600"]

#: English a planner must not meet on the way in the default language (words of the old messages and headers).
ENGLISH = re.compile(r"\b(Outputs|Coverage|warning|note|Plan 20|Visits|Invalid|problem|Team|Service|Still needed|"
                     r"reached|Lower value|search stopped|districts|villages|schools|teams|Workspace is valid|"
                     r"Regency|Eligible|Covered|Target \(|Travel|People expected|Before|After|Reason|Engines|"
                     r"Solving|objective|population is|route sheets|Created|Counts written|Next:|Sheet|columns)\b")


from plaintext import flat  # noqa: E402  (words, not the terminal's wrapping)


def test_a_new_planner_of_konawe_utara_meets_no_english(tmp_path, monkeypatch):
    monkeypatch.delenv("OUTREACH_LANG", raising=False)
    ws, book, out = tmp_path / "konut", tmp_path / "REKAP_KONUT.xlsx", tmp_path / "out"
    dinas_workbook(book, "74.09", misspell=True)
    steps = [["init", "--regency", "74.09", "--out", str(ws), "--year", "2026"],
             ["check", str(ws)],  # names what is missing (exit 2)
             ["import", str(ws), str(book)],
             ["check", str(ws)],
             ["plan", str(ws), "--week", "2026-W50", "--out", str(out), "--solution-limit", "5", "--engine",
              "ortools"]]
    codes, said = [], []
    for args in steps:
        res = runner.invoke(app, args)
        codes.append(res.exit_code)
        said.append(flat(res.output))
    assert codes == [0, 2, 0, 0, 0], said
    # file names, paths, column keys and --kind codes are names, not English
    names = re.compile(r"\S*[./_]\S*|\(--kind\): \w+|\((?:villages|schools|deliveries)\)")  # (the --kind code)
    english = {args[0]: ENGLISH.findall(names.sub(" ", text)) for args, text in zip(steps, said)}
    assert all(not found for found in english.values()), english
    assert "Yang masih kurang" in said[1] and "Wilayah kerja valid" in said[3]
    assert "Keluaran:" in said[4] and "Kunjungan yang tidak masuk, menurut alasan" in said[4]
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert any(r["steps"] for r in plan["routes"])
    assert {u["reason"] for u in plan["unassigned"]} <= {"low_value", "missed", "no_time", "same_day", "unreachable",
                                                         "capacity", "no_window", "no_skill", "forbidden"}
    # the same path in English on request
    res = runner.invoke(app, ["check", str(ws), "--lang", "en"])
    assert res.exit_code == 0 and "Workspace is valid" in flat(res.output)
    res = runner.invoke(app, ["check", str(ws)], env={"OUTREACH_LANG": "en"})
    assert res.exit_code == 0 and "Workspace is valid" in flat(res.output)
    res = runner.invoke(app, ["--lang", "en", "check", str(ws)])  # the option before the command, too
    assert res.exit_code == 0 and "Workspace is valid" in flat(res.output)
    res = runner.invoke(app, ["check", str(ws)])  # and it does not stick
    assert res.exit_code == 0 and "Wilayah kerja valid" in flat(res.output)


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """A copy of the small workspace and one plan of it, in the default language."""
    root = tmp_path_factory.mktemp("idpath")
    ws = root / "ws"
    shutil.copytree(SMALL, ws)
    res = runner.invoke(app, ["plan", str(ws), *PLAN_ARGS, "--out", str(root / "out")], env={"OUTREACH_LANG": ""})
    assert res.exit_code == 0, res.output
    return ws, root / "out"


def test_status_words():
    assert [status_code(w) for w in ("selesai", "Tidak  Hadir", "TERKIRIM", "gagal", "batal", "bermalam", "pulang",
                                     "tidak_hadir", "done", "Missed")] == \
        ["done", "missed", "delivered", "failed", "cancelled", "stayed", "returned", "missed", "done", "missed"]
    assert sorted(STATUS_WORDS_ID) == sorted(["done", "missed", "delivered", "failed", "cancelled", "stayed",
                                              "returned"])


def test_the_form_offers_indonesian_words_and_rejects_others(planned):
    _, out = planned
    wb = openpyxl.load_workbook(out / "outcomes_form.xlsx")
    sh = wb[FORM_SHEET]
    head = [form_key(column_name(c.value)) for c in sh[1]]
    assert [c.value for c in sh[1]][:3] == ["Id rencana", "Id kunjungan", "Tim"]  # Indonesian headers
    assert all(isinstance(r[head.index("date")], dt.datetime) for r in sh.iter_rows(min_row=2, values_only=True))
    lists = [dv for dv in sh.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    words = lists[0].formula1.strip('"').split(",")
    assert words == ["selesai", "tidak hadir", "terkirim", "gagal", "batal", "bermalam", "pulang"]
    status_col = openpyxl.utils.get_column_letter(head.index("status") + 1)
    assert str(lists[0].sqref).startswith(f"{status_col}2:")
    assert all(dv.showErrorMessage and dv.errorStyle == "stop" for dv in sh.data_validations.dataValidation)
    allowed = {r[head.index("allowed_status")] for r in sh.iter_rows(min_row=2, values_only=True)}
    assert allowed and all(set(a.split("/")) <= set(words) for a in allowed)
    assert sh.page_setup.orientation == "landscape" and sh.page_setup.fitToWidth == 1
    assert sh.print_title_rows == "$1:$1" and sh.auto_filter.ref == sh.dimensions and sh.freeze_panes == "C2"


def test_record_takes_the_indonesian_words_and_stores_the_codes(planned, tmp_path):
    ws_dir, out = planned
    ws = tmp_path / "ws"
    shutil.copytree(ws_dir, ws)
    shutil.copy(out / "plan.json", tmp_path / "plan.json")
    with open(out / "outcomes_form.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    word = {"village_session": "Selesai", "school_session": "tidak hadir", "home_visit": "batal",
            "delivery": "TERKIRIM", "night": "bermalam"}
    for r in rows:
        r["status"] = word[r["kind"]]
        if r["status"] != "Selesai":
            r["reason"] = "hujan"
    with open(tmp_path / "filled.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    res = runner.invoke(app, ["record", str(ws), str(tmp_path / "filled.csv")], env={"OUTREACH_LANG": ""})
    assert res.exit_code == 0, res.output
    assert "dicatat" in flat(res.output)
    with Ledger(ws / "ledger.sqlite") as led:
        got = {o.visit_id: o.status for o in led.outcomes()}
    code = {"Selesai": "done", "tidak hadir": "missed", "batal": "cancelled", "TERKIRIM": "delivered"}
    assert got == {r["visit_id"]: code[r["status"]] for r in rows if r["kind"] != "night"}
    # a word that is neither: the row is reported and nothing recorded
    rows[0]["status"] = "beres"
    with open(tmp_path / "bad.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    ws2 = tmp_path / "ws2"
    shutil.copytree(ws_dir, ws2)
    res = runner.invoke(app, ["record", str(ws2), str(tmp_path / "bad.csv"), "--plan", str(out / "plan.json")])
    assert res.exit_code == 2 and "beres" in flat(res.output)
    assert not (ws2 / "ledger.sqlite").exists() or not Ledger(ws2 / "ledger.sqlite").outcomes()


def test_english_form_shows_the_codes(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SMALL, ws)
    res = runner.invoke(app, ["plan", str(ws), *PLAN_ARGS, "--out", str(tmp_path / "out"), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "Outputs:" in flat(res.output)
    sh = openpyxl.load_workbook(tmp_path / "out" / "outcomes_form.xlsx")[FORM_SHEET]
    lists = [dv for dv in sh.data_validations.dataValidation if dv.type == "list"]
    assert lists[0].formula1.strip('"').split(",") == ["done", "missed", "delivered", "failed", "cancelled",
                                                         "stayed", "returned"]
    assert [c.value for c in sh[1]][:3] == ["plan_id", "visit_id", "team"]
    sched = openpyxl.load_workbook(tmp_path / "out" / "schedule.xlsx")
    assert sched.sheetnames[0] == "Summary" and sched.sheetnames[-1] == "Left out"
    team = sched.worksheets[1]
    assert [c.value for c in team[1]][:3] == ["Team", "Date", "Day"]


def test_a_filled_indonesian_xlsx_form_records(planned, tmp_path):
    """The xlsx form as written (Indonesian headers, real dates, drop-down words) records as it is filled."""
    ws_dir, out = planned
    ws = tmp_path / "ws"
    shutil.copytree(ws_dir, ws)
    shutil.copy(out / "plan.json", tmp_path / "plan.json")
    wb = openpyxl.load_workbook(out / "outcomes_form.xlsx")
    sh = wb[FORM_SHEET]
    head = [c.value for c in sh[1]]
    for row in sh.iter_rows(min_row=2):
        kind = row[head.index("Kode kegiatan")].value
        row[head.index("Status")].value = {"delivery": "terkirim", "night": "bermalam"}.get(kind, "selesai")
        if kind not in ("delivery", "night"):
            row[head.index("Dilayani ektp")].value = 1
    wb.save(tmp_path / "filled.xlsx")
    res = runner.invoke(app, ["record", str(ws), str(tmp_path / "filled.xlsx")])
    assert res.exit_code == 0, res.output
    with Ledger(ws / "ledger.sqlite") as led:
        outs = led.outcomes()
    assert {o.status for o in outs} <= {"done", "delivered"} and len(outs) == sh.max_row - 1
    assert sum(o.people.get("ektp", 0) for o in outs) > 0
