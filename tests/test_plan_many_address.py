"""plan-many --address: it joins a Dask cluster it did not start, spreads the regencies over its workers and
leaves the cluster running.

The test starts the cluster itself, as an operator would on other machines: one scheduler process
(``python -m distributed.cli.dask_scheduler``) and two worker processes (``python -m
distributed.cli.dask_worker``, one single-threaded worker each, with its nanny), every one a separate process
with the package importable from the same environment (this interpreter, ``PYTHONPATH=src``). Ports are
chosen free by the OS (``--port 0``; the scheduler writes its address to a scheduler file). Every solve stops
on a solution limit.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from test_plan_many import SRC, WEEK, _province  # noqa: E402

from outreach_planner.batch.task import DONE  # noqa: E402

pytestmark = pytest.mark.usefixtures("english")  # asserts on English messages (Indonesian: test_catalogue)


def _stop(procs: list[subprocess.Popen]) -> None:
    """End the processes this test started (each in its own session: the group of its pid), workers first."""
    for p in reversed(procs):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for p in reversed(procs):
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.fixture
def external_cluster(tmp_path):
    """A scheduler and two worker processes this test started; yields (address, processes)."""
    env = dict(os.environ, PYTHONPATH=str(SRC), OUTREACH_PLANNER_CORES="1")
    sched_file = tmp_path / "scheduler.json"
    logs = tmp_path / "logs"
    logs.mkdir()
    procs: list[subprocess.Popen] = []

    def start(name: str, args: list[str]) -> subprocess.Popen:
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        p = subprocess.Popen([sys.executable, "-m", *args], env=env, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
        procs.append(p)
        return p

    try:
        start("scheduler", ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                            "--no-dashboard", "--scheduler-file", str(sched_file)])
        deadline = time.monotonic() + 120
        while not sched_file.is_file() or not sched_file.read_text():
            assert procs[0].poll() is None, (logs / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        for i in (1, 2):
            start(f"worker{i}", ["distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1",
                                 "--no-dashboard", "--memory-limit", "0", "--host", "127.0.0.1",
                                 "--name", f"node{i}"])
        from distributed import Client

        with Client(address, timeout=60) as c:
            c.wait_for_workers(2, timeout=120)
        yield address, procs
    finally:
        _stop(procs)


def _workers(address: str) -> set[str]:
    from distributed import Client

    with Client(address, timeout=30) as c:
        return set(c.scheduler_info(n_workers=-1)["workers"])


def test_plan_many_joins_a_cluster_spreads_the_work_and_leaves_it_running(tmp_path, external_cluster):
    address, procs = external_cluster
    workers = _workers(address)
    assert len(workers) == 2
    root = _province(tmp_path / "province")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "outreach_planner.cli", "plan-many", str(root), "--week", WEEK,
           "--regencies", "99.01,99.02", "--address", address, "--solution-limit", "3", "--engine", "ortools",
           "--out", str(out)]
    run = subprocess.run(cmd, env=dict(os.environ, PYTHONPATH=str(SRC)), capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"scheduler {address}" in " ".join(run.stdout.split())
    # every regency planned, on the cluster's workers, and the two workers both ran a task
    done = {}
    for folder in ("99.01_a_small", "99.02_b_small"):
        d = json.loads((out / folder / WEEK / DONE).read_text(encoding="utf-8"))
        assert d["status"] == "planned" and d["scheduled"] > 0
        done[d["code"]] = d
    assert {d["worker"] for d in done.values()} == workers
    assert len({d["pid"] for d in done.values()}) == 2
    rows = list(csv.DictReader((out / f"province_{WEEK}.csv").open(encoding="utf-8")))
    assert {r["code"]: r["worker"] for r in rows} == {c: d["worker"] for c, d in done.items()}
    # plan-many closed its client only: the scheduler and both workers still run and take work
    assert all(p.poll() is None for p in procs)
    assert _workers(address) == workers
    from distributed import Client

    with Client(address, timeout=30) as c:
        assert c.submit(sum, [1, 2, 3], pure=False).result(timeout=60) == 6
    # and a second plan-many on the same cluster skips what is done
    again = subprocess.run(cmd, env=dict(os.environ, PYTHONPATH=str(SRC)), capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert " ".join(again.stdout.split()).count("done before with the same inputs, skipped") == 2
    assert all(p.poll() is None for p in procs)
