"""plan-many on a local Dask cluster started here: a small province of three tiny regencies, one broken.

Every solve stops on a solution limit; the cluster is the test's own (``LocalCluster``, one worker process).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from outreach_planner.batch.province import read_province  # noqa: E402
from outreach_planner.batch.run import plan_many  # noqa: E402
from outreach_planner.batch.summary import write_summary  # noqa: E402
from outreach_planner.batch.task import DONE, KILL_ONCE_ENV  # noqa: E402

pytestmark = pytest.mark.usefixtures("english")  # asserts on English messages (Indonesian: test_catalogue)

DATA = Path(__file__).parent / "data"
SRC = Path(__file__).resolve().parents[1] / "src"
WEEK = "2026-W49"
NOW = "2026-11-27T08:00:00+08:00"
LIMITS = dict(solution_limit=3, time_limit=600.0, engine="ortools")


def _province(root: Path) -> Path:
    """Three regencies: two copies of tests/data/small (one with a team less) and a broken one."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(DATA / "small", root / "a_small")
    shutil.copytree(DATA / "small", root / "b_small")
    toml = root / "b_small" / "workspace.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('name = "Tim 1"', 'name = "Tim Satu"'), encoding="utf-8")
    shutil.copytree(DATA / "invalid" / "SwappedLatLon", root / "c_broken")
    (root / "province.toml").write_text(
        '[province]\ncode = "99"\nname = "Provinsi Uji"\n\n'
        '[[regencies]]\ncode = "99.01"\nname = "Kabupaten A"\nworkspace = "a_small"\n\n'
        '[[regencies]]\ncode = "99.02"\nname = "Kabupaten B"\nworkspace = "b_small"\n\n'
        '[[regencies]]\ncode = "99.03"\nname = "Kabupaten Rusak"\nworkspace = "c_broken"\n', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                      memory_limit=0, silence_logs=40) as c:
        yield c


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, cluster):
    root = _province(tmp_path_factory.mktemp("prov") / "province")
    prov = read_province(root)
    out = root.parent / "out"
    events: list[tuple[str, str]] = []
    results = plan_many(prov, prov.regencies, out, WEEK, cluster=cluster, now=NOW,
                        report=lambda e, r: events.append((e, r["code"])), **LIMITS)
    return root, prov, out, results, events


def _plan_core(dest: Path) -> dict:
    p = json.loads((dest / "plan.json").read_text(encoding="utf-8"))
    return {"routes": p["routes"], "unassigned": p["unassigned"], "value": p["summary"]["value_collected"]}


def test_good_regencies_plan_and_the_bad_one_is_reported(first_run):
    root, prov, out, results, events = first_run
    by = {r["code"]: r for r in results}
    assert [r["code"] for r in results] == ["99.01", "99.02", "99.03"]
    for code in ("99.01", "99.02"):
        assert by[code]["status"] == "planned", by[code]
        dest = Path(by[code]["dest"])
        assert dest == out / prov.regencies[0 if code == "99.01" else 1].folder_name / WEEK
        for name in ("plan.json", "schedule.csv", "map.html", "route_sheets.pdf", "plan.gpkg", DONE):
            assert (dest / name).is_file(), name
        assert by[code]["scheduled"] > 0
        # no road network: the map says travel times are estimates from straight lines
        assert "perkiraan dari garis lurus" in (dest / "map.html").read_text(encoding="utf-8")
    bad = by["99.03"]
    assert bad["status"] == "invalid"
    assert bad["errors"] and any("villages.csv" in e for e in bad["errors"])
    assert not Path(bad["dest"]).exists()
    assert ("finished", "99.03") in events and ("finished", "99.01") in events
    paths = write_summary(results, out, WEEK, prov.name)
    md = " ".join(paths["md"].read_text(encoding="utf-8").split())
    assert "2 of 3 regencies planned" in md and "Failures" in md and "99.03 Kabupaten Rusak" in md
    page = paths["html"].read_text(encoding="utf-8")
    assert page.count("<path ") == 2 and "99.01 Kabupaten A: ektp" in page  # the two planned regencies' outlines
    import csv

    rows = list(csv.DictReader(paths["csv"].open(encoding="utf-8")))
    assert {r["service"] for r in rows if r["code"] == "99.01"} == {"ektp", "kia", "akta"}
    assert [r["status"] for r in rows if r["code"] == "99.03"] == ["invalid"]
    for r in rows:
        if r["code"] != "99.03":
            assert float(r["coverage_after"]) >= float(r["coverage_before"])


