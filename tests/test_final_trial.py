"""Defects found in the last try of the new-regency path (issue 15) as a planner of Konawe Utara would, with the
default language: the messages of a few user mistakes and of the outputs that still spoke English or in codes."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from outreach_planner.cli import app
from outreach_planner.week import Week

runner = CliRunner()


from plaintext import flat  # noqa: E402  (words, not the terminal's wrapping)


def _planned_small(tmp_path):
    """(workspace, output folder) of tests/data/small copied and planned for 2026-W49 (a solution limit)."""
    import shutil
    from pathlib import Path

    ws = tmp_path / "ws"
    shutil.copytree(Path(__file__).parent / "data" / "small", ws)
    out = tmp_path / "w49"
    res = runner.invoke(app, ["plan", str(ws), "--week", "2026-W49", "--solution-limit", "30", "--engine", "ortools",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    return ws, out


@pytest.fixture(autouse=True)
def _indonesian(monkeypatch):
    monkeypatch.delenv("OUTREACH_LANG", raising=False)


def test_a_week_number_the_year_does_not_have_is_said_in_indonesian():
    """Before: ``plan --week 2026-W60`` printed Python's 'Invalid week: 60'."""
    with pytest.raises(ValueError) as e:
        Week.parse("2026-W60")
    assert str(e.value) == "tahun 2026 tidak punya minggu ke-60 (tertulis '2026-W60')"
    res = runner.invoke(app, ["plan", "--week", "2026-W60", "--solution-limit", "1"])
    assert res.exit_code == 2
    assert "tahun 2026 tidak punya minggu ke-60" in flat(res.output) and "Invalid" not in res.output


@pytest.mark.parametrize("args, says", [
    (["simulate", "--weeks", "-2"], "Nilai tidak sah untuk '--weeks': paling sedikit 1."),
    (["plan", "--time-limit", "0.2"], "Nilai tidak sah untuk '--time-limit': paling sedikit 1."),
    (["simulate", "--time-limit", "0.1"], "Nilai tidak sah untuk '--time-limit': paling sedikit 0,5."),
])
def test_a_number_below_an_option_s_minimum_is_said_in_indonesian(args, says):
    """Before: typer's 'Input should be greater than or equal to 1' (a negative count of weeks)."""
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    text = flat(res.output)
    assert says in text, text
    assert not re.search(r"\b(Input|should|greater|equal)\b", text)


def test_record_given_only_a_workspace_folder_asks_for_the_form(tmp_path):
    """Before: ``record WS`` took the folder for the form, used the embedded workspace and said the (existing)
    folder was 'berkas tidak ditemukan'."""
    (tmp_path / "workspace.toml").write_text("")
    res = runner.invoke(app, ["record", str(tmp_path)])
    assert res.exit_code == 2
    text = flat(res.output)
    assert "adalah folder; berikan juga formulir hasil yang sudah diisi" in text, text
    assert "tidak ditemukan" not in text and "bawaan Kolaka Utara" not in text
    assert not (tmp_path / "ledger.sqlite").exists()


