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
from outreach_planner.io.outcomes import FORM_SHEET, form_columns, plan_from_document, read_outcomes_form
from outreach_planner.ledger import Ledger, plan_id_of

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


def _write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


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
    assert f"{len(filled)} new" in res.output
    with Ledger(ws / "ledger.sqlite") as led:
        first = led.dump()
        reqs = led.requests()
    missed = next(r["visit_id"] for r in filled if r["status"] == "missed")
    failed = next(r["visit_id"] for r in filled if r["status"] == "failed")
    assert reqs[missed]["state"] == "failed" and reqs[missed]["reason"] == "nobody home"
    assert reqs[failed]["state"] == "failed"
    done = {r["visit_id"] for r in filled if r["status"] in ("done", "delivered") and r["kind"] in
            ("home_visit", "delivery")}
    assert all(reqs[k]["state"] == "done" for k in done)
    # same file twice: nothing changes
    res = runner.invoke(app, ["record", str(form), "--workspace", str(ws)])
    assert res.exit_code == 0 and "0 new, 0 corrected" in res.output
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
    head = [c.value for c in sh[1]]
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
    assert f"row {i + 2}" in res.output and field in res.output and message in res.output
    assert "nothing was recorded" in res.output
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
