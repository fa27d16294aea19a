"""The ``Workspace`` aggregate and its cross-checks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, model_validator

from ..errors import Problem
from ..units import minutes_to_hhmm
from .calendar import WEEKDAYS, Calendar, DayRange
from .entities import Crossing, Delivery, Depot, HomeVisitRequest, Lodging, Policy, Regency, School, Service, Team, Village

_FROZEN = ConfigDict(frozen=True, extra="forbid")

#: Covered may exceed eligible by this share (stale population projections); more is an error.
OVER_COVERAGE_TOLERANCE = 0.05


class TravelConfig(BaseModel):
    """How travel times are computed (``[travel]`` in workspace.toml)."""

    model_config = _FROZEN
    model: Literal["great_circle", "road_network"] = "great_circle"
    circuity: StrictFloat = Field(default=1.35, ge=1.0, description="road distance / straight-line distance")
    speed_kmh: dict[str, Annotated[StrictFloat, Field(gt=0)]] = Field(
        default_factory=lambda: {"car": 40.0, "motorbike": 35.0},
        description="average speed per vehicle profile",
    )
    network: str | None = Field(default=None, description="road line layer, relative to the workspace")
    islands: StrictBool = Field(default=False, description="great circle: stops on different land masses "
                                "(of the village polygons) are joined only by crossings")


class Workspace(BaseModel):
    """Everything a regency brings: places, people to serve, teams, calendar and policy."""

    model_config = _FROZEN
    regency: Regency
    depots: tuple[Depot, ...]
    calendar: Calendar
    services: tuple[Service, ...]
    teams: tuple[Team, ...]
    policy: Policy = Policy()
    travel: TravelConfig = TravelConfig()
    villages: tuple[Village, ...]
    schools: tuple[School, ...] = ()
    requests: tuple[HomeVisitRequest, ...] = ()
    deliveries: tuple[Delivery, ...] = ()
    lodgings: tuple[Lodging, ...] = ()
    crossings: tuple[Crossing, ...] = ()
    boundary_wkt: str | None = Field(default=None, repr=False, description="regency outline, WKT")

    @model_validator(mode="after")
    def _cross(self) -> Workspace:
        problems = cross_check(self)
        if problems:
            raise ValueError("; ".join(str(p) for p in problems))
        return self

    def replace(self, **changes) -> Workspace:
        """A copy with some parts replaced, validated again (cross-checks included)."""
        data = {k: getattr(self, k) for k in type(self).model_fields}
        data.update(changes)
        return type(self)(**data)

    # -- look-ups ---------------------------------------------------------
    def service(self, sid: str) -> Service:
        """The service with id ``sid``."""
        return next(s for s in self.services if s.id == sid)

    def village(self, code: str) -> Village:
        """The village with code ``code``."""
        return self.village_index[code]

    @property
    def village_index(self) -> dict[str, Village]:
        """Villages by code."""
        return {v.code: v for v in self.villages}

    def depot(self, did: str) -> Depot:
        """The depot with id ``did``."""
        return next(d for d in self.depots if d.id == did)

    @property
    def service_ids(self) -> tuple[str, ...]:
        """Service ids in declaration order."""
        return tuple(s.id for s in self.services)


def _dups(source: str, kind: str, ids: Iterable[str]) -> list[Problem]:
    return [
        Problem(source, f"{kind} {i!r}", "id", i, f"duplicate {kind} id: {i} (appears {n} times)")
        for i, n in Counter(ids).items()
        if n > 1
    ]


def _shifts_on(cal: Calendar, teams: Iterable[Team], days: Iterable[str]) -> list[tuple[str, DayRange, str]]:
    """(weekday, shift, whose) for the working weekdays in ``days``, as the planner uses them:
    each team's own shift on a day it works, else the office hours."""
    out: list[tuple[str, DayRange, str]] = []
    for wd in days:
        if wd not in cal.working_days or wd not in cal.hours:
            continue
        own = [(wd, (t.shift or {}).get(wd) or cal.hours[wd], f"team {t.id!r}") for t in teams if wd in t.days]
        office = [x for x in own if x[1] == cal.hours[wd]]
        out += [(wd, cal.hours[wd], "office")] if office or not own else []
        out += [x for x in own if x[1] != cal.hours[wd]]
    return out


