"""Week after week: the ledger's side of the ``plan`` and ``record`` commands (no printing)."""

from __future__ import annotations

import json
from pathlib import Path

from .errors import InputError, Problem
from .io.outcomes import plan_from_document, read_outcomes_form, validate_outcomes
from .ledger import LEDGER_FILE, Ledger, RecordResult, plan_id_of
from .model import Workspace
from .plan import Plan


def ledger_path(workspace_dir: str | Path, ledger: str | Path | None = None) -> Path:
    """``ledger`` if given, else ``<workspace_dir>/ledger.sqlite``."""
    return Path(ledger) if ledger else Path(workspace_dir) / LEDGER_FILE


def workspace_for_planning(ws: Workspace, path: Path) -> Workspace:
    """``ws`` with the ledger's progress applied, when the ledger file exists (else ``ws``).

    Only reads the ledger: requests of ``ws`` it does not know yet are open, as they would be once
    entered, and are entered by :func:`issue` once the plan is written (so an invalid argument or a
    failed solve leaves the ledger as it was).
    """
    if not path.is_file():
        return ws
    with Ledger(path) as led:
        return led.apply_progress(ws)


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


def record_form(form: str | Path, ws: Workspace, path: Path) -> tuple[RecordResult, list[str]]:
    """Validate a filled tally form and apply it to the ledger at ``path`` (created if missing).

    Plans are looked up in the ledger, then in the ``plan.json`` next to the form (issued
    in the same transaction as the outcomes). Any bad row raises ``InputError`` with every
    problem, and nothing is written. Returns the counts and the plan ids.
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
    side = form.parent / "plan.json"
    if set(wanted) - set(plans) and side.is_file():
        try:
            p = plan_from_document(json.loads(side.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise InputError([Problem(str(side), "", "", None, f"cannot read the plan: {exc}")]) from None
        pid = plan_id_of(p)
        if pid in wanted and pid not in plans:
            plans[pid] = p
            to_issue.append(p)
    outcomes = validate_outcomes(rows, plans, ws, form.name)
    with Ledger(path) as led:
        led.sync_requests(ws)
        result = led.record_outcomes(outcomes, source=f"record {form.name}", plans=to_issue)
    return result, sorted({o.plan_id for o in outcomes})


__all__ = ["issue", "ledger_path", "record_form", "workspace_for_planning"]
