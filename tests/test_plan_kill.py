"""Killing ``plan`` at any moment leaves the complete old output set or the complete new one, no engine process
and, after the next run, no temporary folder. The kill moment is made deterministic by the pause points of
``outreach_planner._testhooks`` (the process waits for a file at the chosen point), never by timing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outreach_planner import cli
from outreach_planner._testhooks import PAUSE_AT_ENV, PAUSE_DIR_ENV
from outreach_planner.engines import SolveLimits
from outreach_planner.io import read_workspace
from outreach_planner.io.outcomes import plan_from_document
from outreach_planner.io.output_set import NO_EXCHANGE_ENV
from outreach_planner.campaign.ledger import Ledger, plan_id_of
from outreach_planner.planning.planner import make_plan
from outreach_planner.travel import travel_model
from outreach_planner.week import Week

SMALL = Path(__file__).resolve().parent / "data" / "small"
SRC = Path(cli.__file__).resolve().parents[1]
WEEK = "2026-W49"
#: An upper bound for waiting on a pause point or a process to end: a failure bound, not what makes tests pass.
PATIENCE_S = 120

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


# --------------------------------------------------------------------------- helpers
def _manifest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def _descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid`` -> its start time (to tell a reused pid apart)."""
    parent_of: dict[int, int] = {}
    start: dict[int, str] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parent_of[int(d.name)] = int(fields[1])
        start[int(d.name)] = fields[19]
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        for child, par in parent_of.items():
            if par == p and child not in out:
                out[child] = start[child]
                todo.append(child)
    return out


def _running(pid: int, started: str) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[19] == started and fields[0] not in ("Z", "X")


def _wait_gone(procs: dict[int, str]) -> list[int]:
    """Processes of ``procs`` still running after a while (killed then, so that a failing test leaves none)."""
    end = time.monotonic() + PATIENCE_S
    while time.monotonic() < end:
        alive = [p for p, s in procs.items() if _running(p, s)]
        if not alive:
            return []
        time.sleep(0.05)
    for p in alive:
        os.kill(p, signal.SIGKILL)
    return alive


def _wait_reached(pause_dir: Path, point: str, n: int, proc: subprocess.Popen) -> None:
    end = time.monotonic() + PATIENCE_S
    while len(list(pause_dir.glob(f"{point}.*.reached"))) < n:
        assert proc.poll() is None, f"plan ended (code {proc.returncode}) before reaching {point}"
        assert time.monotonic() < end, f"plan did not reach {point}"
        time.sleep(0.02)


def _dump(ws: Path) -> list[str]:
    with Ledger(ws / "ledger.sqlite") as led:
        return led.dump()


def _form_plan_id(folder: Path) -> str:
    with open(folder / "outcomes_form.csv", encoding="utf-8") as fh:
        return {r["plan_id"] for r in csv.DictReader(fh)}.pop()


def _json_plan_id(folder: Path) -> str:
    return plan_id_of(plan_from_document(json.loads((folder / "plan.json").read_text(encoding="utf-8"))))


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def old_set(tmp_path_factory):
    """A workspace with a ledger, and the complete outputs of an earlier plan of the week (in English, made at
    a fixed earlier time, with a note of the user's): every rendered file differs from a new ``plan`` run."""
    root = tmp_path_factory.mktemp("old")
    ws_dir = root / "ws"
    shutil.copytree(SMALL, ws_dir)
    Ledger(ws_dir / "ledger.sqlite").close()
    ws = read_workspace(ws_dir)
    travel = travel_model(ws, ws_dir)
    week = Week.parse(WEEK, ws.regency.timezone)
    plan = make_plan(ws, week, SolveLimits(time_limit_s=600, solution_limit=30), engine="ortools", travel=travel,
                     now=dt.datetime(2026, 11, 1, 9, 0, tzinfo=week.tz)).plan
    dest = root / "out" / WEEK
    cli._write_plan_set(plan, ws, travel, dest, "en", False)
    (dest / "catatan.txt").write_text("catatan petugas\n", encoding="utf-8")
    with Ledger(ws_dir / "ledger.sqlite") as led:
        led.sync_requests(ws)
        led.issue_plan(plan)
    return root, _manifest(dest), plan_id_of(plan)


