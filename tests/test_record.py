"""The tally form written by ``plan`` and read back by ``record``: validation, idempotence, next plan."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from outreach_planner.cli import app
from outreach_planner.io import read_workspace
from outreach_planner.io.outcomes import (FORM_SHEET, column_name, form_columns, form_key, plan_from_document,
                                          read_outcomes_form)
from outreach_planner.campaign.ledger import Ledger, plan_id_of

#: These tests assert on the English texts of the messages (Indonesian is the default: test_indonesian_path.py).
pytestmark = pytest.mark.usefixtures("english")

SMALL = Path(__file__).parent / "data" / "small"
PLAN_ARGS = ["--week", "2026-W49", "--solution-limit", "30", "--engine", "ortools", "--time-limit", "600"]


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """A copy of the small workspace and one plan of it (no ledger yet)."""
    root = tmp_path_factory.mktemp("rec")
    ws = root / "ws"
    shutil.copytree(SMALL, ws)
    res = CliRunner().invoke(app, ["plan", str(ws), *PLAN_ARGS, "--out", str(root / "out")])
    assert res.exit_code == 0, res.output
    return ws, root / "out"


def _rows(out: Path) -> list[dict]:
    with open(out / "outcomes_form.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _fill(rows: list[dict]) -> list[dict]:
    """Every visit done as expected, except the first home visit missed and the first delivery failed."""
    out, missed, failed = [], False, False
    for r in rows:
        r = dict(r)
        if r["kind"] == "home_visit" and not missed:
            r.update(status="missed", reason="nobody home")
            missed = True
        elif r["kind"] == "delivery" and not failed:
            r.update(status="failed", reason="wrong address")
            failed = True
        else:
            r["status"] = "delivered" if r["kind"] == "delivery" else "done"
            for k in list(r):
                if k.startswith("expected_") and r["kind"] != "delivery":
                    r["served_" + k[9:]] = r[k]
        out.append(r)
    return out


def _write_csv(path: Path, rows: list[dict], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)
    return path


def _text(res) -> str:
    """CLI output with whitespace normalised (never assert on how rich breaks lines)."""
    return " ".join(res.output.split())


def test_form_has_one_blank_row_per_visit_and_no_names(planned):
    ws_dir, out = planned
    ws = read_workspace(ws_dir)
    import json

    plan = plan_from_document(json.loads((out / "plan.json").read_text()))
    rows = _rows(out)
    assert [r["visit_id"] for r in rows] and sorted(r["visit_id"] for r in rows) == sorted(
        s.visit_id for _, s in plan.visit_steps)
    assert {r["plan_id"] for r in rows} == {plan_id_of(plan)}
    assert list(rows[0]) == form_columns(ws)
    assert all(r["status"] == "" and r["served_ektp"] == "" for r in rows)
    text = (out / "outcomes_form.csv").read_text()
    for r in ws.requests:
        assert r.name not in text and (not r.nik or r.nik not in text)
    for d in ws.deliveries:
        assert d.recipient not in text
    wb = openpyxl.load_workbook(out / "outcomes_form.xlsx")
    assert wb[FORM_SHEET].max_row == len(rows) + 1
    assert not (ws_dir / "ledger.sqlite").exists()  # plan creates no ledger by itself


def test_record_applies_once_and_the_next_plan_starts_from_it(planned, tmp_path):
    ws_dir, out = planned
    ws = tmp_path / "ws"
    shutil.copytree(ws_dir, ws)
    filled = _fill(_rows(out))
    form = _write_csv(out / "filled.csv", filled)
    runner = CliRunner()
    res = runner.invoke(app, ["record", str(form), "--workspace", str(ws)])
    assert res.exit_code == 0, res.output
    assert f"{len(filled)} new" in _text(res)
    with Ledger(ws / "ledger.sqlite") as led:
        first = led.dump()
        reqs = led.requests()
        assert len(led.outcomes()) == len(filled)
    missed = next(r["visit_id"] for r in filled if r["status"] == "missed")
    failed = next(r["visit_id"] for r in filled if r["status"] == "failed")
    assert reqs[missed]["state"] == "failed" and reqs[missed]["reason"] == "nobody home"
    assert reqs[failed]["state"] == "failed"
    done = {r["visit_id"] for r in filled if r["status"] in ("done", "delivered") and r["kind"] in
            ("home_visit", "delivery")}
    assert all(reqs[k]["state"] == "done" for k in done)
    # same file twice: nothing changes
    res = runner.invoke(app, ["record", str(form), "--workspace", str(ws)])
    assert res.exit_code == 0 and f"0 new, 0 corrected, {len(filled)} already recorded" in _text(res)
    with Ledger(ws / "ledger.sqlite") as led:
        assert led.dump() == first
        after = led.apply_progress(read_workspace(ws))
    before = read_workspace(ws)
    served = sum(int(r["served_ektp"] or 0) for r in filled)
    assert served > 0
    gained = sum(after.village(v.code).covered["ektp"] - v.covered["ektp"] for v in before.villages)
    assert 0 < gained <= served
    kept = {f"hv:{r.id}" for r in after.requests} | {f"dl:{d.id}" for d in after.deliveries}
    assert missed in kept and failed in kept and not (done & kept)
    # the next week's plan reads the ledger: done requests are gone, the missed one is offered again
    res = runner.invoke(app, ["plan", str(ws), "--week", "2026-W50", "--solution-limit", "30", "--time-limit", "600", "--engine",
                              "ortools", "--out", str(tmp_path / "w50")])
    assert res.exit_code == 0, res.output
    ids = {r["visit_id"] for r in _rows(tmp_path / "w50")}
    import json

    doc = json.loads((tmp_path / "w50" / "plan.json").read_text())
    offered = ids | {u["visit_id"] for u in doc["unassigned"]}
    assert missed in offered and not (done & offered)
    with Ledger(ws / "ledger.sqlite") as led:
        assert led.latest_plan("2026-W50") is not None


def test_record_reads_the_xlsx_form(planned, tmp_path):
    ws_dir, out = planned
    ws = tmp_path / "ws"
    shutil.copytree(ws_dir, ws)
    wb = openpyxl.load_workbook(out / "outcomes_form.xlsx")
    sh = wb[FORM_SHEET]
    head = [form_key(column_name(c.value)) for c in sh[1]]  # the headers are Indonesian (issue 15): their keys
    assert head == form_columns(read_workspace(ws_dir))
    for row in sh.iter_rows(min_row=2):
        kind = row[head.index("kind")].value
        row[head.index("status")].value = "delivered" if kind == "delivery" else "done"
        if kind != "delivery":
            row[head.index("served_ektp")].value = 1.0  # Excel stores numbers as floats
    wb.save(tmp_path / "filled.xlsx")
    shutil.copy(out / "plan.json", tmp_path / "plan.json")
    assert len(read_outcomes_form(tmp_path / "filled.xlsx")) == sh.max_row - 1
    res = CliRunner().invoke(app, ["record", str(tmp_path / "filled.xlsx"), "--workspace", str(ws)])
    assert res.exit_code == 0, res.output
    with Ledger(ws / "ledger.sqlite") as led:
        outs = led.outcomes()
    assert len(outs) == sh.max_row - 1
    assert all(o.people in ({"ektp": 1}, {}) for o in outs)


@pytest.mark.parametrize("defect,field,message", [
    ({"visit_id": "vs:99.99:1"}, "visit_id", "not in plan"),
    ({"plan_id": "2026-W01-deadbeef"}, "plan_id", "unknown plan"),
    ({"status": "maybe"}, "status", "not allowed"),
    ({"served_ektp": "-3"}, "served_ektp", "whole number"),
    ({"served_ektp": "dua"}, "served_ektp", "whole number"),
    ({"served_ektp": "100000"}, "served_ektp", "more than is possible"),
    ({"status": "missed", "reason": ""}, "reason", "give the reason"),
])
def test_a_bad_row_is_reported_and_nothing_is_applied(planned, tmp_path, defect, field, message):
    ws_dir, out = planned
    ws = tmp_path / "ws"
    shutil.copytree(ws_dir, ws)
    rows = _fill(_rows(out))
    i = next(k for k, r in enumerate(rows) if r["kind"] == "village_session") if "served_ektp" in defect or \
        defect.get("status") == "missed" else len(rows) - 1
    rows[i].update(defect)
    if defect.get("status") == "missed":
        for k in rows[i]:
            if k.startswith("served_"):
                rows[i][k] = ""
    form = _write_csv(out / f"bad_{field}_{len(message)}.csv", rows)
    res = CliRunner().invoke(app, ["record", str(form), "--workspace", str(ws)])
    assert res.exit_code == 2, res.output
    out = _text(res)
    assert f"row {i + 2}" in out and field in out and message in out
    assert "nothing was recorded" in out
    assert not (ws / "ledger.sqlite").exists()


def test_a_bad_row_leaves_an_existing_ledger_untouched(planned, tmp_path):
    ws_dir, out = planned
    ws = tmp_path / "ws"
    shutil.copytree(ws_dir, ws)
    rows = _fill(_rows(out))
    good = _write_csv(tmp_path / "good.csv", rows[:1])
    shutil.copy(out / "plan.json", tmp_path / "plan.json")
    assert CliRunner().invoke(app, ["record", str(good), "--workspace", str(ws)]).exit_code == 0
    with Ledger(ws / "ledger.sqlite") as led:
        before = led.dump()
    rows[-1]["status"] = "lost"
    bad = _write_csv(tmp_path / "bad.csv", rows)
    res = CliRunner().invoke(app, ["record", str(bad), "--workspace", str(ws)])
    assert res.exit_code == 2
    with Ledger(ws / "ledger.sqlite") as led:
        assert led.dump() == before


def _served(rows: list[dict]) -> int:
    return sum(int(r[k] or 0) for r in rows for k in r if k.startswith("served_"))


def test_week_49_in_two_parts_around_the_week_50_plan_counts_people_once(planned, tmp_path):
    """Plan W49, record part 1 of its form, plan W50, record part 2 of W49 and W50's form (issue 11)."""
    import json

    from outreach_planner.campaign.ledger import STATES

    ws_dir, out = planned
    ws = tmp_path / "ws"
    shutil.copytree(ws_dir, ws)
    w49 = tmp_path / "w49"
    shutil.copytree(out, w49)
    runner = CliRunner()
    filled = [dict(r, status="delivered") if r["kind"] == "delivery" else
              dict(r, status="done", **{"served_" + k[9:]: r[k] for k in r if k.startswith("expected_")})
              for r in _rows(w49)]
    homes = {r["visit_id"] for r in filled if r["kind"] == "home_visit"}
    assert homes
    part1 = [r for r in filled if r["visit_id"] not in homes]
    part2 = [r for r in filled if r["visit_id"] in homes]
    assert runner.invoke(app, ["record", str(_write_csv(w49 / "part1.csv", part1)), "--workspace", str(ws)]
                         ).exit_code == 0
    res = runner.invoke(app, ["plan", str(ws), "--week", "2026-W50", "--solution-limit", "30", "--engine", "ortools",
                              "--out", str(tmp_path / "w50")])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "w50" / "plan.json").read_text())
    offered = {r["visit_id"] for r in _rows(tmp_path / "w50")} | {u["visit_id"] for u in doc["unassigned"]}
    assert not homes & offered  # W49's unreported home visits stay with W49's plan
    form50 = [dict(r, status="delivered") if r["kind"] == "delivery" else
              dict(r, status="done", **{"served_" + k[9:]: r[k] for k in r if k.startswith("expected_")})
              for r in _rows(tmp_path / "w50")]
    for form in (_write_csv(w49 / "part2.csv", part2), _write_csv(tmp_path / "w50" / "filled.csv", form50)):
        res = runner.invoke(app, ["record", str(form), "--workspace", str(ws)])
        assert res.exit_code == 0, res.output
    with Ledger(ws / "ledger.sqlite") as led:
        progress = sum(led.progress().values())
        reqs = led.requests()
        hist = led.history()
    # each home visit's people once, whichever form reported it first
    assert progress == _served(part1) + _served(part2) + _served([r for r in form50 if r["visit_id"] not in homes])
    assert set(reqs) >= homes and all(reqs[k]["state"] == "done" for k in homes)
    for k, r in reqs.items():  # every request in exactly one final state, its history ending in it
        assert r["state"] in STATES
        assert [h["new_state"] for h in hist if h["key"] == k][-1] == r["state"]


