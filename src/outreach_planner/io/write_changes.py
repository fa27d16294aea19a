"""Write the ``changes.csv`` of a re-plan: one row per visit of the re-planned days, changed or not."""

from __future__ import annotations

import csv
import io
from pathlib import Path

CHANGES_CSV = "changes.csv"
COLUMNS = ("change", "visit_id", "old_visit_id", "kind", "place", "team_before", "date_before", "start_before",
           "team_after", "date_after", "start_after", "reason")


def write_changes(changes: list[dict], out_dir: Path) -> dict[str, Path]:
    """Write ``changes.csv`` (see :func:`outreach_planner.campaign.replan.diff`) into ``out_dir``, or into the open
    output set ``out_dir`` is the staging folder of (:func:`~outreach_planner.io.output_set.output_set`).

    One row per visit of the re-planned days: ``change`` (unchanged, retimed, moved, added,
    removed), the visit id in the new plan (the old one for a removed visit) and in the old
    plan, kind, place, team/date/start before and after, and the ``reason`` of a change.
    """
    from .output_set import output_set

    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for c in changes:
        b, a = c.get("before") or {}, c.get("after") or {}
        w.writerow([c["change"], c["visit_id"], c.get("old_visit_id") or "", c["kind"], c["place"],
                    b.get("team", ""), b.get("date", ""), b.get("start", ""), a.get("team", ""), a.get("date", ""),
                    a.get("start", ""), c.get("reason", "")])
    with output_set(out_dir, claim=[CHANGES_CSV]) as s:
        (s.path / CHANGES_CSV).write_bytes(buf.getvalue().encode("utf-8"))
    return {CHANGES_CSV: s.dest / CHANGES_CSV}