@pytest.fixture
def setup(old_set, tmp_path):
    """A fresh copy of the old state: (workspace, destination, old manifest, old plan id)."""
    root, manifest, pid = old_set
    shutil.copytree(root / "ws", tmp_path / "ws")
    shutil.copytree(root / "out", tmp_path / "out")
    return tmp_path / "ws", tmp_path / "out" / WEEK, manifest, pid


def _state(dest: Path, old: dict[str, str], old_pid: str) -> str:
    """``old``, ``new`` (a complete, consistent set of a new plan) or a description of what is wrong."""
    if not dest.is_dir():
        return "missing"
    now = _manifest(dest)
    if now == old:
        return "old"
    if set(now) != set(old):
        return f"other files: {sorted(set(now) ^ set(old))}"
    pid = _json_plan_id(dest)
    if pid == old_pid or _form_plan_id(dest) != pid:
        return "plan.json and outcomes_form.csv of different plans"
    same = [f for f in now if now[f] == old[f] and f not in ("schedule.csv", "catatan.txt")]
    return f"old files in a new set: {same}" if same else "new"


def _start_plan(ws: Path, dest: Path, pause_dir: Path, point: str, extra_env: dict | None = None):
    env = dict(os.environ, PYTHONPATH=str(SRC), **{PAUSE_AT_ENV: point, PAUSE_DIR_ENV: str(pause_dir)},
               **(extra_env or {}))
    log = open(pause_dir / "plan.log", "wb")
    # the portfolio (two engine processes) where the kill hits the solve, else one engine in-process (faster)
    engine = "auto" if point == "solving" else "ortools"
    proc = subprocess.Popen([sys.executable, "-m", "outreach_planner.cli", "plan", str(ws), "--week", WEEK,
                             "--solution-limit", "30", "--engine", engine, "--out", str(dest)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    log.close()
    return proc


def _kill_at(ws, dest, tmp_path, point: str, sig: int, n_reached: int = 1, extra_env=None):
    """Run ``plan`` until ``point``, send ``sig`` there; returns (exit code, processes that were below it)."""
    pause_dir = tmp_path / "pause"
    pause_dir.mkdir()
    proc = _start_plan(ws, dest, pause_dir, point, extra_env)
    try:
        _wait_reached(pause_dir, point, n_reached, proc)
        below = _descendants(proc.pid)
        proc.send_signal(sig)
        if sig == signal.SIGTERM and point == "switching":  # held during the switch: let it finish
            time.sleep(0.2)
            assert proc.poll() is None
            (pause_dir / f"{point}.release").touch()
        code = proc.wait(timeout=PATIENCE_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, below


def _next_run_is_clean(ws: Path, dest: Path, old: dict[str, str], old_pid: str) -> None:
    res = CliRunner().invoke(cli.app, ["plan", str(ws), "--week", WEEK, "--solution-limit", "30", "--engine",
                                       "ortools", "--out", str(dest)])
    assert res.exit_code == 0, res.output
    assert _leftovers(dest.parent) == []
    assert not [p for p in dest.rglob(".*")]
    assert _state(dest, old, old_pid) == "new"


# --------------------------------------------------------------------------- kills
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_kill_while_solving_stops_the_engines_and_keeps_the_old_set(setup, tmp_path, sig):
    ws, dest, old, old_pid = setup
    before = _dump(ws)
    code, below = _kill_at(ws, dest, tmp_path, "solving", sig, n_reached=2)  # both engines (portfolio) started
    assert code == (-9 if sig == signal.SIGKILL else 128 + signal.SIGTERM)
    assert len(below) >= 2
    assert _wait_gone(below) == []  # no engine (nor helper) process survives its parent
    assert _state(dest, old, old_pid) == "old"
    assert _leftovers(dest.parent) == []  # nothing was staged yet
    assert _dump(ws) == before


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_kill_while_writing_keeps_the_old_set(setup, tmp_path, sig):
    ws, dest, old, old_pid = setup
    code, below = _kill_at(ws, dest, tmp_path, "writing", sig)
    assert code == (-9 if sig == signal.SIGKILL else 128 + signal.SIGTERM)
    assert _wait_gone(below) == []
    assert _state(dest, old, old_pid) == "old"
    staged = _leftovers(dest.parent)
    if sig == signal.SIGTERM:
        assert staged == []  # removed on the way out
    else:
        assert len(staged) == 1 and staged[0].startswith(f".{WEEK}.tmp-")
        assert (dest.parent / staged[0] / "plan.json").is_file()  # it was half written
        _next_run_is_clean(ws, dest, old, old_pid)


def test_kill_with_everything_staged_keeps_the_old_set(setup, tmp_path):
    ws, dest, old, old_pid = setup
    _kill_at(ws, dest, tmp_path, "staged", signal.SIGKILL)
    assert _state(dest, old, old_pid) == "old"
    assert len(_leftovers(dest.parent)) == 1


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_kill_during_the_switch_leaves_the_new_set(setup, tmp_path, sig):
    ws, dest, old, old_pid = setup
    code, _ = _kill_at(ws, dest, tmp_path, "switching", sig)
    assert code == (-9 if sig == signal.SIGKILL else 128 + signal.SIGTERM)
    assert _state(dest, old, old_pid) == "new"  # RENAME_EXCHANGE: the new set is in place at once
    if sig == signal.SIGKILL:
        _next_run_is_clean(ws, dest, old, old_pid)  # the old set, left at the staging name, is removed
    else:
        assert _leftovers(dest.parent) == []


def test_kill_between_the_two_renames_of_the_fallback_is_repaired(setup, tmp_path):
    ws, dest, old, old_pid = setup
    _kill_at(ws, dest, tmp_path, "switching", signal.SIGKILL, extra_env={NO_EXCHANGE_ENV: "1"})
    names = _leftovers(dest.parent)
    assert not dest.exists() and [n[:-13] for n in names] == [f".{WEEK}.old", f".{WEEK}.tmp"]
    from outreach_planner.io.output_set import recover

    recover(dest.parent)  # what the next run does first
    assert _state(dest, old, old_pid) == "old" and _leftovers(dest.parent) == []


def test_kill_before_the_ledger_is_told_leaves_outputs_that_record_accepts(setup, tmp_path):
    ws, dest, old, old_pid = setup
    _kill_at(ws, dest, tmp_path, "issuing", signal.SIGKILL)
    assert _state(dest, old, old_pid) == "new" and _leftovers(dest.parent) == []
    new_pid = _json_plan_id(dest)
    with Ledger(ws / "ledger.sqlite") as led:
        assert led.plan(new_pid) is None and led.plan(old_pid) is not None  # never a plan without outputs
    with open(dest / "outcomes_form.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["kind"] != "delivery")
    row.update(status="missed", reason="hujan")
    form = tmp_path / "filled.csv"
    shutil.copy(dest / "plan.json", tmp_path / "plan.json")
    with open(form, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    res = CliRunner().invoke(cli.app, ["record", str(form), "--workspace", str(ws)])
    assert res.exit_code == 0, res.output
    with Ledger(ws / "ledger.sqlite") as led:
        assert led.plan(new_pid) is not None  # issued by record from the plan.json beside the form


def test_engine_children_are_spawned_with_a_plain_data_problem(small):
    """What is sent to the engine processes pickles (the spawn start method needs it)."""
    import pickle

    from outreach_planner.planning.planner import build_problem, candidate_visits, session_caps, value_visits

    week = Week.parse(WEEK, small.regency.timezone)
    travel = travel_model(small, SMALL)
    problem = build_problem(small, week, value_visits(small, week, candidate_visits(
        small, week, session_caps(small, week, travel))), travel)
    again = pickle.loads(pickle.dumps((problem, SolveLimits(time_limit_s=5, solution_limit=3))))
    assert again[0].week == problem.week and len(again[0].visits) == len(problem.visits)
