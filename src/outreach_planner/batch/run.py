"""``plan_many``: every regency of a province on Dask distributed, one solve per task.

Why Dask distributed (not Ray): it is pure Python (installs from PyPI as small wheels, no raylet/GCS daemons,
no large binary), starts a local cluster in about two seconds on this 2-core machine, and gives what the job
needs: worker processes started with ``spawn`` and restarted by their nanny when they die, task retries, a
scheduler to join by address (``--address tcp://host:8786``), and a client API (futures, ``as_completed``).

The local cluster is sized to the machine: one single-threaded worker process per core
(:func:`~outreach_planner.engines.portfolio.available_cores`). Inside the workers ``OUTREACH_PLANNER_CORES=1``, so
the engine portfolio makes one run in-process and a week by parts solves its parts one after another: no
nested process pools oversubscribe the cores.

Faults:
- a bad workspace: its task returns ``invalid`` with the problems, the other regencies plan;
- a worker killed mid-solve: the nanny restarts it and the scheduler runs the task again (up to
  ``distributed.scheduler.allowed-failures`` worker deaths, 3), plus ``retries`` for exceptions; with a solution
  limit the result is the same as without the kill (the search is deterministic and the task starts afresh);
- an interrupt (Ctrl-C, SIGTERM): the cluster is closed; every finished regency's outputs are complete (each
  is switched in as one set), an unfinished one leaves nothing (its staging folder is removed by the next run);
- a rerun skips each regency whose ``done.json`` records the same input hash (workspace files, week, limits,
  engine, language).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from .province import Province, RegencyEntry, input_hash
from .task import done_hash, plan_regency

#: Retries of a task that raised (a worker that died is re-run by the scheduler besides these).
RETRIES = 2


def make_jobs(regencies: tuple[RegencyEntry, ...], out: Path, week: str, *, time_limit: float,
              solution_limit: int | None, seed: int, engine: str, lang: str, now: str) -> list[dict]:
    """One plain-data job per regency; ``dest`` = ``out/<regency folder>/<week>``."""
    jobs = []
    for r in regencies:
        params = {"week": week, "time_limit": time_limit, "solution_limit": solution_limit, "seed": seed,
                  "engine": engine, "lang": lang}
        jobs.append(dict(params, code=r.code, name=r.name, workspace=str(r.workspace),
                         dest=str(out / r.folder_name / week), now=now,
                         hash=input_hash(r.workspace, params) if r.workspace.is_dir() else "missing"))
    return jobs


def local_cluster(workers: int | None = None):
    """A local Dask cluster: ``workers`` (default: one per core) single-threaded worker processes."""
    from distributed import LocalCluster

    from ..engines.portfolio import CORES_ENV, available_cores

    n = workers or available_cores()
    return LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                        memory_limit=0, env={CORES_ENV: "1"}, silence_logs=40)


def plan_many(province: Province, regencies: tuple[RegencyEntry, ...], out: Path, week: str, *,
              time_limit: float = 30.0, solution_limit: int | None = None, seed: int = 0, engine: str = "auto",
              lang: str = "id", address: str | None = None, workers: int | None = None,
              report: Callable[[str, dict], None] | None = None, now: str | None = None,
              cluster=None) -> list[dict]:
    """Plan ``regencies`` of ``province`` for ``week``; returns one result dict per regency, in order.

    ``report(event, result)`` is called per regency: ``skipped`` (done before, same input hash), ``started``,
    ``finished``. ``address``: join that scheduler instead of starting a local cluster; ``cluster``: use this
    (a test's) cluster object.
    """
    from distributed import Client, as_completed

    report = report or (lambda event, r: None)
    now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    jobs = make_jobs(regencies, out, week, time_limit=time_limit, solution_limit=solution_limit, seed=seed,
                     engine=engine, lang=lang, now=now)
    results: dict[str, dict] = {}
    todo = []
    for job in jobs:
        if job["hash"] != "missing" and done_hash(job["dest"]) == job["hash"]:
            import json

            r = json.loads((Path(job["dest"]) / "done.json").read_text(encoding="utf-8"))
            r["status_now"] = "skipped"
            results[job["code"]] = r
            report("skipped", r)
        else:
            todo.append(job)
    if not todo:
        return [results[j["code"]] for j in jobs]
    own = None
    if address is None and cluster is None:
        own = cluster = local_cluster(workers)
    client = Client(address) if address else Client(cluster)
    import threading

    stop = threading.Event()
    try:
        futures = {}
        for job in todo:
            f = client.submit(plan_regency, job, key=f"plan-{job['code']}-{job['hash'][:12]}", retries=RETRIES,
                              pure=False)
            futures[f.key] = (f, job)
        started: set[str] = set()

        def watch() -> None:  # progress: which regencies a worker is solving now
            while not stop.wait(1.0):
                _report_started(client, futures, started, report)

        watcher = threading.Thread(target=watch, daemon=True, name="plan-many-progress")
        watcher.start()
        pending = as_completed([f for f, _ in futures.values()], with_results=True, raise_errors=False)
        for fut, res in pending:
            job = futures[fut.key][1]
            if fut.status == "error" or not isinstance(res, dict):
                res = {"code": job["code"], "name": job["name"], "workspace": job["workspace"],
                       "dest": job["dest"], "status": "failed", "errors": [f"{type(res).__name__}: {res}"]}
            res["status_now"] = res["status"]
            results[job["code"]] = res
            report("finished", res)
    finally:
        stop.set()
        client.close()
        if own is not None:
            own.close()
    return [results[j["code"]] for j in jobs]


def _report_started(client, futures, started: set, report) -> None:
    """Report the regencies whose task a worker is processing now (once each)."""
    try:
        busy = {k for keys in client.processing().values() for k in keys}
    except Exception:  # noqa: BLE001 - progress only
        return
    for key, (f, job) in futures.items():
        if key in busy and key not in started:
            started.add(key)
            report("started", {"code": job["code"], "name": job["name"]})
