"""``write_plan_outputs``: the plan.json contract, the CSV/xlsx views, atomic writes, no personal data.

One plan of the small workspace per module (a solution limit keeps it fast and repeatable).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import warnings
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from outreach_planner.engines import SolveLimits
from outreach_planner.io import read_workspace, write_plan_outputs
from outreach_planner.io import write_plan as wp
from outreach_planner.plan import REASONS
from outreach_planner.render.strings import labels
from outreach_planner.planning.planner import make_plan
from outreach_planner.week import Week

SMALL = Path(__file__).resolve().parent / "data" / "small"
DOC = Path(__file__).resolve().parents[1] / "docs" / "plan-format.md"
OUTPUTS = {"plan.json", "schedule.csv", "schedule.xlsx"}
WITA = dt.timedelta(hours=8)

TOP_KEYS = ["format_version", "week", "workspace", "generated_at", "engine", "timezone", "summary", "routes",
            "unassigned"]
ROUTE_KEYS = ["team", "team_name", "date", "depot", "start_at", "end_at", "trip", "steps"]
STEP_KEYS = ["type", "visit_id", "kind", "place", "village_code", "location", "arrival", "start", "end", "travel_s",
             "distance_m", "expected", "value", "why"]
UNASSIGNED_KEYS = ["visit_id", "kind", "reason", "reason_text", "detail", "detail_id", "value", "village_code",
                   "needed_value", "displaces", "team", "date", "would_fit", "added_travel_s"]
SUMMARY_KEYS = {"engine", "travel_model", "solve_seconds", "solver_status", "objective", "candidate_visits",
                "scheduled_visits", "scheduled_by_kind", "candidates_by_kind", "value_collected", "value_available",
                "travel_hours", "distance_km", "people_expected", "coverage", "team_days", "team_days_available",
                "unassigned_by_reason", "nights_away", "night_cost"}
COVERAGE_KEYS = {"service", "target", "eligible", "before", "after", "expected_people", "still_needed_after"}
TEAM_DAY_KEYS = {"team", "date", "visits", "kinds", "travel_s", "distance_m"}
KINDS = {"village_session", "school_session", "home_visit", "delivery"}


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def ws():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_workspace(SMALL)


@pytest.fixture(scope="module")
def plan(ws):
    now = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(WITA))
    run = make_plan(ws, Week.parse("2026-W49"), SolveLimits(time_limit_s=600, solution_limit=50), now=now)
    assert run.plan.routes and run.plan.unassigned  # the checks below need both
    return run.plan


@pytest.fixture(scope="module")
def out(plan, ws, tmp_path_factory) -> dict[str, Path]:
    return write_plan_outputs(plan, ws, tmp_path_factory.mktemp("plan") / "nested" / "out")


@pytest.fixture(scope="module")
def doc(out) -> dict:
    return json.loads(out["plan.json"].read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def csv_rows(out) -> list[dict[str, str]]:
    with out["schedule.csv"].open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _visits_in_route_order(doc: dict) -> list[tuple[str, str, str]]:
    """(team, date, visit_id) of every json visit step, routes by (team, date), steps in route order."""
    routes = sorted(doc["routes"], key=lambda r: (r["team"], r["date"]))
    return [(r["team"], r["date"], s["visit_id"]) for r in routes for s in r["steps"] if s["type"] == "visit"]


# --------------------------------------------------------------------------- plan.json
def test_returns_the_three_files_in_a_created_folder(out):
    assert set(out) == OUTPUTS
    for name, path in out.items():
        assert path.name == name and path.is_file() and path.stat().st_size > 0
    assert {p.name for p in next(iter(out.values())).parent.iterdir()} == OUTPUTS


def test_json_has_the_documented_keys_at_every_level(doc, plan, ws):
    assert list(doc) == TOP_KEYS
    assert doc["format_version"] == 1
    assert doc["week"] == "2026-W49" and doc["timezone"] == "Asia/Makassar"
    assert set(doc["summary"]) >= SUMMARY_KEYS
    for row in doc["summary"]["coverage"]:
        assert set(row) == COVERAGE_KEYS
    for row in doc["summary"]["team_days"]:
        assert set(row) == TEAM_DAY_KEYS
    names = {t.id: t.name for t in ws.teams}
    assert len(doc["routes"]) == len(plan.routes)
    for r in doc["routes"]:
        assert list(r) == ROUTE_KEYS
        assert r["team_name"] == names[r["team"]]
        dt.date.fromisoformat(r["date"])
        assert r["steps"][0]["type"] == "start" and r["steps"][-1]["type"] == "end"
        for s in r["steps"]:
            assert list(s) == STEP_KEYS
            assert s["type"] in {"start", "visit", "break", "end", "night"}
            assert isinstance(s["travel_s"], int) and isinstance(s["distance_m"], int)
            if s["type"] == "visit":
                assert s["kind"] in KINDS and s["visit_id"] and s["village_code"]
                lon, lat = s["location"]
                assert 118 < lon < 124 and -5 < lat < -2  # lon first: Kolaka Utara
                assert set(s["expected"]) <= set(ws.service_ids)
                assert all(isinstance(n, int) for n in s["expected"].values())
                assert isinstance(s["value"], float) and s["why"]
    assert len(doc["unassigned"]) == len(plan.unassigned)
    for u in doc["unassigned"]:
        assert list(u) == UNASSIGNED_KEYS
        assert u["kind"] in KINDS
        assert u["reason_text"] == REASONS[u["reason"]]


def test_json_times_are_local_iso_with_wita_offset(doc):
    stamps = [doc["generated_at"]]
    for r in doc["routes"]:
        for s in r["steps"]:
            stamps += [s["arrival"], s["start"], s["end"]]
            assert s["arrival"][:10] == r["date"]
    for text in stamps:
        assert text.endswith("+08:00"), text
        assert dt.datetime.fromisoformat(text).utcoffset() == WITA


def test_json_is_utf8_indented_and_repeatable(out, plan, ws, tmp_path):
    raw = out["plan.json"].read_bytes()
    raw.decode("utf-8")
    assert raw.startswith(b'{\n  "format_version": 1,')
    again = write_plan_outputs(plan, ws, tmp_path)
    assert again["plan.json"].read_bytes() == raw
    assert again["schedule.csv"].read_bytes() == out["schedule.csv"].read_bytes()


def test_every_json_key_is_documented(doc):
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+)`", text))
    keys = set(TOP_KEYS) | set(ROUTE_KEYS) | set(STEP_KEYS) | set(UNASSIGNED_KEYS) | set(doc["summary"])
    keys |= COVERAGE_KEYS | TEAM_DAY_KEYS | set(REASONS)
    assert keys - documented == set()


# --------------------------------------------------------------------------- schedule.csv
def test_csv_has_every_json_visit_in_the_same_order(doc, csv_rows, ws):
    assert list(csv_rows[0]) == wp.schedule_columns(ws)
    assert [f"expected_{s}" for s in ws.service_ids] == [c for c in csv_rows[0] if c.startswith("expected_")]
    visits = [r for r in csv_rows if r["type"] == "visit"]
    assert [(r["team"], r["date"], r["visit_id"]) for r in visits] == _visits_in_route_order(doc)
    assert {r["type"] for r in csv_rows} <= {"visit", "break"}
    # sorted by team, date, start; stops numbered from 1 in each team-day
    keys = [(r["team"], r["date"], r["start"]) for r in csv_rows]
    assert keys == sorted(keys)
    by_day: dict[tuple[str, str], list[int]] = {}
    for r in visits:
        by_day.setdefault((r["team"], r["date"]), []).append(int(r["stop_no"]))
    assert all(nos == list(range(1, len(nos) + 1)) for nos in by_day.values())


def test_csv_times_labels_and_units_match_the_json(doc, csv_rows):
    steps = {s["visit_id"]: (r, s) for r in doc["routes"] for s in r["steps"] if s["type"] == "visit"}
    days = dict(zip(range(7), ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")))
    for row in csv_rows:
        assert row["day"] == days[dt.date.fromisoformat(row["date"]).weekday()]
        if row["type"] == "break":
            assert row["kind_id"] == "Istirahat" and row["stop_no"] == ""
            continue
        route, s = steps[row["visit_id"]]
        assert row["team_name"] == route["team_name"]
        for col in ("arrival", "start", "end"):
            assert row[col] == s[col][11:16]
        assert row["kind_id"] == wp.KIND_LABELS_ID[s["kind"]]
        assert float(row["travel_min"]) == pytest.approx(s["travel_s"] / 60, abs=0.051)
        assert float(row["distance_km"]) == pytest.approx(s["distance_m"] / 1000, abs=0.051)
        for sid, n in s["expected"].items():
            assert int(row[f"expected_{sid}"]) == n


# --------------------------------------------------------------------------- schedule.xlsx
def test_xlsx_sheets_summary_teams_and_unassigned(out, plan, ws, csv_rows):
    wb = load_workbook(out["schedule.xlsx"])
    team_ids = [t.id for t in ws.teams if any(r.team == t.id for r in plan.routes)]
    by_name = {t.id: t.name for t in ws.teams}  # sheets are named by team name (issue 15)
    assert wb.sheetnames == ["Ringkasan", *(by_name[t] for t in team_ids), "Tidak terjadwal"]

    summary = [c for row in wb["Ringkasan"].iter_rows(values_only=True) for c in row if c is not None]
    assert any(isinstance(c, str) and plan.week in c for c in summary)
    assert plan.summary["value_collected"] in summary and plan.summary["distance_km"] in summary
    texts = labels("id")["unassigned_reason"]  # reasons in words on the Indonesian sheet; the codes stay in plan.json
    assert "Kunjungan per tim per hari" in summary and texts["low_value"] in summary
    assert not set(REASONS) & set(summary)

    columns = wp.xlsx_columns(ws)  # the CSV's columns but team, kind (a code) and why_en (issue 15)
    assert set(wp.schedule_columns(ws)) - set(columns) == {"team", "kind", "why_en"}
    for tid in team_ids:
        sheet = wb[by_name[tid]]
        header = [c.value for c in sheet[1]]
        assert header == [wp.xlsx_header(c) for c in columns]  # Indonesian headers; schedule.csv keeps the keys
        assert {"Perkiraan e-KTP", "Perkiraan KIA"} <= set(header)  # the services by their labels, not their ids
        header = columns
        assert all(c.font.bold for c in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
        body = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert all(isinstance(r["date"], dt.datetime) and isinstance(r["start"], dt.time) for r in body)
        assert sheet.auto_filter.ref == sheet.dimensions and sheet.print_title_rows == "$1:$1"
        words = {"visit": "Kunjungan", "break": "Istirahat", "night": "Bermalam"}  # step types in words
        assert [(r["type"], r["visit_id"] or "") for r in body] == \
            [(words[r["type"]], r["visit_id"]) for r in csv_rows if r["team"] == tid]
        assert [r["why"] or "" for r in body] == [r["why"] for r in csv_rows if r["team"] == tid]  # Indonesian

    sheet = wb["Tidak terjadwal"]
    header = [c.value for c in sheet[1]]
    assert header == [wp.unassigned_header(c) for c in wp.UNASSIGNED_COLUMNS]  # Indonesian headers (issue 15)
    assert "Alasan" in header and "Penjelasan" in header and sheet.auto_filter.ref == sheet.dimensions
    assert not any("Inggris" in h or "Kode alasan" in h for h in header)  # one language, no code column
    header = list(wp.UNASSIGNED_COLUMNS)
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [r["visit_id"] for r in rows] == [u.visit_id for u in plan.unassigned]
    assert set(texts) == set(REASONS)  # the reason texts in Indonesian; the codes stay in plan.json
    assert [r["reason_text"] for r in rows] == [texts[u.reason] for u in plan.unassigned]
    kinds = labels("id")["kind"]
    assert [(r["kind_id"], r["detail"], r["needed_value"], r["displaces"]) for r in rows] == \
        [(kinds[u.kind], u.detail_id, None if u.needed_value is None else round(u.needed_value, 3),
          " ".join(u.displaces) or None) for u in plan.unassigned]


def test_xlsx_in_english_shows_english_only(plan, ws, tmp_path, csv_rows):
    """Before (issue 15): the Indonesian sheets had 'Alasan (Inggris)' / 'Penjelasan (Inggris)' columns and step
    types as codes (visit, break); the English one Indonesian day names, activities and reasons."""
    from outreach_planner.i18n import set_language

    set_language("en")
    try:
        write_plan_outputs(plan, ws, tmp_path)
    finally:
        set_language(None)
    wb = load_workbook(tmp_path / "schedule.xlsx")
    tid = next(t.id for t in ws.teams if any(r.team == t.id for r in plan.routes))
    sheet = wb[next(t.name for t in ws.teams if t.id == tid)]
    head = [c.value for c in sheet[1]]
    assert "Why" in head and not any("English" in h or "Indonesian" in h for h in head)
    body = [dict(zip(wp.xlsx_columns(ws), row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    mine = [r for r in csv_rows if r["team"] == tid]
    assert [r["why"] or "" for r in body] == [r["why_en"] for r in mine]
    assert {r["type"] for r in body} <= {"Visit", "Break", "Night away"}
    assert {r["day"] for r in body} <= set(labels("en")["days"])
    left = wb["Left out"]
    rows = [dict(zip(wp.UNASSIGNED_COLUMNS, row)) for row in left.iter_rows(min_row=2, values_only=True)]
    assert [r["detail"] for r in rows] == [u.detail for u in plan.unassigned]
    assert [r["reason_text"] for r in rows] == [labels("en")["unassigned_reason"][u.reason] for u in plan.unassigned]

# --------------------------------------------------------------------------- atomic writes
@pytest.mark.parametrize("failing", ["_write_csv", "_write_xlsx"])
def test_a_failure_midway_leaves_old_outputs_and_no_temp_files(plan, ws, tmp_path, monkeypatch, failing):
    old = write_plan_outputs(plan, ws, tmp_path / "old")
    before = {p.name: p.read_bytes() for p in (tmp_path / "old").iterdir()}
    fresh = tmp_path / "fresh"

    def boom(fh, *_):
        fh.write(b"half a file")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(wp, failing, boom)
    # a changed plan, so that a replaced plan.json would be noticed
    changed = plan.model_copy(update={"week": "2026-W50"})
    for target in (old["plan.json"].parent, fresh):
        with pytest.raises(RuntimeError, match="disk on fire"):
            write_plan_outputs(changed, ws, target)
    assert {p.name: p.read_bytes() for p in (tmp_path / "old").iterdir()} == before
    assert not fresh.exists()  # a new folder appears only complete
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]  # no staging folder left beside them


# --------------------------------------------------------------------------- personal data
def _all_text(out: dict[str, Path]) -> str:
    parts = [out["plan.json"].read_text(encoding="utf-8"), out["schedule.csv"].read_text(encoding="utf-8")]
    with zipfile.ZipFile(out["schedule.xlsx"]) as z:
        parts += [z.read(n).decode("utf-8", errors="replace") for n in z.namelist()]
    wb = load_workbook(out["schedule.xlsx"])
    parts += [str(c) for sheet in wb for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    return "\n".join(parts)


def test_no_resident_name_nik_or_note_in_any_output(out, ws):
    text = _all_text(out).casefold()
    secrets = [r.name for r in ws.requests] + [d.recipient for d in ws.deliveries]
    secrets += [r.nik for r in ws.requests if r.nik] + [r.notes for r in ws.requests if r.notes]
    assert secrets  # the small workspace has residents
    leaked = [s for s in secrets if s.casefold() in text]
    assert leaked == []