# --------------------------------------------------------------------------- forms record cannot read, or can
def _done(rows: list[dict]) -> list[dict]:
    """Every visit done (delivered) with the people expected."""
    return [dict(r, status="delivered") if r["kind"] == "delivery" else
            dict(r, status="done", **{"served_" + k[9:]: r[k] for k in r if k.startswith("expected_")})
            for r in rows]


def _record(ws: Path, form: Path, *extra: str):
    return CliRunner().invoke(app, ["record", str(form), "--workspace", str(ws), *extra])


@pytest.fixture
def fresh(planned, tmp_path):
    """A fresh copy of the workspace (no ledger) and the filled-in rows of the planned week."""
    ws_dir, out = planned
    ws = tmp_path / "ws"
    shutil.copytree(ws_dir, ws)
    shutil.copy(out / "plan.json", tmp_path / "plan.json")
    return ws, _done(_rows(out))


def _outcomes(ws: Path) -> list:
    with Ledger(ws / "ledger.sqlite") as led:
        return led.outcomes()


@pytest.mark.parametrize("delimiter,encoding", [(";", "utf-8"), ("\t", "utf-8"), (",", "utf-8-sig"),
                                                (";", "utf-8-sig"), ("\t", "utf-16")])
def test_a_form_saved_by_excel_in_another_locale_records(fresh, tmp_path, delimiter, encoding):
    ws, rows = fresh
    form = _write_csv(tmp_path / "filled.csv", rows, delimiter=delimiter, encoding=encoding)
    res = _record(ws, form)
    assert res.exit_code == 0, res.output
    assert len(_outcomes(ws)) == len(rows)
    assert f"{len(rows)} new" in _text(res)


