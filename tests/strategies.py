"""Random workspaces for property tests (tests/test_validate.py) and the wide search (benchmarks/property_search.py).

One generator for both, so the benchmark searches exactly the space the test samples (and larger).
:func:`check_random_workspace` is the property: the plan is valid and every candidate visit appears
exactly once (on a route or in ``unassigned``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import strategies as st

from outreach_planner.planning.demand import candidate_visits
from outreach_planner.engines import SolveLimits
from outreach_planner.errors import NoPlanError
from outreach_planner.model import (
    WEEKDAYS,
    Calendar,
    Delivery,
    Depot,
    HomeVisitRequest,
    Policy,
    Regency,
    School,
    Service,
    Team,
    Village,
    Workspace,
)
from outreach_planner.planning.planner import make_plan
from outreach_planner.travel import travel_model
from outreach_planner.planning.validate import session_caps, validate_plan
from outreach_planner.week import Week

WEEK = Week.parse("2026-W49")

SERVICES = (
    Service(id="ektp", name="e-KTP recording", name_id="Perekaman e-KTP", target=0.98, needs_kit=True,
            minutes_per_person=8, turnout=0.35, at_schools=True),
    Service(id="kia", name="KIA", name_id="Kartu Identitas Anak", target=0.30, minutes_per_person=4,
            turnout=0.25, at_schools=True),
    Service(id="akta", name="Birth certificate", name_id="Akta kelahiran", target=0.95, minutes_per_person=6,
            turnout=0.30),
)
SIDS = [s.id for s in SERVICES]
LON = st.floats(120.85, 121.1, allow_nan=False)
LAT = st.floats(-3.6, -3.3, allow_nan=False)


@st.composite
def workspaces(draw, max_villages: int = 6, max_teams: int = 2, max_schools: int = 2, max_requests: int = 3,
               max_deliveries: int = 3) -> Workspace:
    """A random valid workspace around Kolaka Utara for WEEK (sizes up to the given maxima)."""
    hours = {d: draw(st.sampled_from(["07:30-16:00", "08:00-16:00", "08:00-14:00", "09:00-15:30"]))
             for d in WEEKDAYS[:4]}
    hours["fri"] = draw(st.sampled_from(["08:00-11:30", "07:30-11:00", "08:00-16:00"]))
    breaks = [{"name": "Istirahat siang", "days": ["mon", "tue", "wed", "thu"], "start": "12:00", "end": "13:00"}]
    if draw(st.booleans()):
        breaks.append({"name": "Sholat Jumat", "days": ["fri"], "start": "11:30", "end": "13:00"})
    holidays = draw(st.lists(st.sampled_from(WEEK.dates[:5]), max_size=1))
    calendar = Calendar(
        working_days=("mon", "tue", "wed", "thu", "fri"), hours=hours, breaks=breaks, holidays=tuple(holidays),
        school_hours={"mon": "07:30-13:00", "tue": "07:30-13:00", "wed": "07:30-13:00", "thu": "07:30-13:00",
                      "fri": "07:30-11:00"},
    )
    n_vil = draw(st.integers(2, max_villages))
    villages = []
    for k in range(n_vil):
        eligible = {s: draw(st.integers(0, 2500)) for s in SIDS}
        covered = {s: int(eligible[s] * draw(st.floats(0, 1))) for s in SIDS}
        villages.append(Village(code=f"74.08.01.{2001 + k}", name=f"Desa {k}", district_code="74.08.01",
                                district_name="Lasusua", population=sum(eligible.values()),
                                lon=draw(LON), lat=draw(LAT), eligible=eligible, covered=covered))
    codes = [v.code for v in villages]
    depot = Depot(id="office", name="Kantor", lon=draw(LON), lat=draw(LAT))

    teams = []
    for k in range(draw(st.integers(1, max_teams))):
        services = draw(st.lists(st.sampled_from(SIDS), min_size=1, max_size=3, unique=True))
        kits = draw(st.integers(1 if "ektp" in services else 0, 2))
        days = draw(st.lists(st.sampled_from(WEEKDAYS[:5]), min_size=1, max_size=5, unique=True))
        shift = {d: "08:30-15:00" for d in days[:1]} if draw(st.booleans()) else None
        teams.append(Team(
            id=f"tim{k + 1}", name=f"Tim {k + 1}", vehicle=draw(st.sampled_from(["car", "motorbike"])),
            activities=tuple(draw(st.lists(st.sampled_from(["village_session", "school_session", "home_visit"]),
                                           min_size=1, max_size=3, unique=True))),
            services=tuple(services), recording_kits=kits, delivery_capacity=draw(st.integers(0, 3)),
            depot="office", days=tuple(days), shift=shift,
        ))
    if draw(st.booleans()):
        teams.append(Team(id="kurir", name="Kurir", vehicle="motorbike", activities=("delivery",),
                          delivery_capacity=draw(st.integers(1, 4)), depot="office",
                          days=tuple(draw(st.lists(st.sampled_from(WEEKDAYS[:5]), min_size=1, max_size=3,
                                                   unique=True)))))

    schools = [School(id=f"sc{k}", name=f"Sekolah {k}", village_code=draw(st.sampled_from(codes)),
                      lon=draw(LON), lat=draw(LAT),
                      needed={"ektp": draw(st.integers(0, 60)), "kia": draw(st.integers(0, 60))})
               for k in range(draw(st.integers(0, max_schools)))]

    window = st.builds(
        lambda day, h, length: f"{day} {h:02d}:00-{min(24, h + length):02d}:00",
        st.one_of(st.sampled_from(WEEKDAYS[:6]), st.sampled_from(WEEK.dates).map(dt.date.isoformat)),
        st.integers(7, 15), st.integers(1, 4),
    )
    requests = [HomeVisitRequest(
        id=f"hv{k}", name="Warga", reason=draw(st.sampled_from(["elderly", "disabled", "sick"])),
        services=tuple(draw(st.lists(st.sampled_from(SIDS), min_size=1, max_size=2, unique=True))),
        village_code=draw(st.sampled_from(codes)), lon=draw(LON), lat=draw(LAT),
        windows=tuple(draw(st.lists(window, max_size=2))), requested_on=dt.date(2026, 11, 1),
    ) for k in range(draw(st.integers(0, max_requests)))]
    deliveries = [Delivery(
        id=f"dl{k}", document="e-KTP", recipient="Warga", village_code=draw(st.sampled_from(codes)),
        lon=draw(LON), lat=draw(LAT), ready_on=WEEK.monday + dt.timedelta(days=draw(st.integers(-10, 8))),
    ) for k in range(draw(st.integers(0, max_deliveries)))]

    return Workspace(
        regency=Regency(code="74.08", name="Kolaka Utara (random)"), depots=(depot,), calendar=calendar,
        services=SERVICES, teams=tuple(teams),
        policy=Policy(outreach_teams_deliver=draw(st.booleans()), max_sessions_per_village=draw(st.integers(1, 3))),
        villages=tuple(villages), schools=tuple(schools), requests=tuple(requests), deliveries=tuple(deliveries),
    )


def check_random_workspace(ws: Workspace, limits: SolveLimits, engine: str = "ortools") -> str:
    """Plan ``ws`` and assert the property; returns ``"plan"`` or ``"no team works"``."""
    try:
        plan = make_plan(ws, WEEK, limits, engine=engine).plan
    except NoPlanError:
        # only acceptable when no team has a working day this week
        assert not any(WEEKDAYS[d.weekday()] in t.days and ws.calendar.is_working_day(d)
                       for t in ws.teams for d in WEEK.dates)
        return "no team works"
    travel = travel_model(ws)
    assert validate_plan(plan, ws, travel) == []
    ids = [s.visit_id for _, s in plan.visit_steps] + [u.visit_id for u in plan.unassigned]
    assert Counter(ids) == Counter(v.id for v in candidate_visits(ws, WEEK, session_caps(ws, WEEK, travel)))
    return "plan"
