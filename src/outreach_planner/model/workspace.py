"""The ``Workspace`` aggregate and its cross-checks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, model_validator

from ..errors import Problem
from ..i18n import _
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


def _noun(kind: str) -> str:
    """The name of one ``kind`` of entity, in the language in use (as in "team 'T1'")."""
    return {
        "service": _("ws.noun.service", id="layanan", en="service"),
        "depot": _("ws.noun.depot", id="kantor", en="depot"),
        "team": _("ws.noun.team", id="tim", en="team"),
        "village": _("ws.noun.village", id="desa", en="village"),
        "school": _("ws.noun.school", id="sekolah", en="school"),
        "request": _("ws.noun.request", id="permintaan", en="request"),
        "delivery": _("ws.noun.delivery", id="antaran", en="delivery"),
        "lodging": _("ws.noun.lodging", id="penginapan", en="lodging"),
    }.get(kind, kind)


def where_label(kind: str, ident: object, quote: bool = True) -> str:
    """Where a problem is, by entity: ``team 'T1'`` / ``tim 'T1'`` (``village 74.08.01.2001`` unquoted)."""
    return f"{_noun(kind)} {ident!r}" if quote else f"{_noun(kind)} {ident}"


def _dups(source: str, kind: str, ids: Iterable[str]) -> list[Problem]:
    return [
        Problem(source, where_label(kind, i), "id", i,
                _("ws.duplicate", id="id {k} ganda: {i} (muncul {n} kali); setiap id harus unik",
                  en="duplicate {k} id: {i} (appears {n} times); every id must be unique", k=_noun(kind), i=i, n=n))
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
        own = [(wd, (t.shift or {}).get(wd) or cal.hours[wd], where_label("team", t.id)) for t in teams if wd in t.days]
        office = [x for x in own if x[1] == cal.hours[wd]]
        out += [(wd, cal.hours[wd], "")] if office or not own else []
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
            notes.append(_("ws.break.no_working_day",
                           id="workspace.toml, {where}: tidak satu pun harinya ({days}) hari kerja; istirahat ini "
                              "tidak berpengaruh",
                           en="workspace.toml, {where}: none of its days ({days}) is a working day; the break has no "
                              "effect", where=where, days=", ".join(b.days)))
            continue

        def label(x: tuple[str, DayRange, str]) -> str:
            return f"{x[0]} {x[1]}" + (f" ({x[2]})" if x[2] else "")

        inside = [x for x in shifts if b.start < x[1].end and b.end > x[1].start]
        touching = [x for x in shifts if b.start == x[1].end or b.end == x[1].start]
        whole = [x for x in inside if b.start <= x[1].start and b.end >= x[1].end]
        if whole:
            errors.append(Problem("workspace.toml", where, "start/end", span,
                                  _("ws.break.whole_shift",
                                    id="istirahat ini menghabiskan seluruh jam kerja pada {shifts}: tidak ada waktu "
                                       "kerja tersisa hari itu; perpendek istirahatnya, atau keluarkan hari itu dari "
                                       "days-nya (atau dari working_days)",
                                    en="the break removes the whole shift on {shifts}: no working time is left that "
                                       "day; shorten the break, or take the day out of its days (or out of "
                                       "working_days)", shifts=", ".join(label(x) for x in whole))))
        elif not inside and not touching:
            week = _shifts_on(cal, teams, WEEKDAYS)
            if any(b.start < x[1].end and b.end > x[1].start for x in week):
                # working time on other days (Friday prayers after a short Friday shift): harmless
                notes.append(_("ws.break.never_applies",
                               id="workspace.toml, {where}: istirahat ini ({span}) di luar jam kerja pada setiap "
                                  "harinya ({shifts}); tidak pernah berlaku",
                               en="workspace.toml, {where}: the break ({span}) lies outside the shift on each of its "
                                  "days ({shifts}); it never applies",
                               where=where, span=span, shifts=", ".join(label(x) for x in shifts)))
            else:
                errors.append(Problem("workspace.toml", where, "start/end", span,
                                      _("ws.break.outside_every_shift",
                                        id="istirahat ini di luar setiap jam kerja pada hari-harinya ({shifts}) dan "
                                           "di luar jam kerja semua hari lain, jadi tidak pernah berlaku; istirahat "
                                           "harus jatuh di dalam jam kerja: periksa jamnya (format 24 jam HH:MM) dan "
                                           "hari-harinya",
                                        en="the break lies outside every shift on its days ({shifts}) and outside "
                                           "the working hours of every other day, so it never applies; a break must "
                                           "fall within a shift: check its times (24-hour HH:MM) and its days",
                                        shifts=", ".join(label(x) for x in shifts))))
        else:
            missed = [x for x in shifts if x not in inside and x not in touching]
            if missed and inside:
                notes.append(_("ws.break.partly_outside",
                               id="workspace.toml, {where}: istirahat ini ({span}) di luar jam kerja pada {shifts}; "
                                  "di sana tidak berlaku",
                               en="workspace.toml, {where}: the break ({span}) lies outside the shift on {shifts}; "
                                  "it does not apply there",
                               where=where, span=span, shifts=", ".join(label(x) for x in missed)))
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
        problems.append(Problem("lodgings", "", "id", sorted(clash)[0],
                                _("ws.lodging_is_depot", id="id penginapan sama dengan id kantor (depot); beri id "
                                  "yang berbeda", en="a lodging id equal to a depot id; give it another id")))

    if not villages:
        problems.append(Problem("villages", "", "", None, _("ws.no_villages", id="lapisan ini tidak berisi desa; "
                                                            "perlu sedikitnya satu", en="the layer has no villages; "
                                                            "at least one is needed")))
    if not teams:
        problems.append(Problem("workspace.toml", "[[teams]]", "", None, _("ws.no_team", id="belum ada tim",
                                                                             en="no team is defined")))
    if not depots:
        problems.append(Problem("workspace.toml", "[[depots]]", "", None, _("ws.no_depot", id="belum ada kantor "
                                                                              "(depot)", en="no depot (office) is "
                                                                              "defined")))

    for t in teams:
        src, where = "workspace.toml [[teams]]", where_label("team", t.id)
        if t.depot not in dids:
            problems.append(
                Problem(src, where, "depot", t.depot, _("ws.team.unknown_depot", id="kantor (depot) tidak dikenal; "
                                                       "yang ada: {known}", en="unknown depot; known: {known}",
                                                       known=", ".join(sorted(dids)) or "-"))
            )
        for s in t.services:
            if s not in sids:
                problems.append(
                    Problem(src, where, "services", s, _("ws.team.unknown_service", id="layanan tidak dikenal; "
                                                         "yang ada: {known}", en="unknown service (skill); known: "
                                                         "{known}", known=", ".join(sorted(sids)) or "-"))
                )
        if not t.activities:
            problems.append(Problem(src, where, "activities", [], _("ws.team.no_activity", id="tim ini tidak punya "
                                                                    "kegiatan (activities kosong)", en="the team has "
                                                                    "no skills (no activity)")))
        cal = g.get("calendar")
        if not t.days:
            problems.append(Problem(src, where, "days", [], _("ws.team.no_day", id="tim ini tidak punya hari kerja",
                                                              en="the team has no working day")))
        elif cal is not None and not set(t.days) & set(cal.working_days):
            problems.append(Problem(src, where, "days", list(t.days),
                                    _("ws.team.no_office_day", id="tidak satu pun hari tim ini hari kerja kantor "
                                      "({days})", en="none of the team's days is an office working day ({days})",
                                      days=", ".join(cal.working_days))))
        needs_services = {"village_session", "school_session", "home_visit"} & set(t.activities)
        if needs_services and not t.services:
            problems.append(
                Problem(src, where, "services", [], _("ws.team.no_service", id="tim ini melakukan {acts} tetapi "
                                                      "tidak memberikan layanan apa pun (services kosong)",
                                                      en="the team does {acts} but delivers no service",
                                                      acts=", ".join(sorted(needs_services))))
            )
        if t.can_deliver and t.delivery_capacity == 0:
            problems.append(
                Problem(src, where, "delivery_capacity", 0, _("ws.team.no_capacity", id="tim yang mengantar "
                                                              "dokumen perlu delivery_capacity > 0", en="a team that "
                                                              "delivers needs delivery_capacity > 0"))
            )
        kit_services = {s.id for s in services if s.needs_kit}
        if kit_services & set(t.services) and t.recording_kits == 0:
            problems.append(
                Problem(src, where, "recording_kits", 0,
                        _("ws.team.no_kit", id="tim ini menawarkan {s} yang memerlukan alat perekaman "
                          "(recording_kits > 0)", en="the team offers {s} which needs a recording kit",
                          s=", ".join(sorted(kit_services & set(t.services)))))
            )

    for v in villages:
        for field in ("eligible", "covered"):
            for s in getattr(v, field):
                if s not in sids:
                    problems.append(Problem("villages", where_label("village", v.code, False), f"{s}_{field}", None,
                                            _("ws.village.unknown_service", id="kolom untuk layanan {s} yang tidak "
                                              "dikenal; yang ada: {known}", en="column for unknown service {s}; "
                                              "known: {known}", s=repr(s), known=", ".join(sorted(sids)))))
        for s in sids:
            if s not in v.eligible or s not in v.covered:
                problems.append(Problem("villages", where_label("village", v.code, False),
                                        f"{s}_eligible/{s}_covered", None,
                                        _("ws.village.missing_count", id="jumlah untuk layanan yang dinyatakan tidak "
                                          "ada", en="missing count for a declared service")))
            elif v.covered[s] > v.eligible[s] * (1 + OVER_COVERAGE_TOLERANCE) + 1:
                problems.append(Problem("villages", where_label("village", v.code, False), f"{s}_covered",
                                        v.covered[s],
                                        _("ws.village.over_eligible",
                                          id="jumlah yang sudah (covered) melebihi jumlah wajib ({e}); boleh "
                                             "melebihinya paling banyak {tol} (data penduduk yang kedaluwarsa). "
                                             "Kolomnya tertukar?",
                                          en="covered is above eligible ({e}); it may exceed eligible by at most "
                                             "{tol} (stale population figures). Are the columns swapped?",
                                          e=v.eligible[s], tol=f"{OVER_COVERAGE_TOLERANCE:.0%}")))

    for sc in g.get("schools", ()):
        if sc.village_code not in codes:
            problems.append(Problem("schools", where_label("school", sc.id), "village_code", sc.village_code,
                                    unknown_village_code()))
        for s in sc.needed:
            if s not in sids:
                problems.append(Problem("schools", where_label("school", sc.id), f"{s}_needed", None,
                                        _("ws.school.unknown_service", id="layanan {s} tidak dikenal; yang ada: "
                                          "{known}", en="unknown service {s}; known: {known}", s=repr(s),
                                          known=", ".join(sorted(sids)))))
    for r in g.get("requests", ()):
        if r.village_code not in codes:
            problems.append(Problem("home_visit_requests", where_label("request", r.id), "village_code",
                                    r.village_code, unknown_village_code()))
        for s in r.services:
            if s not in sids:
                problems.append(Problem("home_visit_requests", where_label("request", r.id), "services", s,
                                        _("ws.request.unknown_service", id="layanan tidak dikenal; yang ada: {known}",
                                          en="unknown service; known: {known}", known=", ".join(sorted(sids)))))
    for d in g.get("deliveries", ()):
        if d.village_code not in codes:
            problems.append(Problem("deliveries", where_label("delivery", d.id), "village_code", d.village_code,
                                    unknown_village_code()))
    return problems


def unknown_village_code() -> str:
    """The message of a row naming a village the workspace does not have (the reader recognises it)."""
    return _("ws.unknown_village_code", id="kode desa tidak dikenal (tidak ada di lapisan villages)",
             en="unknown village code (not in the villages layer)")