def test_rerun_skips_what_is_done_and_replans_a_changed_workspace(first_run, cluster):
    root, prov, out, results, _ = first_run
    before = {r["code"]: (Path(r["dest"]) / "plan.json").stat().st_mtime_ns for r in results if r["status"] == "planned"}
    events: list[tuple[str, str]] = []
    again = plan_many(prov, prov.regencies, out, WEEK, cluster=cluster, now=NOW,
                      report=lambda e, r: events.append((e, r["code"])), **LIMITS)
    by = {r["code"]: r for r in again}
    assert by["99.01"]["status_now"] == by["99.02"]["status_now"] == "skipped"
    assert ("skipped", "99.01") in events and ("skipped", "99.02") in events
    assert by["99.03"]["status_now"] == "invalid"  # not done: tried again
    for code, mtime in before.items():
        assert (Path(by[code]["dest"]) / "plan.json").stat().st_mtime_ns == mtime
    # another week's limits, or a changed workspace file, is not the same input
    villages = root / "b_small" / "villages.csv"
    villages.write_text(villages.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    third = plan_many(prov, prov.regencies[:2], out, WEEK, cluster=cluster, now=NOW, **LIMITS)
    assert [r["status_now"] for r in third] == ["skipped", "planned"]


def test_a_worker_killed_mid_solve_is_retried_with_the_same_result(first_run, tmp_path):
    from distributed import LocalCluster

    root, prov, out, results, _ = first_run
    flag = tmp_path / "killed.pid"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                      memory_limit=0, silence_logs=50, env={KILL_ONCE_ENV: str(flag)}) as c:
        redo = plan_many(prov, prov.regencies[:1], tmp_path / "out", WEEK, cluster=c, now=NOW, **LIMITS)
    assert flag.is_file(), "the hook did not kill the worker"
    killed = int(flag.read_text())
    r = redo[0]
    assert r["status"] == "planned" and r["pid"] != killed  # a new worker process made it
    assert _plan_core(Path(r["dest"])) == _plan_core(Path(results[0]["dest"]))


def test_interrupting_leaves_finished_regencies_complete_and_none_half_written(tmp_path):
    root = _province(tmp_path / "province")
    out = tmp_path / "out"
    pause = tmp_path / "pause"
    pause.mkdir()
    env = dict(os.environ, PYTHONPATH=str(SRC), OUTREACH_TEST_PAUSE_AT="staged", OUTREACH_TEST_PAUSE_DIR=str(pause))
    cmd = [sys.executable, "-m", "outreach_planner.cli", "plan-many", str(root), "--week", WEEK,
           "--regencies", "99.01,99.02", "--workers", "1", "--solution-limit", "3", "--engine", "ortools",
           "--out", str(out)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not list(pause.glob("staged.*.reached")):  # the first regency's outputs are staged, not switched in
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the run never reached the pause"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)  # interrupt plan-many
        proc.wait(timeout=120)
    finally:  # no process of this run outlives the test (a worker left paused would hold its folder's lock)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    assert proc.returncode != 0
    for reg in ("a_small", "b_small"):
        dest = out / f"99.0{1 if reg == 'a_small' else 2}_{reg}" / WEEK
        if dest.exists():  # only a complete set may be there
            assert (dest / DONE).is_file() and (dest / "plan.json").is_file()
    assert not (out / "99.01_a_small" / WEEK).exists()  # it was paused before its switch
    # the rerun finishes both and clears what the interrupted run left
    prov = read_province(root)
    env.pop("OUTREACH_TEST_PAUSE_AT")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for reg in ("99.01_a_small", "99.02_b_small"):
        assert (out / reg / WEEK / DONE).is_file()
        assert not [p.name for p in (out / reg).iterdir() if p.name.startswith(".")]
    assert len(prov.regencies) == 3


def test_cli_exits_2_for_a_bad_regency_and_writes_nothing_for_an_unknown_code(tmp_path):
    root = _province(tmp_path / "province")
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(SRC))
    base = [sys.executable, "-m", "outreach_planner.cli", "plan-many", str(root), "--week", WEEK, "--out", str(out),
            "--workers", "1", "--solution-limit", "3"]
    unknown = subprocess.run(base + ["--regencies", "99.07"], env=env, capture_output=True, text=True, timeout=300)
    assert unknown.returncode == 2 and "unknown code(s) 99.07" in " ".join(unknown.stderr.split())
    assert not out.exists()
    bad = subprocess.run(base + ["--regencies", "99.03"], env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2, bad.stderr
    text = " ".join(bad.stdout.split())
    assert "99.03 Kabupaten Rusak: invalid" in text and "villages.csv" in text
    assert "## Failures" in (out / f"province_{WEEK}.md").read_text(encoding="utf-8")


def test_capped_cores_make_one_engine_run_in_process(monkeypatch):
    """OUTREACH_PLANNER_CORES=1 (plan-many's workers): auto makes one run, so no engine processes are started."""
    from outreach_planner.engines.portfolio import CORES_ENV, available_cores
    from outreach_planner.io import read_workspace
    from outreach_planner.planning import planner
    from outreach_planner.week import Week

    ws = read_workspace(DATA / "small")
    wk = Week.parse(WEEK, ws.regency.timezone)
    from outreach_planner.engines import SolveLimits

    seen: list[list[str]] = []
    real = planner.run_engines
    monkeypatch.setattr(planner, "run_engines", lambda p, lim, names, *a, **k: seen.append(list(names)) or real(p, lim, names, *a, **k))
    monkeypatch.setenv(CORES_ENV, "1")
    assert available_cores() == 1
    run = planner.make_plan(ws, wk, SolveLimits(solution_limit=3), engine="auto")
    assert seen == [[seen[0][0]]] and run.plan.routes
