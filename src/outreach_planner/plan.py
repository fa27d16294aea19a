"""The weekly plan: routes of steps per team-day, and the visits left out with a reason.

Imports the model only. Times are timezone-aware datetimes in the regency's zone
(WITA, UTC+8 for Kolaka Utara); durations are seconds; distances metres.
``docs/plan-format.md`` documents the JSON form.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_FROZEN = ConfigDict(frozen=True, extra="forbid")

VisitKind = Literal["village_session", "school_session", "home_visit", "delivery"]
#: ``start``: leave the day's start place (the base, or the lodging slept at); ``visit``; ``break``;
#: ``end``: back at the base; ``night``: the day ends at a lodging of a field trip (the team sleeps there).
StepType = Literal["start", "visit", "break", "end", "night"]

#: Reason codes of visits left out, with the sentence shown to planners.
REASONS: dict[str, str] = {
    "no_skill": "No team has the skills for this visit (activity, services or recording kit).",
    "no_window": "Outside every shift or availability window this week.",
    "unreachable": "Cannot be reached and returned from within a shift.",
    "low_value": "Lower value than the visits that filled the week.",
    "capacity": "Every team-day that could take it is at its delivery capacity.",
    "same_day": "It fits only on dates that already have a session of its village (one a day).",
    "no_time": "No team-day that could make it has the time for it, even with nothing else that day.",
    "missed": "It fits and would add value: the search stopped before it found this.",
    "forbidden": "The planner forbade it in a re-plan.",
}
ReasonCode = Literal["no_skill", "no_window", "unreachable", "low_value", "capacity", "same_day", "no_time",
                     "missed", "forbidden"]


class Step(BaseModel):
    """One step of a team-day: leave the office, a visit, a break, or return."""

    model_config = _FROZEN
    type: StepType
    visit_id: str | None = None
    kind: VisitKind | None = None
    place: str = Field(default="", description="shareable place label (no resident names)")
    village_code: str | None = None
    location: tuple[float, float] | None = Field(default=None, description="(lon, lat), WGS84")
    arrival: dt.datetime = Field(description="when the team arrives (start/end: leave/return)")
    start: dt.datetime = Field(description="when the activity starts (after any wait)")
    end: dt.datetime = Field(description="when the activity ends")
    travel_s: int = Field(default=0, ge=0, description="driving time from the previous stop, seconds")
    distance_m: int = Field(default=0, ge=0, description="driving distance from the previous stop, metres")
    expected: dict[str, int] = Field(default_factory=dict, description="people expected per service id")
    value: float = Field(default=0.0, description="priority value collected by this visit")
    why: str = Field(default="", description="the gap numbers behind the value")


class Route(BaseModel):
    """The steps of one team on one date.

    A day trip starts and ends at the team's base (``depot``). A day of a field trip
    (``trip`` set) starts at the base or at the lodging slept at the night before
    (``start_at``), and ends at the base (last step ``end``) or at a lodging (``end_at``,
    last step ``night``). ``start_at``/``end_at`` empty: the base (plans written before
    field trips).
    """

    model_config = _FROZEN
    team: str
    date: dt.date
    depot: str = Field(description="the team's base (office id)")
    steps: tuple[Step, ...]
    start_at: str = Field(default="", description="id of the place the day starts at: the base or a lodging")
    end_at: str = Field(default="", description="id of the place the day ends (and the team sleeps) at")
    trip: str | None = Field(default=None, description="field trip id (e.g. 'tim1-t1'); None: a day trip")

    @property
    def start_place(self) -> str:
        """Id of the day's start place (the base when not set)."""
        return self.start_at or self.depot

    @property
    def end_place(self) -> str:
        """Id of the day's end place, where the team sleeps (the base when not set)."""
        return self.end_at or self.depot

    @property
    def away_night(self) -> bool:
        """Whether the team sleeps away from its base after this day."""
        return self.end_place != self.depot

    @property
    def visits(self) -> list[Step]:
        """The visit steps, in order."""
        return [s for s in self.steps if s.type == "visit"]

    @property
    def travel_s(self) -> int:
        """Total driving seconds."""
        return sum(s.travel_s for s in self.steps)

    @property
    def distance_m(self) -> int:
        """Total driving metres."""
        return sum(s.distance_m for s in self.steps)


class Unassigned(BaseModel):
    """A candidate visit left out of the week, with a reason code and a sentence.

    The optional fields hold what :mod:`outreach_planner.planning.explain` computed by trying
    the visit in the plan's routes; ``None`` / empty where nothing was checked.
    """

    model_config = _FROZEN
    visit_id: str
    kind: VisitKind
    reason: ReasonCode
    detail: str = Field(default="", description="the computed explanation, in English")
    value: float = 0.0
    village_code: str | None = None
    detail_id: str = Field(default="", description="the same explanation in Indonesian")
    needed_value: float | None = Field(default=None, description="value above which it would enter the plan "
                                       "on the team-day checked: displaced value plus the driving added")
    displaces: tuple[str, ...] = Field(default=(), description="visit ids it would push out of that team-day")
    team: str | None = Field(default=None, description="team of the team-day checked")
    date: dt.date | None = Field(default=None, description="date of the team-day checked")
    would_fit: bool | None = Field(default=None, description="True: inserting it there (after dropping "
                                   "``displaces``) was checked feasible")
    added_travel_s: int | None = Field(default=None, description="driving seconds that insertion adds "
                                       "(negative: saves)")


class Plan(BaseModel):
    """A weekly plan. Carries data only; build it with :func:`outreach_planner.planning.planner.make_plan`."""

    model_config = _FROZEN
    week: str = Field(description="ISO week, e.g. 2026-W49")
    workspace: str = Field(description="regency code and name")
    generated_at: dt.datetime
    engine: str
    timezone: str
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    summary: dict = Field(default_factory=dict, description="figures for people; see docs/plan-format.md")

    @property
    def visit_steps(self) -> list[tuple[Route, Step]]:
        """Every (route, visit step) pair."""
        return [(r, s) for r in self.routes for s in r.visits]

    @property
    def value(self) -> float:
        """Total value collected."""
        return sum(s.value for _, s in self.visit_steps)

    @property
    def travel_s(self) -> int:
        """Total driving seconds."""
        return sum(r.travel_s for r in self.routes)
