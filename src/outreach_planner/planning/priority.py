"""Value of each visit: how much it closes coverage gaps, lowest coverage first.

A person served in a village below target is worth ``below_target`` x
(1 + ``gap_steepness`` x (target - coverage) / target) points at the coverage their
registration starts from; above target ``above_target``. Sessions of the same village
follow each other (session 2 starts where session 1 ended), so later sessions are worth
less. A service whose regency total meets its target is weighted ``service_above_target``.
Home visits and deliveries carry a base value that grows with waiting and urgency.
"""

from __future__ import annotations

import math

from .coverage import regency_coverage
from .demand import Visit
from ..model import PriorityWeights, Workspace
from ..week import Week


def gap_value(eligible: int, covered: float, people: int, target: float, w: PriorityWeights) -> float:
    """Points for serving ``people`` more in a group with ``covered`` of ``eligible`` people.

    Sums the per-person value over the people served, each at the coverage before them.
    """
    if eligible <= 0 or people <= 0:
        return 0.0
    below = min(people, max(0, math.ceil(target * eligible - covered - 1e-9)))
    # sum over i < below of 1 + k * (target - (covered + i) / eligible) / target
    k = w.gap_steepness
    s_cov = below * covered + below * (below - 1) / 2
    below_pts = below + k * (below * target - s_cov / eligible) / target
    return w.below_target * below_pts + w.above_target * (people - below)


def service_weights(ws: Workspace) -> dict[str, float]:
    """1 for services below their target regency-wide, ``service_above_target`` otherwise."""
    w = ws.policy.priority
    return {r.service: 1.0 if r.coverage < r.target else w.service_above_target for r in regency_coverage(ws)}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def value_visits(ws: Workspace, week: Week, visits: list[Visit]) -> list[Visit]:
    """The same visits with ``value`` and ``why`` filled in."""
    w = ws.policy.priority
    sw = service_weights(ws)
    villages = ws.village_index
    short = {s.id: s.name_id.split(" (")[0] for s in ws.services}
    served_before: dict[tuple[str, str], int] = {}  # (village, service) -> people in earlier sessions
    monday = week.monday
    out = []
    for v in sorted(visits, key=lambda x: (x.kind, x.ref, x.session_no)):
        vil = villages[v.village_code]
        parts, value = [], 0.0
        if v.kind in ("village_session", "school_session", "home_visit"):
            for sid, n in v.expected.items():
                svc = ws.service(sid)
                key = (vil.code, sid)
                cov0 = min(vil.covered[sid], vil.eligible[sid]) + served_before.get(key, 0)
                pts = sw[sid] * gap_value(vil.eligible[sid], cov0, n, svc.target, w)
                value += pts
                if v.kind == "village_session":
                    served_before[key] = served_before.get(key, 0) + n
                cov = cov0 / vil.eligible[sid] if vil.eligible[sid] else 1.0
                parts.append(f"{short[sid]} {_pct(cov)} (target {_pct(svc.target)}): {n} org")
        if v.kind == "village_session" and v.sessions_offered > 1:
            parts.append(f"sesi {v.session_no}/{v.sessions_offered}")
        if v.kind == "home_visit":
            req = next(r for r in ws.requests if r.id == v.ref)
            weeks = max(0.0, (monday - req.requested_on).days / 7)
            base = w.home_visit_base * (1 + w.waiting_per_week * weeks)
            value += base
            parts.insert(0, f"kunjungan rumah, menunggu {weeks:.1f} minggu")
        if v.kind == "delivery":
            d = next(x for x in ws.deliveries if x.id == v.ref)
            weeks = max(0.0, (monday - d.ready_on).days / 7)
            urgency = 0.0
            if d.due_on is not None:
                days_left = (d.due_on - monday).days
                urgency = min(1.0, max(0.0, 1 - days_left / w.due_horizon_days))
            value = w.delivery_base * (1 + w.waiting_per_week * weeks) * (1 + w.due_boost * urgency)
            due = f", jatuh tempo {d.due_on.isoformat()}" if d.due_on else ""
            parts.append(f"antar {d.document}, siap {d.ready_on.isoformat()}{due}")
        out.append(v.with_value(round(value, 3), "; ".join(parts)))
    order = {v.id: i for i, v in enumerate(visits)}
    return sorted(out, key=lambda v: order[v.id])