def break_findings(cal: Calendar, teams: Iterable[Team] = ()) -> tuple[list[Problem], list[str]]:
    """Problems with breaks against the shifts of their days.

    Errors: a break that swallows a whole shift, or that lies outside every shift of the week (no
    working time at all: a typo in its times). Warnings: a break outside the shift on some or all of its
    days but within working hours on other days (a lunch break copied onto a short Friday). A break that
    only touches a shift's end (Friday prayers from 11:30 after a shift to 11:30) is fine: it ends the day.
    """
    teams = tuple(teams)
    errors: list[Problem] = []
    notes: list[str] = []
    for n, b in enumerate(cal.breaks, 1):
        where = f"[[calendar.breaks]] #{n} ({b.name!r})"
        span = f"{minutes_to_hhmm(b.start)}-{minutes_to_hhmm(b.end)}"
        shifts = _shifts_on(cal, teams, b.days)
        if not shifts:
            notes.append(f"workspace.toml, {where}: none of its days ({', '.join(b.days)}) is a working day; "
                         "the break has no effect")
            continue

        def label(x: tuple[str, DayRange, str]) -> str:
            return f"{x[0]} {x[1]}" + ("" if x[2] == "office" else f" ({x[2]})")

        inside = [x for x in shifts if b.start < x[1].end and b.end > x[1].start]
        touching = [x for x in shifts if b.start == x[1].end or b.end == x[1].start]
        whole = [x for x in inside if b.start <= x[1].start and b.end >= x[1].end]
        if whole:
            errors.append(Problem("workspace.toml", where, "start/end", span,
                                  f"the break removes the whole shift on {', '.join(label(x) for x in whole)}: "
                                  "no working time is left that day; shorten the break, or take the day out of "
                                  "its days (or out of working_days)"))
        elif not inside and not touching:
            week = _shifts_on(cal, teams, WEEKDAYS)
            if any(b.start < x[1].end and b.end > x[1].start for x in week):
                # working time on other days (Friday prayers after a short Friday shift): harmless
                notes.append(f"workspace.toml, {where}: the break ({span}) lies outside the shift on each of its "
                             f"days ({', '.join(label(x) for x in shifts)}); it never applies")
            else:
                errors.append(Problem("workspace.toml", where, "start/end", span,
                                      f"the break lies outside every shift on its days "
                                      f"({', '.join(label(x) for x in shifts)}) and outside the working hours of "
                                      "every other day, so it never applies; a break must fall within a shift: "
                                      "check its times (24-hour HH:MM) and its days"))
        else:
            missed = [x for x in shifts if x not in inside and x not in touching]
            if missed and inside:
                notes.append(f"workspace.toml, {where}: the break ({span}) lies outside the shift on "
                             f"{', '.join(label(x) for x in missed)}; it does not apply there")
    return errors, notes


