"""The share of `make plan` (`outreach-planner plan --week 2026-W49`) that is rendering: runs the plan command

in this process with ``render_all`` timed. Usage: ``PYTHONPATH=src .venv/bin/python benchmarks/plan_render_share.py plan
--week 2026-W49 --out /tmp/x`` (the arguments are those of ``outreach-planner``). Prints one TIMING line to stderr.
"""
import sys, time


def main():
    import outreach_planner.render as R
    orig = R.render_all
    spent = []
    def timed(*a, **k):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return orig(*a, **k)
        finally:
            spent.append((time.perf_counter() - t0, time.process_time() - c0))
    R.render_all = timed
    from outreach_planner.cli import app
    t0 = time.perf_counter()
    try:
        app(sys.argv[1:], standalone_mode=False)
    finally:
        total = time.perf_counter() - t0
        w, c = spent[0] if spent else (0, 0)
        print(f"TIMING plan wall {total:.2f} s; render_all wall {w:.2f} s (CPU {c:.2f} s) = {100 * w / total:.1f}% of the wall time", file=sys.stderr)


if __name__ == "__main__":
    main()
