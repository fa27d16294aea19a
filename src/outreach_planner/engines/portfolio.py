"""Run several engines on one problem at once, one process each, and return every result.

The caller (``planner.make_plan`` or the benchmark harness) validates the results and picks
the best; this module only runs them. Each engine gets the full ``limits``; with N engines
the run uses N cores for ``time_limit_s`` seconds of search each.

The best plan a run found is never lost: each child streams its improving solutions with their
routes (at most every :data:`~.base.ROUTES_EVERY_S` seconds), and a child that overruns its
deadline, fails or dies after an improvement still yields the last routes it sent. A child's
deadline counts from when it reports that its search started (the model is built), not from its
start-up.

Children are started with ``spawn`` (a fresh interpreter: the parent has threads, which ``fork`` would
copy in whatever state they are in), so everything sent to them pickles: the ``Problem`` is plain data.
They end with their parent, however it ends: on Linux the kernel kills them when it dies
(``PR_SET_PDEATHSIG``), and everywhere a thread in each child waits on a pipe whose only writer is the
parent and exits at end-of-file. When the parent leaves :func:`run_engines` by an exception (a SIGTERM
turned into ``SystemExit`` by the CLI, Ctrl-C), it terminates the children before it goes on.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
from dataclasses import replace

from .._testhooks import pause
from . import get_engine, run_engine, run_is_cold, run_seed_offset, takes_initial
from .base import EngineResult, Progress, Routes, SolveLimits

#: A child may run this long past its time limit (model building, start-up) before it is stopped:
#: ``GRACE_S`` plus ``GRACE_SHARE`` of the limit. An engine that overruns is reported, not waited for.
GRACE_S = 5.0
GRACE_SHARE = 0.1


#: Environment variable that caps :func:`available_cores` (``plan-many`` sets it to 1 in its workers: one solve per
#: worker process, no engine processes or parts in parallel inside it).
CORES_ENV = "OUTREACH_PLANNER_CORES"


def available_cores() -> int:
    """Cores this process may run on (at most ``$OUTREACH_PLANNER_CORES`` when set)."""
    cap = os.environ.get(CORES_ENV, "").strip()
    if cap.isdigit() and int(cap) >= 1:
        return int(cap)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _solve(label: str, problem, limits: SolveLimits, progress: Progress | None,
           initial: Routes | None = None) -> EngineResult:
    """Run ``label`` (an engine name, or ``<engine>#<k>`` for its k-th seed), from ``initial`` where it takes one."""
    limits = replace(limits, seed=limits.seed + run_seed_offset(label))
    engine = run_engine(label)
    if initial and takes_initial(engine) and not run_is_cold(label):
        return get_engine(engine)(problem, limits, progress, initial=initial)
    return get_engine(engine)(problem, limits, progress)


class _Best:
    """A progress that keeps a run's best solution so far (objective, routes) and passes reports on.

    ``search_started`` and every improvement go to ``send`` (the child's queue, or the caller's progress).
    """

    wants_routes = True

    def __init__(self, send=None, started=None, hook: bool = False):
        self.send, self.started, self._hook = send, started, hook
        self.objective = float("inf")
        self.routes: Routes | None = None
        self.history: list[tuple[float, float]] = []

    def __call__(self, elapsed: float, objective: float, routes: Routes | None = None) -> None:
        self.history.append((elapsed, objective))
        if routes is not None:
            self.objective, self.routes = objective, routes
        if self.send:
            self.send(elapsed, objective, routes)
        if self._hook and routes is not None and not self._paused:
            self._paused = True
            pause("improved")  # a test hook: an engine that stalls after its first improvement

    _paused = False

    def search_started(self, build_s: float) -> None:
        if self.started:
            self.started(build_s)


def best_so_far(engine: str, best: _Best, why: str) -> EngineResult | None:
    """The result a run that did not end normally leaves: its last reported routes (None: it reported none)."""
    if best.routes is None:
        return None
    return EngineResult(engine, best.routes, best.objective, f"{why}; best so far", list(best.history))


def _end_with_parent(parent_pid: int, alive) -> None:
    """Make this child process end when its parent does (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        except (AttributeError, OSError):  # pragma: no cover - the pipe below still works
            pass
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)

    def watch() -> None:
        try:
            alive.recv()  # the parent never sends: this returns at end-of-file, when the parent is gone
        except (EOFError, OSError):
            pass
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _child(name: str, problem, limits: SolveLimits, q, parent_pid: int, alive, initial: Routes | None) -> None:
    _end_with_parent(parent_pid, alive)
    q.put(("ready", name))
    pause("solving")
    sink = _Best(lambda t, obj, routes: q.put(("progress", name, t, obj, routes)),
                 lambda build_s: q.put(("started", name, build_s)), hook=True)
    try:
        res = _solve(name, problem, limits, sink, initial)
        q.put(("result", name, res))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
        q.put(("error", name, f"{type(exc).__name__}: {exc}"))


def run_engines(problem, limits: SolveLimits, names: list[str], progress: Progress | None = None,
                initial: Routes | None = None) -> dict[str, EngineResult | str]:
    """Solve ``problem`` with every run in ``names``, in parallel processes.

    A name is an engine or ``<engine>#<k>``: the same engine with seed ``limits.seed + k - 1``.
    Every engine that takes an ``initial`` plan starts from ``initial`` (when given).
    Returns name -> its :class:`EngineResult`, or an error message (str) when the engine failed
    before it reported any solution; a run that overran its deadline, failed or died after
    reporting solutions gives its best so far (its status says so). ``progress(elapsed, objective)``
    sees the best objective over all engines. One run alone runs in this process (no start-up cost).
    """
    if len(names) == 1:
        name = names[0]
        best = _Best(lambda t, obj, routes: progress(t, obj) if progress else None)
        try:
            return {name: _solve(name, problem, limits, best, initial)}
        except Exception as exc:  # noqa: BLE001
            why = f"{type(exc).__name__}: {exc}"
            return {name: best_so_far(run_engine(name), best, f"failed ({why})") or why}
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    alive_r, alive_w = ctx.Pipe(duplex=False)  # children hold the read end; only this process the write end
    procs = {n: ctx.Process(target=_child, args=(n, problem, limits, q, os.getpid(), alive_r, initial),
                            daemon=True, name=f"engine-{n}")
             for n in names}
    t0 = time.monotonic()
    try:
        for pr in procs.values():
            pr.start()
        alive_r.close()
        return _collect(procs, q, names, limits, progress, t0)
    finally:  # normal end, an error or a signal turned into an exception: no child outlives this call
        for pr in procs.values():
            if pr.is_alive():
                pr.terminate()
        for pr in procs.values():
            if pr.pid is not None:
                pr.join(timeout=5)
                if pr.is_alive():  # pragma: no cover - ignored SIGTERM
                    pr.kill()
                    pr.join(timeout=5)
        alive_w.close()
        q.close()


#: Seconds a child may spend building its model: its deadline counts from when it reports "search started"
#: (OR-Tools does); until then, or for an engine that does not report it, from when it is up and running
#: plus this allowance.
BUILD_GRACE_S = 30.0


def _collect(procs, q, names: list[str], limits: SolveLimits, progress: Progress | None,
             t0: float) -> dict[str, EngineResult | str]:
    """Wait for every child's result (or its failure, or its deadline), keeping each one's best so far."""
    out: dict[str, EngineResult | str] = {}
    best = float("inf")
    grace = GRACE_S + GRACE_SHARE * limits.time_limit_s
    #: per child: when its search may end at the latest (from its start until it reports "started")
    deadline = {n: t0 + BUILD_GRACE_S + limits.time_limit_s + grace for n in names}
    kept = {n: _Best() for n in names}

    def settle(n: str, why: str) -> None:
        out[n] = best_so_far(run_engine(n), kept[n], why) or why

    while len(out) < len(names):
        try:
            msg = q.get(timeout=0.2)
        except queue.Empty:
            msg = None
        now = time.monotonic()
        if msg is not None:
            kind, name = msg[0], msg[1]
            if name in out:
                continue
            if kind == "ready":
                deadline[name] = now + BUILD_GRACE_S + limits.time_limit_s + grace
            elif kind == "started":
                deadline[name] = now + limits.time_limit_s + grace
            elif kind == "progress":
                kept[name](msg[2], msg[3], msg[4])
                if msg[3] < best:
                    best = msg[3]
                    if progress:
                        progress(now - t0, best)
            elif kind == "result":
                out[name] = msg[2]
            else:  # "error"
                settle(name, f"failed ({msg[2]})")
            continue
        for n, pr in procs.items():
            if n in out:
                continue
            if not pr.is_alive() and pr.exitcode not in (0, None):
                settle(n, f"process ended with exit code {pr.exitcode}")
            elif now > deadline[n]:
                pr.terminate()
                settle(n, f"stopped at the deadline ({limits.time_limit_s + grace:g} s of search)")
    for pr in procs.values():
        pr.join(timeout=5)
    return out