def test_replan_s_table_names_changes_places_teams_and_days_in_words(tmp_path, monkeypatch):
    """Before: ``replan`` printed 'added' / 'removed' / 'retimed', visit ids (vs:74.09.09.2015:2), team ids with ISO
    dates, the stages 'pinned' / 'free', and, with no team off, a reason about 'the absent team'."""
    import csv
    import shutil
    from pathlib import Path

    from outreach_planner import cli
    from outreach_planner.io import read_workspace as load

    monkeypatch.setattr(cli.console, "width", 400)  # a table row on one line, whatever the terminal
    ws = tmp_path / "ws"
    shutil.copytree(Path(__file__).parent / "data" / "small", ws)
    args = ["--solution-limit", "30", "--engine", "ortools"]
    res = runner.invoke(app, ["plan", str(ws), "--week", "2026-W49", *args, "--out", str(tmp_path / "w49")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["replan", str(ws), "--from", "2026-12-03", "--team-off", "tim1", "--plan",
                              str(tmp_path / "w49" / "plan.json"), *args, "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    text = flat(res.output)
    assert "Perubahan mulai Kamis, 3 Desember 2026" in text, text
    with open(tmp_path / "r" / "changes.csv", newline="", encoding="utf-8") as fh:
        changed = [r for r in csv.DictReader(fh) if r["change"] != "unchanged"]
    assert changed, "the re-plan changed nothing: the test needs a change to look at"
    words = {"retimed": "jam bergeser", "moved": "pindah", "added": "ditambah", "removed": "dihapus"}
    names = {t.id: t.name for t in load(ws).teams}
    for r in changed:
        assert words[r["change"]] in text and r["place"] in text
        team = r["team_after"] or r["team_before"]
        assert names[team] in text
    assert not re.search(r"\b(added|removed|retimed|moved|pinned|free)\b", text), text
    assert "vs:" not in text and f"{names['tim1']} Kam 03/12" in text  # (the reason still says 'tim libur: tim1')
    assert "tahap " in text and re.search(r"nilai: kunjungan tetap \d", text), text


def test_with_no_team_off_the_free_re_plan_s_reason_names_no_absent_team():
    """Before: a re-plan without --team-off whose unpinned stage won said 'tim yang absen' for every change."""
    import datetime as dt

    from outreach_planner.campaign.replan import _reasons

    rows = [{"change": "added", "kind": "village_session", "visit_id": "vs:1:1", "village_code": "1", "before": None,
             "after": {"team": "tim1", "date": "2026-12-10", "start": "08:00"}, "reason": ""}]
    _reasons(rows, None, dt.date(2026, 12, 10), "free", 2.9, 2.8, {"vs:1"})
    assert rows[0]["reason"] == ("tambahan nilai 2,9 (2,8%) dari merencanakan ulang semua hari sisa, dibanding "
                                 "membiarkan semua kunjungan di tempatnya")
    _reasons(rows, "tim1", dt.date(2026, 12, 10), "free", 2.9, 2.8, {"vs:1"})
    assert "tim yang absen" in rows[0]["reason"]


def test_the_week_is_named_by_its_days_not_its_iso_number(tmp_path, monkeypatch):
    """Before: the plan's head line, the route sheets' title and footer, the map's title and schedule.xlsx's title
    named the week '2026-W49', a number no office calendar shows."""
    import subprocess
    from pathlib import Path

    import openpyxl

    from outreach_planner import cli
    from outreach_planner.render.strings import week_words

    assert week_words("2026-W49") == "30 November – 4 Desember 2026"
    assert week_words("2026-W50", "en") == "7–11 December 2026"
    monkeypatch.setattr(cli.console, "width", 400)
    out = tmp_path / "out"
    res = runner.invoke(app, ["plan", str(Path(__file__).parent / "data" / "small"), "--week", "2026-W49",
                              "--solution-limit", "30", "--engine", "ortools", "--out", str(out)])
    assert res.exit_code == 0, res.output
    import json

    days = sorted({r["date"] for r in json.loads((out / "plan.json").read_text())["routes"]})
    assert days[0] == "2026-11-30" and days[-1] == "2026-12-04", days  # the words below are of these days
    said = "30 November – 4 Desember 2026"
    assert f"Rencana minggu {said} untuk" in flat(res.output)
    pdf = subprocess.run(["pdftotext", "-layout", str(out / "route_sheets.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    first = pdf.splitlines()[0]
    assert "LEMBAR RUTE JEMPUT BOLA" in first and said in first and "2026-W49" not in first, first
    assert f"minggu {said} ·" in pdf
    html = (out / "map.html").read_text(encoding="utf-8")
    html = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), html)  # the title is in a JS string
    assert f"Minggu {said}</h4>" in html and f"<title>Rencana jemput bola {said}</title>" in html
    sheet = openpyxl.load_workbook(out / "schedule.xlsx").worksheets[0]
    assert sheet["A1"].value == f"Rencana jemput bola minggu {said}"


def test_import_names_the_columns_it_found_and_the_table_kind_in_words(tmp_path, monkeypatch):
    """Before: 'Lembar REKAP: kolom village_code=B, village_name=C, district=D, ektp_eligible=E, ...' and
    'Jenis tabel (--kind): villages': the reader's field codes, not words."""
    from outreach_planner import cli
    from outreach_planner.io.init_workspace import init_workspace

    from test_init_import import dinas_workbook

    monkeypatch.setattr(cli.console, "width", 400)
    ws = tmp_path / "konut"
    init_workspace("74.09", ws, [2026])
    dinas_workbook(tmp_path / "REKAP.xlsx", "74.09", dotted=False)
    res = runner.invoke(app, ["import", str(ws), str(tmp_path / "REKAP.xlsx")])
    assert res.exit_code == 0, res.output
    text = flat(res.output)
    assert ("Lembar REKAP: kolom kode desa=B, nama desa=C, kecamatan=D, wajib KTP-el=E, sudah rekam KTP-el=F, "
            "anak (wajib KIA)=G, punya KIA=H, wajib akta=I, punya akta=J") in text, text
    assert "Jenis tabel (--kind): cakupan per desa (villages)" in text
    assert not re.search(r"\b(village_code|village_name|district|ektp_eligible|akta_covered)=", text)


def test_a_bad_row_of_the_xlsx_form_names_the_column_as_the_form_heads_it(tmp_path, monkeypatch):
    """Before: 'hasil.xlsx, baris 2, kolom 'status': ...' and 'kolom 'plan_id'' for columns the workbook heads
    'Status' and 'Id rencana'."""

    import openpyxl

    from outreach_planner import cli

    monkeypatch.setattr(cli.console, "width", 400)
    monkeypatch.setattr(cli.err_console, "width", 400)
    ws, out = _planned_small(tmp_path)
    wb = openpyxl.load_workbook(out / "outcomes_form.xlsx")
    sh = wb.worksheets[0]
    head = [c.value for c in sh[1]]
    sh.cell(2, head.index("Status") + 1, "sudah")  # no status word
    sh.cell(3, head.index("Id rencana") + 1, "2026-W49-00000000")  # no such plan
    sh.cell(3, head.index("Status") + 1, "batal")  # (a row with no status is not reported yet)
    sh.cell(3, head.index("Alasan") + 1, "hujan")
    wb.save(tmp_path / "hasil.xlsx")
    res = runner.invoke(app, ["record", str(ws), str(tmp_path / "hasil.xlsx"), "--plan", str(out / "plan.json")])
    assert res.exit_code == 2
    text = flat(res.output)
    assert "hasil.xlsx, baris 2, kolom 'Status':" in text, text
    assert "hasil.xlsx, baris 3, kolom 'Id rencana':" in text, text
    assert "kolom 'status'" not in text and "kolom 'plan_id'" not in text


def test_a_status_that_is_no_status_is_one_problem_not_also_a_missing_reason(tmp_path):
    """Before: status 'sudah' gave 'tidak boleh untuk antar dokumen; ...' and then 'tulis alasan kunjungan ini sudah'
    (a reason demanded for the wrong word)."""
    import csv

    ws, out = _planned_small(tmp_path)
    with open(out / "outcomes_form.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["kind"] == "village_session")
    row["status"] = "sudah"
    with open(tmp_path / "hasil.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerow(row)
    res = runner.invoke(app, ["record", str(ws), str(tmp_path / "hasil.csv"), "--plan", str(out / "plan.json")])
    assert res.exit_code == 2
    text = flat(res.output)
    assert "kolom 'status': tidak boleh untuk sesi desa; yang boleh:" in text, text
    assert "tulis alasan" not in text and "1 masalah; tidak ada yang dicatat." in text, text


def test_help_shows_the_value_types_and_float_defaults_in_indonesian():
    """Before: ``--help`` showed typer's '<bool>', '<path>', '<str>', '<int range>', '<float range>' and
    '[bawaan: 10.0]' (a decimal point) in the Indonesian help."""
    res = runner.invoke(app, ["simulate", "--help"], env={"COLUMNS": "200"})  # a width that shows every column
    assert res.exit_code == 0
    text = flat(res.output)
    assert "<bilangan>" in text and "<jalur>" in text and "<teks>" in text and "<angka>" in text, text
    assert "[bawaan: 10]" in text and "10.0" not in text
    assert not re.search(r"<(bool|path|str|int|float|int range|float range)>", text), text
    res = runner.invoke(app, ["simulate", "--help"], env={"OUTREACH_LANG": "en", "COLUMNS": "200"})  # (help texts: set at import)
    text = flat(res.output)
    assert "<path>" in text and "<int range>" in text and "10.0]" in text, text
