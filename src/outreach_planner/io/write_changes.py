"""Write the ``changes.csv`` of a re-plan: one row per visit of the re-planned days, changed or not."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from .write_plan import _temp_file

CHANGES_CSV = "changes.csv"
COLUMNS = ("change", "visit_id", "old_visit_id", "kind", "place", "team_before", "date_before", "start_before",
           "team_after", "date_after", "start_after", "reason")


def write_changes(changes: list[dict], out_dir: Path) -> dict[str, Path]:
    """Write ``changes.csv`` (see :func:`outreach_planner.replan.diff`) atomically into ``out_dir``.

    One row per visit of the re-planned days: ``change`` (unchanged, retimed, moved, added,
    removed), the visit id in the new plan (the old one for a removed visit) and in the old
    plan, kind, place, team/date/start before and after, and the ``reason`` of a change.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for c in changes:
        b, a = c.get("before") or {}, c.get("after") or {}
        w.writerow([c["change"], c["visit_id"], c.get("old_visit_id") or "", c["kind"], c["place"],
                    b.get("team", ""), b.get("date", ""), b.get("start", ""), a.get("team", ""), a.get("date", ""),
                    a.get("start", ""), c.get("reason", "")])
    path, fd = _temp_file(out_dir, CHANGES_CSV)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.getvalue().encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(path, out_dir / CHANGES_CSV)
    finally:
        path.unlink(missing_ok=True)
    return {CHANGES_CSV: out_dir / CHANGES_CSV}