def cross_check(ws: Workspace | dict) -> list[Problem]:
    """Problems that span entities: unique ids, known codes, depots and skills.

    Works on a constructed ``Workspace`` or on the dict of already-validated parts
    (the reader uses the latter to collect every problem before constructing).
    """
    g = ws if isinstance(ws, dict) else {k: getattr(ws, k) for k in Workspace.model_fields}
    problems: list[Problem] = []
    services = g.get("services", ())
    villages = g.get("villages", ())
    depots = g.get("depots", ())
    teams = g.get("teams", ())
    sids = {s.id for s in services}
    codes = {v.code for v in villages}
    dids = {d.id for d in depots}

    if g.get("calendar") is not None:
        problems += break_findings(g["calendar"], teams)[0]
    problems += _dups("workspace.toml [[services]]", "service", (s.id for s in services))
    problems += _dups("workspace.toml [[depots]]", "depot", (d.id for d in depots))
    problems += _dups("workspace.toml [[teams]]", "team", (t.id for t in teams))
    problems += _dups("villages", "village", (v.code for v in villages))
    problems += _dups("schools", "school", (s.id for s in g.get("schools", ())))
    problems += _dups("home_visit_requests", "request", (r.id for r in g.get("requests", ())))
    problems += _dups("deliveries", "delivery", (d.id for d in g.get("deliveries", ())))
    problems += _dups("lodgings", "lodging", (x.id for x in g.get("lodgings", ())))
    clash = {x.id for x in g.get("lodgings", ())} & dids
    if clash:  # a route's start_at/end_at names either: they must not be confused
        problems.append(Problem("lodgings", "", "id", sorted(clash)[0], "a lodging id equal to a depot id"))

    if not villages:
        problems.append(Problem("villages", "", "", None, "the layer has no villages; at least one is needed"))
    if not teams:
        problems.append(Problem("workspace.toml", "[[teams]]", "", None, "no team is defined"))
    if not depots:
        problems.append(Problem("workspace.toml", "[[depots]]", "", None, "no depot (office) is defined"))

    for t in teams:
        src, where = "workspace.toml [[teams]]", f"team {t.id!r}"
        if t.depot not in dids:
            problems.append(
                Problem(src, where, "depot", t.depot, f"unknown depot; known: {', '.join(sorted(dids)) or 'none'}")
            )
        for s in t.services:
            if s not in sids:
                problems.append(
                    Problem(src, where, "services", s, f"unknown service (skill); known: {', '.join(sorted(sids))}")
                )
        if not t.activities:
            problems.append(Problem(src, where, "activities", [], "the team has no skills (no activity)"))
        cal = g.get("calendar")
        if not t.days:
            problems.append(Problem(src, where, "days", [], "the team has no working day"))
        elif cal is not None and not set(t.days) & set(cal.working_days):
            problems.append(Problem(src, where, "days", list(t.days),
                                    f"none of the team's days is an office working day ({', '.join(cal.working_days)})"))
        needs_services = {"village_session", "school_session", "home_visit"} & set(t.activities)
        if needs_services and not t.services:
            problems.append(
                Problem(src, where, "services", [], f"the team does {', '.join(sorted(needs_services))} but delivers no service")
            )
        if t.can_deliver and t.delivery_capacity == 0:
            problems.append(
                Problem(src, where, "delivery_capacity", 0, "a team that delivers needs delivery_capacity > 0")
            )
        kit_services = {s.id for s in services if s.needs_kit}
        if kit_services & set(t.services) and t.recording_kits == 0:
            problems.append(
                Problem(src, where, "recording_kits", 0,
                        f"the team offers {', '.join(sorted(kit_services & set(t.services)))} which needs a recording kit")
            )

    for v in villages:
        for field in ("eligible", "covered"):
            for s in getattr(v, field):
                if s not in sids:
                    problems.append(Problem("villages", f"village {v.code}", f"{s}_{field}", None,
                                            f"column for unknown service {s!r}; known: {', '.join(sorted(sids))}"))
        for s in sids:
            if s not in v.eligible or s not in v.covered:
                problems.append(Problem("villages", f"village {v.code}", f"{s}_eligible/{s}_covered", None,
                                        "missing count for a declared service"))
            elif v.covered[s] > v.eligible[s] * (1 + OVER_COVERAGE_TOLERANCE) + 1:
                problems.append(Problem("villages", f"village {v.code}", f"{s}_covered", v.covered[s],
                                        f"covered is above eligible ({v.eligible[s]}); it may exceed eligible by at "
                                        f"most {OVER_COVERAGE_TOLERANCE:.0%} (stale population figures). "
                                        "Are the columns swapped?"))

    for sc in g.get("schools", ()):
        if sc.village_code not in codes:
            problems.append(Problem("schools", f"school {sc.id!r}", "village_code", sc.village_code, "unknown village code"))
        for s in sc.needed:
            if s not in sids:
                problems.append(Problem("schools", f"school {sc.id!r}", f"{s}_needed", None, f"unknown service {s!r}"))
    for r in g.get("requests", ()):
        if r.village_code not in codes:
            problems.append(Problem("home_visit_requests", f"request {r.id!r}", "village_code", r.village_code, "unknown village code"))
        for s in r.services:
            if s not in sids:
                problems.append(Problem("home_visit_requests", f"request {r.id!r}", "services", s,
                                        f"unknown service; known: {', '.join(sorted(sids))}"))
    for d in g.get("deliveries", ()):
        if d.village_code not in codes:
            problems.append(Problem("deliveries", f"delivery {d.id!r}", "village_code", d.village_code, "unknown village code"))
    return problems
