"""Run several engines on one problem at once, one process each, and return every result.

The caller (``planner.make_plan`` or the benchmark harness) validates the results and picks
the best; this module only runs them. Each engine gets the full ``limits``; with N engines
the run uses N cores for ``time_limit_s`` seconds of wall clock.

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
from . import get_engine, run_engine, run_seed_offset
from .base import EngineResult, Progress, SolveLimits

#: A child may run this long past its time limit (model building, start-up) before it is stopped:
#: ``GRACE_S`` plus ``GRACE_SHARE`` of the limit. An engine that overruns is reported, not waited for.
GRACE_S = 5.0
GRACE_SHARE = 0.1


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _solve(label: str, problem, limits: SolveLimits, progress: Progress | None) -> EngineResult:
    """Run ``label`` (an engine name, or ``<engine>#<k>`` for its k-th seed)."""
    limits = replace(limits, seed=limits.seed + run_seed_offset(label))
    return get_engine(run_engine(label))(problem, limits, progress)


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


def _child(name: str, problem, limits: SolveLimits, q, parent_pid: int, alive) -> None:
    _end_with_parent(parent_pid, alive)
    pause("solving")
    try:
        res = _solve(name, problem, limits, lambda t, obj: q.put(("progress", name, t, obj)))
        q.put(("result", name, res))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
        q.put(("error", name, f"{type(exc).__name__}: {exc}"))


def run_engines(problem, limits: SolveLimits, names: list[str],
                progress: Progress | None = None) -> dict[str, EngineResult | str]:
    """Solve ``problem`` with every run in ``names``, in parallel processes.

    A name is an engine or ``<engine>#<k>``: the same engine with seed ``limits.seed + k - 1``.
    Returns name -> its :class:`EngineResult`, or an error message (str) when the
    engine failed. ``progress(elapsed, objective)`` sees the best objective over all engines.
    One engine runs in this process (no start-up cost).
    """
    if len(names) == 1:
        try:
            return {names[0]: _solve(names[0], problem, limits, progress)}
        except Exception as exc:  # noqa: BLE001
            return {names[0]: f"{type(exc).__name__}: {exc}"}
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    alive_r, alive_w = ctx.Pipe(duplex=False)  # children hold the read end; only this process the write end
    procs = {n: ctx.Process(target=_child, args=(n, problem, limits, q, os.getpid(), alive_r), daemon=True,
                            name=f"engine-{n}")
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


def _collect(procs, q, names: list[str], limits: SolveLimits, progress: Progress | None,
             t0: float) -> dict[str, EngineResult | str]:
    """Wait for every child's result (or its failure, or the deadline)."""
    out: dict[str, EngineResult | str] = {}
    best = float("inf")
    lock = threading.Lock()
    grace = GRACE_S + GRACE_SHARE * limits.time_limit_s
    deadline = t0 + limits.time_limit_s + grace
    while len(out) < len(names):
        try:
            msg = q.get(timeout=0.5)
        except queue.Empty:
            for n, pr in procs.items():
                if n not in out and not pr.is_alive() and pr.exitcode not in (0, None):
                    out[n] = f"process ended with exit code {pr.exitcode}"
            if time.monotonic() > deadline:
                for n, pr in procs.items():
                    if n not in out:
                        pr.terminate()
                        out[n] = f"no result within {limits.time_limit_s + grace:g} s"
            continue
        kind, name = msg[0], msg[1]
        if kind == "progress":
            with lock:
                if msg[3] < best:
                    best = msg[3]
                    if progress:
                        progress(time.monotonic() - t0, best)
        else:
            out[name] = msg[2]
    for pr in procs.values():
        pr.join(timeout=5)
    return out