def test_a_latin1_form_records_with_a_warning(fresh, tmp_path):
    ws, rows = fresh
    i = next(k for k, r in enumerate(rows) if r["kind"] == "village_session")
    rows[i] = {**rows[i], "status": "missed", "reason": "hujan deras, jalan ke café putus",
               **{k: "" for k in rows[i] if k.startswith("served_")}}
    form = _write_csv(tmp_path / "filled.csv", rows, encoding="cp1252")
    res = _record(ws, form)
    assert res.exit_code == 0, res.output
    assert "not UTF-8" in _text(res) and "Windows-1252" in _text(res)
    assert {o.reason for o in _outcomes(ws)} >= {"hujan deras, jalan ke café putus"}


def test_a_status_column_in_capitals_records(fresh, tmp_path):
    ws, rows = fresh
    rows = [{("Status" if k == "status" else "Served eKTP" if k == "served_ektp" else k): v for k, v in r.items()}
            for r in rows]
    res = _record(ws, _write_csv(tmp_path / "filled.csv", rows))
    assert res.exit_code == 0, res.output
    assert len(_outcomes(ws)) == len(rows) and sum(sum(o.people.values()) for o in _outcomes(ws)) > 0


@pytest.mark.parametrize("content,message", [
    (b"", "the file is empty"),
    (b"\n\n", "the file is empty"),
    (None, "no column 'status'"),   # renamed beyond recognition
    (b"plan_id,visit_id,status,reason\n", "no visit rows"),
    (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
    ("blank", "nothing to record"),
])
def test_a_form_record_cannot_read_is_exit_2_with_the_reason(fresh, tmp_path, content, message):
    ws, rows = fresh
    form = tmp_path / "filled.csv"
    if content is None:
        _write_csv(form, [{("keterangan" if k == "status" else k): v for k, v in r.items()} for r in rows])
    elif content == "blank":
        _write_csv(form, [{k: ("" if k == "status" or k.startswith("served_") else v) for k, v in r.items()}
                          for r in rows])
    else:
        form.write_bytes(content)
    res = _record(ws, form)
    assert res.exit_code == 2, res.output
    assert message in _text(res) and "nothing was recorded" in _text(res)
    assert not (ws / "ledger.sqlite").exists()


@pytest.mark.parametrize("kind,over,cap", [("home_visit", 30, "home-visit cap"), ("village_session", None,
                                                                                   "session cap")])
def test_the_served_cap_names_itself_and_the_row(fresh, tmp_path, kind, over, cap):
    from outreach_planner.io.outcomes import served_cap

    ws, rows = fresh
    i = next(k for k, r in enumerate(rows) if r["kind"] == kind and int(r["expected_ektp"] or 0) > 0)
    expected = int(rows[i]["expected_ektp"])
    limit = served_cap(kind, expected)[1]
    rows[i]["served_ektp"] = str(over or limit + 1)
    res = _record(ws, _write_csv(tmp_path / "bad.csv", rows))
    assert res.exit_code == 2, res.output
    assert f"row {i + 2}" in _text(res) and cap in _text(res) and f"is {limit}" in _text(res)
    rows[i]["served_ektp"] = str(limit)  # at the cap: accepted
    assert _record(ws, _write_csv(tmp_path / "ok.csv", rows)).exit_code == 0


def test_a_home_visit_serves_one_resident(fresh, tmp_path):
    """The old cap, max(10, 3 x expected), let a home visit add 10 people per service."""
    ws, rows = fresh
    i = next(k for k, r in enumerate(rows) if r["kind"] == "home_visit")
    rows[i]["served_ektp"] = "10"
    res = _record(ws, _write_csv(tmp_path / "bad.csv", rows))
    assert res.exit_code == 2 and f"row {i + 2}" in _text(res) and "home-visit cap" in _text(res)


def test_a_moved_form_finds_its_plan_in_the_ledger(planned, tmp_path):
    ws_dir, _ = planned
    ws = tmp_path / "ws"
    shutil.copytree(ws_dir, ws)
    Ledger(ws / "ledger.sqlite").close()  # a ledger: plan issues the plan to it
    res = CliRunner().invoke(app, ["plan", str(ws), *PLAN_ARGS, "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    rows = _done(_rows(tmp_path / "out"))
    shutil.rmtree(tmp_path / "out")
    res = _record(ws, _write_csv(moved / "filled.csv", rows))
    assert res.exit_code == 0, res.output
    assert len(_outcomes(ws)) == len(rows)


def test_a_moved_form_of_a_plan_made_before_the_ledger(planned, tmp_path, monkeypatch):
    ws_dir, out = planned
    ws = tmp_path / "ws"
    shutil.copytree(ws_dir, ws)
    rows = _done(_rows(out))
    moved = tmp_path / "downloads"
    moved.mkdir()
    form = _write_csv(moved / "filled.csv", rows)
    monkeypatch.chdir(tmp_path)
    res = _record(ws, form)  # no plan.json next to it, none in ./out/<week>*/, not in the ledger
    assert res.exit_code == 2 and "--plan" in _text(res)
    res = _record(ws, form, "--plan", str(out / "plan.json"))
    assert res.exit_code == 0, res.output
    assert len(_outcomes(ws)) == len(rows)
    # or found in the default output folder of plan, out/<week>/ under the working folder
    ws2 = tmp_path / "ws2"
    shutil.copytree(ws_dir, ws2)
    shutil.copytree(out, tmp_path / "out" / "2026-W49")
    res = _record(ws2, form)
    assert res.exit_code == 0, res.output
    assert len(_outcomes(ws2)) == len(rows)


def test_record_output_is_not_wrapped_for_a_pipe(fresh, tmp_path):
    """rich wrapped at 80 columns (or $COLUMNS) when stdout is not a terminal; the summary is one line."""
    ws, rows = fresh
    form = _write_csv(tmp_path / ("a-long-file-name-" * 4 + ".csv"), rows)
    res = CliRunner().invoke(app, ["record", str(form), "--workspace", str(ws)], env={"COLUMNS": "40"})
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.output.splitlines() if ln.startswith("Recorded plan"))
    assert line.endswith(f"{len(rows)} new, 0 corrected, 0 already recorded.")
