"""Kolaka Utara plans exactly as before inside the province: ``plan-many --regencies 74.08`` of the embedded
Sulawesi Tenggara (whose 74.08 is the default workspace, ``data/kolaka_utara``) gives the plan ``plan`` gives
on ``data/kolaka_utara`` with the same engine and solution limit: the same routes (every stop and time) and the
same visits left out, with the same reasons.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
WEEK = "2026-W49"
LIMIT = ["--solution-limit", "3", "--engine", "ortools"]


def _core(plan_json: Path) -> dict:
    p = json.loads(plan_json.read_text(encoding="utf-8"))
    return {"routes": p["routes"], "unassigned": p["unassigned"], "value": p["summary"]["value_collected"],
            "week": p["week"]}


def test_plan_many_plans_kolaka_utara_as_plan_does(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(SRC))
    ws = ROOT / "data" / "kolaka_utara"
    ledger_before = (ws / "ledger.sqlite").exists()
    cli = [sys.executable, "-m", "outreach_planner.cli"]
    single = subprocess.run(cli + ["plan", str(ws), "--week", WEEK, "--out", str(tmp_path / "plan"), *LIMIT],
                            env=env, capture_output=True, text=True, timeout=900)
    assert single.returncode == 0, single.stdout + single.stderr
    many = subprocess.run(cli + ["plan-many", "--week", WEEK, "--regencies", "74.08", "--workers", "1",
                                 "--out", str(tmp_path / "many"), *LIMIT],
                          env=env, capture_output=True, text=True, timeout=900)
    assert many.returncode == 0, many.stdout + many.stderr
    a = _core(tmp_path / "plan" / "plan.json")
    b = _core(tmp_path / "many" / "74.08_kolaka_utara" / WEEK / "plan.json")
    assert a["routes"] and a["unassigned"]
    assert a == b
    assert (ws / "ledger.sqlite").exists() == ledger_before  # plan-many issues nothing to the ledger
