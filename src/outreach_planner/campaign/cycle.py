"""Week after week: the ledger's side of the ``plan`` and ``record`` commands (no printing)."""

from __future__ import annotations

import glob
import json
from pathlib import Path

from ..errors import InputError, Problem
from ..i18n import _
from ..io.outcomes import plan_from_document, read_outcomes_form, validate_outcomes
from .ledger import LEDGER_FILE, Ledger, RecordResult, plan_id_of
from ..model import Workspace
from ..plan import Plan


def ledger_path(workspace_dir: str | Path, ledger: str | Path | None = None) -> Path:
    """``ledger`` if given, else ``<workspace_dir>/ledger.sqlite``."""
    return Path(ledger) if ledger else Path(workspace_dir) / LEDGER_FILE


def workspace_for_planning(ws: Workspace, path: Path, week: str | None = None) -> Workspace:
    """``ws`` with the ledger's progress applied, when the ledger file exists (else ``ws``).

    Only reads the ledger: requests of ``ws`` it does not know yet are open, as they would be once
    entered, and are entered by :func:`issue` once the plan is written (so an invalid argument or a
    failed solve leaves the ledger as it was). With ``week`` (the week to plan), requests still
    scheduled by a plan of another week whose form has not come back are left out
    (:meth:`outreach_planner.campaign.ledger.Ledger.held`).
    """
    if not path.is_file():
        return ws
    with Ledger(path) as led:
        return led.apply_progress(ws, week)


def issue(plan: Plan, path: Path, ws: Workspace | None = None) -> str:
    """Record ``plan`` in the ledger when the ledger file exists; returns the plan id either way.

    With ``ws``, its requests and deliveries not yet in the ledger are entered first.
    """
    if path.is_file():
        with Ledger(path) as led:
            if ws is not None:
                led.sync_requests(ws)
            return led.issue_plan(plan)
    return plan_id_of(plan)


def _plan_files(form: Path, wanted: list[str], given: list[Path]) -> list[Path]:
    """Where a plan of the form may be: ``given`` files, ``plan.json`` next to the form, ``out/<week>*/plan.json``."""
    found = [*given, form.parent / "plan.json"]
    for week in sorted({pid.rsplit("-", 1)[0] for pid in wanted}):
        found += sorted(Path("out").glob(f"{glob.escape(week)}*/plan.json"))
    out: dict[Path, Path] = {}
    for p in found:
        if p.is_file():
            out.setdefault(p.resolve(), p)
    return list(out.values())


def record_form(form: str | Path, ws: Workspace, path: Path,
                plan_files: list[Path] | tuple[Path, ...] = (), nights: list | None = None
                ) -> tuple[RecordResult, list[str]]:
    """Validate a filled tally form and apply it to the ledger at ``path`` (created if missing).

    The form's plans are looked up by plan id in the ledger first, so a form moved away from
    its plan folder records; a plan not in the ledger (planned before the ledger existed) is
    looked for in ``plan_files`` (``record --plan``), the ``plan.json`` next to the form and
    ``out/<week>*/plan.json``, and issued in the same transaction as the outcomes. A form
    that cannot be read or any bad row raises ``InputError`` with every problem, and nothing
    is written. Returns the counts and the plan ids. The night rows of field trips are checked and,
    when ``nights`` is a list, appended to it (:class:`~outreach_planner.io.outcomes.NightReport`) and
    stored in the ledger (``replan`` reads them: a trip cut short, a night at another lodging).
    """
    form = Path(form)
    rows = read_outcomes_form(form)
    wanted = sorted({str(r.get("plan_id") or "").strip() for _, r in rows} - {""})
    plans: dict[str, Plan] = {}
    if path.is_file():
        with Ledger(path) as led:
            for pid in wanted:
                p = led.plan(pid)
                if p is not None:
                    plans[pid] = p
    to_issue: list[Plan] = []
    given = [Path(p) for p in plan_files]
    for f in _plan_files(form, wanted, given) if set(wanted) - set(plans) else []:
        try:
            p = plan_from_document(json.loads(f.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            if f in given:
                raise InputError([Problem(str(f), "", "", None, _("record.plan_unreadable", id="rencana tidak bisa "
                                          "dibaca: {exc}", en="cannot read the plan: {exc}", exc=exc))]) from None
            continue  # another file that is not a plan of this form
        pid = plan_id_of(p)
        if pid in wanted and pid not in plans:
            plans[pid] = p
            to_issue.append(p)
        elif f in given and pid not in wanted:
            raise InputError([Problem(str(f), "", "", None, _("record.other_plan", id="ini rencana {pid}; formulir ini "
                                      "untuk rencana {wanted}", en="this is plan {pid}; the form is of plan {wanted}",
                                      pid=pid, wanted=", ".join(wanted) or "-"))])
        if not set(wanted) - set(plans):
            break
    got: list = []
    outcomes = validate_outcomes(rows, plans, ws, form.name, got)
    with Ledger(path) as led:
        led.sync_requests(ws)
        result = led.record_outcomes(outcomes, source=f"record {form.name}", plans=to_issue,
                                     nights=got)
    if nights is not None:
        nights.extend(got)
    return result, sorted({o.plan_id for o in outcomes})


__all__ = ["issue", "ledger_path", "record_form", "workspace_for_planning"]
