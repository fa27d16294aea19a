"""The task a worker runs for one regency: plain data in (a job dict), plain data out (a result dict).

The workspace is read, the problem built and solved in the worker process, so no OR-Tools model (neither
picklable nor safe to reuse) ever crosses a process. The outputs are the ones ``plan`` writes, by the same
functions, as one set (:func:`outreach_planner.io.output_set.output_set`) with ``done.json`` (the input hash
and the summary) inside it: a regency's folder holds either its previous complete set or the new one, and
``done.json`` exists only beside complete outputs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import warnings
from pathlib import Path

#: The marker written last into each regency's output set.
DONE = "done.json"
#: Test hook: with this variable set to a file path, the first task (of any regency) that finds the file absent
#: creates it and kills its own worker process (SIGKILL) in the middle of the solve.
KILL_ONCE_ENV = "OUTREACH_TEST_KILL_WORKER_ONCE"


def done_hash(dest: str | Path) -> str | None:
    """The input hash recorded in ``dest/done.json`` (None: no complete outputs there)."""
    try:
        return json.loads((Path(dest) / DONE).read_text(encoding="utf-8")).get("input_hash")
    except (OSError, ValueError):
        return None


def _kill_hook() -> None:
    flag = os.environ.get(KILL_ONCE_ENV)
    if not flag:
        return
    try:
        fd = os.open(flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def _outline(ws) -> str | None:
    """The regency outline simplified to about 500 m, WKT (for the province map); None without one."""
    if not ws.boundary_wkt:
        return None
    import shapely

    return shapely.to_wkt(shapely.simplify(shapely.from_wkt(ws.boundary_wkt), 0.005), rounding_precision=4)


def _worker_address() -> str | None:
    """The Dask worker running this task (its address, e.g. ``tcp://10.0.0.5:40123``); None outside a worker."""
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return None


def plan_regency(job: dict) -> dict:
    """Plan one regency (``job``: see :func:`outreach_planner.batch.run.make_jobs`) and write its outputs.

    Returns ``{"code", "status": "planned" | "invalid" | "no_plan" | "failed", ...}``: for ``planned`` the
    plan's summary figures; for the others the problems (messages, no personal data). Every result (and
    ``done.json``) records the worker process that ran it: ``pid`` and ``worker`` (the Dask worker's address;
    None when called outside a worker, as the serial benchmark does). Never raises for a
    bad workspace: one regency's errors must not stop the others.
    """
    from ..engines import SolveLimits
    from ..engines.portfolio import CORES_ENV
    from ..errors import InputError, InputWarning, NoPlanError, OutreachError
    from ..io import read_workspace
    from ..io.outcomes import write_outcomes_form
    from ..io.output_set import PLAN_OUTPUTS, output_set
    from ..io.write_plan import write_plan_outputs
    from ..campaign.ledger import plan_id_of
    from ..planning.planner import make_plan
    from ..planning.validate import check_plan
    from ..render import render_all, week_sheets
    from ..travel import travel_model
    from ..week import Week

    from ..i18n import set_language

    set_language(job.get("lang"))  # the regency's messages (its problems, the xlsx) in plan-many's language
    os.environ.setdefault(CORES_ENV, "1")  # one solve per worker process: no engine processes inside it
    t0, cpu0 = time.monotonic(), time.process_time()
    base = {"code": job["code"], "name": job["name"], "workspace": job["workspace"], "dest": job["dest"],
            "pid": os.getpid(), "worker": _worker_address()}
    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InputWarning)
            ws = read_workspace(job["workspace"])
            wk = Week.parse(job["week"], ws.regency.timezone)
            limits = SolveLimits(time_limit_s=job["time_limit"], solution_limit=job["solution_limit"],
                                 seed=job["seed"])
            travel = travel_model(ws, job["workspace"])
            now = dt.datetime.fromisoformat(job["now"])
            _kill_hook_at_solve = _kill_hook

            def progress(elapsed, objective):  # the first improvement: mid-solve
                _kill_hook_at_solve()

            run = make_plan(ws, wk, limits, engine=job["engine"], travel=travel, now=now, progress=progress)
        check_plan(run.plan, ws, travel)
        plan = run.plan
        dest = Path(job["dest"])
        with output_set(dest, claim=(*PLAN_OUTPUTS, week_sheets(plan, ws), DONE)) as s:
            write_plan_outputs(plan, ws, s.path)
            render_all(plan, ws, travel, s.path, lang=job["lang"], include_names=False)
            write_outcomes_form(plan, ws, s.path, plan_id_of(plan))
            summary = plan.summary
            result = dict(base, status="planned", week=plan.week, engine=plan.engine,
                          travel_model=summary.get("travel_model"), estimate=bool(getattr(travel, "estimate", False)),
                          value=round(plan.value, 3), travel_hours=summary.get("travel_hours"),
                          distance_km=summary.get("distance_km"),
                          nights_away=sum(1 for r in plan.routes if r.away_night), scheduled=summary.get("scheduled_visits"),
                          candidates=summary.get("candidate_visits"), villages=len(ws.villages),
                          teams=len(ws.teams), team_days=summary.get("team_days_available"),
                          coverage=summary.get("coverage"), people_expected=summary.get("people_expected"),
                          unassigned_by_reason=summary.get("unassigned_by_reason"),
                          solve_s=round(run.solve_s, 2), task_s=round(time.monotonic() - t0, 2),
                          cpu_s=round(time.process_time() - cpu0, 2),
                          warnings=len([w for w in caught if issubclass(w.category, InputWarning)]),
                          outline_wkt=_outline(ws), input_hash=job["hash"])
            (s.path / DONE).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
        return result
    except InputError as exc:
        return dict(base, status="invalid", errors=[str(p) for p in exc.problems], task_s=round(time.monotonic() - t0, 2))
    except NoPlanError as exc:
        return dict(base, status="no_plan", errors=[str(exc)], task_s=round(time.monotonic() - t0, 2))
    except OutreachError as exc:
        return dict(base, status="failed", errors=[str(exc)], task_s=round(time.monotonic() - t0, 2))
