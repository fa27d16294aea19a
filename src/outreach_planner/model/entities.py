"""Places, people-facing requests, teams, services and policy.

Coordinates are WGS84 degrees (``lon``, ``lat``). Counts are people. Durations
are minutes unless a name says otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

from ..i18n import _
from .calendar import DayRange, Weekday, Window

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _non_negative(v: dict[str, int]) -> dict[str, int]:
    bad = {k: n for k, n in v.items() if n < 0}
    if bad:
        raise ValueError(_("ent.negative", id="jumlah tidak boleh negatif: {bad}", en="negative counts: {bad}", bad=bad))
    return v


#: People per service id; never negative.
Counts = Annotated[dict[str, int], AfterValidator(_non_negative)]

Activity = Literal["village_session", "school_session", "home_visit", "delivery"]
ACTIVITIES: tuple[str, ...] = ("village_session", "school_session", "home_visit", "delivery")
Reason = Literal["elderly", "disabled", "sick"]


def _share_not_percent(v: object) -> object:
    """A share is 0..1: refuse ``"98%"`` and ``98`` with the fix (``0.98``)."""
    if isinstance(v, str) and v.strip().endswith("%"):
        try:
            x = float(v.strip()[:-1].replace(",", "."))
        except ValueError:
            raise ValueError(_("ent.share", id="seharusnya proporsi antara 0 dan 1 (0.98 = 98%), sebagai angka tanpa "
                               "tanda kutip", en="expected a share between 0 and 1 (0.98 = 98%), as a number without "
                               "quotes")) from None
        raise ValueError(_("ent.share_percent_text", id="seharusnya proporsi antara 0 dan 1, sebagai angka tanpa tanda "
                           "kutip: tulis {x}, bukan '{v}'", en="expected a share between 0 and 1, as a number without "
                           "quotes: write {x}, not '{v}'", x=f"{x / 100:g}", v=v))
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 1 < v <= 100:
        raise ValueError(_("ent.share_percent", id="seharusnya proporsi antara 0 dan 1; {v} tampak seperti persen: "
                           "tulis {x}", en="expected a share between 0 and 1; {v} looks like a percentage: write {x}",
                           v=f"{v:g}", x=f"{v / 100:g}"))
    return v


#: A share between 0 and 1 in workspace.toml: a TOML number (no text), never a percentage.
Share = Annotated[StrictFloat, BeforeValidator(_share_not_percent)]

#: Time zone abbreviations planners write, and the IANA zone each one means.
TZ_ABBREVIATIONS = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
_TZ_HELP = "; ".join(f"{abbr}: {zone}" for abbr, zone in TZ_ABBREVIATIONS.items())


def mask_nik(nik: str | None) -> str:
    """Show at most the last 4 digits of a NIK: ``"************1234"``."""
    if not nik:
        return ""
    tail = nik[-4:]
    return "*" * 12 + tail


class _Located(BaseModel):
    model_config = _FROZEN
    lon: float = Field(description="longitude, WGS84 degrees")
    lat: float = Field(description="latitude, WGS84 degrees")

    @model_validator(mode="after")
    def _finite_and_in_range(self) -> _Located:
        if not (math.isfinite(self.lon) and math.isfinite(self.lat)):
            raise ValueError(_("ent.not_finite", id="koordinat harus berupa angka yang terhingga",
                               en="coordinates must be finite numbers"))
        if not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise ValueError(_("ent.not_degrees", id="({lon}, {lat}) bukan lon/lat dalam derajat (lon -180..180, lat "
                               "-90..90); apakah lapisannya memakai CRS lain?", en="({lon}, {lat}) is not lon/lat in "
                               "degrees (lon -180..180, lat -90..90); is the layer in another CRS?",
                               lon=self.lon, lat=self.lat))
        return self


class Regency(BaseModel):
    """The kabupaten the workspace plans for."""

    model_config = _FROZEN
    code: str = Field(description="kode wilayah, e.g. '74.08'")
    name: str
    timezone: str = Field(default="Asia/Makassar", description="IANA zone; WITA = UTC+8")

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, v: str) -> str:
        key = v.strip()
        if key.upper() in TZ_ABBREVIATIONS:
            raise ValueError(_("ent.tz_abbreviation", id="{k} adalah singkatan, bukan nama zona waktu IANA: pakai "
                               "\"{zone}\"", en="{k} is an abbreviation, not an IANA time zone name: use \"{zone}\"",
                               k=key, zone=TZ_ABBREVIATIONS[key.upper()]))
        try:
            ZoneInfo(key)
        except Exception:  # ZoneInfoNotFoundError, ValueError (malformed key), OSError
            raise ValueError(_("ent.tz_unknown", id="zona waktu tidak dikenal; pakai nama IANA ({help})",
                               en="unknown time zone; use an IANA name ({help})", help=_TZ_HELP)) from None
        return key


class Depot(_Located):
    """An office teams start and end their day at."""

    lon: StrictFloat = Field(description="longitude, WGS84 degrees")
    lat: StrictFloat = Field(description="latitude, WGS84 degrees")
    id: str
    name: str


LodgingKind = Literal["kantor_camat", "balai_desa", "penginapan", "lainnya"]


class Lodging(_Located):
    """A place a team on a field trip may sleep at (``lodgings`` layer; optional).

    ``cost_per_night`` is in value points per team-night (the units of
    ``policy.priority.travel_hour_value``); ``None``: ``policy.night_cost``.
    """

    id: str
    name: str
    kind: LodgingKind = Field(default="lainnya", description="kantor camat / balai desa / penginapan / lainnya")
    capacity: StrictInt = Field(default=1, ge=1, description="teams that can sleep there on one night")
    cost_per_night: StrictFloat | None = Field(default=None, ge=0, description="value points per team-night; "
                                               "default policy.night_cost")
    approximate: StrictBool = Field(default=False, description="the point is approximate (not surveyed)")
    village_code: str | None = Field(default=None, description="village the lodging is in, when known")


class Crossing(BaseModel):
    """A sea crossing between two land masses (``crossings`` layer; optional): ferry or boat, port to port.

    Used by the great-circle travel model with ``[travel] islands = true``: a stop on another land
    mass is reached by driving to ``from`` (or ``to``: crossings run both ways), crossing in
    ``duration_minutes`` (plus, when ``departures`` are given, half the mean interval between them as
    the expected wait) and driving on from the other port. ``vehicles``: the vehicle profiles it carries.
    """

    model_config = _FROZEN
    id: str
    name: str
    from_name: str
    from_lon: float = Field(ge=-180, le=180)
    from_lat: float = Field(ge=-90, le=90)
    to_name: str
    to_lon: float = Field(ge=-180, le=180)
    to_lat: float = Field(ge=-90, le=90)
    duration_minutes: float = Field(gt=0, description="port to port, boarding included, minutes")
    vehicles: tuple[str, ...] = Field(default=("car", "motorbike"), description="vehicle profiles carried")
    departures: tuple[int, ...] = Field(default=(), description="departure times, minutes after midnight; "
                                        "empty: on demand")
    approximate: StrictBool = Field(default=False, description="ports and duration are approximate")

    @property
    def wait_s(self) -> int:
        """Expected wait for a departure, seconds: half the mean interval between departures (0 on demand)."""
        d = sorted(self.departures)
        if not d:
            return 0
        gaps = [b - a for a, b in zip(d, d[1:])] + [d[0] + 24 * 60 - d[-1]]
        return int(round(30 * sum(gaps) / len(gaps)))


class Service(BaseModel):
    """A registration service with a national coverage target.

    Adding a service is a data change: declare it in ``workspace.toml`` and give
    villages ``<id>_eligible`` / ``<id>_covered`` columns.
    """

    model_config = _FROZEN
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(description="English name")
    name_id: str = Field(description="Indonesian name for printed sheets")
    target: Share = Field(gt=0, le=1, description="national target, share of eligible")
    needs_kit: StrictBool = Field(default=False, description="needs a recording kit (e-KTP perekaman)")
    minutes_per_person: StrictFloat = Field(gt=0, description="service minutes per person and kit")
    turnout: Share = Field(
        default=0.3, gt=0, le=1, description="share of the unserved eligible who come to a village session"
    )
    at_schools: StrictBool = Field(default=False, description="offered at school sessions")
    bring: str = Field(default="", description="what residents bring for this service, printed on the route "
                                               "sheets, e.g. 'fotokopi KK'")


class Team(BaseModel):
    """An outreach team or courier: who, how they travel, what they can do, when."""

    model_config = _FROZEN
    id: str
    name: str
    members: tuple[str, ...] = ()
    vehicle: str = Field(default="car", description="travel profile: car or motorbike")
    activities: tuple[Activity, ...] = Field(description="kinds of visit the team makes")
    services: tuple[str, ...] = Field(default=(), description="service ids the team can deliver")
    recording_kits: StrictInt = Field(default=0, ge=0, description="e-KTP recording kits carried")
    delivery_capacity: StrictInt = Field(default=0, ge=0, description="documents carried per day")
    depot: str
    days: tuple[Weekday, ...] = Field(description="weekdays the team is available")
    shift: dict[Weekday, DayRange] | None = Field(
        default=None, description="own hours per weekday; default: the office calendar"
    )
    field_trips: StrictBool = Field(default=False, description="may go on multi-day trips, sleeping at a lodging")
    max_nights_per_week: StrictInt = Field(default=3, ge=0, description="most nights away from base in a week")
    max_nights_in_row: StrictInt = Field(default=2, ge=0, description="most consecutive nights away")
    home_days: tuple[Weekday, ...] = Field(
        default=(), description="weekdays the team starts and ends at its base (no night away before or after)"
    )
    days_off: tuple[dt.date, ...] = Field(
        default=(), description="dates the team does not work (leave, training); other teams still work"
    )

    @property
    def can_deliver(self) -> bool:
        """Whether the team carries documents."""
        return "delivery" in self.activities


class PriorityWeights(BaseModel):
    """How visits are valued (``[policy.priority]``). One value point ~ one person brought to target.

    A person served in a village below its target is worth ``below_target`` x
    (1 + ``gap_steepness`` x gap / target) points, where gap = target - coverage; a person
    above target ``above_target`` points. A service whose regency total already meets its
    target is weighted ``service_above_target``.
    """

    model_config = _FROZEN
    below_target: StrictFloat = Field(default=1.0, ge=0)
    above_target: StrictFloat = Field(default=0.1, ge=0)
    gap_steepness: StrictFloat = Field(default=16.0, ge=0)
    service_above_target: StrictFloat = Field(default=0.5, ge=0)
    home_visit_base: StrictFloat = Field(default=4.0, ge=0, description="points for a home visit, before waiting")
    delivery_base: StrictFloat = Field(default=3.0, ge=0, description="points for a delivery, before urgency")
    waiting_per_week: StrictFloat = Field(default=0.25, ge=0, description="value growth per week a request has waited")
    due_boost: StrictFloat = Field(default=2.0, ge=0, description="extra share of value when a delivery is due now")
    due_horizon_days: StrictInt = Field(default=14, ge=1, description="urgency starts this many days before due")
    travel_hour_value: StrictFloat = Field(
        default=2.0, ge=0, description="value points an hour of driving is worth (trades value against travel)"
    )


class Policy(BaseModel):
    """Planning assumptions a planner can override in ``[policy]``."""

    model_config = _FROZEN
    setup_minutes: StrictFloat = Field(default=20, ge=0, description="set-up time of a session")
    max_session_minutes: StrictFloat = Field(default=120, gt=0, description="longest session")
    home_visit_minutes: StrictFloat = Field(default=40, gt=0, description="time at one home visit")
    delivery_stop_minutes: StrictFloat = Field(default=5, gt=0, description="time at one delivery stop")
    school_turnout: Share = Field(
        default=0.9, gt=0, le=1, description="share of pupils on the list present on the day"
    )
    outreach_teams_deliver: StrictBool = Field(
        default=False, description="outreach teams may drop off documents when passing by"
    )
    min_session_people: StrictFloat = Field(
        default=5, ge=0, description="a village session is offered only when at least this many are expected"
    )
    max_sessions_per_village: StrictInt = Field(
        default=3, ge=1, description="most sessions one village is offered in a week (at most one a day)"
    )
    night_cost: StrictFloat = Field(
        default=3.0, ge=0, description="value points one team-night away costs (per-diem and lodging), in the units "
        "of priority.travel_hour_value; a lodging's cost_per_night overrides it"
    )
    priority: PriorityWeights = Field(default_factory=lambda: PriorityWeights())


class Village(_Located):
    """A desa or kelurahan. ``lon``/``lat`` is the stop point (a settled place)."""

    code: str
    name: str
    district_code: str
    district_name: str
    population: int = Field(ge=0)
    boundary_wkt: str | None = Field(default=None, repr=False, description="polygon, WKT, WGS84")
    postal_code: str | None = None
    eligible: Counts = Field(description="people eligible per service id")
    covered: Counts = Field(description="people already covered per service id")
    # the village's contact for the outreach team (an official's work contact, not a resident's data):
    # optional columns, printed on the route sheets and in the map's stop popups
    contact_name: str | None = Field(default=None, description="who to call, e.g. the kepala desa")
    contact_role: str | None = Field(default=None, description="e.g. 'Kepala desa', 'Operator desa'")
    contact_phone: str | None = Field(default=None, description="work phone, as text")
    session_place: str | None = Field(default=None, description="where a village session is held, e.g. 'Balai Desa'")


    def coverage(self, service: str) -> float:
        """Covered / eligible (1.0 when nobody is eligible)."""
        e = self.eligible.get(service, 0)
        return 1.0 if e == 0 else self.covered.get(service, 0) / e

    def unserved(self, service: str) -> int:
        """Eligible people not yet covered (never negative)."""
        return max(0, self.eligible.get(service, 0) - self.covered.get(service, 0))


class School(_Located):
    """A school where pupils get first-time e-KTP (turning 17) or KIA (under 17)."""

    id: str
    name: str
    level: str = ""
    village_code: str
    needed: Counts = Field(description="pupils still needing each service id")
    notes: str = ""



class HomeVisitRequest(_Located):
    """A resident who cannot travel asks for a home visit. Personal data: never log it."""

    id: str
    name: str = Field(repr=False)
    nik: str | None = Field(default=None, repr=False, description="16-digit NIK, shown masked")
    reason: Reason
    services: tuple[str, ...] = Field(min_length=1)
    village_code: str
    address: str = Field(default="", repr=False)
    windows: tuple[Window, ...] = Field(default=(), description="empty: any time in a shift")
    requested_on: dt.date
    notes: str = Field(default="", repr=False)

    @field_validator("nik")
    @classmethod
    def _nik_digits(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not (len(v) == 16 and v.isdigit()):
            raise ValueError(_("ent.nik", id="NIK terdiri dari 16 digit, tertulis {n} karakter ({masked})",
                               en="a NIK has 16 digits, got {n} characters ({masked})", n=len(v), masked=mask_nik(v)))
        return v

    @property
    def nik_masked(self) -> str:
        """The NIK with all but the last 4 digits hidden."""
        return mask_nik(self.nik)


class Delivery(_Located):
    """A printed document to bring to a home. ``recipient`` is personal data."""

    id: str
    document: str = Field(description="kind of document, e.g. e-KTP, KIA, akta kelahiran, KK")
    recipient: str = Field(repr=False)
    village_code: str
    address: str = Field(default="", repr=False)
    ready_on: dt.date = Field(description="date the document was printed")
    due_on: dt.date | None = None

    @model_validator(mode="after")
    def _due_after_ready(self) -> Delivery:
        if self.due_on is not None and self.due_on < self.ready_on:
            raise ValueError(_("ent.due_before_ready", id="due_on {due} lebih awal dari ready_on {ready}",
                               en="due_on {due} is before ready_on {ready}", due=self.due_on, ready=self.ready_on))
        return self
