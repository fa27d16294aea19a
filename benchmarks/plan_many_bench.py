"""plan-many against a serial loop: the 17 regencies of Sulawesi Tenggara with a fixed limit per regency.

Usage (from the repository root)::

    .venv/bin/python benchmarks/plan_many_bench.py --time-limit 10 [--workers 2] [--regencies 74.01,74.12]

Serial: one process plans the regencies one after another (``batch.task.plan_regency``, the task plan-many
runs, with ``OUTREACH_PLANNER_CORES=1``: one single-core solve at a time). plan-many: the same tasks on a local
Dask cluster (one single-threaded worker process per core). Both write the full outputs (maps, sheets,
GeoPackage), into separate folders. Measured: wall time of each, per regency the task time (read, build, solve,
check, write) and solve time against its size (candidate visits), the peak RSS of the serial process and of the
cluster's workers (``psutil``, sampled every 0.5 s), the machine's load average before and after. Writes
``benchmarks/results/plan_many.md`` and ``plan_many.csv``; the projection for 514 regencies divides the
measured total task time (scaled by 514 / regencies measured) by the cores.

Scale-out on one machine (issue 16: "several local nodes to show the work spreads")::

    .venv/bin/python benchmarks/plan_many_bench.py --scaleout 1,2,4 --solution-limit 20 [--regencies ...]

For each k: one Dask scheduler process and k worker processes, each started as its own node
(``python -m distributed.cli.dask_worker ADDRESS --nworkers 1 --nthreads 1``: a nanny and one single-threaded
worker, separate processes joined by address, as on k machines), then ``plan_many(address=...)`` plans the same
regencies with a fixed solution limit (so the work per task is fixed, not time-bound). Measured per k: wall
time, tasks per node (the ``worker`` each result names), peak RSS per node's worker process (psutil, every
0.5 s), speed-up against k = 1, and whether every regency's plan equals the k = 1 plan (routes and visits left
out). Writes ``benchmarks/results/plan_many_scaleout.md`` and ``plan_many_scaleout.csv`` with the projection
for 514 regencies on N machines of 2, 16 and 64 cores from the measured per-task costs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def _peak(pids_fn, stop, out):
    import psutil

    while not stop.is_set():
        total = 0
        for pid in pids_fn():
            try:
                total = max(total, psutil.Process(pid).memory_info().rss)
            except psutil.Error:
                pass
        out[0] = max(out[0], total)
        stop.wait(0.5)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--regencies", default="")
    ap.add_argument("--skip-serial", action="store_true")
    ap.add_argument("--identical", default="", help="codes to plan both ways with a solution limit and compare")
    ap.add_argument("--scaleout", default="", help="k values, e.g. 1,2,4: a scheduler and k worker nodes each")
    ap.add_argument("--solution-limit", type=int, default=20, help="the fixed work per task of --scaleout")
    args = ap.parse_args()
    if args.scaleout:
        scaleout(args)
        return
    cores = len(os.sched_getaffinity(0))  # before the cap below, which is for the solves only
    os.environ["OUTREACH_PLANNER_CORES"] = "1"
    from outreach_planner.batch.province import read_province, select
    from outreach_planner.batch.run import local_cluster, make_jobs, plan_many
    from outreach_planner.batch.task import plan_regency
    
    prov = read_province(REPO / "data" / "sulawesi_tenggara")
    regs = select(prov, [c for c in args.regencies.split(",") if c] or None)
    week, now = "2026-W49", "2026-11-27T08:00:00+08:00"
    tmp = Path(tempfile.mkdtemp(prefix="plan_many_bench."))
    load0 = os.getloadavg()
    rows: dict[str, dict] = {}
    serial_s = serial_rss = None
    if not args.skip_serial:
        jobs = make_jobs(regs, tmp / "serial", week, time_limit=args.time_limit, solution_limit=None, seed=0,
                         engine="auto", lang="id", now=now)
        stop, peak = threading.Event(), [0]
        th = threading.Thread(target=_peak, args=(lambda: [os.getpid()], stop, peak), daemon=True)
        th.start()
        t0 = time.monotonic()
        for job in jobs:
            r = plan_regency(job)
            rows.setdefault(job["code"], {"code": job["code"], "name": job["name"]}).update(
                serial_status=r["status"], serial_task_s=r.get("task_s"), serial_solve_s=r.get("solve_s"),
                candidates=r.get("candidates"), villages=r.get("villages"), teams=r.get("teams"),
                value_serial=r.get("value"))
            print(f"serial {job['code']} {r['status']} {r.get('task_s')} s", flush=True)
        serial_s = time.monotonic() - t0
        stop.set()
        serial_rss = peak[0]
    cluster = local_cluster(args.workers or cores)
    n_workers = len(cluster.workers)
    stop, peak = threading.Event(), [0]

    def worker_pids():
        try:
            return [w.process.process.pid for w in cluster.workers.values() if w.process and w.process.process]
        except Exception:  # noqa: BLE001
            return []

    th = threading.Thread(target=_peak, args=(worker_pids, stop, peak), daemon=True)
    th.start()
    t0 = time.monotonic()
    res = plan_many(prov, regs, tmp / "many", week, time_limit=args.time_limit, cluster=cluster, now=now,
                    report=lambda e, r: print(f"many {e} {r['code']} {r.get('status', '')}", flush=True))
    many_s = time.monotonic() - t0
    stop.set()
    cluster.close()
    for r in res:
        rows.setdefault(r["code"], {"code": r["code"], "name": r["name"]}).update(
            many_status=r["status"], many_task_s=r.get("task_s"), many_solve_s=r.get("solve_s"),
            candidates=r.get("candidates"), villages=r.get("villages"), teams=r.get("teams"), value_many=r.get("value"))
    same = []
    if args.identical:  # with a solution limit, serial and plan-many give the same plans
        codes = args.identical.split(",")
        sub = select(prov, codes)
        jobs = make_jobs(sub, tmp / "same_serial", week, time_limit=600.0, solution_limit=20, seed=0,
                         engine="auto", lang="id", now=now)
        ser = {j["code"]: plan_regency(j) for j in jobs}
        cl = local_cluster(args.workers or cores)
        par = plan_many(prov, sub, tmp / "same_many", week, time_limit=600.0, solution_limit=20, cluster=cl, now=now)
        cl.close()
        import json

        def core(r):
            p = json.loads((Path(r["dest"]) / "plan.json").read_text(encoding="utf-8"))
            return p["routes"], p["unassigned"]

        same = [(r["code"], core(ser[r["code"]]) == core(r)) for r in par]
    load1 = os.getloadavg()
    out = REPO / "benchmarks" / "results"
    cols = ["code", "name", "villages", "teams", "candidates", "serial_status", "serial_task_s", "serial_solve_s",
            "value_serial", "many_status", "many_task_s", "many_solve_s", "value_many"]
    with open(out / "plan_many.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows.values())
    tasks = [r.get("serial_task_s") or r.get("many_task_s") or 0 for r in rows.values()]
    per = sum(tasks) / max(1, len(tasks))
    lines = [f"# plan-many: {len(regs)} regencies of Sulawesi Tenggara, --time-limit {args.time_limit:g} s each", "",
             f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/plan_many_bench.py --time-limit "
             f"{args.time_limit:g}` on {cores} cores (shared: load average {load0[0]:.2f} before, "
             f"{load1[0]:.2f} after). Engine auto with one core per solve (OR-Tools from the greedy construction); "
             "each task reads the workspace, builds and solves, checks the plan and writes every output.", "",
             "| run | wall s | peak RSS |", "|---|---|---|"]
    if serial_s is not None:
        lines.append(f"| serial loop (1 process) | {serial_s:.1f} | {serial_rss / 1e6:.0f} MB |")
    lines.append(f"| plan-many ({n_workers} Dask workers) | {many_s:.1f} | {peak[0] / 1e6:.0f} MB (largest worker) |")
    if serial_s is not None:
        lines += ["", f"Speed-up: {serial_s / many_s:.2f}x with {n_workers} workers."]
    if same:
        lines += ["", "With `--solution-limit 20` (no time limit) serial and plan-many give identical plans (routes and "
                  "visits left out of plan.json): " + ", ".join(f"{c} {'identical' if ok else 'DIFFERENT'}"
                                                             for c, ok in same) + "."]
    lines += ["", "Per regency (task = read + build + solve + check + write; size = candidate visits):", "",
              "| code | regency | villages | teams | candidates | serial task s | serial solve s | plan-many task s | value serial | value plan-many |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows.values(), key=lambda r: r.get("candidates") or 0):
        lines.append(f"| {r['code']} | {r['name']} | {r.get('villages')} | {r.get('teams')} | {r.get('candidates')} | "
                     f"{r.get('serial_task_s')} | {r.get('serial_solve_s')} | {r.get('many_task_s')} | "
                     f"{r.get('value_serial')} | {r.get('value_many')} |")
    lines += ["", "## Projection: 514 regencies (projected from the measured mean, not measured)", "",
              f"Mean task time here {per:.1f} s per regency at --time-limit {args.time_limit:g} (17 regencies of one "
              "province stand in for the country). One task per core, tasks independent: wall time = "
              "ceil(514 / cores) x mean task time, plus about 5 s of cluster start-up, assuming the same per-regency "
              "cost and no shared bottleneck (the scheduler handles thousands of tasks a second; outputs are "
              "written per regency). The spread over worker nodes joined by address is measured in "
              "[plan_many_scaleout.md](plan_many_scaleout.md).", "",
              "| machines x cores | cores | projected wall time |", "|---|---|---|"]
    import math

    for c in (2, 16, 64):
        for m in (1, 4, 16):
            lines.append(f"| {m} x {c} | {m * c} | {(math.ceil(514 / (m * c)) * per + 5) / 60:.1f} min |")
    lines.append("")
    (out / "plan_many.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


class Nodes:
    """A Dask scheduler and ``k`` worker nodes, each a separate process (own session) started here."""

    def __init__(self, k: int, tmp: Path):
        import json
        import subprocess

        env = dict(os.environ, PYTHONPATH=str(REPO / "src"), OUTREACH_PLANNER_CORES="1")
        self.procs: list = []
        sched_file = tmp / "scheduler.json"

        def start(args: list[str]):
            p = subprocess.Popen([sys.executable, "-m", *args], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
            self.procs.append(p)
            return p

        start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
               "--scheduler-file", str(sched_file)])
        deadline = time.monotonic() + 120
        while not (sched_file.is_file() and sched_file.read_text()):
            if time.monotonic() > deadline or self.procs[0].poll() is not None:
                self.close()
                raise RuntimeError("the scheduler did not start")
            time.sleep(0.2)
        self.address = json.loads(sched_file.read_text())["address"]
        self.nodes = [start(["distributed.cli.dask_worker", self.address, "--nworkers", "1", "--nthreads", "1",
                             "--no-dashboard", "--memory-limit", "0", "--host", "127.0.0.1",
                             "--name", f"node{i + 1}"]) for i in range(k)]
        from distributed import Client

        with Client(self.address, timeout=60) as c:
            c.wait_for_workers(k, timeout=180)
            info = c.scheduler_info(n_workers=-1)["workers"]
        self.name_of = {addr: w["name"] for addr, w in info.items()}  # worker address -> node name

    def worker_pids(self) -> dict[str, list[int]]:
        """Per node, the pids of its processes below the nanny (the worker process)."""
        import psutil

        out = {}
        for i, p in enumerate(self.nodes):
            try:
                out[f"node{i + 1}"] = [c.pid for c in psutil.Process(p.pid).children(recursive=True)]
            except psutil.Error:
                out[f"node{i + 1}"] = []
        return out

    def close(self) -> None:
        import signal
        import subprocess

        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in reversed(self.procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def _peak_per_node(nodes: Nodes, stop, peaks: dict) -> None:
    import psutil

    while not stop.is_set():
        for node, pids in nodes.worker_pids().items():
            for pid in pids:
                try:
                    peaks[node] = max(peaks.get(node, 0), psutil.Process(pid).memory_info().rss)
                except psutil.Error:
                    pass
        stop.wait(0.5)


def scaleout(args) -> None:
    """k = each of ``args.scaleout`` worker nodes on this machine, the same regencies at a fixed solution limit."""
    import json
    import math
    import subprocess

    from outreach_planner.batch.province import read_province, select
    from outreach_planner.batch.run import plan_many

    cores = len(os.sched_getaffinity(0))
    ks = [int(k) for k in args.scaleout.split(",")]
    prov = read_province(REPO / "data" / "sulawesi_tenggara")
    regs = select(prov, [c for c in args.regencies.split(",") if c] or None)
    week, now = "2026-W49", "2026-11-27T08:00:00+08:00"
    tmp = Path(tempfile.mkdtemp(prefix="plan_many_scaleout."))
    uptime0 = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    runs, rows, cores_of = [], [], {}
    for k in ks:
        (tmp / f"k{k}").mkdir()
        nodes = Nodes(k, tmp / f"k{k}")
        stop, peaks = threading.Event(), {}
        th = threading.Thread(target=_peak_per_node, args=(nodes, stop, peaks), daemon=True)
        th.start()
        load = os.getloadavg()[0]
        t0 = time.monotonic()
        try:
            res = plan_many(prov, regs, tmp / f"k{k}" / "out", week, time_limit=3600.0,
                            solution_limit=args.solution_limit, engine="auto", address=nodes.address, now=now,
                            report=lambda e, r, k=k: print(f"k={k} {e} {r['code']} {r.get('status', '')}",
                                                           flush=True))
            wall = time.monotonic() - t0
        finally:
            stop.set()
            th.join()
            name_of = dict(nodes.name_of)
            nodes.close()
        per_node = {n: 0 for n in sorted(name_of.values())}
        for r in res:
            node = name_of.get(r.get("worker"), "?")
            per_node[node] = per_node.get(node, 0) + 1
            p = Path(r["dest"]) / "plan.json"
            core = None
            if p.is_file():
                d = json.loads(p.read_text(encoding="utf-8"))
                core = json.dumps([d["routes"], d["unassigned"]], sort_keys=True)
            cores_of[(k, r["code"])] = core
            rows.append({"k": k, "code": r["code"], "name": r["name"], "status": r["status"],
                         "candidates": r.get("candidates"), "node": node, "task_s": r.get("task_s"),
                         "solve_s": r.get("solve_s"), "cpu_s": r.get("cpu_s"), "value": r.get("value")})
        same = sum(1 for r in res if cores_of[(k, r["code"])] is not None
                   and cores_of[(k, r["code"])] == cores_of.get((ks[0], r["code"])))
        runs.append({"k": k, "wall": wall, "per_node": per_node, "peaks": peaks, "load": load,
                     "load_after": os.getloadavg()[0], "same": same, "n": len(res),
                     "planned": sum(1 for r in res if r["status"] == "planned"),
                     "task_sum": sum(r.get("task_s") or 0 for r in res),
                     "cpu_sum": sum(r.get("cpu_s") or 0 for r in res)})
        print(f"k={k}: {wall:.1f} s, tasks per node {per_node}", flush=True)
    uptime1 = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    out = REPO / "benchmarks" / "results"
    with open(out / "plan_many_scaleout.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    base = runs[0]
    cmd = f"benchmarks/plan_many_bench.py --scaleout {args.scaleout} --solution-limit {args.solution_limit}" + (
        f" --regencies {args.regencies}" if args.regencies else "")
    lines = [f"# plan-many scale-out on one machine: 1 scheduler + k worker nodes, {len(regs)} regencies, "
             f"--solution-limit {args.solution_limit}", "",
             f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `{cmd}` on {cores} cores. "
             "Each node is a separate `dask worker --nworkers 1 --nthreads 1` process tree (nanny + one "
             "single-threaded worker) joined to the scheduler by address, as k machines would be; "
             "`plan_many(address=...)` submits one task per regency (read, build, solve with engine auto on one "
             "core, check, write every output). The solution limit fixes the work per task.", "",
             f"Machine load (`uptime`): before `{uptime0}`; after `{uptime1}`.", "",
             "| k nodes | wall s | speed-up vs k=1 | tasks per node | peak RSS per node's worker (MB) | "
             "sum of task s | sum of task CPU s | load avg at start | plans equal to k=1 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        tasks = ", ".join(f"{n}: {c}" for n, c in r["per_node"].items())
        rss = ", ".join(f"{r['peaks'].get(n, 0) / 1e6:.0f}" for n in r["per_node"] if n != "?")
        lines.append(f"| {r['k']} | {r['wall']:.1f} | {base['wall'] / r['wall']:.2f}x | {tasks} | {rss} | "
                     f"{r['task_sum']:.0f} | {r['cpu_sum']:.0f} | {r['load']:.2f} | {r['same']}/{r['n']} |")
    by1 = [x for x in rows if x["k"] == ks[0] and x["status"] == "planned"]
    mean = sum(x["task_s"] for x in by1) / max(1, len(by1))
    mean_solve = sum(x["solve_s"] for x in by1) / max(1, len(by1))
    longest = max((x["task_s"] for x in by1), default=0)
    overhead = mean - mean_solve
    lines += ["", f"Per-task cost at k={ks[0]} (measured): mean {mean:.1f} s per regency (solve {mean_solve:.1f} s, "
              f"read + build + check + write {overhead:.1f} s), longest {longest:.1f} s. Per regency in "
              "`plan_many_scaleout.csv`.", "",
              "## Projection: 514 regencies on N machines (projected, not measured)", "",
              "From the per-task costs measured above, for two budgets: `--solution-limit "
              f"{args.solution_limit}` (mean {mean:.1f} s a task, as measured) and the default `--time-limit 30` "
              f"(30 s of search + the measured {overhead:.1f} s of the rest = {30 + overhead:.1f} s a task). One "
              "single-threaded worker per core, tasks independent and of about the mean size (the 17 regencies "
              "of one province stand in for the country's): wall = ceil(514 / cores) x task s, plus about 10 s to "
              "start the workers; at least the longest task. Assumes free cores (this run's cores were shared), "
              "the workspaces and outputs on a filesystem all machines see, and one scheduler (it handles "
              "thousands of tasks a second; 514 is small).", "",
              f"| machines x cores | cores | wall, --solution-limit {args.solution_limit} | wall, --time-limit 30 |",
              "|---|---|---|---|"]
    for c in (2, 16, 64):
        for n in (1, 4, 16):
            tot = n * c
            waves = math.ceil(514 / tot)
            a = max(waves * mean, longest) + 10
            b = waves * (30 + overhead) + 10
            lines.append(f"| {n} x {c} | {tot} | {a / 60:.1f} min | {b / 60:.1f} min |")
    lines.append("")
    (out / "plan_many_scaleout.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
