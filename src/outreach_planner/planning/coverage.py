"""Coverage figures a planner reads before planning: by district, regency totals, gaps."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..model import Village, Workspace


@dataclass(frozen=True)
class CoverageRow:
    """Coverage of one service over a group of villages (a district or the regency)."""

    group: str
    service: str
    eligible: int
    covered: int
    target: float

    @property
    def coverage(self) -> float:
        """Covered / eligible (1.0 when nobody is eligible)."""
        return 1.0 if self.eligible == 0 else self.covered / self.eligible

    @property
    def needed(self) -> int:
        """People still to cover to reach the target (0 when reached)."""
        return max(0, math.ceil(self.target * self.eligible - self.covered - 1e-9))


def _row(group: str, sid: str, target: float, villages: list[Village]) -> CoverageRow:
    return CoverageRow(group, sid, sum(v.eligible[sid] for v in villages),
                       sum(min(v.covered[sid], v.eligible[sid]) for v in villages), target)


def regency_coverage(ws: Workspace) -> list[CoverageRow]:
    """One row per service for the whole regency (covered capped at eligible per village)."""
    return [_row(ws.regency.name, s.id, s.target, list(ws.villages)) for s in ws.services]


def district_coverage(ws: Workspace) -> list[CoverageRow]:
    """One row per (district, service), districts in code order."""
    groups: dict[tuple[str, str], list[Village]] = {}
    for v in ws.villages:
        groups.setdefault((v.district_code, v.district_name), []).append(v)
    return [_row(name, s.id, s.target, vs) for (_, name), vs in sorted(groups.items()) for s in ws.services]


def lowest_villages(ws: Workspace, service: str, n: int = 10) -> list[Village]:
    """The ``n`` villages with the lowest coverage of ``service`` (ties: more unserved first)."""
    have = [v for v in ws.villages if v.eligible.get(service, 0) > 0]
    return sorted(have, key=lambda v: (v.coverage(service), -v.unserved(service), v.code))[:n]
