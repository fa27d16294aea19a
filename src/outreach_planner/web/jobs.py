"""Long work of the desk (plans, re-plans) in a worker process, one at a time, queued.

The server never solves in a request: :class:`Jobs` keeps a queue and one thread that starts each job in its
own process (``spawn``: a fresh interpreter, no state shared with the server), reads its progress from a
queue, and ends it on cancel (SIGTERM, which the worker turns into ``SystemExit`` so the engines' processes and
a half-written output set are cleaned up, as ``plan`` does on Ctrl-C). The worker calls the same functions as
the ``plan`` and ``replan`` commands.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import queue
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import LANGUAGES, REQUEST_LANGUAGE, _

#: The language of the officers' documents of a plan set made from the desk (route sheets, ``schedule.xlsx``, the
#: outcomes form, ``plan.gpkg``): Indonesian, whatever the language of the page that asked for the plan. What the
#: planner reads (the job's messages, ``map.html``, the reasons in ``plan.json`` and ``changes.csv``) follows the
#: page's language (the job's ``lang``).
DOCUMENTS_LANG = "id"


@dataclass
class Job:
    """One plan or re-plan, as the pages show it (no resident data)."""

    id: str
    kind: str  # "plan" | "replan"
    params: dict
    state: str = "queued"  # queued | running | done | failed | cancelled
    best: float | None = None
    started: float | None = None
    elapsed: float = 0.0
    result: str | None = None  # the plan set id when done
    problems: list[dict] = field(default_factory=list)
    cancel_asked: bool = False

    def view(self) -> dict:
        limit = self.params.get("time_limit")
        elapsed = (time.monotonic() - self.started) if self.state == "running" and self.started else self.elapsed
        return {"id": self.id, "kind": self.kind, "state": self.state, "best": self.best,
                "elapsed": round(elapsed, 1), "time_left": None if limit is None else
                round(max(0.0, limit - elapsed), 1), "result": self.result, "problems": self.problems,
                "week": self.params.get("week")}


def _problems(exc) -> list[dict]:
    from ..errors import InputError

    if isinstance(exc, InputError):
        return [{"file": p.source, "row": p.where, "column": p.field, "value": "" if p.value is None else str(p.value),
                 "message": p.message} for p in exc.problems]
    return [{"file": "", "row": "", "column": "", "value": "", "message": str(exc)}]


def _stop_on_sigterm() -> None:
    import signal

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


@contextmanager
def in_language(lang: str | None):
    """The package's messages in ``lang`` within the block (as a desk request's are), then as before."""
    token = REQUEST_LANGUAGE.set(lang if lang in LANGUAGES else "id")
    try:
        yield
    finally:
        REQUEST_LANGUAGE.reset(token)


def write_desk_set(plan, ws, travel, out_dir: Path, lang: str, more=None) -> None:
    """Write a plan set as ``plan`` does (one output set: all files at once, or none): the officers' documents in
    :data:`DOCUMENTS_LANG`, ``map.html`` (shown in the page) in ``lang``; ``more(staging folder)`` adds files."""
    from ..campaign.ledger import plan_id_of
    from ..io.outcomes import write_outcomes_form
    from ..io.output_set import PLAN_OUTPUTS, output_set
    from ..io.write_plan import write_plan_outputs
    from ..render import MAP_HTML, render_all, week_sheets
    from ..render.map import map_html

    with output_set(out_dir, claim=(*PLAN_OUTPUTS, week_sheets(plan, ws))) as s:
        with in_language(DOCUMENTS_LANG):
            write_plan_outputs(plan, ws, s.path)
            render_all(plan, ws, travel, s.path, lang=DOCUMENTS_LANG)
            write_outcomes_form(plan, ws, s.path, plan_id_of(plan))
        if lang != DOCUMENTS_LANG:
            with in_language(lang):
                (s.path / MAP_HTML).write_bytes(map_html(plan, ws, travel, lang=lang).encode("utf-8"))
        if more is not None:
            more(s.path)


def _load(folder: Path):
    import warnings

    from ..errors import InputWarning
    from ..io import read_workspace

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        return read_workspace(folder)


def plan_job(params: dict, out: mp.Queue) -> None:
    """Worker: ``outreach-planner plan`` for ``params`` (workspace, week, out_dir, limits, lang)."""
    _stop_on_sigterm()
    with in_language(params.get("lang")):  # its messages and reasons in the page's language
        _plan_job(params, out)


def _plan_job(params: dict, out: mp.Queue) -> None:
    try:
        import warnings

        from ..cli import _issue
        from ..campaign.cycle import ledger_path, workspace_for_planning
        from ..engines import SolveLimits
        from ..errors import InputWarning
        from ..planning.planner import make_plan
        from ..planning.validate import check_plan
        from ..travel import travel_model
        from ..week import Week

        folder = Path(params["workspace"])
        ws = _load(folder)
        wk = Week.parse(params["week"], ws.regency.timezone)
        ws = workspace_for_planning(ws, ledger_path(folder), str(wk))
        limits = SolveLimits(time_limit_s=params["time_limit"], solution_limit=params.get("solution_limit"))
        travel = travel_model(ws, folder)
        out.put(("started",))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InputWarning)
            run = make_plan(ws, wk, limits, engine=params.get("engine", "auto"), travel=travel,
                            progress=lambda t, obj: out.put(("progress", t, obj)))
        check_plan(run.plan, ws, travel)
        write_desk_set(run.plan, ws, travel, Path(params["out_dir"]), params.get("lang", "id"))
        _issue(run.plan, ws, folder)
        out.put(("done", Path(params["out_dir"]).name))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the page
        if isinstance(exc, SystemExit):
            out.put(("cancelled",))
            raise
        out.put(("failed", _problems(exc)))


def replan_job(params: dict, out: mp.Queue) -> None:
    """Worker: ``outreach-planner replan`` (from, team_off) of the plan in ``params['base_dir']``."""
    _stop_on_sigterm()
    with in_language(params.get("lang")):
        _replan_job(params, out)


def _replan_job(params: dict, out: mp.Queue) -> None:
    try:
        import datetime as dt
        import json

        from ..campaign.cycle import ledger_path
        from ..campaign.ledger import Ledger, plan_id_of
        from ..campaign.replan import Edits
        from ..campaign.replan import replan as do_replan
        from ..engines import SolveLimits
        from ..io.outcomes import plan_from_document
        from ..io.write_changes import write_changes
        from ..planning.validate import check_plan
        from ..travel import travel_model

        folder = Path(params["workspace"])
        ws = _load(folder)
        start = dt.date.fromisoformat(params["from"])
        base = plan_from_document(json.loads((Path(params["base_dir"]) / "plan.json").read_text(encoding="utf-8")))
        travel = travel_model(ws, folder)
        limits = SolveLimits(time_limit_s=params["time_limit"], solution_limit=params.get("solution_limit"))
        path = ledger_path(folder)
        out.put(("started",))
        with Ledger(path) as led:
            if led.plan(plan_id_of(base)) is None:
                led.issue_plan(base)
            e = params.get("edits") or {}
            edits = Edits(lock=tuple((k, t, dt.date.fromisoformat(d)) for k, t, d in e.get("lock", ())),
                          forbid=tuple(e.get("forbid", ())),
                          days_off=tuple((t, dt.date.fromisoformat(d)) for t, d in e.get("days_off", ())))
            res = do_replan(ws, led, start, params.get("team_off"), limits, params.get("engine", "auto"), travel,
                            edits=edits, plan_id=plan_id_of(base))  # the page's plan, not the ledger's latest
            check_plan(res.new_part, res.workspace, travel, held=res.kept)
        out_dir = Path(params["out_dir"])
        write_desk_set(res.plan, ws, travel, out_dir, params.get("lang", "id"),
                       more=lambda staging: write_changes(res.changes, staging))
        with Ledger(path) as led:
            led.issue_plan(res.plan, source=f"replan from {start}")
        out.put(("done", out_dir.name))
    except BaseException as exc:  # noqa: BLE001
        if isinstance(exc, SystemExit):
            out.put(("cancelled",))
            raise
        out.put(("failed", _problems(exc)))


_TARGETS = {"plan": plan_job, "replan": replan_job}


class Jobs:
    """The queue of jobs and the thread that runs them, one at a time, each in a spawned process."""

    def __init__(self) -> None:
        self._ctx = mp.get_context("spawn")
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._waiting: deque[str] = deque()
        self._wake = threading.Event()
        self._ids = itertools.count(1)
        self._proc = None
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="desk-jobs", daemon=True)
        self._thread.start()

    def submit(self, kind: str, params: dict) -> str:
        with self._lock:
            jid = f"j{next(self._ids)}"
            self._jobs[jid] = Job(jid, kind, dict(params))
            self._waiting.append(jid)
        self._wake.set()
        return jid

    def get(self, jid: str) -> Job | None:
        with self._lock:
            return self._jobs.get(jid)

    def all(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def cancel(self, jid: str) -> bool:
        with self._lock:
            job = self._jobs.get(jid)
            if job is None or job.state not in ("queued", "running"):
                return False
            job.cancel_asked = True
            if job.state == "queued":
                self._waiting.remove(jid)
                job.state = "cancelled"
                return True
            proc = self._proc
        if proc is not None and proc.is_alive():
            proc.terminate()  # SIGTERM: the worker exits through SystemExit, engines and staging cleaned up
        return True

    def wait(self, jid: str, timeout: float = 600.0) -> Job:
        """Block until the job is finished (tests)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            job = self.get(jid)
            if job and job.state in ("done", "failed", "cancelled"):
                return job
            time.sleep(0.1)
        raise TimeoutError(jid)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            for jid in list(self._waiting):
                self._jobs[jid].state = "cancelled"
            self._waiting.clear()
            proc = self._proc
        if proc is not None and proc.is_alive():
            proc.terminate()
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        self._wake.set()

    def _loop(self) -> None:
        while not self._closed:
            self._wake.wait(0.5)
            self._wake.clear()
            while not self._closed:
                with self._lock:
                    if not self._waiting:
                        break
                    job = self._jobs[self._waiting.popleft()]
                    job.state, job.started = "running", time.monotonic()
                self._run(job)

    def _run(self, job: Job) -> None:
        q = self._ctx.Queue()
        proc = self._ctx.Process(target=_TARGETS[job.kind], args=(job.params, q), daemon=False)
        with self._lock:
            self._proc = proc
        proc.start()
        final = None
        while final is None:
            try:
                msg = q.get(timeout=0.2)
            except queue.Empty:
                if not proc.is_alive():
                    try:  # a last message may still be in the pipe
                        msg = q.get(timeout=0.5)
                    except queue.Empty:
                        with in_language(job.params.get("lang")):  # this thread has no request: the job's
                            ended = _("desk.worker_ended", id="proses pekerja berhenti (kode keluar {code})",
                                      en="the worker process ended (exit code {code})", code=proc.exitcode)
                        final = ("cancelled",) if job.cancel_asked else (
                            "failed", [{"file": "", "row": "", "column": "", "value": "", "message": ended}])
                        break
                else:
                    continue
            if msg[0] == "progress":
                with self._lock:
                    job.best = msg[2] if job.best is None else min(job.best, msg[2])
            elif msg[0] == "started":
                with self._lock:
                    job.started = time.monotonic()
            else:
                final = msg
        proc.join(30)
        if proc.is_alive():
            proc.kill()
            proc.join()
        with self._lock:
            self._proc = None
            job.elapsed = time.monotonic() - (job.started or time.monotonic())
            if final[0] == "done":
                job.state, job.result = "done", final[1]
            elif final[0] == "failed":
                job.state, job.problems = ("cancelled", []) if job.cancel_asked else ("failed", final[1])
            else:
                job.state = "cancelled"
