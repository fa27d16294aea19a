"""Candidate visits of a week: expected people, service minutes and when each may happen.

Kinds: village sessions (several per village when the backlog needs it), school
sessions, home visits (one per open request) and deliveries (one stop each).
Values are added by :mod:`outreach_planner.planning.priority`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ..model import Service, Workspace
from ..plan import VisitKind
from ..week import Week


@dataclass(frozen=True)
class Visit:
    """A visit that could be made this week.

    Durations are minutes: ``fixed_minutes`` (set-up and work that does not need a
    recording kit) plus ``kit_minutes`` shared among the team's kits. ``windows`` are
    absolute ``(open_s, close_s)`` intervals in which the visit must start *and* end;
    ``None`` means any time within a shift.
    """

    id: str
    kind: VisitKind
    ref: str
    village_code: str
    place: str
    lon: float
    lat: float
    services: tuple[str, ...]
    needs_kit: bool
    expected: dict[str, int] = field(default_factory=dict)
    fixed_minutes: float = 0.0
    kit_minutes: float = 0.0
    windows: tuple[tuple[int, int], ...] | None = None
    session_no: int = 0
    sessions_offered: int = 0
    value: float = 0.0
    why: str = ""
    note: str = ""

    def minutes(self, kits: int) -> float:
        """On-site minutes for a team carrying ``kits`` recording kits."""
        return self.fixed_minutes + (self.kit_minutes / max(1, kits) if self.kit_minutes else 0.0)

    def with_value(self, value: float, why: str) -> Visit:
        """A copy with its value and explanation set."""
        return replace(self, value=value, why=why)


def _work_minutes(services: list[Service], people: dict[str, float]) -> tuple[float, float]:
    """(minutes without kit, minutes needing a kit with one kit) for ``people`` per service."""
    fixed = sum(people[s.id] * s.minutes_per_person for s in services if not s.needs_kit)
    kit = sum(people[s.id] * s.minutes_per_person for s in services if s.needs_kit)
    return fixed, kit


def village_sessions(ws: Workspace, week: Week, cap_minutes: dict[str, float] | None = None,
                     held_sessions: Mapping[str, int] | None = None) -> list[Visit]:
    """Village sessions: the unserved x turnout, cut into sessions of at most the longest session.

    The cut assumes the most recording kits any village team carries, so such a team
    fits a session into the longest session; a team with fewer kits takes longer. A
    village offers at most ``max_sessions_per_village`` sessions and no more than the
    week's working days. ``cap_minutes`` may lower the longest session per village code
    (a remote village whose day trip leaves less time gets shorter sessions).
    ``held_sessions`` (village code -> sessions of this week already held or kept outside
    this plan, e.g. the days a re-plan keeps) count against ``max_sessions_per_village``.
    """
    pol = ws.policy
    village_teams = [t for t in ws.teams if "village_session" in t.activities]
    offered = {s for t in village_teams for s in t.services}
    kits = max([t.recording_kits for t in village_teams] + [1])
    services = [s for s in ws.services if s.id in offered]
    days = sum(1 for d in week.dates if ws.calendar.is_working_day(d))
    max_sessions = min(pol.max_sessions_per_village, days)
    out: list[Visit] = []
    for v in ws.villages:
        left = min(max_sessions, pol.max_sessions_per_village - (held_sessions or {}).get(v.code, 0))
        longest = min(pol.max_session_minutes, (cap_minutes or {}).get(v.code, pol.max_session_minutes))
        work_cap = longest - pol.setup_minutes
        if work_cap <= 0:
            continue
        remaining = {s.id: v.unserved(s.id) * s.turnout for s in services}
        chunks: list[dict[str, int]] = []
        while len(chunks) < left:
            fixed, kit = _work_minutes(services, remaining)
            total = fixed + kit / kits
            if sum(remaining.values()) < max(pol.min_session_people, 1e-9) or total <= 0:
                break
            share = min(1.0, work_cap / total)
            people = {sid: int(math.floor(remaining[sid] * share + 1e-9)) for sid in remaining}
            if sum(people.values()) < pol.min_session_people:
                break
            chunks.append(people)
            remaining = {sid: remaining[sid] - people[sid] for sid in remaining}
        for k, people in enumerate(chunks, 1):
            fixed, kit = _work_minutes(services, {sid: float(n) for sid, n in people.items()})
            out.append(Visit(
                id=f"vs:{v.code}:{k}", kind="village_session", ref=v.code, village_code=v.code,
                place=f"{v.name}, Kec. {v.district_name}", lon=v.lon, lat=v.lat,
                services=tuple(sid for sid, n in people.items() if n > 0),
                needs_kit=any(people[s.id] > 0 and s.needs_kit for s in services),
                expected={sid: n for sid, n in people.items() if n > 0},
                fixed_minutes=pol.setup_minutes + fixed, kit_minutes=kit,
                session_no=k, sessions_offered=len(chunks),
            ))
    return out


def _daily_windows(week: Week, dates_hours) -> tuple[tuple[int, int], ...]:
    return tuple((week.abs_s(d, r.start), week.abs_s(d, r.end)) for d, r in dates_hours)


def school_sessions(ws: Workspace, week: Week) -> list[Visit]:
    """One session per school with pupils still needing a service, within school hours.

    Like a village session it is capped at the longest session; the rest waits.
    """
    pol = ws.policy
    services = [s for s in ws.services if s.at_schools]
    windows = _daily_windows(week, [(d, w) for d in week.dates if (w := ws.calendar.school_window(d))])
    village = ws.village_index
    out = []
    for sc in ws.schools:
        present = {s.id: sc.needed.get(s.id, 0) * pol.school_turnout for s in services}
        fixed, kit = _work_minutes(services, present)
        share = min(1.0, (pol.max_session_minutes - pol.setup_minutes) / (fixed + kit)) if fixed + kit else 0.0
        people = {k: int(math.floor(n * share + 1e-9)) for k, n in present.items()}
        people = {k: n for k, n in people.items() if n > 0}
        if not people:
            continue
        fixed, kit = _work_minutes([s for s in services if s.id in people], {k: float(n) for k, n in people.items()})
        vil = village[sc.village_code]
        out.append(Visit(
            id=f"sc:{sc.id}", kind="school_session", ref=sc.id, village_code=sc.village_code,
            place=f"{sc.name}, {vil.name}", lon=sc.lon, lat=sc.lat, services=tuple(people),
            needs_kit=any(s.needs_kit for s in services if s.id in people), expected=people,
            fixed_minutes=pol.setup_minutes + fixed, kit_minutes=kit, windows=windows, note=sc.notes,
        ))
    return out


def home_visits(ws: Workspace, week: Week) -> list[Visit]:
    """One visit per open request, in its availability windows (none given: any shift time)."""
    out = []
    village = ws.village_index
    for r in ws.requests:
        if r.windows:
            windows = _daily_windows(week, [(d, w) for d in week.dates for w in r.windows if w.applies_to(d)])
        else:
            windows = None
        kit = any(ws.service(s).needs_kit for s in r.services)
        out.append(Visit(
            id=f"hv:{r.id}", kind="home_visit", ref=r.id, village_code=r.village_code,
            place=f"Kunjungan rumah {r.id}, {village[r.village_code].name}",
            lon=r.lon, lat=r.lat, services=tuple(r.services), needs_kit=kit,
            expected={s: 1 for s in r.services}, fixed_minutes=ws.policy.home_visit_minutes,
            windows=windows, note=r.reason,
        ))
    return out


def deliveries(ws: Workspace, week: Week) -> list[Visit]:
    """One stop per delivery, not before the day its document is ready."""
    out = []
    village = ws.village_index
    end = week.abs_s(week.dates[-1], 24 * 60)
    for d in ws.deliveries:
        open_s = max(0, week.abs_s(d.ready_on))
        windows = ((open_s, end),) if open_s < end else ()
        out.append(Visit(
            id=f"dl:{d.id}", kind="delivery", ref=d.id, village_code=d.village_code,
            place=f"Antar dokumen {d.id}, {village[d.village_code].name}",
            lon=d.lon, lat=d.lat, services=(), needs_kit=False, fixed_minutes=ws.policy.delivery_stop_minutes,
            windows=windows, note=d.document,
        ))
    return out


def candidate_visits(ws: Workspace, week: Week, session_caps: dict[str, float] | None = None,
                     held_sessions: Mapping[str, int] | None = None) -> list[Visit]:
    """Every candidate visit of the week, without values (see :func:`priority.value_visits`).

    ``session_caps`` (minutes per village code) shortens sessions where a day trip
    leaves less time than the longest session; see :func:`problem.session_caps`.
    ``held_sessions``: village sessions of the week held outside this plan (see
    :func:`village_sessions`).
    """
    return (village_sessions(ws, week, session_caps, held_sessions) + school_sessions(ws, week) + home_visits(ws, week)
            + deliveries(ws, week))
